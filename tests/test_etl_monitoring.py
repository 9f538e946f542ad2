"""Monitoring data at load (docs/data-contract.md, 防返贫监测对象 · monitoring; docs/domain.md, After 2020 /
防返贫监测): bad episodes are refused with file, row, column and a reason in Chinese and English, all in
one pass; households never registered (边缘户) load and count in no registry figure; household years
after 2020 and 衔接资金 load; the monitoring thresholds are checked at load."""

from __future__ import annotations

import csv
import shutil

import pytest

import etl.load
from etl.load import LoadFailed
from queries import Database
from tests.conftest import MONITORING, TINY
from tests.packages import copy_package, edit_csv, load_tables, rejected, to_english, to_xlsx


@pytest.fixture
def package(tmp_path):
    return copy_package(MONITORING, tmp_path / "pkg")


@pytest.fixture
def loaded_db(tmp_path):
    db = tmp_path / "data" / "tuopin.duckdb"
    load_tables(MONITORING, db)
    return db


def errors(problems, check=None):
    return [(p.file, p.row_number, p.column, p.value, p.check_name, p.message_zh, p.message_en)
            for p in problems if p.severity == "error" and (check is None or p.check_name == check)]


def set_cell(stem, key_col, key, col, value):
    def edit(rows):
        for row in rows:
            if row[key_col] == key:
                row[col] = value
        return rows
    return stem, edit


def test_bad_episodes_are_refused_with_file_row_and_column_in_one_pass(package, loaded_db):
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J01", "监测对象类别", "低收入户"))       # row 2
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J02", "风险类型", "因病、因懒,因赌"))    # row 3
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J03", "认定日期", ""))                # row 4
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J04", "风险消除日期", "2022-05-01"))    # row 5
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J05", "发现日期", "2024-03-17"))        # row 6
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J07", "户编号", "X99"))               # row 8
    # row 9: J08 of M05 moved into J06's household E01 (open since 2024-04-20): two open episodes
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J08", "户编号", "E01"))
    problems = rejected(package, loaded_db)
    file = "防返贫监测对象.csv"
    assert sorted(errors(problems), key=lambda p: p[1]) == [  # every problem, by row
        (file, 2, "监测对象类别", "低收入户", "value_enum", "不是允许的取值，应为：脱贫不稳定户、边缘易致贫户、突发严重困难户",
         "not an allowed value; the column takes one of 3 fixed values (listed in the Chinese reason)"),
        (file, 3, "风险类型", "因病、因懒,因赌", "monitoring_risk_unknown",
         "风险类型含不允许的取值“因懒、因赌”，应为以下一项或多项（以、或,分隔）：因病、因学、因残、因灾、因意外事故、"
         "因产业项目失败、因务工就业不稳、因人口变化、其他",
         "the risk types hold a value that is not allowed; give one or more of the 9 risk types (listed in the "
         "Chinese reason), separated by commas"),
        (file, 4, "认定日期", None, "value_required", "必填项为空", "a required value is empty"),
        (file, 5, "风险消除日期", "2022-05-01", "monitoring_dates_order",
         "日期先后不对：风险消除日期应晚于认定日期 2022-05-01",
         "the dates are in the wrong order: the clearing date must be after the identification date 2022-05-01"),
        (file, 6, "发现日期", "2024-03-17", "monitoring_dates_order",
         "日期先后不对：发现日期不能晚于认定日期 2024-03-16",
         "the dates are in the wrong order: the lead cannot be found after the identification date 2024-03-16"),
        (file, 7, "认定日期", "2024-04-20", "monitoring_overlap", "同一户的监测期重叠：户编号 E01（J08）",
         "monitoring episodes of one household overlap: household E01 (J08)"),
        (file, 8, "户编号", "X99", "monitoring_household_missing", "户编号在贫困户表中不存在",
         "household_id is not in the households file"),
        (file, 9, "认定日期", "2025-05-10", "monitoring_overlap", "同一户的监测期重叠：户编号 E01（J06）",
         "monitoring episodes of one household overlap: household E01 (J06)"),
    ]


