"""The repository stands on its own: the suite reads no file outside the repository root.

A clone into an empty folder must pass the tests, so every package, fixture or data path the tests
(and the benchmarks and scripts they run) name has to resolve inside ROOT. Two checks:
- every Path a test, bench or script module holds at module level, and every package handed to
  build_db / load_package / write_… in the test code whose argument is built from module-level names,
  resolves inside ROOT and exists;
- no source file reaches past the root by name (the root's parent folder, a sibling folder of shared
  documents or an environment variable pointing at one).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, PACKAGES, ROOT

MODULE_DIRS = ("tests", "bench", "scripts")
LOADERS = {"build_db", "load_package", "load"}


def modules() -> list[Path]:
    return sorted(p for folder in MODULE_DIRS for p in (ROOT / folder).glob("*.py") if p.name != "__init__.py")


def paths_in(value, depth: int = 0):
    """The Path values a module-level value holds (looking one level into dicts, lists, tuples, sets)."""
    if isinstance(value, Path):
        yield value
    elif depth == 0 and isinstance(value, dict):
        for item in value.values():
            yield from paths_in(item, 1)
    elif depth == 0 and isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from paths_in(item, 1)


def inside_root(path: Path) -> bool:
    return path.resolve().is_relative_to(ROOT.resolve())


def test_the_conftest_packages_are_the_repository_fixtures():
    assert set(PACKAGES) == {p.name for p in FIXTURES.iterdir() if p.is_dir() and (p / "区划.csv").exists()}
    for name, package in PACKAGES.items():
        assert inside_root(package), f"{name}: {package} lies outside {ROOT}"
        assert (package / "EXPECTED.md").is_file(), f"{name}: no EXPECTED.md with the answers worked by hand"


@pytest.mark.parametrize("path", modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_module_level_paths_lie_inside_the_repository(path):
    relative = path.relative_to(ROOT).with_suffix("")
    module = importlib.import_module(".".join(relative.parts))
    outside = [f"{name} = {value}" for name, held in vars(module).items() if not name.startswith("__")
               for value in paths_in(held) if not inside_root(value)]
    assert outside == [], f"{path.name} names paths outside the repository"

    # packages handed to a loader from module-level names (a fixture's tmp_path is local: skipped)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in LOADERS and not name.startswith("write_"):
            continue
        try:
            value = eval(compile(ast.Expression(node.args[0]), str(path), "eval"), dict(vars(module)))  # noqa: S307
        except Exception:  # noqa: BLE001 - names local to a function (tmp_path, a parameter) are not ours to check
            continue
        if isinstance(value, Path):
            assert inside_root(value), f"{path.name}:{node.lineno} loads {value}, outside the repository"
            assert value.exists(), f"{path.name}:{node.lineno} loads {value}, which the repository lacks"


REACHING_OUT = re.compile(r"ROOT\.parent\b|\.\./shared|shared/examples|TUOPIN_SHARED|/work/shared")


def test_no_source_reaches_past_the_repository_root():
    offenders = []
    for folder in ("tests", "bench", "scripts", "etl", "queries", "ui", "pages", "access", ".ci"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".sql", ".sh", ""} and path.resolve() != Path(__file__).resolve():
                text = path.read_text(encoding="utf-8", errors="replace")
                offenders += [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}"
                              for m in REACHING_OUT.finditer(text)]
    assert offenders == []
