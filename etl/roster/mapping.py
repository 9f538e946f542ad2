"""A roster mapping: which of the file's columns is which field, which values mean which contract
value, where the header is, which rows to skip and how a removal is named. A small TOML file a county
office saves once and reuses every month; `propose_mapping` drafts one from the headers it recognises.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.problems import PackageError
from etl.roster.fields import FIELDS, MONITORING_FIELDS, is_ignored, label_field
from etl.roster.messages import problem
from etl.roster.sheet import HEADER_READ_ROWS, SKIP_WORDS, find_header, read_sheet, read_table

REMOVALS = ("清退", "自然销户", "reason")  # reason: by the removal reason column's values (values.removal_reason)
DATE_SOURCES = ("auto", "column", "file_name", "flag")


@dataclass
class Mapping:
    """`columns`: field (etl/roster/fields.py) -> the file's column label (a multi-row header joined
    with "/"); `values`: field -> {value as written -> contract value}. `header_row` (1-based) and
    `header_rows` say where the header is (None: found by its labels, as also when a later month's file
    has it elsewhere); rows whose first cells start with a word of `skip_words` (and whose 序号 is not a
    number) are totals or notes. `removal`: a household that leaves the roster is 清退 or 自然销户, or
    "reason": by the removal reason column. `date_from`: where a snapshot's date comes from — "auto"
    (the --date flag, else the snapshot date column, else the file name), or only one of them."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    header_row: int | None = None
    header_rows: int | None = None
    skip_words: list[str] = field(default_factory=lambda: list(SKIP_WORDS))
    removal: str = "清退"
    date_from: str = "auto"
    unplaced: list[str] = field(default_factory=list)  # columns of the proposal's file it could not place

    @property
    def is_monitoring(self) -> bool:
        return "kind" in self.columns

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(self.to_toml(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> Mapping:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeError, tomllib.TOMLDecodeError) as exc:
            raise PackageError([problem("error", path.name, None, None, None, "roster_mapping_unreadable",
                                        detail=str(exc)[:200])]) from None
        return cls.from_dict(data, path.name)

    @classmethod
    def from_dict(cls, data: dict, display: str = "mapping") -> Mapping:
        def fail(where: str, why: str):
            raise PackageError([problem("error", display, None, where, None, "roster_mapping_unreadable",
                                        detail=why)])

        header = data.get("header", {})
        columns = {str(k): str(v) for k, v in data.get("columns", {}).items()}
        values = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()
                  if isinstance(v, dict)}
        for name in [*columns, *values]:
            if name not in FIELDS:
                raise PackageError([problem("error", display, None, name, name, "roster_mapping_field_unknown")])
        removal = str(data.get("removal", {}).get("rule", "清退"))
        if removal not in REMOVALS:
            fail("removal.rule", f"{removal!r} not in {', '.join(REMOVALS)}")
        date_from = str(data.get("date", {}).get("from", "auto"))
        if date_from not in DATE_SOURCES:
            fail("date.from", f"{date_from!r} not in {', '.join(DATE_SOURCES)}")
        row, rows = header.get("row"), header.get("rows")
        for name, value in (("header.row", row), ("header.rows", rows)):
            if value is not None and (not isinstance(value, int) or value < 1):
                fail(name, "a whole number from 1")
        skip = header.get("skip_words", list(SKIP_WORDS))
        return cls(columns=columns, values=values, header_row=row, header_rows=rows,
                   skip_words=[str(w) for w in skip], removal=removal, date_from=date_from,
                   unplaced=[str(x) for x in data.get("unplaced", [])])

    def to_toml(self) -> str:
        """TOML text (read back by tomllib): every key and string quoted as JSON quotes it, which TOML's
        basic strings accept."""
        q = lambda s: json.dumps(str(s), ensure_ascii=False)  # noqa: E731
        lines = ["# 花名册映射 roster mapping (python -m etl from-roster --mapping THIS_FILE)", ""]
        if self.unplaced:  # a top-level key: before the first table
            lines += ["# 未能识别的列 / columns not placed",
                      "unplaced = [" + ", ".join(q(u) for u in self.unplaced) + "]", ""]
        lines += ["[header]", "# 表头起始行（从 1 起）与行数；删去则自动查找 / header start row and rows; remove to find it"]
        if self.header_row:
            lines.append(f"row = {int(self.header_row)}")
        if self.header_rows:
            lines.append(f"rows = {int(self.header_rows)}")
        lines.append("# 以这些字开头的行（序号不是数字时）视为合计或注释行 / totals and notes rows start with")
        lines.append("skip_words = [" + ", ".join(q(w) for w in self.skip_words) + "]")
        lines += ["", "[date]", "# auto | column | file_name | flag", f"from = {q(self.date_from)}"]
        lines += ["", "[removal]", "# 从花名册消失的户记为：清退 | 自然销户 | reason（按销户原因列）",
                  f"rule = {q(self.removal)}"]
        lines += ["", "[columns]", "# 字段 = 文件中的列名 / field = the file's column label"]
        for name, label in self.columns.items():
            lines.append(f"{q(name)} = {q(label)}  # {FIELDS[name][0]}")
        for name, table in self.values.items():
            lines += ["", f"[values.{q(name)}]", "# 文件中的取值 = 标准取值 / value as written = contract value"]
            lines += [f"{q(a)} = {q(b)}" for a, b in table.items()]
        return "\n".join(lines) + "\n"


def propose_mapping(path: Path) -> Mapping:
    """A mapping drafted from the headers of one roster file: each label naming a known field placed
    (the first one wins), the others listed in `unplaced` (序号 and 备注 columns are neither)."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".zip":
        from etl.roster.snapshots import roster_files

        with roster_files([path]) as files:
            return propose_mapping(files[0][0])
    sheet = read_sheet(path, max_rows=HEADER_READ_ROWS)
    start, count = find_header(sheet)
    table = read_table(sheet, start + 1, count)
    mapping = Mapping(header_row=table.header_row, header_rows=table.header_rows)
    for label in table.labels:
        if not label:
            continue
        name = label_field(label)
        if name is None:
            if not is_ignored(label):
                mapping.unplaced.append(label)
            continue
        if name == "head_name" and "head_name" in mapping.columns and "name" not in mapping.columns:
            name = "name"
        if name not in mapping.columns:
            mapping.columns[name] = label
        elif not is_ignored(label):
            mapping.unplaced.append(label)
    if not mapping.is_monitoring:
        for name in MONITORING_FIELDS:
            mapping.columns.pop(name, None)
    return mapping
