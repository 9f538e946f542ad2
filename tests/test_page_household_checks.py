"""户级核查 Household checks page (pages/household_checks.py) and its helpers (ui/household_risks.py) on
the tiny county, against the 错退 risks worked out by hand from tests/fixtures/tiny/户年度收入与保障.csv
and data/reference/poverty_lines.csv; a smoke run on the demo county.

Hand-worked (net income = 工资 + 经营 + 财产 + 转移 − 经营支出; per capita ÷ 家庭人口; line of the year):
- 2016 H1 (exits 2016-11-30): 9,000 + 4,000 + 0 + 1,500 − 2,000 = 12,500 / 3 = 4,166.67 ≥ 2,952, all 是 → no risk.
- 2017 H2 (exits 2017-10-15): 3,000 + 1,000 + 0 + 2,500 − 500 = 6,000 / 2 = 3,000 ≥ 2,952, but 住房安全 否 → risk:
  fails 住房安全 only.
- 2018 H5 (exits 2018-12-01): 4,000 + 1,500 + 0 + 800 − 700 = 5,600 / 2 = 2,800 < 2,995 → risk: fails 收入.
  H6 fails 基本医疗 and 住房安全 in 2018 but never exited → not listed.
- 2019 H2 (exits 2019-09-30): 2,500 + 500 + 0 + 1,000 − 200 = 3,800 / 1 ≥ 3,218, all 是 → no risk.
Masked heads: 钱二妹 → 钱*妹, 周五福 → 周*福.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import numpy as np
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui import exports, household_risks

JIA, YI = "430101100000", "430101200000"  # 甲乡, 乙镇


def open_page(db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.switch_page("pages/household_checks.py").run()
    assert not at.exception
    return at


@pytest.fixture
def page(tiny_db_path, monkeypatch, navigation_apptest) -> AppTest:
    return open_page(tiny_db_path, monkeypatch)


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def listed(at) -> list[tuple]:
    frame = at.dataframe[0].value
    return [tuple(None if v != v else v for v in row) for row in frame.itertuples(index=False)]


def chart(at, key: str) -> list[dict]:
    """The traces of the plotly chart drawn with `key`, arrays as lists (plotly writes numbers as base64)."""
    [element] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-" + key)]

    def plain(value):
        if isinstance(value, dict) and "bdata" in value:
            return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
        return value

    return [{k: plain(v) for k, v in trace.items()} for trace in json.loads(element.proto.spec)["data"]]


def test_2019_has_no_risks_and_2018_lists_h5(page):
    # default year = the as-of year 2019 (as of 2019-12-31): H2 exits (1户1人) and passes
    shown = tiles(page)
    assert shown["2019年错退风险户"] == "0户0人"
    assert shown["2019年标注脱贫"] == "1户1人"
    assert [s.value for s in page.success] == ["2019年小试县没有错退风险户。"]
    assert not page.dataframe

    page.selectbox(key="hhc_year_2019").set_value(2018).run()
    assert not page.exception
    shown = tiles(page)
    assert shown["2018年错退风险户"] == "1户2人"
    assert shown["2018年标注脱贫"] == "1户2人"
    assert shown["涉及村"] == "1个"
    assert list(page.dataframe[0].value.columns) == ["户编号", "户主（脱敏）", "村", "未达标项目", "人均纯收入（元）",
                                                     "当年扶贫标准（元）", "脱贫日期", "家庭人口", "贫困户属性"]
    [row] = listed(page)
    assert row[:6] == ("H5", "周*福", "二村", "收入", 2800.0, 2995.0)
    assert row[6].date() == dt.date(2018, 12, 1)
    assert row[7:] == (2, "一般贫困户")
    by_village = chart(page, "hhc_by_village")
    assert [(t["x"], t["y"]) for t in by_village] == [(["二村"], [1]), (["二村"], [2])]
    by_criterion = chart(page, "hhc_by_criterion")[0]
    assert by_criterion["y"] == ["收入", "吃穿", "义务教育", "基本医疗", "住房安全", "饮水安全"]
    assert by_criterion["x"] == [1, 0, 0, 0, 0, 0]
    assert "下载 Excel（已排版）" in [b.proto.label for b in page.get("download_button")]


def test_the_as_of_year_filters_and_region(page):
    page.selectbox(key="as_of_choice").set_value(dt.date(2017, 12, 31)).run()
    # the year follows the as-of date: 2017 → H2, 住房安全 否
    assert tiles(page)["2017年错退风险户"] == "1户2人"
    [row] = listed(page)
    assert row[:6] == ("H2", "钱*妹", "一村", "住房安全", 3000.0, 2952.0)
    assert row[7:] == (2, "低保贫困户")

    page.multiselect(key="hhc_criteria").set_value(["income"]).run()
    assert listed(page) == [] and "显示 0 户（共 1 户）" in [c.value for c in page.caption]
    page.multiselect(key="hhc_criteria").set_value(["housing", "water"]).run()
    assert [r[0] for r in listed(page)] == ["H2"]
    page.multiselect(key="hhc_villages").set_value(["430101100001"]).run()  # 一村
    assert [r[0] for r in listed(page)] == ["H2"]

    page.selectbox(key="pick_1").set_value(YI).run()  # 乙镇: H6 never exits
    assert not page.exception
    assert tiles(page)["2017年错退风险户"] == "0户0人"
    assert [s.value for s in page.success] == ["2017年乙镇没有错退风险户。"]


def test_english(page):
    page.selectbox(key="as_of_choice").set_value(dt.date(2018, 12, 31)).run()
    page.selectbox(key="language").set_value("en").run()
    assert not page.exception
    assert tiles(page)["Wrong-exit risks 2018"] == "1 household, 2 people"
    assert list(page.dataframe[0].value.columns)[:4] == ["Household ID", "Head (masked)", "Village", "Failing criteria"]
    [row] = listed(page)
    assert (row[3], row[8]) == ("Income", "Ordinary")
    assert chart(page, "hhc_by_criterion")[0]["y"][0] == "Income"


def test_the_excel_list(tiny):
    risks = tiny.query("household_exit_check", year=2017)
    table = household_risks.list_table(risks, "zh")
    workbook = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes("区域：小试县；核查年度：2017", [table])))
    sheet = workbook["错退风险户"]
    assert sheet["A1"].value == "区域：小试县；核查年度：2017" and sheet["A2"].value == "错退风险户名单"
    assert [c.value for c in sheet[3]][:3] == ["户编号", "户主（脱敏）", "村"]
    values = [c.value for c in sheet[4]]
    assert values[:6] == ["H2", "钱*妹", "一村", "住房安全", 3000, 2952] and sheet["E4"].number_format == "#,##0.00"
    assert values[6].date() == dt.date(2017, 10, 15) and sheet["G4"].number_format == "yyyy-mm-dd"
    assert values[7:] == [2, "低保贫困户"] and sheet["H4"].number_format == "#,##0"
    # no personal data beyond the masked head: the unmasked name never reaches the file
    assert "钱二妹" not in [c.value for row in sheet.iter_rows() for c in row]


def test_tallies_and_filters_on_a_frame_with_no_data_rows(tiny):
    risks = tiny.query("household_exit_check", year=2018)
    by_village = tiny.query("household_exit_risks_by", year=2018, dimension="village")
    assert by_village[["group_name", "households", "people"]].values.tolist() == [["二村", 1, 2]]
    every = list(household_risks.CRITERIA)
    assert household_risks.criteria_text(every, every, "zh") == "全部六项（当年无数据）"
    assert household_risks.criteria_text(["income", "housing"], ["housing"], "zh") == "收入、住房安全（无数据）"
    assert household_risks.criteria_text(["income", "housing"], ["housing"], "en") == "Income, Safe housing (no data)"
    assert household_risks.filtered(risks, criteria=["water"]).empty
    assert list(household_risks.filtered(risks, villages=["430101100002"]).household_id) == ["H5"]


def test_head_names_are_masked_in_the_query(tiny):
    assert list(tiny.query("household_exit_check", year=2017).head_name_masked) == ["钱*妹"]
    assert list(tiny.query("household_exit_check", year=2018).head_name_masked) == ["周*福"]


def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    from queries import Database

    at = open_page(demo_db_path, monkeypatch)
    at.selectbox(key="as_of_choice").set_value(dt.date(2019, 12, 31)).run()
    assert not at.exception
    with Database(demo_db_path) as db:
        expected = db.query("household_exit_check", year=2019)
    assert len(at.dataframe[0].value) == len(expected) > 0
    assert sorted(at.dataframe[0].value["户编号"]) == sorted(expected.household_id)
