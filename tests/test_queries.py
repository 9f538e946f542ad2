"""The indicator queries against answers worked out by hand.

tiny: tests/fixtures/tiny/EXPECTED.md; villages_gap: tests/fixtures/villages_gap/EXPECTED.md;
township: tests/fixtures/township/EXPECTED.md. Every expected value below is a literal from those
files (or derived from their rows in the comment next to it), never read back from a query.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.load import load_package
from queries import QUERY_THREADS, Database, QueryError, bind, catalog, execute, used_params
from queries.__main__ import main as cli_main
from tests.conftest import FIXTURES

CATALOG = {
    "registry_summary", "registry_by_category", "registry_by_cause", "poverty_incidence", "incidence_trend",
    "flows", "exits_by_period", "funds_summary", "funds_by", "funds_schedule", "village_exit_check",
    "household_exit_check", "village_households",
}
REGISTRY = ["households_registered", "people_registered", "households_poor", "people_poor",
            "households_exited", "people_exited"]
ALL_CHECKS = ["income", "food_clothing", "education", "medical", "housing", "water"]

COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"  # 小试县, 甲乡, 乙镇
YICUN, ERCUN, SANCUN = "430101100001", "430101100002", "430101200001"  # 一村, 二村, 三村


@pytest.fixture(scope="module")
def gap(tmp_path_factory):
    db = tmp_path_factory.mktemp("villages_gap") / "gap.duckdb"
    load_package(FIXTURES / "villages_gap", db)
    with Database(db) as database:
        yield database


def plain(value):
    """One cell as a plain Python value: lists for lists, None for NULL, date for dates."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if isinstance(value, np.generic) else value


def rows(frame, columns=None) -> list[tuple]:
    """A frame as tuples of plain values, for comparison with literals."""
    frame = frame if columns is None else frame[columns]
    return [tuple(plain(v) for v in record) for record in frame.astype(object).itertuples(index=False)]


def lists(series) -> list[list[str]]:
    return [list(v) for v in series]


# --- catalog -------------------------------------------------------------------------------------

def test_each_query_runs_on_the_thread_that_asks_it(tiny_db_path, tmp_path):
    """The dashboard's file and an import's (read-write, computing ahead) both run a query on one thread:
    the parallelism is the sessions', and every connection to the file in the process shares it."""
    with Database(tiny_db_path) as db:
        assert QUERY_THREADS == 1
        assert db.connection.execute("select current_setting('threads')").fetchone()[0] == 1
        other = duckdb.connect(str(tiny_db_path), read_only=True)  # another door to the same file
        assert other.execute("select current_setting('threads')").fetchone()[0] == 1
        other.close()
        assert db.query("registry_summary", as_of=dt.date(2019, 12, 31)).households_registered.iloc[0] == 4
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(tiny_db_path.read_bytes())
    with Database(copy, read_only=False) as db:
        assert db.connection.execute("select current_setting('threads')").fetchone()[0] == 1


def test_catalog_headers_names_and_params():
    queries = catalog()
    assert CATALOG <= set(queries)
    for name, query in queries.items():
        text = query.path.read_text(encoding="utf-8")
        header = text.split("\nwith ", 1)[0]
        for field in ("definition", "grain", "params"):
            assert re.search(rf"^-- {field}:\s+\S", header, re.M), f"{name}: no {field}"
        assert re.match(rf"^-- (indicator|query):\s+{name}$", text.splitlines()[0]), name
        assert query.path.stem == name
        assert {p.name for p in query.params} == used_params(query), name
        assert "select * from final" in text, f"{name}: the CTE chain must end in select * from final"
    assert queries["poverty_incidence"].param("level").allowed == ("县", "乡镇", "村")
    assert queries["incidence_trend"].param("period").allowed == ("month", "quarter", "year")
    assert queries["exits_by_period"].param("period").allowed == ("month", "quarter", "year")
    assert queries["funds_by"].param("dimension").allowed == ("source", "category", "batch", "township", "village")


# --- registry ------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, expected", [
    # registered, still poor, exited (户, 人) — tiny EXPECTED.md, registry at year ends
    ("2015-12-31", (5, 13, 5, 13, 0, 0)),
    ("2016-12-31", (5, 12, 4, 9, 1, 3)),
    ("2017-12-31", (5, 11, 3, 5, 2, 6)),
    ("2018-12-31", (4, 9, 2, 3, 2, 6)),
    ("2019-12-31", (4, 10, 1, 2, 3, 8)),
])
def test_registry_summary_at_year_ends(tiny, as_of, expected):
    [row] = rows(tiny.query("registry_summary", as_of=as_of), REGISTRY)
    assert row == expected


def test_registry_summary_villages_population_and_types(tiny):
    frame = tiny.query("registry_summary", as_of="2019-12-31")
    [row] = rows(frame, ["region_code", "region_name", "poor_villages_total", "poor_villages_exited",
                         "poor_villages_remaining", "rural_population"])
    assert row == (COUNTY, "小试县", 2, 1, 1, 1630)
    assert frame.incidence[0] == pytest.approx(2 / 1630)
    assert all(str(frame[c].dtype) == "int64" for c in REGISTRY + ["rural_population", "poor_villages_total"])
    assert str(frame.incidence.dtype) == "float64"
    # 一村 出列 2019-12-20: remaining 2 until 2019-12-19, then 1
    day_before = tiny.query("registry_summary", as_of="2019-12-19").iloc[0]
    assert (day_before.poor_villages_remaining, day_before.rural_population) == (2, 1630)
    assert tiny.query("registry_summary", as_of="2017-12-31").rural_population[0] == 1600
    assert tiny.query("registry_summary", as_of="2018-12-31").rural_population[0] == 1620