def test_a_cleared_episode_overlaps_a_later_one_identified_before_its_clearing(package, loaded_db):
    # J02 (M01) identified 2024-09-29, the day before J01 was cleared (2024-09-30): both rows named
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J02", "认定日期", "2024-09-29"))
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J02", "发现日期", ""))
    problems = rejected(package, loaded_db)
    assert [p[:5] for p in errors(problems)] == [
        ("防返贫监测对象.csv", 2, "认定日期", "2024-01-05", "monitoring_overlap"),
        ("防返贫监测对象.csv", 3, "认定日期", "2024-09-29", "monitoring_overlap"),
    ]
    # identified on the very day the previous episode was cleared: no overlap, the package loads
    edit_csv(package, *set_cell("防返贫监测对象", "监测编号", "J02", "认定日期", "2024-09-30"))
    load_tables(package, loaded_db)


def test_a_registered_household_needs_its_category_and_cause_an_edge_household_does_not(package, loaded_db):
    edit_csv(package, *set_cell("贫困户", "户编号", "M02", "贫困户属性", ""))
    edit_csv(package, *set_cell("贫困户", "户编号", "M03", "主要致贫原因", " "))
    problems = rejected(package, loaded_db)
    reason = ("建档立卡户（有“识别纳入”记录）必须填写此项",
              "a registered household (one with an identification event) needs this value")
    assert errors(problems) == [
        ("贫困户.csv", 3, "贫困户属性", None, "households_registered_attribute_missing", *reason),
        ("贫困户.csv", 4, "主要致贫原因", None, "households_registered_attribute_missing", *reason),
    ]


def test_without_monitoring_every_household_must_be_registered(tmp_path):
    """A registry package (no monitoring episodes) still refuses a household without 识别纳入; with
    monitoring episodes the same household is an edge household and loads."""
    package = copy_package(TINY, tmp_path / "pkg")
    edit_csv(package, "动态管理记录", lambda rows: [r for r in rows if r["户编号"] != "H6"])
    with pytest.raises(LoadFailed) as info:
        load_tables(package, tmp_path / "a.duckdb")
    assert [p[:4] for p in errors(info.value.problems, "households_never_identified")] == [
        ("贫困户.csv", 7, "户编号", "H6")]
    # an empty monitoring file (header only) is no monitoring data either
    (package / "防返贫监测对象.csv").write_text(
        "监测编号,户编号,监测对象类别,风险类型,线索来源,发现日期,认定日期,风险消除日期,备注\n", encoding="utf-8")
    with pytest.raises(LoadFailed) as info:
        load_tables(package, tmp_path / "b.duckdb")
    assert [p[:4] for p in errors(info.value.problems, "households_never_identified")] == [
        ("贫困户.csv", 7, "户编号", "H6")]
    (package / "防返贫监测对象.csv").write_text(
        "监测编号,户编号,监测对象类别,风险类型,线索来源,发现日期,认定日期,风险消除日期,备注\n"
        "J1,H1,脱贫不稳定户,因病,,,2022-03-01,,\n", encoding="utf-8")
    load_tables(package, tmp_path / "c.duckdb")


def test_edge_households_count_in_no_registry_figure(loaded_db):
    """E01–E03 (never registered, 7 members) load; the registry holds M01–M07 only (17 people)."""
    with Database(loaded_db) as db:
        row = db.query("registry_summary", as_of="2024-06-30").iloc[0]
        assert (row.households_registered, row.people_registered, row.households_exited, row.people_exited,
                row.households_poor) == (7, 17, 7, 17, 0)
        by_category = db.query("registry_by", as_of="2024-06-30", dimension="category")
        assert by_category.households_registered.tolist() == [5, 1, 1]
        assert by_category.people_registered.tolist() == [14, 2, 1]  # M01 4 + M03 3 + M04 3 + M05 2 + M06 2; M02; M07
        assert db.query("quality_households_without_members", as_of="2024-06-30").empty
        village = db.query("village_households", village="532999100001", as_of="2024-06-30")
        assert village.household_id.tolist() == ["M01", "M02", "M07"]
        flows = db.query("flows_reconciliation", start="2014-01-01", end="2025-12-31")
        assert flows.all_reconciled.all()
        assert db.connection.execute(
            "select household_id, person_id, valid_from from member_spans where household_id like 'E%' "
            "order by person_id limit 2").fetchall() == [
            ("E01", "P081", __import__("datetime").date(1, 1, 1)), ("E01", "P082", __import__("datetime").date(1, 1, 1))]


