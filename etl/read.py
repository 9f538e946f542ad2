"""Extract: find the files of an import package and read each one into an all-text Arrow table.

Nothing is typed here: every cell stays text (codes keep their leading zeros) and every row keeps the
row number the user sees in Excel (`_row`, the header being row 1). Typing and validation happen in
SQL (etl/validate.py) so that all problems are collected in one pass.
"""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.csv as pacsv

from etl.contract import Contract, FileSpec, contract
from etl.problems import Problem

TABULAR_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}
BOUNDARY_SUFFIXES = {".geojson", ".json", ".zip", ".shp"}
BOUNDARY_STEMS = {"boundaries", "边界"}

# Limits that keep a hostile package from exhausting the machine (README: "Limits").
MAX_PACKAGE_BYTES = 2 * 1024**3  # decompressed total
MAX_ZIP_RATIO = 200  # decompressed / compressed, per entry
MAX_CELL_CHARS = 10_000
CSV_BLOCK_BYTES = 16 * 1024**2


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


def _safe_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Refuse zip entries that would land outside the work folder, and zip bombs."""
    problems, members, total = [], [], 0
    for info in zf.infolist():
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            problems.append(Problem.file_error(name, "unsafe_zip_path", value=name))
            continue
        if info.is_dir():
            continue
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_ZIP_RATIO and info.file_size > 10 * 1024**2:
            problems.append(Problem.file_error(name, "zip_bomb", value=f"{info.file_size} bytes"))
            continue
        members.append(info)
    if total > MAX_PACKAGE_BYTES:
        problems.append(Problem.file_error(zf.filename or "", "package_too_large", value=f"{total} bytes"))
    if problems:
        raise PackageError(problems)
    return members


def _extract_zip(path: Path, work_dir: Path) -> list[tuple[Path, str]]:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise PackageError([Problem.file_error(path.name, "bad_zip")]) from None
    out = []
    with zf:
        for info in _safe_members(zf):
            # Names from Windows zip tools are often GBK without the UTF-8 flag.
            name = info.filename
            if not info.flag_bits & 0x800:
                try:
                    name = name.encode("cp437").decode("gb18030")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    pass
            target = work_dir / f"{len(out):04d}{Path(name).suffix.lower()}"
            written = 0
            with zf.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(1024 * 1024):
                    written += len(chunk)
                    if written > info.file_size or written > MAX_PACKAGE_BYTES:
                        raise PackageError([Problem.file_error(name, "zip_bomb", value=f">{written} bytes")])
                    dst.write(chunk)
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
        candidates = [(p, str(p.relative_to(source))) for p in sorted(source.rglob("*")) if p.is_file()]
    elif source.suffix.lower() == ".zip":
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
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030 (⊇ GBK)."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8"  # Arrow skips the BOM itself
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(4 * 1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        f.seek(0)
        decoder = codecs.getincrementaldecoder("gb18030")()
        try:
            while chunk := f.read(4 * 1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "gb18030"
        except UnicodeDecodeError as exc:
            raise UnicodeError(str(exc)) from None


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
    for i, raw in enumerate(raw_headers):
        header = (raw or "").replace("\ufeff", "").strip()
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


def read_csv(spec: FileSpec, path: Path, display_name: str) -> RawTable:
    try:
        encoding = detect_encoding(path)
    except UnicodeError:
        table = RawTable(spec=spec, display_name=display_name, headers={})
        table.problems.append(Problem.file_error(display_name, "encoding_unknown", table=spec.table))
        return table
    header_line = _read_header(path, encoding)
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
    """Stream the file as text batches; problems found on the way are appended to `table`."""
    read_opts, convert_opts = options
    bad_rows: list[str] = []

    def on_invalid(row):
        bad_rows.append(row.text)
        return "skip"

    parse_options = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid)
    next_row = 2
    try:
        for batch in pacsv.open_csv(path, read_opts, parse_options, convert_opts):
            rows = pa.array(range(next_row, next_row + batch.num_rows), pa.int64())
            next_row += batch.num_rows
            yield _to_text_batches(spec, positions, batch.columns, rows)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        table.problems.append(
            Problem.file_error(display_name, "csv_unreadable", table=spec.table, value=str(exc)[:200])
        )
        return
    table.rows = next_row - 2
    if bad_rows:
        # Arrow does not number skipped rows: find them again (only on this failure path).
        for number, text in _records_with_wrong_width(path, read_opts.encoding, n_cols):
            table.problems.append(
                Problem.error(spec.table, display_name, number, None, text[:200], "csv_field_count", detail=n_cols)
            )


def _records_with_wrong_width(path: Path, encoding: str, n_cols: int):
    import csv

    csv.field_size_limit(MAX_CELL_CHARS * 100)
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
        for number, record in enumerate(csv.reader(f), start=1):
            if number > 1 and len(record) != n_cols and any(record):
                yield number, ",".join(record)


def _read_header(path: Path, encoding: str) -> list[str]:
    import csv

    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
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


def read_excel(spec: FileSpec, path: Path, display_name: str) -> RawTable:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, Exception) as exc:  # calamine raises several kinds
        table = RawTable(spec=spec, display_name=display_name, headers={})
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
    positions, table = match_headers(spec, header, display_name)
    if any(p.severity == "error" for p in table.problems):
        return table
    body = rows[header_index + 1 :]
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