def test_registry_summary_of_an_empty_region(tiny):
    # 二村 on 2017-06-25: H4 removed on 06-20, H5 not identified before 07-01
    [row] = rows(tiny.query("registry_summary", as_of="2017-06-25", region=ERCUN),
                 REGISTRY + ["poor_villages_total", "rural_population", "incidence"])
    assert row == (0, 0, 0, 0, 0, 0, 0, 800, 0.0)
    # before any village_year row: population 0 → incidence NULL, not a division error
    [row] = rows(tiny.query("registry_summary", as_of="2013-12-31"), REGISTRY + ["rural_population", "incidence"])
    assert row == (0, 0, 0, 0, 0, 0, 0, None)


def test_every_region_filtered_query_gives_no_rows_for_an_unknown_region(tiny):
    assert tiny.query("flows", start="2017-01-01", end="2017-12-31", region="999").empty
    assert tiny.query("registry_by_category", as_of="2017-12-31", region="999").empty
    assert tiny.query("funds_summary", as_of="2018-12-31", year=2018, region="999").empty
    assert tiny.query("village_exit_check", as_of="2018-12-31", region="999").empty


def test_registry_by_category(tiny):
    frame = tiny.query("registry_by_category", as_of="2017-12-31")
    assert list(frame.columns) == ["category", "households_poor", "people_poor", "households_registered",
                                   "people_registered"]
    # H1 一般 (4 people, exited) + H5 一般 (2, poor); H2 低保 (2, exited) + H6 低保 (2, poor); H3 五保 → 特困 (1, poor)
    assert rows(frame) == [
        ("一般贫困户", 1, 2, 2, 6),
        ("低保贫困户", 1, 2, 2, 4),
        ("特困供养贫困户", 1, 1, 1, 1),
    ]
    # after H3's 自然销户 the category stays listed, with zeros
    assert rows(tiny.query("registry_by_category", as_of="2019-12-31", region=JIA)) == [
        ("一般贫困户", 0, 0, 2, 7),  # H1 (4) and H5 (3 after P14 joined)
        ("低保贫困户", 0, 0, 1, 1),  # H2: P5 only, exited again 2019-09-30
        ("特困供养贫困户", 0, 0, 0, 0),
    ]


def test_registry_by_cause(tiny):
    frame = tiny.query("registry_by_cause", as_of="2017-12-31")
    assert list(frame.main_cause) == ["因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金",
                                      "交通条件落后", "自身发展动力不足", "因婚", "其他"]
    non_zero = [r for r in rows(frame) if r[3] > 0]
    # 因病 H1 (4, exited) + H6 (2, poor); 因残 H2 (2, exited); 缺劳力 H3; 缺资金 H5; 缺技术 H4 removed 2017-06-20
    assert non_zero == [("因病", 1, 2, 2, 6), ("因残", 0, 0, 1, 2), ("缺劳力", 1, 1, 1, 1), ("缺资金", 1, 2, 1, 2)]


# --- incidence -----------------------------------------------------------------------------------

def test_poverty_incidence_by_level_sums_numerators_and_denominators(tiny):
    # 2015-06-30: 一村 H1 3 + H2 2 + H3 1 = 6 of 500; 二村 H4 4 of 800; 三村 H6 3 of 300 (P16 leaves 2016-08-01)
    villages = tiny.query("poverty_incidence", as_of="2015-06-30", level="村")
    assert rows(villages, ["region_code", "region_name", "people_poor", "rural_population"]) == [
        (YICUN, "一村", 6, 500), (ERCUN, "二村", 4, 800), (SANCUN, "三村", 3, 300)]
    assert list(villages.incidence) == pytest.approx([6 / 500, 4 / 800, 3 / 300])
    townships = tiny.query("poverty_incidence", as_of="2015-06-30", level="乡镇")
    assert rows(townships, ["region_code", "people_poor", "rural_population"]) == [(JIA, 10, 1300), (YI, 3, 300)]
    assert townships.incidence[0] == pytest.approx(10 / 1300)  # not the mean of 6/500 and 4/800
    county = tiny.query("poverty_incidence", as_of="2019-12-31", level="县")
    assert rows(county, ["region_code", "people_poor", "rural_population"]) == [(COUNTY, 2, 1630)]
    assert county.incidence[0] == pytest.approx(0.0012269938)  # 0.12%
    # villages under one township; the default level is 村; a level above the region gives nothing
    assert list(tiny.query("poverty_incidence", as_of="2019-12-31", region=YI).region_code) == [SANCUN]
    assert tiny.query("poverty_incidence", as_of="2019-12-31", level="乡镇", region=SANCUN).empty
    with pytest.raises(QueryError, match="must be one of"):
        tiny.query("poverty_incidence", level="省")


def test_incidence_trend_by_year_matches_the_year_ends(tiny):
    frame = tiny.query("incidence_trend", start="2015-01-01", end="2019-12-31", period="year")
    assert rows(frame, ["period", "as_of"] + REGISTRY + ["poor_villages_remaining", "rural_population"]) == [
        (dt.date(2015, 1, 1), dt.date(2015, 12, 31), 5, 13, 5, 13, 0, 0, 2, 1600),
        (dt.date(2016, 1, 1), dt.date(2016, 12, 31), 5, 12, 4, 9, 1, 3, 2, 1600),
        (dt.date(2017, 1, 1), dt.date(2017, 12, 31), 5, 11, 3, 5, 2, 6, 2, 1600),
        (dt.date(2018, 1, 1), dt.date(2018, 12, 31), 4, 9, 2, 3, 2, 6, 2, 1620),
        (dt.date(2019, 1, 1), dt.date(2019, 12, 31), 4, 10, 1, 2, 3, 8, 1, 1630),
    ]
    assert list(frame.incidence) == pytest.approx([13 / 1600, 9 / 1600, 5 / 1600, 3 / 1620, 2 / 1630])


