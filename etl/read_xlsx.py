"""Read an Excel file of the package into text: the workbook checked as a zip and for the span of its
sheets before calamine lays the first sheet out, the header row found, cells turned to the text a user
would have typed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.parsers.expat
import zipfile
from operator import itemgetter
from pathlib import Path

import pyarrow as pa

from etl import limits
from etl.contract import FileSpec
from etl.problems import PackageError, Problem
from etl.tabular import RawTable, match_headers, to_text_batches
from etl.zipsafe import ZIP_ERRORS, check_zip


def _cell_text(value) -> str:
    """Excel cells to the text a user would have typed: integral numbers without '.0', dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# Worksheet XML, scanned for the rectangle its cells span before calamine lays them out densely (a
# cell at A1 and one at XFD1048576 make it allocate 17 billion cells and abort the process).
_CELL_OPEN = re.compile(rb"<c[\s/>]")
_CELL_OPEN_ANY = re.compile(rb"[<:]c[\s/>]")  # also <x:c (and perhaps more: that only costs time)
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,9})"')  # as spreadsheet programs write them
_OPENING = {b"row": re.compile(rb"[<:]row[\s/>]"), b"c": _CELL_OPEN_ANY}
_ANY_REF = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")


def _xml_pieces(stream):
    """The XML in pieces cut before a '<': the regular expressions below match from a '<' to
    before the next one, so no match is split."""
    tail = b""
    while chunk := stream.read(4 * 1024 * 1024):
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            tail = data
            continue
        yield data[:cut]
        tail = data[cut:]
    yield tail


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper()[:8]:  # 8 letters already pass any limit
        number = number * 26 + letter - 64
    return number


def _sheet_span(open_stream) -> int:
    """Rows x columns of the rectangle the worksheet's cells span (an upper bound). Fast when every
    cell tag starts with its reference (<c r="B7"), as spreadsheet programs write them; else exact."""
    max_row = max_col = 0
    with open_stream() as stream:
        for data in _xml_pieces(stream):
            cells = _CELL_REF.findall(data)
            opened = len((_CELL_OPEN_ANY if b":c" in data else _CELL_OPEN).findall(data))
            if len(cells) != opened:
                break
            if cells:
                max_row = max(max_row, max(map(int, set(map(itemgetter(1), cells)))))
                max_col = max(max_col, max(map(_column, set(map(itemgetter(0), cells)))))
        else:
            return max_row * max_col
    try:
        with open_stream() as stream:
            return _exact_sheet_span(stream)
    except xml.parsers.expat.ExpatError:  # not XML (an image), or XML only a lenient parser takes
        with open_stream() as stream:
            return _rough_sheet_span(stream)


def _exact_sheet_span(stream) -> int:
    """As calamine places cells: by their reference, else after the cell before them in the row.
    A real XML parser (expat): quoting tricks cannot hide a cell from it."""
    span = {"row": 0, "col": 0, "max_row": 0, "max_col": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag, ref = name.rpartition(":")[2], attrs.get("r", "")
        if tag == "row":
            span["row"], span["col"] = (int(ref[:12]) if ref.isdigit() else span["row"] + 1), 0
        elif tag == "c":
            letters = ref.rstrip("0123456789")
            digits = ref[len(letters):]
            if letters.isascii() and letters.isalpha() and digits:
                span["col"], row = _column(letters.encode()), int(digits[:12])
            else:
                span["col"], row = span["col"] + 1, max(span["row"], 1)
            span["max_row"], span["max_col"] = max(span["max_row"], row), max(span["max_col"], span["col"])

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    while chunk := stream.read(4 * 1024 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return span["max_row"] * span["max_col"]


def _rough_sheet_span(stream) -> int:
    """An upper bound without parsing: the largest reference plus every tag that could be a row or a
    cell placed after the one before it."""
    tags = {b"row": 0, b"c": 0}
    max_row = max_col = 0
    for data in _xml_pieces(stream):
        for tag in tags:
            tags[tag] += len(_OPENING[tag].findall(data))
        for ref in _ANY_REF.findall(data):
            letters = ref.rstrip(b"0123456789")
            if letters and not (letters.isascii() and letters.isalpha()):
                return limits.MAX_XLSX_CELLS + 1  # a reference written in a way we do not read (entities)
            max_row, max_col = max(max_row, int(ref[len(letters):][:12] or 0)), max(max_col, _column(letters))
    return (max_row + tags[b"row"]) * (max_col + tags[b"c"])


def _check_workbook(path: Path, display_name: str, spec: FileSpec) -> Problem | None:
    """An xlsx is a zip: the package's zip checks, then the span of each entry that could be the sheet
    calamine reads (any entry: the workbook's relationships may name any)."""
    try:
        check_zip(path, display_name)
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir() and _sheet_span(lambda info=info: zf.open(info)) > limits.MAX_XLSX_CELLS:
                    return Problem.file_error(display_name, "xlsx_too_large", table=spec.table,
                                              detail=f"{limits.MAX_XLSX_CELLS:,}")
    except PackageError as exc:
        problem = exc.problems[0]
        if problem.check_name != "bad_zip":
            return dataclasses.replace(problem, file=display_name, table=spec.table)
        return Problem.file_error(display_name, "xlsx_unreadable", table=spec.table, value=problem.value)
    except (*ZIP_ERRORS, xml.parsers.expat.ExpatError) as exc:
        return Problem.file_error(display_name, "xlsx_unreadable", table=spec.table, value=str(exc)[:200])
    return None


def read_excel(spec: FileSpec, path: Path, display_name: str) -> RawTable:
    from python_calamine import CalamineWorkbook

    table = RawTable(spec=spec, display_name=display_name, headers={})
    if path.suffix.lower() != ".xls":  # .xlsx / .xlsm (.xls is no zip; its format caps it at 65536 x 256)
        problem = _check_workbook(path, display_name, spec)
        if problem is not None:
            table.problems.append(problem)
            return table
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine raises several kinds; a Rust panic is a BaseException
        table.problems.append(
            Problem.file_error(display_name, "xlsx_unreadable", table=spec.table, value=str(exc)[:200])
        )
        return table
    # Exports often carry a title row or two above the header: take the row naming most columns.
    known = {c.header_zh for c in spec.columns} | {c.name for c in spec.columns}
    header_index = max(
        range(min(len(rows), 10)),
        key=lambda i: sum(_cell_text(v).strip() in known for v in rows[i]),
        default=0,
    )
    header = [_cell_text(v) for v in rows[header_index]] if rows else []
    while header and not header[-1].strip():  # formatting often extends the used range to the right
        header.pop()
    positions, table = match_headers(spec, header, display_name)
    if any(p.severity == "error" for p in table.problems):
        return table
    body = rows[header_index + 1 :]
    if len(body) > limits.MAX_ROWS_PER_FILE:
        table.problems.append(Problem.file_error(display_name, "too_many_rows", table=spec.table,
                                                 detail=f"{limits.MAX_ROWS_PER_FILE:,}"))
        return table
    # Drop trailing empty rows (formatting often extends the used range).
    while body and all(v in (None, "") for v in body[-1]):
        body.pop()
    columns = [
        pa.array([_cell_text(r[i]) if i < len(r) else "" for r in body], pa.string())
        for i in range(len(header))
    ]
    first = header_index + 2  # Excel rows are 1-based and the header occupies one
    row_numbers = pa.array(range(first, first + len(body)), pa.int64())
    table.batches = [to_text_batches(spec, positions, columns, row_numbers)]
    table.rows = len(body)
    return table
