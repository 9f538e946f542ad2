"""Department records and verifications at load (docs/data-contract.md, 部门比对数据 · department_records and
核实结果 · verifications; docs/domain.md, 部门数据比对): bad rows are refused with file, row, column and a
reason in Chinese and English in one pass, the previous database intact; ID numbers that match nobody are
not errors (listed, not dropped); a verification naming no warning is a load warning; the warning rules
(data/reference/warning_rules.csv) are checked at load like the other reference data."""

from __future__ import annotations

import csv
import re
import shutil

import pytest

import etl.load
from queries import Database
from tests.conftest import DEPARTMENTS
from tests.packages import copy_package, edit_csv, load_tables, rejected


@pytest.fixture
def package(tmp_path):
    return copy_package(DEPARTMENTS, tmp_path / "pkg")


@pytest.fixture
def loaded_db(tmp_path):
    db = tmp_path / "data" / "tuopin.duckdb"
    load_tables(DEPARTMENTS, db)
    return db


def errors(problems):
    return [(p.file, p.row_number, p.column, p.value, p.check_name) for p in problems if p.severity == "error"]


def set_cell(key_col, key, col, value):
    def edit(rows):
        for row in rows:
            if row[key_col] == key:
                row[col] = value
        return rows
    return edit


def test_bad_records_and_verifications_are_refused_in_one_pass(package, loaded_db):
    edit_csv(package, "部门比对数据", set_cell("记录编号", "R01", "金额", "-15000"))       # row 2
    edit_csv(package, "部门比对数据", set_cell("记录编号", "R02", "部门", "税务"))         # row 3
    edit_csv(package, "部门比对数据", set_cell("记录编号", "R04", "日期", "2025-02-30"))   # row 5
    edit_csv(package, "部门比对数据", set_cell("记录编号", "R05", "证件号码", ""))         # row 6
    edit_csv(package, "部门比对数据", set_cell("记录编号", "R06", "记录编号", "R07"))      # row 7: R07 twice
    edit_csv(package, "核实结果", set_cell("预警编号", "W4E44C9A35BEF", "核实结论", "已核实"))   # row 4
    edit_csv(package, "核实结果", set_cell("预警编号", "W5C82B6F60CC4", "核实日期", ""))       # row 5
    problems = rejected(package, loaded_db)
    assert errors(problems) == [  # every file's column checks, then the checks across rows and files
        ("部门比对数据.csv", 3, "部门", "税务", "value_enum"),
        ("部门比对数据.csv", 6, "证件号码", None, "value_required"),
        ("部门比对数据.csv", 5, "日期", "2025-02-30", "value_date_impossible"),
        ("部门比对数据.csv", 7, "记录编号", "R07", "key_duplicate"),
        ("部门比对数据.csv", 8, "记录编号", "R07", "key_duplicate"),
        ("核实结果.csv", 4, "核实结论", "已核实", "value_enum"),
        ("核实结果.csv", 5, "核实日期", None, "value_required"),
        ("部门比对数据.csv", 2, "金额", "-15000.00", "department_records_amount_negative"),
    ]
    negative = next(p for p in problems if p.check_name == "department_records_amount_negative")
    assert (negative.message_zh, negative.message_en) == ("金额不能为负数", "the amount cannot be negative")


def test_unmatched_ids_load_and_an_unknown_warning_id_is_a_warning(loaded_db):
    with Database(loaded_db) as db:
        unmatched = db.connection.execute(
            "select record_id from department_record_matches where person_id is null order by record_id").fetchall()
        assert unmatched == [("R09",), ("R10",)]
        assert db.connection.execute("select count(*) from department_records").fetchone() == (12,)
        warnings = db.query("quality_load_problems")
    unknown = warnings[warnings.check_name == "verification_warning_unknown"]
    assert [tuple(r) for r in unknown[["file", "row_number", "value"]].itertuples(index=False)] == [
        ("核实结果.csv", 7, "W000000000000")]


