"""Extract: find the files of an import package and read each one into an all-text Arrow table.

Nothing is typed here: every cell stays text (codes keep their leading zeros) and every row keeps the
row number the user sees in Excel (`_row`, the header being row 1). Typing and validation happen in
SQL (etl/validate.py) so that all problems are collected in one pass.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import os
import re
import shutil
import stat
import struct
import tempfile
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.csv as pacsv

from etl.contract import Contract, FileSpec, contract
from etl.problems import Problem

TABULAR_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}
BOUNDARY_SUFFIXES = {".geojson", ".json", ".zip", ".shp"}
BOUNDARY_STEMS = {"boundaries", "边界"}

# Limits that keep a hostile package from exhausting the machine (README: "限制 Limits"). Generous for a
# real county: the scale-100 demo (5 million people, 10.2 million household_year rows, 1.9 GB of CSV)
# loads within all of them.
MAX_PACKAGE_BYTES = 2 * 1024**3  # the package as uploaded: a .zip's own size (ui/importing.py: the uploads)
MAX_DECOMPRESSED_BYTES = 4 * 1024**3  # the files read: a zip's entries once decompressed, or a folder's files
MAX_ZIP_RATIO = 200  # decompressed / compressed, per zip (or xlsx) entry larger than ZIP_RATIO_FROM_BYTES
ZIP_RATIO_FROM_BYTES = 10 * 1024**2
MAX_ZIP_ENTRIES = 10_000  # entries of a zip (and of an xlsx, which is a zip)
MAX_ROWS_PER_FILE = 20_000_000
MAX_COLUMNS = 1_000  # header fields of one file
MAX_CELL_CHARS = 10_000  # characters of one text cell (checked in SQL: etl/checks/generic/value_too_long.sql)
CSV_BLOCK_BYTES = 16 * 1024**2
MAX_RECORD_BYTES = CSV_BLOCK_BYTES  # one CSV record (a line, or several when a quoted cell holds newlines)
MAX_XLSX_CELLS = 20_000_000  # the rectangle a worksheet spans (rows x columns); the reader holds it whole


class PackageError(Exception):
    """The package as a whole cannot be read; carries the problems found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems


@dataclass
class PackageFile:
    table: str  # English stem of the contract, or "boundaries"
    path: Path  # on disk (extracted when the package was a zip)
    display_name: str  # as the user named it inside the package


@dataclass
class Package:
    source: Path
    files: dict[str, PackageFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


# What zipfile raises on a damaged, hostile, encrypted or exotic archive (it has no single error type).
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
              NotImplementedError, OverflowError, IndexError, KeyError, zlib.error, struct.error)


def _size(n: int) -> str:
    return f"{n / 1024**3:g} GiB" if n >= 1024**3 else f"{n / 1024**2:g} MiB"


def _open_zip(path: Path, display: str) -> zipfile.ZipFile:
    """Open a zip (a package, a zipped Shapefile or an xlsx) or raise PackageError saying why not."""
    try:
        with open(path, "rb") as f:
            # the entry count of the end record, before zipfile builds an object per entry
            end = zipfile._EndRecData(f) if hasattr(zipfile, "_EndRecData") else None
        if end and end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ZIP_ENTRIES:
            raise PackageError([Problem.file_error(display, "zip_too_many_entries", detail=f"{MAX_ZIP_ENTRIES:,}")])
        return zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise PackageError([Problem.file_error(display, "bad_zip", value=str(exc)[:200])]) from None


def _safe_members(zf: zipfile.ZipFile, display: str) -> list[zipfile.ZipInfo]:
    """Refuse zip entries that would land outside the work folder, links, and zip bombs."""
    problems, members, total = [], [], 0
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise PackageError([Problem.file_error(display, "zip_too_many_entries", detail=f"{MAX_ZIP_ENTRIES:,}")])
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            problems.append(Problem.file_error(name, "unsafe_zip_path", value=name))
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(Problem.file_error(name, "unsafe_zip_link", value=name))
            continue
        if info.is_dir():
            continue
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_ZIP_RATIO and info.file_size > ZIP_RATIO_FROM_BYTES:
            problems.append(Problem.file_error(name, "zip_bomb", value=f"{info.file_size} bytes"))
            continue
        members.append(info)
    if total > MAX_DECOMPRESSED_BYTES:
        problems.append(Problem.file_error(display, "package_too_large", value=f"{total} bytes",
                                           detail=_size(MAX_DECOMPRESSED_BYTES)))
    if problems:
        raise PackageError(problems)
    return members


