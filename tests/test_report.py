"""汇报材料 (ui/report.py) and its Word/Excel files on the tiny county, against tests/fixtures/tiny/
EXPECTED.md. Figures not written there are worked out in the comments from the fixture's stories
(EXPECTED.md's table of households) and CSVs; none is read back from a query.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest
from docx import Document

from etl.load import load_package
from queries import Database
from tests.conftest import TINY
from tests.packages import copy_package, edit_csv
from ui.report import build_report, escape_markdown, to_docx, to_xlsx

COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"  # 小试县, 甲乡, 乙镇
YICUN, ERCUN, SANCUN = "430101100001", "430101100002", "430101200001"  # 一村, 二村, 三村
END_2019, END_2018 = dt.date(2019, 12, 31), dt.date(2018, 12, 31)


def text_of(report) -> str:
    return "\n".join(report.paragraphs)


def rows_of(table) -> list[tuple]:
    return [tuple(None if v != v else v for v in row) for row in table.frame.itertuples(index=False)]


@pytest.fixture(scope="module")
def county_2019(tiny):
    return build_report(tiny, END_2019, COUNTY, "national", "zh")


def test_the_county_at_the_end_of_2019(county_2019):
    text = text_of(county_2019)
    # EXPECTED.md 2019-12-31: registered 4户10人, still poor 1户2人 (H6, 低保贫困户: P15, P17), exited 3户8人;
    # poor villages 一村 (出列 2019-12-20) and 三村: 2, 1 exited; incidence 2014 end 13/1600 = 0.8125% → 0.81%,
    # 2019 end 2/1630 = 0.1227% → 0.12%.
    assert ("截至2019年12月31日，全县建档立卡贫困村2个，已出列1个；全县现有建档立卡贫困人口4户10人，已脱贫3户8人，"
            "未脱贫1户2人（其中：一般贫困户0户0人，低保贫困户1户2人，特困供养贫困户0户0人）；"
            "贫困发生率由0.81%（2014年底）降至0.12%。") in text
    assert "未脱贫户按主要致贫原因分：因病1户2人。" in text  # H6: 因病
    # 2019: H2 exits on 09-30 with P5 alone (P6 left 2018-12-01) = 1户1人, against the 2019 plan 1户2人:
    # 1/2 = 50.00%. Flows: P14 joins H5 (自然增加 1人); registry 4户9人 → 4户10人, still poor 2户3人 → 1户2人.
    assert "2019年1月1日至2019年12月31日，全县脱贫1户1人；2019年减贫计划1户2人，按人数已完成50.00%。" in text
    assert ("同期动态管理：识别纳入0户0人，返贫0户0人，标注脱贫1户1人，清退0户0人，自然销户0户0人；家庭成员自然增加1人，"
            "自然减少0人。现有建档由期初4户9人变为期末4户10人，未脱贫由期初2户3人变为期末1户2人。") in text
    # 2019 projects: XM4 (管理费) only: 下达 10,000 = 1.00万元 (县级), 支出 10,000 on 2019-03-01 → 100.00%;
    # no start/completion dates → 0.00%; nothing disbursed or reimbursed.
    assert ("2019年度全县下达扶贫资金1.00万元（其中：县级财政专项扶贫资金1.00万元），实施项目1个，开工率0.00%，"
            "完工率0.00%；已拨付0.00万元，拨付率0.00%；已支出1.00万元，资金支出进度100.00%；") in text
    # 三村 (national rule: incidence < 2%): 2/310 = 0.65% passes; it is the one not exited.
    assert ("按国家标准，全县建档立卡贫困村2个，已出列1个，未出列1个；未出列的贫困村中，已达到出列标准1个（三村），"
            "尚未达到0个。") in text


def test_the_funds_flows_and_rules_of_2018(tiny):
    text = text_of(build_report(tiny, END_2018, COUNTY, "hunan", "zh"))
    # EXPECTED.md, funds of 2018 projects as of 2018-12-31 and flows of 2018
    assert ("2018年度全县下达扶贫资金35.00万元（其中：县级财政专项扶贫资金15.00万元，中央财政专项扶贫资金10.00万元，"
            "省级财政专项扶贫资金5.00万元，统筹整合涉农资金5.00万元），实施项目3个，开工率66.67%，完工率33.33%；"
            "已拨付25.00万元，拨付率71.43%；已支出18.00万元，资金支出进度51.43%；已报账15.00万元，报账率42.86%"
            "（报账占支出83.33%）。") in text
    assert ("同期动态管理：识别纳入0户0人，返贫1户2人，标注脱贫1户2人，清退0户0人，自然销户1户1人；家庭成员自然增加0人，"
            "自然减少1人。现有建档由期初5户11人变为期末4户9人，未脱贫由期初3户5人变为期末2户3人。") in text
    assert "全县脱贫1户2人；2018年减贫计划2户4人，按人数已完成50.00%。" in text  # H5; plan 2户4人
    # Hunan at 2018-12-31: 一村 uses its 2018 row (income 45,000, road, water, power, clinic: all 是) and
    # 1/520 poor → passes; 三村 still on its 2014 row: income 0, no road, no safe water, no clinic.
    assert ("按湖南省标准，全县建档立卡贫困村2个，已出列0个，未出列2个；未出列的贫困村中，已达到出列标准1个（一村），"
            "尚未达到1个（三村：村集体经济收入、通硬化路、安全饮水、标准化卫生室）。") in text


def test_townships_and_villages_are_worded_for_their_level(tiny):
    # 甲乡 2019-12-31: 一村 H1 4人 + H2 1人, 二村 H5 3人 (P14 joined) — all exited: 3户8人; its only poor
    # village 一村 exited 2019-12-20.
    jia = text_of(build_report(tiny, END_2019, JIA, "national", "zh"))
    assert "全乡建档立卡贫困村1个，已出列1个；全乡现有建档立卡贫困人口3户8人，已脱贫3户8人，未脱贫0户0人；" in jia
    assert "全乡已无未脱贫人口。" in jia
    yi = text_of(build_report(tiny, END_2019, YI, "national", "zh"))
    assert "全镇现有建档立卡贫困人口1户2人" in yi  # 乙镇 = 三村 = H6 (P15, P17)
    yicun = text_of(build_report(tiny, END_2019, YICUN, "national", "zh"))
    assert "截至2019年12月31日，一村为建档立卡贫困村，已于2019年12月20日出列；全村现有建档立卡贫困人口2户5人" in yicun
    assert "一村已于2019年12月20日出列。" in yicun
    ercun = text_of(build_report(tiny, END_2019, ERCUN, "national", "zh"))
    assert "二村不是建档立卡贫困村；全村现有建档立卡贫困人口1户3人" in ercun
    # 三村 under Hunan at 2019-12-31: its 2019 row has income 12,000 < 40,000 and no clinic
    sancun = text_of(build_report(tiny, END_2019, SANCUN, "hunan", "zh"))
    assert "按湖南省标准，三村尚未达到出列标准，未达标项目：村集体经济收入、标准化卫生室。" in sancun


def test_english(tiny):
    report = build_report(tiny, END_2019, COUNTY, "national", "en")
    text = text_of(report)
    assert report.title == "小试县: poverty-exit campaign report-back"
    assert "As of 31 December 2019, 小试县 has 2 registered poor villages, 1 of which has exited." in text
    assert "小试县 has 4 households, 10 people on the register (建档立卡)" in text
    assert "poverty incidence fell from 0.81% (end of 2014) to 0.12%" in text
    assert "allocated 1.00 × 10k yuan of poverty-alleviation funds (of which County special funds: 1.00 × 10k yuan)" in text
    assert report.filters_line.startswith("Region: 小试县 (430101000000); as of: 2019-12-31; village exit rules: "
                                          "National; data package: ")
    assert list(report.tables[0].frame.columns) == ["Item", "Households", "People"]
    assert report.file_stem == "report_小试县_2019-12-31"


def test_tables_behind_the_text(county_2019):
    tables = {t.title: t for t in county_2019.tables}
    assert list(tables) == ["表1 建档立卡贫困人口", "表2 贫困发生率", "表3 按贫困户属性", "表4 按主要致贫原因",
                            "表5 历年脱贫与减贫计划", "表6 2019年动态管理", "表7 2019年度资金（按来源）",
                            "表8 贫困村出列情况", "表9 各乡镇进展"]
    assert rows_of(tables["表1 建档立卡贫困人口"]) == [("现有建档立卡", 4, 10), ("已脱贫", 3, 8), ("未脱贫", 1, 2)]
    incidence = rows_of(tables["表2 贫困发生率"])
    assert [r[:3] for r in incidence] == [(dt.date(2014, 12, 31), 13, 1600), (END_2019, 2, 1630)]
    assert [round(r[3], 6) for r in incidence] == [round(13 / 1600, 6), round(2 / 1630, 6)]
    # registered by category at 2019-12-31: 一般 H1 4 + H5 3 = 2户7人; 低保 H2 1 + H6 2 = 2户3人
    assert rows_of(tables["表3 按贫困户属性"]) == [("一般贫困户", 0, 0, 2, 7), ("低保贫困户", 1, 2, 2, 3),
                                                ("特困供养贫困户", 0, 0, 0, 0)]
    # exits by year: 2016 H1 (3人), 2017 H2 (2人) against 2户5人 = 40%, 2018 H5 2人 against 2户4人 = 50%,
    # 2019 H2 1人 against 1户2人 = 50%
    exits = rows_of(tables["表5 历年脱贫与减贫计划"])
    assert [r[:3] for r in exits] == [(2014, 0, 0), (2015, 0, 0), (2016, 1, 3), (2017, 1, 2), (2018, 1, 2),
                                      (2019, 1, 1)]
    assert [r[5] for r in exits] == [None, None, None, 0.4, 0.5, 0.5]
    assert rows_of(tables["表7 2019年度资金（按来源）"])[-1][:3] == ("合计", 1, 1.0)  # 1 project, 1.00万元
    villages = rows_of(tables["表8 贫困村出列情况"])
    assert [(r[0], r[1], r[2], r[5]) for r in villages] == [("一村", "甲乡", 2019, "—"), ("三村", "乙镇", 2020, "是")]
    # by township at 2019-12-31: 甲乡 H1 3+P4, H2 2−P6, H5 2+P14 = 3户8人 registered, none poor (H2 exited
    # 09-30); 乙镇 H6 2人 registered and poor; the county 4户10人, 1户2人 as in 表1
    assert [r[:5] for r in rows_of(tables["表9 各乡镇进展"])] == [
        ("甲乡", 3, 8, 0, 0), ("乙镇", 1, 2, 1, 2), ("合计（小试县）", 4, 10, 1, 2)]


def test_the_word_file_states_the_filters_and_carries_the_figures(county_2019):
    data = to_docx(county_2019)
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == "小试县脱贫攻坚工作汇报材料"
    assert re.fullmatch(r"区域：小试县（430101000000）；截至日期：2019-12-31；贫困村出列标准：国家标准；"
                        r"数据包：tiny；数据导入时间：\d{4}-\d\d-\d\d \d\d:\d\d", paragraphs[1])  # its name, no path
    assert paragraphs[2] == "一、建档立卡贫困人口"
    assert county_2019.paragraphs[0] in paragraphs  # the sentence with 4户10人 … 0.12%
    assert "4户10人" in county_2019.paragraphs[0]
    first, eighth = document.tables[0], document.tables[7]
    assert [[c.text for c in row.cells] for row in first.rows] == [
        ["项目", "户数", "人数"], ["现有建档立卡", "4", "10"], ["已脱贫", "3", "8"], ["未脱贫", "1", "2"]]
    assert [c.text for c in document.tables[1].rows[2].cells] == ["2019-12-31", "2", "1,630", "0.12%"]
    assert [c.text for c in eighth.rows[2].cells][:6] == ["三村", "乙镇", "2020", "—", "0.65%", "是"]
    # Chinese renders in Word/WPS only with East Asian fonts named: every run names one
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    runs = re.findall(r"<w:r>.*?</w:r>", xml, flags=re.S)
    assert runs and all('w:eastAsia="' in run for run in runs if "<w:t" in run)
    assert 'w:eastAsia="黑体"' in xml and 'w:eastAsia="仿宋_GB2312"' in xml and 'w:eastAsia="宋体"' in xml
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:eastAsia="仿宋_GB2312"' in styles and "eastAsiaTheme" not in re.search(
        r'<w:style [^>]*w:styleId="Normal".*?</w:style>', styles, flags=re.S).group(0)


def test_the_excel_file_states_the_filters_and_formats_numbers(county_2019):
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(county_2019)))
    assert workbook.sheetnames[0] == "正文"
    assert workbook.sheetnames[1:] == [t.title for t in county_2019.tables]
    text = workbook["正文"]
    assert text["A1"].value == county_2019.filters_line
    assert county_2019.paragraphs[0] in [c.value for c in text["A"]]
    registry = workbook["表1 建档立卡贫困人口"]
    assert registry["A1"].value == county_2019.filters_line
    assert registry["A2"].value == "表1 建档立卡贫困人口"
    assert [[c.value for c in row] for row in registry.iter_rows(min_row=3)] == [
        ["项目", "户数", "人数"], ["现有建档立卡", 4, 10], ["已脱贫", 3, 8], ["未脱贫", 1, 2]]
    assert registry["B4"].number_format == "#,##0" and registry["B4"].font.name == "宋体"
    incidence = workbook["表2 贫困发生率"]
    assert incidence["D5"].value == pytest.approx(2 / 1630) and incidence["D5"].number_format == "0.00%"
    assert incidence["A5"].is_date and incidence["A5"].value.date() == END_2019
    funds = workbook["表7 2019年度资金（按来源）"]
    assert [c.value for c in funds[5]][:3] == ["合计", 1, 1.0] and funds["C5"].number_format == "#,##0.00"
    assert registry.column_dimensions["A"].width >= 14  # 现有建档立卡: 6 CJK characters


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The tiny county with region names that would run as a formula or render as markup."""
    package = copy_package(TINY, tmp_path_factory.mktemp("hostile") / "package")

    def rename(rows):
        for row in rows:
            if row["区划代码"] == COUNTY:
                row["名称"] = '=HYPERLINK("http://evil.example","点我")<script>alert(1)</script>'
            if row["区划代码"] == SANCUN:
                row["名称"] = "@SUM(1)[x](javascript:alert(1))"
        return rows

    edit_csv(package, "区划", rename)
    db = tmp_path_factory.mktemp("hostile_db") / "tuopin.duckdb"
    load_package(package, db)
    with Database(db) as database:
        yield build_report(database, END_2019, COUNTY, "national", "zh")


