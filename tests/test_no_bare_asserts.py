"""Validation survives `python -O`: the product's code checks with real errors, not `assert`
statements (which -O removes)."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

PRODUCT = ("etl", "queries", "ui", "access", "pages", "common", "dashboard.py")


def test_no_assert_statement_in_product_code():
    found = []
    for name in PRODUCT:
        paths = [ROOT / name] if name.endswith(".py") else sorted((ROOT / name).rglob("*.py"))
        for path in paths:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Assert):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def run_optimised(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-O", "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_a_check_file_with_a_broken_header_is_refused_under_python_O(tmp_path):
    bad = tmp_path / "some_check.sql"
    bad.write_text("-- check:    other_name\n-- severity: fatal\n-- zh:       问题\n-- en:       problem\nselect 1\n",
                   encoding="utf-8")
    done = run_optimised(f"from pathlib import Path\nfrom etl.validate import parse_check\nparse_check(Path({str(bad)!r}))")
    assert done.returncode == 1
    assert "ValueError: some_check.sql: check name other_name differs from the file name" in done.stderr
    bad.write_text("-- check:    some_check\n-- severity: fatal\n-- zh:       问题\n-- en:       problem\nselect 1\n",
                   encoding="utf-8")
    done = run_optimised(f"from pathlib import Path\nfrom etl.validate import parse_check\nparse_check(Path({str(bad)!r}))")
    assert "ValueError: some_check.sql: severity must be error or warning, not 'fatal'" in done.stderr
    bad.write_text("-- check:    some_check\nselect 1\n", encoding="utf-8")
    done = run_optimised(f"from pathlib import Path\nfrom etl.validate import parse_check\nparse_check(Path({str(bad)!r}))")
    assert "ValueError: some_check.sql: the header lacks en, severity, zh" in done.stderr


def test_an_identifier_outside_the_contract_is_refused_under_python_O():
    done = run_optimised("from etl.validate import _ident\n_ident('x\"; drop table households; --')")
    assert done.returncode == 1
    assert "ValueError: not an identifier of the contract: " in done.stderr


def test_a_schema_whose_file_comment_names_another_table_is_refused_under_python_O():
    code = ("import etl.contract as c\n"
            "sql = c.SCHEMA_PATH.read_text(encoding='utf-8')\n"
            "c.parse_schema(sql.replace('create table households (', 'create table households_x (', 1))\n")
    done = run_optimised(code)
    assert done.returncode == 1
    assert "ValueError: schema.sql: the file comment of households precedes table households_x" in done.stderr
