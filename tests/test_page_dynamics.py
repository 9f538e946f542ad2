"""动态管理 Dynamics page (pages/dynamics.py) on the tiny county: the tiles, the waterfalls, the
reconciliation table and the deregistration chart equal tests/fixtures/tiny/EXPECTED.md's flows of 2017
and 2018 (hand-worked there); other windows and regions are worked out below from the fixture's stories.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

JIA = "430101100000"  # 甲乡: 一村 (H1, H2, H3) and 二村 (H4, H5)


def open_page(db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/dynamics.py").run()
    assert not at.exception
    return at


@pytest.fixture
def page(tiny_db_path, monkeypatch, navigation_apptest) -> AppTest:
    return open_page(tiny_db_path, monkeypatch)


def choose(at: AppTest, *, as_of: dt.date | None = None, period: str | None = None, region: str | None = None):
    if as_of is not None:
        at.selectbox(key="as_of_choice").set_value(as_of).run()
    if region is not None:
        at.selectbox(key="pick_1").set_value(region).run()
    if period is not None:
        at.segmented_control(key="dyn_period").set_value(period).run()
    assert not at.exception
    return at


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def arrows(at) -> dict[str, tuple[str, str]]:
    """Each tile's arrow and colour as the browser draws them (Streamlit's metric proto)."""
    from streamlit.proto.Metric_pb2 import Metric

    return {m.label: (Metric.MetricDirection.Name(m.proto.direction), Metric.MetricColor.Name(m.proto.color))
            for m in at.metric if m.proto.delta}


def reconciliation(at) -> list[tuple]:
    """The reconciliation table (the first table on the page) as tuples."""
    frame = at.dataframe[0].value
    return [tuple(row) for row in frame.itertuples(index=False)]


def chart(at, key: str) -> list[dict]:
    """The traces of the plotly chart drawn with `key` (its element id ends in the key)."""
    [element] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-" + key)]
    return json.loads(element.proto.spec)["data"]


def layout(at, key: str) -> dict:
    """The layout of the plotly chart drawn with `key`."""
    [element] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-" + key)]
    return json.loads(element.proto.spec)["layout"]


def test_year_2017_equals_the_hand_worked_flows(page):
    at = choose(page, as_of=dt.date(2017, 12, 31), period="year")
    assert any(c.value == "统计时段：2017-01-01 至 2017-12-31" for c in at.caption)
    assert tiles(at) == {
        "期初在册": "5户12人",  # EXPECTED.md: opening 5户12人
        "期末在册": "5户11人",
        "期初未脱贫": "4户9人",  # H2, H3, H4, H6
        "期末未脱贫": "3户5人",
    }
    # 0户-1人 and -1户-4人 are falls: a down arrow, not the up arrow Streamlit reads from the leading "0";
    # the registry in grey, the still-poor falling in green
    assert {label: m.value for label, m in {m.label: m for m in at.metric}.items() if m.proto.delta} == {
        "期末在册": "5户11人", "期末未脱贫": "3户5人"}
    assert [m.delta for m in at.metric if m.proto.delta] == ["0户-1人", "-1户-4人"]
    assert arrows(at) == {"期末在册": ("DOWN", "GRAY"), "期末未脱贫": ("DOWN", "GREEN")}
    assert reconciliation(at) == [
        # 5户 + 识别纳入 1户 (H5) − 清退 1户 (H4) = 5户
        ("在册（现有建档）", "户", 5, 1, 1, 5, 5, "✓"),
        # 12人 + 识别纳入 2人 + 自然增加 1人 (P4) − 清退 4人 = 11人
        ("在册（现有建档）", "人", 12, 3, 4, 11, 11, "✓"),
        # 4户 + 识别纳入 1户 − 标注脱贫 1户 (H2) − 清退 1户 = 3户
        ("未脱贫", "户", 4, 1, 2, 3, 3, "✓"),
        # 9人 + 2人 − 标注脱贫 2人 − 清退 4人 = 5人 (P4 joins an exited household: registry only)
        ("未脱贫", "人", 9, 2, 6, 5, 5, "✓"),
    ]
    assert at.success[0].value == "四项均平衡 ✓"
    registry_people = chart(at, "dyn_registry_people")[0]
    assert registry_people["type"] == "waterfall"
    assert registry_people["x"] == ["期初", "识别纳入", "清退", "自然销户", "自然增加", "自然减少", "期末"]
    assert registry_people["y"] == [12, 2, -4, 0, 1, 0, 11]
    assert registry_people["measure"] == ["absolute", *["relative"] * 5, "absolute"]
    poor_households = chart(at, "dyn_poor_households")[0]
    assert poor_households["x"] == ["期初", "识别纳入", "返贫", "标注脱贫", "清退", "自然销户", "期末"]
    assert poor_households["y"] == [4, 1, 0, -1, -1, 0, 3]


def test_year_2018_and_its_deregistrations(page):
    at = choose(page, as_of=dt.date(2018, 12, 31), period="year")
    assert tiles(at) == {"期初在册": "5户11人", "期末在册": "4户9人", "期初未脱贫": "3户5人", "期末未脱贫": "2户3人"}
    assert reconciliation(at) == [
        # 5户11人 − 自然销户 1户1人 (H3) − 自然减少 1人 (P6) = 4户9人
        ("在册（现有建档）", "户", 5, 0, 1, 4, 4, "✓"),
        ("在册（现有建档）", "人", 11, 0, 2, 9, 9, "✓"),
        # 3户5人 + 返贫 1户2人 (H2) − 自然销户 1户1人 − 标注脱贫 1户2人 (H5) − 自然减少 1人 (P6) = 2户3人
        ("未脱贫", "户", 3, 1, 2, 2, 2, "✓"),
        ("未脱贫", "人", 5, 2, 4, 3, 3, "✓"),
    ]
    households, people = chart(at, "dyn_deregistration")
    assert households["x"] == ["标注脱贫", "清退", "自然销户", "自然减少"]
    assert (households["y"], people["y"]) == ([1, 0, 1, 0], [2, 0, 1, 1])
    # counts up to 2: whole-number ticks from 0 (plotly's own would step 0, 0.5, 1, 1.5, 2)
    axis = layout(at, "dyn_deregistration")["yaxis"]
    assert (axis["dtick"], axis["tickformat"], axis["rangemode"]) == (1, ",d", "tozero")
    # 11 → 9 people: levels 9..11, pad 1, the axis from 9 − 2 − 4 = 3 (zoomed_range) — and it says so;
    # the still-poor households' 3 → 2 come down to 0 − … = 0: no break mark there
    zoomed = layout(at, "dyn_registry_people")
    assert zoomed["yaxis"]["range"] == [3, 13]
    assert [a["text"] for a in zoomed["annotations"]] == ["纵轴从 3 起（未从0开始）"]
    assert layout(at, "dyn_poor_households")["yaxis"]["range"][0] == 0
    assert "annotations" not in layout(at, "dyn_poor_households")


def test_quarters_and_picking_another_window(page):
    # the default window is the quarter holding the as-of date: Q4 2017 holds H2's exit (2017-10-15)
    at = choose(page, as_of=dt.date(2017, 12, 31))
    assert at.selectbox(key="dyn_window").value == dt.date(2017, 10, 1)
    # opening 2017-09-30: H1 4 (P4 joined), H2 2, H3 1, H5 2, H6 2; poor: all but H1
    assert tiles(at) == {"期初在册": "5户11人", "期末在册": "5户11人", "期初未脱贫": "4户7人", "期末未脱贫": "3户5人"}
    assert reconciliation(at)[2:] == [("未脱贫", "户", 4, 0, 1, 3, 3, "✓"), ("未脱贫", "人", 7, 0, 2, 5, 5, "✓")]
    # Q3 2017: H5 identified on 2017-07-01; opening 2017-06-30 after H4's 清退 on 06-20
    at.selectbox(key="dyn_window").set_value(dt.date(2017, 7, 1)).run()
    assert not at.exception
    assert any(c.value == "统计时段：2017-07-01 至 2017-09-30" for c in at.caption)
    assert tiles(at) == {"期初在册": "4户9人", "期末在册": "5户11人", "期初未脱贫": "3户5人", "期末未脱贫": "4户7人"}
    # a month: March 2017 holds P4's birth only (自然增加 into the exited H1); opening 2017-02-28:
    # H1 3, H2 2, H3 1, H4 4 (removed only in June), H6 2 = 5户12人
    at.segmented_control(key="dyn_period").set_value("month").run()
    at.selectbox(key="dyn_window").set_value(dt.date(2017, 3, 1)).run()
    assert reconciliation(at)[:2] == [("在册（现有建档）", "户", 5, 0, 0, 5, 5, "✓"),
                                      ("在册（现有建档）", "人", 12, 1, 0, 13, 13, "✓")]


def test_a_year_cut_at_the_as_of_date_and_a_township(page):
    # as of 2018-06-30, the year 2018 so far: H3 dissolved (03-10), H2 back in poverty (06-01)
    at = choose(page, as_of=dt.date(2018, 6, 30), period="year")
    assert any(c.value == "统计时段：2018-01-01 至 2018-06-30（截至日期为止，之后的变动未计入）" for c in at.caption)
    assert tiles(at) == {"期初在册": "5户11人", "期末在册": "4户10人", "期初未脱贫": "3户5人", "期末未脱贫": "3户6人"}
    # 甲乡 in 2017 (county minus 三村's H6, 1户2人 all year): registry 4户10人 → 4户9人, poor 3户7人 → 2户3人
    at = choose(at, as_of=dt.date(2017, 12, 31), region=JIA)
    assert at.segmented_control(key="dyn_period").value == "year"
    assert tiles(at) == {"期初在册": "4户10人", "期末在册": "4户9人", "期初未脱贫": "3户7人", "期末未脱贫": "2户3人"}
    assert [row[-1] for row in reconciliation(at)] == ["✓"] * 4


def test_exits_by_year_against_the_plan(page):
    at = choose(page, as_of=dt.date(2018, 12, 31))
    exits = at.dataframe[1].value
    # EXPECTED.md targets: 2017 plan 2户5人, achieved 1户2人 (H2); 2018 plan 2户4人, achieved 1户2人 (H5);
    # H1 exited in 2016 without a plan
    assert [tuple(r) for r in exits.itertuples(index=False)] == [
        ("2014", "0户0人", "—", "—", "—"),
        ("2015", "0户0人", "—", "—", "—"),
        ("2016", "1户3人", "—", "—", "—"),
        ("2017", "1户2人", "2户5人", "50.00%", "40.00%"),
        ("2018", "1户2人", "2户4人", "50.00%", "50.00%"),
    ]
    exited, planned, rate = chart(at, "dyn_exits_people")
    assert exited["x"] == ["2014", "2015", "2016", "2017", "2018"]
    assert exited["y"] == [0, 0, 3, 2, 2]
    assert planned["y"] == [None, None, None, 5, 4]
    assert rate["y"][3:] == pytest.approx([40.0, 50.0]) and rate["yaxis"] == "y2"


def test_english(page):
    # the language last: AppTest formats selectbox options in the test thread, always in Chinese, so no
    # run may follow the switch (the same order as tests/test_dashboard.py)
    at = choose(page, as_of=dt.date(2017, 12, 31), period="year")
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception
    assert tiles(at) == {"Registered at start": "5 households, 12 people", "Registered at end": "5 households, 11 people",
                         "Still poor at start": "4 households, 9 people", "Still poor at end": "3 households, 5 people"}
    assert reconciliation(at)[1] == ("Registered", "people", 12, 3, 4, 11, 11, "✓")
    labels = [column["label"] for name, column in json.loads(at.dataframe[0].proto.columns).items() if name != "_index"]
    assert labels == ["Stock", "Unit", "Opening", "In", "Out", "Opening + in − out", "Closing", "Check"]
    waterfall = chart(at, "dyn_registry_people")[0]
    assert waterfall["x"] == ["Opening", "Newly identified", "Removed (wrongly identified)", "Household dissolved",
                              "Members joined", "Members left", "Closing"]
    assert at.success[0].value == "All four balance ✓"
    assert at.segmented_control(key="dyn_period").options == ["Month", "Quarter", "Year"]
    assert at.selectbox(key="dyn_window").options[0] == "2017"


def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch)
    at = choose(at, period="year")
    assert [row[-1] for row in reconciliation(at)] == ["✓"] * 4
    assert len(at.get("plotly_chart")) == 7  # 4 waterfalls, deregistrations, exits (people, households)
    # the registry's waterfall is zoomed onto thousands of households: its axis says it does not start at 0
    zoomed = layout(at, "dyn_registry_households")
    bottom = zoomed["yaxis"]["range"][0]
    assert bottom > 1000
    assert [a["text"] for a in zoomed["annotations"]] == [f"纵轴从 {int(bottom):,} 起（未从0开始）"]
    assert len(zoomed["shapes"]) == 2  # the break mark across the axis's foot
