"""Reading an editable reference table (data/reference/*.csv): every cell as text, and the header
checked against the columns the table must have. Each table's own module judges the rows and words its
problems (etl/thresholds.py, etl/warning_rules.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb


class ReferenceUnreadable(Exception):
    """The file cannot be read as CSV; the message is DuckDB's first line."""


class ReferenceHeader(Exception):
    """The header is not the table's columns; the message is the header as found."""


def read_reference_rows(con: duckdb.DuckDBPyConnection, path: Path, columns: tuple[str, ...]) -> list[tuple]:
    """The data rows of `path` (row 1 is the header, so the first data row is row 2)."""
    try:
        rows = con.execute(
            "select * from read_csv(?, header = true, all_varchar = true, auto_detect = true)", [str(path)]
        ).fetchall()
        header = [d[0] for d in con.description]
    except duckdb.Error as exc:
        raise ReferenceUnreadable(str(exc).splitlines()[0][:300]) from exc
    if tuple(h.strip().lower() for h in header) != columns:
        raise ReferenceHeader(",".join(header))
    return rows
