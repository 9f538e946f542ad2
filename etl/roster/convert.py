"""Roster snapshots (花名册, one row per person) to a contract package that `python -m etl load` loads.

Each snapshot says where every household stands on its date. Between two snapshots the converter
writes what must have happened (docs/data-contract.md, events, members, monitoring):
- a household that appears is identified (识别纳入) on its 纳入时间 if the roster has one (识别年度 alone:
  31 December of that year), else on the snapshot's date;
- a status that changes becomes 标注脱贫 / 返贫 on its dated column (脱贫时间, 返贫时间) if present, else
  the snapshot's date; a household listed as 清退 / 自然销户 (or 销户, by its reason) is removed on its
  销户时间, else the snapshot's date; one that disappears is removed on the snapshot's date, as the
  mapping's rule says (清退 by default);
- a member who appears or disappears joins or leaves on the roster's 加入日期 / 减少日期, else the
  snapshot's date (members of a household's first roster are members from its identification);
- in a monitoring roster (监测对象), a household that appears opens a monitoring episode on its 认定日期,
  else the snapshot's date; 是否风险消除 = 是 (or leaving the roster) closes it on its 风险消除日期, else
  the snapshot's date.
Where a date is only known to lie between two snapshots (or before the first), the converter writes
the later end, lists it in the package's 日期区间 file (the load warns about each one) and in its notes
(转换说明.md), never silently. Snapshot consistency findings (a status going backwards without 返贫, an
ID number changing household, a member count jumping, a village disappearing) are warnings.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from common.files import open_private, private_folder
from common.masking import mask_id, mask_name
from etl.contract import contract
from etl.problems import PackageError, Problem
from etl.roster.fields import (
    DEFAULT_VALUES,
    FIELDS,
    LENIENT_FIELDS,
    MONITORING_FIELDS,
    REGISTRY_FIELDS,
    allowed_values,
    is_ignored,
    known_value,
    label_field,
    norm,
)
from etl.roster.mapping import Mapping, propose_mapping
from etl.roster.messages import problem
from etl.roster.regions import BuiltRegions, RegionFile
from etl.roster.sheet import HEADER_READ_ROWS, Table, find_header, header_labels, read_sheet, read_table
from etl.roster.snapshots import date_from_name, parse_date, parse_year, roster_files

NOTES_FILE = "转换说明.md"
CODE_FIELDS = frozenset({"household_id", "id_number", "head_id_number", "person_id", "village_code"})
SIZE_JUMP = 3  # a household whose member count changes by this many or more between two rosters is flagged
REMOVED = ("清退", "自然销户")
DAY = timedelta(days=1)

Progress = Callable[[float, str], None]


@dataclass
class Conversion:
    package: Path
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Snapshot:
    path: Path
    display: str
    date: date
    table: Table
    mapping: Mapping
    index: dict[str, int]  # field -> column position
    monitoring: bool
    row_count: int = 0  # data rows (the rows themselves are read when the snapshot's turn comes: read_rows)

    def label(self, name: str) -> str | None:
        i = self.index.get(name)
        return self.table.labels[i] if i is not None else None


@dataclass
class Member:
    row: int
    key: str
    values: dict[str, str]


@dataclass
class HouseholdRow:
    """A household as one snapshot shows it."""

    snapshot: Snapshot
    row: int
    values: dict[str, str]
    members: dict[str, Member] = field(default_factory=dict)
    village: str | None = None  # code


class _Problems(list):
    def add(self, snap: Snapshot, row: int | None, name: str | None, value: str | None, code: str, detail=None,
            detail_en=None, severity: str = "error"):
        column = snap.label(name) if name else None
        self.append(problem(severity, snap.display, row, column, value, code, detail, detail_en))


# ------------------------------------------------------------------------------------------------
# reading the snapshots

def _open_snapshot(path: Path, display: str, mapping: Mapping | None, dates: dict, errors: _Problems) -> Snapshot | None:
    """A snapshot's header, mapping and date, its rows not kept (a county's rosters of many months do
    not fit in memory together): the header rows are read, and the rows only when the date is in a column."""
    sheet = read_sheet(path, display, max_rows=HEADER_READ_ROWS)
    given = mapping
    if given is not None and given.is_monitoring != _is_monitoring_roster(sheet):
        given = None  # the mapping is for the other kind of roster (registry / monitoring): propose one for this
    mapping = given or propose_mapping(path)
    wanted = {norm(label) for label in mapping.columns.values()} if given else None
    table = read_table(sheet, mapping.header_row, mapping.header_rows, wanted, tuple(mapping.skip_words))
    by_label = {}
    for i, label in enumerate(table.labels):
        by_label.setdefault(norm(label), i)
    index = {name: by_label[norm(label)] for name, label in mapping.columns.items() if norm(label) in by_label}
    monitoring = "kind" in index
    snap = Snapshot(path, display, date.min, table, mapping, index, monitoring)
    if not table.labels or not index:
        errors.append(problem("error", display, None, None, None, "roster_no_header"))
        return None
    for name, label in mapping.columns.items():
        other_kind = (name in REGISTRY_FIELDS) if monitoring else (name in MONITORING_FIELDS)
        if name not in index and not other_kind:
            errors.append(problem("error", display, table.header_row, label, label, "roster_column_missing",
                                  f"{name} {FIELDS[name][0]}", name))
    required = ["household_id", "relation"] + (["kind", "risks"] if monitoring else ["category", "main_cause"])
    if "village_code" not in mapping.columns:
        required.append("village")
    for name in required:
        if name not in mapping.columns:
            errors.append(problem("error", display, table.header_row, None, None, "roster_field_missing",
                                  f"{FIELDS[name][0]} ({name})", f"{FIELDS[name][1]} ({name})"))
    if "name" not in mapping.columns and "id_number" not in mapping.columns:
        errors.append(problem("error", display, table.header_row, None, None, "roster_field_missing",
                              "姓名或证件号码 (name / id_number)", "name or ID number (name / id_number)"))
    if "snapshot_date" in index and mapping.date_from in ("auto", "column") and _flagged(snap, dates) is None:
        snap.table = read_table(read_sheet(path, display), table.header_row, table.header_rows, None,
                                tuple(mapping.skip_words))
    snap.date = _snapshot_date(snap, dates, errors)
    snap.table.rows = []
    return snap


def _flagged(snap: Snapshot, dates: dict) -> date | None:
    """The --date given for the file, by its path or name, or for the folder or zip holding it."""
    shown = Path(snap.display)
    return next((d for key, d in (dates or {}).items()
                 if Path(key) == snap.path or Path(key).name in (shown.name, *shown.parts[:-1])), None)


def read_rows(snap: Snapshot, errors: _Problems) -> dict[str, HouseholdRow]:
    """The snapshot's households, its file read again in full (after _open_snapshot read its header)."""
    table = read_table(read_sheet(snap.path, snap.display), snap.table.header_row, snap.table.header_rows, None,
                       tuple(snap.mapping.skip_words))
    snap.table = table
    snap.row_count = len(table.rows)
    try:
        return _read_rows(snap, errors)
    finally:
        table.rows = []


