"""The query runner: every figure Tuopin shows comes from a named .sql file in this folder.

Each file opens with a header (docs/domain.md explains the definitions it cites):

    -- indicator:  registry_summary            (or `-- query:` for result sets that are not indicators)
    -- definition: what it computes and where that definition comes from
    -- grain:      one row per ...
    -- params:     $as_of DATE, $region VARCHAR (NULL = top), $level VARCHAR one of 县|乡镇|村
    -- reads:      village_exit_check           (optional: catalog queries this one is worked out from)

A query that `reads` another sees that query's result as a table of the same name (or `name as
alias`), run with the parameters of the same names, or as mapped: `registry_summary as previous
(as_of = $previous)`, `registry_by (dimension = 'cause')`. So a figure worked out from another (failures per criterion from the village
exit check, the reconciliation from the flows, a change between two dates) has one definition.

The runner loads a query by name, checks and converts the parameters it declares, binds them as
values (`$name`; never formatted into SQL) and returns a pandas DataFrame. It has no Streamlit import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

QUERIES_DIR = Path(__file__).parent
log = logging.getLogger("tuopin.queries")

_HEADER_RE = re.compile(r"^--\s*(\w+):\s*(.*)$")
_PARAM_RE = re.compile(r"\$(\w+)\s+(DATE|VARCHAR|INTEGER|DOUBLE|BOOLEAN)(?:\s+one of\s+([^\s,(]+))?", re.I)
_USED_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")


class QueryError(Exception):
    """A query name or parameter a caller got wrong; message in Chinese and English."""


class ScopeError(QueryError):
    """A request for a region outside the account's scope, or for personal data it may not see."""


# Parameters that name a region; under a scope each must lie inside it (region_closure).
REGION_PARAMS = ("region", "village")
# Queries without a region parameter that hold no regional rows, so any scope may run them.
SCOPE_FREE = frozenset({"load_info", "data_span", "exit_rules", "exit_criteria", "warning_rules"})


@dataclass(frozen=True)
class Scope:
    """What an account may see: the region it is limited to (区划代码, its whole subtree) and whether it
    may run `-- personal: yes` queries (unmasked names and ID numbers)."""

    region: str
    personal: bool = False


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # DATE / VARCHAR / INTEGER / DOUBLE / BOOLEAN
    allowed: tuple[str, ...] | None = None  # allow-list, when the header says "one of a|b|c"


