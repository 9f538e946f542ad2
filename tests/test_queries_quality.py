"""The data-quality checks (queries/quality_*.sql), each a query returning the bad rows: positive cases on
the tiny county with deliberate defects (tests/quality_defects.py says what each defect is), negative
cases on the clean tiny county (tests/fixtures/tiny, EXPECTED.md). Every expected value is worked out
by hand from the fixture CSVs, with the derivation next to it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl.load import load_package
from queries import Database
from tests.quality_defects import make_defects_package
from tests.test_queries import COUNTY, ERCUN, JIA, SANCUN, YI, YICUN, rows


@pytest.fixture(scope="module")
def defects_db_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality")
    db = folder / "defects.duckdb"
    load_package(make_defects_package(folder / "package"), db)
    return db


@pytest.fixture(scope="module")
def defects(defects_db_path):
    with Database(defects_db_path) as db:
        yield db


# ---- load warnings -------------------------------------------------------------------------------

def test_load_warnings_are_listed_with_names_and_ids_masked(defects):
    frame = defects.query("quality_load_problems")
    assert rows(frame, ["severity", "check_name", "file", "row_number", "column_name", "value", "message_zh",
                        "message_en"]) == [
        # the extra header 备注 on the header row
        ("warning", "column_extra", "贫困户.csv", 1, "备注", "备注", "多余的列，将被忽略", "extra column, ignored"),
        # H1 (row 2): 赵大三 in 贫困户.csv, 赵大山 in 家庭成员.csv — both masked to first and last character
        ("warning", "households_head_mismatch", "贫困户.csv", 2, "户主姓名", "赵*三",
         "户主姓名或证件号码与家庭成员表中的户主不一致（成员表：赵*山）",
         "head name or ID differs from the household's head in the members file (members: 赵*山)"),
        # P2 is the second member (row 3); its ID keeps the first 6 and the last 4 characters
        ("warning", "id_number_checksum", "家庭成员.csv", 3, "证件号码", "430101********0022",
         "身份证号码校验不通过（应为18位，末位校验码按 GB 11643 计算）",
         "resident ID fails validation (18 characters, check digit per GB 11643)"),
    ]


def test_load_warnings_counted_per_check(defects):
    frame = defects.query("quality_load_problem_counts")
    # one of each; ties ordered by check name
    assert rows(frame, ["check_name", "severity", "n_problems", "n_files", "files"]) == [
        ("column_extra", "warning", 1, 1, "贫困户.csv"),
        ("households_head_mismatch", "warning", 1, 1, "贫困户.csv"),
        ("id_number_checksum", "warning", 1, 1, "家庭成员.csv"),
    ]


def test_load_warnings_belong_to_the_whole_package_only(defects, tiny):
    # the county (or the default top) holds every village; 甲乡 does not hold 三村
    assert len(defects.query("quality_load_problems", region=COUNTY)) == 3
    assert defects.query("quality_load_problems", region=JIA).empty
    assert defects.query("quality_load_problem_counts", region=JIA).empty
    assert defects.query("quality_load_problems", region="999999999999").empty
    # the clean county loaded without a warning
    assert tiny.query("quality_load_problems").empty
    assert tiny.query("quality_load_problem_counts").empty


# ---- villages ------------------------------------------------------------------------------------

def test_villages_without_boundary(defects, tiny):
    # 边界.geojson has 一村 and 甲乡 only: 三村 (poor, first) and 二村 lack one
    frame = defects.query("quality_villages_without_boundary")
    assert rows(frame, ["village_code", "village_name", "township_code", "township_name", "is_poor_village"]) == [
        (SANCUN, "三村", YI, "乙镇", True),
        (ERCUN, "二村", JIA, "甲乡", False),
    ]
    assert list(defects.query("quality_villages_without_boundary", region=JIA).village_name) == ["二村"]
    assert defects.query("quality_villages_without_boundary", region=YICUN).empty
    # no boundary file at all: every village, poor ones (一村, 三村) first
    assert list(tiny.query("quality_villages_without_boundary").village_name) == ["一村", "三村", "二村"]


def test_villages_without_the_years_village_data(tiny):
    # 村年度情况 rows: 一村 2014, 2018; 二村 2014; 三村 2014, 2019. The latest year of the file is 2019.
    latest = tiny.query("quality_villages_without_year")
    assert rows(latest, ["village_name", "township_name", "is_poor_village", "checked_year", "latest_year"]) == [
        ("一村", "甲乡", True, 2019, 2018),
        ("二村", "甲乡", False, 2019, 2014),
    ]
    assert rows(tiny.query("quality_villages_without_year", year=2019), ["village_name"]) == [("一村",), ("二村",)]
    # 2018: 一村 has its row; 三村 (poor) and 二村 are measured on 2014
    assert rows(tiny.query("quality_villages_without_year", year=2018), ["village_name", "latest_year"]) == [
        ("三村", 2014), ("二村", 2014),
    ]
    # 2014: every village has a row — nothing to report
    assert tiny.query("quality_villages_without_year", year=2014).empty
    # 2013: before any row, none in force (latest_year NULL)
    before = tiny.query("quality_villages_without_year", year=2013)
    assert list(before.village_name) == ["一村", "三村", "二村"] and before.latest_year.isna().all()
    # by region: 乙镇 only holds 三村, which has 2019 but not 2018
    assert tiny.query("quality_villages_without_year", year=2019, region=YI).empty
    assert list(tiny.query("quality_villages_without_year", year=2018, region=YI).village_name) == ["三村"]


# ---- households and people -----------------------------------------------------------------------

def test_implausible_incomes(defects, tiny):
    frame = defects.query("quality_implausible_incomes")
    assert rows(frame, ["household_id", "head_name_masked", "village_name", "township_name", "year", "size",
                        "net_income", "per_capita_income", "poverty_line", "reason"]) == [
        # 150,000 ÷ 4 = 37,500 per person > 10 × 2,995 (the 2018 line) = 29,950
        ("H1", "赵*三", "一村", "甲乡", 2018, 4, 150000, 37500, 2995, "above_10x_line"),
        # 100 − 5,000 = −4,900, alone in the household
        ("H6", "吴*顺", "三村", "乙镇", 2019, 1, -4900, -4900, 3218, "negative_net_income"),
    ]
    assert list(frame.times_line) == pytest.approx([37500 / 2995, -4900 / 3218])
    # not flagged: 2017 H1 at exactly 10 × 2,952 = 29,520 per person, 2017 H6 with a net income of 0
    assert ("H1", 2017) not in set(zip(frame.household_id, frame.year, strict=True))
    assert ("H6", 2017) not in set(zip(frame.household_id, frame.year, strict=True))
    assert list(defects.query("quality_implausible_incomes", region=YI).household_id) == ["H6"]
    assert list(defects.query("quality_implausible_incomes", region=ERCUN).household_id) == []
    # the clean county's five rows are plausible: the highest, H1 2016, is 12,500 ÷ 3 = 4,167 per person
    assert tiny.query("quality_implausible_incomes").empty


def test_households_without_members(defects, tiny):
    frame = defects.query("quality_households_without_members", as_of="2019-12-31")
    # H6: P16 left 2016-08-01, P15 and P17 on 2019-01-01; still registered, never exited
    assert rows(frame, ["household_id", "head_name_masked", "village_name", "township_name", "status",
                        "n_members"]) == [("H6", "吴*顺", "三村", "乙镇", "未脱贫", 3)]
    assert frame.last_left_on.iloc[0] == pd.Timestamp("2019-01-01")
    # a member is absent from the day of leaving: on 2019-01-01 H6 is already empty, on 2018-12-31 not
    assert list(defects.query("quality_households_without_members", as_of="2019-01-01").household_id) == ["H6"]
    assert defects.query("quality_households_without_members", as_of="2018-12-31").empty
    assert defects.query("quality_households_without_members", as_of="2019-12-31", region=JIA).empty
    for day in ("2016-12-31", "2019-12-31"):
        assert tiny.query("quality_households_without_members", as_of=day).empty


def test_members_in_several_households(defects, tiny):
    frame = defects.query("quality_members_in_several_households", as_of="2019-12-31")
    # P18 joined H5 on 2019-06-01 with the ID of P3, who is still in H1
    assert rows(frame, ["id_number_masked", "person_id", "name_masked", "household_id", "village_name",
                        "township_name", "n_households", "households", "person_group"]) == [
        ("430101********0012", "P3", "赵*明", "H1", "一村", "甲乡", 2, "H1、H5", 1),
        ("430101********0012", "P18", "赵*明", "H5", "二村", "甲乡", 2, "H1、H5", 1),
    ]
    assert defects.query("quality_members_in_several_households", as_of="2019-05-31").empty
    # the other household may lie outside the region: 二村 lists P18 alone, still in 2 households
    in_ercun = defects.query("quality_members_in_several_households", as_of="2019-12-31", region=ERCUN)
    assert rows(in_ercun, ["person_id", "n_households"]) == [("P18", 2)]
    assert defects.query("quality_members_in_several_households", as_of="2019-12-31", region=YI).empty
    # the clean county: every ID once (P6 left H2 in 2018 and joined no other household)
    assert tiny.query("quality_members_in_several_households", as_of=dt.date(2019, 12, 31)).empty
