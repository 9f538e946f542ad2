"""What the dashboard asks of the loader, in one place: the state of a database file, building the
bundled demo, importing a package, the backups and rolling back. The UI (ui/, pages/) imports nothing
else from etl (tests/test_layering.py), so the loader can change behind this door.

The demo is only ever built where no county's data has been loaded: a database loaded from any other
package leaves a marker beside it (`<db>.real-data`), and its backups carry the package in their
stamp. Where either says real data was there, a missing or unreadable file is reported, never
replaced with the fictional county.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from common.files import FILE_MODE, FOLDER_MODE, lock_file, private_folder
from common.paths import SERVING_DIR
from etl import backups as _backups
from etl.load import (
    LoadFailed,
    LoadResult,
    cleanup_stale_work,
    load_package,
    real_data_marker,
    rejects_base,
    schema_fingerprint,
    work_folder,
)
from etl.problems import PackageError, Problem, write_rejects
from etl.read import MAX_PACKAGE_BYTES

ROOT = Path(__file__).resolve().parent.parent
DEMO_PACKAGE = ROOT / "data" / "demo"
DEMO_SOURCES = ROOT / "etl" / "demo"
KEEP = _backups.KEEP
Backup = _backups.Backup

__all__ = ["DEMO_PACKAGE", "KEEP", "MAX_PACKAGE_BYTES", "Backup", "DemoRefused", "LoadFailed", "LoadResult",
           "Problem", "Stamp", "backups", "build_demo", "cleanup_stale_work", "demo_package_current", "import_package", "inspect",
           "is_demo_package", "real_data_loaded", "rollback", "schema_fingerprint", "table_names", "tighten", "work_folder", "write_rejects",
           "PackageError", "convert_rosters", "preview_roster", "propose_roster_mapping", "roster_fields",
           "roster_copies", "roster_mapping"]

Progress = Callable[[float, str], None]


class DemoRefused(Exception):
    """The demo would be built where a county's data was loaded."""


@dataclass(frozen=True)
class Stamp:
    """What a database file is: state "ok", "missing" or "unreadable" (not a database, damaged, or
    without the load stamp), the schema fingerprint of the code that built it and the package it was
    loaded from."""

    state: str
    built_by: str | None = None
    package: str | None = None


def inspect(db_path: Path) -> Stamp:
    db_path = Path(db_path)
    if not db_path.exists():
        return Stamp("missing")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except (duckdb.Error, OSError):
        return Stamp("unreadable")
    try:
        row = con.execute("select tuopin_version, package from load_info order by loaded_at desc limit 1").fetchone()
    except duckdb.Error:
        return Stamp("unreadable")
    finally:
        con.close()
    return Stamp("ok", row[0], row[1]) if row else Stamp("unreadable")


def is_demo_package(package: str | None) -> bool:
    """A stamp's package naming the bundled demo (or no package at all: an unstamped file)."""
    return package is None or Path(package).resolve() == DEMO_PACKAGE.resolve()


def real_data_loaded(db_path: Path) -> bool:
    """Whether a county's data was ever loaded at `db_path`: the marker the loader leaves, or a kept
    backup stamped with another package than the demo (deployments loaded before the marker)."""
    db_path = Path(db_path)
    if real_data_marker(db_path).exists():
        return True
    for backup in _backups.backups(db_path):
        stamp = inspect(backup.path)
        if stamp.state == "ok" and not is_demo_package(stamp.package):
            return True
    return False