def test_incidence_trend_by_quarter_and_an_unfinished_last_period(tiny):
    frame = tiny.query("incidence_trend", start="2019-01-01", end="2019-12-31", period="quarter")
    # Q1: H1 4, H2 1 (poor), H5 2, H6 2 (poor); P14 joins H5 05-01; H2 exits 09-30; 一村 出列 12-20
    assert rows(frame, ["as_of"] + REGISTRY + ["poor_villages_exited"]) == [
        (dt.date(2019, 3, 31), 4, 9, 2, 3, 2, 6, 0),
        (dt.date(2019, 6, 30), 4, 10, 2, 3, 2, 7, 0),
        (dt.date(2019, 9, 30), 4, 10, 1, 2, 3, 8, 0),
        (dt.date(2019, 12, 31), 4, 10, 1, 2, 3, 8, 1),
    ]
    months = tiny.query("incidence_trend", start="2018-02-10", end="2018-04-15", period="month")
    # H3 (1 person, poor) leaves by 自然销户 2018-03-10; the last month is measured at the end date
    assert rows(months, ["period", "as_of", "households_registered", "people_poor"]) == [
        (dt.date(2018, 2, 1), dt.date(2018, 2, 28), 5, 5),
        (dt.date(2018, 3, 1), dt.date(2018, 3, 31), 4, 4),
        (dt.date(2018, 4, 1), dt.date(2018, 4, 15), 4, 4),
    ]
    with pytest.raises(duckdb.InvalidInputException, match="start is after end"):
        tiny.query("incidence_trend", start="2019-02-01", end="2019-01-01")


def test_incidence_trend_agrees_with_registry_summary_on_every_month(tiny):
    trend = tiny.query("incidence_trend", start="2014-01-01", end="2020-03-31", period="month", region=JIA)
    assert len(trend) == 75
    for row in trend.itertuples():
        summary = tiny.query("registry_summary", as_of=row.as_of.date(), region=JIA).iloc[0]
        for column in REGISTRY + ["poor_villages_exited", "rural_population"]:
            assert getattr(row, column) == summary[column], (row.as_of, column)


# --- flows ---------------------------------------------------------------------------------------

FLOW_FIGURES = ["movement", "direction", "households", "people", "registry_households", "registry_people",
                "poor_households", "poor_people"]
FLOW_COLUMNS = [*FLOW_FIGURES, "period_start", "period_end"]


def test_flows_2017(tiny):
    frame = tiny.query("flows", start="2017-01-01", end="2017-12-31")
    assert list(frame.columns) == FLOW_COLUMNS
    assert set(frame.period_start) == {pd.Timestamp("2017-01-01")} and set(frame.period_end) == {pd.Timestamp("2017-12-31")}
    assert rows(frame, FLOW_FIGURES) == [
        ("期初在册", "stock", 5, 12, 5, 12, None, None),
        ("期初未脱贫", "stock", 4, 9, None, None, 4, 9),
        ("识别纳入", "in", 1, 2, 1, 2, 1, 2),  # H5
        ("返贫", "within", 0, 0, 0, 0, 0, 0),
        ("标注脱贫", "within", 1, 2, 0, 0, -1, -2),  # H2
        ("清退", "out", 1, 4, -1, -4, -1, -4),  # H4
        ("自然销户", "out", 0, 0, 0, 0, 0, 0),
        ("自然增加", "in", 0, 1, 0, 1, 0, 0),  # P4 joins exited H1: registry only
        ("自然减少", "out", 0, 0, 0, 0, 0, 0),
        ("期末在册", "stock", 5, 11, 5, 11, None, None),
        ("期末未脱贫", "stock", 3, 5, None, None, 3, 5),
    ]


def test_flows_2018(tiny):
    frame = tiny.query("flows", start="2018-01-01", end="2018-12-31")
    assert rows(frame, FLOW_FIGURES) == [
        ("期初在册", "stock", 5, 11, 5, 11, None, None),
        ("期初未脱贫", "stock", 3, 5, None, None, 3, 5),
        ("识别纳入", "in", 0, 0, 0, 0, 0, 0),
        ("返贫", "within", 1, 2, 0, 0, 1, 2),  # H2
        ("标注脱贫", "within", 1, 2, 0, 0, -1, -2),  # H5
        ("清退", "out", 0, 0, 0, 0, 0, 0),
        ("自然销户", "out", 1, 1, -1, -1, -1, -1),  # H3
        ("自然增加", "in", 0, 0, 0, 0, 0, 0),
        ("自然减少", "out", 0, 1, 0, -1, 0, -1),  # P6, H2 poor then
        ("期末在册", "stock", 4, 9, 4, 9, None, None),
        ("期末未脱贫", "stock", 2, 3, None, None, 2, 3),
    ]


@pytest.mark.parametrize("name", ["flows", "flows_reconciliation"])
@pytest.mark.parametrize("start, end, period", [
    ("2014-01-01", "2019-12-31", "year"),  # every year the tiny county covers
    ("2016-05-17", "2018-03-02", "year"),  # the first and last years cut by the window
    ("2017-02-10", "2018-12-01", "quarter"),
    ("2018-11-15", "2018-12-01", "month"),
    ("2017-06-20", "2017-06-20", "year"),  # one day
])
@pytest.mark.parametrize("region", [None, YICUN])
def test_flows_by_period_are_each_window_asked_alone(tiny, name, start, end, period, region):
    """With $period, each period's part of [start, end] is a window of its own, in one statement: its rows
    are exactly those of that window asked alone, dtypes included."""
    together = tiny.query(name, start=start, end=end, period=period, region=region)
    windows = together[["period_start", "period_end"]].drop_duplicates()
    # the windows tile [start, end]: each starts the day after the one before ends
    assert windows.period_start.iloc[0] == pd.Timestamp(start) and windows.period_end.iloc[-1] == pd.Timestamp(end)
    assert list(windows.period_start.iloc[1:]) == [d + pd.Timedelta(days=1) for d in windows.period_end.iloc[:-1]]
    assert len(windows) > (1 if start[:4] != end[:4] or period != "year" else 0)
    for window in windows.itertuples():
        alone = tiny.query(name, start=window.period_start.date(), end=window.period_end.date(), region=region)
        part = together[together.period_start == window.period_start].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone, check_exact=True)


