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

from common.files import lock_file, open_private
from common.masking import column_kind, mask, mask_reason
from etl.service import (
    MAX_PACKAGE_BYTES,
    LoadFailed,
    PackageError,
    Problem,
    convert_rosters,
    import_package,
    preview_roster,
    propose_roster_mapping,
    roster_copies,
    roster_fields,
    roster_mapping,
    table_names,
    work_folder,
    write_rejects,
)

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
    notes: list[str] = field(default_factory=list)  # a roster import: the converter's notes (Chinese / English)

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
        kind = column_kind(p.column) or column_kind((p.column or "").split("/")[-1])  # a roster's 家庭成员/姓名
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


# ---- rosters (花名册) --------------------------------------------------------------------------------
# An office's monthly rosters instead of a package: staged like a package, converted by the roster
# converter (etl/roster through etl.service) into a package in the same work folder, then loaded as one.

ROSTER_TYPES = ["xlsx", "xls", "csv", "txt", "zip"]
# uploaded beside the rosters, these are the regions file (and its village years), not rosters
REGION_STEMS = {"区划": "regions", "regions": "regions", "村年度情况": "village_year", "village_year": "village_year"}
MAX_UNKNOWN_SHOWN = 50  # values per field listed for the value table
# rows read for values the mapping does not know, over all the uploaded rosters (reading is ~6,000 rows a
# second; the conversion names every unknown value anyway, with file, row and column)
MAX_SCAN_ROWS = 20_000
PERSONAL_FIELDS = {"name": "name", "head_name": "name", "id_number": "id", "head_id_number": "id"}


def mapping_file(db_path: Path, monitoring: bool = False) -> Path:
    """Where a roster mapping is kept for next month: beside the database, as the account store is
    (<db>.roster-mapping.toml; a monitoring roster's <db>.monitoring-mapping.toml)."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + (".monitoring-mapping.toml" if monitoring else ".roster-mapping.toml"))


def save_mapping(mapping, db_path: Path) -> Path:
    """Write the mapping (TOML) beside the database, readable by its owner only (common/files.py)."""
    path = mapping_file(db_path, mapping.is_monitoring)
    with open_private(path, "w", encoding="utf-8") as handle:
        handle.write(mapping.to_toml())
    return path


def saved_mapping(db_path: Path, monitoring: bool = False):
    """The mapping saved last time, or None (none saved, or no longer readable)."""
    path = mapping_file(db_path, monitoring)
    if not path.is_file():
        return None
    try:
        return roster_mapping(path=path)
    except PackageError:
        return None


def stage_rosters(uploads: Sequence[Upload], work: Path) -> tuple[list[Path], Path | None]:
    """Write the uploads into `work` (the package rules: names, size, duplicates) and return the rosters
    to convert — a .zip as it is, else each file — and the regions file when one was uploaded with them
    (区划.csv, with 村年度情况.csv beside it)."""
    package = stage(uploads, work)
    if package.suffix.lower() == ".zip":
        return [package], None
    regions_folder = work / "regions"
    rosters, regions = [], None
    for path in sorted(package.iterdir()):
        kind = REGION_STEMS.get(path.stem.strip().lower())
        if kind is None:
            rosters.append(path)
            continue
        regions_folder.mkdir(exist_ok=True)
        target = regions_folder / (("区划" if kind == "regions" else "村年度情况") + path.suffix.lower())
        path.rename(target)
        if kind == "regions":
            regions = target
    if not rosters:
        raise UploadRefused("imp_upload_nothing")
    return rosters, regions


@dataclass
class RosterDraft:
    """What the page shows before a roster import: the mapping to start from, the file's columns, the
    values no value table names, and the first rows converted (names and ID numbers masked)."""

    mapping: object  # etl.roster.Mapping
    source: str  # "saved": last month's mapping fits the file; "proposed": drafted from its headers
    labels: list[str]  # the file's column labels: those the mapping places, then those it does not
    unknown: dict[str, list[str]]
    preview: pd.DataFrame
    sample: str  # the file the draft was made from
    scanned: int = 0  # data rows read for unknown values
    scanned_all: bool = True  # every row of every roster (else the first MAX_SCAN_ROWS)


def draft_roster(uploads: Sequence[Upload], db_path: Path, mapping=None) -> RosterDraft:
    """Propose (or take the saved, or the given) mapping for the first uploaded roster and preview it.
    Raises UploadRefused for the uploads themselves, PackageError for a roster the converter cannot read."""
    work = work_folder(Path(db_path), "upload")
    try:
        (work / "staged").mkdir()
        rosters, _ = stage_rosters(uploads, work / "staged")
        copies = roster_copies(rosters, work)
        sample = copies[0]
        proposal = propose_roster_mapping(sample)
        labels = [*proposal.columns.values(), *proposal.unplaced]
        source = "given"
        if mapping is None:
            saved = saved_mapping(db_path, proposal.is_monitoring)
            if saved is not None and set(saved.columns.values()) <= set(labels):
                mapping, source = saved, "saved"
            else:
                mapping, source = proposal, "proposed"
        rows = preview_roster(sample, mapping, rows=10)
        found: dict[str, set[str]] = {}
        scanned, scanned_all = 0, True
        for copy in copies:  # every value of every roster that no value table names, up to MAX_SCAN_ROWS rows
            if scanned >= MAX_SCAN_ROWS:
                scanned_all = False
                break
            try:
                every = preview_roster(copy, mapping, rows=MAX_SCAN_ROWS - scanned + 1)
            except PackageError:
                continue  # the conversion names what is wrong with this file
            if len(every) > MAX_SCAN_ROWS - scanned:
                every, scanned_all = every.head(MAX_SCAN_ROWS - scanned), False
            scanned += len(every)
            for name in mapping.columns:
                if name in every:
                    found.setdefault(name, set()).update(
                        v[2:] for v in every[name] if isinstance(v, str) and v.startswith("⚠ "))
        unknown = {name: sorted(values)[:MAX_UNKNOWN_SHOWN] for name, values in found.items() if values}
        shown = rows.copy()
        for name, kind in PERSONAL_FIELDS.items():
            if name in shown:
                shown[name] = shown[name].map(lambda v, kind=kind: mask(v, kind) if v else v)
        return RosterDraft(mapping, source, labels, unknown, shown, sample.name, scanned, scanned_all)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def field_choices(language: str) -> dict[str, str]:
    """Each field as the mapping table offers it ("户编号 · household_id"), and "" for a column not used."""
    return {"": "", **{name: f"{zh if language != 'en' else en} · {name}" for name, (zh, en) in roster_fields().items()}}


def columns_table(draft: RosterDraft, language: str) -> pd.DataFrame:
    """The mapping's columns as an editable table: one row per column of the file, its field or empty."""
    placed = {label: name for name, label in draft.mapping.columns.items()}
    choices = field_choices(language)
    return pd.DataFrame({"column": draft.labels, "field": [choices[placed.get(label, "")] for label in draft.labels]})


