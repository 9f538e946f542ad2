"""出列核查 Village exit page (pages/village_exit.py) on the fixture databases.

Expected values are worked out by hand from tests/fixtures/tiny (EXPECTED.md and its CSVs) and
tests/fixtures/villages_gap (EXPECTED.md); each derivation is in the comment beside its assertion.
Tiny's county code starts with 43, so its default preset is hunan: incidence < 2%, collective income
≥ 40,000元, paved road, safe water, power, clinic (data/reference/exit_rules.csv).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from tests.conftest import FIXTURES, ROOT, TINY, build_db
from tests.support import signed_in

COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"
YI_CUN, ER_CUN, SAN_CUN = "430101100001", "430101100002", "430101200001"
XI_XIAN, E_CUN = "620102000000", "620102100002"


@pytest.fixture(scope="module")
def gap_db_path(tmp_path_factory):
    return build_db(FIXTURES / "villages_gap", tmp_path_factory.mktemp("villages_gap_page"))


def open_page(db_path, monkeypatch, *, lang: str | None = None, scope: str | None = None) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if scope is not None:  # an account limited to one county (its region tree starts there)
        at = signed_in(at, role="admin", scope=scope, username="county_" + scope)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/village_exit.py").run()
    assert not at.exception
    return at


@pytest.fixture
def tiny_page(tiny_db_path, monkeypatch, navigation_apptest) -> AppTest:
    # the last quarter end the data reaches (2019-12-20 → 2019-12-31) is the default date
    at = open_page(tiny_db_path, monkeypatch)
    assert at.selectbox(key="as_of_choice").value == dt.date(2019, 12, 31)
    return at


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def village_table(at: AppTest) -> pd.DataFrame:
    """The village list as shown, indexed by village name, in the order shown."""
    table = next(d for d in at.dataframe if d.key and d.key.startswith("ve_villages_"))
    return table.value.set_index("village")


def column_labels(at: AppTest, key_prefix: str) -> dict[str, str]:
    table = next(d for d in at.dataframe if d.key and d.key.startswith(key_prefix))
    return {name: config["label"] for name, config in json.loads(table.proto.columns).items() if "label" in config}


def plotly_array(value) -> list:
    """A plotly JSON array: a list, or a typed array {dtype, bdata (base64)} as plotly writes numbers."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def all_text(at: AppTest) -> str:
    """Every element of the run as text: protos as JSON (non-ASCII kept) and every table's cells."""
    parts, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(json.dumps(MessageToDict(proto), ensure_ascii=False))
        if getattr(node, "type", None) == "dataframe":
            parts.append(node.value.to_string())
    return "\n".join(parts)