def test_flows_by_period_of_an_unknown_region_or_a_reversed_window(tiny):
    assert tiny.query("flows", start="2017-01-01", end="2018-12-31", period="year", region="999").empty
    with pytest.raises(duckdb.Error, match="start is after end"):
        tiny.query("flows", start="2018-01-01", end="2017-12-31", period="year")
    with pytest.raises(duckdb.Error, match="start is after end"):
        tiny.query("flows", start="2018-01-01", end="2017-12-31")


def flow(frame, movement):
    return tuple(frame.set_index("movement").loc[movement, ["households", "people"]])


@pytest.mark.parametrize("start, end, movement, expected", [
    ("2017-03-01", "2017-03-01", "自然增加", (0, 1)),  # P4 joins on the window's only day
    ("2017-01-01", "2017-02-28", "自然增加", (0, 0)),  # ... and not the day before
    ("2017-03-02", "2017-12-31", "自然增加", (0, 0)),  # ... nor after
    ("2018-12-01", "2018-12-01", "自然减少", (0, 1)),  # P6 leaves 2018-12-01
    ("2018-12-01", "2018-12-01", "标注脱贫", (1, 2)),  # H5 exits the same day
    ("2018-11-30", "2018-11-30", "自然减少", (0, 0)),
    ("2017-06-20", "2017-06-20", "清退", (1, 4)),  # H4: the 4 people present the day before
    ("2016-08-01", "2016-08-01", "自然减少", (0, 1)),  # P16 (死亡) while H6 is poor
])
def test_flows_on_boundary_days(tiny, start, end, movement, expected):
    assert flow(tiny.query("flows", start=start, end=end), movement) == expected


def test_flows_of_a_region_reconcile(tiny):
    frame = tiny.query("flows", start="2014-01-01", end="2019-12-31", region=YICUN).set_index("movement")
    # 一村: H1, H2, H3 identified (6 people); P4 joins; P6 leaves; H3 自然销户; exits H1 3, H2 2 + 1
    assert flow(frame.reset_index(), "识别纳入") == (3, 6)
    assert flow(frame.reset_index(), "标注脱贫") == (3, 6)
    assert flow(frame.reset_index(), "返贫") == (1, 2)
    for stock, prefix in (("在册", "registry"), ("未脱贫", "poor")):
        for unit in ("households", "people"):
            column = f"{prefix}_{unit}"
            opening = frame.loc[f"期初{stock}", column]
            change = frame.loc[frame.direction != "stock", column].sum()
            assert opening + change == frame.loc[f"期末{stock}", column], column
    assert (frame.loc["期末在册", "households"], frame.loc["期末在册", "people"]) == (2, 5)


# --- exits ---------------------------------------------------------------------------------------

def test_exits_by_period_against_the_plan(tiny):
    frame = tiny.query("exits_by_period", start="2016-01-01", end="2019-12-31", period="year")
    assert rows(frame, ["period", "households", "people", "planned_households", "planned_people"]) == [
        (dt.date(2016, 1, 1), 1, 3, None, None),  # H1; no 2016 plan
        (dt.date(2017, 1, 1), 1, 2, 2, 5),  # H2 against 2户5人
        (dt.date(2018, 1, 1), 1, 2, 2, 4),  # H5 against 2户4人
        (dt.date(2019, 1, 1), 1, 1, 1, 2),  # H2 again, P6 gone
    ]
    assert list(frame.completion_rate[1:]) == pytest.approx([2 / 5, 2 / 4, 1 / 2])
    assert list(frame.households_completion_rate[1:]) == pytest.approx([1 / 2, 1 / 2, 1 / 1])
    assert frame.completion_rate.isna()[0]


def test_exits_by_quarter_count_year_to_date(tiny):
    frame = tiny.query("exits_by_period", start="2017-01-01", end="2017-12-31", period="quarter")
    assert rows(frame, ["period", "households", "people", "people_year_to_date", "completion_rate"]) == [
        (dt.date(2017, 1, 1), 0, 0, 0, 0.0),
        (dt.date(2017, 4, 1), 0, 0, 0, 0.0),
        (dt.date(2017, 7, 1), 0, 0, 0, 0.0),
        (dt.date(2017, 10, 1), 1, 2, 2, 0.4),
    ]
    # a window starting after an exit still counts it towards the year's plan
    late = tiny.query("exits_by_period", start="2017-11-01", end="2017-12-31", period="month")
    assert rows(late, ["households", "people_year_to_date"]) == [(0, 2), (0, 2)]
    # 甲乡 has its own 2018 plan; H5 lies in 二村 under it. 乙镇 has neither plan nor exits.
    township = tiny.query("exits_by_period", start="2018-01-01", end="2018-12-31", region=JIA)
    assert rows(township, ["households", "people", "planned_households", "planned_people"]) == [(1, 2, 2, 4)]
    empty = tiny.query("exits_by_period", start="2018-01-01", end="2018-12-31", region=YI)
    assert rows(empty, ["households", "people", "planned_people", "completion_rate"]) == [(0, 0, None, None)]


# --- funds ---------------------------------------------------------------------------------------

def test_funds_summary_2018(tiny):
    frame = tiny.query("funds_summary", as_of="2018-12-31", year=2018)
    [row] = rows(frame, ["projects", "allocated", "disbursed", "spent", "reimbursed", "projects_started",
                         "projects_completed"])
    assert row == (3, 350000, 250000, 180000, 150000, 2, 1)
    r = frame.iloc[0]
    assert r.disbursement_rate == pytest.approx(0.7142857)  # 71.43%
    assert r.spending_rate == pytest.approx(0.5142857)  # 51.43%
    assert r.reimbursement_rate == pytest.approx(0.4285714)  # 42.86%
    assert r.reimbursement_of_spent == pytest.approx(0.8333333)  # 83.33%
    assert (r.start_rate, r.completion_rate) == pytest.approx((2 / 3, 1 / 3))
    assert str(frame.projects.dtype) == "int64"