def values_table(draft: RosterDraft, language: str) -> pd.DataFrame:
    """The mapping's value table as an editable table, with the file's unknown values to fill in."""
    choices = field_choices(language)
    rows = [(choices[name], written, meant) for name, table in draft.mapping.values.items()
            for written, meant in table.items()]
    rows += [(choices[name], value, "") for name, values in draft.unknown.items() for value in values
             if value not in draft.mapping.values.get(name, {})]
    return pd.DataFrame(rows, columns=["field", "written", "meant"])


def edited_mapping(base, columns: pd.DataFrame, values: pd.DataFrame, language: str):
    """The mapping the tables now say, built on `base` (header, skip rows, removal rule, date source).
    A field given to two columns is refused (UploadRefused imp_roster_field_twice)."""
    by_choice = {choice: name for name, choice in field_choices(language).items()}
    placed: dict[str, str] = {}
    for label, choice in zip(columns["column"], columns["field"], strict=True):
        name = by_choice.get(choice or "", "")
        if not name:
            continue
        if name in placed:
            raise UploadRefused("imp_roster_field_twice", field=choice, first=placed[name], second=label)
        placed[name] = label
    table: dict[str, dict[str, str]] = {}
    for choice, written, meant in values[["field", "written", "meant"]].itertuples(index=False):
        name = by_choice.get(choice or "", "")
        if name and isinstance(written, str) and written.strip() and isinstance(meant, str) and meant.strip():
            table.setdefault(name, {})[written.strip()] = meant.strip()
    header = {"skip_words": list(base.skip_words)}
    if base.header_row:
        header["row"] = base.header_row
    if base.header_rows:
        header["rows"] = base.header_rows
    unplaced = [label for label in columns["column"] if label not in placed.values()]
    return roster_mapping(data={"header": header, "columns": placed, "values": table, "removal": {"rule": base.removal},
                                "date": {"from": base.date_from}, "unplaced": unplaced})


def import_rosters(uploads: Sequence[Upload], db_path: Path, mapping,
                   progress: Callable[[float, str], None] | None = None) -> ImportOutcome:
    """Stage the rosters, convert them with `mapping` (etl/roster) into a package in the work folder and
    load it into `db_path` as import_uploads loads a package: all or nothing, every problem (the
    converter's or the loader's) and the rejects report on failure, the converter's notes and snapshot
    warnings with the load's warnings on success."""
    db_path = Path(db_path)
    report = progress or (lambda fraction, message: None)
    work = work_folder(db_path, "upload")
    try:
        with lock_file(db_path.with_name(db_path.name + ".build-lock")) as lock:
            (work / "staged").mkdir()
            rosters, regions = stage_rosters(uploads, work / "staged")
            name = package_name(uploads)
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                conversion = convert_rosters(rosters, work / "converted", mapping=mapping, regions=regions,
                                             progress=lambda f, m: report(0.3 * f, m))
            except PackageError as failed:
                rejects = write_rejects(failed.problems, work / "rejects.csv")
                return ImportOutcome(False, name, problems=list(failed.problems),
                                     rejects_csv=rejects[0].read_bytes(), rejects_xlsx=rejects[1].read_bytes())
            try:
                result = import_package(conversion.package, db_path, progress=lambda f, m: report(0.3 + 0.7 * f, m),
                                        source=f"上传花名册 roster upload: {name}")
            except LoadFailed as failed:
                rejects = failed.rejects or write_rejects(failed.problems, work / "rejects.csv")
                return ImportOutcome(False, name, problems=[*conversion.warnings, *failed.problems],
                                     rejects_csv=rejects[0].read_bytes(), rejects_xlsx=rejects[1].read_bytes(),
                                     notes=list(conversion.notes))
            warnings = [*conversion.warnings, *(p for p in result.problems if p.severity == "warning")]
            outcome = ImportOutcome(True, name, rows=dict(result.rows), seconds=result.seconds, problems=warnings,
                                    notes=list(conversion.notes))
            if result.rejects:
                outcome.rejects_csv, outcome.rejects_xlsx = (path.read_bytes() for path in result.rejects)
            return outcome
    finally:
        shutil.rmtree(work, ignore_errors=True)
