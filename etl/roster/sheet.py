"""Read one roster file (花名册: .xlsx, .xls or .csv in UTF-8 or GB18030) into its header labels and its
data rows, as text, each row with the number a user sees in Excel.

Offices write a title row or two above the header, headers of two or three rows with merged cells
(户主信息 over 姓名 | 证件号码), a 序号 column, and totals or notes rows at the bottom. The header is
found where most cells name a known field (etl/roster/fields.py); a multi-row header's label is its
rows joined with "/" (户主信息/姓名), merged cells filled from their first cell. The zip checks and
limits of the package reader apply (etl/zipsafe.py, etl/limits.py).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl import limits
from etl.problems import PackageError, Problem
from etl.read_csv import detect_encoding
from etl.read_xlsx import _cell_text, _check_workbook
from etl.roster.fields import is_ignored, label_field, norm
from etl.roster.messages import problem

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
ROSTER_SUFFIXES = EXCEL_SUFFIXES | {".csv", ".txt"}
HEADER_SEARCH_ROWS = 15  # the header starts within the first rows
MAX_HEADER_ROWS = 3
SKIP_WORDS = ("合计", "总计", "小计", "累计", "注:", "注：", "说明", "填表", "审核", "制表", "负责人", "备注:", "备注：")


@dataclass
class Sheet:
    """A roster file read as text."""

    path: Path
    display_name: str
    grid: list[list[str]]  # every row of the file, cells as text
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 0-based


@dataclass
class Table:
    """A roster's header and data rows."""

    display_name: str
    header_row: int  # 1-based row of the header's first row
    header_rows: int
    labels: list[str]  # one per column; "" for a column without a header
    rows: list[tuple[int, list[str]]]  # (row number as in Excel, cells)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row number, first text) of totals/notes rows


HEADER_READ_ROWS = HEADER_SEARCH_ROWS + MAX_HEADER_ROWS + 2  # enough to find the header and its labels


def read_sheet(path: Path, display_name: str | None = None, max_rows: int | None = None) -> Sheet:
    """The file's cells as text (its first max_rows rows only, when given), or PackageError naming the
    file (unreadable, too large, unknown encoding)."""
    display = display_name or path.name
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        sheet = _read_excel(path, display)
        if max_rows is not None:
            del sheet.grid[max_rows:]
        return sheet
    if suffix in {".csv", ".txt"}:
        return _read_csv(path, display, max_rows)
    raise PackageError([problem("error", display, None, None, path.suffix, "roster_file_type")])


def _read_excel(path: Path, display: str) -> Sheet:
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() != ".xls":
        from etl.contract import contract

        issue = _check_workbook(path, display, contract().file("households"))
        if issue is not None:
            raise PackageError([issue])
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine raises several kinds; a Rust panic is a BaseException
        raise PackageError([Problem.file_error(display, "xlsx_unreadable", value=str(exc)[:200])]) from None
    if len(rows) > limits.MAX_ROWS_PER_FILE:
        raise PackageError([Problem.file_error(display, "too_many_rows", detail=f"{limits.MAX_ROWS_PER_FILE:,}")])
    grid = [[_cell_text(v).strip() for v in row] for row in rows]
    return Sheet(path, display, grid, merged)


def _read_csv(path: Path, display: str, max_rows: int | None = None) -> Sheet:
    try:
        encoding = detect_encoding(path)
    except UnicodeError:
        raise PackageError([Problem.file_error(display, "encoding_unknown")]) from None
    csv.field_size_limit(limits.MAX_RECORD_BYTES)
    grid = []
    try:
        with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
            for record in csv.reader(f):
                if max_rows is not None and len(grid) >= max_rows:
                    break
                if len(grid) > limits.MAX_ROWS_PER_FILE:
                    raise PackageError([Problem.file_error(display, "too_many_rows",
                                                           detail=f"{limits.MAX_ROWS_PER_FILE:,}")])
                grid.append([cell.strip() for cell in record])
    except csv.Error as exc:
        raise PackageError([Problem.file_error(display, "csv_unreadable", value=str(exc)[:200])]) from None
    return Sheet(path, display, grid)


def _fill_merged(sheet: Sheet) -> list[list[str]]:
    """The grid with each merged range's cells holding its first cell's text (the header rows only
    need it; data cells are left as written)."""
    grid = [list(row) for row in sheet.grid[:HEADER_SEARCH_ROWS + MAX_HEADER_ROWS]]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if not row[c]:
                    row[c] = value
    return grid


def _known(cells: list[str]) -> int:
    return sum(1 for c in cells if c and (label_field(c) or is_ignored(c)))


