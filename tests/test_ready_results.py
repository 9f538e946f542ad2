"""Views computed ahead (queries/ready.py): what the dashboard was asked for is computed by the next
import into the file it builds, and read back by the dashboard instead of computed — the very rows a
computation on that file gives, for every catalog query and two accounts' scopes; never results of
other query code, never personal data, never past a scope; a damaged asked file never fails an import."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time

import duckdb
import pandas as pd
import pytest

from etl.load import load_package
from queries import Database, Scope, ScopeError, catalog, ready
from tests.conftest import DEPARTMENTS, TINY
from tests.support import sample_params
from ui import data

# (package, the county, one township, a village of it, dates and a year the package holds)
PACKAGES = {
    "tiny": (TINY, "430101000000", "430101100000", "430101100001",
             {"as_of": "2019-12-31", "start": "2018-01-01", "end": "2019-12-31", "year": 2018}),
    "departments": (DEPARTMENTS, "532999000000", "532999100000", "532999100001",
                    {"as_of": "2025-06-30", "start": "2024-01-01", "end": "2025-06-30", "year": 2024}),
}


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A database file the dashboard's data layer serves (TUOPIN_DB), loaded by the real loader."""
    db = tmp_path / "tuopin.duckdb"
    monkeypatch.setenv("TUOPIN_DB", str(db))
    data.clear_shared_results()
    yield db
    data.clear_shared_results()


def ask_everything(scopes, village: str, dates: dict) -> list[tuple[str, dict, Scope]]:
    """Every catalog query the scopes may run, through the dashboard's door (ui/data.run): what a day of
    users might have asked for."""
    asked = []
    for scope in scopes:
        for name, query in sorted(catalog().items()):
            params = sample_params(name, dates)
            if any(p.name == "village" for p in query.params):
                params["village"] = village
            try:
                data.run(name, params, scope)
            except ScopeError:  # personal data for a masked scope, a query outside any region
                continue
            asked.append((name, params, scope))
    return asked


def current_ready() -> ready.Ready:
    version = data.db_version()
    return data._ready(version, data._database(version))


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_query_asked_for_is_computed_ahead_by_the_next_import_and_reads_back_the_same(served, package):
    source, county, township, village, dates = PACKAGES[package]
    first = load_package(source, served)
    with Database(served) as database:
        landing = set(ready.landing_keys(database))
    # nothing asked for yet: the landing views only
    assert first.ready.asked == first.ready.landing == first.ready.stored == len(landing) > 20
    scopes = (Scope(county), Scope(township))
    asked = ask_everything(scopes, village, dates)
    assert len(asked) > 60
    written = data.asked().write(ready.asked_folder(served))
    assert written is not None and written.stat().st_mode & 0o777 == 0o600

    second = load_package(source, served)  # the next import: a new generation of the file
    keys = {ready.key_text(name, data._database(data.db_version()).scoped_params(name, scope, **params), True)
            for name, params, scope in asked}
    assert (second.ready.asked, second.ready.stored, second.ready.skipped) == (len(keys | landing),) * 2 + (0,)

    data.clear_shared_results()  # a dashboard process meeting the new file with nothing in memory
    with Database(served) as fresh:
        for name, params, scope in asked:
            served_rows = data.run(name, params, scope)
            computed = fresh.query(name, scope=scope, **params)
            pd.testing.assert_frame_equal(served_rows, computed, check_exact=True, obj=f"{name} {params} {scope}")
    assert current_ready().hits == len(keys)  # every one read, none computed (a repeat is shared in memory)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_import_computes_the_views_people_land_on_when_they_sign_in(served, package, tmp_path, monkeypatch):
    """With nothing asked for yet, the first sign-ins of a leader and a township's staff (the real form,
    then the overview at the default view) read every query of their first page from the file: the
    overview's declaration (queries/landing.py) is the page's. Every landing view reads back the rows a
    computation gives, under the key with a scope and the one without."""
    from streamlit.testing.v1 import AppTest

    from access import Store
    from tests.conftest import ROOT
    from tests.support import navigation_apptest_patch

    source, county, township, _, _ = PACKAGES[package]
    report = load_package(source, served).ready
    assert report.stored == report.landing > 20 and not report.out_of_time
    with Database(served) as database:
        landing = ready.landing_keys(database)
        for text in landing:  # computed once for both keys of the same values: the same rows
            name, values, _scoped = ready.parse_key(text)
            pd.testing.assert_frame_equal(ready.Ready(database).get(text), database.query(name, **values),
                                          check_exact=True, obj=text)
    monkeypatch.setenv("TUOPIN_ACCOUNTS", str(tmp_path / "accounts.sqlite"))
    store = Store(tmp_path / "accounts.sqlite")
    store.add("leader", "correct horse battery", "leader", county)
    store.add("staff", "correct horse battery", "township", township)
    data.clear_shared_results()
    with navigation_apptest_patch():
        for username in ("leader", "staff"):
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
            at.text_input(key="signin_username").input(username)
            at.text_input(key="signin_password").input("correct horse battery")
            at = at.button[0].click().run()
            assert not at.exception and len(at.metric) >= 8  # the overview's tiles and flags
    asked = set(data.asked().asked)
    assert asked and asked <= set(landing), sorted(asked - set(landing))
    assert any('"' + township + '"' in text for text in asked)  # the township's own overview among them
    assert current_ready().hits == len(asked)  # every query of both first pages read, none computed


