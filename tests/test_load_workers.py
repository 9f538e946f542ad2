"""Several server processes behind nginx (scripts/serve.py, `scripts/serve.sh --workers N`): a few users
click through two workers while imports replace the database — no errors, no run mixing two
generations of the data — and every browser keeps its worker (sticky cookie).

The machinery is bench/load_test.py (real websocket sessions speaking Streamlit's protocol, the two
variants of the tiny fixture county, imports by the etl CLI in a separate process); kept small
(about 30–60 s) for CI. Needs Debian's nginx (scripts/test.sh installs it).
"""

from __future__ import annotations

import urllib.request

import pytest

from bench import load_test
from scripts.serve import nginx_path

pytestmark = pytest.mark.skipif(nginx_path() is None,
                                reason="nginx is not installed (apt-get install nginx; scripts/test.sh does)")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workers")
    setup = load_test.prepare(folder)
    server = load_test.start_cluster(setup.db, setup.accounts, folder, workers=2)
    yield setup, server
    server.stop()


def access_log(server) -> list[tuple[str, str, str, str]]:
    """nginx's record of every request: (sticky cookie value, worker address, status, path)."""
    lines = (server.cluster.run_dir / "nginx-access.log").read_text().splitlines()
    return [tuple(line.split(" ", 3)) for line in lines if line.count(" ") >= 3]


def test_a_browser_gets_a_sticky_cookie_and_keeps_its_worker(cluster):
    _, server = cluster
    with urllib.request.urlopen(server.url + "/") as response:
        cookies = response.headers.get_all("Set-Cookie")
    sticky = next(c.split(";")[0] for c in cookies if c.startswith("tuopin_worker="))
    value = sticky.split("=", 1)[1]
    assert len(value) == 32  # nginx's $request_id: 32 hex digits
    for _ in range(6):
        request = urllib.request.Request(server.url + "/_stcore/health", headers={"Cookie": sticky})
        with urllib.request.urlopen(request) as response:
            assert response.read() == b"ok"
    workers = {worker for cookie, worker, _, _ in access_log(server) if cookie == value}
    assert len(workers) == 1 and workers <= {f"127.0.0.1:{p}" for p in server.cluster.worker_ports}


@pytest.mark.slow  # about a minute; CI (scripts/test.sh) runs every test, slow ones included
def test_users_on_two_workers_while_imports_replace_the_database(cluster):
    setup, server = cluster
    users, clicks = 4, 2
    results = load_test.Scenario(setup, server.url, users=users, clicks=clicks, think=0.3, timeout=150,
                                 min_imports=1, seed=11).run(server.pids)
    figures = load_test.report(results, server.tracebacks())
    load_test.print_report(figures, results, server.tracebacks())  # shown with pytest -s or on failure

    assert results.errors == [] and results.import_failures == [] and server.tracebacks() == []
    assert results.imports >= 1
    assert results.violations == [] and results.stale == [] and results.unmarked == []
    assert len(results.interactions) >= users * (clicks + 3)  # open, sign in, clicks, one after the imports
    assert results.final_variant in results.seen  # every session saw the last import's data at the end
    # every session's websocket went to the worker its cookie names, like every other request of it
    by_cookie: dict[str, set[str]] = {}
    for cookie, worker, _status, _path in access_log(server):
        by_cookie.setdefault(cookie, set()).add(worker)
    streams = [cookie for cookie, _, _, path in access_log(server) if path == "/_stcore/stream"]
    assert len(streams) >= users and all(len(by_cookie[c]) == 1 for c in streams)
