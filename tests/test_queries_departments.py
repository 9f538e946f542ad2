"""部门数据比对 figures on the hand-worked fixture tests/fixtures/departments (EXPECTED.md there):
department_warnings, department_warning_summary, department_warnings_overdue and
quality_department_records_unmatched, with literal values, a township's scope and masking."""

from __future__ import annotations

import datetime as dt

import pytest

from queries import Scope, ScopeError

EAST, WEST = "532999100000", "532999200000"
CITY, SHARE = "city_fixed_10k_26k", "income_share_50"
WINDOW = {"start": "2024-01-01", "end": "2025-06-30"}


def rows(frame, *columns):
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def test_warnings_under_the_city_rules(departments):
    w = departments.query("department_warnings", rules=CITY, **WINDOW)
    assert rows(w, "record_id", "warning_id", "status", "days_open", "is_open") == [
        ("R06", "WFE728F00F9EE", "待核实", 46, True),
        ("R07", "W8665747ACFDE", "待核实", 29, True),
        ("R01", "W20348E474E36", "已纳入监测", 49, False),
        ("R12", "WC7117496435E", "已在监测", 15, False),
        ("R05", "W5C82B6F60CC4", "已纳入监测", 15, False),
        ("R04", "W4E44C9A35BEF", "已在监测", 7, False),
    ]
    assert rows(w, "record_id", "department", "item", "rule_id", "level", "is_registered",
                "was_monitored_on_record_date", "village_name", "township_name") == [
        ("R06", "民政", "新增低保", "civil_dibao", "中", True, False, "东一村", "东乡"),
        ("R07", "住建", "危房", "housing_unsafe", "高", False, False, "东二村", "东乡"),
        ("R01", "医保", "医疗自付费用", "med_city_fixed_10k_26k", "高", True, False, "东一村", "东乡"),
        ("R12", "教育", "疑似辍学", "edu_dropout", "高", False, True, "西一村", "西乡"),
        ("R05", "公安", "意外事故", "police_accident", "高", True, False, "西一村", "西乡"),
        ("R04", "教育", "疑似辍学", "edu_dropout", "高", True, True, "西一村", "西乡"),
    ]
    r01 = w.set_index("record_id").loc["R01"]
    assert (float(r01.amount), float(r01.bar)) == (15000.0, 10000.0)
    assert r01.verified_on == dt.date(2025, 3, 10) or str(r01.verified_on)[:10] == "2025-03-10"


def test_masking_uses_the_normalised_number(departments):
    w = departments.query("department_warnings", rules=CITY, **WINDOW).set_index("record_id")
    assert rows(w.loc[["R01", "R12", "R07"]].reset_index(), "person_name_masked", "id_number_masked",
                "head_name_masked") == [
        ("孙*国", "532999********100X", "孙*国"),
        ("褚*", "532999********178X", "褚*燕"),
        ("卫*", "532999********1691", "卫*青"),
    ]
    text = w.to_string()
    for secret in ("孙立国", "53299919700101100X", "褚小燕", "20120921"):
        assert secret not in text


def test_rule_sets_give_different_warnings(departments):
    share = departments.query("department_warnings", rules=SHARE, **WINDOW)
    assert rows(share, "record_id", "rule_id", "status", "days_open") == [
        ("R01", "med_income_share_50", "待核实", 161),
        ("R06", "civil_dibao", "待核实", 46),
        ("R07", "housing_unsafe", "待核实", 29),
        ("R12", "edu_dropout", "已在监测", 15),
        ("R05", "police_accident", "已纳入监测", 15),
        ("R02", "med_income_share_50", "排除", 10),
        ("R04", "edu_dropout", "已在监测", 7),
    ]
    assert [float(b) for b in share.set_index("record_id").loc[["R01", "R02"], "bar"]] == [3750.0, 5000.0]
    every = departments.query("department_warnings", **WINDOW)
    assert sorted(every.record_id) == ["R01", "R01", "R02", "R04", "R05", "R06", "R07", "R12"]
    later = departments.query("department_warnings", rules=CITY, start="2024-01-01", end="2025-12-31")
    assert "R08" in set(later.record_id) and "R03" not in set(later.record_id)


def test_a_verification_after_the_end_leaves_the_warning_open(departments):
    w = departments.query("department_warnings", rules=CITY, start="2024-01-01", end="2025-03-09")
    assert rows(w, "record_id", "status", "days_open") == [("R01", "待核实", 48), ("R12", "已在监测", 15)]


def test_summary_by_department_and_rule(departments):
    s = departments.query("department_warning_summary", rules=CITY, **WINDOW)
    assert rows(s, "department", "rule_id", "warnings", "verified", "identified", "already_monitored", "ruled_out",
                "still_open", "households_monitored_within_30_days") == [
        ("医保", "med_city_fixed_10k_26k", 1, 1, 1, 0, 0, 0, 0),
        ("教育", "edu_dropout", 2, 2, 0, 2, 0, 0, 0),
        ("民政", "civil_dibao", 1, 0, 0, 0, 0, 1, 0),
        ("住建", "housing_unsafe", 1, 0, 0, 0, 0, 1, 0),
        ("公安", "police_accident", 1, 1, 1, 0, 0, 0, 1),
    ]
    medians = s.median_days_to_verify.tolist()
    assert medians[:2] == [49.0, 11.0] and medians[4] == 15.0 and s.median_days_to_verify.isna().tolist()[2:4] == [
        True, True]
    share = departments.query("department_warning_summary", rules=SHARE, **WINDOW).set_index("rule_id")
    assert rows(share.loc[["med_income_share_50"]], "warnings", "verified", "ruled_out", "still_open") == [(2, 1, 1, 1)]


def test_overdue_red_flag(departments):
    flag = departments.query("department_warnings_overdue", as_of="2025-06-30", rules=CITY).iloc[0]
    assert (flag.overdue_warnings, flag.open_warnings, flag.oldest_days_open) == (2, 2, 46)
    early = departments.query("department_warnings_overdue", as_of="2025-05-20", rules=CITY).iloc[0]
    assert (early.overdue_warnings, early.open_warnings, early.oldest_days_open) == (0, 1, 5)


def test_scope_of_a_township(departments):
    east = departments.query("department_warnings", rules=CITY, scope=Scope(region=EAST), **WINDOW)
    assert east.record_id.tolist() == ["R06", "R07", "R01"]
    west = departments.query("department_warnings", rules=CITY, region=WEST, **WINDOW)
    assert west.record_id.tolist() == ["R12", "R05", "R04"]
    with pytest.raises(ScopeError):
        departments.query("department_warnings", rules=CITY, region=WEST, scope=Scope(region=EAST), **WINDOW)
    assert departments.query("quality_department_records_unmatched", as_of="2025-06-30",
                             scope=Scope(region=EAST)).empty


def test_unmatched_records_are_listed_masked(departments):
    q = departments.query("quality_department_records_unmatched", as_of="2025-06-30")
    assert rows(q, "record_id", "department", "id_number_masked", "records") == [
        ("R09", "人社", "430124********1234", 2),
        ("R10", "残联", "******", 2),
    ]
    assert departments.query("quality_department_records_unmatched", as_of="2025-04-01").record_id.tolist() == ["R09"]
