"""已报送存档: saving a report-back as sent, downloading it again exactly, and what changed since.

One place for the archive's logic (the pages only draw, tests/test_one_truth.py):
- `save` builds nothing itself: it takes the Report of ui/report.build_report, writes its files (text,
  .docx, .xlsx, the PDF when the product makes one), its figures (`figures`: every cell of its tables,
  keyed by table, row and column) and the fingerprints of the events and members of its region (queries
  event_fingerprints, member_fingerprints) into the archive (access/archive.py), with the database
  generation (query load_info) it was computed from;
- `compare` recomputes the same report with build_report on today's data (same as-of date, region,
  preset and language), lists every figure that moved (before → now, difference), and the events behind
  the change: events entered late (in today's data, dated on or before the as-of date, not in the
  generation the report came from), corrected (the same 记录编号 with another row) and removed (gone
  since), and members whose counting up to the as-of date changed (entered late, dates corrected, removed).

Figures are matched by the report's own wording (table title, row, column in the report's language):
a label the product renames later reads as one figure gone and one new. Households are shown as the
queries show them, names masked. No Streamlit import: the pages pass `ui.scoped.query` (the account's
scope), the tests a `queries.Database`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

import pandas as pd

from access.archive import Archive, ArchivedReport, ArchiveError, Generation
from ui import report as reports
from ui.exports import cell_text, is_missing

RECIPIENTS = ("npc", "city", "province", "other")  # 人大 / 市 / 省 / 其他 (ui/i18n.py arc_to_*)
NUMERIC = ("households", "people", "count", "wan_yuan", "yuan", "percent")  # kinds whose change is a difference
CHANGES = ("late", "corrected", "removed")  # the events behind a change, in that order
Audit = Callable[[str, str | None, str], None]


def _source(source):
    return source.query if hasattr(source, "query") else source


# ----------------------------------------------------------------------------------------------
# what a report is made of


def _value(value, kind: str):
    """A table cell as JSON keeps it: whole numbers as int, amounts and ratios as float, dates as text."""
    if is_missing(value):
        return None
    if kind in ("households", "people", "count", "year"):
        return int(value)
    if kind in ("wan_yuan", "yuan", "percent"):
        return float(value)
    if kind == "date":
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    return str(value)


def figures(report: reports.Report) -> list[dict]:
    """Every figure of the report's tables: {table, row, column, kind, value}. The row is named by the
    table's first column (a 村 named twice also by the second, its 乡镇), the figure by its column."""
    found = []
    for table in report.tables:
        frame = table.frame
        names = [cell_text(v, table.kinds[0]) for v in frame.iloc[:, 0]]
        if len(set(names)) < len(names) and len(frame.columns) > 1:
            names = [f"{name} / {cell_text(v, table.kinds[1])}" if names.count(name) > 1 else name
                     for name, v in zip(names, frame.iloc[:, 1], strict=True)]
        seen: dict[str, int] = {}
        for position, name in enumerate(names):
            seen[name] = seen.get(name, 0) + 1
            row = name if seen[name] == 1 else f"{name} #{seen[name]}"
            for column, kind in zip(frame.columns[1:], table.kinds[1:], strict=True):
                found.append({"table": table.title, "row": row, "column": str(column), "kind": kind,
                              "value": _value(frame[column].iloc[position], kind)})
    return found


def text(report: reports.Report) -> str:
    """The report's text as a plain-text file: title, filters, then each section's heading and paragraphs."""
    lines = [report.title, report.filters_line, ""]
    for section in report.sections:
        lines += [section.heading, *section.paragraphs, ""]
    return "\n".join(lines)


def pdf_maker() -> Callable | None:
    """The report's PDF, when the product makes one (a function of ui/report.py or ui/exports.py)."""
    from ui import exports

    for module, name in ((reports, "to_pdf"), (reports, "report_pdf"), (exports, "report_pdf")):
        if callable(found := getattr(module, name, None)):
            return found
    return None


