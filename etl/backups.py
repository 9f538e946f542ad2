"""The last few databases, kept so an administrator can undo an import in one click.

Before an import swaps a new database in, the current file is hard-linked (same inode: no copy, no
extra space until the swap) into `backups/` beside it; only the newest KEEP are kept. A rollback copies
the chosen backup into a work file and swaps it in with os.replace, so readers never see a half
file, and the database it replaces becomes a backup in turn (a rollback can itself be undone).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common.files import FILE_MODE, private_file, private_folder

KEEP = 3


@dataclass(frozen=True)
class Backup:
    path: Path
    saved_at: dt.datetime
    size: int


def folder(db_path: Path) -> Path:
    return Path(db_path).resolve().parent / "backups"


def keep(db_path: Path) -> Path | None:
    """Keep the current database as a backup (before it is replaced); prune to the newest KEEP."""
    db_path = Path(db_path).resolve()
    if not db_path.exists():
        return None
    target_dir = private_folder(folder(db_path))
    try:
        os.chmod(db_path, FILE_MODE)  # a file written before files were private: its links share the mode
    except OSError:
        pass
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = target_dir / f"{db_path.stem}-{stamp}.duckdb"
    try:
        os.link(db_path, target)
    except OSError:  # a filesystem without hard links
        shutil.copyfile(db_path, private_file(target))
    for old in backups(db_path)[KEEP:]:
        old.path.unlink(missing_ok=True)
    return target


def backups(db_path: Path) -> list[Backup]:
    """The kept databases, newest first."""
    db_path = Path(db_path).resolve()
    found = []
    for path in folder(db_path).glob(f"{db_path.stem}-*.duckdb"):
        stat = path.stat()
        stamp = path.stem[len(db_path.stem) + 1:]
        try:
            saved = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f")
        except ValueError:
            continue
        found.append(Backup(path, saved, stat.st_size))
    return sorted(found, key=lambda b: b.saved_at, reverse=True)


def _opens(db_path: Path) -> bool:
    """Whether the file is a database with a load stamp (not garbage, not damaged where it is read)."""
    import duckdb

    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            con.execute("select count(*) from load_info").fetchone()
        return True
    except (duckdb.Error, OSError):
        return False


def rollback(db_path: Path, backup: Path) -> None:
    """Swap a kept database back in (atomically); the one it replaces is kept in turn."""
    db_path = Path(db_path).resolve()
    backup = Path(backup).resolve()
    if backup.parent != folder(db_path) or not backup.exists():
        raise FileNotFoundError(f"没有这个备份 / no such backup: {backup.name}")
    # mkstemp creates the file 0600; copyfile keeps that mode
    fd, temporary = tempfile.mkstemp(prefix=".tuopin-rollback-", suffix=".duckdb", dir=db_path.parent)
    os.close(fd)
    try:
        shutil.copyfile(backup, temporary)  # a fresh mtime: the dashboard keys its caches on it
        if _opens(db_path) or not db_path.exists():
            keep(db_path)
        else:  # a damaged file is set aside, unlisted, so it cannot push a good backup out of the newest KEEP
            damaged = private_folder(folder(db_path)) / f"{db_path.stem}-damaged-{dt.datetime.now():%Y%m%d-%H%M%S-%f}"
            os.link(db_path, damaged)
        os.replace(temporary, db_path)
        db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
    finally:
        Path(temporary).unlink(missing_ok=True)