def _is_monitoring_roster(sheet) -> bool:
    """Whether a roster's header names the monitoring kind (监测对象类别): a monitoring roster."""
    start, count = find_header(sheet)
    return any(label_field(label) == "kind" for label in header_labels(sheet, start, count))


def _snapshot_date(snap: Snapshot, dates: dict, errors: _Problems) -> date:
    source = snap.mapping.date_from
    flagged = _flagged(snap, dates)
    if flagged and source in ("auto", "flag"):
        return flagged
    if source in ("auto", "column") and "snapshot_date" in snap.index:
        seen: dict[date, int] = {}
        for number, cells in snap.table.rows:
            text = cells[snap.index["snapshot_date"]]
            parsed = parse_date(text) if text else None
            if text and parsed is None:
                errors.add(snap, number, "snapshot_date", text, "roster_date_invalid")
            elif parsed:
                seen.setdefault(parsed[0], number)
        if len(seen) > 1:
            (first, _), (second, row) = sorted(seen.items(), key=lambda x: x[1])[:2]
            errors.add(snap, row, "snapshot_date", second.isoformat(), "roster_dates_differ", first.isoformat())
        if seen:
            return min(seen)
    if source in ("auto", "file_name") and (named := date_from_name(snap.display)):
        return named
    errors.append(problem("error", snap.display, None, None, None, "roster_no_date"))
    return date.min


def _read_rows(snap: Snapshot, errors: _Problems) -> dict[str, HouseholdRow]:
    """The snapshot's households with their members; each cell checked (values known, dates dates)."""
    households: dict[str, HouseholdRow] = {}
    values = snap.mapping.values
    allowed = {name: allowed_values(name) for name in snap.index}
    translated = {name for name in snap.index if allowed[name] is not None or name in values or name in DEFAULT_VALUES}
    dated = {name for name in snap.index if name.endswith("_on") or name in ("birth_date", "snapshot_date")}
    yearly = {name for name in snap.index if name.endswith("_year")}
    fields = list(snap.index.items())
    meaning: dict[tuple[str, str], str | None] = {}  # (field, text) -> value: a roster repeats few values
    for number, cells in snap.table.rows:
        row: dict[str, str] = {}
        for name, i in fields:
            text = cells[i].strip() if i < len(cells) else ""
            if name in CODE_FIELDS and text.startswith("'"):  # the apostrophe an export writes to keep a code text
                text = text[1:].strip()
            if not text:
                continue
            if name in translated:
                if (name, text) not in meaning:
                    meaning[name, text] = known_value(name, text, values)
                meant = meaning[name, text]
                if meant is None and allowed[name] is not None:
                    lenient = name in LENIENT_FIELDS
                    errors.add(snap, number, name, text, "roster_value_left_empty" if lenient else "roster_value_unknown",
                               "、".join(allowed[name]), f"{len(allowed[name])} values",
                               severity="warning" if lenient else "error")
                    continue
                text = meant or text
            if name in dated:
                if parse_date(text) is None:
                    errors.add(snap, number, name, text, "roster_date_invalid")
                    continue
            if name in yearly and parse_year(text) is None:
                if parse_date(text) is None:
                    errors.add(snap, number, name, text, "roster_date_invalid")
                    continue
            row[name] = text
        hid = row.get("household_id", "")
        if not hid:
            if row.get("name") or row.get("id_number"):
                errors.add(snap, number, "household_id", None, "roster_household_id_missing")
            continue
        household = households.get(hid)
        if household is None:
            household = households[hid] = HouseholdRow(snap, number, row)
        elif row.get("relation") == "户主":
            household.values.update({k: v for k, v in row.items() if k not in household.values})
        key = _person_key(hid, row)
        if key in household.members:
            errors.add(snap, number, "id_number" if row.get("id_number") else "name", None,
                       "roster_duplicate_person", household.members[key].row, severity="warning")
            continue
        household.members[key] = Member(number, key, row)
    for household in households.values():
        heads = [m for m in household.members.values() if m.values.get("relation") == "户主"]
        if len(heads) > 1 or (not heads and not snap.monitoring):  # none: a warning; the household needs one
            errors.add(snap, household.row, "relation", household.values.get("household_id"),  # in some roster
                       "roster_head_missing", len(heads), severity="error" if heads else "warning")
        if heads:
            head = heads[0].values
            written = household.values.get("head_name")
            if written and head.get("name") and norm(written) != norm(head["name"]):
                errors.add(snap, household.row, "head_name", mask_name(written), "roster_head_name_differs",
                           severity="warning")
    return households


