"""Personal data at rest: every file the product writes is readable by its owner only (0600, folders
0700) even under the usual umask 022, and the rejects report masks names and ID numbers as the pages
do and is gone after a successful load."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest

from access import Store, default_path
from etl.load import LoadFailed, load_package
from tests.conftest import TINY
from tests.packages import copy_package, edit_csv

# tests/fixtures/tiny: P2 王秀英 430101196706060021 (row 3 of 家庭成员.csv); H2's head 钱二妹 (row 3 of 贫困户.csv)
FULL_NAMES = ("王秀英", "钱二妹", "赵大山")
FULL_IDS = ("430101196706060021", "430101197001010029", "430101196505050011")


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask most servers run with: files 0644 and folders 0755 unless the product says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def hostile(tmp_path: Path) -> Path:
    """The tiny package with three problems that quote personal data: an ID number failing its check
    digit (a warning, value = the full number), a head's name differing from the members file (a
    warning quoting the member's full name) and an unknown relation (the error that refuses the load)."""
    package = copy_package(TINY, tmp_path / "bad")

    def members(rows):
        rows[1]["证件号码"] = "430101196706060020"  # P2: check digit should be 1
        rows[2]["健康状况"] = "很好"  # P3: not a value of the contract's 健康状况
        return rows

    def households(rows):
        rows[1]["户主姓名"] = "钱三妹"  # H2: the members file says 钱二妹
        return rows

    edit_csv(package, "家庭成员", members)
    edit_csv(package, "贫困户", households)
    return package


def test_every_data_file_and_folder_is_private(tmp_path):
    from ui.data import db_version, serving_path

    db = tmp_path / "srv" / "county.duckdb"  # the loader creates the folder
    load_package(TINY, db)
    load_package(TINY, db)  # the first database becomes a backup
    with pytest.raises(LoadFailed) as failed:
        load_package(hostile(tmp_path), db)
    store = Store(default_path(db))
    store.add("admin", "a long enough password", "admin", "430101000000")
    store.audit(None, "test", None, "an audit entry")
    os.environ["TUOPIN_DB"] = str(db)
    try:
        link = serving_path(db_version())  # the dashboard's link to the generation it serves
    finally:
        del os.environ["TUOPIN_DB"]

    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600
    assert mode(link.parent) == 0o700 and mode(link) == 0o600
    backups = db.parent / "backups"
    assert mode(backups) == 0o700
    assert [mode(p) for p in backups.iterdir()] == [0o600]
    assert [mode(p) for p in failed.value.rejects] == [0o600, 0o600]
    assert mode(default_path(db)) == 0o600
    others = [p for p in db.parent.rglob("*") if mode(p) & 0o077]
    assert others == [], f"readable by others: {others}"


def test_a_folder_import_writes_private_files_too(tmp_path):
    from ui.importing import Upload, import_uploads

    db = tmp_path / "uploads" / "county.duckdb"
    uploads = [Upload(path.name, path.read_bytes()) for path in sorted(TINY.iterdir()) if path.is_file()]
    assert import_uploads(uploads, db).ok
    assert mode(db.parent) == 0o700 and mode(db) == 0o600
    others = [p for p in db.parent.rglob("*") if mode(p) & 0o077]
    assert others == [], f"readable by others: {others}"


def test_the_rejects_report_masks_names_and_id_numbers(tmp_path):
    db = tmp_path / "data" / "county.duckdb"
    load_package(TINY, db)
    with pytest.raises(LoadFailed) as failed:
        load_package(hostile(tmp_path), db)
    csv_path, xlsx_path = failed.value.rejects
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    text = csv_path.read_text(encoding="utf-8-sig")
    for secret in (*FULL_IDS, "430101196706060020", "王秀英", "钱二妹", "钱三妹"):
        assert secret not in text, secret
    # row number and masked value are enough to find the cell (the rule of queries/shared/macros.sql)
    by_check = {row[5]: row for row in rows[1:]}
    assert by_check["id_number_checksum"][1:5] == ["家庭成员.csv", "3", "证件号码", "430101********0020"]
    mismatch = by_check["households_head_mismatch"]
    assert mismatch[1:5] == ["贫困户.csv", "3", "户主姓名", "钱*妹"]
    assert mismatch[6] == "户主姓名或证件号码与家庭成员表中的户主不一致（成员表：钱*妹）"
    assert mismatch[7] == "head name or ID differs from the household's head in the members file (members: 钱*妹)"
    assert by_check["value_enum"][1:5] == ["家庭成员.csv", "4", "健康状况", "很好"]  # not personal: as written

    from python_calamine import CalamineWorkbook

    cells = [str(c) for row in CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0).to_python()
             for c in row]
    assert "430101********0020" in cells and "钱*妹" in cells
    assert not [c for c in cells if any(secret in c for secret in (*FULL_IDS, "430101196706060020", "钱三妹"))]


def test_a_successful_load_removes_the_report(tmp_path):
    db = tmp_path / "data" / "county.duckdb"
    load_package(TINY, db)
    with pytest.raises(LoadFailed) as failed:
        load_package(hostile(tmp_path), db)
    assert all(path.exists() for path in failed.value.rejects)
    warned = copy_package(TINY, tmp_path / "warned")  # loads, with an ID check-digit warning

    def members(rows):
        rows[1]["证件号码"] = "430101196706060020"
        return rows

    edit_csv(warned, "家庭成员", members)
    result = load_package(warned, db)
    assert [p.check_name for p in result.problems] == ["id_number_checksum"]  # kept in the database
    assert not any(path.exists() for path in failed.value.rejects)
    assert sorted(p.name for p in db.parent.glob("*rejects*")) == []


def test_the_first_start_makes_an_older_deployments_files_private(tmp_path, monkeypatch, navigation_apptest):
    """Files written before they were created private (0644, folders 0755) are made owner-only when
    the dashboard starts."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    db = tmp_path / "srv" / "county.duckdb"
    load_package(TINY, db)
    load_package(TINY, db)
    with pytest.raises(LoadFailed):
        load_package(hostile(tmp_path), db)
    accounts = tmp_path / "accounts.sqlite"  # TUOPIN_ACCOUNTS of the navigation_apptest fixture
    Store(accounts).add("old-admin", "a long enough password", "admin", "430101000000")
    legacy = [p for p in db.parent.rglob("*")] + [accounts]
    for path in legacy:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert mode(accounts) == 0o600
    others = [p for p in db.parent.rglob("*") if mode(p) & 0o077]
    assert others == [], f"readable by others: {others}"


def test_the_command_line_points_to_the_warnings_kept_in_the_database(tmp_path):
    """No report file after a load that passed: the command line says where the warnings it did not
    print are (the database's load_problems, masked by the quality_load_problems query)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    warned = copy_package(TINY, tmp_path / "warned")

    def members(rows):
        rows[1]["证件号码"] = "430101196706060020"
        return rows

    edit_csv(warned, "家庭成员", members)
    db = tmp_path / "data" / "county.duckdb"
    done = subprocess.run([sys.executable, "-m", "etl", "load", str(warned), "--db", str(db), "--quiet",
                           "--show-warnings", "0"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"python -m queries quality_load_problems --db {db}" in done.stdout
    assert "430101196706060020" not in done.stdout
    assert not list(db.parent.glob("*rejects*"))
