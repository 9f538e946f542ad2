"""A tabular file read as text (CSV: etl/read_csv.py, Excel: etl/read_xlsx.py): the headers matched to
the contract's columns and the rows as Arrow batches of text, numbered as the user sees them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from etl import limits
from etl.contract import FileSpec
from etl.problems import Problem


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
    if len(raw_headers) > limits.MAX_COLUMNS:
        table.problems.append(Problem.error(spec.table, display_name, 1, None, None, "too_many_columns",
                                            detail=f"{limits.MAX_COLUMNS:,}"))
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


def to_text_batches(spec: FileSpec, positions: dict[int, str], columns: list[pa.Array], row_numbers: pa.Array):
    names = [c.name for c in spec.columns]
    by_name = {positions[i]: arr for i, arr in enumerate(columns) if i in positions}
    n = len(row_numbers)
    arrays = [by_name.get(name, pa.nulls(n, pa.string())) for name in names]
    return pa.RecordBatch.from_arrays([row_numbers, *arrays], names=["_row", *names])