def generation(source) -> Generation:
    """The database generation a query source reads, identified by its load_info row: when it was loaded (to
    the microsecond), from which package, the package's sha256 (a .zip's; NULL for a folder) and the
    product version. An import or a rollback brings another row, so another generation."""
    stamp = _source(source)("load_info")
    if not len(stamp):
        return Generation(None, None, None, None)
    row = stamp.iloc[0]
    return Generation(pd.Timestamp(row["loaded_at"]).isoformat(sep=" "), row["package"],
                      None if is_missing(row["package_sha256"]) else row["package_sha256"],
                      None if is_missing(row["tuopin_version"]) else row["tuopin_version"])


# ----------------------------------------------------------------------------------------------
# save


def save(archive: Archive, source, report: reports.Report, *, as_of: dt.date, region: str, rules: str,
         language: str, saved_by: str, saved_role: str | None, recipient: str, note: str = "",
         audit: Audit | None = None) -> int:
    """Archive `report` (built by reports.build_report from `source` with these filters) as sent to
    `recipient` (one of RECIPIENTS); returns its number. Audited as archive_save."""
    if recipient not in RECIPIENTS:
        raise ValueError(f"recipient must be one of {RECIPIENTS}: {recipient!r}")
    query = _source(source)
    tree = query("regions")
    region_name = str(tree[tree.code == region].name.iloc[0])
    events = query("event_fingerprints", region=region)
    fingerprint = [list(row) for row in zip(*_lists(events, "event_id", "row_hash", "household_id", "event_type"),
                                            _days(events.event_date), strict=True)]
    members = query("member_fingerprints", region=region)
    member_fingerprint = [list(row) for row in zip(*_lists(members, "person_id", "row_hash", "household_id"),
                                                   _days(members.joined_on), _days(members.left_on), strict=True)]
    files = [("txt", report.file_stem + ".txt", text(report).encode("utf-8")),
             ("docx", report.file_stem + ".docx", reports.to_docx(report)),
             ("xlsx", report.file_stem + ".xlsx", reports.to_xlsx(report))]
    if (make_pdf := pdf_maker()) is not None:
        try:
            files.append(("pdf", report.file_stem + ".pdf", make_pdf(report)))
        except RuntimeError:  # ui.pdf.FontMissing: no Chinese font here, so no PDF was offered either
            pass
    number = archive.save(
        saved_by=saved_by, saved_role=saved_role, region_code=region, region_name=region_name, as_of=as_of,
        rules=rules, language=language, title=report.title, recipient=recipient, note=note,
        generation=generation(source), figures=figures(report), events=fingerprint, members=member_fingerprint,
        files=files)
    if audit is not None:
        stored = archive.report(number, {region})
        audit("archive_save", region, f"#{number} {as_of:%Y-%m-%d} {rules} {language} → {recipient}; "
                                      + ", ".join(f"{name} sha256 {digest[:12]}" for _, name, _, digest in stored.files))
    return number


# ----------------------------------------------------------------------------------------------
# what changed since it was sent


def _lists(frame: pd.DataFrame, *columns: str) -> list[list]:
    """Text columns as Python lists, None where empty (a county holds tens of thousands of records: no
    row-by-row pandas access)."""
    return [[v if isinstance(v, str) else None for v in frame[column].tolist()] for column in columns]


def _days(dates: pd.Series) -> list[str | None]:
    """Dates as YYYY-MM-DD text, None where there is none."""
    return [d if isinstance(d, str) else None for d in pd.to_datetime(dates).dt.strftime("%Y-%m-%d").tolist()]


@dataclass(frozen=True)
class Comparison:
    archived: ArchivedReport
    now: Generation
    figures: pd.DataFrame  # every figure that moved: table, row, column, kind, before, now, difference, status
    events: pd.DataFrame  # change (late / corrected / removed), event_id, household_id, head_name_masked,
    # village_name, event_type, event_date (today's; NULL when removed), before_type, before_date (NULL when late)
    members: pd.DataFrame | None  # change, person_id, household_id, head_name_masked, village_name, joined_on,
    # left_on (today's), before_joined_on, before_left_on; None for a report archived without members
    missing_preset: bool = False  # its exit preset is no longer in exit_rules: nothing could be recomputed


FIGURE_COLUMNS = ["table", "row", "column", "kind", "before", "now", "difference", "status"]
EVENT_COLUMNS = ["change", "event_id", "household_id", "head_name_masked", "village_name", "event_type",
                 "event_date", "before_type", "before_date"]