def test_funds_as_of_a_date_and_the_negative_correction(tiny):
    # F10 (−10,000 支出) is dated 2018-09-15: 60,000 + 90,000 before it, 140,000 after
    assert tiny.query("funds_summary", as_of="2018-09-14", year=2018).spent[0] == 150000
    assert tiny.query("funds_summary", as_of="2018-09-15", year=2018).spent[0] == 140000
    # XM2 finished 2019-01-15: completed 2 of 3 from then on
    assert tiny.query("funds_summary", as_of="2019-01-15", year=2018).projects_completed[0] == 2
    # XM4 (2019): "10,000" allocated and spent; NULL year = the year of as_of
    [row] = rows(tiny.query("funds_summary", as_of="2019-12-31"), ["projects", "allocated", "spent"])
    assert row == (1, 10000, 10000)
    # an area without projects: zeros, and NULL rates instead of a division by zero
    [row] = rows(tiny.query("funds_summary", as_of="2018-12-31", year=2018, region=ERCUN),
                 ["projects", "allocated", "spending_rate", "start_rate"])
    assert row == (0, 0, None, None)


def test_funds_by_source_category_batch_township_village(tiny):
    def by(dimension):
        frame = tiny.query("funds_by", as_of="2018-12-31", year=2018, dimension=dimension)
        assert list(frame.columns[:3]) == ["group", "group_code", "projects"]
        assert frame.allocated_share.sum() == pytest.approx(1.0)
        return rows(frame, ["group", "group_code", "projects", "allocated", "spent", "reimbursed"])

    # XM2 is funded from two sources: it counts once under each, with that source's money only
    assert by("source") == [
        ("县级财政专项扶贫资金", None, 1, 150000, 80000, 50000),
        ("中央财政专项扶贫资金", None, 1, 100000, 100000, 100000),
        ("省级财政专项扶贫资金", None, 1, 50000, 0, 0),
        ("统筹整合涉农资金", None, 1, 50000, 0, 0),
    ]
    assert by("category") == [("基础设施", None, 2, 250000, 80000, 50000), ("产业发展", None, 1, 100000, 100000, 100000)]
    assert by("batch") == [("第1批", None, 2, 300000, 180000, 150000), ("第2批", None, 1, 50000, 0, 0)]
    assert by("township") == [("甲乡", JIA, 2, 300000, 180000, 150000), ("乙镇", YI, 1, 50000, 0, 0)]
    assert by("village") == [("一村", YICUN, 2, 300000, 180000, 150000), ("三村", SANCUN, 1, 50000, 0, 0)]
    shares = tiny.query("funds_by", as_of="2018-12-31", year=2018, dimension="township").allocated_share
    assert list(shares) == pytest.approx([300000 / 350000, 50000 / 350000])
    # XM4 lies at 甲乡 itself: no village
    assert rows(tiny.query("funds_by", as_of="2019-12-31", year=2019, dimension="village"),
                ["group", "projects", "allocated"]) == [(None, 1, 10000)]
    with pytest.raises(QueryError, match="must be one of"):
        tiny.query("funds_by", dimension="department")


def test_funds_schedule_2018(tiny):
    frame = tiny.query("funds_schedule", year=2018)
    # the targets' deadlines (the "60%" cell read as 0.60); money of 2018 projects dated up to each deadline
    assert rows(frame, ["deadline", "allocated", "spent", "target_spent", "shortfall", "is_met",
                        "schedule_region_code"]) == [
        (dt.date(2018, 3, 31), 300000, 0, 90000, 90000, False, COUNTY),
        (dt.date(2018, 6, 30), 350000, 60000, 210000, 150000, False, COUNTY),
        (dt.date(2018, 9, 30), 350000, 140000, 315000, 175000, False, COUNTY),
    ]
    assert list(frame.spending_target) == pytest.approx([0.30, 0.60, 0.90])
    assert list(frame.spending_rate) == pytest.approx([0.0, 60000 / 350000, 140000 / 350000])
    # 乙镇 follows the county's schedule with its own money (XM3: 50,000 allocated 2018-05-01)
    township = tiny.query("funds_schedule", year=2018, region=YI)
    assert rows(township, ["allocated", "spent", "shortfall", "is_met"]) == [
        (0, 0, 0, None), (50000, 0, 30000, False), (50000, 0, 45000, False)]
    assert tiny.query("funds_schedule", year=2019).empty  # no deadlines for 2019


def test_plans_and_schedules_held_below_the_region(gap):
    # 测试市 has neither: the plans of its two counties add up; the schedules are taken from them
    exits = gap.query("exits_by_period", start="2019-01-01", end="2019-12-31")
    assert rows(exits, ["households", "people", "planned_households", "planned_people"]) == [(4, 8, 5, 9)]
    assert (exits.completion_rate[0], exits.households_completion_rate[0]) == pytest.approx((8 / 9, 4 / 5))
    west = gap.query("exits_by_period", start="2019-01-01", end="2019-12-31", region="620102000000")
    assert rows(west, ["households", "people", "planned_households", "planned_people"]) == [(2, 3, 3, 4)]
    assert west.completion_rate[0] == pytest.approx(0.75)
    top = gap.query("funds_schedule", year=2019)
    assert rows(top, ["deadline", "allocated", "is_met", "schedule_region_code"]) == [
        (dt.date(2019, 3, 31), 0, None, None), (dt.date(2019, 6, 30), 0, None, None)]
    assert list(top.spending_target) == pytest.approx([0.40, 0.60])  # the higher of 30% and 40%
    township = gap.query("funds_schedule", year=2019, region="620101100000")
    assert list(township.spending_target) == pytest.approx([0.30, 0.60])
    assert list(township.schedule_region_code) == ["620101000000", "620101000000"]


# --- village exit --------------------------------------------------------------------------------

