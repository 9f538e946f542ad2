"""The projects query (queries/projects.sql): one row per project, hand-checked on the tiny county and
adding up to funds_summary on tiny and on the demo county.

Tiny figures come from tests/fixtures/tiny/扶贫项目.csv and 资金明细.csv (and EXPECTED.md, "Funds of
2018 projects as of 2018-12-31"); each derivation is written next to its literal.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from queries import Database, bind, catalog, execute
from tests.test_queries import COUNTY, ERCUN, JIA, SANCUN, YI, YICUN, rows

MONEY = ["allocated", "disbursed", "spent", "reimbursed"]
FLAGS = ["status", "is_started", "is_completed", "is_start_overdue", "is_completion_overdue", "is_overdue"]


def test_projects_2018_as_of_2018_12_31(tiny):
    frame = tiny.query("projects", as_of="2018-12-31", year=2018)
    # overdue first (XM2: planned end 2018-10-31, finished only 2019-01-15; XM3: planned start 2018-06-01,
    # never started), then by year and project_id; XM1 finished on time.
    assert list(frame.project_id) == ["XM2", "XM3", "XM1"]
    assert rows(frame, ["project_id", "name", "category", "region_code", "township_name", "village_name", "year",
                        "batch", "planned_amount"]) == [
        ("XM2", "一村道路硬化", "基础设施", YICUN, "甲乡", "一村", 2018, "第1批", 200000),
        ("XM3", "三村饮水", "基础设施", SANCUN, "乙镇", "三村", 2018, "第2批", 50000),
        ("XM1", "一村茶园", "产业发展", YICUN, "甲乡", "一村", 2018, "第1批", 100000),
    ]
    assert rows(frame, ["project_id", *MONEY]) == [
        # XM2: 下达 F06 150,000 + F07 50,000; 拨付 F08; 支出 F09 90,000 + F10 −10,000 (correction); 报账 F11
        ("XM2", 200000, 150000, 80000, 50000),
        # XM3: only F12 下达
        ("XM3", 50000, 0, 0, 0),
        # XM1: F01; F02; F03 60,000 + F04 40,000; F05
        ("XM1", 100000, 100000, 100000, 100000),
    ]
    # the sum is EXPECTED.md's 下达 350,000 · 拨付 250,000 · 支出 180,000 · 报账 150,000
    assert [int(frame[column].sum()) for column in MONEY] == [350000, 250000, 180000, 150000]
    assert rows(frame, ["project_id", *FLAGS]) == [
        ("XM2", "在建", True, False, False, True, True),
        # XM3's planned end is 2018-12-31 itself: not yet overdue on that day
        ("XM3", "未开工", False, False, True, False, True),
        ("XM1", "已完工", True, True, False, False, False),
    ]
    assert list(frame.spending_rate) == pytest.approx([0.4, 0.0, 1.0])  # 80,000 ÷ 200,000; 0 ÷ 50,000; 1
    assert list(frame.disbursement_rate) == pytest.approx([0.75, 0.0, 1.0])  # 150,000 ÷ 200,000
    assert list(frame.sources) == ["县级财政专项扶贫资金、统筹整合涉农资金", "省级财政专项扶贫资金", "中央财政专项扶贫资金"]


def test_projects_money_and_status_as_of_earlier_dates(tiny):
    # 2018-09-14: F04 (10-10), F05 (11-20), F10 (09-15) and F11 (12-20) not yet there
    frame = tiny.query("projects", as_of="2018-09-14", year=2018).set_index("project_id")
    assert frame.loc["XM1", "spent"] == 60000 and frame.loc["XM1", "reimbursed"] == 0
    assert frame.loc["XM2", "spent"] == 90000
    assert int(frame.spent.sum()) == 150000  # = funds_summary as of 2018-09-14 (test_queries)
    # XM1 started 03-15, finishes 09-20 → 在建, on time (planned end 09-30)
    assert rows(frame.reset_index(), ["project_id", *FLAGS]) == [
        ("XM3", "未开工", False, False, True, False, True),
        ("XM1", "在建", True, False, False, False, False),
        ("XM2", "在建", True, False, False, False, False),
    ]
    # a start is overdue from the day after the planned start (XM3: 2018-06-01)
    on_the_day = tiny.query("projects", as_of="2018-06-01", year=2018).set_index("project_id")
    assert not on_the_day.loc["XM3", "is_start_overdue"]
    day_after = tiny.query("projects", as_of="2018-06-02", year=2018).set_index("project_id")
    assert day_after.loc["XM3", "is_start_overdue"]
    # 2019-01-15: XM2 completed; XM3 now late on both counts (planned end 2018-12-31)
    later = tiny.query("projects", as_of="2019-01-15", year=2018)
    assert rows(later, ["project_id", *FLAGS]) == [
        ("XM3", "未开工", False, False, True, True, True),
        ("XM1", "已完工", True, True, False, False, False),
        ("XM2", "已完工", True, True, False, False, False),
    ]
    # before any money: zeros, and NULL rates
    early = tiny.query("projects", as_of="2018-01-31", year=2018)
    assert [int(early[column].sum()) for column in MONEY] == [0, 0, 0, 0]
    assert early.spending_rate.isna().all() and early.sources.isna().all()


def test_projects_every_year_and_regions(tiny):
    # NULL year = every year: XM4 (2019) is placed at 甲乡 (no village), allocated and spent "10,000",
    # without planned dates it is never overdue
    frame = tiny.query("projects", as_of="2019-12-31")
    assert list(frame.project_id) == ["XM3", "XM1", "XM2", "XM4"]
    [xm4] = rows(frame[frame.project_id == "XM4"],
                 ["region_code", "township_name", "village_name", "year", *MONEY, "status", "is_overdue"])
    assert xm4 == (JIA, "甲乡", None, 2019, 10000, 0, 10000, 0, "未开工", False)
    # a township holds its villages' projects and its own; a village without projects gives no rows
    assert list(tiny.query("projects", as_of="2019-12-31", region=JIA).project_id) == ["XM1", "XM2", "XM4"]
    assert list(tiny.query("projects", as_of="2019-12-31", region=YI).project_id) == ["XM3"]
    assert list(tiny.query("projects", as_of="2019-12-31", region=YICUN, year=2018).project_id) == ["XM1", "XM2"]
    assert tiny.query("projects", as_of="2019-12-31", region=ERCUN).empty
    assert tiny.query("projects", as_of="2019-12-31", region="999999999999").empty
    assert tiny.query("projects", as_of="2019-12-31", year=2017).empty


def test_projects_column_types(tiny_db_path):
    query = catalog()["projects"]
    con = duckdb.connect(str(tiny_db_path), read_only=True)
    try:
        cursor = execute(con, query, bind(query, {"as_of": "2018-12-31"}))
        types = {column: str(kind) for column, kind, *_ in cursor.description}
    finally:
        con.close()
    assert {c: types[c] for c in MONEY} == dict.fromkeys(MONEY, "DECIMAL(18,2)")
    assert types["spending_rate"] == types["disbursement_rate"] == "DOUBLE"
    assert {types[c] for c in ("planned_start", "started_on", "planned_end", "completed_on")} == {"DATE"}
    assert {types[c] for c in FLAGS[1:]} == {"BOOLEAN"}


def assert_adds_up_to_funds_summary(db: Database, as_of: str, year: int, region: str | None) -> None:
    projects = db.query("projects", as_of=as_of, year=year, region=region)
    [summary] = db.query("funds_summary", as_of=as_of, year=year, region=region).to_dict("records")
    where = (as_of, year, region)
    assert len(projects) == summary["projects"], where
    for column in MONEY:
        assert projects[column].sum() == summary[column], (where, column)
    assert int(projects.is_started.sum()) == summary["projects_started"], where
    assert int(projects.is_completed.sum()) == summary["projects_completed"], where


@pytest.mark.parametrize("as_of", ["2018-03-01", "2018-09-14", "2018-09-15", "2018-12-31", "2019-06-30"])
@pytest.mark.parametrize("region", [None, COUNTY, JIA, YI, YICUN, ERCUN])
def test_projects_add_up_to_funds_summary_on_tiny(tiny, as_of, region):
    for year in (2018, 2019):
        assert_adds_up_to_funds_summary(tiny, as_of, year, region)


def test_projects_add_up_to_funds_summary_on_the_demo_county(demo_db_path):
    with Database(demo_db_path) as demo:
        tree = demo.query("regions")
        townships = list(tree[tree.level == "乡镇"].code[:3])
        villages = list(tree[tree.level == "村"].code[:2])
        for region in [None, *townships, *villages]:
            for year in (2016, 2017, 2018, 2019, 2020):
                for as_of in (dt.date(year, 6, 30), dt.date(year, 12, 31), dt.date(year + 1, 12, 31)):
                    assert_adds_up_to_funds_summary(demo, as_of.isoformat(), year, region)
        # guard: the comparison above is not between empty lists (the demo county has 2018 projects
        # with money and negative correction rows among its fund rows)
        whole = demo.query("projects", as_of="2018-12-31", year=2018)
        assert len(whole) > 100 and whole.spent.sum() > 0
