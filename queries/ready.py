"""Views computed ahead: the query results people have been asking for, computed again by an import
for the database file it builds, so that the first look at each of them after the import reads its
rows instead of computing them — in every dashboard process at once.

The cycle:
- Every dashboard process notes the catalog queries it is asked for, by the key of its shared
  results (ui/data.SharedResults: the query and the values it runs with under the asking account's
  scope), and at most every WRITE_EVERY seconds writes the MAX_KEYS most recently asked for to
  `<database folder>/.tuopin-serving/asked-<process id>.json` (a private file: region codes, dates and
  options, never a name or an ID number).
- An import (etl/load.py), once its tables are derived and before the file is swapped in, runs on
  the new file first the queries of the views people land on after signing in (queries/landing.py: the
  overview at the default view, for the top region and each region one level below it), then those
  asked for in the files of the last ASKED_DAYS days, the most recently asked for first, within a time
  budget, and stores each result in the table `ready_results` (Arrow IPC), with the fingerprint of the
  query code that computed it. The dates asked for of one view (the same query and values but for the
  date) are computed in one statement (queries.run_query_rows; BATCHED_QUERIES), planned once.
- A dashboard process that does not hold a result in memory looks it up there before computing it:
  the same query, the same values, the same file, so the same rows (tests/test_ready_results.py
  compares every stored result with the one computed afresh). A result computed by other query code
  (another catalog fingerprint) is never read: the dashboard computes it itself.
- Only in the very file state the import left: once the results are written, the import seals the
  file (`seal`: an empty marker `.tuopin-serving/ready-<inode>-<mtime>` beside the database), and the
  dashboard reads results only from a file whose inode and modification time carry a seal. A file
  changed in place afterwards (a table repaired or damaged by hand, a copy, a restored backup) has
  another modification time, so its tables are read and its stored results ignored.

Queries of personal data (`-- personal: yes`) are neither noted nor stored. Anything wrong in an
asked file (a file cut short, an unknown query, a value of the wrong type) is skipped with a warning:
the file is a hint, and an import never fails because of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from common.files import open_private, private_folder
from common.paths import SERVING_DIR
from queries import QUERIES_DIR, REGION_PARAMS, Database, QueryError, catalog, landing

log = logging.getLogger(__name__)

TABLE = "ready_results"
ASKED_GLOB = "asked-*.json"
MAX_KEYS = 500  # per process file, and what one import considers
WRITE_EVERY = 5.0  # seconds between a process's writes of its asked file (about a millisecond each)
ASKED_DAYS = 30  # asked files older than this are ignored (and removed by the next import)
BUDGET_SECONDS = 15.0  # an import's time for computing ahead, by default (wall seconds)
MAX_FRAME_BYTES = 16 << 20  # a larger result (a county's household list) is left to be computed when asked


@cache
def catalog_fingerprint() -> str:
    """A hash of everything that decides a query's rows on a given file and how they read back: the query
    files, the shared macros, the runner that composes them, this module, and the versions of DuckDB,
    pandas and pyarrow (their conversions decide the frame's types). A dashboard of other code or
    libraries never reads what this computed."""
    digest = hashlib.sha256(f"duckdb {duckdb.__version__} pandas {pd.__version__} pyarrow {pa.__version__}".encode())
    for path in sorted([*QUERIES_DIR.glob("*.sql"), *QUERIES_DIR.glob("shared/*.sql"), QUERIES_DIR / "__init__.py",
                        Path(__file__)]):
        digest.update(path.relative_to(QUERIES_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# ---- keys ------------------------------------------------------------------------------------------

def _encoded(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"date": value.isoformat()}
    raise TypeError(f"a value a key cannot hold: {value!r}")


def _decoded(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (kind, text), = value.items()
        if kind == "date" and isinstance(text, str):
            return dt.date.fromisoformat(text)
        if kind == "float" and isinstance(text, str):
            return float(text)
    raise ValueError(f"not a key's value: {value!r}")


def key_text(name: str, values: dict, scoped: bool) -> str | None:
    """One text for a query asked with `values` (bound, and scoped when `scoped`): the server's lookup and
    the import's store use the same. None for values a key cannot hold (none of the catalog's types)."""
    try:
        return json.dumps([name, [[k, _encoded(values[k])] for k in sorted(values)], bool(scoped)],
                          ensure_ascii=False, separators=(",", ":"))
    except TypeError:
        return None


def parse_key(text: str) -> tuple[str, dict, bool]:
    """The query, its values and whether a scope had applied them; ValueError for anything else."""
    try:
        name, pairs, scoped = json.loads(text)
        values = {str(k): _decoded(v) for k, v in pairs}
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a key: {text[:200]!r}") from exc
    if not isinstance(name, str) or not isinstance(scoped, bool):
        raise ValueError(f"not a key: {text[:200]!r}")
    return name, values, scoped


# ---- frames ------------------------------------------------------------------------------------------

def frame_bytes(frame: pd.DataFrame) -> bytes:
    """A result as Arrow IPC, with pandas' metadata: it reads back as the same frame, dtypes included."""
    table = pa.Table.from_pandas(frame, preserve_index=True)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def frame_from(blob: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(blob).read_all().to_pandas()


# ---- what was asked for (the dashboard's side) ----------------------------------------------------------

def asked_folder(db_path: Path) -> Path:
    return Path(db_path).parent / SERVING_DIR


class Asked:
    """The queries one process has been asked for, most recently asked last, written now and then for
    the next import. Recency, not a count, decides what the import computes first: what users were
    looking at just before an import is what they look at next. Thread-safe; writing is skipped
    (logged) where the folder cannot be written."""

    def __init__(self, write_every: float = WRITE_EVERY, max_keys: int = MAX_KEYS):
        self.write_every, self.max_keys = write_every, max_keys
        self.asked: OrderedDict[str, float] = OrderedDict()  # key -> when last asked (epoch seconds)
        self._lock = threading.Lock()
        self._written = time.monotonic()

    def note(self, name: str, values: dict, scoped: bool, folder: Path) -> None:
        query = catalog().get(name)
        if query is None or query.personal:
            return
        text = key_text(name, values, scoped)
        if text is None:
            return
        with self._lock:
            self.asked[text] = time.time()
            self.asked.move_to_end(text)
            while len(self.asked) > self.max_keys:  # the most recently asked for, not every key ever
                self.asked.popitem(last=False)
            due = time.monotonic() - self._written >= self.write_every
            if due:
                self._written = time.monotonic()
        if due:
            self.write(folder)

    def write(self, folder: Path) -> Path | None:
        """Write every key asked for (newest first) to this process's file under `folder`, replacing the
        file whole; the file's path, or None where nothing was asked for or the folder cannot be written.
        A write falling due while noting a key and a write asked for by hand write the same."""
        with self._lock:
            asked = list(reversed(self.asked.items()))
        if not asked:
            return None
        target = Path(folder) / f"asked-{os.getpid()}.json"
        try:
            private_folder(Path(folder), parents=False)
            partial = target.with_name(f".{target.name}.{threading.get_ident()}")
            with open_private(partial, "w", encoding="utf-8") as out:
                json.dump({"catalog": catalog_fingerprint(), "asked": asked}, out, ensure_ascii=False)
            os.replace(partial, target)
        except OSError as exc:
            log.info("not writing the views asked for to %s: %s", folder, exc)
            return None
        return target


def read_asked(folder: Path, max_age_days: float = ASKED_DAYS, max_keys: int = MAX_KEYS) -> list[str]:
    """The keys asked for in every process's file under `folder` written in the last `max_age_days`,
    the most recently asked for first (over all the files). Older files are removed; a file that
    cannot be read is skipped with a warning, an entry that is not a key and a time is left out."""
    latest: dict[str, float] = {}
    oldest = time.time() - max_age_days * 86400
    for path in sorted(Path(folder).glob(ASKED_GLOB)) if Path(folder).is_dir() else ():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
                continue
            content = json.loads(path.read_text(encoding="utf-8"))
            for text, when in content["asked"]:
                if (isinstance(text, str) and isinstance(when, (int, float)) and not isinstance(when, bool)
                        and math.isfinite(when) and when > 0):
                    latest[text] = max(latest.get(text, 0.0), float(when))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("skipping the views asked for in %s: %s", path.name, exc)
    return sorted(latest, key=latest.__getitem__, reverse=True)[:max_keys]


# ---- seals: the file state results were computed on ------------------------------------------------------

SEAL_PREFIX = "ready-"
SEALS_KEPT = 20  # the most recent seals (the served file's and its backups' among them)


def _seal_path(folder: Path, inode: int, mtime_ns: int) -> Path:
    return Path(folder) / f"{SEAL_PREFIX}{inode}-{mtime_ns}"


def seal(db_path: Path, folder: Path) -> Path | None:
    """Mark the file at `db_path` as it is now (inode and modification time: a rename keeps both) as
    holding results computed on its own tables, in `folder` (the serving folder beside the database it
    will be served as). Older seals beyond SEALS_KEPT are removed. None, logged, where the folder cannot
    be written: its results are then never read, only computed."""
    stat = Path(db_path).stat()
    try:
        private_folder(Path(folder), parents=False)
        target = _seal_path(folder, stat.st_ino, stat.st_mtime_ns)
        open_private(target, "w").close()
        for old in sorted(Path(folder).glob(SEAL_PREFIX + "*"), key=lambda p: p.stat().st_mtime)[:-SEALS_KEPT]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.info("not sealing the results computed ahead in %s: %s", folder, exc)
        return None
    return target


def is_sealed(db_path: Path, inode: int, mtime_ns: int) -> bool:
    """Whether the file at `db_path`, in the state (inode, modification time) being served, is one an
    import sealed: not changed since its results were computed."""
    return _seal_path(asked_folder(Path(db_path)), inode, mtime_ns).is_file()


# ---- computing ahead (the import's side) ----------------------------------------------------------------

@dataclass
class Report:
    asked: int = 0  # keys considered (the landing views' and those asked for)
    landing: int = 0  # of which the landing views' (queries/landing.py)
    stored: int = 0
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)  # why keys were skipped (the first 20)
    seconds: float = 0.0
    out_of_time: bool = False

    def skip(self, reason: str) -> None:
        self.skipped += 1
        if len(self.reasons) < 20:
            self.reasons.append(reason[:300])


