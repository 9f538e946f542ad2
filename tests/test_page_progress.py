"""The township progress table and the comparison date on the overview and the report-back, on the western
township (tests/fixtures/township/EXPECTED.md: "Township progress table", "Comparing two dates"). The
dashboard opens on 试点乡 (试点县's only township), so its rows are the villages."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re

import numpy as np
import openpyxl
import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.report import build_report, to_docx, to_xlsx

TOWN = "629901101000"  # 试点乡
END_2016 = dt.date(2016, 12, 31)


@pytest.fixture
def app(township_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(township_db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["as_of"] = "2016-12-31"
    return at


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def captions(at) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]


def test_the_overview_lists_the_villages_sortable_and_compares_with_the_previous_quarter(app):
    at = app.run()
    assert not at.exception
    # default comparison 环比: 2016-09-30, after T09 and T10 were identified (06-30) → nothing moved
    shown = metrics(at)
    assert shown["未脱贫"] == ("8户22人", "0户0人（较2016-09-30）")
    assert "2016-09-30：8户22人" in captions(at)
    [grid] = [d for d in at.dataframe if "村" in d.value.columns]
    table = grid.value
    assert list(table["村"]) == ["东坡村", "西岭村", "南沟村"]  # the total is the tiles, not a row
    assert list(table["未脱贫户数"]) == [4, 1, 3] and list(table["未脱贫人数"]) == [11, 3, 8]
    assert list(table["现有建档户数"]) == [5, 2, 3] and list(table["现有建档人数"]) == [14, 5, 8]
    assert [round(v, 2) for v in table["贫困发生率"]] == [5.24, 2.00, 3.20]  # shown ×100
    assert list(table["未出列贫困村"]) == [1, 0, 1]
    assert [None if v != v else round(v, 2) for v in table["支出进度"]] == [100.00, None, 40.00]


def test_same_date_last_year_on_the_tiles_and_side_by_side_in_the_table(app):
    app.query_params["compare"] = "year"
    at = app.run()
    assert not at.exception
    shown = metrics(at)
    # 2016-12-31 against 2015-12-31: still poor 8户22人 against 6户17人; registered 10户27人 against 8户22人
    assert shown["未脱贫"] == ("8户22人", "+2户+5人（较上年同期2015-12-31）")
    assert shown["建档立卡（现有）"] == ("10户27人", "+2户+5人（较上年同期2015-12-31）")
    assert shown["贫困发生率"] == ("3.61%", "+0.77pp（较上年同期2015-12-31）")
    assert {"上年同期2015-12-31：6户17人", "上年同期2015-12-31：8户22人", "上年同期2015-12-31：2.83%",
            "上年同期2015-12-31：2户5人"} <= set(captions(at))
    assert at.query_params["compare"] == "year" and "compare_date" not in at.query_params
    at.toggle(key="tp_compare").set_value(True).run()
    assert not at.exception
    [grid] = [d for d in at.dataframe if "村" in d.value.columns]
    table = grid.value.set_index("村")
    assert table.loc["东坡村", ["未脱贫人数（2016-12-31）", "未脱贫人数（对比 2015-12-31）", "未脱贫人数变化"]].tolist() \
        == [11, 9, 2]
    assert table.loc["南沟村", ["未脱贫户数（2016-12-31）", "未脱贫户数（对比 2015-12-31）", "未脱贫户数变化"]].tolist() \
        == [3, 2, 1]
    assert table.loc["西岭村", "本年脱贫人数变化"] == -2  # T05 exited in 2015, nobody in 2016
    assert table.loc["南沟村", "贫困发生率变化"] == "+1.20pp"  # 8/250 − 5/250


def test_two_chosen_dates_from_the_link(app):
    app.query_params["compare"] = "date"
    app.query_params["compare_date"] = "2015-06-30"
    at = app.run()
    assert not at.exception
    # 2015-06-30: 8户22人 registered and still poor (EXPECTED.md, Incidence as of 2015-06-30)
    assert metrics(at)["未脱贫"] == ("8户22人", "0户0人（较2015-06-30）")
    assert metrics(at)["建档立卡（现有）"] == ("10户27人", "+2户+5人（较2015-06-30）")
    assert at.query_params["compare"] == "date" and at.query_params["compare_date"] == "2015-06-30"
    assert not at.warning


@pytest.mark.parametrize("bad", ["2016-02-30", "yesterday", "1899-12-31", "2016-12-31'; drop table regions; --"])
def test_a_crafted_compare_date_falls_back_to_the_previous_quarter(app, bad):
    app.query_params["compare"] = "date"
    app.query_params["compare_date"] = bad
    at = app.run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["链接参数 compare_date 的值无效，已使用默认值。"]
    assert metrics(at)["未脱贫"] == ("8户22人", "0户0人（较2016-09-30）")
    assert "compare" not in at.query_params and "compare_date" not in at.query_params


def test_an_unknown_compare_mode_is_refused(app):
    app.query_params["compare"] = "<script>"
    at = app.run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["链接参数 compare 的值无效，已使用默认值。"]
    assert metrics(at)["未脱贫"][1] == "0户0人（较2016-09-30）"


def test_the_report_words_the_comparison_and_carries_the_table(app):
    app.query_params["compare"] = "year"
    at = app.run()
    at.switch_page("pages/report.py").run()
    assert not at.exception
    text = "\n".join(re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown)
    assert "较上年同期（2015年12月31日），全乡未脱贫人口增加2户5人，现有建档增加2户5人，贫困发生率上升0.77个百分点。" in text
    assert "**表9 各村进展**" in text
    table = at.dataframe[8].value
    assert list(table["村"]) == ["东坡村", "西岭村", "南沟村", "合计（试点乡）"]
    assert list(table["未脱贫人数"]) == [11, 3, 8, 22]


def test_the_report_says_a_fall_and_mixed_moves(township):
    # 2015-12-31 against 2015-06-30: T01 and T05 exited → still poor 8户22人 → 6户17人; register unchanged
    report = build_report(township, dt.date(2015, 12, 31), TOWN, "national", "zh", compare=dt.date(2015, 6, 30))
    assert report.sections[0].paragraphs[-1] == (
        "较2015年6月30日，全乡未脱贫人口减少2户5人，现有建档持平，贫困发生率下降0.83个百分点。")  # (22 − 17) / 600 = 0.833…%
    english = build_report(township, dt.date(2015, 12, 31), TOWN, "national", "en", compare=dt.date(2016, 12, 31),
                           compare_kind="date")
    assert english.sections[0].paragraphs[-1] == (
        "Compared with 31 December 2016, the still poor in 试点乡 fell by 2 households, 5 people, the register fell "
        "by 2 households, 5 people, and poverty incidence fell by 0.77 percentage points.")
    assert not build_report(township, END_2016, TOWN, "national", "zh").sections[0].paragraphs[-1].startswith("较")


def test_the_word_and_excel_files_carry_the_progress_table(township):
    report = build_report(township, END_2016, TOWN, "national", "zh", compare=dt.date(2015, 12, 31),
                          compare_kind="year")
    document = Document(io.BytesIO(to_docx(report)))
    texts = [[cell.text for cell in row.cells] for row in document.tables[8].rows]
    assert texts[0][:5] == ["村", "现有建档户数", "现有建档人数", "未脱贫户数", "未脱贫人数"]
    assert texts[1][:6] == ["东坡村", "5", "14", "4", "11", "5.24%"]
    assert texts[-1][:6] == ["合计（试点乡）", "10", "27", "8", "22", "3.61%"]
    assert texts[-1][-1] == "60.80%" and texts[2][-1] == "—"  # 西岭村 has no 2016 project
    assert any("较上年同期（2015年12月31日）" in p.text for p in document.paragraphs)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    sheet = next(s for s in book.worksheets if "各村进展" in s.title)
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "村")
    assert values[header + 1][:5] == ["东坡村", 5, 14, 4, 11]
    assert values[header + 4][0] == "合计（试点乡）" and values[header + 4][-1] == pytest.approx(0.608)


def traces(at, key: str) -> list[dict]:
    """The traces of the plotly chart drawn with `key`, arrays as lists (plotly writes numbers as base64)."""
    [element] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-" + key)]

    def plain(value):
        if isinstance(value, dict) and "bdata" in value:
            return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
        return value

    return [{k: plain(v) for k, v in trace.items()} for trace in json.loads(element.proto.spec)["data"]]


def test_the_incidence_trend_has_the_exit_line_and_the_exits_their_plan(app, township):
    at = app.run()
    assert not at.exception
    # 试点县 is 西部: the exit line is 3% (the national preset's western threshold), across every quarter end
    line = township.query("incidence_exit_line", region=TOWN).iloc[0]
    assert (line.threshold, bool(line.is_west)) == (0.03, True)
    trend = traces(at, "overview_trend")
    assert [t["name"] for t in trend] == ["贫困发生率", "摘帽线 3.00%"]
    assert set(trend[1]["y"]) == {3.0} and len(trend[1]["y"]) == len(trend[0]["y"])
    # this year by quarter: 2016 has no exit (EXPECTED.md) against the township's plan of 8人
    at.toggle(key="overview_exits_by_quarter").set_value(True).run()
    assert not at.exception
    quarters = traces(at, "overview_exits_quarters")
    assert [t["name"] for t in quarters] == ["累计脱贫人数", "计划减贫人数"]
    assert quarters[0]["x"] == ["2016Q1", "2016Q2", "2016Q3", "2016Q4"] and quarters[0]["y"] == [0, 0, 0, 0]
    assert quarters[1]["y"] == [8, 8, 8, 8]


def test_the_exit_line_of_a_region_not_in_the_west(tiny):
    assert tiny.query("incidence_exit_line").threshold.tolist() == [0.02]  # 小试县: no 地区类型 → 2%
    assert tiny.query("incidence_exit_line", region="430101999999").empty