def _person_key(hid: str, row: dict[str, str]) -> str:
    if row.get("id_number"):
        return "id:" + norm(row["id_number"]).upper()
    return f"name:{hid}:{norm(row.get('name', ''))}"


# ------------------------------------------------------------------------------------------------
# regions

class _Regions:
    """Region names to village codes, one snapshot at a time: matched in the regions file, or (without
    one) collected and given built codes at the end."""

    def __init__(self, regions: Path | None):
        if regions is not None and Path(regions).is_dir():  # a folder holding it (a package, say)
            found = sorted(p for p in Path(regions).iterdir() if p.stem.lower() in ("区划", "regions")
                           and p.suffix.lower() in (".csv", ".xlsx", ".xls"))
            if not found:
                raise PackageError([problem("error", str(regions), None, None, None, "roster_regions_file",
                                            "区划.csv", "regions.csv")])
            regions = found[0]
        self.file = RegionFile.read(regions) if regions else None
        self.built = BuiltRegions() if self.file is None else None
        self.cache: dict[tuple, tuple] = {}

    def resolve(self, snap: Snapshot, households: dict[str, HouseholdRow], errors: _Problems) -> None:
        region_file = self.file
        for household in households.values():
            v = household.values
            if v.get("village_code"):
                household.village = v["village_code"]
                if region_file and (v["village_code"] not in region_file.regions
                                    or region_file.regions[v["village_code"]].level != "村"):
                    errors.add(snap, household.row, "village_code", v["village_code"], "roster_region_unknown", "-")
                continue
            names = {k: v[k] for k in ("province", "city", "county", "township", "village") if v.get(k)}
            if not names.get("village"):
                errors.add(snap, household.row, "village", None, "roster_region_missing")
                continue
            if self.built is not None:
                if not names.get("township"):
                    errors.add(snap, household.row, None, None, "roster_field_missing", "乡镇 (township)",
                               "township (township)")
                    continue
                household.village = self.built.add(names)  # a key: its code is given at the end
                continue
            key = tuple(sorted(names.items()))
            if key not in self.cache:
                self.cache[key] = region_file.match(names)
            code, level, reason, found = self.cache[key]
            if code is None:
                shown = "、".join(f"{r.name}（{r.code}）" for r in found)
                shown_en = ", ".join(r.code for r in found)
                parent, parent_code = region_file.parent(level, names)
                errors.add(snap, household.row, level, names.get(level), reason,
                           shown if found else parent, shown_en if found else parent_code)
                continue
            household.village = code

    def finish(self, package: _Package, notes: list[str]) -> list[dict[str, str]] | None:
        """The built regions file's rows (None with a regions file); the households' keys made codes."""
        if self.built is None:
            return None
        region_rows, codes = self.built.build()
        for row in package.households.values():
            row["village_code"] = codes.get(row["village_code"], row["village_code"])
        notes.append("- 未提供区划文件：区划代码由转换程序按名称自行编制（以 99 开头，非国家区划代码），"
                     "村年度情况（农业户籍人口等）为空，贫困发生率无法计算。 / No regions file was given: the "
                     "converter built region codes from the names (starting 99, not national codes); the "
                     "village_year file is empty, so incidence cannot be worked out.")
        return region_rows


# ------------------------------------------------------------------------------------------------
# the timeline

@dataclass
class Dated:
    """A date the converter writes, and the earliest it may be when it is only known to lie in a span."""

    day: date
    earliest: date | None = None
    approximate: bool = False


class Timeline:
    def __init__(self, snaps: list[Snapshot], warnings: list[Problem]):
        self.snaps = snaps
        self.warnings = warnings
        self.events: list[dict] = []
        self.ranges: list[dict] = []

    def window(self, k: int) -> date | None:
        """The earliest day of the span before snapshot k (None before the first one)."""
        return self.snaps[k - 1].date + DAY if k > 0 else None

    def place(self, chain: list[tuple[str, tuple[date, date] | None, str | None]], k: int, floor: date | None,
              household: HouseholdRow) -> list[tuple[str, Dated]]:
        """Dates for a chain of events that happened by snapshot k, in order, after `floor`: each its
        dated column when it fits, else as late as the later ones allow."""
        cap, out = self.snaps[k].date, []
        for kind, known, column in reversed(chain):
            if known is not None and (floor is None or known[0] > floor) and known[0] <= cap:
                day = known[0]
                dated = Dated(day, known[1], known[1] != known[0])
            else:
                if known is not None:
                    self.warnings.append(problem(
                        "warning", household.snapshot.display, household.row, household.snapshot.label(column),
                        known[0].isoformat(), "roster_date_after_snapshot",
                        f"{kind} {cap.isoformat()}", f"{cap.isoformat()}"))
                earliest = self.window(k)
                if floor is not None and (earliest is None or earliest <= floor):
                    earliest = floor + DAY
                dated = Dated(cap, earliest, True)
            out.append((kind, dated))
            cap = dated.day - DAY
        return list(reversed(out))