def landing_keys(database: Database) -> list[str]:
    """The keys of the landing views' queries (queries/landing.py) on `database`, each once, in order."""
    keys: dict[str, None] = {}
    for scope, name, params in landing.landing_asks(database):
        text = key_text(name, database.scoped_params(name, scope, **params), scope is not None)
        if text is not None:
            keys[text] = None
    return list(keys)


def compute_ahead(db_path: Path, keys: list[str], budget: float = BUDGET_SECONDS,
                  threads: int | None = None) -> Report:
    """Run the landing views' queries and then each asked-for query (`keys`) on the
    database file at `db_path` (not yet serving: the import's new file), taken in their order (the most
    recently asked for first) by `threads` threads (by default one per core, at most 4: DuckDB plans
    and runs a query without holding Python's lock), until `budget` seconds are spent, and store the
    results in ready_results. A key naming a query the catalog no longer has, personal data, a region
    the data does not hold or values the query refuses is skipped; the table is created even when
    nothing is stored (its absence means older code built it)."""
    started = time.perf_counter()
    report = Report()
    rows: list[tuple[str, str, str, bytes]] = []
    lock = threading.Lock()

    def work(database: Database) -> None:
        while True:
            with lock:
                if time.perf_counter() - started > budget:
                    report.out_of_time = report.out_of_time or next(pending, None) is not None
                    return
                batch = next(pending, None)
            if batch is None:
                return
            computed = _computed_together(database, batch)
            with lock:
                for texts, (row, reason) in zip(batch, computed, strict=True):
                    if row is not None:
                        rows.extend((text, *row[1:]) for text in texts)
                    else:
                        report.skip(reason)

    with Database(db_path, read_only=False) as database:
        first = []
        if budget > 0:
            try:
                first = landing_keys(database)
            except (QueryError, duckdb.Error) as exc:  # optional, as every view computed ahead
                log.warning("not computing the landing views ahead: %s", exc)
        keys = list(dict.fromkeys([*first, *keys]))
        report.asked, report.landing = len(keys), len(first)
        pending = iter(_batches(_same_rows(keys), database))
        count = max(1, min(threads or os.cpu_count() or 1, 4, len(keys)))
        helpers = [threading.Thread(target=work, args=(database,), daemon=True) for _ in range(count - 1)]
        for helper in helpers:
            helper.start()
        work(database)
        for helper in helpers:
            helper.join()
        database.connection.execute(
            f"create table {TABLE} (key varchar primary key, query varchar not null, catalog varchar not null,"
            " frame blob not null)")
        if rows:
            database.connection.executemany(f"insert into {TABLE} values (?, ?, ?, ?)", rows)
        database.connection.execute("checkpoint")
    report.stored = len(rows)
    report.seconds = time.perf_counter() - started
    return report


