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
# A western township (西部: the 3% incidence threshold) with exits, identifications, a plan and funds.
TOWNSHIP = FIXTURES / "township"
# Every package the suite loads from disk; tests/test_self_contained.py proves each lies inside ROOT.
# 防返贫监测 (after 2020): episodes of all three kinds, households never registered, incomes 2021–2025.
MONITORING = FIXTURES / "monitoring"
# 部门数据比对: the monitoring package with members' ID numbers, department records and verifications.
DEPARTMENTS = FIXTURES / "departments"
PACKAGES = {"tiny": TINY, "villages_gap": FIXTURES / "villages_gap", "township": TOWNSHIP, "monitoring": MONITORING,
            "departments": DEPARTMENTS}


def build_db(package: Path, folder: Path) -> Path:
    db = folder / "tuopin.duckdb"
    load_package(package, db)
    return db


@pytest.fixture(scope="session")
def tiny_db_path(tmp_path_factory) -> Path:
    return build_db(TINY, tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def township_db_path(tmp_path_factory) -> Path:
    return build_db(TOWNSHIP, tmp_path_factory.mktemp("township"))


@pytest.fixture(scope="session")
def monitoring_db_path(tmp_path_factory) -> Path:
    return build_db(MONITORING, tmp_path_factory.mktemp("monitoring"))


@pytest.fixture(scope="session")
def monitoring(monitoring_db_path):
    with Database(monitoring_db_path) as db:
        yield db


@pytest.fixture(scope="session")
def departments_db_path(tmp_path_factory) -> Path:
    return build_db(DEPARTMENTS, tmp_path_factory.mktemp("departments"))


@pytest.fixture(scope="session")
def departments(departments_db_path):
    with Database(departments_db_path) as db:
        yield db


@pytest.fixture(scope="session")
def tiny(tiny_db_path):
    with Database(tiny_db_path) as db:
        yield db


@pytest.fixture(scope="session")
def township(township_db_path):
    with Database(township_db_path) as db:
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
def navigation_apptest(tmp_path, monkeypatch):
    """AppTest reruns through st.navigation as the real server does, and every AppTest.from_file
    session starts signed in as a county administrator (tests/support.py; a test may re-sign as
    another role with `signed_in(at, role=..., scope=...)`)."""
    from streamlit.testing.v1 import AppTest

    from tests.support import navigation_apptest_patch, signed_in

    monkeypatch.setenv("TUOPIN_ACCOUNTS", str(tmp_path / "accounts.sqlite"))
    original = AppTest.from_file.__func__

    def from_file(cls, *args, **kwargs):
        at = original(cls, *args, **kwargs)
        return signed_in(at) if os.environ.get("TUOPIN_DB") else at

    monkeypatch.setattr(AppTest, "from_file", classmethod(from_file))
    with navigation_apptest_patch():
        yield
