"""Projects and their funds (下达, 拨付, 支出, 报账)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from etl.demo.county import County
from etl.demo.vocabulary import (
    END,
    FUND_SOURCE_P,
    FUND_SOURCES,
    INDUSTRIES,
    LAST_YEAR,
    PROJECT_AMOUNT,
    PROJECT_CATEGORIES,
    PROJECT_NAMES,
    TOWNSHIP_PROJECT_P,
    VILLAGE_PROJECT_P,
    _date,
    _day,
    _IdSequences,
)


@dataclass
class _Counters:
    """Running numbers across townships, so that IDs are sequential and unique in the package."""

    persons: int = 0
    events: int = 0
    funds: int = 0
    projects: dict | None = None
    id_sequences: _IdSequences | None = None


PROJECT_YEARS = [2016, 2017, 2018, 2019, 2020]
PROJECT_YEAR_P = [0.14, 0.22, 0.25, 0.23, 0.16]
BATCH_ALLOCATION = {1: ("01-10", 64), 2: ("04-01", 75), 3: ("07-01", 76)}  # allocation window per batch


@dataclass
class Project:
    region_code: str
    region_name: str
    year: int
    batch: int
    category: str
    amount: int
    allocated_on: int
    planned_start: int
    planned_end: int
    started_on: int | None
    completed_on: int | None
    late: bool
    households: int | None
    people: int | None
    department: str
    name: str


def _draw_project(r: random.Random, code: str, name: str, at_village: bool, poor_households: int) -> Project:
    year = r.choices(PROJECT_YEARS, PROJECT_YEAR_P)[0]
    category = r.choices(PROJECT_CATEGORIES, VILLAGE_PROJECT_P if at_village else TOWNSHIP_PROJECT_P)[0]
    lo, hi = PROJECT_AMOUNT[category]
    amount = int(round(math.exp(r.uniform(math.log(lo), math.log(hi))), -2 if category == "项目管理费" else -3))
    batch = r.choices([1, 2, 3], [0.5, 0.35, 0.15])[0]
    window_start, window_days = BATCH_ALLOCATION[batch]
    allocated = _day(f"{year}-{window_start}") + r.randint(0, window_days)
    planned_start = allocated + r.randint(20, 60)
    planned_end = planned_start + (r.randint(60, 300) if category != "项目管理费" else r.randint(90, 200))
    roll = r.random()
    not_started, slow = (0.08, 0.15) if year == LAST_YEAR else (0.015, 0.08)
    started = None
    if roll >= not_started:
        started = planned_start + (r.randint(60, 200) if roll < not_started + slow else r.randint(-10, 40))
        started = started if started <= END else None
    completed, late = None, r.random() < 0.18
    if started is not None and r.random() >= 0.03:
        completed = (
            started + int((planned_end - planned_start) * r.uniform(0.8, 1.05)) + (r.randint(30, 240) if late else 0)
        )
        completed = completed if completed <= END else None
    households = people = None
    if category != "项目管理费" and poor_households > 0:
        households = max(1, int(poor_households * r.uniform(0.1, 0.9 if at_village else 0.4)))
        people = int(round(households * r.uniform(2.8, 3.6)))
    template, department = r.choice(PROJECT_NAMES[category])
    title = f"{year}年" + template.format(v=name, i=r.choice(INDUSTRIES), g=r.randint(1, 12))
    return Project(
        code,
        name,
        year,
        batch,
        category,
        amount,
        allocated,
        planned_start,
        planned_end,
        started,
        completed,
        late,
        households,
        people,
        department,
        title,
    )


def _split_amount(r: random.Random, total: int, parts: int) -> list[int]:
    weights = [r.uniform(0.5, 1.5) for _ in range(parts)]
    amounts = [int(total * w / sum(weights)) for w in weights]
    amounts[-1] = total - sum(amounts[:-1])
    return amounts


def _fund_movements(r: random.Random, p: Project) -> list[tuple[str, str, int, int]]:
    """(source, stage, day, amount) for one project. Every stage follows its predecessor in time
    and never exceeds it cumulatively, per source stream (so also per project)."""
    source = "县级财政专项扶贫资金" if p.category == "项目管理费" else r.choices(FUND_SOURCES, FUND_SOURCE_P)[0]
    streams = [(source, p.amount)]
    if p.category != "项目管理费" and r.random() < 0.3:
        other = r.choice([s for s in FUND_SOURCES if s != source])
        first = int(round(p.amount * r.uniform(0.5, 0.8), -2))
        streams = [(source, first), (other, p.amount - first)]
    on_time = p.completed_on is not None and not p.late
    spend = 1.0 if on_time and r.random() < 0.85 else (r.uniform(0.9, 1.0) if on_time else r.uniform(0.4, 0.7))
    disburse = 1.0 if r.random() < 0.85 else r.uniform(spend, 1.0)
    reimburse = 1.0 if r.random() < 0.7 else r.uniform(0.6, 1.0)
    rows = []
    for k, (src, allocated) in enumerate(streams):
        day = p.allocated_on + (r.randint(0, 30) if k else 0)
        rows.append((src, "下达", day, allocated))
        if p.started_on is None:
            if r.random() < 0.5:
                rows.append((src, "拨付", day + r.randint(7, 40), int(allocated * r.uniform(0.3, 1.0))))
            continue
        tranches = _split_amount(r, int(allocated * disburse), r.choices([1, 2, 3], [0.35, 0.4, 0.25])[0])
        paid_day = spent_day = booked_day = 0
        for i, paid in enumerate(tranches):
            paid_day = (day + r.randint(7, 40)) if i == 0 else paid_day + r.randint(30, 120)
            spent = int(paid * spend / disburse)
            spent_day = max(max(paid_day, p.started_on) + r.randint(5, 60), spent_day + 1)
            booked = int(spent * reimburse)
            booked_day = max(spent_day + r.randint(5, 60), booked_day + 1)
            rows.append((src, "拨付", paid_day, paid))
            headroom = paid - spent
            if i == 0 and headroom >= 2000 and r.random() < 0.05:
                # an over-booked payment corrected a few days later by a negative row
                extra = min(headroom, r.randint(10, 100) * 100)
                rows += [(src, "支出", spent_day, spent + extra), (src, "支出", spent_day + r.randint(1, 10), -extra)]
            else:
                rows.append((src, "支出", spent_day, spent))
            if booked:
                rows.append((src, "报账", booked_day, booked))
    stage_order = {"下达": 0, "拨付": 1, "支出": 2, "报账": 3}
    return sorted((row for row in rows if row[2] <= END and row[3] != 0), key=lambda row: (row[2], stage_order[row[1]]))


def _project_rows(
    rng: np.random.Generator, county: County, township: int, poor_households: np.ndarray, counters: _Counters
) -> tuple[list[tuple], list[tuple]]:
    """Projects of one township (poor villages get the most) and every fund movement of them."""
    r = random.Random(int(rng.integers(2**62)))
    villages = county.villages_of(township)
    per_village = rng.poisson(np.where(county.is_poor[villages], 11.0, 4.0))
    drawn = []
    for v, count, households in zip(villages.tolist(), per_village.tolist(), poor_households.tolist(), strict=True):
        drawn += [
            _draw_project(r, county.village_codes[v], county.village_names[v], True, households) for _ in range(count)
        ]
    town_households = int(poor_households.sum())
    drawn += [
        _draw_project(r, county.township_codes[township], county.township_names[township], False, town_households)
        for _ in range(int(rng.poisson(22.0 * len(villages) / (200 / 12))))
    ]  # ∝ villages: scales with N
    drawn.sort(key=lambda p: (p.year, p.batch, p.allocated_on, p.region_code))
    projects, funds = [], []
    for p in drawn:
        counters.projects[p.year] = counters.projects.get(p.year, 0) + 1
        project_id = f"XM{p.year}{counters.projects[p.year]:06d}"
        projects.append(
            (
                project_id,
                p.name,
                p.category,
                p.region_code,
                p.year,
                f"第{p.batch}批",
                p.amount,
                _date(p.planned_start),
                _date(p.started_on),
                _date(p.planned_end),
                _date(p.completed_on),
                "" if p.households is None else p.households,
                "" if p.people is None else p.people,
                p.department,
            )
        )
        for source, stage, day, amount in _fund_movements(r, p):
            counters.funds += 1
            funds.append((f"F{counters.funds:09d}", project_id, source, stage, _date(day), amount))
    return projects, funds
