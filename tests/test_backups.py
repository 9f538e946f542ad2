"""The last databases are kept on every import and one can be swapped back (rollback)."""

from __future__ import annotations

import hashlib

from common.paths import SERVING_DIR
from etl import backups
from etl.load import load_package
from queries import Database
from tests.conftest import TINY, TOWNSHIP


def top_name(db) -> str:
    with Database(db) as database:
        return database.query("registry_summary", as_of="2019-12-31").region_name.iloc[0]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_import_keeps_the_previous_database_and_a_rollback_restores_it(tmp_path):
    db = tmp_path / "tuopin.duckdb"
    load_package(TINY, db)
    assert backups.backups(db) == []  # nothing was replaced
    tiny_digest = digest(db)
    load_package(TOWNSHIP, db)
    assert top_name(db) == "试点县"
    kept = backups.backups(db)
    assert len(kept) == 1 and digest(kept[0].path) == tiny_digest

    backups.rollback(db, kept[0].path)
    assert top_name(db) == "小试县" and digest(db) == tiny_digest
    after = backups.backups(db)
    assert len(after) == 2 and top_name(after[0].path) == "试点县"  # the rollback can be undone too


def test_only_the_newest_are_kept(tmp_path):
    db = tmp_path / "tuopin.duckdb"
    for _ in range(backups.KEEP + 2):
        load_package(TINY, db)
    assert len(backups.backups(db)) == backups.KEEP
    # no import's work folder is left; the serving folder (its seals, queries/ready.py) is not one
    assert [p.name for p in tmp_path.glob(".tuopin-*")] == [SERVING_DIR]


def test_a_rollback_refuses_files_outside_the_backup_folder(tmp_path):
    db = tmp_path / "tuopin.duckdb"
    load_package(TINY, db)
    before = digest(db)
    stranger = tmp_path / "elsewhere.duckdb"
    stranger.write_bytes(b"not a database")
    try:
        backups.rollback(db, stranger)
    except FileNotFoundError as error:
        assert "no such backup" in str(error)
    else:
        raise AssertionError("a file outside backups/ was swapped in")
    assert digest(db) == before