@functools.cache
def demo_fingerprint() -> str:
    """A hash of the demo generator's code and of the contract it writes: a demo package written by
    other code differs, and is written again before the demo database is rebuilt."""
    digest = hashlib.sha256(schema_fingerprint().encode())
    for path in sorted(DEMO_SOURCES.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _demo_stamp(package: Path) -> Path:
    return package.with_name(package.name + ".generator")  # beside the package: the loader reads the folder


def demo_package_current(package: Path | None = None) -> bool:
    """The demo package on disk was written by this version's generator (its stamp says so)."""
    stamp = _demo_stamp(package or DEMO_PACKAGE)
    try:
        return stamp.read_text(encoding="utf-8").strip() == demo_fingerprint()
    except OSError:
        return False


def build_demo(db_path: Path, may_build: Callable[[], bool], progress: Progress) -> None:
    """Write the demo package (演示数据) and load it at `db_path`. One builder at a time (a lock file
    beside the database); `may_build` is asked again under the lock (another session may have built
    it meanwhile). Refuses (DemoRefused) where real data was loaded, whatever the caller thought."""
    from etl.demo import write_demo_package

    db_path = Path(db_path)
    private_folder(db_path.parent)
    with lock_file(db_path.with_name(db_path.name + ".build-lock")) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not may_build():
            return
        if real_data_loaded(db_path):
            raise DemoRefused(f"已导入过真实数据，不生成演示数据 / real data was loaded here; no demo: {db_path}")
        if not demo_package_current():  # none yet, or one an older version of the generator wrote
            shutil.rmtree(DEMO_PACKAGE, ignore_errors=True)
            write_demo_package(DEMO_PACKAGE, scale=1, seed=2014,
                               progress=lambda f, m: progress(0.5 * f, f"生成演示数据 generating demo data: {m}"))
            _demo_stamp(DEMO_PACKAGE).write_text(demo_fingerprint() + "\n", encoding="utf-8")
        load_package(DEMO_PACKAGE, db_path, progress=lambda f, m: progress(0.5 + 0.5 * f, m), demo=True)


def import_package(package: Path, db_path: Path, progress: Progress | None = None,
                   source: str | None = None) -> LoadResult:
    """Load a county's package over `db_path` (etl.load.load_package: all or nothing)."""
    return load_package(package, db_path, progress=progress, source=source)


def backups(db_path: Path) -> list[Backup]:
    return _backups.backups(db_path)


def rollback(db_path: Path, backup: Path) -> None:
    _backups.rollback(db_path, backup)


def tighten(db_path: Path, others: tuple[Path, ...] = ()) -> list[Path]:
    """Make the files of a deployment that predates private files owner-only: the database, its marker,
    rejects report, backups and serving links (0600, their folders 0700), and `others` (the account
    store). Files of another owner are left as they are. Returns what was changed."""
    db_path = Path(db_path)
    rejects = rejects_base(db_path)
    files = [db_path, real_data_marker(db_path), rejects, rejects.with_suffix(".xlsx"), *map(Path, others)]
    folders = [_backups.folder(db_path), db_path.parent / SERVING_DIR]
    for folder in folders:
        files += [p for p in folder.glob("*") if p.is_file()] if folder.is_dir() else []
    changed = []
    for path, mode in [*((f, FILE_MODE) for f in files), *((f, FOLDER_MODE) for f in folders)]:
        try:
            if path.exists() and path.stat().st_mode & 0o777 != mode:
                os.chmod(path, mode)
                changed.append(path)
        except PermissionError:
            pass
    return changed


def table_names() -> dict[str, tuple[str, str]]:
    """Each table of the contract with its file name in Chinese and English (区划 / regions)."""
    from etl.contract import contract

    names = {spec.table: (spec.stem_zh, spec.table) for spec in contract().files}
    names["boundaries"] = ("边界", "boundaries")
    return names


# ---- roster snapshots (花名册): converted to a package by etl/roster, then loaded like any package -------

def propose_roster_mapping(path: Path):
    """The mapping etl.roster proposes for a roster file, folder or zip (Mapping; PackageError when unreadable)."""
    from etl.roster import propose_mapping

    return propose_mapping(path)


def roster_mapping(toml_text: str | None = None, path: Path | None = None, data: dict | None = None):
    """A roster mapping read from TOML text, a saved file or a dict (etl.roster.Mapping; PackageError)."""
    import tomllib

    from etl.roster import Mapping

    if path is not None:
        return Mapping.load(path)
    if toml_text is not None:
        return Mapping.from_dict(tomllib.loads(toml_text))
    return Mapping.from_dict(data or {})


def roster_fields() -> dict[str, tuple[str, str]]:
    """Every field a roster column can be mapped to: field -> (中文, English)."""
    from etl.roster.fields import FIELDS

    return dict(FIELDS)


def roster_copies(snapshots: list[Path], folder: Path) -> list[Path]:
    """Every roster among the snapshots (a zip's entries extracted with the package limits), copied into
    `folder` under its own base name, in the converter's order: what the mapping is proposed from and
    previewed on."""
    from etl.roster.snapshots import roster_files

    copies = []
    with roster_files(list(snapshots)) as files:
        for i, (path, display) in enumerate(files):
            target = Path(folder) / str(i) / Path(display).name
            target.parent.mkdir()
            shutil.copyfile(path, target)
            copies.append(target)
    return copies


def preview_roster(path: Path, mapping, rows: int = 10):
    """The first rows of a roster converted to contract fields (etl.roster.preview)."""
    from etl.roster import preview

    return preview(path, mapping, rows)


def convert_rosters(snapshots: list[Path], out_dir: Path, mapping=None, regions: Path | None = None,
                    progress: Progress | None = None):
    """Roster snapshots to a contract package in out_dir (etl.roster.convert: Conversion; PackageError)."""
    from etl.roster import convert

    return convert(snapshots, out_dir, mapping=mapping, regions=regions, progress=progress)
