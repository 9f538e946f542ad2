"""Importing a package uploaded in the browser: the uploads go into a fresh private work folder beside
the database (removed afterwards; a killed import's is removed at the next start, ui/data.py), then
the loader (etl/service.import_package) replaces the database atomically, or leaves it untouched and
says why.

No Streamlit here (pages/data_import.py draws): this module takes names and bytes, so tests drive it
directly against a real database file.
"""

from __future__ import annotations

import fcntl
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from common.files import lock_file
from common.masking import column_kind, mask, mask_reason
from etl.service import MAX_PACKAGE_BYTES, LoadFailed, Problem, import_package, table_names, work_folder, write_rejects

MAX_NAME_CHARS = 200


class UploadRefused(Exception):
    """The uploads cannot even be staged (bad name, too large): `key` and `values` for ui.i18n.t."""

    def __init__(self, key: str, **values):
        super().__init__(key, values)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Upload:
    name: str  # as the browser sent it
    data: bytes | memoryview


@dataclass
class ImportOutcome:
    ok: bool
    package_name: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)  # failure: every problem; success: the warnings
    rejects_csv: bytes | None = None  # the loader's rejects report (both languages), when there are problems
    rejects_xlsx: bytes | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def safe_name(name: str) -> str:
    """The upload's own file name, or a refusal: only a base name — no path separators, no '..', no
    control characters — may name a file in the work folder."""
    name = unicodedata.normalize("NFC", name or "")
    if (not name.strip() or name in (".", "..") or "/" in name or "\\" in name or ".." in name
            or any(unicodedata.category(ch) == "Cc" for ch in name) or len(name) > MAX_NAME_CHARS):
        raise UploadRefused("imp_upload_bad_name", name=name[:MAX_NAME_CHARS])
    return name


def package_name(uploads: Sequence[Upload]) -> str:
    """The package as the user named it: the one file's name, or the files' names."""
    return uploads[0].name if len(uploads) == 1 else ", ".join(u.name for u in uploads)


def summary(uploads: Sequence[Upload]) -> str:
    """What an import starts with, for the audit log: "小试县.zip: 5,727 bytes"."""
    return f"{package_name(uploads)[:500]}: {sum(len(u.data) for u in uploads):,} bytes"


def stage(uploads: Sequence[Upload], work: Path) -> Path:
    """Write the uploads into `work` and return the package to load: a single .zip as it is, several
    files (or one non-zip) as a folder holding them."""
    if not uploads:
        raise UploadRefused("imp_upload_nothing")
    total = sum(len(u.data) for u in uploads)
    if total > MAX_PACKAGE_BYTES:
        raise UploadRefused("imp_upload_too_large", size=_mib(total), limit=_mib(MAX_PACKAGE_BYTES))
    names = [safe_name(u.name) for u in uploads]
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise UploadRefused("imp_upload_duplicate_name", name=name)
        seen.add(name.lower())
    work = work.resolve()
    if len(uploads) == 1 and names[0].lower().endswith(".zip"):
        folder, package = work, work / names[0]
    else:
        folder = package = work / "package"
        folder.mkdir()
    for upload, name in zip(uploads, names, strict=True):
        target = (folder / name).resolve()
        if target.parent != folder:  # belt and braces: never outside the work folder
            raise UploadRefused("imp_upload_bad_name", name=name)
        with open(target, "xb") as f:
            f.write(upload.data)
    return package


def import_uploads(uploads: Sequence[Upload], db_path: Path,
                   progress: Callable[[float, str], None] | None = None) -> ImportOutcome:
    """Stage the uploads in a temporary work folder and load them into `db_path`.

    Success: the database was replaced (os.replace by etl.load). Failure: `db_path` is untouched and
    the outcome carries every problem and the rejects report. Raises UploadRefused before anything is
    written when the uploads themselves are refused. One import (or first-start build) at a time per
    database: the lock file is the one ui.data.build_demo_database takes.
    """
    db_path = Path(db_path)
    work = work_folder(db_path, "upload")
    try:
        return _import(uploads, db_path, work, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _import(uploads: Sequence[Upload], db_path: Path, work: Path,
            progress: Callable[[float, str], None] | None) -> ImportOutcome:
    with lock_file(db_path.with_name(db_path.name + ".build-lock")) as lock:
        package = stage(uploads, work)
        name = package_name(uploads)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = import_package(package, db_path, progress=progress, source=f"上传 upload: {name}")
        except LoadFailed as failed:
            # the loader writes the report beside the database; when it could not, write it here
            rejects = failed.rejects or write_rejects(failed.problems, work / "rejects.csv")
            return ImportOutcome(False, name, problems=list(failed.problems),
                                 rejects_csv=rejects[0].read_bytes(), rejects_xlsx=rejects[1].read_bytes())
        warnings = [p for p in result.problems if p.severity == "warning"]
        outcome = ImportOutcome(True, name, rows=dict(result.rows), seconds=result.seconds, problems=warnings)
        if result.rejects:
            outcome.rejects_csv, outcome.rejects_xlsx = (path.read_bytes() for path in result.rejects)
        return outcome


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.1f} MiB"


def problem_table(problems: Sequence[Problem], language: str) -> pd.DataFrame:
    """The problems as a table for the page: errors first, the reason in `language`, names and ID
    numbers masked as the quality_load_problems query masks them (common/masking.py; the downloadable
    rejects report, offered only to the session that uploaded the package, is the loader's own, in both
    languages and masked alike)."""
    rows = []
    for p in sorted(problems, key=lambda p: p.severity != "error"):
        kind = column_kind(p.column)
        rows.append({
            "severity": p.severity,
            "file": p.file,
            "row_number": p.row_number,
            "column_name": p.column,
            "value": mask(p.value, kind),
            "check_name": p.check_name,
            "reason": mask_reason(p.message_en if language == "en" else p.message_zh, p.check_name, kind),
        })
    frame = pd.DataFrame(rows, columns=["severity", "file", "row_number", "column_name", "value", "check_name",
                                        "reason"])
    return frame.astype({"row_number": "Int64"})


def rows_table(rows: dict[str, int], language: str) -> pd.DataFrame:
    """Rows loaded per table, named as the contract names its files (区划 / regions), in contract order."""
    names = table_names()
    order = [*names]
    frame = pd.DataFrame(
        [{"table": names.get(table, (table, table))[1 if language == "en" else 0], "rows": n,
          "_order": order.index(table) if table in order else len(order)} for table, n in rows.items()],
        columns=["table", "rows", "_order"],
    )
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
