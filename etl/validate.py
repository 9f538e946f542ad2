"""Validate: stage the text tables in DuckDB, type them, and run every check in one pass.

Typing is SQL (one expression per kind, `typed_expr`): the same expression builds the typed
staging table and finds the cells it cannot type, so "what counts as a valid date" is defined once.
Checks are SQL files under etl/checks/ that return the violating rows; zero rows = pass.
Identifiers spliced into SQL come only from the contract (etl/schema.sql); values are never spliced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import limits
from etl.contract import Column, FileSpec, contract
from etl.problems import Problem
from etl.tabular import RawTable

CHECKS_DIR = Path(__file__).with_name("checks")

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d")
TRUE_WORDS = ("是", "y", "yes", "1", "true", "t", "√")
FALSE_WORDS = ("否", "n", "no", "0", "false", "f", "×")


def _sql_text(value: str) -> str:
    """A constant of the contract (never user input) as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def typed_expr(column: Column, source: str) -> str:
    """SQL turning the text cell `source` into the column's type; NULL when it cannot."""
    v = f"nullif(trim({source}), '')"
    kind = column.kind
    if kind == "text":
        return v
    if kind == "int":
        return f"try_cast(regexp_replace({v}, '[,，\\s]', '', 'g') as bigint)"
    if kind == "money":
        return f"try_cast(regexp_replace({v}, '[,，\\s元]', '', 'g') as decimal(18, 2))"
    if kind == "ratio":
        return (
            f"case when {v} like '%\\%' escape '\\' "
            f"then try_cast(rtrim({v}, '%') as decimal(18, 6)) / 100 "
            f"else try_cast({v} as decimal(18, 6)) end"
        )
    if kind == "date":
        # Excel date cells arrive as ISO text (etl/read.py); strptime accepts 1- or 2-digit months.
        tries = ", ".join(f"try_strptime({v}, {_sql_text(f)})" for f in DATE_FORMATS)
        return f"cast(coalesce({tries}) as date)"
    if kind == "bool":
        t = ", ".join(_sql_text(w) for w in TRUE_WORDS)
        f = ", ".join(_sql_text(w) for w in FALSE_WORDS)
        return f"case when lower({v}) in ({t}) then true when lower({v}) in ({f}) then false end"
    if kind == "enum":
        aliases = contract().enum_aliases.get(column.enum, {})
        mapped = v
        if aliases:
            whens = " ".join(f"when {_sql_text(a)} then {_sql_text(b)}" for a, b in aliases.items())
            mapped = f"(case {v} {whens} else {v} end)"
        return f"try_cast({mapped} as {column.enum})"
    raise ValueError(f"unknown kind {kind}")


def _ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not an identifier of the contract: {name!r}")
    return f'"{name}"'


# ---------------------------------------------------------------------------------------------
# Staging


def stage_table(con: duckdb.DuckDBPyConnection, spec: FileSpec, raw: RawTable | None) -> None:
    """raw_<table>: text as read (or empty); stg_<table>: typed, one row per source row."""
    raw_name, stg_name = _ident(f"raw_{spec.table}"), _ident(f"stg_{spec.table}")
    text_cols = ", ".join(f"{_ident(c.name)} varchar" for c in spec.columns)
    con.execute(f"create or replace table {raw_name} (_row bigint, {text_cols})")
    if raw is not None and raw.batches is not None:
        schema = pa.schema([("_row", pa.int64())] + [(c.name, pa.string()) for c in spec.columns])
        reader = pa.RecordBatchReader.from_batches(schema, iter(raw.batches))
        con.register("incoming_batches", reader)
        con.execute(f"insert into {raw_name} select * from incoming_batches")
        con.unregister("incoming_batches")
        raw.batches = None  # let Arrow free the memory
    typed = ", ".join(f"{typed_expr(c, _ident(c.name))} as {_ident(c.name)}" for c in spec.columns)
    con.execute(f"create or replace table {stg_name} as select _row, {typed} from {raw_name}")


# ---------------------------------------------------------------------------------------------
# Checks


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    message_zh: str
    message_en: str
    sql: str
    path: Path


_HEADER_RE = re.compile(r"^--\s*(\w+):\s*(.*)$")


def parse_check(path: Path) -> Check:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _HEADER_RE.match(line)
        if not m:
            break
        header[m.group(1)] = m.group(2).strip()
    missing = {"check", "severity", "zh", "en"} - header.keys()
    if missing:
        raise ValueError(f"{path.name}: the header lacks {', '.join(sorted(missing))}")
    if header["check"] != path.stem:
        raise ValueError(f"{path.name}: check name {header['check']} differs from the file name")
    if header["severity"] not in ("error", "warning"):
        raise ValueError(f"{path.name}: severity must be error or warning, not {header['severity']!r}")
    return Check(header["check"], header["severity"], header["zh"], header["en"], path.read_text("utf-8"), path)


@cache
def relational_checks() -> tuple[Check, ...]:
    return tuple(parse_check(p) for p in sorted(CHECKS_DIR.glob("*.sql")))


@cache
def generic_checks() -> dict[str, Check]:
    return {p.stem: parse_check(p) for p in sorted((CHECKS_DIR / "generic").glob("*.sql"))}


