"""资金项目 Funds page (pages/funds.py) on the tiny county: the tiles equal tests/fixtures/tiny/EXPECTED.md's
"Funds of 2018 projects as of 2018-12-31"; other dates, years and regions are worked out below from
扶贫项目.csv and 资金明细.csv (F01…F14), the schedule from 年度目标.csv.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

JIA = "430101100000"  # 甲乡: XM1, XM2 (一村) and XM4 (2019, placed at the township)


def open_page(db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/funds.py").run()
    assert not at.exception
    return at


@pytest.fixture
def page(tiny_db_path, monkeypatch, navigation_apptest) -> AppTest:
    return open_page(tiny_db_path, monkeypatch)


def run(at: AppTest, *, as_of: dt.date | None = None, region: str | None = None, year: int | None = None):
    if as_of is not None:
        at.selectbox(key="as_of_choice").set_value(as_of).run()
    if region is not None:
        at.selectbox(key="pick_1").set_value(region).run()
    if year is not None:
        at.selectbox(key="funds_year").set_value(year).run()
    assert not at.exception
    return at


def tiles(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def table(at, index: int) -> list[tuple]:
    """A shown table as tuples, floats rounded to 2 decimals (as displayed), NaN as None."""
    frame = at.dataframe[index].value
    return [tuple(None if isinstance(v, float) and math.isnan(v) else round(v, 2) if isinstance(v, float) else v
                  for v in row) for row in frame.itertuples(index=False)]


def test_2018_tiles_equal_the_hand_worked_funds(page):
    at = run(page, as_of=dt.date(2018, 12, 31))
    assert at.selectbox(key="funds_year").value == 2018
    assert tiles(at) == {
        # EXPECTED.md: 下达 350,000 · 拨付 250,000 · 支出 180,000 (incl. the −10,000 correction) · 报账 150,000
        "下达资金": ("35.00万元", "3个项目"),
        "拨付资金": ("25.00万元", "拨付率 71.43%"),
        "支出资金": ("18.00万元", "支出进度 51.43%"),
        "报账资金": ("15.00万元", "报账率 42.86%（占支出 83.33%）"),
        # 3 projects; started 2 (XM1, XM2) = 66.67%; completed 1 (XM1) = 33.33%
        "项目数": ("3个", ""),
        "已开工项目": ("2个", "开工率 66.67%"),
        "已完工项目": ("1个", "完工率 33.33%"),
        # XM3 never started (planned 2018-06-01); XM2 planned to finish 2018-10-31, finished 2019-01-15
        "逾期项目": ("2个", "逾期未开工 1 个，逾期未完工 1 个"),
    }


def test_by_source_category_and_township(page):
    at = run(page, as_of=dt.date(2018, 12, 31))
    # by source (default): XM2 counts under 县级 (150,000) and 统筹 (50,000); shares of 350,000
    assert at.segmented_control(key="funds_dimension").value == "source"
    assert any(c.value.startswith("一个项目有多个资金来源时") for c in at.caption)
    rows = table(at, 0)
    assert [r[:7] for r in rows] == [
        # group, projects, 下达, 拨付, 支出, 报账 (万元), 拨付率 (%)
        ("县级财政专项扶贫资金", 1, 15.0, 15.0, 8.0, 5.0, 100.0),  # F06; F08; F09 − F10; F11
        ("中央财政专项扶贫资金", 1, 10.0, 10.0, 10.0, 10.0, 100.0),
        ("省级财政专项扶贫资金", 1, 5.0, 0.0, 0.0, 0.0, 0.0),
        ("统筹整合涉农资金", 1, 5.0, 0.0, 0.0, 0.0, 0.0),
    ]
    assert [r[-1] for r in rows] == [42.86, 28.57, 14.29, 14.29]  # 占下达比重
    # by type: 基础设施 XM2 + XM3 = 250,000 (2 projects, 支出 80,000 = 32.00%), 产业发展 XM1 100,000
    at.segmented_control(key="funds_dimension").set_value("category").run()
    assert not any(c.value.startswith("一个项目有多个资金来源时") for c in at.caption)
    assert [r[:3] + (r[7], r[-1]) for r in table(at, 0)] == [("基础设施", 2, 25.0, 32.0, 71.43),
                                                             ("产业发展", 1, 10.0, 100.0, 28.57)]
    # by township: 甲乡 XM1 + XM2 = 300,000, 乙镇 XM3 50,000
    at.segmented_control(key="funds_dimension").set_value("township").run()
    assert [r[:3] for r in table(at, 0)] == [("甲乡", 2, 30.0), ("乙镇", 1, 5.0)]
    by = json.loads([c for c in at.get("plotly_chart") if c.proto.id.endswith("-funds_by")][0].proto.spec)["data"]
    assert [trace["name"] for trace in by] == ["下达", "拨付", "支出", "报账"]
    assert by[0]["x"] == ["甲乡", "乙镇"] and by[2]["y"] == [18.0, 0.0]


def test_schedule_and_the_project_list(page):
    at = run(page, as_of=dt.date(2018, 12, 31))
    # deadline, target %, 下达, 支出 (万元), rate %, target spending, shortfall, met
    assert table(at, 1) == [
        ("2018-03-31", 30.0, 30.0, 0.0, 0.0, 9.0, 9.0, "✗"),  # XM1 + XM2 allocated, nothing spent
        ("2018-06-30", 60.0, 35.0, 6.0, 17.14, 21.0, 15.0, "✗"),  # + XM3 (05-01); F03 60,000
        ("2018-09-30", 90.0, 35.0, 14.0, 40.0, 31.5, 17.5, "✗"),  # + F09 90,000 − F10 10,000
    ]
    projects = at.dataframe[2].value
    assert list(projects.project_id) == ["XM2", "XM3", "XM1"]  # overdue first
    assert list(projects.status) == ["在建", "未开工", "已完工"]
    assert list(projects.overdue) == ["逾期未完工", "逾期未开工", ""]
    assert list(projects.spent) == [8.0, 0.0, 10.0]
    assert list(projects.place) == ["甲乡 一村", "乙镇 三村", "甲乡 一村"]
    # XM2 finished on 2019-01-15, after the as-of date: not shown yet
    assert list(projects.completed_on) == ["", "", "2018-09-20"]
    assert list(projects.started_on) == ["2018-05-01", "", "2018-03-15"]
    at.toggle(key="funds_overdue").set_value(True).run()
    assert list(at.dataframe[2].value.project_id) == ["XM2", "XM3"]
    at.toggle(key="funds_overdue").set_value(False).run()
    at.multiselect(key="funds_status").set_value(["已完工"]).run()
    assert list(at.dataframe[2].value.project_id) == ["XM1"]
    assert any(c.value == "显示 1 个项目（共 3 个，逾期 2 个）；逾期项目排在前面。" for c in at.caption)


def test_changing_the_date_the_year_and_the_region(page):
    # as of 2018-09-30: F05 and F11 (报账) not yet; 支出 60,000 + 90,000 − 10,000 = 140,000 = 40.00%
    at = run(page, as_of=dt.date(2018, 9, 30))
    got = tiles(at)
    assert got["支出资金"] == ("14.00万元", "支出进度 40.00%")
    assert got["报账资金"] == ("0.00万元", "报账率 0.00%（占支出 0.00%）")
    assert got["逾期项目"] == ("1个", "逾期未开工 1 个，逾期未完工 0 个")  # XM2 is due only 10-31
    assert table(at, 1)[2][-1] == "✗"  # the 09-30 deadline is due
    # as of 2018-06-30 the 09-30 deadline is not due yet: its target only, under the table
    at = run(at, as_of=dt.date(2018, 6, 30))
    assert [row[0] for row in table(at, 1)] == ["2018-03-31", "2018-06-30"]
    assert any(c.value == "未到期的目标：2018-09-30 90.00%" for c in at.caption)
    # as of 2019-12-31 the year follows the date: XM4 (2019) 下达 and 支出 10,000
    at = run(at, as_of=dt.date(2019, 12, 31))
    assert at.selectbox(key="funds_year").value == 2019
    got = tiles(at)
    assert got["下达资金"] == ("1.00万元", "1个项目")
    assert got["支出资金"] == ("1.00万元", "支出进度 100.00%")
    assert got["已开工项目"] == ("0个", "开工率 0.00%")
    assert any(c.value == "2019年没有支出进度目标。" for c in at.caption)
    # back to the 2018 projects, still as of 2019-12-31: XM2 completed (2019-01-15) → 2 of 3
    at = run(at, year=2018)
    got = tiles(at)
    assert got["已完工项目"] == ("2个", "完工率 66.67%")
    assert got["逾期项目"] == ("1个", "逾期未开工 1 个，逾期未完工 1 个")  # XM3, on both counts
    # 甲乡, 2018 projects as of 2018-12-31: XM1 + XM2 = 300,000; 拨付 250,000; 支出 180,000; 报账 150,000
    at = run(at, as_of=dt.date(2018, 12, 31), region=JIA)
    assert at.selectbox(key="funds_year").value == 2018
    got = tiles(at)
    assert got["下达资金"] == ("30.00万元", "2个项目")
    assert got["拨付资金"] == ("25.00万元", "拨付率 83.33%")
    assert got["支出资金"] == ("18.00万元", "支出进度 60.00%")
    assert got["已完工项目"] == ("1个", "完工率 50.00%")
    # under a township the area breakdown is by village; XM1 and XM2 both lie in 一村
    assert at.segmented_control(key="funds_dimension").options == ["资金来源", "项目类型", "批次", "村"]
    at.segmented_control(key="funds_dimension").set_value("village").run()
    assert [r[:3] for r in table(at, 0)] == [("一村", 2, 30.0)]


def test_english(page):
    # the language last: AppTest formats selectbox options in the test thread (always Chinese), so no
    # run may follow the switch
    at = run(page, as_of=dt.date(2018, 12, 31))
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception
    got = tiles(at)
    assert got["Allocated"] == ("35.00 × 10k yuan", "3 projects")
    assert got["Reimbursed"] == ("15.00 × 10k yuan", "42.86% of allocated (83.33% of spent)")
    assert got["Projects started"] == ("2", "start rate 66.67%")
    assert table(at, 0)[0][0] == "County special funds"
    header = json.loads(at.dataframe[2].proto.columns)
    assert [header[c]["label"] for c in ("project_id", "status", "spent")] == ["Project ID", "Status",
                                                                               "Spent (10k yuan)"]
    assert list(at.dataframe[2].value.status) == ["Under way", "Not started", "Completed"]
    assert at.segmented_control(key="funds_dimension").options == ["Source", "Project type", "Batch", "Township"]


def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch)
    at = run(at, as_of=dt.date(2018, 12, 31))
    assert at.selectbox(key="funds_year").value == 2018
    assert len(at.get("plotly_chart")) == 2
    assert len(at.dataframe[2].value) > 100  # the demo county's 2018 projects
