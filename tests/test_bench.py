"""The query benchmark keeps working as the catalog grows: every query gets parameters it accepts, and
the pandas baseline it compares against computes the same registry figures as the SQL.

The figures themselves are printed by bench/bench_queries.py, never asserted (budgets live there)."""

from __future__ import annotations

import re
import subprocess
import sys

from queries import catalog
from tests.conftest import ROOT


def test_query_benchmark_runs_every_catalog_query(township_db_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_queries.py"), "--db", str(township_db_path), "--repeat", "1"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    timed = dict(re.findall(r"^  (\w+)\s+([\d.]+) ms", result.stdout, flags=re.MULTILINE))
    assert set(catalog()) <= set(timed)
    assert re.search(rf"^  \d+ of {len(catalog())} queries under budget", result.stdout, flags=re.MULTILINE)
    assert "pandas and SQL registry_summary agree: True" in result.stdout


def test_cold_views_benchmark_asks_what_the_overview_declares(township_db_path):
    # bench/cold_views.py prints the statements and CPU of overview views nobody asked for; each view after
    # the first runs at least the date's own queries (the tiles, the villages, the reconciliation, …)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cold_views.py"), "--db", str(township_db_path), "--dates", "3",
         "--townships", "1"], capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    statements = re.search(r"^statements per view\s+(\d+) \(min (\d+), max (\d+)\)", result.stdout, flags=re.MULTILINE)
    assert statements and int(statements.group(2)) >= 5, result.stdout
    assert re.search(r"^thread CPU per view\s+median [\d.]+ ms", result.stdout, flags=re.MULTILINE), result.stdout


def test_query_rows_benchmark_compares_every_dated_query(township_db_path):
    # bench/bench_query_rows.py: a year's quarter ends in one statement against four, for every query that
    # takes a date; both ways must agree on the township package
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_query_rows.py"), "--db", str(township_db_path),
         "--rounds", "1"], capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"^  (\w+)\s+(\d+) ms\s+(\d+) ms\s+([\d.]+)\s+(yes|NO)", result.stdout, flags=re.MULTILINE)
    dated = {n for n, q in catalog().items() if any(p.name == "as_of" for p in q.params) and not q.personal}
    assert {row[0] for row in rows} == dated
    assert all(row[4] == "yes" for row in rows), result.stdout
