"""Screenshots of every page on the bundled demo county, for README (docs/screenshots/*.png).

    .venv/bin/python scripts/screenshots.py

Starts a real `streamlit run` on the demo database (built on first start) and drives headless
Chromium through the pages, Chinese, then a few in English.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import streamlit_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
VIEWS = [
    ("overview", "", "zh"),
    ("map", "", "zh"),
    ("dynamics", "", "zh"),
    ("funds", "", "zh"),
    ("village_exit", "", "zh"),
    ("village_exit", "439901102206", "zh"),  # 石山村: a poor village still failing the Hunan preset
    ("household_checks", "&as_of=2019-12-31", "zh"),
    ("report", "", "zh"),
    ("data_quality", "", "zh"),
    ("monitoring", "&as_of=2026-09-30", "zh"),
    ("department_warnings", "&as_of=2026-09-30", "zh"),
    ("overview", "", "en"),
    ("map", "439901104000", "en"),
]


def settle(page, quiet: float = 1.5, limit: float = 120) -> None:
    start = time.monotonic()
    calm_since = None
    while time.monotonic() - start < limit:
        busy = page.evaluate("() => !!document.querySelector('[data-testid=\"stStatusWidget\"]')"
                             " || !!document.querySelector('[data-stale=\"true\"]')"
                             " || !!document.querySelector('[data-testid=\"stSkeleton\"]')")  # still drawing
        now = time.monotonic()
        calm_since = None if busy else (calm_since or now)
        if calm_since and now - calm_since > quiet:
            return
        time.sleep(0.2)


def main() -> None:
    from playwright.sync_api import sync_playwright

    env = {key: value for key, value in os.environ.items() if key != "TUOPIN_DB"}
    os.environ.clear()
    os.environ.update(env)
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with streamlit_server({}, timeout=300) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1440, "height": 1600})
        page.goto(url)
        page.get_by_test_id("stMetric").first.wait_for(timeout=300_000)  # first start builds the demo
        for name, extra, language in VIEWS:
            region = f"&region={extra}" if extra.isdigit() else extra
            path = "" if name == "overview" else name  # the default page lives at the root URL only
            page.goto(f"{url}/{path}?lang={language}&as_of=2020-12-31{region}")
            page.get_by_test_id("stHeading").first.wait_for(timeout=120_000)
            settle(page)
            if page.get_by_text("Page not found").count():  # Streamlit's modal over the page
                raise RuntimeError(f"{name}: Streamlit says the page was not found")
            target = OUT / f"{name}{'_' + extra.strip('&').replace('=', '_') if extra else ''}_{language}.png"
            page.screenshot(path=str(target))
            print(target.relative_to(ROOT))
        browser.close()


if __name__ == "__main__":
    main()
