"""Writing the package: one township at a time into every file, the targets, and the counts."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etl.demo.county import County, _region_rows, _village_year_rows, build_county
from etl.demo.departments import write_department_records
from etl.demo.geometry import write_boundaries
from etl.demo.households import Households, _event_rows, draw_households, household_ids
from etl.demo.incomes import _YEAR_END, _assistance_rows, _household_year_rows, exited_at, sizes_by_year
from etl.demo.members import _member_rows, draw_members
from etl.demo.monitoring import EdgeHouseholds, write_edge_households, write_link_projects, write_township
from etl.demo.projects import _Counters, _project_rows
from etl.demo.vocabulary import (
    BOUNDARIES_FILE,
    CATEGORIES,
    CAUSES,
    COUNTY,
    FILES,
    FIRST_YEAR,
    HEAD,
    LAST_YEAR,
    _IdSequences,
)


@dataclass
class Tally:
    """Per township × year (2014-2020): exits and the still-poor stock at year end, for targets."""

    exit_households: np.ndarray
    exit_people: np.ndarray
    poor_households: np.ndarray
    poor_people: np.ndarray


def _tally_township(tally: Tally, t: int, hh: Households, sizes: np.ndarray) -> None:
    for j, year in enumerate(range(FIRST_YEAR, LAST_YEAR + 1)):
        end = _YEAR_END[year]
        start = end - (366 if year % 4 == 0 else 365)
        exits = ((hh.exit1 > start) & (hh.exit1 <= end)).astype(int) + ((hh.exit2 > start) & (hh.exit2 <= end))
        tally.exit_households[t, j] += exits.sum()
        tally.exit_people[t, j] += (exits * sizes[:, j]).sum()
        poor = (hh.id_day <= end) & (hh.removal > end) & ~exited_at(hh, np.full(len(hh), end))
        tally.poor_households[t, j] += poor.sum()
        tally.poor_people[t, j] += sizes[poor, j].sum()


def _write_township(
    t: int, county: County, seed: int, writers: dict, counters: _Counters, tally: Tally
) -> EdgeHouseholds:
    rng = np.random.default_rng([seed, 3, t])
    hh = draw_households(rng, county, t)
    mem = draw_members(rng, hh)
    ids = household_ids(county, hh)
    member_rows, text, flags = _member_rows(rng, hh, mem, ids, counters.persons + 1, counters.id_sequences)
    counters.persons += len(member_rows)
    head_row = np.flatnonzero(mem.role == HEAD)  # one per household, in household order
    writers["households"].writerows(
        list(
            zip(
                ids.tolist(),
                np.array(county.village_codes, dtype=object)[hh.village].tolist(),
                [text.names[i] for i in head_row],
                [text.id_numbers[i] for i in head_row],
                np.array(CATEGORIES, dtype=object)[hh.category].tolist(),
                np.array(CAUSES, dtype=object)[hh.cause].tolist(),
                strict=True,
            )
        )
    )
    writers["members"].writerows(member_rows)
    events = _event_rows(rng, hh, ids, counters.events + 1)
    counters.events += len(events)
    writers["events"].writerows(events)
    sizes = sizes_by_year(hh, mem)
    writers["household_year"].writerows(_household_year_rows(rng, hh, sizes, ids))
    writers["assistance"].writerows(_assistance_rows(rng, hh, flags, ids, county.is_poor[hh.village]))
    _tally_township(tally, t, hh, sizes)

    villages = county.villages_of(t)
    per_village = np.bincount(np.searchsorted(villages, hh.village), minlength=len(villages))
    projects, funds = _project_rows(np.random.default_rng([seed, 4, t]), county, t, per_village, counters)
    writers["projects"].writerows(projects)
    writers["funds"].writerows(funds)
    # after 2020, from streams of its own (etl/demo/monitoring.py): the rows above stay as they were
    return write_township(np.random.default_rng([seed, 7, t]), county, t, hh, sizes, ids, writers)


def _planned(rng: np.random.Generator, actual: int) -> int:
    """A plan close to but not equal to what was achieved."""
    plan = int(round(actual * rng.uniform(0.9, 1.1)))
    return plan + 1 if plan == actual else plan


def _target_rows(county: County, tally: Tally, seed: int) -> list[tuple]:
    rng = np.random.default_rng([seed, 6])
    rows = []
    spending = [("03-31", "0.30"), ("06-30", "0.60"), ("09-30", "0.85"), ("12-31", "1.00")]
    for year in range(2015, LAST_YEAR + 1):
        j = year - FIRST_YEAR
        town_rows = []
        for t, code in enumerate(county.township_codes):
            if year == LAST_YEAR:  # 2020: every remaining poor household was to exit
                plan_h, plan_p = int(tally.poor_households[t, j - 1]), int(tally.poor_people[t, j - 1])
            else:
                plan_h = _planned(rng, int(tally.exit_households[t, j]))
                plan_p = _planned(rng, int(tally.exit_people[t, j]))
            villages = county.villages_of(t)
            town_rows.append((year, code, plan_h, plan_p, int((county.planned_exit[villages] == year).sum()), "", ""))
        rows.append(
            (
                year,
                COUNTY[0],
                sum(r[2] for r in town_rows),
                sum(r[3] for r in town_rows),
                sum(r[4] for r in town_rows),
                "",
                "",
            )
        )
        rows += town_rows
        rows += [(year, COUNTY[0], "", "", "", share, f"{year}-{month_day}") for month_day, share in spending]
    return rows


class _CountingWriter:
    """csv.writer that counts the data rows it wrote."""

    def __init__(self, handle) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self.rows = 0

    def writerow(self, row) -> None:
        self._writer.writerow(row)

    def writerows(self, rows: list) -> None:
        self._writer.writerows(rows)
        self.rows += len(rows)


def write_demo_package(
    out_dir: str | Path, scale: int = 1, seed: int = 2014, progress: Callable[[float, str], None] | None = None
) -> dict[str, int]:
    """Write the package into out_dir (created if needed); returns row counts per file stem (English stem)."""
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda fraction, message: None)
    report(0.0, "生成区划与村年度情况")
    county = build_county(int(scale), seed)
    counts: dict[str, int] = {}
    handles = {stem: open(out / name, "w", encoding="utf-8", newline="") for stem, (name, _) in FILES.items()}
    try:
        writers = {stem: _CountingWriter(handle) for stem, handle in handles.items()}
        for stem, (_, header) in FILES.items():
            writers[stem].writerow(header)
        writers["regions"].writerows(_region_rows(county))
        writers["village_year"].writerows(_village_year_rows(county, seed))
        report(0.02, "生成边界")
        counts["boundaries"] = write_boundaries(
            county, out / BOUNDARIES_FILE, seed, lambda f: report(0.02 + 0.08 * f, "生成边界")
        )
        n_townships = len(county.township_codes)
        tally = Tally(*(np.zeros((n_townships, LAST_YEAR - FIRST_YEAR + 1), dtype=np.int64) for _ in range(4)))
        counters = _Counters(projects={}, id_sequences=_IdSequences())
        edges = []
        for t in range(n_townships):
            edges.append(_write_township(t, county, seed, writers, counters, tally))
            report(
                0.10 + 0.86 * (t + 1) / n_townships,
                f"生成贫困户与项目：{county.township_names[t]}（{t + 1}/{n_townships}）",
            )
        report(0.96, "生成边缘户与衔接资金项目")
        for edge in edges:  # numbered after every registered person and campaign fund record
            write_edge_households(np.random.default_rng([seed, 9, edge.township]), edge, writers, counters, counters.id_sequences)
            write_link_projects(np.random.default_rng([seed, 8, edge.township]), county, edge.township, writers, counters)
        writers["targets"].writerows(_target_rows(county, tally, seed))
    finally:
        for handle in handles.values():
            handle.close()
    counts.update({stem: writer.rows for stem, writer in writers.items()})
    # 部门数据比对: drawn from the members and monitoring files just written (etl/demo/departments.py)
    counts.update(write_department_records(out, seed, int(scale)))
    report(1.0, "演示数据已生成")
    return {stem: counts[stem] for stem in [*FILES, "boundaries"]}
