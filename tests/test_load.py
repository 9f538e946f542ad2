"""Concurrent use and faults: 30 users on a real `streamlit run` while imports replace the
database, an import SIGKILLed midway while users are served, and 8 users on the demo county (half of
them township staff) while an import of its renamed variant swaps it.

The machinery is bench/load_test.py (which also prints the figures for a bigger run): real websocket
sessions speaking Streamlit's protocol, the two variants of the tiny fixture (A: 小试县 4户10人,
B: 新名县 5户11人) or of the demo county (演示县 / 新名县), imports by the etl CLI in a separate process.
See its docstring for what counts as an error and as a consistency violation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import load_test
from etl.load import WORK_PREFIX, load_package


def leftovers(setup: load_test.Setup) -> list[str]:
    return [p.name for p in setup.db.parent.iterdir() if p.name.startswith(WORK_PREFIX)]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("load")
    setup = load_test.prepare(folder)
    server = load_test.start_server(setup.db, setup.accounts, folder / "server.log", run_cpu_log=folder / "cpu.log")
    yield setup, server
    server.stop()


def figures_of(results, server, *, tracebacks_before: int = 0) -> dict:
    server_errors = server.tracebacks()[tracebacks_before:]
    figures = load_test.report(results, server_errors)
    load_test.print_report(figures, results, server_errors)  # shown with pytest -s or on failure
    return figures


def test_the_checker_flags_a_mixed_run():
    """The consistency check can fail: a run with A's county name and B's package, or a registered
    tile of neither variant, is caught."""
    figures = {"A": {"2019-12-31": "4户10人"}, "B": {"2019-12-31": "5户11人"}}
    run = load_test.Run(raw=["小试县 ›".encode(), b"/tmp/x/variant_B_package"])
    assert load_test.evidence(run, figures, None, False)[0] == {"A", "B"}
    escaped = load_test.Run(raw=[b'{"text": "\\u65b0\\u540d\\u53bf"}'], metrics=[("建档立卡（现有）", "4户10人")])
    assert load_test.evidence(escaped, figures, "2019-12-31", True)[0] == {"A", "B"}
    odd = load_test.Run(metrics=[("建档立卡（现有）", "4户11人")])
    assert load_test.evidence(odd, figures, "2019-12-31", True)[1]
    served = load_test.Timeline(first="A", imports=[(10.0, 12.0, "A", "B")])
    assert served.served_during(0, 5) == {"A"}
    assert served.served_during(11, 11.5) == {"A", "B"}
    assert served.served_during(13, 20) == {"B"}
    served.running = (15.0, "B", "A")  # an import under way may have swapped its file in already
    assert served.served_during(13, 20) == {"A", "B"} and served.served_during(13, 14) == {"B"}


def test_the_import_line_on_views_computed_ahead_is_read():
    """bench/load_test.computed_ahead reads the etl CLI's line (etl/__main__.py), out of time or not."""
    within = "预先计算 computed ahead 917 of 917 view(s) (the landing views' 320, then those asked for most recently), in 12.5 s"
    out = "预先计算 computed ahead 40 of 917 view(s) (the landing views' 320, then those asked for most recently), in 15.0 s（时间用完 out of time）"
    assert load_test.computed_ahead("导入成功 …\n" + within + "\n") == load_test.ComputedAhead(917, 917, 12.5, False)
    assert load_test.computed_ahead(out) == load_test.ComputedAhead(40, 917, 15.0, True)
    assert load_test.computed_ahead("导入成功 loaded 10 rows") is None


def test_the_server_runs_its_event_loop_on_uvloop(served):
    """requirements.txt installs uvloop, and Streamlit then runs its event loop on it (streamlit/web/
    bootstrap.py picks it when it can be imported): a run's messages wake the loop once per batch instead
    of one pipe write each (README, Benchmarks). Imported means loaded into the server process."""
    _setup, server = served
    maps = Path(f"/proc/{server.proc.pid}/maps").read_text()
    assert "/uvloop/loop." in maps