def test_results_of_other_query_code_are_never_read(served):
    source, county, _, village, dates = PACKAGES["tiny"]
    load_package(source, served)
    data.run("registry_summary", {"as_of": "2019-12-31"}, Scope(county))
    data.asked().write(ready.asked_folder(served))
    load_package(source, served)
    with duckdb.connect(str(served)) as con:  # as if another version of the queries had computed them
        con.execute("update ready_results set frame = (select frame from ready_results limit 1), catalog = 'older'")
    os.utime(served, ns=(0, os.stat(served).st_mtime_ns + 1000))
    ready.seal(served, ready.asked_folder(served))  # sealed as it is now: only the catalog tells them apart
    data.clear_shared_results()
    rows = data.run("registry_summary", {"as_of": "2019-12-31"}, Scope(county))
    assert (rows.households_registered.iloc[0], rows.people_registered.iloc[0]) == (4, 10)
    assert current_ready().hits == 0 and current_ready().keys == frozenset()


def test_a_scope_is_checked_before_a_result_computed_ahead_is_read(served):
    source, county, township, _, dates = PACKAGES["tiny"]
    other = "430101200000"  # 乙镇
    load_package(source, served)
    data.run("registry_summary", {"as_of": "2019-12-31", "region": other}, Scope(county))
    data.asked().write(ready.asked_folder(served))
    load_package(source, served)
    data.clear_shared_results()
    with pytest.raises(ScopeError):
        data.run("registry_summary", {"as_of": "2019-12-31", "region": other}, Scope(township))
    assert current_ready().hits == 0
    leader = data.run("registry_summary", {"as_of": "2019-12-31", "region": other}, Scope(county))
    assert (leader.households_registered.iloc[0], current_ready().hits) == (1, 1)  # 乙镇 1户2人


def test_personal_data_is_neither_counted_nor_stored(served, tmp_path):
    source, county, _, village, dates = PACKAGES["tiny"]
    load_package(source, served)
    personal = sorted(name for name, query in catalog().items() if query.personal)
    assert personal
    for name in personal:
        params = sample_params(name, dates)
        if any(p.name == "village" for p in catalog()[name].params):
            params["village"] = village
        data.run(name, params, Scope(county, personal=True))
    assert not data.asked().asked
    # a key for personal data written into an asked file by hand is refused by the import
    folder = ready.asked_folder(served)
    values = Database(served).scoped_params(personal[0], Scope(county, personal=True),
                                            **sample_params(personal[0], dates) | (
                                                {"village": village} if "village" in
                                                {p.name for p in catalog()[personal[0]].params} else {}))
    (folder / "asked-1.json").write_text(json.dumps({"asked": [[ready.key_text(personal[0], values, True), time.time()]]}))
    report = load_package(source, served).ready
    assert (report.asked - report.landing, report.stored - report.landing, report.skipped) == (1, 0, 1)
    with duckdb.connect(str(served), read_only=True) as con:
        stored = {q for (q,) in con.execute("select query from ready_results").fetchall()}
    assert stored and not stored & set(personal)