def test_household_years_after_2020_and_linkage_funds_load(loaded_db):
    with Database(loaded_db) as db:
        years = db.connection.execute(
            "select min(year), max(year), count(*) from household_year").fetchone()
        assert years == (2021, 2025, 12)
        sources = db.query("funds_by", as_of="2024-12-31", year=2024, dimension="source")
        assert [(g, float(a), float(s)) for g, a, s in zip(sources.group, sources.allocated, sources.spent, strict=True)] == [
            ("中央财政衔接推进乡村振兴补助资金", 100000.0, 80000.0),
            ("县级财政衔接推进乡村振兴补助资金", 20000.0, 0.0),  # written 县级衔接资金 (an alias)
        ]


def test_linkage_funds_written_without_级_are_the_same_source(package, tmp_path):
    """中央/省/市/县财政衔接推进乡村振兴补助资金: 县财政… is read as 县级财政衔接推进乡村振兴补助资金."""
    edit_csv(package, *set_cell("资金明细", "记录编号", "F02", "资金来源", "县财政衔接推进乡村振兴补助资金"))
    db = tmp_path / "f.duckdb"
    load_tables(package, db)
    with Database(db) as opened:
        sources = opened.query("funds_by", as_of="2024-12-31", year=2024, dimension="source")
        assert sources.group.tolist() == ["中央财政衔接推进乡村振兴补助资金", "县级财政衔接推进乡村振兴补助资金"]


@pytest.mark.parametrize("form", ["english", "xlsx"])
def test_the_monitoring_package_loads_with_english_names_and_headers_and_as_xlsx(tmp_path, form):
    """The same figures from 防返贫监测对象.csv, from MONITORING.CSV with English headers (columns in reverse
    order), and from XLSX workbooks with real date cells and a title row."""
    convert = to_english if form == "english" else to_xlsx
    package = convert(MONITORING, tmp_path / form)
    assert (package / ("MONITORING.CSV" if form == "english" else "防返贫监测对象.xlsx")).exists() or \
        (package / "MONITORING.csv").exists()
    db = tmp_path / "x.duckdb"
    load_tables(package, db)
    with Database(db) as opened:
        row = opened.query("monitoring_summary", as_of="2025-06-30").iloc[0]
        assert (row.households_identified, row.people_identified, row.households_at_risk, row.people_at_risk,
                row.households_cleared, row.people_cleared) == (7, 18, 4, 10, 3, 8)
        risks = opened.connection.execute(
            "select cast(risks as varchar[]) from monitoring_episodes where monitoring_id in ('J02', 'J06') "
            "order by monitoring_id").fetchall()
        assert risks == [(["因病", "因学"],), (["因病", "因意外事故"],)]


# --- the monitoring thresholds (data/reference/monitoring_thresholds.csv) ------------------------------

def test_the_shipped_thresholds_load_with_the_yunnan_examples(loaded_db):
    with Database(loaded_db) as db:
        rows = db.connection.execute(
            "select year, region_code, threshold, note from monitoring_thresholds "
            "where region_code = '530000000000' order by year").fetchall()
        assert [(y, r, float(t)) for y, r, t, _ in rows] == [(2024, "530000000000", 8700.0),
                                                             (2025, "530000000000", 8700.0)]
        assert all("云南省" in note and "source" in note for *_, note in rows)


