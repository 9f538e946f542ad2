"""Support shared by the tests and the page benchmark (no pytest import)."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def navigation_apptest_patch():
    """Make AppTest rerun like the real server does with st.navigation and a pages/ folder.

    AppTest resets PagesManager.uses_pages_directory before every run and, because pages/ exists,
    the rerun then executes the last page file directly (multipage v1) instead of dashboard.py.
    A real server sets the flag once and st.navigation clears it on the first run; mirror that.
    """
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    class NavigationPagesManager(pages_manager.PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pages_manager.PagesManager.uses_pages_directory = False

    original = app_test.PagesManager
    app_test.PagesManager = NavigationPagesManager
    try:
        yield
    finally:
        app_test.PagesManager = original


def signed_in(at, role: str = "admin", scope: str | None = None, username: str = "tester"):
    """Start an AppTest session as a signed-in account (the sign-in form itself is tested in
    tests/test_signin.py). The account is created in the store named by TUOPIN_ACCOUNTS, so the
    dashboard sees sign-in configured; scope defaults to the top region of TUOPIN_DB's data."""
    import datetime as dt
    import os
    from pathlib import Path

    from access import Account, Store
    from queries import Database

    if scope is None:
        with Database(Path(os.environ["TUOPIN_DB"])) as db:
            scope = db.query("regions").code.iloc[0]
    store = Store(Path(os.environ["TUOPIN_ACCOUNTS"]))
    if username not in {a.username for a in store.accounts()}:
        store.add(username, "test-password-" + username, role, scope)
    now = dt.datetime.now()
    at.session_state["_account"] = Account(username, role, scope)
    at.session_state["_signed_in_at"] = now
    at.session_state["_last_seen"] = now
    return at


@contextmanager
def streamlit_server(env: dict[str, str], *, timeout: float = 90):
    """A real `streamlit run dashboard.py` on a free port with `env` added; yields its URL and stops it
    afterwards. Its output is kept and shown if it fails to start."""
    import os
    import socket
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=root, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start:\n{log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def sample_params(name: str, values: dict | None = None) -> dict:
    """Valid parameters for a catalog query (besides region/village): by default dates and a year the
    tiny fixture holds (tests/fixtures/tiny), the first allowed value of a choice (村 for a level)."""
    from queries import catalog

    query = catalog()[name]
    values = values or {"as_of": "2019-12-31", "start": "2018-01-01", "end": "2019-12-31", "year": 2018}
    params = {}
    for param in query.params:
        if param.name in values:
            params[param.name] = values[param.name]
        elif param.allowed:
            params[param.name] = param.allowed[0] if param.name != "level" else "村"
    return params
