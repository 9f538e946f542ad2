"""Importing a package uploaded in the browser: the uploads go into a fresh temporary work folder, then
etl.load.load_package replaces the database atomically, or leaves it untouched and says why.

No Streamlit here (pages/data_import.py draws): this module takes names and bytes, so tests drive it
directly against a real database file.
"""

from __future__ import annotations

import fcntl
import re
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.load import LoadFailed, load_package
from etl.problems import Problem, write_rejects
from etl.read import MAX_PACKAGE_BYTES

MAX_NAME_CHARS = 200
PERSONAL_COLUMNS = {  # headers (Chinese, or the English alias in any case) holding a name or an ID number
    "姓名": "name", "name": "name", "户主姓名": "name", "head_name": "name",
    "证件号码": "id", "id_number": "id", "户主证件号码": "id", "head_id_number": "id",
}


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
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tuopin-upload-") as work, \
            open(db_path.with_name(db_path.name + ".build-lock"), "w") as lock:
        package = stage(uploads, Path(work))
        name = uploads[0].name if len(uploads) == 1 else ", ".join(u.name for u in uploads)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = load_package(package, db_path, progress=progress, source=f"上传 upload: {name}")
        except LoadFailed as failed:
            # the loader writes the report beside the database; when it could not, write it here
            rejects = failed.rejects or write_rejects(failed.problems, Path(work) / "rejects.csv")
            return ImportOutcome(False, name, problems=list(failed.problems),
                                 rejects_csv=rejects[0].read_bytes(), rejects_xlsx=rejects[1].read_bytes())
        warnings = [p for p in result.problems if p.severity == "warning"]
        outcome = ImportOutcome(True, name, rows=dict(result.rows), seconds=result.seconds, problems=warnings)
        if result.rejects:
            outcome.rejects_csv, outcome.rejects_xlsx = (path.read_bytes() for path in result.rejects)
        return outcome


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.1f} MiB"


def mask(value: str | None, kind: str | None) -> str | None:
    """The privacy rule of queries/village_households.sql, for problems of a package that never became
    a database: names keep their first and last character, ID numbers their first 6 and last 4."""
    if value is None or kind is None:
        return value
    if kind == "id":
        return value[:6] + "********" + value[-4:] if len(value) >= 15 else "*" * len(value)
    if len(value) <= 1:
        return "*"
    return value[0] + "*" if len(value) == 2 else value[0] + "*" * (len(value) - 2) + value[-1]


# households_head_mismatch quotes the members file's name or ID: "…（成员表：X）" / "… (members: X)"
QUOTED = {"zh": re.compile(r"（成员表：(.*)）$"), "en": re.compile(r"\(members: (.*)\)$")}


def _reason(p: Problem, language: str, kind: str | None) -> str:
    text = p.message_en if language == "en" else p.message_zh
    if p.check_name == "households_head_mismatch":
        pattern = QUOTED["en" if language == "en" else "zh"]
        text = pattern.sub(lambda m: m.group(0).replace(m.group(1), mask(m.group(1), kind) or ""), text)
    return text


def problem_table(problems: Sequence[Problem], language: str) -> pd.DataFrame:
    """The problems as a table for the page: errors first, the reason in `language`, names and ID
    numbers masked as the quality_load_problems query masks them (the downloadable rejects report,
    offered only to the session that uploaded the package, is the loader's own, in both languages)."""
    rows = []
    for p in sorted(problems, key=lambda p: p.severity != "error"):
        kind = PERSONAL_COLUMNS.get((p.column or "").strip().lower())
        rows.append({
            "severity": p.severity,
            "file": p.file,
            "row_number": p.row_number,
            "column_name": p.column,
            "value": mask(p.value, kind),
            "check_name": p.check_name,
            "reason": _reason(p, language, kind),
        })
    frame = pd.DataFrame(rows, columns=["severity", "file", "row_number", "column_name", "value", "check_name",
                                        "reason"])
    return frame.astype({"row_number": "Int64"})


def rows_table(rows: dict[str, int], language: str) -> pd.DataFrame:
    """Rows loaded per table, named as the contract names its files (区划 / regions), in contract order."""
    from etl.contract import contract

    names = {spec.table: (spec.stem_zh, spec.table) for spec in contract().files}
    names["boundaries"] = ("边界", "boundaries")
    order = [*names]
    frame = pd.DataFrame(
        [{"table": names.get(table, (table, table))[1 if language == "en" else 0], "rows": n,
          "_order": order.index(table) if table in order else len(order)} for table, n in rows.items()],
        columns=["table", "rows", "_order"],
    )
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
