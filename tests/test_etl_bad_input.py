"""Bad input: every kind of problem gets file, row, column, value and a reason in Chinese and
English; all problems come in one pass; the previous database keeps answering."""

from __future__ import annotations

import csv
import re
import shutil

import pytest

from etl.load import LoadFailed, load_package
from queries import Database
from tests.conftest import TINY
from tests.packages import copy_package, edit_csv, read_rows, write_rows


@pytest.fixture
def loaded_db(tmp_path):
    """A database holding the tiny county: the 'previous' database a bad load must not touch."""
    db = tmp_path / "data" / "tuopin.duckdb"
    load_package(TINY, db)
    return db


@pytest.fixture
def package(tmp_path):
    return copy_package(TINY, tmp_path / "pkg")


def rejected(package, db) -> list:
    before = db.read_bytes()
    with pytest.raises(LoadFailed) as info:
        load_package(package, db)
    assert db.read_bytes() == before, "the previous database file changed"
    with Database(db) as opened:  # and it still answers queries
        row = opened.query("registry_summary", as_of="2019-12-31").iloc[0]
        assert (row.households_registered, row.people_registered) == (4, 10)
    leftovers = [p.name for p in db.parent.iterdir() if p.name.startswith(".tuopin-load-")]
    assert leftovers == []
    return info.value.problems


def as_tuples(problems, check=None):
    return [
        (p.file, p.row_number, p.column, p.value, p.check_name, p.message_zh, p.message_en)
        for p in problems if p.severity == "error" and (check is None or p.check_name == check)
    ]


def set_cell(stem, key_col, key, col, value):
    def edit(rows):
        for row in rows:
            if row[key_col] == key:
                row[col] = value
        return rows
    return stem, edit


def test_missing_file(package, loaded_db):
    (package / "贫困户.csv").unlink()
    problems = rejected(package, loaded_db)
    assert ("贫困户.csv / households.csv", None, None, None, "file_missing", "缺少必需的文件",
            "a required file is missing") in as_tuples(problems)


def test_missing_column(package, loaded_db):
    def drop_category(rows):
        for row in rows:
            del row["贫困户属性"]
        return rows
    path = package / "贫困户.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    drop_category(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    problems = rejected(package, loaded_db)
    assert as_tuples(problems, "column_missing") == [
        ("贫困户.csv", 1, "贫困户属性 (category)", None, "column_missing", "缺少必需的列", "a required column is missing")
    ]


def test_duplicate_key(package, loaded_db):
    edit_csv(package, "家庭成员", lambda rows: rows + [dict(rows[0], 姓名="重复的人")])
    problems = rejected(package, loaded_db)
    assert as_tuples(problems, "key_duplicate") == [
        ("家庭成员.csv", 2, "人员编号", "P1", "key_duplicate", "编号重复（同一编号出现多次）",
         "duplicate key (the same id appears more than once)"),
        ("家庭成员.csv", 19, "人员编号", "P1", "key_duplicate", "编号重复（同一编号出现多次）",
         "duplicate key (the same id appears more than once)"),
    ]


def test_unknown_enum_value(package, loaded_db):
    edit_csv(package, *set_cell("贫困户", "户编号", "H4", "主要致贫原因", "因懒"))
    problems = rejected(package, loaded_db)
    [(file, row, column, value, check, zh, en)] = as_tuples(problems, "value_enum")
    assert (file, row, column, value) == ("贫困户.csv", 5, "主要致贫原因", "因懒")
    assert zh.startswith("不是允许的取值，应为：因病、因残、因学")
    assert en == "not an allowed value; the column takes one of 13 fixed values (listed in the Chinese reason)"


def test_bad_date_and_bad_number_in_one_pass(package, loaded_db):
    edit_csv(package, *set_cell("动态管理记录", "记录编号", "E02", "变动日期", "2016-02-30"))
    edit_csv(package, *set_cell("动态管理记录", "记录编号", "E04", "变动日期", "2017年10月"))
    edit_csv(package, *set_cell("资金明细", "记录编号", "F03", "金额", "六万"))
    problems = rejected(package, loaded_db)
    assert as_tuples(problems) == [
        ("动态管理记录.csv", 3, "变动日期", "2016-02-30", "value_date_impossible",
         "日期不存在（月份或日超出范围，如 2月30日）", "impossible date (no such month or day, e.g. February 30)"),
        ("动态管理记录.csv", 5, "变动日期", "2017年10月", "value_format",
         "格式错误，应为：日期，如 2019-12-31、2019/12/31、2019年12月31日、20191231",
         "wrong format, expected: a date such as 2019-12-31, 2019/12/31 or 20191231"),
        ("资金明细.csv", 4, "金额", "六万", "value_format", "格式错误，应为：金额（元），如 12345.67",
         "wrong format, expected: an amount in yuan, e.g. 12345.67"),
    ]