def check_zip(path: Path, display: str) -> None:
    """The checks of a package zip, for a zip read by another library (xlsx, zipped Shapefile)."""
    try:
        with _open_zip(path, display) as zf:
            _safe_members(zf, display)
    except PackageError as exc:  # name the entries inside the file the user knows
        raise PackageError([p if p.file == display else dataclasses.replace(p, file=f"{display}/{p.file}")
                            for p in exc.problems]) from None


def _decode_name(raw: bytes) -> str:
    """A file name as the user wrote it: UTF-8, else GBK/GB18030 (Windows tools), never undecodable."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def _utf8_path(path: Path, work_dir: Path) -> Path:
    """`path`, or a link to it in work_dir when its name is not UTF-8 (a GBK name unpacked on Linux):
    Arrow, calamine and GDAL take UTF-8 paths only."""
    try:
        os.fsencode(path).decode("utf-8")
        return path
    except UnicodeDecodeError:
        link = Path(tempfile.mkdtemp(prefix="name-", dir=work_dir)) / f"file{path.suffix.lower()}"
        link.symlink_to(path.resolve())
        return link


def _extract_zip(path: Path, work_dir: Path) -> list[tuple[Path, str]]:
    out = []
    with _open_zip(path, path.name) as zf:
        for info in _safe_members(zf, path.name):
            # Names from Windows zip tools are often GBK without the UTF-8 flag.
            name = info.filename
            if not info.flag_bits & 0x800:
                name = _decode_name(name.encode("cp437"))
            target = work_dir / f"{len(out):04d}{Path(name).suffix.lower()}"
            written = 0
            with open(target, "wb") as dst:
                try:
                    with zf.open(info) as src:
                        while chunk := src.read(1024 * 1024):
                            written += len(chunk)
                            if written > info.file_size or written > MAX_DECOMPRESSED_BYTES:
                                raise PackageError([Problem.file_error(name, "zip_bomb", value=f">{written} bytes")])
                            dst.write(chunk)
                except ZIP_ERRORS as exc:  # damaged, encrypted, an unknown compression method
                    problem = Problem.file_error(name, "zip_entry_unreadable", value=str(exc)[:200])
                    raise PackageError([problem]) from None
            out.append((target, name))
    return out


def _classify(display_name: str, the_contract: Contract) -> str | None:
    p = PurePosixPath(display_name.replace("\\", "/"))
    stem, suffix = p.stem.strip().lower(), p.suffix.lower()
    if stem in BOUNDARY_STEMS and suffix in BOUNDARY_SUFFIXES:
        return "boundaries"
    if suffix not in TABULAR_SUFFIXES:
        return None
    for spec in the_contract.files:
        if stem in (spec.table, spec.stem_zh.lower()):
            return spec.table
    return None


def open_package(source: str | Path, work_dir: Path) -> Package:
    """List the package's files (a folder or a .zip), extracting a zip into work_dir."""
    source = Path(source)
    the_contract = contract()
    if not source.exists():
        raise PackageError([Problem.file_error(str(source), "package_missing")])
    if source.is_dir():
        candidates = [(_utf8_path(p, work_dir), _decode_name(os.fsencode(p.relative_to(source))))
                      for p in sorted(source.rglob("*")) if p.is_file()]
    elif source.suffix.lower() == ".zip":
        size = source.stat().st_size
        if size > MAX_PACKAGE_BYTES:
            raise PackageError([Problem.file_error(source.name, "package_too_large", value=f"{size} bytes",
                                                   detail=_size(MAX_PACKAGE_BYTES))])
        candidates = _extract_zip(source, work_dir)
    else:
        raise PackageError([Problem.file_error(source.name, "package_not_folder_or_zip")])

    package = Package(source=source)
    for path, display in candidates:
        if PurePosixPath(display).name.startswith((".", "~$")) or display.startswith("__MACOSX"):
            continue
        table = _classify(display, the_contract)
        if table == "boundaries" and Path(display).suffix.lower() == ".shp":
            path = _shapefile_folder(path, display, candidates, work_dir)
        if table is None:
            if Path(display).suffix.lower() not in {".shx", ".dbf", ".prj", ".cpg", ".md", ".txt"}:
                package.problems.append(Problem.file_warning(display, "file_ignored", value=display))
            continue
        if table in package.files:
            package.problems.append(
                Problem.file_error(display, "file_duplicate", value=package.files[table].display_name)
            )
            continue
        package.files[table] = PackageFile(table, path, PurePosixPath(display.replace("\\", "/")).name)

    for spec in the_contract.files:
        if spec.table not in package.files and spec.presence != "optional":
            make = Problem.file_error if spec.presence == "required" else Problem.file_warning
            package.problems.append(make(f"{spec.stem_zh}.csv / {spec.table}.csv", "file_missing"))
    if source.is_dir():  # a zip's entries were counted before extraction
        total = sum(f.path.stat().st_size for f in package.files.values())
        if total > MAX_DECOMPRESSED_BYTES:
            raise PackageError([Problem.file_error(source.name, "package_too_large", value=f"{total} bytes",
                                                   detail=_size(MAX_DECOMPRESSED_BYTES))])
    return package