@dataclass(frozen=True)
class Read:
    """A catalog query another one reads: its name, the table name it is seen under, which of the
    reading query's parameters feed which of its own (unmapped ones: the parameter of the same name)
    and the ones given a fixed value ('text')."""
    name: str
    alias: str
    mapping: tuple[tuple[str, str], ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()

    def params(self, source: Query, reader: Query) -> dict[str, str]:
        """Its parameter → the reading query's parameter that feeds it."""
        mapped, fixed = dict(self.mapping), dict(self.fixed)
        own = {p.name for p in reader.params}
        return {p.name: mapped.get(p.name, p.name) for p in source.params
                if p.name not in fixed and mapped.get(p.name, p.name) in own}


_READ_RE = re.compile(r"(\w+)(?:\s+as\s+(\w+))?(?:\s*\(([^)]*)\))?")


def _parse_reads(text: str) -> tuple[Read, ...]:
    reads = []
    for m in _READ_RE.finditer(text):
        pairs = [(a.strip(), b.strip()) for a, _, b in
                 (pair.partition("=") for pair in (m.group(3) or "").split(",") if pair.strip())]
        mapping = tuple((a, b.lstrip("$")) for a, b in pairs if not b.startswith("'"))
        fixed = tuple((a, b.strip("'")) for a, b in pairs if b.startswith("'"))
        reads.append(Read(m.group(1), m.group(2) or m.group(1), mapping, fixed))
    return tuple(reads)


@dataclass(frozen=True)
class Query:
    name: str
    kind: str  # indicator / query
    definition: str
    grain: str
    params: tuple[Param, ...]
    params_text: str
    sql: str
    path: Path
    personal: bool = False  # header `-- personal: yes`: returns unmasked names / ID numbers
    reads: tuple[Read, ...] = ()  # header `-- reads: a, b as c (x = $y)`: queries whose results it reads

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def parse_query(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = _HEADER_RE.match(line)
        if m and m.group(1) in ("indicator", "query", "definition", "grain", "params", "columns", "source", "personal",
                                          "reads"):
            last = m.group(1)
            header[last] = m.group(2).strip()
        elif last:  # continuation line of the previous field
            header[last] += " " + line[2:].strip()
    kind = "indicator" if "indicator" in header else "query"
    name = header.get(kind)
    if name != path.stem:
        raise ValueError(f"{path.name}: header names {name!r}; the file name must equal the query name")
    for field in ("definition", "grain", "params"):
        if field not in header:
            raise ValueError(f"{path.name}: header lacks `-- {field}:`")
    params = tuple(
        Param(m.group(1), m.group(2).upper(), tuple(m.group(3).split("|")) if m.group(3) else None)
        for m in _PARAM_RE.finditer(header["params"])
    )
    personal = header.get("personal", "no").strip().lower().startswith("yes")
    reads = _parse_reads(header.get("reads", ""))
    return Query(name, kind, header["definition"], header["grain"], params, header["params"], text, path, personal,
                 reads)


@cache
def catalog() -> dict[str, Query]:
    return {q.name: q for q in (parse_query(p) for p in sorted(QUERIES_DIR.glob("*.sql")))}


def used_params(query: Query) -> set[str]:
    """The parameters its SQL uses, and those it hands on to the queries it reads."""
    used = set(_USED_RE.findall(_strip_comments(query.sql)))
    for read in query.reads:
        used |= set(read.params(catalog()[read.name], query).values())
    return used


def _coerce(param: Param, value):
    """Turn a caller's value (often text from a URL or the command line) into the declared type."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        if param.type == "DATE":
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value).strip())
        if param.type == "INTEGER":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(str(value).strip()) if isinstance(value, str) else int(value)
        if param.type == "DOUBLE":
            return float(value)
        if param.type == "BOOLEAN":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "是"):
                return True
            if text in ("0", "false", "no", "否"):
                return False
            raise ValueError(value)
        text = str(value).strip()
    except (ValueError, TypeError, OverflowError):
        raise QueryError(
            f"参数 {param.name} 的值无效（应为 {param.type}）：{value!r} / "
            f"invalid value for {param.name} (expected {param.type}): {value!r}"
        ) from None
    if param.allowed and text not in param.allowed:
        allowed = " | ".join(param.allowed)
        raise QueryError(
            f"参数 {param.name} 只能取 {allowed}，收到 {text!r} / {param.name} must be one of {allowed}, got {text!r}"
        )
    if len(text) > 200:
        raise QueryError(f"参数 {param.name} 过长 / {param.name} is too long")
    return text


def bind(query: Query, params: dict) -> dict:
    """Every declared parameter, converted; unknown names are an error (a typo must not pass)."""
    unknown = set(params) - {p.name for p in query.params}
    if unknown:
        raise QueryError(
            f"{query.name} 没有参数 {sorted(unknown)} / {query.name} has no parameter(s) {sorted(unknown)}; "
            f"declared: {[p.name for p in query.params]}"
        )
    return {p.name: _coerce(p, params.get(p.name)) for p in query.params}


def get_query(name: str) -> Query:
    try:
        return catalog()[name]
    except KeyError:
        raise QueryError(f"没有名为 {name!r} 的查询 / no query named {name!r}") from None


Inside = Callable[[str, str], bool]


def region_inside(connection: duckdb.DuckDBPyConnection, ancestor: str, code: str) -> bool:
    """Whether region `code` is `ancestor` or lies under it (region_closure)."""
    return bool(connection.execute(
        "select 1 from region_closure where ancestor_code = ? and descendant_code = ?", [ancestor, code],
    ).fetchall())  # every row, so no result is left open on the cursor


def apply_scope(connection: duckdb.DuckDBPyConnection, query: Query, bound: dict, scope: Scope,
                inside: Inside | None = None) -> dict:
    """Limit a query to an account's scope, in the query layer itself: an empty region becomes the
    scope, any region or village named must lie inside it, a query that names no region runs only
    when it holds no regional rows (SCOPE_FREE), personal data only for scopes allowed it. `inside`
    answers whether a region lies under another (Database keeps the answers of its one file)."""
    if query.personal and not scope.personal:
        raise ScopeError(f"{query.name} 含个人信息，当前账号无权查看 / {query.name} holds personal data this "
                         "account may not see")
    names = [p.name for p in query.params if p.name in REGION_PARAMS]
    if not names:
        if query.name in SCOPE_FREE:
            return bound
        raise ScopeError(f"{query.name} 不分区域，不能在账号范围内运行 / {query.name} has no region parameter "
                         "and cannot run within an account's scope")
    bound = dict(bound)
    for name in names:
        if bound[name] is None:
            if name == "region":
                bound[name] = scope.region
            continue
        if not (inside(scope.region, bound[name]) if inside else region_inside(connection, scope.region, bound[name])):
            raise ScopeError(f"区域 {bound[name]} 不在账号范围 {scope.region} 内 / region {bound[name]} is outside "
                             f"the account's scope {scope.region}")
    return bound


MACROS_SQL = (QUERIES_DIR / "shared" / "macros.sql").read_text(encoding="utf-8")


# the macro exit_criteria alone: it reads no table, so the loader defines it for etl/derive/*.sql too
EXIT_CRITERIA_MACRO = next(s for s in _strip_comments(MACROS_SQL).split(";") if "macro exit_criteria()" in s)

# each macro's statement by name, in the file's order (a macro may call one defined above it)
MACROS = {m.group(1): statement for statement in _strip_comments(MACROS_SQL).split(";")
          if (m := re.search(r"\bmacro\s+(\w+)\s*\(", statement))}

# The import also writes the shared macros into the file it builds, as persistent macros, with this
# digest of macros.sql beside them (macro tuopin_macros_digest). A Database on a file whose digest is this
# one defines nothing on its cursors: defining the 22 macros took 33 ms of CPU on every new cursor, and a
# new database generation opens one per concurrent query (bench/load_test.py: about 180 a run, estimated
# from py-spy's samples). Any other file (an older build, a backup, a file written by other code) gets the
# temp macros on every cursor, as before; a temp macro takes precedence over a persistent one of the same name.
MACROS_DIGEST = hashlib.sha256(MACROS_SQL.encode("utf-8")).hexdigest()[:16]
_DIGEST_MACRO = "tuopin_macros_digest"


def persist_macros(connection: duckdb.DuckDBPyConnection) -> None:
    """Write the shared macros into the connection's current database as persistent macros, and the
    digest they were written from (etl/load.py, on the file it builds)."""
    for statement in MACROS.values():
        persistent, replaced = re.subn(r"\bcreate\s+or\s+replace\s+temp\s+macro\b", "create or replace macro",
                                       statement, count=1, flags=re.IGNORECASE)
        if not replaced:
            raise QueryError(f"macros.sql: not a 'create or replace temp macro' statement: {statement[:80]!r}")
        connection.execute(persistent)
    connection.execute(f"create or replace macro {_DIGEST_MACRO}() as '{MACROS_DIGEST}'")


def macros_in_file(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file holds the shared macros of this very macros.sql (persist_macros)."""
    try:
        with connection.cursor() as cursor:
            row = cursor.execute(f"select {_DIGEST_MACRO}()").fetchone()
    except duckdb.Error:
        return False
    return bool(row) and row[0] == MACROS_DIGEST


@cache
def macros_for(query: Query) -> str:
    """The statements defining the macros a query calls, directly, through another macro or through a
    query it reads: defining each of them costs time on every cursor, so a query defines only these."""
    texts = []
    pending = [query]
    while pending:
        q = pending.pop()
        texts.append(_strip_comments(q.sql))
        pending.extend(get_query(read.name) for read in q.reads)
    needed: set[str] = set()
    while True:
        calls = {name for name in MACROS if name not in needed
                 and any(re.search(rf"\b{name}\s*\(", text) for text in texts)}
        if not calls:
            break
        needed |= calls
        texts = [MACROS[name] for name in calls]
    return ";".join(statement for name, statement in MACROS.items() if name in needed)


@cache
def exit_criteria(standard: str, *, needs_threshold: bool | None = None) -> tuple[str, ...]:
    """The criteria of the village or household exit standard in reading order, from their one list
    (macro exit_criteria, queries/shared/macros.sql), for Python code that needs them without a
    database (the load's check of the presets, the household list's wording)."""
    with duckdb.connect() as connection:
        connection.execute(EXIT_CRITERIA_MACRO)
        rows = connection.execute(
            "select criterion from exit_criteria() where standard = ? and needs_threshold = coalesce(?, needs_threshold)"
            " order by ordinal", [standard, needs_threshold]).fetchall()
    return tuple(criterion for (criterion,) in rows)


def run_query(connection: duckdb.DuckDBPyConnection, name: str, *, scope: Scope | None = None,
              cursor: duckdb.DuckDBPyConnection | None = None, inside: Inside | None = None,
              **params) -> pd.DataFrame:
    """Run a catalog query on its own cursor and return every row as a DataFrame. With a scope, the
    query is limited to it (apply_scope) before it runs. Given a `cursor` (Database's pool: every
    shared macro already defined on it), the query runs there instead and the cursor is left open."""
    query = get_query(name)
    bound = bind(query, params)
    pooled = cursor is not None
    cursor = cursor if pooled else connection.cursor()
    if scope is not None:
        try:
            bound = apply_scope(cursor, query, bound, scope, inside)
        except QueryError:
            if not pooled:
                cursor.close()
            raise
    started = time.perf_counter()
    try:
        frame = execute(cursor, query, bound, scope, macros_defined=pooled, inside=inside).df()
    except duckdb.Error:
        log.exception("query %s failed; params=%r; sql file %s", name, bound, query.path)
        raise
    finally:
        if not pooled:
            cursor.close()
    log.debug("query %s took %.1f ms; params=%r", name, (time.perf_counter() - started) * 1000, bound)
    return frame


def run_query_rows(connection: duckdb.DuckDBPyConnection, name: str, rows: list[dict], *,
                   scope: Scope | None = None, cursor: duckdb.DuckDBPyConnection | None = None,
                   inside: Inside | None = None) -> list[pd.DataFrame]:
    """The query once for each of `rows` (its parameters, as run_query takes them), planned once: one
    statement runs the query's SQL laterally for every row, the values that differ between the rows
    read from the row instead of bound. A catalog statement on a county's data is mostly planning
    (README, Benchmarks), so on the demo county eight quarter ends cost 0.2–0.6 of eight statements'
    time for the queries queries/ready.BATCHED_QUERIES lists (bench/bench_query_rows.py).

    The answer for each row is the frame run_query gives for it: the same rows in the same order with
    the same dtypes (tests/test_query_rows.py compares every query that takes a date, at every quarter
    end of the test counties).
    - Order: a lateral join keeps no order of its own, so the query's final ORDER BY (the house shape:
      a `final` CTE ending in one, read by `select * from final`) becomes the row's position,
      row_number() over that order, and each row's part is read back in it (ordered_final).
    - Dtypes: the rows go to a temporary table on the cursor and each row's part is read back from it
      as a result of its own, so DuckDB converts it to pandas as it converts a single result (a
      nullable integer column of one part is a plain one when that part has no NULL).
    Rows that would change the SQL's text or leave a differing value NULL, and a query whose order
    cannot be carried (another shape), are run one by one instead."""
    query = get_query(name)
    pooled = cursor is not None
    cursor = cursor if pooled else connection.cursor()
    try:
        composed = []
        for params in rows:
            bound = bind(query, params)
            if scope is not None:
                bound = apply_scope(cursor, query, bound, scope, inside)
            composed.append(_composed(cursor, query, bound, scope, inside=inside))
        sql, first = composed[0]
        varying = {k for _, values in composed for k in values if values.get(k) != first.get(k)}
        body = ordered_final(_strip_comments(sql))
        if (len(rows) < 2 or body is None
                or any(text != sql or values.keys() != first.keys() for text, values in composed)
                or any(values[k] is None for _, values in composed for k in varying)):
            return [run_query(connection, name, scope=scope, cursor=cursor if pooled else None, inside=inside,
                              **params) for params in rows]
        columns = {k: f"v{i}" for i, k in enumerate(sorted(varying))}
        body = _USED_RE.sub(lambda m: f'"{BATCH}"."{columns[m.group(1)]}"' if m.group(1) in columns
                            else m.group(0), body)
        values = {k: v for k, v in first.items() if k not in columns}
        values[BATCH] = [{"row": i, **{c: composed[i][1][k] for k, c in columns.items()}} for i in range(len(rows))]
        if not pooled:
            cursor.execute(macros_for(query))
        table = f"{BATCH}_{threading.get_ident()}"
        started = time.perf_counter()
        try:
            cursor.execute(f'create or replace temp table "{table}" as select "{BATCH}"."row" as "{BATCH}_row", '
                           f'"{BATCH}_query".* from (select unnest(${BATCH}, recursive := true)) as "{BATCH}", '
                           f'lateral (\n{body}\n) as "{BATCH}_query"', values)
            frames = [cursor.execute(f'select * exclude ("{BATCH}_row", "{POSITION}") from "{table}" '
                                     f'where "{BATCH}_row" = ? order by "{POSITION}"', [i]).df()
                      for i in range(len(rows))]
        except duckdb.Error:
            log.exception("query %s for %d rows failed; sql file %s", name, len(rows), query.path)
            raise
        finally:
            cursor.execute(f'drop table if exists "{table}"')
        log.debug("query %s for %d rows took %.1f ms", name, len(rows), (time.perf_counter() - started) * 1000)
        return frames
    finally:
        if not pooled:
            cursor.close()


BATCH = "_rows"  # the lateral rows of run_query_rows (names no query file uses)
POSITION = "_rows_position"
_FINAL_RE = re.compile(r"\bfinal\s+as\s*\(", re.I)
_TAIL_RE = re.compile(r"\)\s*select\s+\*\s+from\s+final\s*$", re.I)


def ordered_final(sql: str) -> str | None:
    """The query (comments stripped) with its order as a column: the `final` CTE's closing ORDER BY
    becomes `row_number() over (order by …) as _rows_position` in its select list, so the order
    survives a lateral join (run_query_rows); a final CTE without ORDER BY gets a constant position
    (its rows have no order to keep, as a single run's have none). None for any other shape: no
    `final` CTE read by a closing `select * from final`, or a final CTE whose select is DISTINCT,
    has a set operation or a LIMIT."""
    tail = _TAIL_RE.search(sql)
    finals = list(_FINAL_RE.finditer(sql))
    if tail is None or not finals:
        return None
    start, end = finals[-1].end(), tail.start()  # the final CTE's body: between its "(" and its ")"
    cte = sql[start:end]
    words = _top_level_words(cte)
    if (not words or words[0][0] != "select" or re.match(r"\s*select\s+distinct\b", cte, re.I)
            or any(w in ("union", "intersect", "except", "limit", "offset") for w, _ in words)):
        return None
    # the FROM clause's keyword (not the one of `is [not] distinct from`)
    before = [""] + [w for w, _ in words[:-1]]
    froms = [at for (w, at), previous in zip(words, before, strict=True) if w == "from" and previous != "distinct"]
    orders = [at for (w, at), (nxt, _) in zip(words, words[1:], strict=False) if w == "order" and nxt == "by"]
    if not froms:
        return None
    if orders:
        order_at = orders[-1]
        order_list = cte[order_at:].strip()[len("order"):].strip()[len("by"):].strip()
        position = f'row_number() over (order by {order_list}) as "{POSITION}"'
        cte = cte[:order_at]
    else:
        position = f'0 as "{POSITION}"'
    at = froms[0]
    cte = cte[:at].rstrip() + f",\n        {position}\n    " + cte[at:]
    return sql[:start] + cte + "\n" + sql[end:]


def _top_level_words(sql: str) -> list[tuple[str, int]]:
    """The keywords of interest at depth 0 of `sql` (outside parentheses, quotes and identifiers in
    double quotes), lower case, with where each starts."""
    found, depth, i, n = [], 0, 0, len(sql)
    keywords = {"select", "distinct", "from", "order", "by", "union", "intersect", "except", "limit", "offset"}
    while i < n:
        c = sql[i]
        if c in "'\"":
            close = sql.find(c, i + 1)
            while close != -1 and sql[close + 1:close + 2] == c:  # a doubled quote inside
                close = sql.find(c, close + 2)
            i = n if close == -1 else close + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and (c.isalpha() or c == "_") and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] in "_$.")):
            j = i
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            word = sql[i:j].lower()
            if word in keywords:
                found.append((word, i))
            i = j
            continue
        i += 1
    return found


