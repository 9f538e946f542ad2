"""The PDFs (ui/pdf.py, ui/paper.py, ui/report.to_pdf) and the Word file's page header and footer, read back:
the PDF opens, carries the report's Chinese text, page numbers and the stamp (region, as-of date, the
package's name and data generation, never a server path) on every page, embeds its fonts, and holds no
personal data. Figures are the tiny county's at 2019-12-31 (tests/fixtures/tiny/EXPECTED.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from etl.load import load_package
from etl.service import DEMO_PACKAGE
from queries import Database
from tests.conftest import TINY
from ui import paper, pdf
from ui.report import build_report, to_docx, to_pdf, to_xlsx

COUNTY = "430101000000"
END_2019 = dt.date(2019, 12, 31)
PATH_LIKE = re.compile(r"(?:^|[\s：:（(])(?:/[\w.\-]+){2,}|[A-Za-z]:\\|/tmp/|/home/|fixtures")


def squeeze(text: str) -> str:
    """Compare text without white space (the PDF places each line and cell on its own)."""
    return re.sub(r"\s+", "", text)


def to_unicode(font) -> dict[int, str]:
    """A font's ToUnicode CMap (bfchar and bfrange entries): glyph code → text, as a viewer copies it."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    table = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, flags=re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, flags=re.S):
        for first, last, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset in range(int(last, 16) - int(first, 16) + 1):
                table[int(first, 16) + offset] = chr(int(start, 16) + offset)
    return table


def pages_text(data: bytes) -> list[str]:
    """Each page's text, read the way a viewer copies it: the shown strings' two-byte glyph codes through
    the font's ToUnicode map. (pypdf's extract_text reads the codes of an embedded CFF CJK font, which use
    an embedded encoding CMap, as single bytes: 400 distinct characters come back garbled.)"""
    reader = PdfReader(io.BytesIO(data))
    texts = []
    for page in reader.pages:
        maps = {name: to_unicode(ref.get_object()) for name, ref in page["/Resources"]["/Font"].items()}
        table, pieces = {}, []

        def shown(string, table: dict[int, str]) -> str:
            raw = string.original_bytes if hasattr(string, "original_bytes") else bytes(string)
            return "".join(table.get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2))

        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                table = maps[operands[0]]
            elif operator == b"Tj":
                pieces.append(shown(operands[0], table))
            elif operator == b"TJ":
                pieces += [shown(item, table) for item in operands[0] if not isinstance(item, (int, float))]
        texts.append(squeeze("".join(pieces)))
    return texts


@pytest.fixture(scope="module")
def report(tiny):
    return build_report(tiny, END_2019, COUNTY, "national", "zh")


@pytest.fixture(scope="module")
def report_pdf(report) -> bytes:
    return to_pdf(report)


def test_the_report_pdf_opens_with_its_text_tables_and_figures(report_pdf):
    assert report_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(report_pdf))
    texts = pages_text(report_pdf)
    whole = "".join(texts)
    assert len(reader.pages) >= 3  # the figures, the text, the tables
    assert all(abs(float(page.mediabox.width) - 595.28) < 0.5 and abs(float(page.mediabox.height) - 841.89) < 0.5
               for page in reader.pages)  # A4 in points
    # the report's first sentence (tests/test_report.py: EXPECTED.md 2019-12-31)
    assert squeeze("截至2019年12月31日，全县建档立卡贫困村2个，已出列1个；全县现有建档立卡贫困人口4户10人，"
                   "已脱贫3户8人，未脱贫1户2人") in whole
    assert "未脱贫户按主要致贫原因分：因病1户2人。" in whole
    assert "表1建档立卡贫困人口" in whole and "表8贫困村出列情况" in whole
    # the overview's figures on the first page: 4户10人 registered, 1户2人 still poor, incidence 0.12%,
    # 2019 exits 1户1人 against the plan 1户2人 (50.00%)
    expected = ("建档立卡（现有）4户10人", "未脱贫1户2人", "贫困发生率0.12%", "2019年脱贫1户1人", "计划1户2人，完成50.00%",
                "贫困发生率走势（季度末）", "摘帽线2.00%", "年度脱贫人数与计划")  # the national exit line, 2%
    assert [phrase for phrase in expected if phrase not in texts[0]] == []