def _shapefile_folder(shp: Path, display: str, candidates, work_dir: Path) -> Path:
    """Gather a .shp and its sidecars (same stem) into one folder geopandas can read."""
    folder = work_dir / "shapefile"
    folder.mkdir(exist_ok=True)
    stem = PurePosixPath(display).with_suffix("")
    for path, name in candidates:
        if PurePosixPath(name).with_suffix("") == stem:
            shutil.copyfile(path, folder / f"boundaries{PurePosixPath(name).suffix.lower()}")
    return folder / "boundaries.shp"


# ---------------------------------------------------------------------------------------------
# Reading one tabular file into text


def detect_encoding(path: Path) -> str:
    """The encoding the whole file decodes in: UTF-16 when it starts with its BOM, else UTF-8 (with or
    without BOM), else GB18030 (⊇ GBK). UnicodeError when none fits."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8", "gb18030"]  # Arrow skips a UTF-8 BOM itself
        for encoding in candidates:
            f.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := f.read(4 * 1024 * 1024):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                pass
    raise UnicodeError(f"{path.name}: none of {', '.join(candidates)}")


@dataclass
class RawTable:
    """A file read as text: canonical column names, plus `_row` (Excel row number)."""

    spec: FileSpec
    display_name: str
    headers: dict[str, str]  # canonical column -> header as written by the user
    batches: Iterable[pa.RecordBatch] | None = None  # consumed once, by staging
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


def match_headers(spec: FileSpec, raw_headers: list[str], display_name: str) -> tuple[dict[int, str], RawTable]:
    """Map header positions to canonical column names; report missing/duplicate/extra headers."""
    table = RawTable(spec=spec, display_name=display_name, headers={})
    lookup = {}
    for col in spec.columns:
        lookup[col.header_zh] = col.name
        lookup[col.name.lower()] = col.name
    positions: dict[int, str] = {}
    if len(raw_headers) > MAX_COLUMNS:
        table.problems.append(Problem.error(spec.table, display_name, 1, None, None, "too_many_columns",
                                            detail=f"{MAX_COLUMNS:,}"))
        return positions, table
    for i, raw in enumerate(raw_headers):
        header = (raw or "").replace("\ufeff", "").strip()[:200]
        name = lookup.get(header) or lookup.get(header.lower())
        if name is None:
            if header:
                table.problems.append(Problem.warning(spec.table, display_name, 1, header, header, "column_extra"))
            continue
        if name in table.headers:
            table.problems.append(
                Problem.error(spec.table, display_name, 1, header, header, "column_duplicate",
                              detail=table.headers[name])
            )
            continue
        table.headers[name] = header
        positions[i] = name
    for col in spec.columns:
        if col.name not in table.headers and not col.header_optional:
            table.problems.append(
                Problem.error(spec.table, display_name, 1, f"{col.header_zh} ({col.name})", None, "column_missing")
            )
    return positions, table


def _to_text_batches(spec: FileSpec, positions: dict[int, str], columns: list[pa.Array], row_numbers: pa.Array):
    names = [c.name for c in spec.columns]
    by_name = {positions[i]: arr for i, arr in enumerate(columns) if i in positions}
    n = len(row_numbers)
    arrays = [by_name.get(name, pa.nulls(n, pa.string())) for name in names]
    return pa.RecordBatch.from_arrays([row_numbers, *arrays], names=["_row", *names])


def _csv_problem(spec: FileSpec, display_name: str, exc: Exception) -> Problem:
    """A file the parser gave up on: a record too long for it (often an unclosed quote), or else why."""
    message = str(exc)
    if "straddl" in message or "field larger than field limit" in message:
        return Problem.file_error(display_name, "csv_record_too_large", table=spec.table, value=message[:200],
                                  detail=_size(MAX_RECORD_BYTES))
    return Problem.file_error(display_name, "csv_unreadable", table=spec.table, value=message[:200])


def read_csv(spec: FileSpec, path: Path, display_name: str) -> RawTable:
    try:
        encoding = detect_encoding(path)
        header_line = _read_header(path, encoding)
    except UnicodeError:
        table = RawTable(spec=spec, display_name=display_name, headers={})
        table.problems.append(Problem.file_error(display_name, "encoding_unknown", table=spec.table))
        return table
    except csv.Error as exc:
        table = RawTable(spec=spec, display_name=display_name, headers={})
        table.problems.append(_csv_problem(spec, display_name, exc))
        return table
    positions, table = match_headers(spec, header_line, display_name)
    if any(p.severity == "error" for p in table.problems):
        return table
    n_cols = len(header_line)
    table.batches = _csv_batches(spec, path, display_name, positions, table, read_options(encoding, n_cols), n_cols)
    return table


def read_options(encoding: str, n_cols: int):
    return (
        pacsv.ReadOptions(
            encoding=encoding,
            column_names=[f"c{i}" for i in range(n_cols)],
            skip_rows=1,
            block_size=CSV_BLOCK_BYTES,
            use_threads=True,
        ),
        pacsv.ConvertOptions(
            column_types={f"c{i}": pa.string() for i in range(n_cols)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _csv_batches(spec, path, display_name, positions, table: RawTable, options, n_cols):
    """Stream the file as text batches; problems found on the way are appended to `table`.

    DuckDB consumes this generator: it must not raise (an exception would surface as a DuckDB error,
    not as a problem of the file).
    """
    read_opts, convert_opts = options
    bad_rows: list[str] = []  # the first few, as Arrow saw them
    skipped = 0

    def on_invalid(row):
        nonlocal skipped
        skipped += 1
        if len(bad_rows) < 10:
            bad_rows.append(row.text[:200])
        return "skip"

    parse_options = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid)
    next_row = 2
    try:
        for batch in pacsv.open_csv(path, read_opts, parse_options, convert_opts):
            if next_row - 2 + batch.num_rows > MAX_ROWS_PER_FILE:
                table.problems.append(Problem.file_error(display_name, "too_many_rows", table=spec.table,
                                                         detail=f"{MAX_ROWS_PER_FILE:,}"))
                return
            rows = pa.array(range(next_row, next_row + batch.num_rows), pa.int64())
            next_row += batch.num_rows
            yield _to_text_batches(spec, positions, batch.columns, rows)
    except (pa.ArrowException, UnicodeError) as exc:
        table.problems.append(_csv_problem(spec, display_name, exc))
        return
    table.rows = next_row - 2
    if skipped:
        # Arrow does not number skipped rows: find them again (only on this failure path).
        found = 0
        try:
            for number, text in _records_with_wrong_width(path, read_opts.encoding, n_cols):
                found += 1
                table.problems.append(
                    Problem.error(spec.table, display_name, number, None, text[:200], "csv_field_count", detail=n_cols)
                )
        except csv.Error as exc:
            table.problems.append(_csv_problem(spec, display_name, exc))
            return
        if not found:  # the two parsers disagree on where the record is: still never drop it silently
            for text in bad_rows:
                table.problems.append(
                    Problem.error(spec.table, display_name, None, None, text, "csv_field_count", detail=n_cols)
                )


def _text_file(path: Path, encoding: str):
    csv.field_size_limit(MAX_RECORD_BYTES)
    return open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")


def _records_with_wrong_width(path: Path, encoding: str, n_cols: int):
    with _text_file(path, encoding) as f:
        for number, record in enumerate(csv.reader(f), start=1):
            if number > 1 and record and len(record) != n_cols:
                yield number, ",".join(record)


def _read_header(path: Path, encoding: str) -> list[str]:
    with _text_file(path, encoding) as f:
        for row in csv.reader(f):
            return row
    return []


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
                return MAX_XLSX_CELLS + 1  # a reference written in a way we do not read (entities)
            max_row, max_col = max(max_row, int(ref[len(letters):][:12] or 0)), max(max_col, _column(letters))
    return (max_row + tags[b"row"]) * (max_col + tags[b"c"])


def _check_workbook(path: Path, display_name: str, spec: FileSpec) -> Problem | None:
    """An xlsx is a zip: the package's zip checks, then the span of each entry that could be the sheet
    calamine reads (any entry: the workbook's relationships may name any)."""
    try:
        check_zip(path, display_name)
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir() and _sheet_span(lambda info=info: zf.open(info)) > MAX_XLSX_CELLS:
                    return Problem.file_error(display_name, "xlsx_too_large", table=spec.table,
                                              detail=f"{MAX_XLSX_CELLS:,}")
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
    if len(body) > MAX_ROWS_PER_FILE:
        table.problems.append(Problem.file_error(display_name, "too_many_rows", table=spec.table,
                                                 detail=f"{MAX_ROWS_PER_FILE:,}"))
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
    table.batches = [_to_text_batches(spec, positions, columns, row_numbers)]
    table.rows = len(body)
    return table


def read_table(spec: FileSpec, file: PackageFile) -> RawTable:
    if file.path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        return read_excel(spec, file.path, file.display_name)
    return read_csv(spec, file.path, file.display_name)
