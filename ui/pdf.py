"""PDF files for paper: A4, a Chinese font embedded, page numbers, and a stamp in every page header (the
region, the as-of date, the data package's name and the data generation). No Streamlit import.

Rendered with fpdf2, which is pure Python (fontTools underneath): nothing to start, no browser, no network,
and it embeds a subset of an OpenType CJK font, CFF outlines included (Noto Sans CJK, which ReportLab cannot
embed). Charts are drawn here as vector lines and bars from the same figures as the tables, so no image
export (kaleido and its browser) is needed. The README, "Print and PDF", says why this renderer.

The font is the machine's: TUOPIN_PDF_FONT when set (a .ttf, .otf or .ttc file), else the first CJK
font found among the usual places of Debian (fonts-noto-cjk, fonts-wqy-*), other Linux systems, Windows and
macOS, else what fontconfig offers for Chinese. Without any, `FontMissing` says which package to install.
Text goes in as text (fpdf2's markdown is off), so data cannot become links or markup.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from ui.exports import Section, Table, cell_text, display_width

FONT_ENV = "TUOPIN_PDF_FONT"
# (regular, bold) — the bold face may be absent; a collection's Simplified Chinese face is picked by name
FONT_PLACES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
    ("C:/Windows/Fonts/simhei.ttf", None),
    ("/System/Library/Fonts/Supplementary/Songti.ttc", None),
    ("/Library/Fonts/Arial Unicode.ttf", None),
)
# a Latin face for the few signs CJK fonts lack (✗)
FALLBACK_PLACES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "C:/Windows/Fonts/seguisym.ttf")
PROBE = "脱贫攻坚户人"  # a font that has these is taken as Chinese

PAGE_MARGIN = 18  # mm, left and right
TEXT_WIDTH = 210 - 2 * PAGE_MARGIN
GREY = (89, 89, 89)
RULE = (191, 191, 191)
HEADER_FILL = (217, 225, 242)  # the Word and Excel tables' header blue
BAR = (46, 139, 87)  # 已脱贫 green (ui/charts.STATUS_COLORS)
LINE = (209, 73, 91)  # 未脱贫 red
PLAN = (51, 51, 51)


class FontMissing(RuntimeError):
    """No Chinese font on this machine: the PDF cannot be made (the Word and Excel files can)."""


@dataclass(frozen=True)
class Font:
    regular: str
    regular_index: int
    bold: str
    bold_index: int


def _chinese_face(path: str) -> int | None:
    """The index of the face in `path` that draws Chinese, preferring a Simplified Chinese one (SC, GB);
    None when the file is not a font with Chinese."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.lower().endswith((".ttc", ".otc")):
            faces = list(TTCollection(path, lazy=True).fonts)
        else:
            faces = [TTFont(path, lazy=True)]
    except (OSError, TTLibError, AssertionError, ValueError):
        return None
    def preference(index: int) -> int:  # the name table is cheap to read, the character map is not
        name = str(faces[index]["name"].getDebugName(1) or "")
        return 0 if ("SC" in name or "GB" in name) and "Mono" not in name else 1

    for index in sorted(range(len(faces)), key=preference):
        cmap = faces[index].getBestCmap() or {}
        if all(ord(ch) in cmap for ch in PROBE):
            return index
    return None


def _fontconfig_places() -> list[tuple[str, None]]:
    if shutil.which("fc-match") is None:
        return []
    try:
        done = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [(done.stdout.strip(), None)] if done.stdout.strip() else []


@functools.cache
def has_font() -> bool:
    """Whether a Chinese font is likely here (a file at a known place; checked fully by find_font when a
    PDF is made): the pages offer the PDF download only then."""
    chosen = os.environ.get(FONT_ENV)
    if chosen:
        return Path(chosen).is_file()
    if any(Path(regular).is_file() for regular, _bold in FONT_PLACES):
        return True
    # fontconfig names its best match even when nothing has Chinese: look into it (rare: no known place)
    return any(Path(regular).is_file() and _chinese_face(regular) is not None for regular, _bold in _fontconfig_places())


