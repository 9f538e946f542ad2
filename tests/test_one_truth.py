"""One truth per figure: every figure and label is defined once, in SQL (queries/*.sql), and the
pages, the report and the command line read the same definition (README, Layering)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from contextlib import nullcontext

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from queries import Database, landing
from tests.conftest import ROOT

COUNTY = "430101000000"  # the tiny package's county (小试县)
DEMO_COUNTY = "439901000000"  # 演示省 > 演示市 > 演示县: the package's top is the province


def cli(*args, db):
    return subprocess.run([sys.executable, "-m", "queries", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_command_line_answers_for_the_region_the_dashboard_opens_on(demo_db_path, monkeypatch,
                                                                        navigation_apptest):
    # The demo's top is 演示省 with one 市 holding one 县: the dashboard opens on the county, and so
    # does `python -m queries registry_summary` without --region (it answered for the province).
    with Database(demo_db_path) as db:
        assert db.default_region() == DEMO_COUNTY
        assert db.query("regions").code.iloc[0] == "430000000000"  # the tree itself still starts at the top
        county = db.query("registry_summary", as_of="2020-12-31", region=DEMO_COUNTY).iloc[0]
    result = cli("registry_summary", "--as_of", "2020-12-31", "--format", "json", db=demo_db_path)
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["region_code"] == DEMO_COUNTY and row["region_name"] == "演示县（演示数据）"
    assert (row["households_registered"], row["people_poor"]) == (county.households_registered, county.people_poor)
    named = json.loads(cli("registry_summary", "--as_of", "2020-12-31", "--region", "430000000000",
                           "--format", "json", db=demo_db_path).stdout)
    assert named[0]["region_code"] == "430000000000"  # a region named is answered as named

    monkeypatch.setenv("TUOPIN_DB", str(demo_db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    assert at.session_state["_filters"].region == DEMO_COUNTY


# ---- a page only chooses a query, filters rows and draws ------------------------------------------

FIGURE_MODULES = sorted((ROOT / "pages").glob("*.py")) + [
    ROOT / "ui" / name for name in ("report.py", "village_exit.py", "household_risks.py", "progress.py")]
# pandas / numpy reductions and reshapes that work out a figure from rows
AGGREGATIONS = frozenset({
    "groupby", "sum", "value_counts", "mean", "median", "agg", "aggregate", "pivot", "pivot_table", "cumsum",
    "cumprod", "size", "count", "nunique", "diff", "pct_change", "resample", "crosstab", "describe", "prod",
    "std", "var", "all", "any", "max", "min", "idxmax", "idxmin", "clip", "explode"})


def figure_computations(source: str) -> list[str]:
    """Where a module works out a figure itself: a call of an aggregation (AGGREGATIONS) on anything,
    or + / − between two values read from results (an attribute or item on both sides, as in
    `now.households - before.households`). Scaling a value for display (× 100 for a percent axis,
    ÷ 10,000 for 万元), counting the rows a filter kept (len) and joining words are not figures."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in AGGREGATIONS:
            found.append(f"line {node.lineno}: .{node.func.attr}() in {ast.unparse(node)[:80]}")
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))
              and all(isinstance(side, (ast.Attribute, ast.Subscript)) for side in (node.left, node.right))):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_no_page_works_out_a_figure():
    """The rule: every figure is worked out in a catalog query (queries/*.sql). A page, and the ui
    modules that word a page's or the report's figures, choose a query, filter and sort its rows,
    count the rows they kept, format and scale values for display, and draw. They do not aggregate
    rows (groupby, sum, value_counts, mean, max, all, …) nor add or subtract values read from query
    results. A figure that needs it gets a column or a query (is_failing_not_exited, is_due,
    village_exit_failures, flows_reconciliation, registry_change, household_exit_risks_by)."""
    offences = {path.relative_to(ROOT).as_posix(): figure_computations(path.read_text(encoding="utf-8"))
                for path in FIGURE_MODULES}
    assert {path: found for path, found in offences.items() if found} == {}


