"""The warning rules of 部门数据比对 (docs/domain.md, 部门数据比对): an editable reference file beside the exit rule
presets and the monitoring thresholds, data/reference/warning_rules.csv, read and checked at load.

One row per rule: rule_set, rule_id, department, item, level, basis, amount, amount_others, note (the
meaning of each is written at the table in etl/schema.sql, warning_rules). Every bad cell is a problem
with file, row and column, in Chinese and English, and stops the load like a bad package row; a good
file fills final.warning_rules, from which etl/derive/18_department_rule_hits.sql works out the warnings.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from etl.contract import contract
from etl.problems import Problem
from etl.reference import ReferenceHeader, ReferenceUnreadable, read_reference_rows

COLUMNS = ("rule_set", "rule_id", "department", "item", "level", "basis", "amount", "amount_others", "note")
LEVELS = ("高", "中", "低")
BASES = ("", "fixed", "income_share", "threshold_split")
NAME_RE = re.compile(r"[\w\-.]{1,60}")
AMOUNT_RE = re.compile(r"\d+(\.\d{1,4})?")

MESSAGES = {  # code -> (中文, English)
    "warning_rules_unreadable": ("预警规则参考表无法读取（data/reference 中的 CSV）：{detail}",
                                 "the warning rule table (CSV in data/reference) cannot be read: {detail}"),
    "warning_rules_columns": ("预警规则参考表的表头应为 " + ",".join(COLUMNS),
                              "the warning rule table's header must be " + ",".join(COLUMNS)),
    "warning_rule_name": ("规则集和规则编号须填写，只用字母、数字、汉字、_ - .（不超过 60 个字符）",
                          "the rule set and rule id are required: letters, digits, _ - . (at most 60 characters)"),
    "warning_rule_duplicate": ("规则编号重复（规则编号与记录编号共同生成预警编号，须唯一）",
                               "the rule id appears twice (with the record id it makes the warning id, so it must be unique)"),
    "warning_rule_department": ("部门应为以下之一：{detail}",
                                "the department must be one of the fixed values listed in the Chinese reason"),
    "warning_rule_item": ("事项须填写", "the item is required"),
    "warning_rule_level": ("等级应为 高、中 或 低",
                           "the level must be high, medium or low, written as in the Chinese reason"),
    "warning_rule_basis": ("金额依据应为空、fixed、income_share 或 threshold_split",
                           "the basis must be empty, fixed, income_share or threshold_split"),
    "warning_rule_amount": ("该金额依据须有大于 0 的金额（income_share 为比例，如 0.5）",
                            "this basis needs an amount above 0 (a share such as 0.5 for income_share)"),
    "warning_rule_amount_unused": ("金额依据为空时不应填写金额", "an amount is given but the basis is empty"),
    "warning_rule_same_item": ("同一规则集中，同一部门和事项的规则出现多次",
                               "the same department and item appear twice in one rule set"),
}


def _problem(file: str, row: int | None, column: str | None, value, code: str, detail: str = "") -> Problem:
    zh, en = MESSAGES[code]
    return Problem("error", "warning_rules", file, row, column, None if value is None else str(value),
                   code, zh.format(detail=detail), en.format(detail=detail))


def _amount(text: str) -> float | None:
    text = text.replace(",", "")
    return float(text) if AMOUNT_RE.fullmatch(text) and float(text) > 0 else None


def load_warning_rules(con: duckdb.DuckDBPyConnection, path: Path, file: str,
                       table: str = "final.warning_rules") -> list[Problem]:
    """Read `path` into `table` when every row is good; otherwise return every problem (nothing written)."""
    try:
        rows = read_reference_rows(con, path, COLUMNS)
    except ReferenceUnreadable as exc:
        return [_problem(file, None, None, None, "warning_rules_unreadable", str(exc))]
    except ReferenceHeader as exc:
        return [_problem(file, 1, None, str(exc), "warning_rules_columns")]
    departments = contract().enums["department"]
    problems, ids, items, good = [], set(), set(), []
    for i, row in enumerate(rows, start=2):  # row 1 is the header
        rule_set, rule_id, department, item, level, basis, amount, others, note = (
            (v or "").strip() for v in row)
        before = len(problems)
        for column, name in (("rule_set", rule_set), ("rule_id", rule_id)):
            if not NAME_RE.fullmatch(name):
                problems.append(_problem(file, i, column, name, "warning_rule_name"))
        if rule_id and rule_id in ids:
            problems.append(_problem(file, i, "rule_id", rule_id, "warning_rule_duplicate"))
        if department not in departments:
            problems.append(_problem(file, i, "department", department, "warning_rule_department",
                                     "、".join(departments)))
        if not item:
            problems.append(_problem(file, i, "item", item, "warning_rule_item"))
        if level not in LEVELS:
            problems.append(_problem(file, i, "level", level, "warning_rule_level"))
        if basis not in BASES:
            problems.append(_problem(file, i, "basis", basis, "warning_rule_basis"))
        elif basis == "":
            for column, value in (("amount", amount), ("amount_others", others)):
                if value:
                    problems.append(_problem(file, i, column, value, "warning_rule_amount_unused"))
        else:
            if _amount(amount) is None:
                problems.append(_problem(file, i, "amount", amount, "warning_rule_amount"))
            if basis == "threshold_split" and _amount(others) is None:
                problems.append(_problem(file, i, "amount_others", others, "warning_rule_amount"))
            elif basis != "threshold_split" and others:
                problems.append(_problem(file, i, "amount_others", others, "warning_rule_amount_unused"))
        if (rule_set, department, item) in items:
            problems.append(_problem(file, i, "item", item, "warning_rule_same_item"))
        ids.add(rule_id)
        items.add((rule_set, department, item))
        if len(problems) == before:
            good.append((rule_set, rule_id, department, item, level, basis or None,
                         amount.replace(",", "") or None, others.replace(",", "") or None, note or None))
    if problems:
        return problems
    if good:
        con.executemany(f"insert into {table} values (?, ?, ?, ?, ?, ?, cast(? as decimal(18, 4)), "
                        "cast(? as decimal(18, 4)), ?)", good)
    return []


# the load's warnings about the verifications file (etl/load.py, after the derived tables)
VERIFICATION_UNKNOWN = ("预警编号在本数据包的预警中不存在（任何规则集下都没有这条预警），该核实结果未被采用",
                        "the warning id names no warning of this package under any rule set; the verification "
                        "is not applied")
VERIFICATION_EARLY = ("核实日期早于该预警的部门记录日期 {detail}", "the verification is dated before the warning's record ({detail})")


def unknown_verifications(con: duckdb.DuckDBPyConnection, file: str) -> list[Problem]:
    """A warning per verification whose 预警编号 is no warning of the package, and per verification dated
    before its warning's record, with its row: run by the loader after the derived tables (final) are
    built, while the staged file (staging) is still there."""
    rows = con.execute("""
        select v._row, v.warning_id from staging.main.stg_verifications as v
        where v.warning_id is not null
          and not exists (select 1 from final.main.department_rule_hits as h where h.warning_id = v.warning_id)
        order by v._row""").fetchall()
    problems = [Problem("warning", "verifications", file, row, "预警编号", warning_id, "verification_warning_unknown",
                        *VERIFICATION_UNKNOWN) for row, warning_id in rows]
    early = con.execute("""
        select v._row, cast(v.verified_on as varchar), cast(h.record_date as varchar)
        from staging.main.stg_verifications as v
        join final.main.department_rule_hits as h on h.warning_id = v.warning_id
        where v.verified_on < h.record_date
        order by v._row""").fetchall()
    zh, en = VERIFICATION_EARLY
    problems += [Problem("warning", "verifications", file, row, "核实日期", day, "verification_before_record",
                         zh.format(detail=record), en.format(detail=record)) for row, day, record in early]
    return problems
