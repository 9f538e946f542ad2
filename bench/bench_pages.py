"""Interaction latency of the dashboard on the demo county (budget: median under 1 s per interaction).

Two measurements, printed as tables:

1. Server side — AppTest runs the real dashboard.py against a real database file; each interaction
   (open a page, change the date, pick a township, pick a village, back to the county) is one script
   run, timed. Cold = first visit of a page (nothing cached); warm = the same view again.
2. In the browser — a real `streamlit run` and headless Chromium (Playwright): click each page in the
   navigation and change the filters, timing from the click until the app is idle again (no running
   indicator, no stale elements).

    .venv/bin/python bench/bench_pages.py                  # builds the demo database if needed
    .venv/bin/python bench/bench_pages.py --db data/tuopin.duckdb --rounds 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def page_names() -> list[str]:
    from ui.navigation import PAGE_NAMES

    return [name for name in PAGE_NAMES if name not in ("data_import", "admin")]  # a leader's pages


def demo_database(db: str | None) -> Path:
    if db:
        return Path(db).resolve()
    from etl.demo import write_demo_package
    from etl.load import load_package

    work = Path(tempfile.mkdtemp(prefix="tuopin-bench-pages-"))
    write_demo_package(work / "demo", scale=1, seed=2014)
    load_package(work / "demo", work / "demo.duckdb")
    return work / "demo.duckdb"


def summary(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def print_table(title: str, rows: list[tuple[str, list[float]]]) -> list[float]:
    print(f"\n{title}")
    print(f"{'interaction':<40}{'n':>4}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}")
    every = []
    for name, times in rows:
        median, p95, worst = summary(times)
        if not name.startswith("open the dashboard"):
            every += times
        print(f"{name:<40}{len(times):>4}{median:>12.0f}{p95:>10.0f}{worst:>10.0f}")
    median, p95, worst = summary(every)
    print(f"{'all interactions':<40}{len(every):>4}{median:>12.0f}{p95:>10.0f}{worst:>10.0f}")
    return every


# ---- 1. server side (AppTest) ------------------------------------------------------------------


def server_side(db: Path, rounds: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    from queries import Database
    from tests.support import navigation_apptest_patch, signed_in

    os.environ["TUOPIN_DB"] = str(db)
    tree = Database(db).query("regions")
    township = tree[tree.level == "乡镇"].code.iloc[0]
    village = tree[tree.parent_code == township].code.iloc[0]
    rows: dict[str, list[float]] = {}

    def timed(label: str, at, action) -> None:
        start = time.perf_counter()
        action(at).run()
        rows.setdefault(label, []).append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{label}: {at.exception[0].message}")

    with navigation_apptest_patch():
        for _ in range(rounds):
            # a new session each round; st.cache_data is process-wide, so round 1 is the cold one
            at = signed_in(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120), role="leader")
            timed("open the dashboard (overview)", at, lambda at: at)
            for name in page_names():
                timed(f"page {name}", at, lambda at, name=name: at.switch_page(f"pages/{name}.py"))
            at.switch_page("pages/overview.py").run()
            timed("overview: as-of 2018-12-31", at,
                  lambda at: at.selectbox(key="as_of_choice").set_value(dt.date(2018, 12, 31)))
            timed("overview: pick a township", at, lambda at: at.selectbox(key="pick_1").set_value(township))
            timed("overview: pick a village", at, lambda at: at.selectbox(key="pick_2").set_value(village))
            timed("overview: back to all townships", at, lambda at: at.selectbox(key="pick_1").set_value(""))
    return print_table("Server side: AppTest script run per interaction (demo county)", list(rows.items()))


# ---- 2. in the browser -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=dict(os.environ, TUOPIN_DB=str(db)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start")


QUIET_S = 0.3
PASSWORD = "bench-pages-password"


BUSY_JS = ("!!document.querySelector('[data-testid=\"stStatusWidget\"]')"
           " || !!document.querySelector('[data-stale=\"true\"]')")


def wait_ready(page, ready_js: str, timeout: float = 60) -> float:
    """Seconds from now until `ready_js` holds (the view asked for is there: the page's title, the
    region in the URL) with no running indicator and no stale element, staying so for QUIET_S."""
    start = time.perf_counter()
    settled_since = None
    while time.perf_counter() - start < timeout:
        ready = page.evaluate(f"() => ({ready_js}) && !({BUSY_JS})")
        now = time.perf_counter()
        if not ready:
            settled_since = None
        elif settled_since is None:
            settled_since = now
        elif now - settled_since >= QUIET_S:
            return settled_since - start
        time.sleep(0.02)
    raise TimeoutError(f"the app did not show {ready_js}")


def title_is(label: str) -> str:
    return f"(document.querySelector('h1') || {{innerText: ''}}).innerText.trim() === {label!r}"


def region_is(code: str) -> str:
    return f"new URLSearchParams(location.search).get('region') === {code!r}"


def open_options(page, box) -> None:
    """Open a selectbox's list (a click at the foot of the window may only focus it: then the arrow key)."""
    box.get_by_role("combobox").click()
    try:
        page.get_by_role("option").first.wait_for(timeout=2_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: focused, not opened
        page.keyboard.press("ArrowDown")


def in_browser(db: Path, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    from queries import Database

    with Database(db) as database:
        tree = database.query("regions")
    county = tree[tree.level == "县"].code.iloc[0]
    township = tree[tree.parent_code == county].code.min()  # the picker's first township
    proc, url = start_server(db)
    rows: dict[str, list[float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for _ in range(rounds):
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                start = time.perf_counter()
                page.goto(url)
                page.get_by_label("用户名").fill("leader")
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_role("button", name="登录").click()
                page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
                wait_ready(page, title_is("总览"))
                rows.setdefault("open the dashboard (overview)", []).append(time.perf_counter() - start)
                for link in page.get_by_test_id("stSidebarNavLink").all()[1:] + \
                        page.get_by_test_id("stSidebarNavLink").all()[:1]:
                    label = link.inner_text().strip().splitlines()[-1]  # the title, not the icon's name
                    link.click()
                    rows.setdefault(f"page {label}", []).append(wait_ready(page, title_is(label)))
                # the sidebar's region picker (its first level, 乡镇; the comparison picker is above it)
                box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
                    has=page.get_by_text("乡镇", exact=True))
                wait_ready(page, title_is("总览"))
                open_options(page, box)
                page.get_by_role("option").nth(1).click()
                rows.setdefault("overview: pick a township", []).append(wait_ready(page, region_is(township)))
                open_options(page, box)
                page.get_by_role("option").nth(0).click()
                rows.setdefault("overview: back to all townships", []).append(wait_ready(page, region_is(county)))
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return print_table("In the browser: click → app idle (headless Chromium, real streamlit run)", list(rows.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database file (default: build the demo county in a temp folder)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    db = demo_database(args.db)
    print("(opening the dashboard — sign-in and the first page load — is shown but not counted as an interaction)")
    print(f"database: {db}")
    from access import Store

    accounts = Path(tempfile.mkdtemp(prefix="tuopin-bench-accounts-")) / "accounts.sqlite"
    os.environ["TUOPIN_ACCOUNTS"] = str(accounts)
    from queries import Database

    Store(accounts).add("leader", PASSWORD, "leader", Database(db).query("regions").code.iloc[0])
    times = server_side(db, args.rounds)
    if not args.skip_browser:
        times += in_browser(db, args.rounds)
    median, p95, _ = summary(times)
    print(f"\nbudget: median under 1000 ms per interaction — measured median {median:.0f} ms, p95 {p95:.0f} ms: "
          + ("met" if median < 1000 else "NOT met"))


if __name__ == "__main__":
    main()