def test_a_bad_threshold_row_stops_the_load_with_its_row_and_column(package, loaded_db, tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    shutil.copytree(etl.load.REFERENCE_DIR, reference)
    path = reference / "monitoring_thresholds.csv"
    shipped = len(path.read_text(encoding="utf-8").splitlines())
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([
            ["20x5", "530000000000", "9000", "年度写错"],
            ["2026", "5300", "9000", "区划代码太短"],
            ["2026", "530102001000", "9000", "乡镇代码"],
            ["2026", "", "-5", "负数"],
            ["2026", "", "九千", "不是数字"],
            ["2024", "530000000000", "9100", "重复"],
        ])
    monkeypatch.setattr(etl.load, "REFERENCE_DIR", reference)
    problems = rejected(package, loaded_db)
    region = ("区划代码应为省、市或县的 12 位代码（如 530000000000），或留空表示全部地区",
              "the region must be the 12-digit code of a province, city or county (e.g. 530000000000), or "
              "empty for everywhere")
    amount = ("监测范围应为大于 0 的金额（元/人·年）", "the threshold must be an amount in yuan per person-year above 0")
    assert [(p.file, p.row_number, p.column, p.value, p.check_name, p.message_zh, p.message_en)
            for p in problems] == [
        (str(path), shipped + 1, "year", "20x5", "threshold_year", "年度应为 2000–2100 之间的整数",
         "the year must be a whole number from 2000 to 2100"),
        (str(path), shipped + 2, "region_code", "5300", "threshold_region", *region),
        (str(path), shipped + 3, "region_code", "530102001000", "threshold_region", *region),
        (str(path), shipped + 4, "threshold", "-5", "threshold_amount", *amount),
        (str(path), shipped + 5, "threshold", "九千", "threshold_amount", *amount),
        (str(path), shipped + 6, "region_code", "530000000000", "threshold_duplicate",
         "同一年度、同一区划的监测范围出现多次", "the same year and region appear more than once"),
    ]


def test_the_deepest_threshold_covering_a_village_applies(package, tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    shutil.copytree(etl.load.REFERENCE_DIR, reference)
    with open(reference / "monitoring_thresholds.csv", "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([
            ["2024", "", "5000", "everywhere"],
            ["2024", "532900000000", "9000", "the fixture's 市"],
            ["2024", "532999000000", "9500", "the fixture's 县"],
            ["2023", "", "6000", "everywhere"],
            ["2023", "532900000000", "7000", "the fixture's 市"],
        ])
    monkeypatch.setattr(etl.load, "REFERENCE_DIR", reference)
    db = tmp_path / "t.duckdb"
    load_tables(package, db)
    with Database(db) as opened:
        rows = opened.connection.execute(
            "select year, threshold, threshold_region, count(*) from monitoring_village_thresholds "
            "group by all order by year").fetchall()
        assert [(y, float(t), r, n) for y, t, r, n in rows] == [
            (2023, 7000.0, "532900000000", 3), (2024, 9500.0, "532999000000", 3), (2025, 8700.0, "530000000000", 3)]
        # 2023 now has a threshold: M03's 5,000元 per person is judged (below 7,000) besides its water
        gaps = opened.query("monitoring_gaps", year=2023, as_of="2023-12-31")
        assert [(h, float(t), list(f)) for h, t, f in zip(gaps.household_id, gaps.threshold, gaps.failing, strict=True)] == [
            ("M03", 7000.0, ["income", "water"])]


def test_an_unreadable_threshold_file_is_named(package, loaded_db, tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    shutil.copytree(etl.load.REFERENCE_DIR, reference)
    (reference / "monitoring_thresholds.csv").write_text("year,threshold\n2024,8700\n", encoding="utf-8")
    monkeypatch.setattr(etl.load, "REFERENCE_DIR", reference)
    problems = rejected(package, loaded_db)
    assert [(p.row_number, p.check_name, p.message_en) for p in problems] == [
        (1, "threshold_columns", "the monitoring threshold table's header must be year,region_code,threshold,note")]