def test_every_page_has_its_number_and_the_stamp_without_a_path(report_pdf):
    texts = pages_text(report_pdf)
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页/共{total}页" in text
        assert "区域：小试县（430101000000）" in text and "截至日期：2019-12-31" in text
        # the package is tests/fixtures/tiny: its name, and the data generation (its load time)
        assert re.search(r"数据包：tiny数据版本：\d{4}-\d\d-\d\d\d\d:\d\d", text), text[:200]
    assert not [text for text in texts if str(TINY) in text or PATH_LIKE.search(text)]


def test_the_fonts_are_embedded(report_pdf):
    reader = PdfReader(io.BytesIO(report_pdf))
    fonts = {}
    for page in reader.pages:
        for name, ref in page["/Resources"]["/Font"].items():
            fonts[(name, str(ref.get_object()["/BaseFont"]))] = ref.get_object()
    assert fonts
    for (_name, base), font in fonts.items():
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), base  # the glyphs are in the file
        assert re.fullmatch(r"/[A-Z]{6}\+\S+", base), base  # a subset, as embedded fonts are named
    assert any("CJK" in base or "Hei" in base or "Song" in base for _n, base in fonts)


def personal_data() -> list[str]:
    """Every name and ID number of the tiny package's households and members."""
    values = []
    for file, columns in (("贫困户.csv", ("户主姓名", "户主证件号码")), ("家庭成员.csv", ("姓名", "证件号码"))):
        with open(TINY / file, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                values += [row[c] for c in columns if row[c]]
    return values


def test_no_personal_data_in_the_pdfs(report_pdf, overview_pdf):
    people = personal_data()
    assert "赵大山" in people and "430101196505050011" in people  # the check has something to find
    for data in (report_pdf, overview_pdf):
        whole = "".join(pages_text(data))
        assert [value for value in people if value in whole] == []
        assert [value[:6] + "*" for value in people if value.isdigit() and value[:6] + "*" in whole] == []


def test_hostile_names_stay_text_and_no_head_name_reaches_the_pdf(tmp_path_factory):
    from tests.hostile import HEAD_NAME, NAMES, make_hostile_package

    folder = tmp_path_factory.mktemp("hostile_pdf")
    load_package(make_hostile_package(folder / "package"), folder / "hostile.duckdb")
    with Database(folder / "hostile.duckdb") as database:
        data = to_pdf(build_report(database, END_2019, COUNTY, "national", "zh"))
    whole = "".join(pages_text(data))
    assert squeeze(NAMES[COUNTY]) in whole  # the county's name as the text it is
    assert squeeze(HEAD_NAME) not in whole  # H1's head, a formula where a name should be
    assert b"/Annots" not in data and b"/URI" not in data  # no link was made of a name


@pytest.fixture(scope="module")
def overview_pdf(tiny) -> bytes:
    """The overview's PDF in English with the page's township table."""
    from ui import progress

    parts = tiny.query("township_progress_change", as_of=END_2019, previous=dt.date(2019, 9, 30), level="乡镇",
                       region=COUNTY)
    table = progress.progress_table("en", parts, "乡镇", total=False)
    return paper.overview_pdf(tiny, END_2019, COUNTY, "national", "en", tables=(table,))


def test_the_overview_pdf(overview_pdf):
    texts = pages_text(overview_pdf)
    assert texts[0].startswith("Region:小试县(430101000000)asof:2019-12-31datapackage:tiny")
    assert [f"Page{n}of{len(texts)}" in text for n, text in enumerate(texts, start=1)] == [True] * len(texts)
    assert "小试县:poverty-exitprogressoverview" in texts[0]
    assert "4households,10people" in texts[0] and "0.12%" in texts[0]
    # the township table after the figures: 甲乡 3户8人 registered, none poor (0.00%); 乙镇 1户2人, 1户2人
    # still poor (H6), 2/310 = 0.65%
    assert "Progressbytownship" in texts[-1]
    assert "甲乡38000.00%" in texts[-1] and "乙镇12120.65%" in texts[-1]


def test_the_word_file_numbers_its_pages_and_names_the_package(report):
    parts = zipfile.ZipFile(io.BytesIO(to_docx(report)))
    footers = [parts.read(n).decode() for n in parts.namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
    headers = [parts.read(n).decode() for n in parts.namelist() if re.fullmatch(r"word/header\d*\.xml", n)]
    assert footers and headers
    footer = footers[0]
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    # 第 {PAGE} 页 / 共 {NUMPAGES} 页, in that order
    assert re.search(r"第 .*w:instr=\" PAGE \".* 页 / 共 .*w:instr=\" NUMPAGES \".* 页", footer, flags=re.S)
    texts = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)) for xml in headers + footers]
    assert any(text.startswith("区域：小试县（430101000000）　截至日期：2019-12-31　数据包：tiny　数据版本：")
               for text in texts), texts
    for text in texts:
        assert str(TINY) not in text and not PATH_LIKE.search(text), text
    body = parts.read("word/document.xml").decode()
    assert str(TINY) not in body and "数据包：tiny；" in body