def _known(values: dict[str, str], day_field: str, year_field: str | None = None) -> tuple[date, date] | None:
    if values.get(day_field):
        return parse_date(values[day_field])
    if year_field and values.get(year_field):
        year = parse_year(values[year_field])
        if year is None:
            parsed = parse_date(values[year_field])
            return parsed
        return date(year, 12, 31), date(year, 1, 1)
    return None


_CHAINS = {  # (state before, status now) -> events between
    (None, "未脱贫"): ["识别纳入"], (None, "已脱贫"): ["识别纳入", "标注脱贫"],
    (None, "返贫"): ["识别纳入", "标注脱贫", "返贫"], (None, "removed"): ["识别纳入", "removed"],
    ("poor", "已脱贫"): ["标注脱贫"], ("poor", "返贫"): ["标注脱贫", "返贫"], ("poor", "removed"): ["removed"],
    ("returned", "已脱贫"): ["标注脱贫"], ("returned", "removed"): ["removed"],
    ("exited", "返贫"): ["返贫"], ("exited", "未脱贫"): ["返贫"], ("exited", "removed"): ["removed"],
}
_DATE_OF = {"识别纳入": ("registered_on", "registered_year"), "标注脱贫": ("exited_on", "exit_year"),
            "返贫": ("returned_on", None), "removed": ("removed_on", None)}
_STATE_AFTER = {"识别纳入": "poor", "标注脱贫": "exited", "返贫": "returned", "清退": "removed", "自然销户": "removed"}


def _status(values: dict[str, str]) -> str:
    status = values.get("status")
    if status in ("清退", "自然销户", "销户"):
        return "removed"
    if status:
        return status
    if values.get("removed_on"):
        return "removed"
    return "已脱贫" if values.get("exited_on") or values.get("exit_year") else "未脱贫"


def _removal_type(values: dict[str, str], mapping: Mapping) -> str:
    status = values.get("status")
    if status in REMOVED:
        return status
    reason = known_value("removal_reason", values.get("removal_reason", ""), mapping.values)
    if reason in REMOVED:  # the mapping's value table (or the defaults: 死亡 → 自然销户, 识别不准 → 清退)
        return reason
    return mapping.removal if mapping.removal in REMOVED else "清退"


def convert(snapshots: list[Path], out_dir: Path, *, mapping: Mapping | None = None, regions: Path | None = None,
            dates: dict[Path, date] | None = None, progress: Progress | None = None) -> Conversion:
    """Write the contract package of the roster snapshots to out_dir (see the module's docstring);
    PackageError (file, row, column, reason in Chinese and English) on a roster it cannot convert."""
    progress = progress or (lambda _f, _m: None)
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    errors, notes, warnings = _Problems(), [], []
    with roster_files(list(snapshots)) as files:
        snaps = []
        for i, (path, display) in enumerate(files):
            progress(0.05 + 0.4 * i / len(files), f"表头 header of {display}")
            snap = _open_snapshot(path, display, mapping, dates or {}, errors)
            if snap is not None:
                snaps.append(snap)
        if errors:
            raise PackageError(list(errors))
        snaps.sort(key=lambda s: (s.monitoring, s.date))
        order = {snap.display: i for i, snap in enumerate(snaps)}
        # files of one kind and one date are one snapshot (a township's roster each, say) when no household
        # is in two of them; two rosters of one date sharing households are refused
        groups: dict[tuple[bool, date], list[Snapshot]] = {}
        for snap in snaps:
            groups.setdefault((snap.monitoring, snap.date), []).append(snap)
        resolver = _Regions(regions)

        def stream(kind: bool):
            """Each snapshot of the kind in date order, read when its turn comes; once a roster has an error
            the others are still read, for their problems, but no longer converted."""
            for (monitoring, day), group in groups.items():
                if monitoring != kind:
                    continue
                merged: dict[str, HouseholdRow] = {}
                for snap in group:
                    progress(0.45 + 0.4 * order[snap.display] / len(snaps), f"读取 reading {snap.display}")
                    households = read_rows(snap, errors)
                    resolver.resolve(snap, households, errors)
                    shared = [hid for hid in households if hid in merged]
                    if shared:
                        errors.append(problem("error", snap.display, None, None, merged[shared[0]].snapshot.display,
                                              "roster_same_date", day.isoformat()))
                    merged.update((hid, h) for hid, h in households.items() if hid not in merged)
                if not any(p.severity == "error" for p in errors):
                    yield group[0], merged

        package = _Package()
        _registry([g[0] for (m, _d), g in groups.items() if not m], stream(False), package, warnings, errors)
        _monitoring([g[0] for (m, _d), g in groups.items() if m], stream(True), package, warnings, errors)
        warnings += [p for p in errors if p.severity == "warning"]
        warnings.sort(key=lambda p: (order.get(p.file, len(order)), p.row_number is None, p.row_number or 0))
        errors = _Problems(p for p in errors if p.severity == "error")
        if errors:
            raise PackageError(list(errors))
        built_regions = resolver.finish(package, notes)
        progress(0.9, "写入 writing the package")
        result = _write(package, out_dir, built_regions, resolver.file, notes, warnings, snaps)
        progress(1.0, "完成 done")
        return result