def _labels(grid: list[list[str]], start: int, count: int, merged: bool) -> list[str]:
    rows = [list(grid[start + i]) for i in range(count)]
    width = max(len(r) for r in rows)
    for r in rows:
        r.extend([""] * (width - len(r)))
    if not merged:  # a CSV (or a sheet without merge records): a group's label stands over its first column only
        for i in range(count - 1):
            current = rows[i]
            for c in range(1, width):
                below = any(rows[j][c] for j in range(i + 1, count))
                if not current[c] and below and current[c - 1] and any(rows[j][c - 1] for j in range(i + 1, count)):
                    current[c] = current[c - 1]
    labels = []
    for c in range(width):
        parts = []
        for r in rows:
            if r[c] and (not parts or parts[-1] != r[c]):
                parts.append(r[c])
        labels.append("/".join(parts))
    while labels and not labels[-1]:
        labels.pop()
    return labels


def find_header(sheet: Sheet, wanted: set[str] | None = None) -> tuple[int, int]:
    """(0-based first header row, header rows): the row naming most known fields (or most of `wanted`,
    a mapping's labels, normalised), with the rows above it that group its columns."""
    grid = _fill_merged(sheet)

    def score(i: int) -> int:
        if wanted is not None:
            return sum(1 for c in grid[i] if c and norm(c) in wanted)
        return _known(grid[i])

    search = range(min(len(grid), HEADER_SEARCH_ROWS))
    best = max(search, key=lambda i: (score(i), -i), default=0)
    if not grid or _known(grid[best]) == 0 and score(best) == 0:
        return 0, 1
    start = best
    # rows above the best one that hold known labels or group headers over it (not a title: one cell)
    while start > 0 and best - start + 1 < MAX_HEADER_ROWS:
        above = [c for c in grid[start - 1] if c]
        if len(set(above)) >= 2 and _known(grid[start - 1]) >= 1:
            start -= 1
        else:
            break
    end = best + 1
    # a row below the best one that completes it: cells only where the best row has group labels
    while end < len(grid) and end - start < MAX_HEADER_ROWS and _continues_header(grid, end):
        end += 1
    return start, end - start


def _continues_header(grid: list[list[str]], i: int) -> bool:
    cells = [c for c in grid[i] if c]
    if not cells:
        return False
    known = sum(1 for c in cells if label_field(c) or is_ignored(c))
    first = grid[i][0] if grid[i] else ""
    return known >= 2 and not re.fullmatch(r"\d+", norm(first)) and known * 2 >= len(cells)


def header_labels(sheet: Sheet, start: int, count: int) -> list[str]:
    """The labels of the header rows start (0-based) … start + count - 1."""
    if start + count > len(sheet.grid):
        return []
    return _labels(_fill_merged(sheet), start, count, bool(sheet.merged))


def read_table(sheet: Sheet, header_row: int | None = None, header_rows: int | None = None,
               wanted: set[str] | None = None, skip_words: tuple[str, ...] = SKIP_WORDS) -> Table:
    """The header (at header_row/header_rows, 1-based, when given and holding the wanted labels; else
    found) and the data rows below it, without blank rows and with totals and notes rows set aside."""
    grid = _fill_merged(sheet)
    start = count = None
    if header_row and header_rows:
        start, count = header_row - 1, header_rows
        if start + count > len(sheet.grid):
            start = None
        elif wanted is not None:
            labels = {norm(x) for x in _labels(grid, start, count, bool(sheet.merged))}
            if not wanted <= labels:
                start = None
    if start is None:
        start, count = find_header(sheet, wanted)
    if start + count > len(sheet.grid):
        return Table(sheet.display_name, start + 1, count, [], [])
    labels = _labels(grid, start, count, bool(sheet.merged))
    if len(labels) > limits.MAX_COLUMNS:
        raise PackageError([Problem.error("", sheet.display_name, start + 1, None, None, "too_many_columns",
                                          detail=f"{limits.MAX_COLUMNS:,}")])
    table = Table(sheet.display_name, start + 1, count, labels, [])
    seq = next((i for i, label in enumerate(labels) if norm(label.split("/")[-1]) == "序号"), None)
    words = tuple(norm(w) for w in skip_words)
    width = len(labels)
    for index in range(start + count, len(sheet.grid)):
        cells = sheet.grid[index]
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        if not any(cells):
            continue
        numbered = seq is not None and (cells[seq].isdigit() or norm(cells[seq]).isdigit())
        if not numbered and any(norm(c).startswith(words) for c in cells[:4] if c):
            table.skipped.append((index + 1, next((c for c in cells if c), "")[:60]))
            continue
        if max(map(len, cells)) > limits.MAX_CELL_CHARS:
            i = next(i for i, cell in enumerate(cells) if len(cell) > limits.MAX_CELL_CHARS)
            raise PackageError([problem("error", sheet.display_name, index + 1, labels[i] if i < width else None,
                                        cells[i][:60], "roster_cell_too_long", detail=f"{limits.MAX_CELL_CHARS:,}")])
        table.rows.append((index + 1, cells))
    return table