def test_village_exit_check_tiny_national_and_hunan(tiny):
    national = tiny.query("village_exit_check", as_of="2018-12-31")
    assert rows(national, ["village_code", "data_year", "people_poor", "rural_population", "incidence_threshold",
                           "incidence_pass", "overall_pass", "people_to_exit"]) == [
        (YICUN, 2018, 1, 520, 0.02, True, True, 0),  # H2 (P5) poor again; 二村 is no poor village
        (SANCUN, 2014, 2, 300, 0.02, True, True, 0),  # H6
    ]
    hunan = tiny.query("village_exit_check", as_of="2018-12-31", rules="hunan").set_index("village_code")
    assert hunan.loc[YICUN, "overall_pass"]  # 45,000 ≥ 40,000; road, water, power, clinic 是
    assert lists(hunan.failed_criteria) == [[], ["collective_income", "paved_road", "safe_water", "clinic"]]
    assert lists(hunan.missing_items) == [[], ["paved_road", "safe_water", "clinic"]]
    assert (hunan.loc[SANCUN, "income_gap"], hunan.loc[SANCUN, "collective_income_threshold"]) == (40000, 40000)
    assert plain(hunan.loc[YICUN, "broadband_pass"]) is None  # hunan does not ask for broadband
    # after 出列 the village is still listed, with its date
    exited = tiny.query("village_exit_check", as_of="2019-12-31").set_index("village_code")
    assert exited.loc[YICUN, "exited_on"].date() == dt.date(2019, 12, 20)


def test_unknown_or_broken_rule_preset_raises(tiny):
    with pytest.raises(duckdb.InvalidInputException, match="no exit rule preset named guangxi"):
        tiny.query("village_exit_check", as_of="2018-12-31", rules="guangxi")


GAP_VILLAGES = ["620101100001", "620101100002", "620101100003", "620102100001", "620102100002"]  # A–E


def test_village_exit_check_national_with_western_thresholds(gap):
    frame = gap.query("village_exit_check", as_of="2019-12-31", rules="national")
    assert list(frame.village_code) == GAP_VILLAGES  # F村 is no poor village
    assert rows(frame, ["village_name", "is_west", "people_poor", "rural_population", "incidence_threshold",
                        "incidence_pass", "overall_pass", "people_to_exit", "exited_on"]) == [
        ("A村", False, 2, 100, 0.02, False, False, 1, None),  # exactly 2% is not below 2%
        ("B村", False, 1, None, 0.02, False, False, None, None),  # no village_year row
        ("C村", False, 3, 200, 0.02, True, True, 0, None),
        ("D村", True, 2, 100, 0.03, True, True, 0, dt.date(2019, 12, 20)),  # 西部: 3%
        ("E村", True, 4, 40, 0.03, False, False, 3, None),  # (4 − 3)/40 = 2.5% < 3%
    ]
    assert lists(frame.no_data) == [[], ["incidence"], [], [], []]
    assert list(frame.incidence[[0, 2, 3, 4]]) == pytest.approx([0.02, 0.015, 0.02, 0.1])


def test_village_exit_check_hunan_gaps_and_no_data(gap):
    frame = gap.query("village_exit_check", as_of="2019-12-31", rules="hunan")
    assert rows(frame, ["village_name", "incidence_threshold", "people_to_exit", "collective_income_pass",
                        "income_gap", "overall_pass"]) == [
        ("A村", 0.02, 1, True, 0, False),
        ("B村", 0.02, None, False, None, False),
        ("C村", 0.02, 0, False, None, False),  # income cell empty: no data, fails
        ("D村", 0.02, 1, True, 0, False),  # hunan: 2% in the west too; 40,000 = threshold passes
        ("E村", 0.02, 4, False, 15000, False),  # floor(4 − 0.8) + 1 = 4
    ]
    assert lists(frame.failed_criteria) == [
        ["incidence"],
        ["incidence", "collective_income", "paved_road", "power", "safe_water", "clinic"],
        ["collective_income", "paved_road"],
        ["incidence"],
        ["incidence", "collective_income", "paved_road", "clinic"],
    ]
    assert lists(frame.no_data) == [
        [], ["incidence", "collective_income", "paved_road", "power", "safe_water", "clinic"],
        ["collective_income", "paved_road"], [], []]
    assert lists(frame.missing_items) == [[], [], [], [], ["paved_road", "clinic"]]
    assert rows(frame.iloc[[2]], ["paved_road", "paved_road_pass", "power_pass"]) == [(None, False, True)]


def test_village_exit_check_shaanxi_and_henan(gap):
    shaanxi = gap.query("village_exit_check", as_of="2019-12-31", rules="shaanxi")
    assert list(shaanxi.collective_economy_pass) == [True, False, False, True, True]  # E: income 25,000 > 0
    assert list(shaanxi.overall_pass) == [True, False, False, True, False]
    assert lists(shaanxi.failed_criteria)[2] == ["collective_economy", "paved_road"]
    assert lists(shaanxi.no_data)[2] == ["collective_economy", "paved_road"]
    assert rows(shaanxi, ["people_to_exit"]) == [(0,), (None,), (0,), (0,), (3,)]
    henan = gap.query("village_exit_check", as_of="2019-12-31", rules="henan")
    assert lists(henan.failed_criteria)[2:4] == [["paved_road", "broadband"], ["incidence", "broadband", "culture_center"]]
    assert lists(henan.missing_items)[2:4] == [["broadband"], ["broadband", "culture_center"]]


def test_village_exit_check_uses_the_village_year_in_force(gap):
    frame = gap.query("village_exit_check", as_of="2018-12-31", region="620102000000")
    # E村's 2018 row (50 people): 5 poor (GE2 exits only in 2019) → 10%; D村's only row is 2019's
    assert rows(frame, ["village_name", "data_year", "people_poor", "rural_population", "people_to_exit",
                        "incidence_pass"]) == [("D村", None, 0, None, None, False), ("E村", 2018, 5, 50, 4, False)]
    assert lists(frame.no_data) == [["incidence"], []]


# --- household exit checks -----------------------------------------------------------------------

