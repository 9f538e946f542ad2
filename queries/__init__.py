"""The query runner: every figure Tuopin shows comes from a named .sql file in this folder.

Each file opens with a header (docs/domain.md explains the definitions it cites):

    -- indicator:  registry_summary            (or `-- query:` for result sets that are not indicators)
    -- definition: what it computes and where that definition comes from
    -- grain:      one row per ...
    -- params:     $as_of DATE, $region VARCHAR (NULL = top), $level VARCHAR one of 县|乡镇|村

The runner loads a query by name, checks and converts the parameters it declares, binds them as
values (`$name`; never formatted into SQL) and returns a pandas DataFrame. It has no Streamlit import.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
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
SCOPE_FREE = frozenset({"load_info", "data_span", "exit_rules"})


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
        if m and m.group(1) in ("indicator", "query", "definition", "grain", "params", "columns", "source", "personal"):
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
    return Query(name, kind, header["definition"], header["grain"], params, header["params"], text, path, personal)


@cache
def catalog() -> dict[str, Query]:
    return {q.name: q for q in (parse_query(p) for p in sorted(QUERIES_DIR.glob("*.sql")))}


def used_params(query: Query) -> set[str]:
    return set(_USED_RE.findall(_strip_comments(query.sql)))


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


def apply_scope(connection: duckdb.DuckDBPyConnection, query: Query, bound: dict, scope: Scope) -> dict:
    """Limit a query to an account's scope, in the query layer itself: an empty region becomes the
    scope, any region or village named must lie inside it, a query that names no region runs only
    when it holds no regional rows (SCOPE_FREE), personal data only for scopes allowed it."""
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
        inside = connection.execute(
            "select 1 from region_closure where ancestor_code = ? and descendant_code = ?",
            [scope.region, bound[name]],
        ).fetchone()
        if not inside:
            raise ScopeError(f"区域 {bound[name]} 不在账号范围 {scope.region} 内 / region {bound[name]} is outside "
                             f"the account's scope {scope.region}")
    return bound


MACROS_SQL = (QUERIES_DIR / "shared" / "macros.sql").read_text(encoding="utf-8")


def run_query(connection: duckdb.DuckDBPyConnection, name: str, *, scope: Scope | None = None,
              **params) -> pd.DataFrame:
    """Run a catalog query on its own cursor and return every row as a DataFrame. With a scope, the
    query is limited to it (apply_scope) before it runs."""
    query = get_query(name)
    bound = bind(query, params)
    cursor = connection.cursor()
    if scope is not None:
        try:
            bound = apply_scope(cursor, query, bound, scope)
        except QueryError:
            cursor.close()
            raise
    started = time.perf_counter()
    try:
        cursor.execute(MACROS_SQL)  # temp macros live per cursor (queries/shared/macros.sql)
        frame = cursor.execute(query.sql, bound).df()
    except duckdb.Error:
        log.exception("query %s failed; params=%r; sql file %s", name, bound, query.path)
        raise
    finally:
        cursor.close()
    log.debug("query %s took %.1f ms; params=%r", name, (time.perf_counter() - started) * 1000, bound)
    return frame


class Database:
    """One DuckDB file, opened read-only: the single door every figure goes through."""

    def __init__(self, path: str | Path, read_only: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"数据库文件不存在 / database file not found: {self.path}")
        self.connection = duckdb.connect(str(self.path), read_only=read_only)

    def query(self, name: str, *, scope: Scope | None = None, **params) -> pd.DataFrame:
        return run_query(self.connection, name, scope=scope, **params)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