def test_a_damaged_or_hostile_asked_file_never_fails_an_import(served):
    source, county, _, _, dates = PACKAGES["tiny"]
    load_package(source, served)
    data.run("registry_summary", {"as_of": "2019-12-31"}, Scope(county))
    good = data.asked().write(ready.asked_folder(served))
    folder = good.parent
    now = time.time()
    (folder / "asked-2.json").write_text('{"asked": [["registry_summ')  # cut short
    (folder / "asked-3.json").write_bytes(os.urandom(300))
    hostile = [
        ['["no_such_query",[],true]', now],
        ['["registry_summary",[["as_of",{"date":"not a date"}]],true]', now],
        ['["registry_summary",[["as_of","2019-12-31"],["x; drop table regions",1]],true]', now],
        ['["registry_summary",[["as_of",{"date":"2019-12-31"}],["region","\' or 1=1 --"]],true]', now],
        [["not", "a", "key"], now],
        ['["registry_summary",[],true]', -3],
        ['["registry_summary",[],true]', "soon"],
        ['{"a": 1}', now],
    ]
    (folder / "asked-4.json").write_text(json.dumps({"asked": hostile}))
    result = load_package(source, served)
    assert result.ready.stored == result.ready.landing + 1  # the landing views and the good file's one key
    assert result.ready.skipped >= 4
    with duckdb.connect(str(served), read_only=True) as con:
        assert con.execute("select count(*) from regions").fetchone()[0] > 0
        stored = [q for (q,) in con.execute("select query from ready_results").fetchall()]
    with Database(served) as database:
        landing = {ready.parse_key(text)[0] for text in ready.landing_keys(database)}
    assert stored.count("registry_summary") == 1 and "registry_summary" not in landing


def test_an_unexpected_error_while_checking_a_key_skips_it_and_never_fails_the_import(served, monkeypatch):
    """The checks before a key is computed (its region still in the data, …) are optional work as much
    as the query: whatever they raise skips the key, alone or in a batch of dates."""
    source, county, _, _, _dates = PACKAGES["tiny"]
    load_package(source, served)

    def broken(_database, _code):
        raise RuntimeError("the region lookup broke")

    monkeypatch.setattr(ready, "_has_region", broken)
    result = load_package(source, served)
    assert result.ready.asked > 0 and result.ready.skipped > 0
    assert any("RuntimeError: the region lookup broke" in reason for reason in result.ready.reasons)
    with duckdb.connect(str(served), read_only=True) as con:
        assert con.execute("select count(*) from regions").fetchone()[0] > 0