def test_the_rule_catches_what_the_pages_did():
    # what pages/overview.py, pages/village_exit.py and pages/dynamics.py did before the figures moved
    assert figure_computations('failing = (~checks.overall_pass.fillna(False)).sum()')
    assert figure_computations('delta = signed(now["households_poor"] - before["households_poor"])')
    assert figure_computations('people = risks["size"].sum()')
    assert figure_computations('tally = risks.groupby("village_code").size()')
    assert figure_computations('ok = (table.check == "✓").all()')
    assert not figure_computations('shown = checks[checks.is_failing_not_exited]; n = len(shown)')
    assert not figure_computations('y = trend.incidence * 100; wan = funds.allocated / 10_000')


# ---- one definition per figure ----------------------------------------------------------------------

def test_every_query_read_by_another_gets_every_parameter(tiny):
    """A query worked out from another (`-- reads:`) hands it all its parameters: one it did not would
    run at its default (today, the top) and the two figures would part."""
    from queries import catalog

    for query in catalog().values():
        for read in query.reads:
            source = catalog()[read.name]
            fed = read.params(source, query)
            assert set(fed) | set(dict(read.fixed)) == {p.name for p in source.params}, (query.name, read.name)


def test_failing_villages_have_two_names_and_both_are_right(demo_db_path, tiny):
    # Demo county at 2020-12-31 under the hunan preset: 石山村 and 竹峰村 fail and have not exited; 马峰村
    # fails too but exited (出列) before the date. 总览 counts the villages still to bring up to the
    # standard (2), 出列核查 every poor village failing it (3) — under two names saying so.
    with Database(demo_db_path) as db:
        checks = db.query("village_exit_check", as_of="2020-12-31", rules="hunan", region=DEMO_COUNTY)
    assert sorted(checks[checks.is_failing].village_name) == ["石山村", "竹峰村", "马峰村"]
    assert sorted(checks[checks.is_failing_not_exited].village_name) == ["石山村", "竹峰村"]
    assert checks.overall_pass.notna().all() and checks.overall_pass.dtype == bool
    assert (checks.is_failing == ~checks.overall_pass).all()
    assert (checks.is_exited == checks.exited_on.notna()).all()

    from ui.i18n import STRINGS

    overview, village_exit = STRINGS["flag_villages_failing"], STRINGS["ve_tile_failing"]
    assert overview[0] == "未出列且未达标的贫困村" and village_exit[0] == "未达标的贫困村（含已出列）"
    assert overview[1] != village_exit[1]


def test_failing_villages_on_both_pages(tiny_db_path, monkeypatch, navigation_apptest):
    # tiny at 2018-12-31 under henan (tests/test_page_village_exit.py): 一村 (not exited until 2019-12-20)
    # lacks broadband and a culture centre, 三村 fails four criteria → the exit check counts 2, both not
    # exited; at 2019-12-31 一村 has exited: the exit check still counts it (2), the overview does not (1)
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.selectbox(key="rules").set_value("henan").run()
    assert not at.exception
    overview = {m.label: m.value for m in at.metric}
    assert overview["未出列且未达标的贫困村"] == "1个"
    at.switch_page("pages/village_exit.py").run()
    assert not at.exception
    shown = {m.label: (m.value, m.delta) for m in at.metric}
    assert shown["未达标的贫困村（含已出列）"] == ("2个", "其中未出列1个")


def test_failures_by_criterion_are_one_query(tiny):
    # tiny at 2019-12-31 under hunan: 三村 fails collective income and the clinic; 一村 passes
    frame = tiny.query("village_exit_failures", as_of="2019-12-31", rules="hunan")
    assert list(frame.criterion) == ["incidence", "collective_income", "paved_road", "power", "safe_water", "clinic"]
    assert dict(zip(frame.criterion, frame.villages_not_met, strict=True)) == {
        "incidence": 0, "collective_income": 1, "paved_road": 0, "power": 0, "safe_water": 0, "clinic": 1}
    assert frame.villages_no_data.tolist() == [0] * 6
    only_jia = tiny.query("village_exit_failures", as_of="2019-12-31", rules="hunan", townships="甲乡")
    assert only_jia.villages_not_met.tolist() == [0] * 6  # 甲乡's one poor village, 一村, passes