def test_orphan_member_and_event(package, loaded_db):
    edit_csv(package, *set_cell("家庭成员", "人员编号", "P3", "户编号", "H99"))
    edit_csv(package, *set_cell("动态管理记录", "记录编号", "E13", "户编号", "H77"))
    problems = rejected(package, loaded_db)
    assert as_tuples(problems, "members_household_missing") == [
        ("家庭成员.csv", 4, "户编号", "H99", "members_household_missing", "户编号在贫困户表中不存在",
         "household_id is not in the households file")
    ]
    assert as_tuples(problems, "events_household_missing") == [
        ("动态管理记录.csv", 14, "户编号", "H77", "events_household_missing", "户编号在贫困户表中不存在",
         "household_id is not in the households file")
    ]
    # H6 lost its only event: it is now never identified
    assert [p[:4] for p in as_tuples(problems, "households_never_identified")] == [("贫困户.csv", 7, "户编号", "H6")]


def test_village_code_not_a_village(package, loaded_db):
    edit_csv(package, *set_cell("贫困户", "户编号", "H1", "区划代码", "430101100000"))  # a 乡镇
    problems = rejected(package, loaded_db)
    assert as_tuples(problems, "households_village_not_village") == [
        ("贫困户.csv", 2, "区划代码", "430101100000", "households_village_not_village",
         "区划代码不是区划表中的村", "village_code is not a village in the regions file")
    ]


def test_impossible_event_sequence(package, loaded_db):
    # H2: a second 标注脱贫 without 返贫 in between
    edit_csv(package, *set_cell("动态管理记录", "记录编号", "E05", "变动类型", "标注脱贫"))
    problems = rejected(package, loaded_db)
    assert as_tuples(problems, "events_impossible_sequence") == [
        ("动态管理记录.csv", 6, "变动类型", "标注脱贫", "events_impossible_sequence",
         "变动顺序不可能：户编号 H2：前一条为 标注脱贫 (2017-10-15)",
         "impossible sequence of events: household H2: follows an event of type exit (2017-10-15)"),
        ("动态管理记录.csv", 7, "变动类型", "标注脱贫", "events_impossible_sequence",
         "变动顺序不可能：户编号 H2：前一条为 标注脱贫 (2018-06-01)",
         "impossible sequence of events: household H2: follows an event of type exit (2018-06-01)"),
    ]


def test_event_before_identification_and_same_day(package, loaded_db):
    def edit(rows):
        rows.append({"记录编号": "E99", "户编号": "H6", "变动类型": "标注脱贫", "变动日期": "2014-05-01",
                     "变动原因": ""})
        return rows
    edit_csv(package, "动态管理记录", edit)
    problems = rejected(package, loaded_db)
    assert [p[:4] for p in as_tuples(problems, "events_same_day")] == [
        ("动态管理记录.csv", 14, "变动日期", "2014-05-01 识别纳入"),
        ("动态管理记录.csv", 15, "变动日期", "2014-05-01 标注脱贫"),
    ]


def test_household_without_head_and_with_two(package, loaded_db):
    def edit(rows):
        for row in rows:
            if row["人员编号"] == "P1":
                row["与户主关系"] = "本人"  # H1 loses its head
            if row["人员编号"] == "P9":
                row["与户主关系"] = "户主"  # H4 gets a second one
        return rows
    edit_csv(package, "家庭成员", edit)
    problems = rejected(package, loaded_db)
    assert as_tuples(problems, "households_head_count") == [
        ("贫困户.csv", 2, "户编号", "H1", "households_head_count",
         "每户必须有且只有一名户主（与户主关系=户主），该户有 0 名",
         "a household needs exactly one member whose relation is head of household; this one has 0"),
        ("家庭成员.csv", 9, "与户主关系", "H4", "households_head_count",
         "每户必须有且只有一名户主（与户主关系=户主），该户有 2 名",
         "a household needs exactly one member whose relation is head of household; this one has 2"),
        ("家庭成员.csv", 10, "与户主关系", "H4", "households_head_count",
         "每户必须有且只有一名户主（与户主关系=户主），该户有 2 名",
         "a household needs exactly one member whose relation is head of household; this one has 2"),
    ]