def _check_out_dir(out_dir: Path) -> None:
    """The package goes into a new or empty folder, or over an earlier conversion (its notes file says
    so): never among other files, which it could overwrite."""
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / NOTES_FILE).is_file())):
        raise PackageError([problem("error", str(out_dir), None, None, None, "roster_out_not_empty")])


@dataclass
class _Package:
    households: dict[str, dict] = field(default_factory=dict)
    members: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    monitoring: list[dict] = field(default_factory=list)
    ranges: list[dict] = field(default_factory=list)


def _range(package: _Package, table: str, record: str, column: str, dated: Dated, why: str) -> None:
    package.ranges.append({"table_name": table, "record_id": record, "column_name": column,
                           "earliest": dated.earliest.isoformat() if dated.earliest else "",
                           "latest": dated.day.isoformat(), "note": why})


def _registry(metadata: list[Snapshot], stream: Iterable[tuple[Snapshot, dict[str, HouseholdRow]]],
              package: _Package, warnings: list[Problem], errors: _Problems) -> None:
    """The registry rosters, one at a time in date order (`stream`; only the one before is kept)."""
    timeline = Timeline(metadata, warnings)
    state: dict[str, str | None] = {}
    last: dict[str, date | None] = {}
    registered: dict[str, date] = {}
    latest: dict[str, HouseholdRow] = {}
    members: dict[str, dict[str, dict]] = defaultdict(dict)  # hid -> person key -> open member record
    done_members: list[dict] = []
    where: dict[str, str] = {}  # person key -> household it is in now
    counters: dict[str, int] = defaultdict(int)
    removed_at: dict[str, date] = {}

    event_count: dict[str, int] = defaultdict(int)
    used_ids: set[str] = set()

    def add_event(hid: str, kind: str, dated: Dated, why: str) -> None:
        event_count[hid] += 1
        event_id = f"{hid}-{event_count[hid]:02d}"
        package.events.append({"event_id": event_id, "household_id": hid, "event_type": kind,
                               "event_date": dated.day.isoformat(), "reason": why})
        if dated.approximate:
            _range(package, "events", event_id, "event_date", dated, why)
        state[hid] = _STATE_AFTER[kind]
        last[hid] = dated.day
        if kind == "识别纳入":
            registered.setdefault(hid, dated.day)
        if kind in REMOVED:
            removed_at[hid] = dated.day

    def new_member(hid: str, member: Member, joined: Dated | None) -> None:
        counters[hid] += 1
        person_id = member.values.get("person_id") or f"{hid}-{counters[hid]:02d}"
        while person_id in used_ids:  # a person's second stay in a household, or an ID given twice
            person_id = f"{person_id}-{counters[hid]:02d}"
        used_ids.add(person_id)
        record = {"person_id": person_id, "household_id": hid, "joined_on": "", "left_on": "", "left_reason": "",
                  "_values": member.values}
        if joined is not None:
            record["joined_on"] = joined.day.isoformat()
            if joined.approximate:
                _range(package, "members", person_id, "joined_on", joined, "成员增加 member joined")
        members[hid][member.key] = record
        where[member.key] = hid

    def end_member(hid: str, key: str, left: Dated, reason: str) -> None:
        record = members[hid].pop(key)
        record["left_on"] = left.day.isoformat()
        record["left_reason"] = record["left_reason"] or reason
        if left.approximate:
            _range(package, "members", record["person_id"], "left_on", left, "成员减少 member left")
        done_members.append(record)
        if where.get(key) == hid:
            del where[key]

    previous: dict[str, HouseholdRow] = {}
    for k, (snap, households) in enumerate(stream):
        present_villages = defaultdict(int)
        if k > 0:  # an ID number in another household than the roster before
            before = {key: hid for hid, household in previous.items() for key in household.members
                      if key.startswith("id:")}
            for hid, household in households.items():
                for key, member in household.members.items():
                    if before.get(key, hid) != hid:
                        warnings.append(problem("warning", household.snapshot.display, member.row,
                                                household.snapshot.label("id_number"),
                                                mask_id(member.values.get("id_number")), "roster_id_moves",
                                                before[key]))
        registered_now = {hid for hid, now in state.items() if now in ("poor", "returned", "exited")}
        for hid in sorted(registered_now | set(households)):
            household = households.get(hid)
            if household is None:
                if state.get(hid) in ("poor", "returned", "exited"):
                    kind = snap.mapping.removal if snap.mapping.removal in REMOVED else "清退"
                    dated = Dated(snap.date, timeline.window(k), True)
                    add_event(hid, kind, dated, "花名册中不再有此户 no longer in the roster")
                continue
            present_villages[household.village] += 1
            latest[hid] = household
            status = _status(household.values)
            if state.get(hid) == "removed":
                if status != "removed":
                    errors.add(household.snapshot, household.row, "household_id", hid, "roster_reappears",
                               removed_at[hid].isoformat())
                continue
            before = state.get(hid)
            if before == "exited" and status == "未脱贫":
                prev = metadata[k - 1] if k else snap
                warnings.append(problem("warning", household.snapshot.display, household.row,
                                        household.snapshot.label("status"), household.values.get("status"),
                                        "roster_status_backwards",
                                        f"{prev.date.isoformat()} 已脱贫", f"{prev.date.isoformat()}: exited"))
            names = _CHAINS.get((before, status), [])
            if before == "exited" and status == "已脱贫":  # returned and exited again within the span
                returned = _known(household.values, "returned_on")
                if returned and last.get(hid) and returned[0] > last[hid] and k > 0 and returned[0] > metadata[k - 1].date:
                    names = ["返贫", "标注脱贫"]
            chain = []
            for name in names:
                day_field, year_field = _DATE_OF[name]
                kind = _removal_type(household.values, household.snapshot.mapping) if name == "removed" else name
                chain.append((kind, _known(household.values, day_field, year_field), day_field))
            for kind, dated in timeline.place(chain, k, last.get(hid), household):
                why = {"识别纳入": "花名册新增 new in the roster"}.get(kind, f"花名册状态 roster status: {status}")
                reason = household.values.get("removal_reason", "") if kind in REMOVED else ""
                add_event(hid, kind, dated, reason or (why if dated.approximate else ""))
            if state.get(hid) is None:
                continue
            # members
            first_time = before is None
            rows_now = household.members
            for key, member in rows_now.items():
                left_known = _known(member.values, "left_on")
                if key not in members[hid]:
                    other = where.get(key)
                    if other and other != hid:
                        if state.get(other) in ("poor", "returned", "exited") and key in members[other]:
                            end_member(other, key, Dated(snap.date, timeline.window(k), True), "迁出 moved out")
                    if first_time:
                        joined_known = _known(member.values, "joined_on")
                        joined = None
                        if joined_known and joined_known[0] > registered[hid] and joined_known[0] <= snap.date:
                            joined = Dated(joined_known[0])
                    else:
                        joined_known = _known(member.values, "joined_on")
                        floor = max(registered[hid], metadata[k - 1].date if k else registered[hid])
                        if joined_known and joined_known[0] > registered[hid] and joined_known[0] <= snap.date:
                            joined = Dated(joined_known[0])
                        else:
                            joined = Dated(snap.date, floor + DAY, True)
                            if joined.day <= registered[hid]:
                                joined = None
                    if left_known and joined is not None and left_known[0] <= joined.day:
                        continue
                    new_member(hid, member, joined)
                members[hid][key]["_values"] = member.values
                if left_known and state[hid] != "removed":
                    record = members[hid][key]
                    start = date.fromisoformat(record["joined_on"]) if record["joined_on"] else registered[hid]
                    if start < left_known[0] <= snap.date:
                        record["left_reason"] = member.values.get("left_reason", "")
                        end_member(hid, key, Dated(left_known[0]), member.values.get("left_reason", ""))
            if state[hid] != "removed":
                for key in [key for key in members[hid] if key not in rows_now]:
                    record = members[hid][key]
                    start = date.fromisoformat(record["joined_on"]) if record["joined_on"] else registered[hid]
                    left = Dated(snap.date, timeline.window(k), True)
                    if left.day > start:
                        end_member(hid, key, left, "花名册中不再有此人 no longer in the roster")
            # consistency: member count
            if k > 0 and hid in previous:
                before_n, now_n = len(previous[hid].members), len(rows_now)
                if abs(now_n - before_n) >= SIZE_JUMP:
                    warnings.append(problem("warning", household.snapshot.display, household.row,
                                            household.snapshot.label("household_id"), hid,
                                            "roster_size_jump", f"{before_n} → {now_n}", f"{before_n} -> {now_n}"))
        if k > 0:
            before_villages = defaultdict(int)
            for household in previous.values():
                before_villages[household.village] += 1
            for village, n in sorted(before_villages.items(), key=lambda x: str(x[0])):
                if village not in present_villages:
                    example = next(h for h in previous.values() if h.village == village)
                    name = example.values.get("village") or village
                    warnings.append(problem("warning", snap.display, None, snap.label("village") or
                                            snap.label("village_code"), name, "roster_village_disappears", n))
        previous = households

    for hid, household in latest.items():
        v = household.values
        package.households[hid] = {"household_id": hid, "village_code": household.village,
                                   "category": v.get("category", ""), "main_cause": v.get("main_cause", ""),
                                   "head_name": "", "head_id_number": ""}
    all_members = done_members + [r for m in members.values() for r in m.values()]
    _heads(all_members, package, latest, errors)
    package.members.extend(all_members)