def execute(cursor: duckdb.DuckDBPyConnection, query: Query, bound: dict,
            scope: Scope | None = None, *, macros_defined: bool = False,
            inside: Inside | None = None) -> duckdb.DuckDBPyConnection:
    """Run a query's SQL on a cursor of its own with bound (and scoped) values: the shared macros
    defined (unless `macros_defined`: all of them already are, on a pooled cursor), the queries it
    reads shown as tables. Returns the cursor with the result pending."""
    macros = "" if macros_defined else macros_for(query)
    if macros:  # temp macros live per cursor (queries/shared/macros.sql)
        cursor.execute(macros)
    sql, values = _composed(cursor, query, bound, scope, inside=inside)
    return cursor.execute(parsed(cursor, sql), values)


_PARSED: dict[str, duckdb.Statement] = {}
_PARSED_LOCK = threading.Lock()


def parsed(cursor: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement:
    """A query's SQL parsed once per process: its text holds no values (they are bound), so one parse
    serves every execution, and DuckDB runs a copy of the parsed statement instead of parsing the text
    again (2–6 ms of a statement's 15–50 on the demo county; README, Benchmarks: "Every year's
    reconciliation in one statement, each query parsed once"). The texts are the catalog's, each read
    on its own or with the queries it reads: a few hundred at most."""
    statement = _PARSED.get(sql)
    if statement is None:
        [statement] = cursor.extract_statements(sql)
        with _PARSED_LOCK:
            if len(_PARSED) < 1024:
                _PARSED[sql] = statement
    return statement


def default_region(connection: duckdb.DuckDBPyConnection, scope: Scope | None = None) -> str | None:
    """The region a view opens on when none is chosen (query default_region: under the scope, or the
    package's top, walk down while there is a single child). The dashboard's sidebar and the command
    line both start from it. None for an empty database."""
    frame = run_query(connection, "default_region", scope=scope)
    return str(frame.region_code.iloc[0]) if len(frame) else None


def _composed(cursor: duckdb.DuckDBPyConnection, query: Query, bound: dict, scope: Scope | None,
              prefix: str = "", inside: Inside | None = None) -> tuple[str, dict]:
    """The SQL to run and the values it binds: a query that reads others gets each of them as a common
    table expression of its name (or alias) in front of its own, so the whole figure is one statement,
    planned once. Each query read runs with the parameters of the same names or as mapped (the values
    already scoped, and limited to the scope as well); its parameters are renamed `$<alias>__<name>` so
    two reads of one query at different dates (registry_change) cannot mix."""
    values = {f"{prefix}{name}": value for name, value in _in_sql(query, bound).items()}
    if not query.reads and not prefix:
        return query.sql, values
    body = _USED_RE.sub(lambda m: f"${prefix}{m.group(1)}", _strip_comments(query.sql)).strip()
    ctes = []
    for read in query.reads:
        source = get_query(read.name)
        fed = {name: bound.get(fed_by) for name, fed_by in read.params(source, query).items()}
        fed = bind(source, {**fed, **dict(read.fixed)})
        if scope is not None:  # what it reads is limited to the scope as well
            fed = apply_scope(cursor, source, fed, scope, inside)
        sql, more = _composed(cursor, source, fed, scope, f"{prefix}{read.alias}__", inside)
        ctes.append(f'"{read.alias}" as (\n{sql}\n)')
        values.update(more)
    if ctes:
        if re.match(r"with\s", body, re.I):
            body = "with " + ",\n".join(ctes) + ",\n" + body[4:].lstrip()
        else:
            body = "with " + ",\n".join(ctes) + "\n" + body
    return body, values


def _in_sql(query: Query, bound: dict) -> dict:
    """The bound values its SQL itself names (DuckDB refuses values it does not use)."""
    named = set(_USED_RE.findall(_strip_comments(query.sql)))
    return {name: value for name, value in bound.items() if name in named}


# DuckDB threads per query: one. Each query runs in the thread that asks it, so the dashboard's
# parallelism is its sessions (and an import's computing ahead runs several queries at once,
# queries/ready.py), not one query's pipelines: the queries are small and mostly planning, and handing
# their few tasks to DuckDB's worker threads cost a quarter more CPU and twice the wall time on two
# cores (README, Benchmarks: "One thread per query"). Set on the file's database instance, which every
# connection to the file in the process shares (a connect with another configuration would be refused).
QUERY_THREADS = 1


class Database:
    """One DuckDB file, opened read-only: the single door every figure goes through."""

    def __init__(self, path: str | Path, read_only: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"数据库文件不存在 / database file not found: {self.path}")
        self.read_only = read_only
        self.connection = duckdb.connect(str(self.path), read_only=read_only)
        self.connection.execute(f"set threads = {QUERY_THREADS}")
        # the file's own macros serve every cursor when the import wrote this macros.sql's (persist_macros)
        self.macros_in_file = macros_in_file(self.connection)
        # idle cursors with every shared macro defined: defining them costs ~1.5 ms a macro, so a query
        # takes one from here instead of defining its macros on a fresh cursor each time (one thread
        # at a time per cursor; a cursor whose query failed is closed, not reused)
        self._idle: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        # scope checks answered once: the file's regions never change while it is open (read-only)
        self._inside: dict[tuple[str, str], bool] = {}
        self._registry_rows: int | None = None

    def query(self, name: str, *, scope: Scope | None = None, **params) -> pd.DataFrame:
        with self._pooled() as cursor:
            return run_query(self.connection, name, scope=scope, cursor=cursor, inside=self._region_inside, **params)

    def query_rows(self, name: str, rows: list[dict], *, scope: Scope | None = None) -> list[pd.DataFrame]:
        """The query for each of `rows` in one statement (run_query_rows), on a pooled cursor."""
        with self._pooled() as cursor:
            return run_query_rows(self.connection, name, rows, scope=scope, cursor=cursor, inside=self._region_inside)

    @contextlib.contextmanager
    def _pooled(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An idle cursor with every shared macro defined, back to the pool afterwards; closed instead
        when its query failed."""
        with self._lock:
            cursor = self._idle.pop() if self._idle else None
        if cursor is None:
            cursor = self.connection.cursor()
            if not self.macros_in_file:
                cursor.execute(";".join(MACROS.values()))
        try:
            yield cursor
        except BaseException:
            cursor.close()
            raise
        with self._lock:
            self._idle.append(cursor)

    def registry_rows(self) -> int:
        """How many person status spans the file holds (DuckDB's count of the table's rows, no scan): the
        registry's size, which decides whether several dates are cheaper in one statement
        (queries/ready.BATCH_MAX_REGISTRY)."""
        if self._registry_rows is None:
            with self.connection.cursor() as cursor:
                row = cursor.execute("select estimated_size from duckdb_tables() "
                                     "where table_name = 'person_status_spans'").fetchone()
            self._registry_rows = int(row[0]) if row else 0
        return self._registry_rows

    def scoped_params(self, name: str, scope: Scope | None, **params) -> dict:
        """The values a query runs with under `scope`: every declared parameter converted (bind), an empty
        region the scope's, a region outside the scope refused (ScopeError), personal data refused to a
        scope without the right (apply_scope). Two scopes that give the same values get the same rows:
        nothing else of the scope reaches the SQL (the queries a query reads take their region from the
        reading query's: tests/test_shared_results.py checks the catalog for it)."""
        query = get_query(name)
        bound = bind(query, params)
        return bound if scope is None else apply_scope(self.connection, query, bound, scope, self._region_inside)

    def _region_inside(self, ancestor: str, code: str) -> bool:
        known = self._inside.get((ancestor, code))
        if known is None:
            with self.connection.cursor() as cursor:
                known = region_inside(cursor, ancestor, code)
            if self.read_only and len(self._inside) < 100_000:
                self._inside[(ancestor, code)] = known
        return known

    def default_region(self, *, scope: Scope | None = None) -> str | None:
        return default_region(self.connection, scope)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for cursor in idle:
            cursor.close()
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
