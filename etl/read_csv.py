"""Read a CSV file of the package into text: its encoding detected, its header matched, its rows streamed
in Arrow batches (nothing typed here: etl/validate.py types in SQL)."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from etl import limits
from etl.contract import FileSpec
from etl.problems import Problem
from etl.tabular import RawTable, match_headers, to_text_batches


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


def _csv_problem(spec: FileSpec, display_name: str, exc: Exception) -> Problem:
    """A file the parser gave up on: a record too long for it (often an unclosed quote), or else why."""
    message = str(exc)
    if "straddl" in message or "field larger than field limit" in message:
        return Problem.file_error(display_name, "csv_record_too_large", table=spec.table, value=message[:200],
                                  detail=limits.size_text(limits.MAX_RECORD_BYTES))
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
            block_size=limits.CSV_BLOCK_BYTES,
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
            if next_row - 2 + batch.num_rows > limits.MAX_ROWS_PER_FILE:
                table.problems.append(Problem.file_error(display_name, "too_many_rows", table=spec.table,
                                                         detail=f"{limits.MAX_ROWS_PER_FILE:,}"))
                return
            rows = pa.array(range(next_row, next_row + batch.num_rows), pa.int64())
            next_row += batch.num_rows
            yield to_text_batches(spec, positions, batch.columns, rows)
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
    csv.field_size_limit(limits.MAX_RECORD_BYTES)
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