def _heads(records: list[dict], package: _Package, latest: dict[str, HouseholdRow], errors: _Problems) -> None:
    """One 户主 per household (the contract's rule): the head of its last roster; a former head is 原户主. A
    household without a head in any roster is refused (at its last row)."""
    by_household = defaultdict(list)
    for record in records:
        by_household[record["household_id"]].append(record)
    for hid, group in by_household.items():
        current = [r for r in group if r["_values"].get("relation") == "户主" and not r["left_on"]]
        head = current[-1] if current else next((r for r in reversed(group)
                                                 if r["_values"].get("relation") == "户主"), None)
        for record in group:
            relation = record["_values"].get("relation", "")
            record["relation"] = "原户主" if relation == "户主" and record is not head else relation
        if head is not None and hid in package.households:
            package.households[hid]["head_name"] = head["_values"].get("name", "")
            package.households[hid]["head_id_number"] = head["_values"].get("id_number", "")
        elif head is None and hid in latest:
            last = latest[hid]
            errors.add(last.snapshot, last.row, "relation", hid, "roster_head_missing", 0)


def _monitoring(metadata: list[Snapshot], stream: Iterable[tuple[Snapshot, dict[str, HouseholdRow]]],
                package: _Package, warnings: list[Problem], errors: _Problems) -> None:
    """The monitoring rosters, one at a time in date order."""
    timeline = Timeline(metadata, warnings)
    open_episode: dict[str, dict] = {}
    last_cleared: dict[str, date] = {}
    latest: dict[str, HouseholdRow] = {}
    episodes: dict[str, int] = defaultdict(int)

    def close(hid: str, dated: Dated, why: str) -> None:
        episode = open_episode.pop(hid)
        episode["cleared_on"] = dated.day.isoformat()
        if dated.approximate:
            _range(package, "monitoring", episode["monitoring_id"], "cleared_on", dated, why)
        last_cleared[hid] = dated.day

    for k, (snap, households) in enumerate(stream):
        for hid in sorted(set(open_episode) | set(households)):
            household = households.get(hid)
            if household is None:
                if hid in open_episode:
                    close(hid, Dated(snap.date, timeline.window(k), True), "监测名单中不再有此户 no longer listed")
                continue
            latest[hid] = household
            v = household.values
            cleared = v.get("risk_cleared") == "是" or bool(v.get("cleared_on") and not v.get("risk_cleared"))
            if hid not in open_episode:
                known = _known(v, "monitored_on")
                if cleared and known and hid in last_cleared and known[0] <= last_cleared[hid]:
                    continue  # the episode closed before, still listed as cleared
                if cleared and not known and hid in last_cleared:
                    continue
                chain = [("认定", known, "monitored_on")]
                if cleared:
                    chain.append(("风险消除", _known(v, "cleared_on"), "cleared_on"))
                placed = timeline.place(chain, k, last_cleared.get(hid), household)
                episodes[hid] += 1
                episode = {"monitoring_id": f"{hid}-M{episodes[hid]}", "household_id": hid, "kind": v.get("kind", ""),
                           "risks": v.get("risks", ""), "lead_source": v.get("lead_source", ""),
                           "found_on": v.get("found_on", ""), "identified_on": placed[0][1].day.isoformat(),
                           "cleared_on": "", "note": ""}
                if placed[0][1].approximate:
                    _range(package, "monitoring", episode["monitoring_id"], "identified_on", placed[0][1],
                           "监测名单新增 new in the monitoring roster")
                if episode["found_on"] and parse_date(episode["found_on"])[0] > placed[0][1].day:
                    episode["found_on"] = ""
                package.monitoring.append(episode)
                open_episode[hid] = episode
                if cleared:
                    close(hid, placed[1][1], "风险消除 risk cleared")
            else:
                episode = open_episode[hid]
                episode["kind"], episode["risks"] = v.get("kind", episode["kind"]), v.get("risks", episode["risks"])
                if cleared:
                    placed = timeline.place([("风险消除", _known(v, "cleared_on"), "cleared_on")], k,
                                            date.fromisoformat(episode["identified_on"]), household)
                    close(hid, placed[0][1], "风险消除 risk cleared")
    # households only the monitoring rosters know: never registered (边缘户), members as last listed
    for hid, household in latest.items():
        if hid in package.households:
            continue
        package.households[hid] = {"household_id": hid, "village_code": household.village, "category": "",
                                   "main_cause": "", "head_name": "", "head_id_number": ""}
        records = []
        for i, member in enumerate(household.members.values(), start=1):
            records.append({"person_id": member.values.get("person_id") or f"{hid}-{i:02d}", "household_id": hid,
                            "joined_on": "", "left_on": "", "left_reason": "", "_values": member.values})
        _heads(records, package, latest, errors)
        package.members.extend(records)