def _same_rows(keys: list[str]) -> list[list[str]]:
    """The keys grouped by the rows they stand for, in the order of each group's first key: a query asked
    with the same values with and without a scope (the demo before sign-in, an account after) is computed
    once and stored under both keys. A text that is not a key stays alone (and is skipped when computed)."""
    groups: dict[str, list[str]] = {}
    for text in keys:
        try:
            name, values, _scoped = parse_key(text)
            rows = key_text(name, values, False) or text
        except ValueError:
            rows = text
        groups.setdefault(rows, []).append(text)
    return list(groups.values())


# The queries computed for several dates in one statement when each of the dates is wanted
# (queries.run_query_rows): those measured cheaper so on the demo county, a year's quarter ends in
# 0.44–0.87 of four statements' time (bench/bench_query_rows.py; the others scan every household check or
# monitoring record and cost more together than one by one), while the registry is small: at ten times
# the demo county a statement is mostly its work, not its planning, and the registry's queries cost
# more together (README, Benchmarks). Up to BATCH_ROWS dates a statement.
BATCHED_QUERIES = frozenset({
    "assistance_coverage", "department_warnings_overdue", "funds_by", "funds_schedule", "funds_summary",
    "monitoring_by", "monitoring_change", "monitoring_summary", "poverty_incidence", "projects", "registry_by",
    "registry_by_category", "registry_by_cause", "registry_change", "registry_summary", "township_progress",
    "township_progress_change", "village_exit_check", "village_exit_failures",
})
BATCH_MAX_REGISTRY = 300_000  # person status spans: about three times the demo county's 98,611
BATCH_ROWS = 16
DATE_PARAMS = frozenset({"as_of", "year", "previous"})  # what differs between the dates of one view