def test_one_reconciliation_for_dynamics_overview_and_data_quality(tiny):
    # EXPECTED.md, flows 2018: registry 5户11人 − 自然销户 1户1人 − 自然减少 1人 = 4户9人; still poor 3户5人
    # + 返贫 1户2人 − 自然销户 1户1人 − 标注脱贫 1户2人 − 自然减少 1人 = 2户3人
    frame = tiny.query("flows_reconciliation", start="2018-01-01", end="2018-12-31")
    assert [tuple(row) for row in frame[["stock", "unit", "opening", "inflow", "outflow", "computed", "closing",
                                         "change", "is_reconciled"]].itertuples(index=False)] == [
        ("registry", "households", 5, 0, 1, 4, 4, -1, True),
        ("registry", "people", 11, 0, 2, 9, 9, -2, True),
        ("poor", "households", 3, 1, 2, 2, 2, -1, True),
        ("poor", "people", 5, 2, 4, 3, 3, -2, True),
    ]
    assert frame.all_reconciled.all()
    for page in ("dynamics.py", "data_quality.py"):
        source = (ROOT / "pages" / page).read_text(encoding="utf-8")
        assert '"flows_reconciliation"' in source, page
    # the overview asks the queries declared for it (queries/landing.py), its reconciliation flag among them
    ask = ask_overview_of(tiny)
    assert ask.asks["reconciliation"] == ("flows_reconciliation", dict(
        start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31), region=COUNTY))
    assert ask("reconciliation").all_reconciled.all()
    assert 'ask("reconciliation")' in (ROOT / "pages" / "overview.py").read_text(encoding="utf-8")


def ask_overview_of(db: Database, as_of: dt.date = dt.date(2019, 12, 31)) -> landing.OverviewAsk:
    """The overview's queries at `as_of` for the package's top region (as the page asks them)."""
    top = db.query("default_region").iloc[0]
    span = db.query("data_span").iloc[0]
    return landing.OverviewAsk(landing.OverviewView(
        as_of=as_of, previous=landing.previous_quarter_end(as_of), region=top.region_code, region_level=top.level,
        rules="national", first_day=span.first_date.date(), last_quarter_end=landing.quarter_ends(span)[0],
        has_monitoring=bool(span.has_monitoring), warning_rule_set=None), db.query)


def test_the_overview_change_is_registry_change(tiny):
    # 2018-12-31 against 2018-09-30 (tests/test_dashboard.py): registered 4户9人 from 4户10人, still poor
    # 2户3人 from 3户6人, incidence 3/1620 from 6/1620
    row = tiny.query("registry_change", as_of="2018-12-31", previous="2018-09-30").iloc[0]
    assert (row.households_registered_change, row.people_registered_change) == (0, -1)
    assert (row.households_poor_change, row.people_poor_change) == (-1, -3)
    assert row.incidence_change == pytest.approx(-3 / 1620)
    assert (row.registered_unchanged, row.poor_unchanged, row.incidence_unchanged) == (False, False, False)
    same = tiny.query("registry_change", as_of="2019-12-31", previous="2019-09-30").iloc[0]
    assert (same.registered_unchanged, same.poor_unchanged, same.incidence_unchanged) == (True, True, True)


@pytest.mark.parametrize(("as_of", "previous"), [("2018-12-31", "2018-09-30"), ("2019-12-31", "2018-12-31"),
                                                 ("2016-06-30", "2020-12-31")])
def test_registry_change_carries_registry_summary_at_both_dates(tiny, as_of, previous):
    # the overview reads the tiles at both dates from registry_change: each figure is registry_summary's
    row = tiny.query("registry_change", as_of=as_of, previous=previous).iloc[0]
    now = tiny.query("registry_summary", as_of=as_of).iloc[0]
    before = tiny.query("registry_summary", as_of=previous).iloc[0]
    figures = [c for c in now.index if c not in ("region_code", "region_name")]
    assert len(figures) == 11
    for figure in figures:
        assert row[figure] == pytest.approx(now[figure], nan_ok=True), figure
        assert row[figure + "_previous"] == pytest.approx(before[figure], nan_ok=True), figure
    assert row.people_poor_change == now.people_poor - before.people_poor
    assert (row.region_code, row.region_name) == (now.region_code, now.region_name)


@pytest.mark.parametrize(("as_of", "previous", "region"), [
    ("2025-06-30", "2024-06-30", None), ("2022-06-30", "2022-03-31", None), ("2025-06-30", "2024-06-30", "532999200000"),
    ("2021-03-31", "2025-12-31", None), ("2022-06-30", "2020-12-31", "532999200000")])
