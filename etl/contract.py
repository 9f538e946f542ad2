"""The import contract, read from the structured comments of etl/schema.sql.

schema.sql is the single definition of tables, headers, types, enum values and aliases; this module
only parses it so that the reader and the validators can look things up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema.sql")

_FILE_RE = re.compile(r"^--\s*file:\s*(\w+)\s*\|\s*(\S+)\s*\|\s*(required|recommended|optional)\s*$")
_TABLE_RE = re.compile(r"^create table (\w+)\s*\(")
_COLUMN_RE = re.compile(
    r"^\s+(\w+)\s+(\w+(?:\s*\(\s*\d+\s*,\s*\d+\s*\))?)(.*?),?\s*--\s*([^|]+?)\s*(\|\s*optional\s*)?$"
)
_ENUM_RE = re.compile(r"create type (\w+) as enum \((.*?)\);", re.S)
_ALIAS_RE = re.compile(r"^--\s*aliases:\s*(.+)$")

# How a SQL type is parsed from text in an import file.
KIND_BY_SQL_TYPE = {
    "varchar": "text",
    "integer": "int",
    "bigint": "int",
    "date": "date",
    "boolean": "bool",
}


@dataclass(frozen=True)
class Column:
    name: str  # English alias = column name in the database
    header_zh: str
    sql_type: str  # as written in schema.sql, e.g. "decimal(18, 2)" or "region_level"
    kind: str  # text / int / date / bool / money / ratio / enum
    not_null: bool
    header_optional: bool
    enum: str | None = None

    def headers(self) -> tuple[str, str]:
        return (self.header_zh, self.name)


@dataclass(frozen=True)
class FileSpec:
    table: str  # English stem = table name
    stem_zh: str
    presence: str  # required / recommended / optional
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Contract:
    files: tuple[FileSpec, ...]
    enums: dict[str, tuple[str, ...]]
    enum_aliases: dict[str, dict[str, str]] = field(default_factory=dict)

    def file(self, table: str) -> FileSpec:
        return next(f for f in self.files if f.table == table)

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(f.table for f in self.files)


def _kind(sql_type: str, enums: dict[str, tuple[str, ...]]) -> tuple[str, str | None]:
    base = sql_type.split("(")[0].strip().lower()
    if base in enums:
        return "enum", base
    if base == "decimal":
        # decimal(18, 2) is money in 元; decimal(9, 4) is a ratio
        return ("money" if sql_type.replace(" ", "").endswith(",2)") else "ratio"), None
    return KIND_BY_SQL_TYPE[base], None


def parse_schema(text: str) -> Contract:
    enums = {
        name: tuple(v.strip().strip("'") for v in body.split(","))
        for name, body in _ENUM_RE.findall(text)
    }
    aliases: dict[str, dict[str, str]] = {}
    files: list[FileSpec] = []
    pending: tuple[str, str, bool] | None = None
    last_enum: str | None = None
    current: dict | None = None
    for line in text.splitlines():
        if m := re.match(r"^create type (\w+) as enum", line):
            last_enum = m.group(1)
        elif (m := _ALIAS_RE.match(line)) and last_enum:
            pairs = [p.split("=") for p in m.group(1).split(",")]
            aliases[last_enum] = {a.strip(): v.strip() for a, v in pairs}
        elif m := _FILE_RE.match(line):
            pending = (m.group(1), m.group(2), m.group(3))
        elif (m := _TABLE_RE.match(line)) and pending:
            if m.group(1) != pending[0]:
                raise ValueError(f"schema.sql: the file comment of {pending[0]} precedes table {m.group(1)}")
            current = {"spec": pending, "columns": [], "key": ()}
            pending = None
        elif current is not None:
            if line.startswith(")"):
                table, stem_zh, presence = current["spec"]
                files.append(FileSpec(table, stem_zh, presence, tuple(current["columns"]), current["key"]))
                current = None
            elif m := re.match(r"^\s+primary key \((.+)\)", line):
                current["key"] = tuple(c.strip() for c in m.group(1).split(","))
            elif m := _COLUMN_RE.match(line):
                name, sql_type, rest, header_zh, optional = m.groups()
                kind, enum = _kind(sql_type, enums)
                is_pk = "primary key" in rest
                if is_pk:
                    current["key"] = (name,)
                current["columns"].append(
                    Column(
                        name=name,
                        header_zh=header_zh.strip(),
                        sql_type=sql_type,
                        kind=kind,
                        not_null=is_pk or "not null" in rest,
                        header_optional=bool(optional),
                        enum=enum,
                    )
                )
    return Contract(files=tuple(files), enums=enums, enum_aliases=aliases)


@cache
def contract() -> Contract:
    return parse_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_sql() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")
