"""Shared test fixtures: real DuckDB files built by the real loader from known packages."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.load import load_package  # noqa: E402
from queries import Database  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
TINY = FIXTURES / "tiny"
# The worked example shipped with the shared docs (../shared/examples/xiang, answers in EXPECTED.md).
XIANG = Path(os.environ.get("TUOPIN_SHARED", ROOT.parent / "shared")) / "examples" / "xiang"


def build_db(package: Path, folder: Path) -> Path:
    db = folder / "tuopin.duckdb"
    load_package(package, db)
    return db


@pytest.fixture(scope="session")
def tiny_db_path(tmp_path_factory) -> Path:
    return build_db(TINY, tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def xiang_db_path(tmp_path_factory) -> Path:
    return build_db(XIANG, tmp_path_factory.mktemp("xiang"))


@pytest.fixture(scope="session")
def tiny(tiny_db_path):
    with Database(tiny_db_path) as db:
        yield db


@pytest.fixture(scope="session")
def xiang(xiang_db_path):
    with Database(xiang_db_path) as db:
        yield db


@pytest.fixture(scope="session")
def demo_package(tmp_path_factory) -> Path:
    from etl.demo import write_demo_package

    folder = tmp_path_factory.mktemp("demo") / "package"
    write_demo_package(folder, scale=1, seed=2014)
    return folder


@pytest.fixture(scope="session")
def demo_db_path(demo_package, tmp_path_factory) -> Path:
    return build_db(demo_package, tmp_path_factory.mktemp("demo_db"))


@pytest.fixture
def navigation_apptest(monkeypatch):
    """Make AppTest rerun like the real server does with st.navigation and a pages/ folder.

    AppTest resets PagesManager.uses_pages_directory before every run and, because pages/ exists,
    the rerun then executes the last page file directly (multipage v1) instead of dashboard.py.
    A real server sets the flag once and st.navigation clears it on the first run; mirror that.
    """
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    class NavigationPagesManager(pages_manager.PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pages_manager.PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", NavigationPagesManager)
