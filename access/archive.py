"""The archive of reports as sent (已报送存档): a SQLite file beside the account store.

A report-back goes to the People's Congress, the city or the province; afterwards late-entered and
corrected records change the figures. The archive keeps what was sent, so it can be downloaded again
byte for byte and compared with today's data (ui/archive.py):

- the files exactly as made when the report was saved (text, .docx, .xlsx, the PDF when the product
  makes one), each with its sha256, checked again on every read;
- what the report was: region, as-of date, exit preset, language, who saved it and when, to whom it
  went and a note;
- the data generation it was computed from (load_info of the database: loaded_at, package,
  package_sha256, tuopin_version) — an import or a rollback replaces the database, not the archive;
- the figures themselves (table, row, column, kind, value as JSON), and a compact fingerprint of the
  events and the members of the report's region (event id, household, type, date and an md5 of the row;
  person id, household, join and leave dates and an md5; zlib-compressed JSON, no names), so "what
  changed" can name the records entered late, corrected or removed since.

Why a separate file: the registry database is replaced whole by every import and rollback, and the
account store is the place for accounts and the audit log; the archive grows with the files it keeps.
It is created owner-only (common/files.py). The store knows nothing of regions: the caller passes the
region codes an account may see (`allowed`), and a report outside them is as good as absent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from access import sqlite
from access.store import default_path as accounts_path

KINDS = ("txt", "docx", "xlsx", "pdf")  # the files of a report, in the order they are offered
MIMES = {
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

SCHEMA = """
create table if not exists reports (
    id                  integer primary key autoincrement,
    saved_at            text not null,
    saved_by            text not null,
    saved_role          text,
    region_code         text not null,
    region_name         text not null,
    as_of               text not null,      -- YYYY-MM-DD
    rules               text not null,      -- the village exit preset
    language            text not null,      -- zh / en
    title               text not null,
    recipient           text not null,      -- npc / city / province / other (人大 / 市 / 省 / 其他)
    note                text not null default '',
    generation_loaded_at text,              -- load_info of the database the report was computed from
    generation_package  text,
    generation_sha256   text,
    generation_version  text,
    figures             text not null,      -- JSON: [{table, row, column, kind, value}]
    events              blob not null       -- zlib(JSON): {"events": [[event_id, row_hash, household_id, type,
                                            -- date]], "members": [[person_id, row_hash, household_id, joined_on,
                                            -- left_on]]}
);
create index if not exists reports_region on reports(region_code);
create table if not exists report_files (
    report_id           integer not null references reports(id),
    kind                text not null,      -- txt / docx / xlsx / pdf
    file_name           text not null,
    mime                text not null,
    size                integer not null,
    sha256              text not null,
    content             blob not null,
    primary key (report_id, kind)
);
"""


class ArchiveError(Exception):
    """A stored file no longer matches its sha256; message in Chinese and English."""


@dataclass(frozen=True)
class Generation:
    """One database generation: what load_info says of the load that built it."""

    loaded_at: str | None
    package: str | None
    package_sha256: str | None
    version: str | None


@dataclass(frozen=True)
class StoredFile:
    kind: str
    file_name: str
    mime: str
    size: int
    sha256: str
    content: bytes


@dataclass(frozen=True)
class ArchivedReport:
    id: int
    saved_at: str
    saved_by: str
    saved_role: str | None
    region_code: str
    region_name: str
    as_of: dt.date
    rules: str
    language: str
    title: str
    recipient: str
    note: str
    generation: Generation
    files: tuple[tuple[str, str, int, str], ...]  # (kind, file name, size, sha256), in KINDS order


def default_path(registry_db: Path) -> Path:
    """TUOPIN_ARCHIVE, or beside the account store: `<db>.archive.sqlite` next to `<db>.accounts.sqlite`
    (with TUOPIN_ACCOUNTS=/x/accounts.sqlite: /x/accounts.archive.sqlite)."""
    named = os.environ.get("TUOPIN_ARCHIVE")
    if named:
        return Path(named).resolve()
    accounts = accounts_path(Path(registry_db))
    return accounts.with_name(accounts.stem.removesuffix(".accounts") + ".archive.sqlite")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def pack_records(records: dict[str, list[list]]) -> bytes:
    return zlib.compress(json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode(), 9)


def unpack_records(blob: bytes) -> dict[str, list[list] | None]:
    """{"events": [...], "members": [...]}; a report archived with the events alone (a list) has no members."""
    records = json.loads(zlib.decompress(blob).decode())
    return {"events": records, "members": None} if isinstance(records, list) else records


class Archive:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _db(self, *, write: bool = False):
        """One transaction (access/sqlite.py), the file made owner only and its tables sure of first."""
        return sqlite.transaction(sqlite.connect(self.path, SCHEMA), write=write)

    def save(self, *, saved_by: str, saved_role: str | None, region_code: str, region_name: str, as_of: dt.date,
             rules: str, language: str, title: str, recipient: str, note: str, generation: Generation,
             figures: list[dict], events: list[list], files: list[tuple[str, str, bytes]],
             members: list[list] | None = None) -> int:
        """Store a report as sent; `files` are (kind, file name, bytes); `events` and `members` the
        fingerprints of the region's records. Returns its number."""
        unknown = [kind for kind, _, _ in files if kind not in KINDS]
        if unknown:
            raise ValueError(f"unknown file kinds {unknown}")
        with self._db(write=True) as con:
            cursor = con.execute(
                "insert into reports (saved_at, saved_by, saved_role, region_code, region_name, as_of, rules,"
                " language, title, recipient, note, generation_loaded_at, generation_package, generation_sha256,"
                " generation_version, figures, events) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (dt.datetime.now().isoformat(timespec="seconds"), saved_by, saved_role, region_code, region_name,
                 as_of.isoformat(), rules, language, title, recipient, note[:2000], generation.loaded_at,
                 generation.package, generation.package_sha256, generation.version,
                 json.dumps(figures, ensure_ascii=False), pack_records({"events": events, "members": members})))
            number = cursor.lastrowid
            con.executemany(
                "insert into report_files (report_id, kind, file_name, mime, size, sha256, content)"
                " values (?, ?, ?, ?, ?, ?, ?)",
                [(number, kind, name, MIMES[kind], len(content), sha256(content), content)
                 for kind, name, content in files])
        return number

    def reports(self, allowed: Collection[str]) -> list[ArchivedReport]:
        """The archived reports of the regions in `allowed` (the codes an account may see), newest first."""
        if not self.path.exists():
            return []
        with self._db() as con:
            rows = con.execute(f"select {_COLUMNS} from reports order by id desc").fetchall()
            files = con.execute("select report_id, kind, file_name, size, sha256 from report_files").fetchall()
        return [_report(row, files) for row in rows if row[4] in allowed]

    def report(self, number: int, allowed: Collection[str]) -> ArchivedReport | None:
        """One archived report, or None when there is none of that number or its region is not allowed."""
        if not self.path.exists():
            return None
        with self._db() as con:
            row = con.execute(f"select {_COLUMNS} from reports where id = ?", (int(number),)).fetchone()
            files = con.execute("select report_id, kind, file_name, size, sha256 from report_files"
                                " where report_id = ?", (int(number),)).fetchall()
        return _report(row, files) if row and row[4] in allowed else None

    def file(self, number: int, kind: str, allowed: Collection[str]) -> StoredFile | None:
        """A stored file as it was saved (None when absent or not allowed); ArchiveError when its bytes
        no longer match the sha256 stored with them."""
        if self.report(number, allowed) is None:
            return None
        with self._db() as con:
            row = con.execute("select kind, file_name, mime, size, sha256, content from report_files"
                              " where report_id = ? and kind = ?", (int(number), kind)).fetchone()
        if row is None:
            return None
        stored = StoredFile(*row[:5], bytes(row[5]))
        if sha256(stored.content) != stored.sha256 or len(stored.content) != stored.size:
            raise ArchiveError(f"存档第 {number} 号的 {stored.file_name} 与保存时的 SHA-256 不符，文件已损坏 / "
                               f"archived report {number}: {stored.file_name} does not match the SHA-256 it was "
                               f"saved with; the file is damaged")
        return stored

    def figures(self, number: int, allowed: Collection[str]) -> list[dict] | None:
        if self.report(number, allowed) is None:
            return None
        with self._db() as con:
            return json.loads(con.execute("select figures from reports where id = ?", (int(number),)).fetchone()[0])

    def records(self, number: int, allowed: Collection[str]) -> dict[str, list[list] | None] | None:
        """The fingerprints kept with a report: {"events": [...], "members": [...] or None}."""
        if self.report(number, allowed) is None:
            return None
        with self._db() as con:
            return unpack_records(con.execute("select events from reports where id = ?", (int(number),)).fetchone()[0])

    def events(self, number: int, allowed: Collection[str]) -> list[list] | None:
        records = self.records(number, allowed)
        return None if records is None else records["events"]

    def members(self, number: int, allowed: Collection[str]) -> list[list] | None:
        records = self.records(number, allowed)
        return None if records is None else records["members"]


_COLUMNS = ("id, saved_at, saved_by, saved_role, region_code, region_name, as_of, rules, language, title, recipient,"
            " note, generation_loaded_at, generation_package, generation_sha256, generation_version")


def _report(row, files) -> ArchivedReport:
    mine = sorted(((kind, name, size, digest) for number, kind, name, size, digest in files if number == row[0]),
                  key=lambda f: KINDS.index(f[0]))
    return ArchivedReport(*row[:6], dt.date.fromisoformat(row[6]), *row[7:12], Generation(*row[12:16]), tuple(mine))