def test_a_budget_of_none_computes_nothing_and_an_older_file_has_nothing_ahead(served, tmp_path):
    source, county, _, _, _ = PACKAGES["tiny"]
    load_package(source, served)
    data.run("registry_summary", {"as_of": "2019-12-31"}, Scope(county))
    data.asked().write(ready.asked_folder(served))
    assert load_package(source, served, ready_seconds=0).ready.stored == 0
    # out of time: what is left is left, and the report says so
    keys = ready.read_asked(ready.asked_folder(served))
    assert len(keys) == 1
    copy = tmp_path / "copy.duckdb"
    shutil.copy(served, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("drop table ready_results")
    report = ready.compute_ahead(copy, keys * 3, budget=-1)
    assert (report.stored, report.out_of_time) == (0, True)
    # a file built before results were computed ahead (no ready_results table) is served as ever
    older = tmp_path / "older.duckdb"
    shutil.copy(served, older)
    with duckdb.connect(str(older)) as con:
        con.execute("drop table ready_results")
    with Database(older) as database:
        assert ready.Ready(database).keys == frozenset()


def test_keys_read_back_their_values():
    import datetime as dt

    values = {"as_of": dt.date(2019, 12, 31), "rate": 0.1, "year": 2018, "region": "430101", "flag": True,
              "none": None}
    text = ready.key_text("q", values, True)
    assert ready.parse_key(text) == ("q", values, True)
    assert ready.key_text("q", {"x": object()}, True) is None
    with pytest.raises(ValueError):
        ready.parse_key('["q",[["as_of",{"date":"2019-13-01"}]],true]')


def test_the_most_recently_asked_for_come_first_over_every_workers_file(tmp_path):
    import datetime as dt

    folder = tmp_path / ".tuopin-serving"
    folder.mkdir()
    keys = [ready.key_text("registry_summary", {"as_of": dt.date(2019, 12, 31), "region": code}, True)
            for code in ("a", "b", "c", "d")]
    now = time.time()
    # two workers' files: worker 1 asked a, b; worker 2 asked c, then a again most recently of all
    (folder / "asked-1.json").write_text(json.dumps({"asked": [[keys[1], now - 20], [keys[0], now - 30]]}))
    (folder / "asked-2.json").write_text(json.dumps({"asked": [[keys[0], now - 1], [keys[2], now - 10]]}))
    old = folder / "asked-3.json"  # a worker of long ago: its file is ignored and removed
    old.write_text(json.dumps({"asked": [[keys[3], now - 40 * 86400]]}))
    os.utime(old, (now - 40 * 86400, now - 40 * 86400))
    assert ready.read_asked(folder) == [keys[0], keys[2], keys[1]]
    assert not old.exists()
    assert ready.read_asked(folder, max_keys=2) == [keys[0], keys[2]]
    # one process keeps its most recent keys only, newest first in its file
    asked = ready.Asked(write_every=3600, max_keys=2)
    for code in ("a", "b", "c", "b"):
        asked.note("registry_summary", {"as_of": dt.date(2019, 12, 31), "region": code}, True, folder)
    written = json.loads(asked.write(folder).read_text())["asked"]
    assert [text for text, _ in written] == [keys[1], keys[2]]
    # a write that fell due while noting leaves nothing out of a write asked for just after it
    due = ready.Asked(write_every=0)
    assert due.write(folder) is None  # nothing asked for yet
    due.note("registry_summary", {"as_of": dt.date(2019, 12, 31), "region": "a"}, True, folder)
    again = due.write(folder)
    assert again == folder / f"asked-{os.getpid()}.json"
    assert [text for text, _ in json.loads(again.read_text())["asked"]] == [keys[0]]


def test_results_read_back_the_same_all_at_once_or_one_by_one(served, monkeypatch):
    """Ready reads every stored result in one statement, or each when asked for where together they are
    over PRELOAD_BYTES: the same rows either way, and a key it does not hold is None."""
    source = PACKAGES["departments"][0]
    load_package(source, served)
    with Database(served) as database:
        at_once = ready.Ready(database)
        monkeypatch.setattr(ready.Ready, "PRELOAD_BYTES", 0)
        one_by_one = ready.Ready(database)
        assert at_once._preload and not one_by_one._preload
        assert at_once.keys == one_by_one.keys and len(at_once.keys) > 20
        for text in sorted(at_once.keys):
            pd.testing.assert_frame_equal(at_once.get(text), one_by_one.get(text), check_exact=True, obj=text)
        assert at_once.hits == one_by_one.hits == len(at_once.keys)
        missing = ready.key_text("registry_summary", {"region": "none such"}, True)
        assert at_once.get(missing) is None and one_by_one.get(missing) is None


def test_a_file_changed_in_place_after_its_import_has_its_results_computed_not_read(served):
    """Results are read only from the file state the import sealed: a table changed by hand afterwards
    (a repair, damage, a copy) shows its own rows, not what was computed before the change."""
    source, county, _, _, _ = PACKAGES["tiny"]
    load_package(source, served)
    with Database(served) as database:
        name, values, _ = next(ready.parse_key(text) for text in ready.landing_keys(database)
                               if text.startswith('["registry_change"'))
    version = data.db_version()
    assert ready.is_sealed(served, version.inode, version.mtime_ns)
    assert data.run(name, values, Scope(county)).region_name.iloc[0] == "小试县"
    assert current_ready().hits == 1  # read from the file
    with duckdb.connect(str(served)) as con:
        con.execute("update regions set name = '改过的县' where code = ?", [county])
    version = data.db_version()
    assert not ready.is_sealed(served, version.inode, version.mtime_ns)
    assert data.run(name, values, Scope(county)).region_name.iloc[0] == "改过的县"  # computed from the table
    assert current_ready().keys == frozenset() and current_ready().hits == 0


def test_the_dates_of_one_view_are_computed_ahead_in_one_statement_and_read_back_the_same(served, monkeypatch):
    """Views asked for at several quarter ends (a leader stepping through the year, sessions at different
    dates) are computed by the import for all their dates in one statement each (queries.run_query_rows,
    ready.BATCHED_QUERIES): each date's stored rows are those of the query asked for that date alone."""
    import queries
    from queries import landing

    source, county, township, _, _ = PACKAGES["tiny"]
    load_package(source, served)
    days = [*landing.quarter_ends_of_year(2018), *landing.quarter_ends_of_year(2019)]
    asked = [(name, {"as_of": day, **extra}, scope)
             for scope in (Scope(county), Scope(township)) for day in days
             for name, extra in (("registry_summary", {}), ("village_exit_check", {"rules": "national"}),
                                 ("registry_change", {"previous": landing.previous_quarter_end(day)}),
                                 ("funds_schedule", {"year": day.year}))]
    for name, params, scope in asked:
        data.run(name, params, scope)
    data.asked().write(ready.asked_folder(served))
    statements = []
    real = queries.run_query_rows
    monkeypatch.setattr(queries, "run_query_rows", lambda connection, name, rows, **k: (
        statements.append((name, len(rows))) or real(connection, name, rows, **k)))
    report = load_package(source, served).ready
    assert report.skipped == 0 and not report.out_of_time
    # four queries × two regions, eight dates each: one statement each (a view at its landing date may be
    # among the landing views, computed first on its own)
    assert len(statements) == 8 and all(rows >= 7 for _, rows in statements), statements
    with Database(served) as database:
        stored = ready.Ready(database)
        for name, params, scope in asked:
            text = ready.key_text(name, database.scoped_params(name, scope, **params), True)
            pd.testing.assert_frame_equal(stored.get(text), database.query(name, scope=scope, **params),
                                          check_exact=True, obj=f"{name} {params} {scope}")


def test_which_keys_go_together(tiny, monkeypatch):
    def key(name, **values):
        return ready.key_text(name, tiny.scoped_params(name, None, **values), True)

    q1, q2 = dt.date(2019, 3, 31), dt.date(2019, 6, 30)
    groups = [[key("registry_summary", as_of=q1, region="430101100000")],
              [key("registry_summary", as_of=q1)],  # another region: another view
              [key("household_exit_check", as_of=q1, year=2019)],  # not batched: costlier together
              [key("registry_summary", as_of=q2, region="430101100000")],
              [key("registry_summary", as_of=q2)],
              ["not a key"]]
    assert ready._batches(groups, tiny) == [[groups[0], groups[3]], [groups[1], groups[4]], [groups[2]], [groups[5]]]
    monkeypatch.setattr(ready, "BATCH_ROWS", 1)
    assert ready._batches(groups, tiny) == [[g] for g in groups]
    monkeypatch.setattr(ready, "BATCH_ROWS", 16)
    monkeypatch.setattr(ready, "BATCH_MAX_REGISTRY", 5)  # the tiny county holds more person spans than that
    assert ready._batches(groups, tiny) == [[g] for g in groups]