def test_household_exit_check_tiny(tiny):
    assert tiny.query("household_exit_check", year=2016).empty  # H1: 12,500 / 3 = 4,166.67 ≥ 2,952, all 是
    y2017 = tiny.query("household_exit_check", year=2017)
    # H2: (3,000 + 1,000 + 2,500 − 500) / 2 = 3,000 ≥ 2,952 but 住房安全 否
    assert rows(y2017, ["household_id", "exited_on", "size", "net_income", "per_capita_income", "poverty_line",
                        "income_pass", "housing"]) == [("H2", dt.date(2017, 10, 15), 2, 6000, 3000, 2952, True, False)]
    assert lists(y2017.failing_criteria) == [["housing"]]
    y2018 = tiny.query("household_exit_check", year=2018)
    # H5: (4,000 + 1,500 + 800 − 700) / 2 = 2,800 < 2,995; H6 fails too but never exited
    assert rows(y2018, ["household_id", "per_capita_income", "poverty_line", "income_pass"]) == [
        ("H5", 2800, 2995, False)]
    assert lists(y2018.failing_criteria) == [["income"]]
    assert tiny.query("household_exit_check", year=2019).empty  # H2: 3,800 ≥ 3,218
    assert tiny.query("household_exit_check", year=2018, region=YI).empty


def test_household_exit_check_no_data_and_the_line_itself(gap):
    frame = gap.query("household_exit_check", year=2019)
    assert rows(frame, ["household_id", "size", "per_capita_income", "income_pass", "housing"]) == [
        ("GA2", 3, 4000, True, None),  # 住房安全 empty: no data
        ("GC2", 2, 3000, False, True),  # size empty → 2 members on 12-31; empty income parts are 0
        ("GE2", 1, None, None, None),  # no household_year row; 1 member (郑十) on 2019-12-31
    ]  # GD2: 6,436 / 2 = 3,218 = the line: passes
    assert lists(frame.failing_criteria) == [["housing"], ["income"], ALL_CHECKS]
    assert lists(frame.no_data_criteria) == [["housing"], [], ALL_CHECKS]
    assert list(frame.poverty_line) == [3218, 3218, 3218]
    assert list(gap.query("household_exit_check", year=2019, region="620102000000").household_id) == ["GE2"]


# --- village drill-down --------------------------------------------------------------------------

def test_village_households_masks_and_checks(tiny):
    frame = tiny.query("village_households", village=YICUN, as_of="2018-12-31")
    assert list(frame.columns) == [
        "household_id", "head_name_masked", "head_id_number_masked", "status", "category", "main_cause", "size",
        "exited_on", "check_year", "per_capita_income", "poverty_line", "failing_checks", "no_data_checks", "mark"]
    assert rows(frame, ["household_id", "head_name_masked", "head_id_number_masked", "status", "category",
                        "size", "exited_on", "check_year"]) == [
        ("H1", "赵*山", "430101********0011", "已脱贫", "一般贫困户", 4, dt.date(2016, 11, 30), 2016),
        ("H2", "钱*妹", "430101********0029", "未脱贫", "低保贫困户", 1, None, 2017),  # 返贫; P6 left 12-01
    ]
    assert lists(frame.failing_checks) == [[], ["housing"]]  # H3 gone by 自然销户 2018-03-10
    assert list(frame.mark.fillna("")) == ["", "poor"]  # H1 exited meeting its 2016 standard; H2 still poor
    text = frame.astype(str).to_string()
    for secret in ("赵大山", "钱二妹", "430101196505050011", "430101197001010029"):
        assert secret not in text
    before = tiny.query("village_households", village=YICUN, as_of="2015-12-31")
    assert list(before.household_id) == ["H1", "H2", "H3"]
    assert lists(before.failing_checks) == [ALL_CHECKS] * 3  # no household_year rows up to 2015
    assert list(before.check_year.isna()) == [True, True, True]


def test_village_households_names_of_any_length_and_errors(gap, tiny):
    frame = gap.query("village_households", village="620102100002", as_of="2019-12-31")
    assert rows(frame, ["household_id", "head_name_masked", "status", "size", "check_year"]) == [
        ("GE1", "欧**明", "未脱贫", 4, 2019), ("GE2", "郑*", "已脱贫", 1, None)]
    assert lists(frame.failing_checks) == [["income", "education"], ALL_CHECKS]
    assert list(frame.mark) == ["poor", "risk"]  # GE2 exited without a household_year row: 错退 risk
    assert list(gap.query("village_households", village="620101100001", as_of="2019-12-31").head_name_masked) == [
        "王*", "张*丰"]
    with pytest.raises(duckdb.InvalidInputException, match="must be the code of a 村"):
        tiny.query("village_households", village=JIA, as_of="2019-12-31")
    with pytest.raises(duckdb.InvalidInputException, match="must be the code of a 村"):
        tiny.query("village_households", as_of="2019-12-31")


# --- the western township 试点乡 (tests/fixtures/township/EXPECTED.md) --------------------------------

TOWN = "629901101000"  # 试点乡


def test_township_incidence_2015_06_30(township):
    [row] = rows(township.query("registry_summary", as_of="2015-06-30", region=TOWN),
                 ["households_registered", "people_registered", "households_poor", "people_poor", "rural_population"])
    assert row == (8, 22, 8, 22, 600)
    level = township.query("poverty_incidence", as_of="2015-06-30", level="乡镇")
    assert round(level.incidence[0] * 100, 2) == 3.67  # 22 / 600
    villages = township.query("poverty_incidence", as_of="2015-06-30", level="村")
    assert rows(villages, ["region_name", "people_poor", "rural_population"]) == [
        ("东坡村", 12, 200), ("西岭村", 5, 150), ("南沟村", 5, 250)]
    assert [round(v * 100, 2) for v in villages.incidence] == [6.00, 3.33, 2.00]


