"""A load killed midway (SIGKILL) leaves the previous database serving; the next load cleans up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from etl.load import WORK_PREFIX, load_package
from queries import Database
from tests.conftest import ROOT, TINY


@pytest.mark.slow
def test_sigkill_during_load_keeps_the_old_database(tmp_path, demo_package):
    db = tmp_path / "tuopin.duckdb"
    load_package(TINY, db)
    before = db.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(demo_package), "--db", str(db), "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(WORK_PREFIX) for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline, "the load never started"
        time.sleep(0.02)
    time.sleep(0.5)  # well inside reading/validating the demo county
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert db.read_bytes() == before
    with Database(db) as opened:
        row = opened.query("registry_summary", as_of="2019-12-31").iloc[0]
    assert (row.households_registered, row.people_registered) == (4, 10)
    assert any(p.name.startswith(WORK_PREFIX) for p in tmp_path.iterdir())  # the killed load's leftovers

    load_package(TINY, db)  # the next load removes work folders of dead processes
    assert not any(p.name.startswith(WORK_PREFIX) for p in tmp_path.iterdir())


def test_a_quote_in_the_folder_names_loads(tmp_path):
    """Paths reach SQL as bound values: a folder named like O'Brien's holds the package and the database."""
    from tests.packages import copy_package

    folder = tmp_path / "O'Brien's data"
    package = copy_package(TINY, folder / "县's package")
    result = load_package(package, folder / "tuopin's.duckdb")
    assert result.rows["members"] == 17
    with duckdb.connect(str(folder / "tuopin's.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from households").fetchone() == (6,)
