"""The two SQLite files beside the database — the accounts store with its audit log (access/store.py)
and the archive of reports as sent (access/archive.py) — are opened and written the same way: owner
only from their first byte, their tables made sure of once per process, one explicit transaction at
a time, a writer taking the write lock at once and a concurrent one waiting for it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from common.files import private_file, private_folder

BUSY_TIMEOUT_SECONDS = 30  # how long a writer waits for another's transaction

_ready: set[tuple[Path, str]] = set()  # (file, schema) pairs this process has made sure of


def connect(path: Path, schema: str, migrate: Callable[[sqlite3.Connection], None] | None = None
            ) -> sqlite3.Connection:
    """A connection in autocommit mode (`transaction` begins them explicitly). A new file is made owner
    only (SQLite's journals take its mode); the schema's `create … if not exists` runs once per file
    per process, then `migrate` in a transaction of its own (a column an older version lacked)."""
    path = Path(path)
    new = not path.exists()
    if new:
        private_file(private_folder(path.parent) / path.name)
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    if new or (path, schema) not in _ready:
        con.executescript(schema)
        if migrate is not None:
            con.execute("begin immediate")
            migrate(con)
            con.execute("commit")
        _ready.add((path, schema))
    return con


@contextmanager
def transaction(con: sqlite3.Connection, *, write: bool) -> Iterator[sqlite3.Connection]:
    """One transaction on `con`, closed after: a writing one takes the write lock at once (BEGIN
    IMMEDIATE), so what it reads stays true until it commits; anything raised rolls it back."""
    try:
        con.execute("begin immediate" if write else "begin")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    finally:
        con.close()