def test_monitoring_change_carries_monitoring_summary_at_both_dates(monitoring, as_of, previous, region):
    # the overview and the monitoring page read the monitoring tiles at the date from monitoring_change: each
    # figure is monitoring_summary's, at both dates, and each change the difference of the two
    row = monitoring.query("monitoring_change", as_of=as_of, previous=previous, region=region).iloc[0]
    now = monitoring.query("monitoring_summary", as_of=as_of, region=region).iloc[0]
    before = monitoring.query("monitoring_summary", as_of=previous, region=region).iloc[0]
    figures = [c for c in now.index if c not in ("region_code", "region_name")]
    assert len(figures) == 9
    for figure in figures:
        assert row[figure] == pytest.approx(now[figure], nan_ok=True), figure
        assert row[figure + "_previous"] == pytest.approx(before[figure], nan_ok=True), figure
    for stock in ("identified", "at_risk", "cleared"):
        for unit in ("households", "people"):
            assert row[f"{unit}_{stock}_change"] == now[f"{unit}_{stock}"] - before[f"{unit}_{stock}"]
        assert row[f"{stock}_unchanged"] == (now[f"households_{stock}"] == before[f"households_{stock}"]
                                             and now[f"people_{stock}"] == before[f"people_{stock}"])
    assert row.clearance_rate_change == pytest.approx(now.clearance_rate - before.clearance_rate, nan_ok=True)
    assert (row.region_code, row.region_name) == (now.region_code, now.region_name)


def test_deadlines_are_due_by_the_query(demo_db_path):
    # the demo county's 2020 schedule (30% by 03-31, 60% by 06-30, 85% by 09-30, 100% by 12-31) at 2020-06-30
    with Database(demo_db_path) as db:
        frame = db.query("funds_schedule", year=2020, as_of="2020-06-30", region=DEMO_COUNTY)
    assert [(f"{d:%m-%d}", due) for d, due in zip(frame.deadline, frame.is_due, strict=True)] == [
        ("03-31", True), ("06-30", True), ("09-30", False), ("12-31", False)]
    for page in ("overview.py", "funds.py"):
        source = (ROOT / "pages" / page).read_text(encoding="utf-8")
        assert "is_due" in source and "deadline.dt.date <=" not in source, page


def test_the_map_reads_one_summary_per_level(tiny, demo_db_path):
    # tiny at 2019-12-31: 甲乡 holds one poor village, 一村, exited 2019-12-20; 乙镇 holds 三村, not exited
    frame = tiny.query("poverty_incidence", as_of="2019-12-31", level="乡镇").set_index("region_name")
    assert frame.loc["甲乡", ["poor_villages_total", "poor_villages_exited", "poor_villages_remaining"]].tolist() \
        == [1, 1, 0]
    assert frame.loc["乙镇", ["poor_villages_total", "poor_villages_exited", "poor_villages_remaining"]].tolist() \
        == [1, 0, 1]
    # the same counts registry_summary gives each township of the demo county (the map ran one per township)
    with Database(demo_db_path) as db:
        townships = db.query("poverty_incidence", as_of="2019-06-30", level="乡镇", region=DEMO_COUNTY)
        for row in townships.itertuples():
            alone = db.query("registry_summary", as_of="2019-06-30", region=row.region_code).iloc[0]
            assert (row.poor_villages_total, row.poor_villages_remaining, row.people_poor) == (
                alone.poor_villages_total, alone.poor_villages_remaining, alone.people_poor)
    assert "registry_summary" not in (ROOT / "pages" / "map.py").read_text(encoding="utf-8")


def test_the_exit_criteria_are_listed_once(tiny):
    from etl.load import EXIT_CRITERIA, THRESHOLD_CRITERIA
    from ui.household_risks import CRITERIA

    listed = tiny.query("exit_criteria")
    village = listed[listed.standard == "village"]
    assert tuple(village.criterion) == EXIT_CRITERIA
    assert tuple(village[village.needs_threshold].criterion) == THRESHOLD_CRITERIA == ("incidence", "collective_income")
    assert tuple(listed[listed.standard == "household"].criterion) == CRITERIA == (
        "income", "food_clothing", "education", "medical", "housing", "water")
    # nobody else spells the list out
    for path in [*FIGURE_MODULES, ROOT / "etl" / "load.py"]:
        assert '"broadband", "clinic", "culture_center"' not in path.read_text(encoding="utf-8"), path
        assert '"education", "medical", "housing"' not in path.read_text(encoding="utf-8"), path


