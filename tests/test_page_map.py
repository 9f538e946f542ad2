"""地图 Map page (pages/map.py) on the tiny county with boundaries, and the helpers of ui/maps.py.

Expected figures are worked out by hand from tests/fixtures/tiny (EXPECTED.md and the CSVs):
未脱贫 per area and date from the household stories, 农业户籍人口 from 村年度情况 (一村 500 → 520 from
2018, 二村 800, 三村 300 → 310 from 2019), money from 资金明细. Tiny is in Hunan (code 43), so the
default exit rule preset is hunan: incidence line 2% (data/reference/exit_rules.csv), and the
incidence classes break at 2%/8, /4, /2, ×1, ×2, ×5 = 0.25%, 0.50%, 1.00%, 2.00%, 4.00%, 10.00%.

A click on the map or a table row is simulated by writing the widget's selection state, which is
what the browser sends (checked by hand in a real browser: see the report of this page).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_queries_map import COUNTY, ERCUN, JIA, SANCUN, YI, YICUN, build_tiny_with_boundaries
from ui import maps


@pytest.fixture(scope="module")
def boundaries_db(tmp_path_factory):
    return build_tiny_with_boundaries(tmp_path_factory.mktemp("tiny_map"))


def open_map(db, monkeypatch, as_of: dt.date | None = None) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/map.py").run()
    if as_of is not None:
        at.selectbox(key="as_of_choice").set_value(as_of).run()
    assert not at.exception
    return at


def spec(at) -> dict:
    [chart] = at.get("plotly_chart")
    return json.loads(chart.proto.spec)


def classes(at) -> dict[str, list[str]]:
    """Legend entry → the region codes drawn in that class."""
    return {trace["name"]: list(trace["locations"]) for trace in spec(at)["data"] if trace.get("showlegend")}


def hovers(at) -> dict[str, str]:
    return {code: text for trace in spec(at)["data"] if trace.get("showlegend")
            for code, text in zip(trace["locations"], trace["hovertext"], strict=True)}


def legend_title(at) -> str:
    return spec(at)["layout"]["legend"]["title"]["text"]


def table(at) -> pd.DataFrame:
    return at.dataframe[0].value


def choose(at, metric: str) -> AppTest:
    at.segmented_control(key="map_metric").set_value(metric).run()
    assert not at.exception
    return at


# ---- the page on tiny ---------------------------------------------------------------------------


def test_county_incidence_by_township_and_a_change_of_date(boundaries_db, monkeypatch, navigation_apptest):
    at = open_map(boundaries_db, monkeypatch, as_of=dt.date(2019, 12, 31))
    # 2019-12-31: 甲乡 0户0人 (H1, H2, H5 exited, H3 gone, H4 removed) of 520 + 800 = 1,320 → 0.00%;
    # 乙镇 H6 1户2人 of 310 → 0.645% → 0.50%–1.00%
    assert legend_title(at) == "贫困发生率（出列线 2.00%）"
    assert classes(at) == {"0.00%": [JIA], "0.50%–1.00%": [YI]}
    assert hovers(at) == {
        JIA: "<b>甲乡</b><br>未脱贫 0户0人<br>贫困发生率 0.00%（农业户籍人口 1,320人）",
        YI: "<b>乙镇</b><br>未脱贫 1户2人<br>贫困发生率 0.65%（农业户籍人口 310人）",
    }
    ranked = table(at)
    assert ranked.region_name.tolist() == ["乙镇", "甲乡"]  # highest incidence first
    assert ranked["rank"].tolist() == [1, 2]
    assert ranked.incidence_pct.tolist() == pytest.approx([200 / 310, 0.0])
    assert (ranked.households_poor.tolist(), ranked.people_poor.tolist()) == ([1, 0], [2, 0])
    assert not at.warning  # every township has a boundary

    # 2017-12-31: 甲乡 H3 (1人) + H5 (2人) = 2户3人 of 1,300 → 0.23% → below 0.25%; 乙镇 1户2人 of 300 → 0.67%
    at.selectbox(key="as_of_choice").set_value(dt.date(2017, 12, 31)).run()
    assert classes(at) == {"低于0.25%": [JIA], "0.50%–1.00%": [YI]}
    assert hovers(at)[JIA] == "<b>甲乡</b><br>未脱贫 2户3人<br>贫困发生率 0.23%（农业户籍人口 1,300人）"


def test_township_in_view_shows_its_villages_and_names_the_one_without_boundary(boundaries_db, monkeypatch,
                                                                                navigation_apptest):
    at = open_map(boundaries_db, monkeypatch, as_of=dt.date(2015, 6, 30))
    at.selectbox(key="pick_1").set_value(JIA).run()
    assert not at.exception
    # 2015-06-30: 一村 H1 3 + H2 2 + H3 1 = 3户6人 of 500 → 1.20%; 二村 H4 1户4人 of 800 → 0.50%, no boundary
    assert classes(at) == {"1.00%–2.00%": [YICUN]}
    assert hovers(at) == {YICUN: "<b>一村</b><br>未脱贫 3户6人<br>贫困发生率 1.20%（农业户籍人口 500人）"}
    assert [w.value for w in at.warning] == ["无边界数据（1个，未画在地图上，见右侧表格）：二村"]
    ranked = table(at)
    assert ranked.region_code.tolist() == [YICUN, ERCUN]
    assert ranked.incidence_pct.tolist() == pytest.approx([1.2, 0.5])
    assert at.subheader[0].value == "甲乡各村贫困发生率"


def test_metrics_people_exit_status_and_spending(boundaries_db, monkeypatch, navigation_apptest):
    at = open_map(boundaries_db, monkeypatch, as_of=dt.date(2015, 6, 30))
    # 未脱贫人口 2015-06-30: 甲乡 10, 乙镇 3. Breaks: the quartiles of (3, 10) are 4.75, 6.5, 8.25, rounded
    # up to 5, 10, 10 → classes 1–4, 5–9, ≥10
    choose(at, "people_poor")
    assert legend_title(at) == "未脱贫人口"
    assert classes(at) == {"10人及以上": [JIA], "1–4人": [YI]}
    assert table(at).region_name.tolist() == ["甲乡", "乙镇"]

    # 出列状态 by township: 一村 exits 2019-12-20, 三村 never; each township has one poor village
    choose(at, "exit")
    at.selectbox(key="as_of_choice").set_value(dt.date(2019, 9, 30)).run()
    assert classes(at) == {"1个贫困村未出列": [JIA, YI]}
    at.selectbox(key="as_of_choice").set_value(dt.date(2019, 12, 31)).run()
    assert classes(at) == {"贫困村全部出列": [JIA], "1个贫困村未出列": [YI]}
    assert hovers(at)[YI] == "<b>乙镇</b><br>未脱贫 1户2人<br>未出列贫困村 1 / 1个"
    assert table(at)[["region_name", "poor_villages_remaining", "poor_villages_total"]].values.tolist() == [
        ["乙镇", 1, 1], ["甲乡", 0, 1]]

    # … and by village in 甲乡: 一村 exited on 2019-12-20; 二村 is not a poor village (and has no boundary)
    at.selectbox(key="pick_1").set_value(JIA).run()
    assert classes(at) == {"已出列": [YICUN]}
    # 一村 under hunan (the 2018 村年度情况 row): 0/520 < 2%, collective income 45,000 ≥ 40,000, road,
    # power, water and clinic 是 → meets the standard
    assert hovers(at)[YICUN] == ("<b>一村</b><br>未脱贫 0户0人<br>出列状态：已出列<br>出列日期 2019-12-20<br>"
                                 "按湖南省标准：已达标")
    assert table(at)[["region_name", "status", "exited_on_text", "standard"]].values.tolist() == [
        ["一村", "已出列", "2019-12-20", "已达标"], ["二村", "非贫困村", "", ""]]

    # 支出进度 of 2018's projects at 2018-12-31: 甲乡 XM1 + XM2 下达 300,000, 支出 60,000 + 40,000 + 90,000
    # − 10,000 = 180,000 → 60.00%; 乙镇 XM3 下达 50,000, nothing spent → 0.00%
    at.selectbox(key="pick_1").set_value("").run()
    choose(at, "spending")
    at.selectbox(key="as_of_choice").set_value(dt.date(2018, 12, 31)).run()
    assert legend_title(at) == "2018年项目支出进度"
    assert classes(at) == {"低于30.00%": [YI], "60.00%–90.00%": [JIA]}
    # (still poor in 甲乡 then: H2 alone, back since 2018-06-01, 1 person after P6 left on 2018-12-01)
    assert hovers(at)[JIA] == ("<b>甲乡</b><br>未脱贫 1户1人<br>"
                               "2018年项目2个，支出进度 60.00%（支出 18.00万元 / 下达 30.00万元）")
    assert table(at)[["region_name", "spending_pct", "spent_wan", "allocated_wan"]].values.tolist() == [
        ["乙镇", 0.0, 0.0, 5.0], ["甲乡", 60.0, 18.0, 30.0]]
    # 2019: only XM4, placed at 甲乡 itself (10,000 allocated and spent); 乙镇 has no project → no data
    at.selectbox(key="as_of_choice").set_value(dt.date(2019, 12, 31)).run()
    assert classes(at) == {"90.00%及以上": [JIA], "无数据": [YI]}
    assert hovers(at)[YI] == "<b>乙镇</b><br>未脱贫 1户2人<br>2019年无项目"
    # in 甲乡 the project lies at the township, on no village: said under the map
    at.selectbox(key="pick_1").set_value(JIA).run()
    assert classes(at) == {"无数据": [YICUN]}
    assert "另有乡镇本级项目1个（下达 1.00万元，支出 1.00万元）不属于任何村，未在地图上显示。" in [
        c.value for c in at.caption]


def test_clicking_an_area_or_a_row_drills_in_and_a_village_is_outlined(boundaries_db, monkeypatch,
                                                                       navigation_apptest):
    at = open_map(boundaries_db, monkeypatch, as_of=dt.date(2019, 12, 31))
    # the selection a click on 乙镇 produces in the browser (curve 1, its only area)
    at.session_state[f"map_{COUNTY}_incidence"] = {"selection": {
        "points": [{"curve_number": 1, "point_index": 0, "location": YI, "customdata": YI, "z": 1}],
        "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="pick_1").value == YI
    assert classes(at) == {"0.50%–1.00%": [SANCUN]}  # 三村 2/310

    # a row of the ranked table opens that village; the map then shows 乙镇's villages, 三村 outlined
    at.session_state[f"map_table_{YI}_incidence"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert (at.selectbox(key="pick_1").value, at.selectbox(key="pick_2").value) == (YI, SANCUN)
    areas = [trace for trace in spec(at)["data"] if trace["type"] == "choroplethmap"]
    outline = [trace for trace in areas if not trace.get("showlegend")]
    assert [(trace["locations"], trace["hoverinfo"]) for trace in outline] == [([SANCUN], "skip")]
    # every village's name drawn on its area (ui/maps.py): the text layer, a click on a name picks the area
    names = [trace for trace in spec(at)["data"] if trace["type"] == "scattermap"]
    assert [(trace["mode"], sorted(zip(trace["text"], trace["customdata"], strict=True))) for trace in names] == [
        ("markers+text", [("三村", SANCUN)])]  # 乙镇's one village with a boundary
    assert at.subheader[0].value == "乙镇各村贫困发生率"


def test_english(boundaries_db, monkeypatch, navigation_apptest):
    at = open_map(boundaries_db, monkeypatch, as_of=dt.date(2019, 12, 31))
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception
    assert legend_title(at) == "Poverty incidence (exit line 2.00%)"
    assert classes(at) == {"0.00%": [JIA], "0.50%–1.00%": [YI]}
    assert hovers(at)[YI] == ("<b>乙镇</b><br>Still poor: 1 household, 2 people<br>"
                              "Poverty incidence 0.65% (rural registered population 310)")
    assert at.subheader[0].value == "Poverty incidence by township, 小试县"
    labels = [column.get("label") for column in json.loads(at.dataframe[0].proto.columns).values()]
    assert labels[:5] == ["Rank", "Township", "Incidence", "Poor households", "Poor people"]
    # AppTest formats a segmented control's value with its format_func outside the run, where the
    # language is the default (zh), so it cannot pick an English option: choose in Chinese, then switch.
    at.selectbox(key="language").set_value("zh").run()
    choose(at, "exit")
    at.selectbox(key="language").set_value("en").run()
    assert at.segmented_control(key="map_metric").value == "exit"
    assert classes(at) == {"All poor villages exited": [JIA], "1 poor village(s) not yet exited": [YI]}


def test_a_package_without_boundaries_says_so_and_still_ranks(tiny_db_path, monkeypatch, navigation_apptest):
    at = open_map(tiny_db_path, monkeypatch, as_of=dt.date(2019, 12, 31))
    assert not at.get("plotly_chart")
    assert at.info[-1].value.startswith("数据包中没有这些区域的边界数据")
    assert table(at).region_name.tolist() == ["乙镇", "甲乡"]


def test_demo_county_every_metric_and_a_township(demo_db_path, monkeypatch, navigation_apptest):
    at = open_map(demo_db_path, monkeypatch)
    for metric in ("incidence", "people_poor", "exit", "spending"):
        choose(at, metric)
        drawn = sorted(code for codes in classes(at).values() for code in codes)
        assert drawn == sorted(table(at).region_code) and len(drawn) == 12  # the demo's 12 townships
    at.selectbox(key="pick_1").set_value(table(at).region_code.iloc[0]).run()
    assert not at.exception
    drawn = sorted(code for codes in classes(at).values() for code in codes)
    assert drawn == sorted(table(at).region_code) and len(drawn) >= 10


# ---- ui/maps.py ---------------------------------------------------------------------------------


def test_clicked_region_reads_the_location_of_a_point_the_page_may_open():
    selection = {"selection": {"points": [{"curve_number": 1, "point_index": 4, "location": "439901105000",
                                           "customdata": "439901105000", "z": 1}],
                               "point_indices": [4], "box": [], "lasso": []}}
    assert maps.clicked_region(selection, {"439901105000", "439901106000"}) == "439901105000"
    assert maps.clicked_region(selection, {"439901106000"}) is None  # e.g. the village already in view
    assert maps.clicked_region({"selection": {"points": []}}, {"439901105000"}) is None
    assert maps.clicked_region(None, {"439901105000"}) is None


def test_class_breaks_and_classification():
    assert [maps.nice_ceiling(x) for x in (0.4, 1, 1.5, 3, 4.75, 6.5, 10, 11, 260)] == [1, 1, 2, 5, 5, 10, 10, 20, 500]
    assert maps.count_breaks([3, 10, 0, None]) == [5, 10]
    assert maps.count_breaks([0, 0]) == []
    values = pd.Series([0.0, 0.002, 0.005, 0.03, None])
    assert maps.classify(values, [0.0025, 0.005, 0.01]).tolist()[:4] == [0, 0, 2, 3]
    assert pd.isna(maps.classify(values, [0.0025]).iloc[4])


def test_fit_view_shows_the_whole_box():
    box = (112.90, 28.20, 113.05, 28.25)
    centre, zoom = maps.fit_view(box, width_px=440, height_px=300)
    assert centre["lon"] == pytest.approx(112.975) and 28.20 < centre["lat"] < 28.25
    # at that zoom the box's width fits in 440 px: 512 · 2^zoom px per 360°
    assert 512 * 2 ** zoom * 0.15 / 360 <= 440
    assert maps.bounds(['{"type":"MultiPolygon","coordinates":[[[[1,2],[3,4],[1,4],[1,2]]],[[[5,0],[6,1],[5,1],[5,0]]]]}']) \
        == (1, 0, 6, 4)
    assert maps.bounds([]) is None
