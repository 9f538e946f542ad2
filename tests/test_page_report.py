"""汇报材料 Report-back page (pages/report.py) on the tiny county: the text shows the figures of
tests/fixtures/tiny/EXPECTED.md (worked out in tests/test_report.py), follows the region, date and
language, escapes data, and offers the Word and Excel files; a smoke run on the demo county.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

JIA = "430101100000"  # 甲乡


def open_page(db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.switch_page("pages/report.py").run()
    assert not at.exception
    return at


@pytest.fixture
def page(tiny_db_path, monkeypatch, navigation_apptest) -> AppTest:
    return open_page(tiny_db_path, monkeypatch)


def shown_text(at) -> str:
    """The markdown on the page as it reads (escapes undone)."""
    return "\n".join(re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown)


def test_the_county_report_shows_the_hand_worked_figures(page):
    # default: the last quarter end of the data (2019-12-31), Hunan rules (province code 43)
    text = shown_text(page)
    assert "### 小试县脱贫攻坚工作汇报材料" in text
    # EXPECTED.md 2019-12-31: 4户10人 registered, 3户8人 exited, 1户2人 still poor; 0.81% (2014) → 0.12%
    assert ("截至2019年12月31日，全县建档立卡贫困村2个，已出列1个；全县现有建档立卡贫困人口4户10人，已脱贫3户8人，"
            "未脱贫1户2人（其中：一般贫困户0户0人，低保贫困户1户2人，特困供养贫困户0户0人）；"
            "贫困发生率由0.81%（2014年底）降至0.12%。") in text
    assert "2019年1月1日至2019年12月31日，全县脱贫1户1人；2019年减贫计划1户2人，按人数已完成50.00%。" in text
    # 三村 under Hunan at 2019-12-31 (its 2019 row): income 12,000 < 40,000, no clinic
    assert "尚未达到1个（三村：村集体经济收入、标准化卫生室）" in text
    captions = [c.value for c in page.caption]
    assert any(c.startswith("区域：小试县（430101000000）；截至日期：2019\\-12\\-31；贫困村出列标准：湖南省标准")
               for c in captions)
    registry = page.dataframe[0].value
    assert [tuple(r) for r in registry.itertuples(index=False)] == [("现有建档立卡", 4, 10), ("已脱贫", 3, 8),
                                                                     ("未脱贫", 1, 2)]
    incidence = page.dataframe[1].value  # shown ×100 with two decimals
    assert [round(v, 4) for v in incidence["贫困发生率"]] == [round(1300 / 1600, 4), round(200 / 1630, 4)]
    assert len(page.dataframe) == 9  # tables 1–8 and 表9 各乡镇进展
    downloads = [b.proto.label for b in page.get("download_button")]
    assert "下载 Word（.docx）" in downloads and "下载 Excel（.xlsx）" in downloads and "下载 PDF（打印用）" in downloads


def test_date_region_and_language_change_the_report(page):
    page.selectbox(key="as_of_choice").set_value(dt.date(2018, 12, 31)).run()
    text = shown_text(page)
    # EXPECTED.md 2018-12-31: 4户9人 registered, 2户3人 still poor, 3/1620 = 0.19%; funds of 2018
    assert "全县现有建档立卡贫困人口4户9人，已脱贫2户6人，未脱贫2户3人" in text
    assert "降至0.19%" in text
    assert "2018年度全县下达扶贫资金35.00万元" in text and "资金支出进度51.43%" in text

    page.selectbox(key="pick_1").set_value(JIA).run()
    text = shown_text(page)
    # 甲乡 2018-12-31: 一村 H1 4人 (exited) + H2 1人 (poor again, P6 gone) and 二村 H5 2人 (exited 12-01)
    assert "全乡建档立卡贫困村1个，已出列0个；全乡现有建档立卡贫困人口3户7人，已脱贫2户6人，未脱贫1户1人" in text

    page.selectbox(key="language").set_value("en").run()
    assert not page.exception
    text = shown_text(page)
    assert "### 甲乡: poverty-exit campaign report-back" in text
    assert "As of 31 December 2018, 甲乡 has 1 registered poor villages, 0 of which have exited." in text
    assert "甲乡 has 3 households, 7 people on the register" in text
    assert list(page.dataframe[0].value.columns) == ["Item", "Households", "People"]
    assert "Download Word (.docx)" in [b.proto.label for b in page.get("download_button")]


def test_a_hostile_region_name_is_shown_as_text(tmp_path, monkeypatch, navigation_apptest):
    from etl.load import load_package
    from tests.conftest import TINY
    from tests.packages import copy_package, edit_csv

    package = copy_package(TINY, tmp_path / "package")

    def rename(rows):
        for row in rows:
            if row["区划代码"] == "430101000000":
                row["名称"] = "<script>alert(1)</script>[点我](javascript:alert(1)):red[县]"
        return rows

    edit_csv(package, "区划", rename)
    load_package(package, tmp_path / "hostile.duckdb")
    at = open_page(tmp_path / "hostile.duckdb", monkeypatch)
    report_markdown = [m.value for m in at.markdown if "汇报材料" in m.value or "全县" in m.value]
    assert report_markdown
    for source in [m.value for m in at.markdown] + [c.value for c in at.caption]:  # breadcrumb included
        assert "<script>" not in source and "](" not in source and ":red[" not in source
    assert "### \\<script\\>alert\\(1\\)\\</script\\>\\[点我\\]\\(javascript\\:alert\\(1\\)\\)\\:red\\[县\\]" \
        "脱贫攻坚工作汇报材料" in report_markdown


def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch)
    text = shown_text(at)
    assert "脱贫攻坚工作汇报材料" in text and "全县建档立卡贫困村" in text
    at.selectbox(key="as_of_choice").set_value(dt.date(2019, 12, 31)).run()
    assert not at.exception and "截至2019年12月31日" in shown_text(at)


def test_without_a_chinese_font_the_page_says_so_instead_of_offering_a_pdf(tiny_db_path, monkeypatch,
                                                                           navigation_apptest, tmp_path):
    from ui import pdf

    monkeypatch.setenv(pdf.FONT_ENV, str(tmp_path / "no-such-font.ttc"))
    pdf.has_font.cache_clear()
    try:
        at = open_page(tiny_db_path, monkeypatch)
        downloads = [b.proto.label for b in at.get("download_button")]
        assert "下载 Word（.docx）" in downloads and "下载 PDF（打印用）" not in downloads
        assert "本机没有中文字体，暂不能生成 PDF（可下载 Word / Excel，或用浏览器打印）。" in [c.value for c in at.caption]
    finally:
        monkeypatch.delenv(pdf.FONT_ENV)
        pdf.has_font.cache_clear()