def _moved(before, now, kind: str) -> bool:
    if before is None or now is None:
        return (before is None) != (now is None)
    if kind in NUMERIC:
        return not math.isclose(float(before), float(now), rel_tol=0, abs_tol=1e-9)
    return before != now


def figure_changes(before: list[dict], now: list[dict]) -> pd.DataFrame:
    """The figures that moved between two lists of `figures` (in the order of the report; figures only
    in one of them last, status 'new' or 'gone'); difference = now − before for numbers."""
    def key(f):
        return f["table"], f["row"], f["column"]

    old = {key(f): f for f in before}
    new = {key(f): f for f in now}
    rows = []
    for k, figure in new.items():
        if k not in old:
            continue
        a, b, kind = old[k]["value"], figure["value"], figure["kind"]
        if _moved(a, b, kind):
            difference = float(b) - float(a) if kind in NUMERIC and a is not None and b is not None else None
            if difference is not None and kind in ("households", "people", "count"):
                difference = int(round(difference))
            rows.append([*k, kind, a, b, difference, "changed"])
    rows += [[*k, f["kind"], None, f["value"], None, "new"] for k, f in new.items() if k not in old]
    rows += [[*k, f["kind"], f["value"], None, None, "gone"] for k, f in old.items() if k not in new]
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS, dtype=object)  # ints stay ints, absent stays None


