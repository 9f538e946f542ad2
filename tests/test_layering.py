"""Who may import whom (README, Layout): no import cycle among the ui modules (function-level imports
count too), every ui module imports on its own in a fresh interpreter, the UI reaches the loader only
through etl/service.py, and helpers everybody uses live in common/, not in etl or ui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

UI_MODULES = sorted(f"ui.{p.stem}" for p in (ROOT / "ui").glob("*.py") if p.stem != "__init__")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function ("from ui import data" → ui.data)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def ui_graph() -> dict[str, set[str]]:
    return {name: {m for m in imported_modules(ROOT / "ui" / f"{name[3:]}.py") if m in UI_MODULES} - {name}
            for name in UI_MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def visit(node, path):
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, path + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_the_ui_modules_import_no_cycle():
    assert cycles(ui_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_data_access_does_not_depend_on_the_signed_in_session():
    """ui/data.py opens and caches; the scoped, audited query (ui/scoped.py) is built on it."""
    graph = ui_graph()
    assert "ui.session" not in graph["ui.data"] and "ui.scoped" not in graph["ui.data"]
    assert {"ui.data", "ui.session"} <= graph["ui.scoped"]


@pytest.mark.parametrize("module", UI_MODULES)
def test_each_ui_module_imports_in_a_fresh_interpreter(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def front_end_files() -> list[Path]:
    return [ROOT / "dashboard.py", *sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]


def test_the_ui_reaches_the_loader_only_through_etl_service():
    def elsewhere(module: str) -> bool:
        return module.split(".")[0] == "etl" and module != "etl" and module.split(".")[1] != "service"

    reaching = {str(path.relative_to(ROOT)): sorted(filter(elsewhere, imported_modules(path)))
                for path in front_end_files()}
    assert {path: modules for path, modules in reaching.items() if modules} == {}


def test_shared_helpers_live_in_common():
    from common.cells import neutralise
    from common.masking import mask_id, mask_name

    assert neutralise("=1+1") == "'=1+1" and neutralise("-3.5") == "-3.5"
    # the rule of queries/shared/macros.sql
    assert [mask_name(n) for n in ("张三丰", "张三", "张", None)] == ["张*丰", "张*", "*", None]
    assert [mask_id(i) for i in ("430101196505050011", "12345", None)] == ["430101********0011", "*****", None]
    assert not (ROOT / "etl" / "safe_cells.py").exists()
    users = [str(path.relative_to(ROOT)) for path in [*front_end_files(), *(ROOT / "etl").glob("*.py"),
                                                      *(ROOT / "tests").glob("*.py")]
             if "etl.safe_cells" in imported_modules(path)]
    assert users == []


def test_the_python_masking_rule_is_the_sql_rule(tiny_db_path):
    """One rule: common/masking.py answers as queries/shared/macros.sql does, value for value."""
    import duckdb

    from common.masking import mask_id, mask_name
    from queries import QUERIES_DIR

    con = duckdb.connect(str(tiny_db_path), read_only=True)  # the macros file may refer to the tables
    con.execute((QUERIES_DIR / "shared" / "macros.sql").read_text(encoding="utf-8"))
    for value in ["张三丰", "张三", "张", "", "欧阳娜娜", "430101196505050011", "43010119650505001X",
                  "12345678901234", "123456789012345", "ab", None]:
        assert con.execute("select mask_name(?), mask_id(?)", [value, value]).fetchone() == (
            mask_name(value), mask_id(value)), value
