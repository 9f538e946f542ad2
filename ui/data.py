"""The dashboard's door to the data: which database, what state it is in, building the demo on first
start, opening and caching queries. Who is signed in is not known here: ui/scoped.py runs the pages'
queries under the account's scope on top of this module. The loader is reached only through
etl/service.py.

The database is read-only for the dashboard. When an import replaces the file (etl/load.py swaps a
new file in), its inode and mtime change; the cache keys below include them, so the next rerun opens
the new file and no cached result of the old one is served.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from common.files import private_folder
from common.paths import BUNDLED_DB, SERVING_DIR, default_db_path
from etl import service
from queries import Database, Scope, ready
from ui import gate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = BUNDLED_DB  # the bundled demo's place (tests point it elsewhere)


def db_path() -> Path:
    """data/tuopin.duckdb unless TUOPIN_DB names another database file (common/paths.py)."""
    return default_db_path(DEFAULT_DB)


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
    """Once per server process: remove the work folders and uploaded packages of imports that were
    killed (their process is gone; a running import's folders are left alone), and make the data files
    of an older deployment owner-only (etl/service.tighten)."""
    service.cleanup_stale_work(Path(folder))
    from access import default_path  # the account store's place (TUOPIN_ACCOUNTS, or beside the database)

    service.tighten(db_path(), (default_path(db_path()),))  # files written before they were private
    return True


def startup_cleanup() -> None:
    if db_path().parent.is_dir():  # a missing folder: nothing to clean, and nothing is created
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


def serving_path(version: DbVersion) -> Path:
    """A name of its own for one generation of the file: a hard link to exactly that inode.

    DuckDB reuses an open database for a path it already has open in this process, so opening the
    replaced file under the same name would still read the old one; and the file may be replaced
    between stat and open. A link per generation, checked to be that inode, settles both. Links of
    older generations are removed (connections holding them keep reading until they close).
    """
    source = Path(version.path)
    try:
        folder = private_folder(source.parent / SERVING_DIR, parents=False)
        target = folder / f"{source.stem}-{version.inode}-{version.mtime_ns}.duckdb"
        if target.exists():
            return target
        partial = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}"  # one per thread
        partial.unlink(missing_ok=True)
        os.link(source, partial)
    except PermissionError:
        # A folder the server may not write (a read-only mount, another account's folder): no import can
        # replace the file there either, so it is read under its own name, and nothing is written.
        return source
    if partial.stat().st_ino != version.inode:  # replaced since the stat: the caller retries
        partial.unlink()
        raise FileNotFoundError(f"database replaced while opening: {source}")
    os.replace(partial, target)
    for old in folder.glob(f"{source.stem}-*.duckdb"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


@st.cache_data(max_entries=8, show_spinner=False)
def _stamp(version: DbVersion) -> service.Stamp:
    """Read once per database generation (not on every run)."""
    return service.inspect(Path(version.path))


def stamp() -> service.Stamp:
    """The state of the database file ("ok", "missing", "unreadable"), its fingerprint and package."""
    try:
        version = db_version()
    except FileNotFoundError:
        return service.Stamp("missing")
    return _stamp(version)


def _named() -> bool:
    return bool(os.environ.get("TUOPIN_DB"))


def uses_bundled_demo() -> bool:
    """data/tuopin.duckdb holding the demo package (or about to be built as the demo). Real data
    imported into the default path is not the demo: it is never rebuilt over, and sign-in applies."""
    if _named():
        return False
    current = stamp()
    if current.state != "ok":
        return not service.real_data_loaded(db_path())
    return service.is_demo_package(current.package)


def needs_build() -> bool:
    """The demo is (re)built only at the default path and only where no county's data was ever loaded
    (etl/service.py, real_data_loaded): when the file is missing or unreadable, or is the demo built
    by an older version of the code (schema, derive SQL or demo generator). Never where TUOPIN_DB points."""
    if _named():
        return False
    current = stamp()
    if current.state != "ok":
        return not service.real_data_loaded(db_path())
    outdated = current.built_by != service.schema_fingerprint() or not service.demo_package_current()
    return service.is_demo_package(current.package) and outdated and not service.real_data_loaded(db_path())


def problem() -> str | None:
    """"missing" or "unreadable" when there is no database to serve (and none will be built), else None."""
    current = stamp()
    return None if current.state == "ok" else current.state


def is_outdated() -> bool:
    """A database with real data that an older version built: its owner must reload it."""
    current = stamp()
    return current.state == "ok" and current.built_by != service.schema_fingerprint()


def build_demo_database(progress: Callable[[float, str], None]) -> None:
    """First start: write the demo package (演示数据) and load it (etl/service.build_demo: one builder at
    a time, and never where real data was loaded)."""
    with gate.runs().released():  # a minute of loading: the other sessions' runs go on meanwhile (ui/gate.py)
        service.build_demo(db_path(), needs_build, progress)


@st.cache_resource(max_entries=2)
def _database(version: DbVersion) -> Database:
    return Database(serving_path(version), read_only=True)


class SharedResults:
    """Query results shared by every session of this server process, keyed by everything that decides
    a result: the database generation, the query and the values it runs with under the session's scope
    (queries.Database.scoped_params: an empty region is the scope's, a region outside it is refused
    before any lookup). Nothing else enters a query (language and labels are applied by the pages after
    it), so two sessions asking the same get the same rows, computed once — a county leader looking at
    a township and that township's own staff too.

    Instead of st.cache_data, which pickles every result on the way in and unpickles a copy on every
    hit (py-spy: a tenth of the server's CPU under bench/load_test.py), a hit hands out a shallow copy:
    pandas copy-on-write keeps a page that changes its copy from changing the shared frame. One
    computation per key at a time (the others wait for it); least recently used entries go past
    `max_entries` or `max_bytes` (the frames' own memory, pandas memory_usage without deep: exact for
    numbers, dates and Arrow strings), and those of older generations as soon as a newer one is asked
    for."""

    def __init__(self, max_entries: int = 1024, generations: int = 2, max_bytes: int = 256 << 20):
        self.max_entries, self.generations, self.max_bytes = max_entries, generations, max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._sizes: dict[tuple, int] = {}
        self.bytes = 0
        self._computing: dict[tuple, threading.Lock] = {}
        self._versions: list[DbVersion] = []  # the newest last
        self.hits = self.misses = 0

    def get(self, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        while True:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return self._entries[key].copy(deep=False)
                pending = self._computing.get(key)
                if pending is None:
                    pending = self._computing[key] = threading.Lock()
                    pending.acquire()
                    break
            with pending:  # another thread computes it: wait, then read it (or compute it, if that failed)
                pass
        try:
            frame = compute()
            size = _nbytes(frame)
            with self._lock:
                self.misses += 1
                self._remember(key, frame, size)
        finally:
            with self._lock:
                del self._computing[key]
            pending.release()
        return frame.copy(deep=False)

    def _remember(self, key: tuple, frame: pd.DataFrame, size: int) -> None:
        version = key[0]
        if version not in self._versions:
            self._versions.append(version)
            del self._versions[:-self.generations]
            for old in [k for k in self._entries if k[0] not in self._versions]:
                self._forget(old)
        if version in self._versions:  # not a generation older than the ones kept
            self._entries[key], self._sizes[key] = frame, size
            self.bytes += size
            while len(self._entries) > 1 and (len(self._entries) > self.max_entries or self.bytes > self.max_bytes):
                self._forget(next(iter(self._entries)))

    def _forget(self, key: tuple) -> None:
        del self._entries[key]
        self.bytes -= self._sizes.pop(key)

    def __len__(self) -> int:
        return len(self._entries)


def _nbytes(frame: pd.DataFrame) -> int:
    """A frame's own memory, as memory_usage(index=True) without deep counts it, without building the
    Series of sizes memory_usage returns (py-spy: 3% of a loaded server's CPU)."""
    return int(frame.index.nbytes) + sum(int(column.array.nbytes) for _, column in frame.items())


def _frozen(value):
    """A parameter as part of a key: lists (a multiselect's choice) as tuples."""
    return tuple(_frozen(v) for v in value) if isinstance(value, (list, tuple, set, frozenset)) else value


_SHARED = SharedResults()


def shared_results() -> SharedResults:
    """The process's one SharedResults (a module global: st.cache_resource's lookup, on every query of
    every run, cost more than the hit itself)."""
    return _SHARED


def clear_shared_results() -> None:
    """Start afresh (tests): no result shared, none asked for, no file's results computed ahead known.
    Not needed after an import: the new generation is part of every key."""
    global _SHARED, _ASKED
    _SHARED = SharedResults()
    _ASKED = ready.Asked()
    with _READY_LOCK:
        _READY.clear()


def run(name: str, params: dict, scope: Scope | None) -> pd.DataFrame:
    """A catalog query on the run's database generation (cached per generation, shared by every
    session) under `scope` (None: unscoped, for what comes before sign-in). Pages go through
    ui/scoped.query, which takes the scope from the signed-in account and audits household lists."""
    return bound(scope)(name, **params)


def bound(scope: Scope | None) -> Callable[..., pd.DataFrame]:
    """The run's queries as a function of (name, **params), tied to this run's database generation and
    `scope`: work the run hands on to later, outside the script run (a file made when its download
    button is clicked, ui/charts.export_button), reads exactly what the page showed, with the same
    shared results, and needs nothing of the session.

    A result not yet in the shared results is read from those the last import computed ahead in the
    file (queries/ready.py), else computed; every query asked for is noted for the next import."""
    version, database = _pinned()
    opened = _database(version) if database is None else database
    results = shared_results()
    ahead = _ready(version, opened)
    scoped = scope is not None

    def query(name: str, **params) -> pd.DataFrame:
        values = opened.scoped_params(name, scope, **params)  # ScopeError here, before any lookup
        _ASKED.note(name, values, scoped, _asked_folder(version))
        _count(2)

        def compute() -> pd.DataFrame:
            frame = ahead.get(ready.key_text(name, values, scoped))
            if frame is not None:
                _count(1)
                return frame
            _count(0)
            return opened.query(name, scope=scope, **params)

        return results.get(result_key(version, name, values, scoped), compute)

    return query


def result_key(version: DbVersion, name: str, values: dict, scoped: bool) -> tuple:
    """What decides a query's rows: the generation, the query, the values it runs with under the asking
    account's scope (Database.scoped_params: checked against the scope before any lookup) and, for what
    comes before sign-in, that it ran without a scope."""
    return (version, name, tuple(sorted((k, _frozen(v)) for k, v in values.items())),
            "scoped" if scoped else "unscoped")


_ASKED = ready.Asked()
_COUNTS = threading.local()  # this thread's (computed, read ahead, asked) queries since take_query_counts


def _count(which: int) -> None:
    counts = getattr(_COUNTS, "counts", None)
    if counts is None:
        counts = _COUNTS.counts = [0, 0, 0]
    counts[which] += 1


def take_query_counts() -> tuple[int, int, int]:
    """The catalog queries this thread computed, read from the results computed ahead and asked for in
    all since it last asked (the rest were shared results in memory), and start counting afresh:
    dashboard.py logs them with each run's CPU for the load test (ui/run_cpu.py)."""
    counts = getattr(_COUNTS, "counts", None) or [0, 0, 0]
    _COUNTS.counts = [0, 0, 0]
    return tuple(counts)


def asked() -> ready.Asked:
    """The queries this process has been asked for, most recent last (written beside the database for the
    next import to compute ahead)."""
    return _ASKED


def _asked_folder(version: DbVersion) -> Path:
    return ready.asked_folder(Path(version.path))


_READY: dict[DbVersion, ready.Ready] = {}
_READY_LOCK = threading.Lock()


def _ready(version: DbVersion, database: Database) -> ready.Ready:
    """The results computed ahead in this generation's file, their keys read once per generation."""
    with _READY_LOCK:
        known = _READY.get(version)
        if known is None or known.database is not database:
            # only a file as its import left it: one changed in place since has other tables than its results
            known = _READY[version] = ready.Ready(database, ready.is_sealed(Path(version.path), version.inode,
                                                                            version.mtime_ns))
            for old in [v for v in _READY if v != version][:-1]:  # this generation and the one before
                del _READY[old]
        return known


def load_stamp() -> dict:
    """When the data was loaded and from which package (shown on every page)."""
    frame = run("load_info", {}, None)  # not regional: the same for every scope
    return frame.iloc[0].to_dict() if len(frame) else {}
