"""End to end: a real `streamlit run` server, a real browser (Debian's headless Chromium)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "screenshots"

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium for the browser test (scripts/test.sh installs it)")
    pytest.skip("chromium is not installed (scripts/test.sh installs it)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PASSWORD = "browser-test-password"


@pytest.fixture(scope="module")
def server(tiny_db_path, tmp_path_factory):
    from access import Store

    accounts = tmp_path_factory.mktemp("accounts") / "accounts.sqlite"
    Store(accounts).add("leader", PASSWORD, "leader", "430101000000", display_name="县扶贫办")
    port = free_port()
    env = dict(os.environ, TUOPIN_DB=str(tiny_db_path), TUOPIN_ACCOUNTS=str(accounts))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(f"streamlit did not start:\n{proc.stdout.read().decode(errors='replace')}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


def sign_in(page, username: str = "leader", password: str = PASSWORD) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_overview_in_a_real_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.goto(server)
    sign_in(page)
    metric = page.get_by_test_id("stMetric").filter(has_text="建档立卡（现有）")
    metric.wait_for(timeout=30_000)
    assert "4户10人" in metric.inner_text()
    assert "0.12%" in page.get_by_test_id("stMetric").filter(has_text="贫困发生率").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    page.close()
