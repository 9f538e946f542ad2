"""Private files: everything the product writes holds or leads to personal data (the database, its
backups and serving links, the account store and audit log, rejects reports, work folders), so it is
created readable by its owner only — files 0600, folders 0700 — whatever the process umask is. The
mode is given when the file is created, so there is no moment when another user could open it."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path, *, parents: bool = True) -> Path:
    """Create `path` (and missing parents) as 0700; an existing folder is left as it is."""
    path = Path(path)
    if not path.is_dir():
        if parents and not path.parent.exists():
            private_folder(path.parent, parents=True)
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            pass
        else:
            os.chmod(path, FOLDER_MODE)  # the umask may have taken bits away, never added them
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty as 0600 unless it exists (then it is tightened to 0600): a library that then
    opens it for writing (SQLite, xlsxwriter, DuckDB) truncates it and keeps the mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return Path(path)


def open_private(path: Path, mode: str = "w", **kwargs):
    """open() for writing a new or replaced file, created 0600."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, mode, **kwargs)


def lock_file(path: Path):
    """A lock file (no data in it) opened for fcntl.flock, created 0600."""
    return open_private(path, "a")
