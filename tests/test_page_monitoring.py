"""防返贫监测 Monitoring page (pages/monitoring.py) on tests/fixtures/monitoring: tiles, waterfalls, the
quality lists and the drill to masked households equal the fixture's EXPECTED.md (hand-worked there;
the state at 2025-03-31 for the tiles' change is worked out below from its stories); a package without
monitoring data says so; a smoke run on the demo county, in English too."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from access import Store
from queries import Database
from tests.conftest import ROOT

FULL_NAMES = ("孙立国", "李春花", "周大海", "吴小梅", "郑志强", "王建军", "冯秀兰", "陈二牛", "褚小燕", "卫长青")


def open_page(db_path, monkeypatch, as_of: dt.date | None = None) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.switch_page("pages/monitoring.py").run()
    if as_of is not None:
        at.selectbox(key="as_of_choice").set_value(as_of).run()
    assert not at.exception
    return at


def tiles(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def chart(at, key: str) -> list[dict]:
    [element] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-" + key)]
    return json.loads(element.proto.spec)["data"]


def grid_column(at, column: str, *, index: int) -> list:
    return at.dataframe[index].value[column].tolist()


@pytest.fixture
def mid_2025(monitoring_db_path, monkeypatch, navigation_apptest) -> AppTest:
    return open_page(monitoring_db_path, monkeypatch, dt.date(2025, 6, 30))


def test_tiles_mid_2025_with_the_change_since_the_quarter_before(mid_2025):
    # 2025-06-30: identified 7户18人, at risk 4户10人, cleared 3户8人, rate 3/7 (EXPECTED.md). 2025-03-31: M01
    # (J02 from 2025-03-10) 4, M02 2, M04 3 (J05 open until 2025-06-30), E01 2 at risk = 4户11人; M03 3, E02 2
    # cleared = 2户5人; identified 6户16人; rate 2/6.
    shown = tiles(mid_2025)
    assert shown["累计识别监测对象"] == ("7户18人", "+1户+2人（较2025-03-31）")
    assert shown["未消除风险"] == ("4户10人", "0户-1人（较2025-03-31）")
    assert shown["已消除风险"] == ("3户8人", "+1户+3人（较2025-03-31）")
    assert shown["风险消除率"] == ("42.86%", "+9.52pp（较2025-03-31）")
    assert "原建档立卡户3户8人" in mid_2025.caption[0].value  # M01, M02, M05
    # assistance coverage at 2025-06-30: exited 4 of 7, at risk 4 of 4
    assert shown["脱贫户中有产业或就业帮扶的"] == ("57.14%", "4/7户")
    assert shown["未消除风险户中有产业或就业帮扶的"] == ("100.00%", "4/4户")


def test_at_risk_by_kind_risk_and_township(mid_2025):
    [at_risk, cleared] = chart(mid_2025, "mon_by_kind")
    assert at_risk["x"] == ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
    assert (at_risk["y"], cleared["y"]) == ([1, 1, 2], [2, 1, 0])
    [risk_at, _] = chart(mid_2025, "mon_by_risk")
    assert dict(zip(risk_at["x"], risk_at["y"], strict=True)) == {
        "因病": 2, "因学": 1, "因残": 0, "因灾": 1, "因意外事故": 2, "因产业项目失败": 0, "因务工就业不稳": 0,
        "因人口变化": 0, "其他": 0}
    [town_at, town_cleared] = chart(mid_2025, "mon_by_township")
    assert (town_at["x"], town_at["y"], town_cleared["y"]) == (["东乡", "西乡"], [3, 1], [1, 2])


def test_the_year_2024_waterfall_and_quality_lists(monitoring_db_path, monkeypatch, navigation_apptest):
    at = open_page(monitoring_db_path, monkeypatch, dt.date(2024, 12, 31))
    at.segmented_control(key="mon_window").set_value("year").run()
    assert not at.exception
    [households] = chart(at, "mon_flows_households")
    assert households["x"] == ["期初", "新识别", "风险消除", "期末"] and households["y"] == [1, 4, -2, 3]
    [people] = chart(at, "mon_flows_people")
    assert people["y"] == [2, 11, -6, 1, -1, 7]
    # timeliness 2024: J06 19 days late; J05 15, J01 11, J03 9 → 3 of 4
    assert tiles(at)["15天内认定的比例"] == ("75.00%", "3/4起")
    assert grid_column(at, "monitoring_id", index=0) == ["J06"]
    # year 2024 (as_of is 31 December): gaps M01, E03, M06; clearance check J01
    assert at.selectbox(key="mon_year").value == 2024
    assert sorted(grid_column(at, "household_id", index=1)) == ["E03", "M01", "M06"]
    assert grid_column(at, "monitoring_id", index=2) == ["J01"]
    assert grid_column(at, "failing", index=2) == ["收入"]
    assert "2024年监测范围：人均纯收入8,700元（3个村）" in [c.value for c in at.caption]


def test_a_year_without_threshold_says_so(monitoring_db_path, monkeypatch, navigation_apptest):
    at = open_page(monitoring_db_path, monkeypatch, dt.date(2023, 12, 31))
    assert at.selectbox(key="mon_year").value == 2023
    assert at.warning[0].value.startswith("2023年有3个村没有监测范围")
    assert grid_column(at, "household_id", index=1) == ["M03"]  # gaps: water (EXPECTED.md)


def test_drill_to_a_village_shows_masked_households_with_episodes_and_measures(mid_2025, tmp_path):
    at = mid_2025
    at.selectbox(key="mon_township").set_value("532999100000").run()
    at.selectbox(key="mon_village").set_value("532999100001").run()
    assert not at.exception
    villages = at.dataframe[3].value
    assert villages["group"].tolist() == ["东一村", "东二村"]
    households = at.dataframe[4].value
    assert households["household_id"].tolist() == ["M01", "M02", "E01"]
    assert households["head_name_masked"].tolist() == ["孙*国", "李*花", "陈*牛"]
    assert households["registered"].tolist() == ["是", "是", "否"]
    assert households["episode_list"].iloc[0] == (
        "2024-01-05–2024-09-30 脱贫不稳定户（因病）; 2025-03-10– 脱贫不稳定户（因病、因学）")
    assert households["measure_list"].iloc[2] == "就业 2024-05-10; 产业 2025-02-01"
    page_text = " ".join(str(frame.value.to_dict()) for frame in at.dataframe) + " ".join(
        c.value for c in at.caption)
    assert not [name for name in FULL_NAMES if name in page_text]
    # who looked at which village's list is in the audit log, as for the registry's lists
    log = Store(tmp_path / "accounts.sqlite").audit_log()
    assert any(action == "view_households" and region == "532999100001" and detail.startswith("monitoring_households")
               for _at, _user, _role, action, region, detail in log)


def test_english(mid_2025):
    at = mid_2025
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception
    shown = tiles(at)
    assert shown["Identified for monitoring"] == ("7 households, 18 people", "+1 household, +2 people since 2025-03-31")
    assert shown["Clearance rate"][0] == "42.86%"
    assert at.title[0].value == "Monitoring"


def test_a_package_without_monitoring_data_says_so(tiny_db_path, monkeypatch, navigation_apptest):
    at = open_page(tiny_db_path, monkeypatch)
    assert at.info[0].value == "该数据包没有防返贫监测对象数据（防返贫监测对象.csv），本页无可显示的内容。"
    assert not at.metric
    # the page ends there, and still says which load its (absent) figures come from
    with Database(tiny_db_path) as db:
        loaded_at = db.query("load_info").loaded_at.iloc[0]
    assert [c.value for c in at.caption if c.value.startswith("数据导入于")] == [
        f"数据导入于 {loaded_at:%Y-%m-%d %H:%M}，来源：tiny"]


@pytest.mark.slow
def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch)
    assert at.selectbox(key="as_of_choice").value == dt.date(2026, 12, 31)  # the picker reaches 2026
    shown = tiles(at)
    assert {"累计识别监测对象", "未消除风险", "已消除风险", "风险消除率"} <= set(shown)
    assert shown["累计识别监测对象"][0].endswith("人") and shown["风险消除率"][0].endswith("%")
    assert len(at.get("plotly_chart")) == 6  # kind, risk, township, two waterfalls, coverage
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception and "Still at risk" in tiles(at)


# ---- the overview's monitoring row --------------------------------------------------------------------


def test_the_overview_gains_a_monitoring_row_when_the_package_has_monitoring_data(
        monitoring_db_path, tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(monitoring_db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.selectbox(key="as_of_choice").set_value(dt.date(2025, 6, 30)).run()
    assert not at.exception
    shown = tiles(at)
    assert shown["累计识别监测对象"] == ("7户18人", "+1户+2人（较2025-03-31）")
    assert shown["未消除风险"] == ("4户10人", "0户-1人（较2025-03-31）")
    assert shown["已消除风险"] == ("3户8人", "+1户+3人（较2025-03-31）")
    assert shown["风险消除率"] == ("42.86%", "+9.52pp（较2025-03-31）")
    assert shown["建档立卡（现有）"][0] == "7户17人"  # edge households count in no registry figure

    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    plain = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not plain.exception and "累计识别监测对象" not in tiles(plain)


# ---- the map's at-risk measure ------------------------------------------------------------------------


def test_the_map_shows_households_at_risk_per_area(monitoring_db_path, tiny_db_path, monkeypatch,
                                                   navigation_apptest):
    at = open_page(monitoring_db_path, monkeypatch, dt.date(2025, 6, 30))
    at.switch_page("pages/map.py").run()
    assert at.segmented_control(key="map_metric").options[-1] == "未消除风险监测户"
    at.segmented_control(key="map_metric").set_value("at_risk").run()
    assert not at.exception
    table = at.dataframe[0].value
    # 东乡 3户8人 at risk of 4户11人 identified (rate 0.25), 西乡 1户2人 of 3户7人 (EXPECTED.md)
    assert table[["region_name", "households_at_risk", "people_at_risk", "households_identified"]].values.tolist() == [
        ["东乡", 3, 8, 4], ["西乡", 1, 2, 3]]
    assert table["clearance_pct"].round(2).tolist() == [25.0, 66.67]

    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    plain = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    plain.switch_page("pages/map.py").run()
    assert len(plain.segmented_control(key="map_metric").options) == 4  # no monitoring data: no such measure


# ---- data is plain text ---------------------------------------------------------------------------------

HOSTILE = {  # the fixture's townships and a village renamed with markup (tests/hostile.py does it for tiny)
    "532999100000": '东乡<a href="http://evil.example/a">点此</a>',
    "532999200000": "西乡 **粗** :red[红] http://evil.example/bare",
    "532999100001": "东一村![t](http://evil.example/t.png)",
}


def test_hostile_area_names_are_plain_text_on_the_page_and_the_map(tmp_path, monkeypatch, navigation_apptest):
    from etl.load import load_package
    from tests.conftest import MONITORING
    from tests.packages import copy_package, edit_csv
    from tests.test_plain_text import live_markup

    package = copy_package(MONITORING, tmp_path / "package")

    def regions(rows):
        for row in rows:
            row["名称"] = HOSTILE.get(row["区划代码"], row["名称"])
        return rows

    edit_csv(package, "区划", regions)
    load_package(package, tmp_path / "hostile.duckdb")
    at = open_page(tmp_path / "hostile.duckdb", monkeypatch, dt.date(2025, 6, 30))
    at.selectbox(key="mon_township").set_value("532999100000").run()
    at.selectbox(key="mon_village").set_value("532999100001").run()
    assert not at.exception
    assert live_markup(at) == []
    spec = json.dumps(chart(at, "mon_by_township"), ensure_ascii=False)
    assert '东乡&lt;a href=\\"http://evil.example/a\\"&gt;' in spec  # escaped, not dropped
    at.switch_page("pages/map.py").run()
    at.segmented_control(key="map_metric").set_value("at_risk").run()
    assert not at.exception and live_markup(at) == []


def test_the_quality_lists_open_on_the_latest_year_with_household_data(demo_db_path, monkeypatch,
                                                                       navigation_apptest):
    # the demo's household years end with 2025: at 2026-12-31 the lists open on 2025, not on an empty 2026
    at = open_page(demo_db_path, monkeypatch)
    assert at.selectbox(key="mon_year").value == 2025
    assert at.selectbox(key="mon_year").options[0] == "2026"