def test_member_dates_outside_registration(package, loaded_db):
    def edit(rows):
        for row in rows:
            if row["人员编号"] == "P2":
                row["加入日期"] = "2013-01-01"  # before H1's first 识别纳入 (2014-05-01)
            if row["人员编号"] == "P8":
                row["减少日期"] = "2018-01-01"  # after H4's 清退 (2017-06-20)
            if row["人员编号"] == "P7":
                row["减少日期"] = "2018-03-10"  # on H3's 自然销户 day: allowed
        return rows
    edit_csv(package, "家庭成员", edit)
    problems = rejected(package, loaded_db)
    assert as_tuples(problems, "members_date_outside_registration") == [
        ("家庭成员.csv", 3, "加入日期", "2013-01-01", "members_date_outside_registration",
         "成员的加入或减少日期不在该户在册期间（首次识别纳入 2014-05-01）",
         "the member's join or leave date falls while the household is not registered "
         "(first identification 2014-05-01)"),
        ("家庭成员.csv", 9, "减少日期", "2018-01-01", "members_date_outside_registration",
         "成员的加入或减少日期不在该户在册期间（已清退或销户）",
         "the member's join or leave date falls while the household is not registered "
         "(household removed)"),
    ]


def test_all_problems_in_one_pass_and_rejects_report(package, loaded_db):
    edit_csv(package, *set_cell("贫困户", "户编号", "H4", "主要致贫原因", "因懒"))
    edit_csv(package, *set_cell("家庭成员", "人员编号", "P3", "户编号", "H99"))
    edit_csv(package, *set_cell("资金明细", "记录编号", "F03", "金额", "六万"))
    problems = rejected(package, loaded_db)
    assert sorted({p.check_name for p in problems if p.severity == "error"}) == [
        "members_household_missing", "value_enum", "value_format"]
    report = loaded_db.with_name("tuopin.rejects.csv")
    with open(report, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["级别 severity", "文件 file", "行号 row", "列 column", "值 value", "检查 check", "原因", "reason"]
    assert ["error", "家庭成员.csv", "4", "户编号", "H99", "members_household_missing",
            "户编号在贫困户表中不存在", "household_id is not in the households file"] in rows
    assert loaded_db.with_name("tuopin.rejects.xlsx").stat().st_size > 0


def test_gbk_file_with_invalid_bytes_is_an_encoding_error(package, loaded_db):
    (package / "区划.csv").write_bytes(b"\x81\x20\xff\xfe garbage \x80")
    problems = rejected(package, loaded_db)
    assert [(p.file, p.check_name) for p in problems if p.severity == "error"] == [("区划.csv", "encoding_unknown")]


def test_wrong_field_count_is_numbered(package, loaded_db):
    path = package / "动态管理记录.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4] + ",extra,fields"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = rejected(package, loaded_db)
    assert [(p.file, p.row_number, p.check_name) for p in problems if p.severity == "error"] == [
        ("动态管理记录.csv", 5, "csv_field_count")]


def test_zip_with_parent_path_is_refused(tmp_path, loaded_db):
    import zipfile

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for path in TINY.iterdir():
            zf.write(path, path.name)
        zf.writestr("../../escaped.csv", "x")
    problems = rejected(bad, loaded_db)
    assert [(p.check_name, p.value) for p in problems] == [("unsafe_zip_path", "../../escaped.csv")]
    assert not (tmp_path.parent / "escaped.csv").exists()


def test_a_good_load_after_a_bad_one_replaces_the_database(package, loaded_db, tmp_path):
    edit_csv(package, *set_cell("贫困户", "户编号", "H4", "主要致贫原因", "因懒"))
    rejected(package, loaded_db)
    shutil.rmtree(package)
    copy_package(TINY, package)
    edit_csv(package, "动态管理记录", lambda rows: [r for r in rows if r["记录编号"] != "E10"])  # H4 not 清退
    load_package(package, loaded_db)
    with Database(loaded_db) as db:
        row = db.query("registry_summary", as_of="2019-12-31").iloc[0]
    assert (row.households_registered, row.people_registered) == (5, 14)


def test_an_exit_rule_preset_the_queries_cannot_judge_is_refused_at_load(package, loaded_db, tmp_path, monkeypatch):
    """data/reference/exit_rules.csv is editable: a typo in a criterion, or a threshold left out where
    one is needed, stops the load with its row instead of failing later on the village exit page."""
    import etl.load

    reference = tmp_path / "reference"
    shutil.copytree(etl.load.REFERENCE_DIR, reference)
    with open(reference / "exit_rules.csv", "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([["guangxi", "incidence", "", "", "广西：阈值漏填"],
                                 ["guangxi", "paved_roads", "", "", "广西：通硬化路（拼错）"]])
    rows = len((reference / "exit_rules.csv").read_text(encoding="utf-8").splitlines())
    monkeypatch.setattr(etl.load, "REFERENCE_DIR", reference)
    problems = rejected(package, loaded_db)
    assert [(p.table, p.row_number, p.column, p.value, p.check_name) for p in problems] == [
        ("exit_rules", rows - 1, "threshold", None, "reference_rule_threshold"),
        ("exit_rules", rows, "criterion", "paved_roads", "reference_rule_unknown"),
    ]
    assert problems[0].file == str(reference / "exit_rules.csv")
    assert problems[1].message_zh.startswith("出列标准预设含无法判断的标准（可用：incidence, collective_income")
    assert problems[1].message_en.startswith("an exit rule preset names an unknown criterion")

    # an edit that leaves the file unreadable is named too
    (reference / "exit_rules.csv").write_bytes(b"preset,criterion\n\"unterminated,quote\nx,y,z,w\n")
    problems = rejected(package, loaded_db)
    assert [(p.table, p.check_name) for p in problems] == [("exit_rules", "reference_unreadable")]
    assert problems[0].file == str(reference / "exit_rules.csv")

    # the shipped presets all pass, and each becomes one row of flags for village_exit_check
    monkeypatch.undo()  # the shipped data/reference again
    load_package(package, loaded_db)
    with Database(loaded_db) as db:
        presets = db.connection.execute(
            "select preset, requires_incidence, incidence_threshold, incidence_threshold_west, "
            "requires_collective_income, collective_income_threshold, requires_broadband "
            "from exit_rule_presets order by preset").fetchall()
    assert [(p, a, float(t), float(w), b, c if c is None else float(c), d) for p, a, t, w, b, c, d in presets] == [
        ("henan", True, 0.02, 0.02, False, None, True),
        ("hunan", True, 0.02, 0.02, True, 40000.0, False),
        ("national", True, 0.02, 0.03, False, None, False),
        ("shaanxi", True, 0.03, 0.03, False, None, False),
    ]