def test_a_package_without_department_files_has_no_warnings(tmp_path):
    from tests.conftest import MONITORING

    db = tmp_path / "m.duckdb"
    load_tables(MONITORING, db)
    with Database(db) as d:
        assert d.query("department_warnings", start="2024-01-01", end="2025-12-31").empty
        assert d.query("department_warning_summary", start="2024-01-01", end="2025-12-31").empty


def test_bad_warning_rules_stop_the_load_with_row_and_column(package, loaded_db, tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    shutil.copytree(etl.load.REFERENCE_DIR, reference)
    path = reference / "warning_rules.csv"
    shipped = len(path.read_text(encoding="utf-8").splitlines())
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([
            ["x", "edu_dropout", "教育", "疑似辍学", "高", "", "", "", "规则编号重复"],
            ["x", "r2", "税务", "欠税", "高", "", "", "", "部门不对"],
            ["x", "r3", "医保", "医疗自付费用", "紧急", "fixed", "5000", "", "等级不对"],
            ["x", "r4", "医保", "住院", "高", "percent", "", "", "依据不对"],
            ["x", "r5", "医保", "门诊", "高", "threshold_split", "10000", "", "缺其他人口金额"],
            ["x", "r6", "教育", "", "中", "", "100", "", "事项为空且金额多余"],
        ])
    monkeypatch.setattr(etl.load, "REFERENCE_DIR", reference)
    problems = rejected(package, loaded_db)
    n = shipped
    assert [(p.file, p.row_number, p.column, p.value, p.check_name) for p in problems] == [
        (str(path), n + 1, "rule_id", "edu_dropout", "warning_rule_duplicate"),
        (str(path), n + 2, "department", "税务", "warning_rule_department"),
        (str(path), n + 3, "level", "紧急", "warning_rule_level"),
        (str(path), n + 4, "basis", "percent", "warning_rule_basis"),
        (str(path), n + 5, "amount_others", "", "warning_rule_amount"),
        (str(path), n + 6, "item", "", "warning_rule_item"),
        (str(path), n + 6, "amount", "100", "warning_rule_amount_unused"),
    ]
    level = next(p for p in problems if p.check_name == "warning_rule_level")
    assert (level.message_zh, level.message_en) == ("等级应为 高、中 或 低",
                                                    "the level must be high, medium or low, written as in the "
                                                    "Chinese reason")
    # the English reasons hold no Chinese (file, column and value have their own fields)
    assert [p.message_en for p in problems if re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", p.message_en)] == []


def test_the_same_record_and_rule_keep_their_warning_id_across_imports(package, tmp_path):
    """The 预警编号 depends on the record and the rule only: another load, with the rows reordered and
    another record added, gives R01 under the city rule the same number."""
    def reorder(rows):
        extra = dict(rows[0], **{"记录编号": "R99", "日期": "2025-06-15"})
        return [extra, *reversed(rows)]
    edit_csv(package, "部门比对数据", reorder)
    db = tmp_path / "again.duckdb"
    load_tables(package, db)
    with Database(db) as d:
        w = d.query("department_warnings", start="2024-01-01", end="2025-06-30", rules="city_fixed_10k_26k")
    assert w.set_index("record_id").loc["R01", "warning_id"] == "W20348E474E36"


def test_a_verification_dated_before_its_record_is_a_warning(package, tmp_path):
    edit_csv(package, "核实结果", set_cell("预警编号", "W4E44C9A35BEF", "核实日期", "2025-03-20"))  # R04: 2025-04-01
    result = load_tables(package, tmp_path / "early.duckdb")
    early = [(p.severity, p.file, p.row_number, p.column, p.value, p.message_zh, p.message_en)
             for p in result.problems if p.check_name == "verification_before_record"]
    assert early == [("warning", "核实结果.csv", 4, "核实日期", "2025-03-20", "核实日期早于该预警的部门记录日期 2025-04-01",
                      "the verification is dated before the warning's record (2025-04-01)")]
