"""Word (.docx) and Excel (.xlsx) files of text and tables — the 汇报材料 and the 错退 risk list. A Word
file may carry a page header (the data stamp) and page numbers in its footer (PAGE / NUMPAGES fields).

A `Table` is a DataFrame whose headers are already in the chosen language, with a kind per column
saying how its numbers read (户, 人, 万元, percent, date …). The same kinds drive the Word cell text, the
Excel number formats and the dashboard's column formats, so a figure looks the same everywhere.

Chinese renders in Word and WPS only when the fonts name an East Asian face: every run and style here
sets `w:eastAsia` (仿宋_GB2312 for the body, 黑体 for headings, 宋体 for tables) beside a Latin face;
the files carry font names only, nothing is embedded or fetched. Spreadsheet text that would start a
formula (= + - @) is neutralised with common/cells.neutralise. No Streamlit import.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import xlsxwriter
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from common.cells import neutralise
from ui.formatting import count, percent

# kind → how a value reads: text, date, year, households, people, count (whole numbers), wan_yuan
# (already in 万元), yuan, percent (a ratio: 0.1234 → 12.34%)
KINDS = ("text", "date", "year", "households", "people", "count", "wan_yuan", "yuan", "percent")
WHOLE = ("households", "people", "count")

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TABLE_FONT = "宋体"
XLSX_FONT = "宋体"
TEXT_WIDTH_MM = 156  # A4 less the margins set in docx_bytes

XLSX_NUMBER_FORMATS = {
    "households": "#,##0", "people": "#,##0", "count": "#,##0", "year": "0",
    "wan_yuan": "#,##0.00", "yuan": "#,##0.00", "percent": "0.00%", "date": "yyyy-mm-dd",
}


@dataclass(frozen=True)
class Table:
    title: str
    frame: pd.DataFrame  # headers in the chosen language
    kinds: tuple[str, ...]  # one per column, from KINDS
    sheet: str | None = None  # Excel sheet name (default: the title)

    def __post_init__(self):
        if len(self.kinds) != len(self.frame.columns) or set(self.kinds) - set(KINDS):
            raise ValueError(f"{self.title}: kinds {self.kinds} do not fit columns {list(self.frame.columns)}")


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


def is_missing(value) -> bool:
    """None, NaN, NA or NaT (a list or array is never missing)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def cell_text(value, kind: str) -> str:
    """A value as the Word table shows it (the Chinese way: thousands separators, two-decimal percent)."""
    if is_missing(value):
        return "—"
    if kind in WHOLE:
        return count(value)
    if kind in ("wan_yuan", "yuan"):
        return f"{float(value):,.2f}"
    if kind == "percent":
        return percent(float(value))
    if kind == "date":
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    if kind == "year":
        return str(int(value))
    return str(value)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters are about two Latin ones wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ----------------------------------------------------------------------------------------------
# Excel


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def xlsx_bytes(first_line: str, tables: Sequence[Table], text: tuple[str, Sequence[str]] | None = None) -> bytes:
    """A workbook: optionally a first sheet of text (name, lines), then one sheet per table. Every sheet
    opens with `first_line` (the filters), then the table's title, its header row and its rows."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    base = {"font_name": XLSX_FONT, "font_size": 11}
    workbook.formats[0].set_font_name(XLSX_FONT)  # the default cell format (xlsxwriter's documented way)
    note = workbook.add_format({**base, "font_color": "#595959"})
    title = workbook.add_format({**base, "bold": True, "font_size": 13})
    header = workbook.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                  "align": "center", "valign": "vcenter"})
    cell = {kind: workbook.add_format({**base, "border": 1, "num_format": XLSX_NUMBER_FORMATS.get(kind, "General")})
            for kind in KINDS}
    wrapped_text = workbook.add_format({**base, "text_wrap": True, "valign": "top"})
    taken: set[str] = set()

    if text is not None:
        name, lines = text
        sheet = workbook.add_worksheet(_sheet_name(name, taken))
        sheet.set_column(0, 0, 120, wrapped_text)
        sheet.write_string(0, 0, neutralise(first_line), note)
        for row, line in enumerate(lines, start=2):
            sheet.write_string(row, 0, neutralise(line), wrapped_text)

    for table in tables:
        sheet = workbook.add_worksheet(_sheet_name(table.sheet or table.title, taken))
        sheet.write_string(0, 0, neutralise(first_line), note)
        sheet.write_string(1, 0, neutralise(table.title), title)
        columns = [str(c) for c in table.frame.columns]
        for col, name in enumerate(columns):
            sheet.write_string(2, col, neutralise(name), header)
        widths = [display_width(name) for name in columns]
        for r, record in enumerate(table.frame.itertuples(index=False), start=3):
            for col, (value, kind) in enumerate(zip(record, table.kinds, strict=True)):
                _write_cell(sheet, r, col, value, kind, cell[kind])
                widths[col] = max(widths[col], display_width(cell_text(value, kind)))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width + 2, 8), 60))
        sheet.freeze_panes(3, 0)
        sheet.set_row(2, 30)
    workbook.close()
    return buffer.getvalue()


def _write_cell(sheet, row: int, col: int, value, kind: str, fmt) -> None:
    if is_missing(value):
        sheet.write_blank(row, col, None, fmt)
    elif kind == "date":
        day = pd.Timestamp(value).to_pydatetime()
        sheet.write_datetime(row, col, dt.datetime(day.year, day.month, day.day), fmt)
    elif kind == "text":
        sheet.write_string(row, col, neutralise(str(value)), fmt)
    else:
        sheet.write_number(row, col, float(value), fmt)


# ----------------------------------------------------------------------------------------------
# Word


def _set_fonts(element, latin: str, east_asia: str) -> None:
    """Name the fonts on a run's or a style's rPr; theme fonts are dropped so the names apply."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(document, name: str, east_asia: str, size: float, *, bold: bool = False) -> None:
    style = document.styles[name]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element, LATIN_FONT, east_asia)