def test_the_excel_file_names_the_package_not_its_path(report):
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    firsts = [sheet["A1"].value for sheet in workbook]
    assert firsts and all("数据包：tiny；" in value and str(TINY) not in value for value in firsts)


def test_package_names():
    assert paper.package_name(str(DEMO_PACKAGE), "zh") == "演示数据"
    assert paper.package_name(str(DEMO_PACKAGE), "en") == "demo data"
    assert paper.package_name("/srv/tuopin/incoming/小试县2020Q3", "zh") == "小试县2020Q3"
    assert paper.package_name("/tmp/tuopin-work/x/2020Q3.zip", "zh") == "2020Q3.zip"
    assert paper.package_name(r"D:\数据\小试县2020Q3.zip", "zh") == "小试县2020Q3.zip"
    assert paper.package_name("上传 upload: a.csv, b.csv", "zh") == "上传 upload: a.csv, b.csv"  # an upload's names
    assert paper.package_name(None, "zh") == "—"


def test_lines_break_like_chinese_typesetting():
    def width(text):  # every character one unit wide
        return len(text)

    # 10 a line: "50.00%" stays whole (it does not fit after 按人数已完成), "。" follows it
    lines = pdf.break_lines("按人数已完成50.00%。同期识别纳入0户0人，返贫（含整户）", 10, width)
    assert lines == ["按人数已完成", "50.00%。同期识", "别纳入0户0人，返贫", "（含整户）"]
    # 6 a line: "，" hangs at the end of the full line instead of starting the next; "（" goes down with 六
    assert pdf.break_lines("一二三四五六，七八", 6, width) == ["一二三四五六，", "七八"]
    assert pdf.break_lines("一二三四五（六）", 6, width) == ["一二三四五", "（六）"]
    assert pdf.break_lines("Exited 1 household, 1 person", 12, width) == ["Exited 1", "household, 1", "person"]
    assert pdf.break_lines("1234567890123", 5, width) == ["12345", "67890", "123"]  # too long: split


def test_axis_steps_are_round_and_whole_for_counts():
    assert pdf.nice_step(5) == 1  # 0, 1, 2 … people: never 0.5
    assert pdf.nice_step(2) == 1
    assert pdf.nice_step(47_404) == 10_000
    assert pdf.nice_step(0.81, whole=False) == 0.2


def test_no_chinese_font_is_a_clear_error(tmp_path, monkeypatch, report):
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("not a font")
    monkeypatch.setenv(pdf.FONT_ENV, str(not_a_font))
    pdf.find_font.cache_clear()
    try:
        with pytest.raises(pdf.FontMissing, match="不是含中文的字体文件 / is not a font with Chinese"):
            to_pdf(report)
    finally:
        monkeypatch.delenv(pdf.FONT_ENV)
        pdf.find_font.cache_clear()


def test_the_pdfs_figures_are_worked_out_when_the_pdf_is_made(tiny):
    """The report page shows text and tables; the overview's figures are only for the PDF (and the archive's
    copy of it), so building the report asks none of the overview's own queries, and the figures, worked
    out when first asked for through `later`, are those ui/paper.overview_figures gives directly."""
    asked, later_asked = [], []

    def query(name, **params):
        asked.append(name)
        return tiny.query(name, **params)

    def later(name, **params):
        later_asked.append(name)
        return tiny.query(name, **params)

    report = build_report(query, END_2019, COUNTY, "national", "zh", compare=dt.date(2019, 9, 30), later=later)
    assert later_asked == []
    overview_only = {"incidence_trend", "household_exit_risks_by", "flows_reconciliation", "funds_schedule"}
    assert not overview_only & set(asked)
    figures = report.figures
    assert overview_only <= set(later_asked)
    assert report.figures is figures  # worked out once
    assert figures == paper.overview_figures(tiny, END_2019, COUNTY, "national", "zh", dt.date(2019, 9, 30))