def test_a_broken_header_does_not_hide_the_other_files_problems(package, loaded_db):
    """贫困户.csv loses a column, 动态管理记录.csv gets an impossible date and 资金明细.csv a date in a wrong
    format: all three are reported in one pass. The households file cannot be checked further, and the
    checks that compare another file with it are skipped (they would report every member as an orphan);
    the report says so."""
    path = package / "贫困户.csv"
    rows = read_rows(path)
    for row in rows:
        del row["贫困户属性"]
    write_rows(path, rows)
    edit_csv(package, *set_cell("动态管理记录", "记录编号", "E04", "变动日期", "2019-02-30"))
    edit_csv(package, *set_cell("资金明细", "记录编号", "F03", "日期", "2018年6月"))
    problems = rejected(package, loaded_db)
    assert as_tuples(problems) == [
        ("贫困户.csv", 1, "贫困户属性 (category)", None, "column_missing", "缺少必需的列",
         "a required column is missing"),
        ("动态管理记录.csv", 5, "变动日期", "2019-02-30", "value_date_impossible",
         "日期不存在（月份或日超出范围，如 2月30日）", "impossible date (no such month or day, e.g. February 30)"),
        ("资金明细.csv", 4, "日期", "2018年6月", "value_format",
         "格式错误，应为：日期，如 2019-12-31、2019/12/31、2019年12月31日、20191231",
         "wrong format, expected: a date such as 2019-12-31, 2019/12/31 or 20191231"),
    ]
    skipped = [(p.file, p.check_name, p.message_zh, p.message_en) for p in problems if p.check_name == "file_not_checked"]
    assert skipped == [(
        "贫困户.csv", "file_not_checked",
        "此文件无法完整读取或表头有误，未能进一步检查；需要它的跨文件检查也已跳过：assistance_household_missing, "
        "events_household_missing, household_year_household_missing, households_head_count, "
        "households_head_mismatch, households_never_identified, households_registered_attribute_missing, "
        "households_village_not_village, id_number_checksum, members_household_missing, "
        "monitoring_household_missing",
        "this file could not be read in full or its header is broken, so it was not checked further; the checks "
        "comparing other files with it were skipped too: assistance_household_missing, events_household_missing, "
        "household_year_household_missing, households_head_count, households_head_mismatch, "
        "households_never_identified, households_registered_attribute_missing, households_village_not_village, "
        "id_number_checksum, members_household_missing, monitoring_household_missing",
    )]


