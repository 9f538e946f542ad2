"""The same package as a folder, .zip, XLSX, XLS (Excel 97–2003), GB18030 / UTF-8-BOM CSV and English
headers loads to identical tables (data contract: every form is the same data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl.contract import contract
from tests.conftest import FIXTURES, TINY
from tests.packages import load_tables, to_english, to_gb18030, to_utf8_bom, to_xlsx, to_zip

COMPARED_TABLES = [f.table for f in contract().files] + [
    "region_closure", "household_status_spans", "member_spans", "person_status_spans", "village_year_spans",
    "boundaries",
]


def differing_rows(db_a, db_b, table: str) -> int:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{db_a}' as a (read_only)")
        con.execute(f"attach '{db_b}' as b (read_only)")
        # symmetric difference, duplicates counted (except all)
        sql = (f"select count(*) from ((select * from a.{table} except all select * from b.{table}) "
               f"union all (select * from b.{table} except all select * from a.{table}))")
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def row_count(db, table: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


VARIANTS = {
    "zip": lambda src, tmp: to_zip(src, tmp / "package.zip"),
    "zip_flat": lambda src, tmp: to_zip(src, tmp / "flat.zip", folder_inside=None),
    "xlsx": lambda src, tmp: to_xlsx(src, tmp / "xlsx"),
    "xls": lambda src, tmp: to_xls(src, tmp / "xls"),
    "gb18030": lambda src, tmp: to_gb18030(src, tmp / "gb18030"),
    "utf8_bom": lambda src, tmp: to_utf8_bom(src, tmp / "bom"),
    "english": lambda src, tmp: to_english(src, tmp / "english"),
}


def to_xls(source: Path, target: Path) -> Path:
    """The tiny package as Excel 97–2003 workbooks, as older county systems export them: the committed
    tests/fixtures/tiny_xls/*.xls (title row, date and number cells; tests/fixtures/make_xls.py wrote
    them from the tiny CSVs) in place of the CSV files."""
    assert source == TINY  # the .xls files are the tiny package's
    shutil.copytree(FIXTURES / "tiny_xls", target)
    stems = {p.stem for p in target.glob("*.xls")}
    assert stems == {p.stem for p in TINY.glob("*.csv")}  # every file of the package, none left as CSV
    for path in TINY.iterdir():
        if path.suffix != ".csv":
            shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="module")
def reference_tiny(tmp_path_factory):
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    load_tables(TINY, db)
    return db


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_tiny_in_every_form_loads_identically(variant, reference_tiny, tmp_path):
    package = VARIANTS[variant](TINY, tmp_path)
    db = tmp_path / "v.duckdb"
    load_tables(package, db)
    assert row_count(db, "members") == 17
    assert row_count(db, "events") == 13
    for table in COMPARED_TABLES:
        assert differing_rows(reference_tiny, db, table) == 0, f"{variant}: {table} differs"


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["zip", "xlsx", "gb18030", "english"])
def test_demo_in_every_form_loads_identically(variant, demo_package, demo_db_path, tmp_path):
    package = VARIANTS[variant](demo_package, tmp_path)
    db = tmp_path / "v.duckdb"
    load_tables(package, db)
    for table in COMPARED_TABLES:
        assert differing_rows(demo_db_path, db, table) == 0, f"{variant}: {table} differs"
    assert row_count(db, "households") == row_count(demo_db_path, "households")


def test_value_formats_of_the_contract(tmp_path):
    """Dates, bools and money in every listed spelling type to the same values."""
    from tests.packages import copy_package, edit_csv

    package = copy_package(TINY, tmp_path / "pkg")

    def respell_events(rows):
        spellings = ["2014/5/1", "2014年05月01日", "20140501", "2014-05-01"]
        for i, row in enumerate(r for r in rows if r["变动日期"] == "2014-05-01"):
            row["变动日期"] = spellings[i % len(spellings)]
        return rows

    def respell_village_year(rows):
        words = {"是": ["Y", "1", "true", "是"], "否": ["N", "0", "false", "否"]}
        for i, row in enumerate(rows):
            for key in ("通硬化路", "通动力电", "安全饮水"):
                row[key] = words[row[key]][i % 4]
            row["村集体经济收入"] = f"{int(row['村集体经济收入']):,}"
        return rows

    edit_csv(package, "动态管理记录", respell_events)
    edit_csv(package, "村年度情况", respell_village_year)
    reference, db = tmp_path / "ref.duckdb", tmp_path / "v.duckdb"
    load_tables(TINY, reference)
    load_tables(package, db)
    for table in ("events", "village_year", "household_status_spans"):
        assert differing_rows(reference, db, table) == 0, table
