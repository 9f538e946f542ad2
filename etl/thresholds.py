"""The monitoring thresholds (监测范围, docs/domain.md, After 2020 / 防返贫监测): an editable reference
file beside the poverty lines, data/reference/monitoring_thresholds.csv, read and checked at load.

One row per year and region: year, region_code (the 12-digit code of a 省, 市 or 县 — XX0000000000,
XXXX00000000 or XXXXXX000000 — or empty for everywhere), threshold (元 per person-year), note. The
deepest region whose code covers a village applies to it (etl/derive/15_monitoring_village_thresholds.sql:
codes cover by prefix, so a province's row applies even when the package's region tree starts at the
county). Every bad cell is a problem with file, row and column, in Chinese and English, and stops the
load like a bad package row.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from etl.problems import Problem
from etl.reference import ReferenceHeader, ReferenceUnreadable, read_reference_rows

COLUMNS = ("year", "region_code", "threshold", "note")
REGION_RE = re.compile(r"\d{6}000000")
FIRST_YEAR, LAST_YEAR = 2000, 2100

MESSAGES = {  # code -> (中文, English)
    "threshold_unreadable": ("监测范围参考表无法读取（data/reference 中的 CSV）：{detail}",
                             "the monitoring threshold table (CSV in data/reference) cannot be read: {detail}"),
    "threshold_columns": ("监测范围参考表的表头应为 year,region_code,threshold,note",
                          "the monitoring threshold table's header must be year,region_code,threshold,note"),
    "threshold_year": (f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的整数",
                       f"the year must be a whole number from {FIRST_YEAR} to {LAST_YEAR}"),
    "threshold_amount": ("监测范围应为大于 0 的金额（元/人·年）",
                         "the threshold must be an amount in yuan per person-year above 0"),
    "threshold_region": ("区划代码应为省、市或县的 12 位代码（如 530000000000），或留空表示全部地区",
                         "the region must be the 12-digit code of a province, city or county (e.g. "
                         "530000000000), or empty for everywhere"),
    "threshold_duplicate": ("同一年度、同一区划的监测范围出现多次",
                            "the same year and region appear more than once"),
}


def _problem(file: str, row: int | None, column: str | None, value, code: str, detail: str = "") -> Problem:
    zh, en = MESSAGES[code]
    return Problem("error", "monitoring_thresholds", file, row, column, None if value is None else str(value),
                   code, zh.format(detail=detail), en.format(detail=detail))


def load_thresholds(con: duckdb.DuckDBPyConnection, path: Path, file: str,
                    table: str = "final.monitoring_thresholds") -> list[Problem]:
    """Read `path` into `table` when every row is good; otherwise return every problem (nothing written)."""
    try:
        rows = read_reference_rows(con, path, COLUMNS)
    except ReferenceUnreadable as exc:
        return [_problem(file, None, None, None, "threshold_unreadable", str(exc))]
    except ReferenceHeader as exc:
        return [_problem(file, 1, None, str(exc), "threshold_columns")]
    problems, seen, good = [], {}, []
    for i, (year, region, threshold, note) in enumerate(rows, start=2):  # row 1 is the header
        year, region, threshold = (v.strip() if v else "" for v in (year, region, threshold))
        bad = False
        if not re.fullmatch(r"\d{4}", year) or not FIRST_YEAR <= int(year) <= LAST_YEAR:
            problems.append(_problem(file, i, "year", year, "threshold_year"))
            bad = True
        if region and not REGION_RE.fullmatch(region):
            problems.append(_problem(file, i, "region_code", region, "threshold_region"))
            bad = True
        amount = threshold.replace(",", "")
        if not re.fullmatch(r"\d+(\.\d{1,2})?", amount) or float(amount) <= 0:
            problems.append(_problem(file, i, "threshold", threshold, "threshold_amount"))
            bad = True
        if bad:
            continue
        key = (int(year), region or None)
        if key in seen:
            problems.append(_problem(file, i, "region_code", region or None, "threshold_duplicate"))
            continue
        seen[key] = i
        good.append((int(year), region or None, amount, note))
    if problems:
        return problems
    if good:
        con.executemany(f"insert into {table} values (?, ?, cast(? as decimal(18, 2)), ?)", good)
    return []