def test_every_file_with_a_broken_header_is_named(package, loaded_db):
    for stem, column in (("贫困户", "贫困户属性"), ("资金明细", "环节")):
        path = package / f"{stem}.csv"
        rows = read_rows(path)
        for row in rows:
            del row[column]
        write_rows(path, rows)
    edit_csv(package, *set_cell("家庭成员", "人员编号", "P3", "出生日期", "1990-13-01"))
    problems = rejected(package, loaded_db)
    assert [(p.file, p.row_number, p.value, p.check_name) for p in problems
            if p.check_name != "column_extra"] == [
        ("贫困户.csv", 1, None, "column_missing"),
        ("资金明细.csv", 1, None, "column_missing"),
        ("家庭成员.csv", 4, "1990-13-01", "value_date_impossible"),
        ("贫困户.csv", None, None, "file_not_checked"),
        ("资金明细.csv", None, None, "file_not_checked"),
    ]


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_english_reasons_hold_no_chinese(package, loaded_db):
    """The English reason is English: file, column and value have their own fields."""
    edit_csv(package, *set_cell("贫困户", "户编号", "H4", "主要致贫原因", "因懒"))
    edit_csv(package, *set_cell("贫困户", "户编号", "H1", "区划代码", "430101100000"))
    edit_csv(package, *set_cell("动态管理记录", "记录编号", "E05", "变动类型", "标注脱贫"))
    edit_csv(package, *set_cell("资金明细", "记录编号", "F03", "金额", "六万"))
    edit_csv(package, *set_cell("资金明细", "记录编号", "F04", "日期", "2018-02-30"))
    edit_csv(package, *set_cell("家庭成员", "人员编号", "P1", "与户主关系", "本人"))
    edit_csv(package, *set_cell("家庭成员", "人员编号", "P2", "加入日期", "2013-01-01"))
    edit_csv(package, *set_cell("区划", "区划代码", "430101100001", "地区类型", "西部"))
    edit_csv(package, *set_cell("区划", "区划代码", "430101200000", "上级代码", "430101100001"))
    problems = rejected(package, loaded_db)
    checks = {p.check_name for p in problems}
    assert {"value_enum", "value_format", "value_date_impossible", "households_village_not_village",
            "events_impossible_sequence", "households_head_count", "members_date_outside_registration",
            "regions_type_wrong_level", "regions_parent_level"} <= checks, checks
    assert [p.message_en for p in problems if CJK.search(p.message_en)] == []
    assert all(CJK.search(p.message_zh) for p in problems)
    enum = next(p for p in problems if p.check_name == "value_enum")
    assert enum.message_zh.startswith("不是允许的取值，应为：因病、因残、因学")
    assert enum.message_en == ("not an allowed value; the column takes one of 13 fixed values (listed in the "
                               "Chinese reason)")


def test_no_english_message_template_holds_chinese():
    from etl.problems import READER_MESSAGES
    from etl.validate import generic_checks, relational_checks

    templates = {code: en for code, (_zh, en) in READER_MESSAGES.items()}
    templates |= {c.name: c.message_en for c in [*generic_checks().values(), *relational_checks()]}
    assert {code: en for code, en in templates.items() if CJK.search(en)} == {}


def test_duplicate_file_and_column_reasons(package, loaded_db):
    """The other file's name is in the value column (the reason used to end in 'the other: '), and the
    English reason of a duplicate column names no Chinese header."""
    shutil.copy(package / "资金明细.csv", package / "funds.csv")
    path = package / "村年度情况.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",通宽带"] + [line + ",是" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = rejected(package, loaded_db)
    assert [(p.file, p.row_number, p.column, p.value, p.check_name, p.message_zh, p.message_en)
            for p in problems if p.check_name in ("file_duplicate", "column_duplicate")] == [
        ("资金明细.csv", None, None, "funds.csv", "file_duplicate", "同一数据表出现了两个文件（另一个见“值”）",
         "two files for the same table (the other one is in the value column)"),
        ("村年度情况.csv", 1, "通宽带", "通宽带", "column_duplicate", "列名重复（与“通宽带”为同一列）",
         "duplicate column (the same column as an earlier header)"),
    ]