def personal_data(package) -> set[str]:
    """Every full name and ID number of a fixture package."""
    values = set()
    with open(package / "贫困户.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            values |= {row["户主姓名"], row["户主证件号码"]}
    members = package / "家庭成员.csv"
    if members.exists():
        with open(members, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                values |= {row["姓名"], row["证件号码"]}
    return values - {""}


# ---- the list of poor villages ------------------------------------------------------------------

def test_tiny_list_judges_each_village_under_the_hunan_preset(tiny_page):
    at = tiny_page
    # 2019-12-31. 一村: exited 2019-12-20; the 2018 village_year row is in force (pop 520, income 45,000,
    # road/power/water/clinic 是); still poor: none (H1 exited 2016, H2 2019-09-30, H3 gone) → 0/520.
    # 三村: 2019 row (pop 310, income 12,000, road/power/water 是, clinic 否); H6 still poor with 2 people
    # (P15, P17; P16 left 2016) → 2/310 = 0.65% passes; income gap 40,000 − 12,000 = 28,000 = 2.80万元.
    assert metrics(at) == {
        "贫困村": ("2个", ""),
        "已出列": ("1个", ""),
        "达到全部标准（湖南省标准）": ("1个", ""),
        "未达标的贫困村（含已出列）": ("1个", "其中未出列1个"),
    }
    table = village_table(at)
    assert list(table.index) == ["三村", "一村"]  # failing first
    assert table.loc["三村", ["incidence", "collective_income", "paved_road", "power", "safe_water", "clinic"]].tolist() \
        == ["✓ 0.65%", "✗", "✓", "✓", "✓", "✗"]
    assert table.loc["三村", "overall"] == "✗ 未达标"
    assert table.loc["三村", "income_gap_wan"] == pytest.approx(2.8)
    assert table.loc["三村", "people_to_exit"] == 0
    assert table.loc["三村", "missing_items"] == "标准化卫生室"
    assert table.loc["三村", "exit_status"] == "未出列（计划2020年）"
    assert table.loc["一村", ["incidence", "collective_income", "paved_road", "power", "safe_water", "clinic"]].tolist() \
        == ["✓ 0.00%", "✓", "✓", "✓", "✓", "✓"]
    assert table.loc["一村", "exit_status"] == "已出列（2019-12-20）"
    labels = column_labels(at, "ve_villages_")
    assert labels["clinic"] == "标准化卫生室" and labels["income_gap_wan"] == "集体收入缺口（万元）"
    assert "broadband" not in table.columns  # hunan does not require broadband
    # the chart counts villages failing each criterion: collective income 1, clinic 1, the others 0
    chart = next(c for c in at.get("plotly_chart"))
    not_met = next(trace for trace in json.loads(chart.proto.spec)["data"] if trace["name"] == "未达标")
    assert dict(zip(not_met["y"], plotly_array(not_met["x"]), strict=True)) == {
        "贫困发生率": 0, "村集体经济收入": 1, "通硬化路": 0, "通动力电": 0, "安全饮水": 0, "标准化卫生室": 1}


def test_earlier_date_changes_the_judgement(tiny_page):
    at = tiny_page
    at.selectbox(key="as_of_choice").set_value(dt.date(2018, 12, 31)).run()
    assert not at.exception
    # 2018-12-31: 一村 not exited yet; its 2018 row: H2 poor again with 1 person (P6 left 12-01) → 1/520
    # = 0.19%, everything else met → passes. 三村 still on its 2014 row: pop 300, H6 2人 → 0.67%; income 0
    # (gap 4.00万元), road 否, water 否, clinic 否, power 是 → fails four criteria.
    assert metrics(at)["已出列"] == ("0个", "")
    assert metrics(at)["未达标的贫困村（含已出列）"] == ("1个", "其中未出列1个")
    table = village_table(at)
    assert table.loc["三村", ["incidence", "collective_income", "paved_road", "power", "safe_water", "clinic"]].tolist() \
        == ["✓ 0.67%", "✗", "✗", "✓", "✗", "✗"]
    assert table.loc["三村", "income_gap_wan"] == pytest.approx(4.0)
    assert table.loc["一村", "incidence"] == "✓ 0.19%"
    assert table.loc["一村", "overall"] == "✓ 达标"


def test_township_and_criterion_filters(tiny_page):
    at = tiny_page
    at.multiselect(key=f"ve_townships_{COUNTY}").set_value(["甲乡"]).run()
    # 甲乡 holds one poor village, 一村 (二村 is not poor): exited and meeting every criterion
    assert list(village_table(at).index) == ["一村"]
    assert metrics(at)["贫困村"] == ("1个", "") and metrics(at)["未达标的贫困村（含已出列）"] == ("0个", "其中未出列0个")
    at.multiselect(key=f"ve_townships_{COUNTY}").set_value([]).run()
    at.multiselect(key="ve_criteria_hunan").set_value(["clinic"]).run()
    assert list(village_table(at).index) == ["三村"]  # the only village without a clinic
    at.multiselect(key="ve_criteria_hunan").set_value(["paved_road"]).run()
    assert village_table(at).empty


def test_changing_the_preset_changes_the_criteria_columns(tiny_page):
    at = tiny_page
    at.selectbox(key="rules").set_value("national").run()
    assert not at.exception
    # national: incidence only (2%); both villages are below it (0.65%, 0.00%)
    table = village_table(at)
    criteria = {"incidence", "collective_income", "collective_economy", "paved_road", "power", "safe_water",
                "broadband", "clinic", "culture_center", "leading_industry"}
    assert criteria & set(table.columns) == {"incidence"}
    assert "income_gap_wan" not in table.columns
    assert metrics(at)["达到全部标准（国家标准）"] == ("2个", "")
    assert any("所有贫困村均达到国家标准的全部出列标准" in s.value for s in at.success)
    at.selectbox(key="rules").set_value("henan").run()
    # henan adds road, water, power, culture centre, clinic, broadband. 一村 (2018 row): broadband 否,
    # culture centre 否. 三村 (2019 row): broadband 否, clinic 否, culture centre 是.
    table = village_table(at)
    assert criteria & set(table.columns) == {"incidence", "paved_road", "power", "safe_water", "broadband",
                                             "clinic", "culture_center"}
    assert table.loc["一村", ["broadband", "culture_center", "clinic"]].tolist() == ["✗", "✗", "✓"]
    assert table.loc["三村", ["broadband", "culture_center", "clinic"]].tolist() == ["✗", "✓", "✗"]
    assert metrics(at)["未达标的贫困村（含已出列）"] == ("2个", "其中未出列1个")


def test_gap_fixture_pass_fail_and_gaps(gap_db_path, monkeypatch, navigation_apptest):
    # villages_gap/EXPECTED.md, 2019-12-31. 62… is no preset province: national (2%, 西部 3%).
    at = open_page(gap_db_path, monkeypatch)
    table = village_table(at)
    # one failed criterion each for A, B, E (ties by code), then the passing C and D
    assert list(table.index) == ["A村", "B村", "E村", "C村", "D村"]
    assert table.incidence.tolist() == ["✗ 2.00%", "无数据", "✗ 10.00%", "✓ 1.50%", "✓ 2.00%"]
    # A: floor(2 − 0.02 × 100) + 1 = 1; B: no village_year row → no figure; E: floor(4 − 0.03 × 40) + 1 = 3
    assert table.people_to_exit.iloc[0] == 1 and pd.isna(table.people_to_exit.iloc[1])
    assert table.people_to_exit.iloc[2] == 3
    assert table.loc["B村", "no_data_items"] == "贫困发生率"
    assert table.loc["D村", "exit_status"] == "已出列（2019-12-20）"  # 西部: 2.00% is below 3%

    at.selectbox(key="rules").set_value("hunan").run()
    table = village_table(at)
    # hunan failures: B 6 (all no data), E 4, C 2, A 1, D 1 — most failures first
    assert list(table.index) == ["B村", "E村", "C村", "A村", "D村"]
    assert table.loc["B村", ["incidence", "collective_income", "paved_road", "power", "safe_water", "clinic"]].tolist() \
        == ["无数据"] * 6
    # E: 4/40; floor(4 − 0.02 × 40) + 1 = 4 to exit; income 25,000 → gap 15,000 = 1.50万元; road and clinic 否
    assert table.loc["E村", "people_to_exit"] == 4
    assert table.loc["E村", "income_gap_wan"] == pytest.approx(1.5)
    assert table.loc["E村", "missing_items"] == "通硬化路、标准化卫生室"
    # C: income and road left empty → no data, not "missing"
    assert table.loc["C村", ["collective_income", "paved_road"]].tolist() == ["无数据", "无数据"]
    assert table.loc["C村", "no_data_items"] == "村集体经济收入、通硬化路"
    assert table.loc["C村", "missing_items"] == ""
    # D: 2/100 is not below hunan's 2% (no western allowance) → 1 to exit; income 40,000 = threshold passes
    assert table.loc["D村", ["incidence", "collective_income"]].tolist() == ["✗ 2.00%", "✓"]
    assert table.loc["D村", "people_to_exit"] == 1


# ---- the village profile ------------------------------------------------------------------------

def test_village_profile_from_the_region_picker(tiny_page):
    at = tiny_page
    at.selectbox(key="pick_1").set_value(YI).run()
    at.selectbox(key="pick_2").set_value(SAN_CUN).run()
    assert not at.exception
    # 三村 at 2019-12-31: H6 only, 2 people (P15, P17), still poor; 2/310 = 0.65%
    shown = metrics(at)
    assert shown["建档立卡（现有）"] == ("1户2人", "")
    assert shown["未脱贫"] == ("1户2人", "")
    assert shown["贫困发生率"] == ("0.65%", "标准：低于2.00%")
    assert shown["出列状态"] == ("未出列", "计划2020年出列")
    criteria = next(d for d in at.dataframe if "gap" in d.value.columns).value.set_index("criterion")
    assert criteria.loc["村集体经济收入", ["requirement", "value", "result", "gap"]].tolist() == [
        "不低于4.00万元", "1.20万元", "✗", "还差 2.80万元"]
    assert criteria.loc["标准化卫生室", ["value", "result", "gap"]].tolist() == ["无", "✗", "尚未具备"]
    assert criteria.loc["贫困发生率", ["value", "result", "gap"]].tolist() == [
        "0.65%（未脱贫2人 ÷ 农业户籍人口310人）", "✓", "—"]
    assert any(e.value == "未达标：村集体经济收入、标准化卫生室" for e in at.error)
    # XM3 (2018, 50,000 allocated, never started; planned start 2018-06-01 → overdue)
    projects = next(d for d in at.dataframe if "project_id" in d.value.columns).value
    assert projects[["project_id", "status", "overdue"]].values.tolist() == [["XM3", "未开工", "⚠ 逾期"]]
    assert shown["下达"] == ("5.00万元", "")
    # H6: 2018 row, (1,500 + 500 + 0 + 2,000 − 300) ÷ 2 = 1,850 < 2,995; medical and housing 否
    households = next(d for d in at.dataframe if "household_id" in d.value.columns).value
    assert households[["mark", "household_id", "head", "id_number"]].values.tolist() == [
        ["● 未脱贫", "H6", "吴*顺", "430101********0064"]]
    assert households.failing.iloc[0] == "人均纯收入达线、基本医疗有保障、住房安全有保障"
    text = all_text(at)
    assert not [value for value in personal_data(TINY) if value in text]


def test_exited_households_failing_the_standard_are_marked_as_wrong_exit_risks(tiny_page):
    at = tiny_page
    at.selectbox(key="pick_1").set_value(JIA).run()
    at.selectbox(key="pick_2").set_value(ER_CUN).run()
    assert not at.exception
    # 二村 is not a poor village: said so, and its households are still listed. At 2019-12-31 it holds H5
    # (H4 removed 2017): P12, P13 and P14 (joined 2019-05-01) = 1户3人, exited 2018-12-01. Its 2018 row:
    # (4,000 + 1,500 + 0 + 800 − 700) ÷ 2 = 2,800 < 2,995 (2018 line) → a 错退 risk on income.
    assert any("二村不是建档立卡贫困村" in i.value for i in at.info)
    shown = metrics(at)
    assert shown["建档立卡（现有）"] == ("1户3人", "")
    assert shown["未脱贫"] == ("0户0人", "")
    assert shown["出列状态"] == ("非贫困村", "")
    households = next(d for d in at.dataframe if "household_id" in d.value.columns).value
    assert households[["mark", "household_id", "head", "failing"]].values.tolist() == [
        ["⚠ 错退风险", "H5", "周*福", "人均纯收入达线"]]
    assert any("错退风险**（1户）" in m.value for m in at.markdown)

    # 一村 (poor, exited 2019-12-20): H1 and H2 both exited and meet the standard of their exit years
    # (H1 2016: (9,000 + 4,000 + 1,500 − 2,000) ÷ 3 = 4,166.67 ≥ 2,952; H2 2019: 3,800 ≥ 3,218) → unmarked
    at.selectbox(key="pick_2").set_value(YI_CUN).run()
    households = next(d for d in at.dataframe if "household_id" in d.value.columns).value
    assert households[["mark", "household_id", "head"]].values.tolist() == [["", "H1", "赵*山"], ["", "H2", "钱*妹"]]
    assert metrics(at)["出列状态"] == ("已出列", "2019-12-20")
    assert any(s.value == "达到湖南省标准的全部出列标准。" for s in at.success)


def test_clicking_a_row_opens_the_village_and_the_breadcrumb_comes_back(tiny_page):
    at = tiny_page
    # row 0 is the first village shown: 三村 (failing first)
    at.session_state["ve_villages_0"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.query_params["region"] == SAN_CUN
    assert metrics(at)["未脱贫"] == ("1户2人", "")
    at.button(key=f"crumb_{COUNTY}").click().run()
    assert not at.exception
    # back on the list, which does not reopen the village
    assert list(village_table(at).index) == ["三村", "一村"]
    assert at.query_params["region"] == COUNTY


def test_gap_in_words_and_household_marks_in_a_western_village(gap_db_path, monkeypatch, navigation_apptest):
    # An account of 西县: its tree starts at 西县 → 西乡 (single child), so the picker lists D, E, F村.
    at = open_page(gap_db_path, monkeypatch, scope=XI_XIAN)
    at.selectbox(key="pick_1").set_value(E_CUN).run()
    assert not at.exception
    # national, 西部 3%: E村 4/40 = 10.00%; floor(4 − 0.03 × 40) + 1 = 3 people to exit
    criteria = next(d for d in at.dataframe if "gap" in d.value.columns).value.set_index("criterion")
    assert criteria.loc["贫困发生率", ["requirement", "result", "gap"]].tolist() == [
        "低于3.00%（西部地区）", "✗", "还需脱贫 3 人方可低于 3.00%"]
    assert any("本村还需脱贫 3 人方可低于 3.00%" in m.value for m in at.markdown)
    # GE1 still poor (failing income and education in 2019); GE2 exited 2019-11-30 without any
    # household_year row: all six checks fail as no data → 错退 risk
    households = next(d for d in at.dataframe if "household_id" in d.value.columns).value
    assert households[["mark", "household_id", "head"]].values.tolist() == [
        ["● 未脱贫", "GE1", "欧**明"], ["⚠ 错退风险", "GE2", "郑*"]]
    assert households.failing.iloc[0] == "人均纯收入达线、义务教育有保障"
    assert households.failing.iloc[1].startswith("人均纯收入达线（无数据）、吃穿不愁（无数据）")
    text = all_text(at)
    assert not [value for value in personal_data(FIXTURES / "villages_gap") if value in text]


def test_english(tiny_db_path, monkeypatch, navigation_apptest):
    at = open_page(tiny_db_path, monkeypatch, lang="en")
    assert metrics(at)["Failing exit rules (exited included)"] == ("1", "1 of them not yet exited")
    labels = column_labels(at, "ve_villages_")
    assert labels["clinic"] == "Standard clinic" and labels["people_to_exit"] == "Still to exit (people)"
    assert village_table(at).loc["三村", "overall"] == "✗ falls short"
    at.selectbox(key="pick_1").set_value(YI).run()
    at.selectbox(key="pick_2").set_value(SAN_CUN).run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Registered (current)"] == ("1 household, 2 people", "")
    assert shown["Poverty incidence"] == ("0.65%", "threshold: below 2.00%")
    criteria = next(d for d in at.dataframe if "gap" in d.value.columns).value.set_index("criterion")
    assert criteria.loc["Collective income", "gap"] == "2.80 × 10k yuan still missing"
    households = next(d for d in at.dataframe if "household_id" in d.value.columns).value
    assert households.mark.tolist() == ["● still poor"] and households.status.tolist() == ["Still poor"]
    # every header of the tables shown is in English
    for table in at.dataframe:
        for config in json.loads(table.proto.columns).values():
            assert "label" not in config or config["label"].isascii()


def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch)
    table = village_table(at)
    assert len(table) == int(metrics(at)["贫困村"][0].rstrip("个"))
    first = table.index[0]
    at.session_state["ve_villages_0"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert any(first in m.value for m in at.markdown) or any(first in s.value for s in at.subheader)