def event_changes(before: list[list], today: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The events behind a change: `before` the archived fingerprint ([event_id, row_hash, household_id,
    type, date]), `today` the rows of event_fingerprints now. Late: a 记录编号 not in the fingerprint, dated
    on or before `as_of`; corrected: the same 记录编号 with another row, dated on or before `as_of` then or
    now; removed: in the fingerprint, dated on or before `as_of`, gone today."""
    cutoff = f"{as_of:%Y-%m-%d}"
    old = {row[0]: row for row in before}
    ids, hashes, households, heads, village_names, kinds = _lists(
        today, "event_id", "row_hash", "household_id", "head_name_masked", "village_name", "event_type")
    names, villages = dict(zip(households, heads, strict=True)), dict(zip(households, village_names, strict=True))
    rows = []
    seen = set()
    for event_id, row_hash, household, head, village, kind, day in zip(
            ids, hashes, households, heads, village_names, kinds, _days(today.event_date), strict=True):
        seen.add(event_id)
        was = old.get(event_id)
        if was is None:
            if day <= cutoff:
                rows.append(["late", event_id, household, head, village, kind, day, None, None])
        elif was[1] != row_hash and (day <= cutoff or was[4] <= cutoff):
            rows.append(["corrected", event_id, household, head, village, kind, day, was[3], was[4]])
    for event_id, _hash, household, kind, day in before:
        if event_id not in seen and day <= cutoff:
            rows.append(["removed", event_id, household, names.get(household), villages.get(household), None, None,
                         kind, day])
    frame = pd.DataFrame(rows, columns=EVENT_COLUMNS, dtype=object)
    order = {change: n for n, change in enumerate(CHANGES)}
    return frame.sort_values(["change", "event_id"], key=lambda s: s.map(order) if s.name == "change" else s,
                             ignore_index=True)


MEMBER_COLUMNS = ["change", "person_id", "household_id", "head_name_masked", "village_name", "joined_on", "left_on",
                  "before_joined_on", "before_left_on"]


def _counted(joined: str | None, left: str | None, cutoff: str):
    """What of a member's dates counts up to the as-of date: None when the member joined after it, else the
    join date (None = from the household's registration) and the leave date if it is on or before it."""
    if joined is not None and joined > cutoff:
        return None
    return joined, left if left is not None and left <= cutoff else None


def member_changes(before: list[list], today: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The members behind a change: `before` the archived fingerprint ([person_id, row_hash, household_id,
    joined_on, left_on]), `today` the rows of member_fingerprints now. A member counts up to `as_of` by
    its household and its join and leave dates on or before it (_counted). Late: a 人员编号 not in the
    fingerprint who counts; corrected: the same 人员编号 counted otherwise (another household or dates);
    removed: one who counted, gone today."""
    cutoff = f"{as_of:%Y-%m-%d}"
    old = {row[0]: row for row in before}
    people, households, heads, village_names = _lists(today, "person_id", "household_id", "head_name_masked",
                                                      "village_name")
    names, villages = dict(zip(households, heads, strict=True)), dict(zip(households, village_names, strict=True))
    rows, seen = [], set()
    for person, household, head, village, joined, left in zip(
            people, households, heads, village_names, _days(today.joined_on), _days(today.left_on), strict=True):
        seen.add(person)
        now = _counted(joined, left, cutoff)
        was = old.get(person)
        if was is None:
            if now is not None:
                rows.append(["late", person, household, head, village, joined, left, None, None])
        elif (was[2], _counted(was[3], was[4], cutoff)) != (household, now):
            rows.append(["corrected", person, household, head, village, joined, left, was[3], was[4]])
    for person, _hash, household, joined, left in before:
        if person not in seen and _counted(joined, left, cutoff) is not None:
            rows.append(["removed", person, household, names.get(household), villages.get(household), None, None,
                         joined, left])
    frame = pd.DataFrame(rows, columns=MEMBER_COLUMNS, dtype=object)
    order = {change: n for n, change in enumerate(CHANGES)}
    return frame.sort_values(["change", "person_id"], key=lambda s: s.map(order) if s.name == "change" else s,
                             ignore_index=True)


def compare(archive: Archive, number: int, allowed: Collection[str], source,
            audit: Audit | None = None) -> Comparison | None:
    """The archived report `number` against today's data (None when it is not in `allowed`)."""
    archived = archive.report(number, allowed)
    if archived is None:
        return None
    query = _source(source)
    if archived.rules not in set(query("exit_rules").preset):  # data/reference/exit_rules.csv edited since
        empty = pd.DataFrame(columns=FIGURE_COLUMNS, dtype=object)
        return Comparison(archived, generation(source), empty, pd.DataFrame(columns=EVENT_COLUMNS, dtype=object),
                          None, missing_preset=True)
    report = reports.build_report(query, archived.as_of, archived.region_code, archived.rules, archived.language)
    records = archive.records(number, allowed)
    today = query("event_fingerprints", region=archived.region_code)
    members = None
    if records["members"] is not None:
        members = member_changes(records["members"], query("member_fingerprints", region=archived.region_code),
                                 archived.as_of)
    comparison = Comparison(
        archived=archived, now=generation(source),
        figures=figure_changes(archive.figures(number, allowed), figures(report)),
        events=event_changes(records["events"], today, archived.as_of), members=members)
    if audit is not None:
        audit("archive_compare", archived.region_code, f"#{number}: {len(comparison.figures)} figures moved, "
                                                       f"{len(comparison.events)} events, "
                                                       f"{0 if members is None else len(members)} members")
    return comparison


def event_words(types, dates, language: str = "zh") -> list[str]:
    """An event as a cell reads: its type (translated) and date — 标注脱贫 2016-02-15; empty when absent."""
    return ["" if is_missing(kind) else f"{reports.label(language, 'dyn_mv_', kind)} {day}"
            for kind, day in zip(types, dates, strict=True)]


def member_words(joined, left, present, language: str = "zh") -> list[str]:
    """A member's dates as a cell reads — 加入 2016-05-01，减少 2016-09-30 (加入 — = from the household's
    registration, 减少 — = still there); empty where the record is not (`present` false)."""
    return [reports.tr(language, "arc_member_dates", joined=j or "—", left=l_ or "—") if here else ""
            for j, l_, here in zip(joined, left, present, strict=True)]


def shown(value, kind: str) -> str:
    """A figure as the report prints it (— when absent)."""
    return "—" if value is None else cell_text(value, kind)


def shown_difference(difference, kind: str) -> str:
    """A change with its sign: +3 / −1.50 (万元) / +0.49pp (a ratio, in percentage points)."""
    if difference is None or is_missing(difference):
        return ""
    if kind == "percent":
        points = float(difference) * 100
        return ("+" if points > 0 else "−" if points < 0 else "") + f"{abs(points):.2f}pp"
    text_ = cell_text(abs(difference), kind)
    return ("+" if difference > 0 else "−" if difference < 0 else "") + text_


__all__ = ["RECIPIENTS", "Archive", "ArchiveError", "Comparison", "compare", "event_changes", "event_words",
           "figure_changes", "figures", "generation", "member_changes", "member_words", "save", "shown",
           "shown_difference", "text"]
