"""Load: package -> new DuckDB file -> swapped in atomically, or nothing changes at all.

The new database is built beside the target under a temporary name; only when every file was read,
every check passed and the derived tables were built is it moved over the old file with
os.replace (atomic on one filesystem). Readers that hold the old file open keep reading the old
data; new connections see the new data. On failure the temporary files are removed, the old
database is untouched and a rejects report lists every problem.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from common.files import FILE_MODE, open_private, private_folder
from etl import backups
from etl.boundaries import read_boundaries
from etl.contract import SCHEMA_PATH, contract, schema_sql
from etl.problems import Problem, write_rejects
from etl.read import PackageError, open_package, read_table
from etl.thresholds import load_thresholds
from etl.validate import checks_skipped, run_checks, stage_table
from etl.warning_rules import load_warning_rules, unknown_verifications
from queries import EXIT_CRITERIA_MACRO, exit_criteria, persist_macros
from queries import ready as ready_views

DERIVE_DIR = Path(__file__).with_name("derive")
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
WORK_PREFIX = ".tuopin-load-"
VERSION = "0.1.0"

Progress = Callable[[float, str], None]


class LoadFailed(Exception):
    def __init__(self, problems: list[Problem], rejects: tuple[Path, Path] | None):
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"import rejected: {len(errors)} problem(s) / 导入被拒绝：{len(errors)} 个问题")
        self.problems = problems
        self.rejects = rejects


@dataclass
class LoadResult:
    db_path: Path
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    rejects: tuple[Path, Path] | None = None
    ready: ready_views.Report | None = None  # the views computed ahead for the dashboard (queries/ready.py)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def schema_fingerprint() -> str:
    """VERSION plus a hash of schema.sql and the derive SQL: a database built by other code differs.
    The dashboard asks on every script run: the files are hashed again only when one of them changed
    (their names, sizes and modification times; reading and hashing them was 3% of a loaded server's CPU)."""
    files = [SCHEMA_PATH, *sorted(DERIVE_DIR.glob("*.sql"))]
    return _fingerprint(tuple((str(path), *_size_and_time(path)) for path in files))


def _size_and_time(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=4)
def _fingerprint(files: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256(schema_sql().encode())
    for path, _size, _mtime in files[1:]:
        digest.update(Path(path).read_bytes())
    return f"{VERSION}+{digest.hexdigest()[:12]}"


def built_by(db_path: Path) -> str | None:
    """The fingerprint stamped into an existing database (None when unreadable or unstamped)."""
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select tuopin_version from load_info order by loaded_at desc limit 1").fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def loaded_from(db_path: Path) -> str | None:
    """The package the database was last loaded from (None when unreadable)."""
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select package from load_info order by loaded_at desc limit 1").fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def rejects_base(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".rejects.csv")


def real_data_marker(db_path: Path) -> Path:
    """`<db>.real-data`, left beside a database loaded from a county's package (not the bundled demo):
    it outlives the file, so a missing or damaged database is never rebuilt as the demo
    (etl/service.py, real_data_loaded)."""
    return db_path.with_name(db_path.name + ".real-data")


def _quiet(_fraction: float, _message: str) -> None:
    pass


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def load_package(package: str | Path, db_path: str | Path, progress: Progress | None = None,
                 memory_limit: str = "3GB", source: str | None = None, demo: bool = False,
                 ready_seconds: float = ready_views.BUDGET_SECONDS) -> LoadResult:
    """Validate `package` and, if it passes as a whole, replace `db_path` with the new database.

    `source` is what load_info records as the package (and every page's stamp shows): by default the
    package's absolute path; an upload passes the file names the user chose, not its temporary folder.
    `demo`: the bundled demo is being built (etl/service.py); any other load marks `db_path` as holding
    a county's data (real_data_marker). `ready_seconds`: the time given to computing ahead the views
    the dashboard has been asked for (queries/ready.py; 0: none). Every file written is private
    (common/files.py: 0600, folders 0700). Raises LoadFailed (with every problem) and leaves `db_path`
    untouched otherwise.
    """
    progress = progress or _quiet
    started = time.perf_counter()
    package, db_path = Path(package), Path(db_path).resolve()
    private_folder(db_path.parent)
    cleanup_stale_work(db_path.parent)
    work = work_folder(db_path)
    build_path = work / "new.duckdb"
    result = LoadResult(db_path=db_path)
    try:
        progress(0.01, "打开导入包 opening the package")
        try:
            opened = open_package(package, work)
        except PackageError as exc:
            _fail(exc.problems, db_path)
        problems = list(opened.problems)

        con = duckdb.connect(str(work / "staging.duckdb"))
        try:
            # values (the paths above all: a folder may be named O'Brien's) go in bound, never spliced
            con.execute("set memory_limit = ?", [memory_limit])
            con.execute("set temp_directory = ?", [str(work / "spill")])
            con.execute(schema_sql())  # the enum types, for typing the staged text
            con.execute("attach ? as final", [str(build_path)])
            con.execute("use final")
            con.execute(schema_sql())
            con.execute("use staging")

            files = {}
            specs = contract().files
            for i, spec in enumerate(specs):
                progress(0.05 + 0.55 * i / len(specs), f"读取 reading {spec.stem_zh} / {spec.table}")
                raw = read_table(spec, opened.files[spec.table]) if spec.table in opened.files else None
                stage_table(con, spec, raw)
                if raw is not None:
                    files[spec.table] = raw
                    problems += raw.problems
                    result.rows[spec.table] = raw.rows

            progress(0.62, "校验 checking")
            # Every file is checked; a file that could not be read in full (a broken header, an unknown
            # encoding, a row the parser dropped) is left out of the cross-file checks that need it,
            # and so is a missing required file, and the report names what was skipped.
            unreadable = {p.table for p in problems if p.severity == "error" and p.table in files}
            missing = {spec.table for spec in specs if spec.table not in files and spec.presence == "required"}
            problems += run_checks(con, files, unreadable | missing)
            for spec in specs:
                if spec.table in unreadable:
                    skipped = checks_skipped(unreadable | missing, spec.table)
                    problems.append(Problem.file_warning(files[spec.table].display_name, "file_not_checked",
                                                         table=spec.table, detail=", ".join(skipped) or "-"))
            boundaries = None
            if "boundaries" in opened.files and not {"regions"} & (unreadable | missing):
                progress(0.70, "读取边界 reading boundaries")
                levels = dict(con.execute("select code, cast(level as varchar) from stg_regions "
                                          "where code is not null and level is not null").fetchall())
                file = opened.files["boundaries"]
                boundaries, boundary_problems = read_boundaries(file.path, file.display_name, levels)
                problems += boundary_problems

            if any(p.severity == "error" for p in problems):
                _fail(problems, db_path)

            progress(0.75, "写入 writing tables")
            _insert_tables(con, files)
            if boundaries is not None and len(boundaries):
                con.register("incoming_boundaries", boundaries)
                con.execute("insert into final.boundaries select * from incoming_boundaries")
                con.unregister("incoming_boundaries")
                result.rows["boundaries"] = len(boundaries)
            thresholds = REFERENCE_DIR / "monitoring_thresholds.csv"
            warning_rules = REFERENCE_DIR / "warning_rules.csv"
            if reference_problems := (_load_reference(con) or _check_reference(con)
                                      or load_thresholds(con, thresholds, _reference_name(thresholds))
                                      or load_warning_rules(con, warning_rules, _reference_name(warning_rules))):
                _fail(reference_problems, db_path)

            progress(0.85, "计算派生表 deriving spans")
            con.execute("use final")
            con.execute(EXIT_CRITERIA_MACRO)  # the one list of exit criteria (queries/shared/macros.sql)
            for sql_file in sorted(DERIVE_DIR.glob("*.sql")):
                con.execute(sql_file.read_text(encoding="utf-8"))
            if "verifications" in files:  # a 预警编号 naming no warning is reported, not dropped silently
                problems += unknown_verifications(con, files["verifications"].display_name)
            # the queries' shared macros, written into the file: the dashboard's cursors need not define them
            persist_macros(con)
            result.problems = problems
            result.seconds = time.perf_counter() - started
            _record_load(con, package, result, source)
            con.execute("use staging")
            con.execute("detach final")
        finally:
            con.close()

        # the views people land on when they sign in and those the dashboard's users have been asking
        # for, computed on the new file, so that their first look after the swap reads them (within a
        # time budget: the load is not held up for long)
        progress(0.90, "预先计算登录首页和最近常看的视图 computing ahead the views people land on and those asked for "
                       "most recently")
        asked = ready_views.read_asked(ready_views.asked_folder(db_path)) if ready_seconds > 0 else []
        result.ready = ready_views.compute_ahead(build_path, asked, ready_seconds)

        progress(0.97, "替换数据库 swapping the database in")
        _verify(build_path)  # read-only: the file stays as sealed below (chmod and the rename keep its mtime)
        if result.ready.stored:
            ready_views.seal(build_path, ready_views.asked_folder(db_path))
        os.chmod(build_path, FILE_MODE)  # still inside the private work folder: never readable by others
        backups.keep(db_path)  # the database being replaced stays available for a rollback
        os.replace(build_path, db_path)
        for stale in (db_path.with_name(db_path.name + ".wal"),):
            stale.unlink(missing_ok=True)
        if not demo:
            with open_private(real_data_marker(db_path), "w", encoding="utf-8") as marker:
                marker.write(f"{datetime.now().isoformat(timespec='seconds')} {source or package.resolve()}\n")
        # A report of personal data stays on disk only while it is needed: a load that passed leaves none
        # (its warnings are in the database, load_problems, shown masked on the data-quality page).
        for old in (rejects_base(db_path), rejects_base(db_path).with_suffix(".xlsx")):
            old.unlink(missing_ok=True)
        result.rejects = None
        result.seconds = time.perf_counter() - started
        progress(1.0, "完成 done")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fail(problems: list[Problem], db_path: Path):
    rejects = write_rejects(problems, rejects_base(db_path))
    raise LoadFailed(problems, rejects)


def _insert_tables(con: duckdb.DuckDBPyConnection, files) -> None:
    for spec in contract().files:
        columns = ", ".join(f'"{c.name}"' for c in spec.columns)
        try:
            con.execute(f'insert into final."{spec.table}" ({columns}) select {columns} from "stg_{spec.table}"')
        except duckdb.ConstraintException as exc:
            # The checks should have caught this first; report it rather than lose the reason.
            display = files[spec.table].display_name if spec.table in files else spec.table
            problem = Problem.file_error(display, "internal_constraint", table=spec.table, detail=str(exc)[:300])
            raise LoadFailed([problem], None) from exc


# the criteria queries/village_exit_check.sql can judge, and those a preset must give a threshold for:
# their one list is the macro exit_criteria (queries/shared/macros.sql)
EXIT_CRITERIA = exit_criteria("village")
THRESHOLD_CRITERIA = exit_criteria("village", needs_threshold=True)


def _check_reference(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """An edited exit_rules.csv is checked like the package: a preset the queries cannot judge is
    refused at load, with its row, not when a page first asks for it."""
    file = _reference_name(REFERENCE_DIR / "exit_rules.csv")
    rows = con.execute(
        "select row_number() over () + 1 as row_number, criterion, threshold from final.exit_rules").fetchall()
    problems = []
    for row_number, criterion, threshold in rows:
        if criterion not in EXIT_CRITERIA:
            problems.append(Problem.error("exit_rules", file, row_number, "criterion", criterion,
                                          "reference_rule_unknown", ", ".join(EXIT_CRITERIA)))
        elif criterion in THRESHOLD_CRITERIA and threshold is None:
            problems.append(Problem.error("exit_rules", file, row_number, "threshold", None,
                                          "reference_rule_threshold"))
    return problems


def _load_reference(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Poverty lines and village exit rule presets: editable CSVs shipped in data/reference/. An edit
    that leaves a file unreadable is a problem of that file (none: the tables are filled)."""
    for table in ("poverty_lines", "exit_rules"):
        path = REFERENCE_DIR / f"{table}.csv"
        try:
            con.execute(
                f"insert into final.{table} select * from read_csv(?, header = true, all_varchar = true)",
                [str(path)],
            )
        except duckdb.Error as exc:
            detail = str(exc).splitlines()[0][:300]
            return [Problem.error(table, _reference_name(path), None, None, None, "reference_unreadable", detail)]
    return []


def _reference_name(path: Path) -> str:
    project = Path(__file__).resolve().parent.parent
    return str(path.relative_to(project)) if path.is_relative_to(project) else str(path)


def _record_load(con: duckdb.DuckDBPyConnection, package: Path, result: LoadResult, source: str | None) -> None:
    warnings = [p for p in result.problems if p.severity == "warning"]
    con.execute(
        "insert into final.load_info values (?, ?, ?, ?, ?, ?, ?)",
        [datetime.now(), source or str(package.resolve()), _sha256(package), schema_fingerprint(), result.total_rows, len(warnings),
         result.seconds],
    )
    if warnings:
        import pandas as pd

        frame = pd.DataFrame(
            [[p.severity, p.file, p.row_number, p.column, p.value, p.check_name, p.message_zh, p.message_en]
             for p in warnings],
            columns=["severity", "file", "row_number", "column_name", "value", "check_name", "message_zh",
                     "message_en"],
        ).astype({"row_number": "Int64"})
        con.register("incoming_warnings", frame)
        con.execute("insert into final.load_problems select * from incoming_warnings")
        con.unregister("incoming_warnings")


def _verify(build_path: Path) -> None:
    """Open the finished file read-only once: never swap in a database that does not open."""
    check = duckdb.connect(str(build_path), read_only=True)
    try:
        check.execute("select count(*) from regions").fetchone()
    finally:
        check.close()


def work_folder(db_path: Path, kind: str = "load") -> Path:
    """A new private (0700) folder beside the database for one import's files: `kind` "load" (the
    loader's staging database, spill and extracted files) or "upload" (the package as uploaded in the
    browser). Named with the process id, so the next start can tell a killed import's folder from a
    running one's (cleanup_stale_work)."""
    prefix = WORK_PREFIX if kind == "load" else f".tuopin-{kind}-"
    private_folder(Path(db_path).parent)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=Path(db_path).parent))


WORK_PREFIXES = (WORK_PREFIX, ".tuopin-upload-")


def cleanup_stale_work(folder: Path) -> None:
    """Remove the work and upload folders left by an import that was killed (its process no longer
    exists)."""
    for prefix in WORK_PREFIXES:
        for stale in folder.glob(f"{prefix}*"):
            try:
                pid = int(stale.name[len(prefix):].split("-")[0])
            except ValueError:
                continue
            if pid == os.getpid() or _alive(pid):
                continue
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