# ------------------------------------------------------------------------------------------------
# writing

MEMBER_FIELDS = ("name", "id_number", "sex", "birth_date", "health", "labor", "student_status", "medical_insured")


def _write_table(out_dir: Path, table: str, rows: list[dict]) -> int:
    spec = contract().file(table)
    with open_private(out_dir / f"{spec.stem_zh}.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([c.header_zh for c in spec.columns])
        for row in rows:
            writer.writerow([row.get(c.name, "") or "" for c in spec.columns])
    return len(rows)


def _write(package: _Package, out_dir: Path, built_regions, region_file, notes: list[str], warnings: list[Problem],
           snaps: list[Snapshot]) -> Conversion:
    private_folder(out_dir)  # names and ID numbers: readable by the owner only, as every file etl writes
    stems = {spec.stem_zh for spec in contract().files}
    for stale in out_dir.iterdir():  # an earlier conversion's files (_check_out_dir let no other folder through)
        if stale.is_file() and (stale.stem in stems or stale.name == NOTES_FILE):
            stale.unlink()
    counts = {}
    if built_regions is not None:
        counts["regions"] = _write_table(out_dir, "regions", [
            {"code": r["区划代码"], "name": r["名称"], "level": r["层级"], "parent_code": r["上级代码"]}
            for r in built_regions])
        _write_table(out_dir, "village_year", [])
    else:
        with open_private(out_dir / "区划.csv", "w", encoding="utf-8") as f:
            f.write(region_file.csv_text())
        counts["regions"] = len(region_file.regions)
        beside = [p for p in region_file.path.parent.iterdir()
                  if p.stem in ("村年度情况", "village_year") and p.suffix.lower() in (".csv", ".xlsx")]
        if beside:
            target = out_dir / f"村年度情况{beside[0].suffix.lower()}"
            with open_private(target, "wb") as f:
                f.write(beside[0].read_bytes())
            notes.append(f"- 村年度情况取自区划文件旁的 {beside[0].name}。 / village_year was taken from "
                         f"{beside[0].name} beside the regions file.")
        else:
            _write_table(out_dir, "village_year", [])
            notes.append("- 区划文件旁没有村年度情况：该文件为空，贫困发生率无法计算。 / No village_year file beside the "
                         "regions file: it is empty, so incidence cannot be worked out.")
    members = []
    for record in package.members:
        row = {k: record["_values"].get(k, "") for k in MEMBER_FIELDS}
        row.update({k: record[k] for k in ("person_id", "household_id", "relation", "joined_on", "left_on",
                                           "left_reason")})
        members.append(row)
    counts["households"] = _write_table(out_dir, "households", list(package.households.values()))
    counts["members"] = _write_table(out_dir, "members", members)
    counts["events"] = _write_table(out_dir, "events", sorted(package.events, key=lambda e: (e["household_id"],
                                                                                         e["event_date"])))
    if package.monitoring:
        counts["monitoring"] = _write_table(out_dir, "monitoring", package.monitoring)
    if package.ranges:
        counts["date_ranges"] = _write_table(out_dir, "date_ranges", package.ranges)
    lines = ["# 花名册转换说明 / Roster conversion notes", "",
             "由 `python -m etl from-roster` 从以下花名册生成 / converted from these rosters:", ""]
    for s in snaps:
        line = f"- {s.display}: {s.date.isoformat()}{'（监测对象 monitoring）' if s.monitoring else ''}, {s.row_count} 行 rows"
        if s.table.skipped:
            line += f", 跳过合计/注释行 skipped totals/notes rows {', '.join(str(r) for r, _ in s.table.skipped)}"
        unused = [label for label in s.table.labels if label and label not in s.mapping.columns.values()
                  and not is_ignored(label)]
        if unused:
            line += f"; 未用的列 columns not used: {', '.join(unused)}"
        lines.append(line)
    lines += ["", "## 说明 / Notes", ""] + notes
    if package.ranges:
        lines.append(f"- {len(package.ranges)} 个日期只知在两期花名册之间（或第一期之前），按较晚的一端记录，列于 "
                     f"日期区间.csv，导入时逐条警告。 / {len(package.ranges)} dates are only known to lie between two "
                     "rosters (or before the first one): each is written as the later end, listed in the date_ranges "
                     "file, and warned about by the load.")
        lines += ["", "| 文件 file | 记录 record | 列 column | 最早 earliest | 记为 written |", "|---|---|---|---|---|"]
        lines += [f"| {r['table_name']} | {r['record_id']} | {r['column_name']} | {r['earliest'] or '—'} | "
                  f"{r['latest']} |" for r in package.ranges]
    if warnings:
        lines += ["", "## 前后期不一致 / Snapshot consistency warnings", ""]
        lines += [f"- {p.describe()}" for p in warnings]
    with open_private(out_dir / NOTES_FILE, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    summary = [line for line in notes]
    if package.ranges:
        summary.append(lines[lines.index("## 说明 / Notes") + 2 + len(notes)])
    return Conversion(package=out_dir, notes=summary, warnings=warnings, counts=counts)


def preview(path: Path, mapping: Mapping, rows: int = 10):
    """The first data rows of a roster as the mapping reads them: one column per mapped field (its
    value translated to the contract's value when the field has a list; an unknown value is kept as
    written, marked ⚠), with the row number as seen in Excel."""
    import pandas as pd

    sheet = read_sheet(Path(path))
    wanted = {norm(label) for label in mapping.columns.values()}
    table = read_table(sheet, mapping.header_row, mapping.header_rows, wanted, tuple(mapping.skip_words))
    by_label = {norm(label): i for i, label in reversed(list(enumerate(table.labels)))}
    out = []
    for number, cells in table.rows[:rows]:
        record = {"row": number}
        for name, label in mapping.columns.items():
            i = by_label.get(norm(label))
            text = cells[i].strip() if i is not None and i < len(cells) else ""
            if text and (allowed_values(name) is not None or name in mapping.values or name in DEFAULT_VALUES):
                meant = known_value(name, text, mapping.values)
                text = meant if meant is not None else f"⚠ {text}"
            record[name] = text
        out.append(record)
    return pd.DataFrame(out, columns=["row", *mapping.columns])