@functools.cache
def find_font() -> Font:
    """The Chinese font the PDFs embed (looked up once per process)."""
    chosen = os.environ.get(FONT_ENV)
    places = [(chosen, None)] if chosen else [*FONT_PLACES, *_fontconfig_places()]
    for regular, bold in places:
        if not Path(regular).is_file():
            continue
        index = _chinese_face(regular)
        if index is None:
            if chosen:
                raise FontMissing(f"{FONT_ENV}={chosen} 不是含中文的字体文件 / is not a font with Chinese")
            continue
        bold_index = _chinese_face(bold) if bold and Path(bold).is_file() else None
        if bold_index is None:
            return Font(regular, index, regular, index)
        return Font(regular, index, bold, bold_index)
    raise FontMissing(
        "未找到中文字体，无法生成 PDF：请安装 fonts-noto-cjk（Debian/Ubuntu: apt-get install fonts-noto-cjk），"
        f"或用环境变量 {FONT_ENV} 指定一个中文字体文件。 / No Chinese font found, so no PDF can be made: install "
        f"fonts-noto-cjk (apt-get install fonts-noto-cjk) or name a Chinese font file in {FONT_ENV}.")


@dataclass(frozen=True)
class Tile:
    """A figure as the overview's tiles show it: a label, the value, a line under it (a change, a plan)."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """Bars and/or a line over categories (years, quarter ends), drawn as vectors. Values are in the unit of
    the axis (people; percent as 0.81 for 0.81%)."""

    title: str
    categories: tuple[str, ...]
    axis: str
    bars: tuple[float | None, ...] = ()
    bar_name: str = ""
    line: tuple[float | None, ...] = ()
    line_name: str = ""
    line_is_target: bool = False  # a dotted plan line (else the solid measured line)
    decimals: int = 0  # of the axis labels
    target: float | None = None  # a level to get under or reach, drawn across as a dotted line (the exit line)
    target_name: str = ""


@dataclass(frozen=True)
class Figures:
    """The overview on paper: headline tiles, red-flag tiles, charts."""

    heading: str
    tiles: tuple[Tile, ...]
    flags_heading: str
    flags: tuple[Tile, ...]
    charts: tuple[Chart, ...]


@dataclass(frozen=True)
class Paper:
    """One PDF: the header stamp of every page, the page-number pattern, the title and what follows."""

    title: str
    stamp: str  # region, as-of date, package name, data generation
    page_label: str  # "第 {n} 页 / 共 {total} 页"
    language: str
    figures: Figures | None = None
    sections: tuple[Section, ...] = ()
    tables_heading: str = ""
    tables: tuple[Table, ...] = ()


class _Pdf(FPDF):
    def __init__(self, paper: Paper):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.paper = paper
        self.wrap = WrapMode.CHAR if paper.language != "en" else WrapMode.WORD

    def header(self):
        self.set_font("cjk", size=8)
        self.set_text_color(*GREY)
        self.set_xy(PAGE_MARGIN, 8)
        self.multi_cell(TEXT_WIDTH, 3.8, self.paper.stamp, wrapmode=self.wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RULE)
        self.line(PAGE_MARGIN, self.get_y() + 1, 210 - PAGE_MARGIN, self.get_y() + 1)
        self.set_y(max(self.get_y() + 4, 22))
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-13)
        self.set_font("cjk", size=9)
        self.set_text_color(*GREY)
        self.cell(0, 6, self.paper.page_label.format(n=self.page_no(), total=self.str_alias_nb_pages), align="C")
        self.set_text_color(0, 0, 0)


def _tile_grid(pdf: _Pdf, tiles: Sequence[Tile], columns: int) -> None:
    gap = 4
    width = (TEXT_WIDTH - gap * (columns - 1)) / columns
    for start in range(0, len(tiles), columns):
        row = tiles[start:start + columns]
        height = max(_tile_height(pdf, tile, width) for tile in row)
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        for number, tile in enumerate(row):
            left = PAGE_MARGIN + number * (width + gap)
            pdf.set_draw_color(*RULE)
            pdf.rect(left, top, width, height)
            pdf.set_xy(left + 2, top + 2)
            pdf.set_font("cjk", size=8.5)
            pdf.set_text_color(*GREY)
            pdf.multi_cell(width - 4, 4, tile.label, wrapmode=pdf.wrap, new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_font("cjk", "B", size=13)
            pdf.set_text_color(0, 0, 0)
            pdf.multi_cell(width - 4, 6, tile.value, wrapmode=pdf.wrap, new_x=XPos.LEFT, new_y=YPos.NEXT)
            if tile.note:
                pdf.set_font("cjk", size=8)
                pdf.set_text_color(*GREY)
                pdf.multi_cell(width - 4, 3.8, tile.note, wrapmode=pdf.wrap, new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
        pdf.set_y(top + height + gap)


def _lines(pdf: _Pdf, text: str, width: float) -> int:
    return max(1, len(pdf.multi_cell(width, 1, text, dry_run=True, output="LINES", wrapmode=pdf.wrap)))


def _tile_height(pdf: _Pdf, tile: Tile, width: float) -> float:
    pdf.set_font("cjk", size=8.5)
    height = 4 + 4 * _lines(pdf, tile.label, width - 4)
    pdf.set_font("cjk", "B", size=13)
    height += 6 * _lines(pdf, tile.value, width - 4)
    if tile.note:
        pdf.set_font("cjk", size=8)
        height += 3.8 * _lines(pdf, tile.note, width - 4)
    return height


def nice_step(top: float, ticks: int = 5, whole: bool = True) -> float:
    """A round axis step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` steps up to `top`;
    whole numbers never step by less than 1."""
    if top <= 0:
        return 1.0
    rough = top / ticks
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    return max(step, 1.0) if whole else step


def _chart(pdf: _Pdf, chart: Chart) -> None:
    height = 62
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font("cjk", "B", size=11)
    pdf.cell(0, 7, chart.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    values = [v for v in (*chart.bars, *chart.line, chart.target) if v is not None and not math.isnan(v)]
    top_value = max(values, default=0.0)
    step = nice_step(top_value, whole=chart.decimals == 0)
    top = step * max(1, math.ceil(top_value / step)) if top_value > 0 else step * 5

    # legend
    pdf.set_font("cjk", size=8)
    x, y = PAGE_MARGIN, pdf.get_y()
    for name, kind in ((chart.bar_name, "bar"), (chart.line_name, "line"), (chart.target_name, "target")):
        if not name or not {"bar": chart.bars, "line": chart.line, "target": chart.target is not None}[kind]:
            continue
        if kind == "bar":
            pdf.set_fill_color(*BAR)
            pdf.rect(x, y + 1.2, 4, 2.5, style="F")
        else:
            _line_style(pdf, kind == "target" or chart.line_is_target)
            pdf.line(x, y + 2.5, x + 5, y + 2.5)
            pdf.set_dash_pattern()
        pdf.set_xy(x + 6, y)
        pdf.cell(pdf.get_string_width(name) + 2, 5, name)
        x += 6 + pdf.get_string_width(name) + 8
    pdf.set_font("cjk", size=7)
    pdf.set_xy(PAGE_MARGIN, y + 6)  # the axis title, above the tick labels
    pdf.cell(40, 3, chart.axis)

    left, right = PAGE_MARGIN + 14, 210 - PAGE_MARGIN
    plot_top, plot_bottom = y + 12, y + height - 10
    span = plot_bottom - plot_top

    def y_of(value: float) -> float:
        return plot_bottom - span * value / top

    pdf.set_font("cjk", size=7)
    pdf.set_line_width(0.15)
    level = 0.0
    while level <= top + step / 1000:
        pdf.set_draw_color(*((RULE) if level else (0, 0, 0)))
        pdf.line(left, y_of(level), right, y_of(level))
        label = f"{level:,.{chart.decimals}f}"
        pdf.set_xy(left - 13, y_of(level) - 2)
        pdf.cell(12, 4, label, align="R")
        level += step

    count = max(len(chart.categories), 1)
    slot = (right - left) / count
    centres = [left + slot * (i + 0.5) for i in range(count)]
    if chart.bars:
        pdf.set_fill_color(*BAR)
        for centre, value in zip(centres, chart.bars, strict=True):
            if value is not None and not math.isnan(value) and value > 0:
                width = min(slot * 0.6, 12)
                pdf.rect(centre - width / 2, y_of(value), width, plot_bottom - y_of(value), style="F")
    if chart.target is not None and not math.isnan(chart.target):
        _line_style(pdf, True)
        pdf.line(left, y_of(chart.target), right, y_of(chart.target))
        pdf.set_dash_pattern()
    if chart.line:
        _line_style(pdf, chart.line_is_target)
        points = [(c, y_of(v)) for c, v in zip(centres, chart.line, strict=True)
                  if v is not None and not math.isnan(v)]
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            pdf.line(x1, y1, x2, y2)
        pdf.set_dash_pattern()
        pdf.set_fill_color(*(PLAN if chart.line_is_target else LINE))
        for x, y in points:
            pdf.ellipse(x - 0.7, y - 0.7, 1.4, 1.4, style="F")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)

    # category labels: as many as fit side by side
    pdf.set_font("cjk", size=7)
    widest = max((pdf.get_string_width(c) for c in chart.categories), default=1) + 2
    every = max(1, math.ceil(widest / slot))
    for number, (centre, name) in enumerate(zip(centres, chart.categories, strict=True)):
        if number % every == 0 or number == count - 1 and every == 1:
            pdf.set_xy(centre - widest / 2, plot_bottom + 1)
            pdf.cell(widest, 4, name, align="C")
    pdf.set_y(plot_bottom + 8)


def _line_style(pdf: _Pdf, target: bool) -> None:
    pdf.set_draw_color(*(PLAN if target else LINE))
    pdf.set_line_width(0.4)
    if target:
        pdf.set_dash_pattern(dash=1, gap=1)


def _table(pdf: _Pdf, table: Table) -> None:
    columns = [str(c) for c in table.frame.columns]
    texts = [[cell_text(value, kind) for value, kind in zip(record, table.kinds, strict=True)]
             for record in table.frame.itertuples(index=False)]
    size = 9 if len(columns) <= 7 else 7.5
    weights = [max([min(display_width(row[col]), 16 if kind == "text" else 99) for row in texts]
                   + [(display_width(name) + 1) // 2, 6]
                   + ([max(len(word) for word in name.split()) + 1] if pdf.wrap == WrapMode.WORD else []))
               + (2 if kind == "text" else 3)
               for col, (name, kind) in enumerate(zip(columns, table.kinds, strict=True))]
    if pdf.get_y() + 30 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("cjk", "B", size=10.5)
    pdf.multi_cell(0, 6, table.title, align="C", wrapmode=pdf.wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=size)
    pdf.set_draw_color(*RULE)
    pdf.set_fill_color(255, 255, 255)
    align = tuple("LEFT" if kind == "text" else "RIGHT" for kind in table.kinds)
    with pdf.table(col_widths=tuple(weights), width=TEXT_WIDTH, text_align=align, line_height=size * 0.5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL), repeat_headings=1,
                   wrapmode=pdf.wrap, markdown=False, cell_fill_mode="NONE") as grid:
        head = grid.row()
        for name in columns:
            head.cell(name, align="CENTER")
        for row in texts:
            cells = grid.row()
            for text in row:
                cells.cell(text)
    pdf.ln(2)


NO_LINE_START = set("，。、；：！？）》」』】〕％%…—,.;:!?)]}·")  # Chinese typesetting: never first on a line
NO_LINE_END = set("（《「『【〔([{")  # never last on a line
TOKENS = re.compile(r"[\x21-\x7e]+|\s|.")  # a run of Latin letters, digits and signs breaks as one word


def break_lines(text: str, width: float, measure) -> list[str]:
    """`text` in lines of at most `width` (as `measure` gives a string's width): Chinese may break between
    any two characters, but a number, a percentage or a Latin word stays whole, closing punctuation never
    starts a line (it hangs at the end of the one before) and an opening bracket never ends one."""
    lines: list[list[str]] = [[]]
    for token in TOKENS.findall(text):
        line = lines[-1]
        if measure("".join(line) + token) <= width or not line or token[0] in NO_LINE_START:
            if token == " " and not line:
                continue
            if not line and measure(token) > width:  # a word longer than the line: split it
                for ch in token:
                    if line and measure("".join(line) + ch) > width:
                        line = []
                        lines.append(line)
                    line.append(ch)
                continue
            line.append(token)
            continue
        carried = []
        while line and line[-1][-1] in NO_LINE_END:
            carried.insert(0, line.pop())
        lines.append([*carried, *([] if token == " " else [token])])
    return ["".join(line).rstrip() for line in lines if "".join(line).strip()]


def pdf_bytes(paper: Paper) -> bytes:
    """The A4 PDF of `paper`: the title, the figures (tiles and charts), the sections, then the tables."""
    font = find_font()
    pdf = _Pdf(paper)
    pdf.set_margins(PAGE_MARGIN, 22, PAGE_MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("cjk", "", font.regular, collection_font_number=font.regular_index)
    pdf.add_font("cjk", "B", font.bold, collection_font_number=font.bold_index)
    fallback = next((p for p in FALLBACK_PLACES if Path(p).is_file()), None)
    if fallback:
        pdf.add_font("fallback", "", fallback)
        pdf.set_fallback_fonts(["fallback"], exact_match=False)
    pdf.set_title(paper.title)
    pdf.set_creator("Tuopin")
    pdf.set_lang("en" if paper.language == "en" else "zh-CN")
    pdf.alias_nb_pages()
    pdf.add_page()

    pdf.set_font("cjk", "B", size=16)
    pdf.multi_cell(0, 9, paper.title, align="C", wrapmode=pdf.wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)

    if paper.figures is not None:
        figures = paper.figures
        _heading(pdf, figures.heading)
        _tile_grid(pdf, figures.tiles, 2)
        if figures.flags:
            _heading(pdf, figures.flags_heading)
            _tile_grid(pdf, figures.flags, 2)
        for chart in figures.charts:
            _chart(pdf, chart)

    if paper.sections and paper.figures is not None:
        pdf.add_page()
    indent = "" if paper.language == "en" else "\u3000\u3000"
    for section in paper.sections:
        _heading(pdf, section.heading)
        pdf.set_font("cjk", size=11)
        for text in section.paragraphs:
            for line in break_lines(indent + text, TEXT_WIDTH, pdf.get_string_width):
                pdf.cell(TEXT_WIDTH, 6.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)

    if paper.tables:
        if paper.sections or paper.figures is not None:
            pdf.add_page()
        if paper.tables_heading:
            _heading(pdf, paper.tables_heading)
        for table in paper.tables:
            _table(pdf, table)
    return bytes(pdf.output())


def _heading(pdf: _Pdf, text: str) -> None:
    if pdf.get_y() + 20 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font("cjk", "B", size=13)
    pdf.ln(1)
    pdf.multi_cell(0, 8, text, wrapmode=pdf.wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