@pytest.mark.slow  # minutes, not seconds; CI (scripts/test.sh) runs every test, slow ones included
def test_thirty_users_click_through_while_imports_replace_the_database(served):
    setup, server = served
    users, clicks = 30, 3
    results = load_test.Scenario(setup, server.url, users=users, clicks=clicks, think=0.3, timeout=150,
                                 min_imports=2, seed=5).run(server.proc.pid)
    figures = figures_of(results, server)

    assert results.errors == [] and results.import_failures == []
    assert server.tracebacks() == []
    assert results.imports >= 2
    # every import said what it computed ahead (the etl CLI's line, read by the load test): the landing
    # views at least, within its time on this small county
    assert len(results.computed_ahead) == results.imports
    assert all(0 < a.stored <= a.asked and not a.out_of_time for a in results.computed_ahead)
    assert results.violations == [] and results.stale == []
    assert results.unmarked == []  # every page run showed whose data it was: the check saw everything
    # open + sign in + the clicks + one after the imports, per user (more clicks while imports were due)
    assert len(results.interactions) >= users * (clicks + 3)
    assert results.seen.get("A", 0) > 0 and results.seen.get("B", 0) > 0  # sessions saw the swaps
    assert results.tile_checks > 0
    assert figures["median ms"] is not None
    # every script run logged its page and CPU time (ui/run_cpu.py): at least one run per interaction
    from ui.navigation import PAGE_NAMES
    from ui.run_cpu import read

    runs = read(setup.folder / "cpu.log")
    assert len(runs) >= len(results.interactions)
    assert {run.page for run in runs} <= {"-", *PAGE_NAMES}
    assert "overview" in {run.page for run in runs}
    assert all(run.ms > 0 for run in runs)
    # each interaction's runs are found by its session: every interaction gets its CPU
    assert len({run.session for run in runs}) == users
    # and its queries: the imports computed ahead what the server had been asked for (queries/ready.py),
    # and the server read some of it back instead of computing it
    assert all(run.computed + run.ahead <= run.asked for run in runs)
    assert sum(run.computed for run in runs) > 0 and sum(run.ahead for run in runs) > 0
    results.run_cpu = runs
    per_interaction, unmatched = load_test.interaction_cpu(results)
    assert unmatched == 0 and len(per_interaction) == len(results.interactions)
    # 30 sessions, yet never more than the gate's runs at once in the server (ui/gate.py: each run logs
    # its span inside the gate), and the gate did let in that many: the runs were queued, not serialised
    from ui import gate
    from ui.run_cpu import most_at_once

    assert set(most_at_once(runs)) == {server.proc.pid}
    assert most_at_once(runs)[server.proc.pid] == gate.limit() == 2


@pytest.mark.slow
def test_an_import_killed_midway_leaves_the_old_database_serving(served):
    setup, server = served
    old = load_test.served_variant(setup.db)
    new = "B" if old == "A" else "A"
    inode = setup.db.stat().st_ino
    tracebacks_before = len(server.tracebacks())

    # 5 users click through while an import of the other variant is SIGKILLed midway
    results = load_test.Scenario(setup, server.url, users=5, clicks=4, think=0.3, timeout=150, min_imports=1,
                                 seed=7, imports="kill").run(server.proc.pid)
    figures_of(results, server, tracebacks_before=tracebacks_before)
    assert results.killed_imports == 1 and results.import_failures == []
    assert setup.db.stat().st_ino == inode  # the file was never replaced
    assert leftovers(setup)  # the killed import's work folder is still there
    assert results.errors == [] and server.tracebacks()[tracebacks_before:] == []
    assert results.violations == [] and results.stale == [] and results.unmarked == []
    assert set(results.seen) == {old}  # every run showed the old data

    # the next import removes the killed one's work folder, and the users get the new data
    load_package(setup.packages[new], setup.db)
    assert leftovers(setup) == []
    after = load_test.Scenario(setup, server.url, users=2, clicks=2, think=0.1, timeout=150, min_imports=0,
                               seed=9, imports="none").run()
    assert after.errors == [] and after.violations == [] and after.stale == []
    assert set(after.seen) == {new}


def test_the_demo_variants_differ_in_the_county_name_only(tmp_path):
    """The demo county's two variants (bench/load_test.py --county demo): B is A with the county renamed,
    every other file byte for byte the same, so the marks tell the variants apart and nothing else does."""
    county = load_test.COUNTIES["demo"]
    packages = load_test.write_variants(tmp_path, county)
    a, b = packages["A"], packages["B"]
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    changed = [p.name for p in a.iterdir() if p.read_bytes() != (b / p.name).read_bytes()]
    assert changed == ["区划.csv"]
    rows_a = (a / "区划.csv").read_text(encoding="utf-8-sig").splitlines()
    rows_b = (b / "区划.csv").read_text(encoding="utf-8-sig").splitlines()
    differing = [(x, y) for x, y in zip(rows_a, rows_b, strict=True) if x != y]
    assert len(differing) == 1 and differing[0][0].startswith(county.root)
    assert county.markers["A"][0] in differing[0][0] and county.markers["B"][0] in differing[0][1]
    assert county.markers["A"][0] not in "".join(rows_b)


@pytest.mark.slow  # about a minute: the demo county loaded three times
def test_users_on_the_demo_county_while_an_import_replaces_it(tmp_path):
    """The demo county (about 15,000 households): the county leader and township staff (every other
    user, each township's own account) click pages, dates and places while an import of the county's
    renamed variant swaps the file; no errors, no mixed runs, and everyone sees the last import."""
    setup = load_test.prepare(tmp_path, "demo")
    assert len(setup.townships) == 12  # etl/demo at scale 1
    server = load_test.start_server(setup.db, setup.accounts, tmp_path / "server.log")
    try:
        results = load_test.Scenario(setup, server.url, users=8, clicks=2, think=0.5, timeout=150,
                                     min_imports=1, seed=13, mixed=True).run(server.proc.pid)
        figures_of(results, server)
        assert results.errors == [] and results.import_failures == [] and server.tracebacks() == []
        assert results.imports >= 1
        assert results.violations == [] and results.stale == [] and results.unmarked == []
        assert results.seen.get("A", 0) > 0 and results.seen.get("B", 0) > 0
        assert results.tile_checks > 0
        # the township staff signed in and clicked too (users 2, 4, 6, 8), and their clicks were checked
        # (every one of their runs showed a variant's mark: results.unmarked is empty above)
        assert {i.user for i in results.interactions if i.label not in ("open", "sign in")} >= {2, 4, 6, 8}
    finally:
        server.stop()