def test_hostile_names_do_not_become_formulas_or_markup(hostile):
    assert hostile.title.startswith("=HYPERLINK")
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(hostile)))
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + hostile.title in texts  # the title line of the text sheet, neutralised
    assert "'@SUM(1)[x](javascript:alert(1))" in texts  # 三村 in table 8
    assert not [v for v in texts if v.startswith(("=", "+", "-", "@"))]

    xml = zipfile.ZipFile(io.BytesIO(to_docx(hostile))).read("word/document.xml").decode()
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert "instrText" not in xml and "fldSimple" not in xml  # no Word field: the name stays text

    for text in [hostile.title, hostile.filters_line, *hostile.paragraphs]:
        escaped = escape_markdown(text)
        assert not re.search(r"(?<!\\)[<>\[\]()`*_$]", escaped)
        # it still reads the same (the word joiners that stop autolinks are invisible: ui/plain.md)
        assert re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "") == text
    assert not re.search(r'[\\/:*?"<>|]', hostile.file_stem)


def test_english_counts_of_one_are_singular():
    from ui.i18n import english_plurals, translate

    assert translate("en", "households_people", h="1", p="1") == "1 household, 1 person"
    assert translate("en", "households_people", h="+1", p="-1") == "+1 household, -1 person"
    assert translate("en", "households_people", h="1,001", p="11") == "1,001 households, 11 people"
    assert translate("zh", "households_people", h="1", p="1") == "1户1人"
    assert english_plurals("2 villages, 1 of which have exited; 0.1 people") == \
        "2 villages, 1 of which has exited; 0.1 people"
