"""The dashboard's door to the data: which database, building it on first start, cached queries.

The database is read-only for the dashboard. When an import replaces the file (etl/load.py swaps a
new file in), its inode and mtime change; the cache keys below include them, so the next rerun opens
the new file and no cached result of the old one is served.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from queries import Database, Scope

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "tuopin.duckdb"
DEMO_PACKAGE = ROOT / "data" / "demo"


def db_path() -> Path:
    """data/tuopin.duckdb unless TUOPIN_DB names another database file."""
    return Path(os.environ.get("TUOPIN_DB") or DEFAULT_DB).resolve()


@dataclass(frozen=True)
class DbVersion:
    """Identifies one generation of the database file; part of every cache key."""

    path: str
    inode: int
    mtime_ns: int


def db_version() -> DbVersion:
    stat = db_path().stat()
    return DbVersion(str(db_path()), stat.st_ino, stat.st_mtime_ns)


@st.cache_resource
def _clean_up_after_killed_imports(folder: str) -> bool:
    """Once per server process: remove the work folders of imports that were killed (their process
    is gone); a running import's folder is left alone."""
    from etl.load import cleanup_stale_work

    cleanup_stale_work(Path(folder))
    return True


def startup_cleanup() -> None:
    _clean_up_after_killed_imports(str(db_path().parent))


def pin_version() -> DbVersion:
    """Fix the database generation for this script run (dashboard.py calls it first): every query of
    one run reads the same file, even if an import swaps a new one in half-way.

    The run keeps the generation open (session state "_db_open", replaced at the session's next run):
    while it runs, another session may pin a newer generation, which removes this one's link, and the
    _database cache may drop it; reopening it by name then would fail (the load test, tests/test_load.py, did)."""
    for _ in range(10):
        version = db_version()
        try:
            database = _database(version)  # links and opens it now, so the run's queries find it
        except (FileNotFoundError, duckdb.IOException):  # swapped or unlinked meanwhile: take the newer one
            continue
        st.session_state["_db_version"] = version
        st.session_state["_db_open"] = (version, database)
        return version
    raise RuntimeError(f"the database keeps changing; try again: {db_path()}")


def _pinned() -> tuple[DbVersion, Database | None]:
    """The run's generation and its open database (None when nothing was pinned, e.g. in a test)."""
    version = st.session_state.get("_db_version")
    if version is None:
        return db_version(), None
    opened = st.session_state.get("_db_open")
    return version, opened[1] if opened is not None and opened[0] == version else None


def current_version() -> DbVersion:
    return st.session_state.get("_db_version") or db_version()


SERVING_DIR = ".tuopin-serving"


def serving_path(version: DbVersion) -> Path:
    """A name of its own for one generation of the file: a hard link to exactly that inode.

    DuckDB reuses an open database for a path it already has open in this process, so opening the
    replaced file under the same name would still read the old one; and the file may be replaced
    between stat and open. A link per generation, checked to be that inode, settles both. Links of
    older generations are removed (connections holding them keep reading until they close).
    """
    source = Path(version.path)
    folder = source.parent / SERVING_DIR
    folder.mkdir(exist_ok=True)
    target = folder / f"{source.stem}-{version.inode}-{version.mtime_ns}.duckdb"
    if target.exists():
        return target
    partial = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}"  # one per thread
    partial.unlink(missing_ok=True)
    os.link(source, partial)
    if partial.stat().st_ino != version.inode:  # replaced since the stat: the caller retries
        partial.unlink()
        raise FileNotFoundError(f"database replaced while opening: {source}")
    os.replace(partial, target)
    for old in folder.glob(f"{source.stem}-*.duckdb"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class Stamp:
    built_by: str | None  # the schema fingerprint of the code that built the file
    package: str | None  # the package it was loaded from


@st.cache_data(max_entries=8, show_spinner=False)
def _stamp(version: DbVersion) -> Stamp:
    """Read once per database generation (not on every run)."""
    from etl.load import built_by, loaded_from

    return Stamp(built_by(Path(version.path)), loaded_from(Path(version.path)))


def stamp() -> Stamp | None:
    return _stamp(db_version()) if db_path().exists() else None


def uses_bundled_demo() -> bool:
    """data/tuopin.duckdb holding the demo package (or not built yet). Real data imported into the
    default path is not the demo: it is never rebuilt over, and sign-in applies."""
    if os.environ.get("TUOPIN_DB"):
        return False
    current = stamp()
    return current is None or current.package is None or Path(current.package).resolve() == DEMO_PACKAGE.resolve()


def needs_build() -> bool:
    """No database yet, or the bundled demo database was built by an older version of the code."""
    from etl.load import schema_fingerprint

    current = stamp()
    return current is None or (uses_bundled_demo() and current.built_by != schema_fingerprint())


def is_outdated() -> bool:
    """A database with real data that an older version built: its owner must reload it."""
    from etl.load import schema_fingerprint

    current = stamp()
    return current is not None and current.built_by != schema_fingerprint()


def build_demo_database(progress: Callable[[float, str], None]) -> None:
    """First start: write the demo package (演示数据) and load it. One builder at a time (file lock)."""
    from etl.demo import write_demo_package
    from etl.load import load_package

    target = db_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".build-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not needs_build():  # another session built it while we waited
            return
        if not (DEMO_PACKAGE / "区划.csv").exists():
            write_demo_package(DEMO_PACKAGE, scale=1, seed=2014,
                               progress=lambda f, m: progress(0.5 * f, f"生成演示数据 generating demo data: {m}"))
        load_package(DEMO_PACKAGE, target, progress=lambda f, m: progress(0.5 + 0.5 * f, m))


@st.cache_resource(max_entries=2)
def _database(version: DbVersion) -> Database:
    return Database(serving_path(version), read_only=True)


@st.cache_data(max_entries=512, show_spinner=False)
def _query(version: DbVersion, name: str, params: tuple, scope: Scope | None,
           _open: Database | None = None) -> pd.DataFrame:
    """Cached per generation; `_open` (not part of the key) is the run's open database of `version`."""
    return (_database(version) if _open is None else _open).query(name, scope=scope, **dict(params))


# Queries listing households: who looked at which region's list goes into the audit log.
HOUSEHOLD_LISTS = frozenset({"village_households", "household_exit_check", "household_identities",
                             "quality_households_without_members", "quality_implausible_incomes",
                             "quality_members_in_several_households"})


def query(name: str, **params) -> pd.DataFrame:
    """Run a catalog query on the current database generation (cached per generation), limited to
    the signed-in account's scope by the query layer (queries.apply_scope)."""
    from ui import session

    scope = session.scope() if "_account" in st.session_state else None
    if name in HOUSEHOLD_LISTS and scope is not None:
        region = params.get("region") or params.get("village") or scope.region
        session.audit_once("unmask" if name == "household_identities" else "view_households", region,
                           f"{name} {sorted((k, str(v)) for k, v in params.items())}")
    version, database = _pinned()
    return _query(version, name, tuple(sorted(params.items())), scope, database)


def load_stamp() -> dict:
    """When the data was loaded and from which package (shown on every page)."""
    frame = query("load_info")
    return frame.iloc[0].to_dict() if len(frame) else {}