def _run(paragraph, text: str, east_asia: str, size: float, *, bold: bool = False, color: RGBColor | None = None):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _set_fonts(run._element, LATIN_FONT, east_asia)
    return run


def _east_asian_language(rpr) -> None:
    """Mark the text as Chinese (line breaking and punctuation in Word and WPS)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_as_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _add_table(document, table: Table) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(12)
    caption.paragraph_format.keep_with_next = True
    _run(caption, table.title, HEADING_FONT, 12)
    columns = [str(c) for c in table.frame.columns]
    texts = [[cell_text(value, kind) for value, kind in zip(record, table.kinds, strict=True)]
             for record in table.frame.itertuples(index=False)]
    size = 10.5 if len(columns) <= 7 else 9  # 五号; 小五 for wide tables
    grid = document.add_table(rows=1 + len(texts), cols=len(columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    head = grid.rows[0]
    _repeat_as_header(head)
    for col, name in enumerate(columns):
        paragraph = head.cells[col].paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, name, HEADING_FONT, size)
        _shade(head.cells[col], "D9E1F2")
    for r, row in enumerate(texts, start=1):
        cells = grid.rows[r].cells
        for col, (text, kind) in enumerate(zip(row, table.kinds, strict=True)):
            paragraph = cells[col].paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, text, TABLE_FONT, size)
    # widths by content: the longest value (text wraps beyond 16), the header counting on two lines
    weights = [max([min(display_width(row[col]), 16 if kind == "text" else 99) for row in texts]
                   + [(display_width(name) + 1) // 2, 6]) + (2 if kind == "text" else 3)
               for col, (name, kind) in enumerate(zip(columns, table.kinds, strict=True))]
    grid_columns = grid._tbl.tblGrid.gridCol_lst  # LibreOffice and WPS read the grid, Word the cells
    for col, weight in enumerate(weights):
        width = Mm(TEXT_WIDTH_MM * weight / sum(weights))
        grid_columns[col].w = width
        for cell in grid.columns[col].cells:
            cell.width = width


def _page_field(paragraph, instruction: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) that Word, WPS and LibreOffice fill in; "1" until they do."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = _run(paragraph, "1", TABLE_FONT, size)
    run._element.getparent().remove(run._element)
    field.append(run._element)
    paragraph._p.append(field)


def _header_and_footer(section, header: str | None, page_label: str | None) -> None:
    """The stamp (region, date, package name, data generation) atop every page; the page numbers under it,
    `page_label` like "第 {n} 页 / 共 {total} 页" with {n} and {total} as Word fields."""
    grey = RGBColor(0x59, 0x59, 0x59)
    if header:
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, header, TABLE_FONT, 9, color=grey)
    if page_label:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for piece in re.split(r"(\{n\}|\{total\})", page_label):
            if piece == "{n}":
                _page_field(paragraph, "PAGE", 10.5)
            elif piece == "{total}":
                _page_field(paragraph, "NUMPAGES", 10.5)
            elif piece:
                _run(paragraph, piece, TABLE_FONT, 10.5, color=grey)


def docx_bytes(title: str, first_line: str, sections: Sequence[Section], tables_heading: str | None = None,
               tables: Sequence[Table] = (), *, header: str | None = None, page_label: str | None = None) -> bytes:
    """An A4 document: the title, the filters line, each section (a heading and its paragraphs, body in
    仿宋_GB2312 三号 with a two-character first-line indent), then the tables under `tables_heading`;
    `header` atop every page and `page_label` ("第 {n} 页 / 共 {total} 页") in every footer."""
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        _header_and_footer(section, header, page_label)
    _style(document, "Normal", BODY_FONT, 16)
    _east_asian_language(document.styles["Normal"].element.get_or_add_rPr())
    _style(document, "Title", HEADING_FONT, 22)
    _style(document, "Heading 1", HEADING_FONT, 16)

    heading = document.add_paragraph(style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, title, HEADING_FONT, 22)
    filters = document.add_paragraph()
    _run(filters, first_line, TABLE_FONT, 10.5, color=RGBColor(0x59, 0x59, 0x59))

    for section in sections:
        _run(document.add_paragraph(style="Heading 1"), section.heading, HEADING_FONT, 16)
        for text in section.paragraphs:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)
            paragraph.paragraph_format.line_spacing = Pt(28)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _run(paragraph, text, BODY_FONT, 16)

    if tables:
        document.add_page_break()
        if tables_heading:
            _run(document.add_paragraph(style="Heading 1"), tables_heading, HEADING_FONT, 16)
        for table in tables:
            _add_table(document, table)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