def _generic_queries(spec: FileSpec):
    """(check, sql, column) for the per-column checks every file gets."""
    checks = generic_checks()
    raw, stg = _ident(f"raw_{spec.table}"), _ident(f"stg_{spec.table}")
    for col in spec.columns:
        c = _ident(col.name)
        params = {
            "raw": raw, "stg": stg, "column": c, "column_name": _sql_text(col.name),
            "typed": "null", "detail": "null", "detail_en": "null", "date_shaped": "false",
            "max_chars": str(limits.MAX_CELL_CHARS),
        }
        if col.not_null:
            yield checks["value_required"], checks["value_required"].sql.format(**params), col
        if col.kind != "text":
            params["typed"] = typed_expr(col, c)
            check = checks["value_enum" if col.kind == "enum" else "value_format"]
            if col.kind == "enum":
                values = contract().enums[col.enum]
                detail, detail_en = "、".join(values), str(len(values))
            else:
                detail, detail_en = _FORMAT_HINTS[col.kind]
            params["detail"], params["detail_en"] = _sql_text(detail), _sql_text(detail_en)
            if col.kind == "date":
                params["date_shaped"] = f"regexp_full_match(trim({c}), {_sql_text(DATE_SHAPE)})"
                impossible = checks["value_date_impossible"]
                yield impossible, impossible.sql.format(**params), col
            yield check, check.sql.format(**params), col
        if col.kind == "text":  # other kinds cannot type a cell holding these
            yield checks["value_too_long"], checks["value_too_long"].sql.format(**params), col
            yield checks["value_control_chars"], checks["value_control_chars"].sql.format(**params), col
    if spec.key:
        keys = ", ".join(_ident(k) for k in spec.key)
        not_null = " and ".join(f"{_ident(k)} is not null" for k in spec.key)
        shown = " || '|' || ".join(f"cast({_ident(k)} as varchar)" for k in spec.key)
        sql = checks["key_duplicate"].sql.format(
            stg=stg, keys=keys, not_null=not_null, shown=shown, column_name=_sql_text(spec.key[0]), detail="null"
        )
        yield checks["key_duplicate"], sql, spec.column(spec.key[0])



_FORMAT_HINTS = {  # kind -> (中文, English)
    "int": ("整数", "an integer"),
    "money": ("金额（元），如 12345.67", "an amount in yuan, e.g. 12345.67"),
    "ratio": ("比例 0–1 或百分数", "a ratio 0–1 or a percentage"),
    "date": ("日期，如 2019-12-31、2019/12/31、2019年12月31日、20191231", "a date such as 2019-12-31, 2019/12/31 or 20191231"),
    "bool": ("是/否、Y/N、1/0、true/false", "Y/N, yes/no, 1/0 or true/false"),
}

# Text written like a date in one of DATE_FORMATS (whether or not the calendar has that day): such a
# cell that does not type is an impossible date (2019-02-30), not a wrong format.
DATE_SHAPE = r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|\d{8})$"


def _problems_from(con, check: Check, sql: str, files: dict[str, RawTable], default_table=None) -> list[Problem]:
    # stable order for people and tests: by file, then row
    rows = sorted(con.execute(sql).fetchall(), key=lambda r: (r[0] or "", r[1] or 0, r[2] or "", str(r[3])))
    problems = []
    spec_by_table = {f.table: f for f in contract().files}
    for table, row_number, column, value, detail, *english in rows:
        table = table or default_table
        raw = files.get(table)
        spec = spec_by_table.get(table)
        display = raw.display_name if raw else (f"{spec.stem_zh}.csv" if spec else table)
        header = None
        if column:
            header = (raw.headers.get(column) if raw else None) or (
                spec.column(column).header_zh if spec and any(c.name == column for c in spec.columns) else column
            )
        detail = "" if detail is None else str(detail)
        # a check whose detail is worded (not a value) gives it in English too: a sixth column, detail_en
        detail_en = detail if not english or english[0] is None else str(english[0])
        problems.append(
            Problem(
                check.severity, table, display, row_number, header,
                None if value is None else str(value)[:200], check.name,
                check.message_zh.format(detail=detail),
                check.message_en.format(detail=detail_en, detail_en=detail_en),
            )
        )
    return problems


def tables_read(check: Check) -> frozenset[str]:
    """The contract tables a relational check reads (its SQL names their staged tables stg_<table>)."""
    tables = {spec.table for spec in contract().files}
    return frozenset(t for t in re.findall(r"\bstg_(\w+)", check.sql) if t in tables)


def run_checks(con: duckdb.DuckDBPyConnection, files: dict[str, RawTable],
               unavailable: frozenset[str] | set[str] = frozenset()) -> list[Problem]:
    """All generic checks of every file read, and the relational checks whose tables are all available
    (`unavailable`: files that could not be read in full, or are missing, whose absence would make a
    cross-file check report every row of the other file); returns every problem found."""
    problems: list[Problem] = []
    for spec in contract().files:
        if spec.table not in files:
            continue
        for check, sql, _col in _generic_queries(spec):
            problems += _problems_from(con, check, sql, files, default_table=spec.table)
    for check in relational_checks():
        if not tables_read(check) & set(unavailable):
            problems += _problems_from(con, check, check.sql, files)
    return problems


def checks_skipped(unavailable: frozenset[str] | set[str], table: str) -> list[str]:
    """The relational checks run_checks skips because `table` is unavailable."""
    return [c.name for c in relational_checks() if table in tables_read(c) and tables_read(c) & set(unavailable)]