def test_township_exits_identifications_and_plan(township):
    [row] = rows(township.query("registry_summary", as_of="2016-12-31"), REGISTRY + ["rural_population"])
    assert row == (10, 27, 8, 22, 2, 5, 610)  # 东坡村's 2016 row (210) is in force
    exits = township.query("exits_by_period", start="2015-01-01", end="2016-12-31", period="year")
    assert rows(exits, ["households", "people", "planned_households", "planned_people", "completion_rate"]) == [
        (2, 5, None, None, None), (0, 0, 3, 8, 0.0)]  # the plan is the township's: nearest level below
    months = township.query("exits_by_period", start="2015-11-01", end="2015-12-31", period="month")
    assert rows(months, ["households", "people"]) == [(1, 2), (1, 3)]  # T05 on 11-30, T01 on 12-20
    identified = township.query("flows", start="2016-06-30", end="2016-06-30")
    assert flow(identified, "识别纳入") == (2, 5)  # T09, T10
    year = township.query("flows", start="2015-01-01", end="2015-12-31")
    assert flow(year, "标注脱贫") == (2, 5)
    assert flow(township.query("flows", start="2016-06-29", end="2016-06-29"), "识别纳入") == (0, 0)


def test_township_funds_2016(township):
    frame = township.query("funds_summary", as_of="2016-12-31", year=2016)
    [row] = rows(frame, ["projects", "allocated", "disbursed", "spent", "projects_started", "projects_completed"])
    assert row == (3, 125000, 60000, 76000, 2, 1)  # TX2015A is another year's; the 2017-02-01 spending is later
    assert round(frame.spending_rate[0] * 100, 2) == 60.80
    assert round(frame.disbursement_rate[0] * 100, 2) == 48.00
    assert (round(frame.start_rate[0] * 100, 2), round(frame.completion_rate[0] * 100, 2)) == (66.67, 33.33)
    later = township.query("funds_summary", as_of="2017-12-31", year=2016)
    assert rows(later, ["spent", "projects_started", "projects_completed"]) == [(86000, 3, 2)]


def test_township_village_exit_west(township):
    columns = ["village_name", "is_west", "incidence_threshold", "people_poor", "incidence_pass", "overall_pass",
               "people_to_exit"]
    frame = township.query("village_exit_check", as_of="2015-06-30")
    # 东坡村 12 < 0.03 × 200 = 6 fails: 12 − x < 6 → x = 7; 南沟村 5 < 7.5 passes (under 2% it would not: 5 < 5)
    assert rows(frame, columns) == [("东坡村", True, 0.03, 12, False, False, 7),
                                    ("南沟村", True, 0.03, 5, True, True, 0)]
    frame = township.query("village_exit_check", as_of="2016-12-31")
    # 东坡村 11 − x < 6.3 → 5; 南沟村 8 (T10 identified) − x < 7.5 → 1
    assert rows(frame, columns) == [("东坡村", True, 0.03, 11, False, False, 5),
                                    ("南沟村", True, 0.03, 8, False, False, 1)]


# --- the command line ----------------------------------------------------------------------------

CLI_ARGS = {
    "registry_summary": ["--as_of", "2019-09-30", "--region", JIA],
    "registry_by_category": ["--as_of", "2019-09-30", "--region", JIA],
    "registry_by_cause": ["--as_of", "2019-09-30", "--region", JIA],
    "poverty_incidence": ["--as_of", "2019-09-30", "--region", JIA, "--level", "村"],
    "incidence_trend": ["--start", "2019-01-01", "--end", "2019-09-30", "--period", "quarter", "--region", JIA],
    "flows": ["--start", "2019-01-01", "--end", "2019-09-30", "--region", JIA],
    "exits_by_period": ["--start", "2019-01-01", "--end", "2019-09-30", "--period", "month", "--region", JIA],
    "funds_summary": ["--as_of", "2019-09-30", "--year", "2018", "--region", JIA],
    "funds_by": ["--as_of", "2019-09-30", "--year", "2018", "--region", JIA, "--dimension", "village"],
    "funds_schedule": ["--year", "2018", "--region", JIA],
    "village_exit_check": ["--as_of", "2019-09-30", "--region", JIA, "--rules", "henan"],
    "household_exit_check": ["--year", "2019", "--region", JIA],
    "village_households": ["--village", YICUN, "--as_of", "2019-09-30"],
}
CLI_ROWS = {"registry_summary": 1, "registry_by_category": 3, "registry_by_cause": 13, "poverty_incidence": 2,
            "incidence_trend": 3, "flows": 11, "exits_by_period": 9, "funds_summary": 1, "funds_by": 1,
            "funds_schedule": 3, "village_exit_check": 1, "household_exit_check": 0, "village_households": 2}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_query_runs_from_the_command_line_as_json(name, tiny_db_path, capsys):
    assert cli_main([name, "--db", str(tiny_db_path), *CLI_ARGS[name], "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == CLI_ROWS[name]


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_column_types_counts_bigint_ratios_double(name, tiny_db_path):
    """Sums of integers come out BIGINT (never HUGEINT), money DECIMAL(18,2), rates DOUBLE, dates DATE."""
    query = catalog()[name]
    params = {flag.lstrip("-"): value for flag, value in zip(CLI_ARGS[name][::2], CLI_ARGS[name][1::2], strict=True)}
    con = duckdb.connect(str(tiny_db_path), read_only=True)
    try:
        types = {column: str(kind) for column, kind, *_ in execute(con, query, bind(query, params)).description}
    finally:
        con.close()
    assert not [c for c, t in types.items() if t in ("HUGEINT", "FLOAT") or t.startswith("DECIMAL(38")], types
    for column, kind in types.items():
        if column.endswith(("_rate", "_share", "incidence", "_of_spent")):
            assert kind == "DOUBLE", (column, kind)
        elif column.startswith(("households", "people", "projects", "poor_villages", "registry_", "poor_")) \
                or column in ("rural_population", "planned_households", "planned_people"):
            assert kind == "BIGINT", (column, kind)
        if column in ("period", "as_of", "exited_on", "deadline"):
            assert kind == "DATE", (column, kind)