def _quarter_ends(db: Database) -> list[dt.date]:
    span = db.query("data_span").iloc[0]
    ends = pd.date_range(span.first_date.date(), span.last_date.date() + pd.offsets.QuarterEnd(0), freq="QE")
    return [end.date() for end in ends]


@pytest.mark.parametrize("which", ["tiny", "demo"])
def test_one_trend_serves_every_quarter_end(which, tiny, demo_db_path):
    # the overview cuts the trend to the last quarter end at the date: the rows are the trend to that date's
    with Database(demo_db_path) if which == "demo" else nullcontext(tiny) as db:
        first, ends = db.query("data_span").iloc[0].first_date.date(), _quarter_ends(db)
        whole = db.query("incidence_trend", start=first, end=ends[-1], period="quarter")
        for end in ends[:: max(1, len(ends) // 6)] + ends[-2:]:
            direct = db.query("incidence_trend", start=first, end=end, period="quarter")
            cut = whole[whole.as_of <= pd.Timestamp(end)].reset_index(drop=True)
            assert len(direct) > 0
            pd.testing.assert_frame_equal(cut, direct)


@pytest.mark.parametrize("which", ["tiny", "demo"])
def test_one_quarterly_exits_query_serves_every_quarter_end(which, tiny, demo_db_path):
    # the overview reads every year's exits to the date (the chart and this year's tile) and the comparison
    # date's year's from every quarter's exits to the last quarter end (landing.every_years_exits): the same
    # rows as exits_by_period asked to that date, at every quarter end the picker offers, for the top and a
    # region below it; at another date, or before the data's first day, it asks exits_by_period itself
    with Database(demo_db_path) if which == "demo" else nullcontext(tiny) as db:
        span = db.query("data_span").iloc[0]
        first, ends = span.first_date.date(), _quarter_ends(db)
        tree = db.query("regions")
        for region in (None, str(tree[tree.parent_code == tree.code.iloc[0]].code.iloc[0])):
            cut = 0
            for end in [*ends, ends[-1] - dt.timedelta(days=40)]:
                view = landing.OverviewView(  # the date and the comparison date both `end`, for the test
                    as_of=end, previous=end, region=region or tree.code.iloc[0], region_level="县", rules="national",
                    first_day=first, last_quarter_end=ends[-1], has_monitoring=False, warning_rule_set=None)
                asked = []
                ask = landing.OverviewAsk(view, lambda name, asked=asked, **params: asked.append(params) or db.query(name, **params))
                every = landing.every_years_exits(ask)
                direct = db.query("exits_by_period", start=first, end=end, period="year", region=region)
                pd.testing.assert_frame_equal(every, direct, check_exact=True)
                that_year = landing.that_years_exits(ask)
                pd.testing.assert_frame_equal(that_year, db.query(
                    "exits_by_period", start=dt.date(end.year, 1, 1), end=end, period="year", region=region),
                    check_exact=True)
                quarterly = {"start": first, "end": ends[-1], "period": "quarter", "region": view.region}
                cut += view.exits_are_cut(end)
                assert all(params == quarterly for params in asked) == view.exits_are_cut(end), (end, asked)
            assert cut == len(ends)  # every quarter end the picker offers was read from the quarterly query
            before = dt.date(first.year - 1, 12, 31)  # a quarter end before the data begins: asked to the day
            assert not view.exits_are_cut(before) and view.exits_are_cut(ends[0])


@pytest.mark.parametrize("which", ["tiny", "demo"])
def test_the_years_exits_are_the_last_row_of_every_years(which, tiny, demo_db_path):
    # the overview's "exited this year" tile reads the chart's every-year query: its row of the date's year
    with Database(demo_db_path) if which == "demo" else nullcontext(tiny) as db:
        first, ends = db.query("data_span").iloc[0].first_date.date(), _quarter_ends(db)
        for end in ends[:: max(1, len(ends) // 8)] + [ends[-1], ends[-1] - dt.timedelta(days=40)]:
            every = db.query("exits_by_period", start=first, end=end, period="year")
            direct = db.query("exits_by_period", start=dt.date(end.year, 1, 1), end=end, period="year")
            assert len(direct) == 1
            pd.testing.assert_frame_equal(every[every.period.dt.year == end.year].reset_index(drop=True), direct,
                                          check_dtype=False)  # Int64 where another year has no plan