def _batches(groups: list[list[str]], database: Database) -> list[list[list[str]]]:
    """The groups of keys (_same_rows) as work: each alone, except that groups of one batched query
    asked with the same values but for dates (DATE_PARAMS) go together, up to BATCH_ROWS, in the place of
    the first of them; all alone when the registry is over BATCH_MAX_REGISTRY."""
    if database.registry_rows() > BATCH_MAX_REGISTRY:
        return [[group] for group in groups]
    work: list[list[list[str]]] = []
    open_batches: dict[tuple, list[list[str]]] = {}
    for group in groups:
        try:
            name, values, _scoped = parse_key(group[0])
        except ValueError:
            name, values = "", {}
        if name not in BATCHED_QUERIES or "as_of" not in values:
            work.append([group])
            continue
        same = (name, tuple(sorted((k, repr(v)) for k, v in values.items() if k not in DATE_PARAMS)))
        batch = open_batches.get(same)
        if batch is None or len(batch) >= BATCH_ROWS:
            batch = open_batches[same] = []
            work.append(batch)
        batch.append(group)
    return work


def _computed_together(database: Database, batch: list[list[str]]) -> list[tuple[tuple | None, str]]:
    """Each group's row for ready_results (or None and why it was skipped): the batch's query for all its
    dates in one statement (Database.query_rows) when several pass their checks; one by one otherwise,
    and if that statement fails. Each key is checked once."""
    checked = [_checked(database, group[0]) for group in batch]
    wanted = [found for found, _ in checked if found is not None]
    frames = None
    if len(wanted) > 1:
        try:
            frames = iter(database.query_rows(wanted[0][0], [values for _, values in wanted]))
        except Exception as exc:  # noqa: BLE001 - optional work: computed one by one instead, each on its own
            log.warning("computing %d views of %s ahead in one statement failed (%s): one by one", len(wanted),
                        wanted[0][0], str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return [(None, reason) if found is None
            else _stored_row(group[0], found[0], next(frames)) if frames is not None
            else _ran(database, group[0], *found)
            for group, (found, reason) in zip(batch, checked, strict=True)]


def _ran(database: Database, text: str, name: str, values: dict) -> tuple[tuple[str, str, str, bytes] | None, str]:
    """One checked key's row for ready_results, or None and why it was skipped."""
    try:
        frame = database.query(name, **values)  # the values the scope gave it: the same rows
    except (ValueError, QueryError, duckdb.Error) as exc:
        return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a view computed ahead is optional: never fail the import for one
        log.exception("computing %s ahead failed", text[:200])
        return None, f"{type(exc).__name__}: {exc}"
    return _stored_row(text, name, frame)


def _checked(database: Database, text: str) -> tuple[tuple[str, dict] | None, str]:
    """A key's query and values, when it is one to compute ahead on this file; else None and why not."""
    try:
        name, values, scoped = parse_key(text)
        query = catalog().get(name)
        if query is None or query.personal:
            raise ValueError(f"{name}: not a query to compute ahead")
        for param in values.keys() & set(REGION_PARAMS):  # a region the new data no longer has
            if values[param] is not None and not _has_region(database, values[param]):
                raise ValueError(f"{name}: no region {str(values[param])[:40]!r} in the data")
        if key_text(name, database.scoped_params(name, None, **values), scoped) != text:
            raise ValueError(f"{name}: its values bind differently now")  # an old key: never looked up
    except (ValueError, QueryError, duckdb.Error) as exc:
        return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a view computed ahead is optional: never fail the import for one
        log.exception("checking %s failed", text[:200])
        return None, f"{type(exc).__name__}: {exc}"
    return (name, values), ""


def _stored_row(text: str, name: str, frame: pd.DataFrame) -> tuple[tuple[str, str, str, bytes] | None, str]:
    blob = frame_bytes(frame)
    if len(blob) > MAX_FRAME_BYTES:
        return None, f"{name}: {len(blob):,} bytes, over {MAX_FRAME_BYTES:,}"
    return (text, name, catalog_fingerprint(), blob), ""


def _has_region(database: Database, code) -> bool:
    with database.connection.cursor() as cursor:
        return bool(cursor.execute("select 1 from regions where code = ?", [str(code)]).fetchall())


def _stored_sizes(database: Database) -> dict[str, int]:
    """Each stored result of this query code: its key and its size in bytes."""
    try:
        with database.connection.cursor() as cursor:
            return dict(cursor.execute(f"select key, octet_length(frame) from {TABLE} where catalog = ?",
                                       [catalog_fingerprint()]).fetchall())
    except duckdb.CatalogException:  # built before results were computed ahead
        return {}


class Ready:
    """The results computed ahead in one (read-only) database file for this query code: their keys read
    when the file is first served; their rows (Arrow IPC: about a megabyte for the demo county's landing
    views and 500 asked for) all in one statement at the first lookup that finds one, instead of one
    statement per lookup (2 ms each; a sign-in reads six to eight), unless they are more than
    PRELOAD_BYTES together (a county a hundred times larger), when each is read as it is asked for. Each
    is turned into a frame when asked for."""

    PRELOAD_BYTES = 32 << 20

    def __init__(self, database: Database, sealed: bool = True):
        """`sealed`: the file is in the state its import left (is_sealed); otherwise nothing is read."""
        self.database = database
        sizes = _stored_sizes(database) if sealed else {}
        self.keys = frozenset(sizes)
        self._preload = sum(sizes.values()) <= self.PRELOAD_BYTES
        self._frames: dict[str, bytes] | None = None
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, text: str | None) -> pd.DataFrame | None:
        if text is None or text not in self.keys:
            return None
        blob = self._blob(text)
        if blob is None:
            return None
        with self._lock:
            self.hits += 1
        return frame_from(blob)

    def _blob(self, text: str) -> bytes | None:
        if not self._preload:
            with self.database.connection.cursor() as cursor:
                row = cursor.execute(f"select frame from {TABLE} where key = ?", [text]).fetchone()
            return None if row is None else row[0]
        with self._lock:
            if self._frames is None:
                with self.database.connection.cursor() as cursor:
                    self._frames = dict(cursor.execute(
                        f"select key, frame from {TABLE} where catalog = ?", [catalog_fingerprint()]).fetchall())
            return self._frames.get(text)
