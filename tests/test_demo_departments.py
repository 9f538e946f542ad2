"""The demo county's 部门数据比对 (etl/demo/departments.py): a year of department records, several hundred,
a few from households monitored that day, some matching nobody, and verifications for most warnings —
every one of which names a warning of the package (no load warning), loaded by the real loader."""

from __future__ import annotations

import csv

import pytest

from etl.load import load_package
from queries import Database

pytestmark = pytest.mark.slow  # generates the demo county


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def loaded(demo_package, tmp_path_factory):
    db = tmp_path_factory.mktemp("demo_departments") / "demo.duckdb"
    result = load_package(demo_package, db, demo=True)
    with Database(db) as database:
        yield result, database


def test_a_year_of_records_and_verifications_for_most_warnings(demo_package, loaded):
    result, db = loaded
    records = rows(demo_package / "部门比对数据.csv")
    assert len(records) == 400
    assert min(r["日期"] for r in records) >= "2025-12-01" and max(r["日期"] for r in records) <= "2026-11-30"
    assert {r["部门"] for r in records} == {"医保", "教育", "民政", "住建", "残联", "公安", "人社"}
    assert not [p for p in result.problems if p.table in ("department_records", "verifications")]
    unmatched = db.query("quality_department_records_unmatched", as_of="2026-11-30")
    assert 10 <= len(unmatched) <= 40 and unmatched.records.iloc[0] == len(unmatched)
    warnings = db.query("department_warnings", start="2025-12-01", end="2026-11-30", rules="city_fixed_10k_26k")
    assert 200 <= len(warnings) <= 400
    verified = warnings[~warnings.is_open]
    assert len(verified) > 0.7 * len(warnings)  # most are verified …
    assert 0 < int(warnings.is_open.sum()) < 0.3 * len(warnings)  # … some are still open
    assert set(verified.status) == {"已纳入监测", "已在监测", "排除"}
    assert 5 <= int(warnings.was_monitored_on_record_date.sum()) <= 40  # a few hit monitored households
    overdue = db.query("department_warnings_overdue", as_of="2026-11-30", rules="city_fixed_10k_26k").iloc[0]
    assert overdue.overdue_warnings > 0
