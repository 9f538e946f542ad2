"""One definition of the default database: data/tuopin.duckdb in the repository, unless TUOPIN_DB
names another file. The dashboard, `python -m etl`, `python -m queries`, `python -m access` and the
query benchmark all take it from common/paths.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from common.paths import default_db_path
from tests.conftest import ROOT, TINY


def test_default_db_path(monkeypatch, tmp_path):
    monkeypatch.delenv("TUOPIN_DB", raising=False)
    assert default_db_path() == ROOT / "data" / "tuopin.duckdb"
    monkeypatch.setenv("TUOPIN_DB", str(tmp_path / "county.duckdb"))
    assert default_db_path() == tmp_path / "county.duckdb"
    monkeypatch.setenv("TUOPIN_DB", "")
    assert default_db_path() == ROOT / "data" / "tuopin.duckdb"


def test_the_dashboard_uses_it(monkeypatch, tmp_path):
    from ui import data

    monkeypatch.setenv("TUOPIN_DB", str(tmp_path / "county.duckdb"))
    assert data.db_path() == default_db_path() == tmp_path / "county.duckdb"


def run(module: str, *args: str, db) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TUOPIN_DB"} | {"TUOPIN_DB": str(db), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=db.parent, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_command_lines_honour_tuopin_db(tmp_path):
    """Run from another folder with TUOPIN_DB set and no --db: etl loads into it (not into a data/
    folder under the working directory), queries and access read it."""
    db = tmp_path / "county.duckdb"
    loaded = run("etl", "load", str(TINY), "--quiet", db=db)
    assert loaded.returncode == 0, loaded.stderr
    assert db.is_file() and not (tmp_path / "data").exists()
    answered = run("queries", "registry_summary", "--as_of", "2019-12-31", "--region", "430101000000",
                   "--format", "json", db=db)
    assert answered.returncode == 0, answered.stderr
    assert '"households_registered":4' in answered.stdout.replace(" ", "")
    listed = run("access", "list", db=db)
    assert listed.returncode == 0, listed.stderr + listed.stdout
    assert (tmp_path / "county.accounts.sqlite").is_file()  # the store beside TUOPIN_DB


def test_no_other_module_defines_the_default():
    """The default database's path is written as a value only in common/paths.py."""
    found = []
    for folder in ("etl", "queries", "ui", "access", "pages", "bench", "common", "scripts", "dashboard.py"):
        for path in [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                code = line.split("#", 1)[0]
                if re.search(r"""["']data["']\s*/\s*["']tuopin\.duckdb["']|["']data/tuopin\.duckdb["']""", code) \
                        and path != ROOT / "common" / "paths.py":
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
