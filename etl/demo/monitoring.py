"""After 2020 (防止返贫动态监测): monitoring episodes, household years 2021-2025, assistance after
2020, households never registered (边缘户) and 衔接资金 projects 2021-2025.

Everything here is drawn from its own random streams, keyed by (seed, 7, township) for the
households' side and (seed, 8, township) for projects, so the 2014-2020 rows of the package are
exactly those drawn without it. Households never registered and their members are written after
every township (person numbers and ID numbers continue after the registered ones), and so are the
衔接资金 projects and their funds (record numbers continue after the campaign's).

Shape at scale 1: about 300 monitoring episodes (脱贫不稳定户 from exited households, 边缘易致贫户
and some 突发严重困难户 from about 90 edge households, some 突发严重困难户 from exited households),
a few households monitored twice, about a fifth of the edge households never monitored, a handful
of households below the monitoring threshold and not monitored, some episodes cleared while the
year's income is still below the threshold. Thresholds below only shape fictional incomes; the
dashboard reads data/reference/monitoring_thresholds.csv.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from etl.demo.county import County
from etl.demo.households import Households
from etl.demo.incomes import INCOME_SHARES, exited_at
from etl.demo.members import RELATIONS, _given_names, _student_status
from etl.demo.projects import _Counters, _split_amount
from etl.demo.vocabulary import (
    CHILD,
    END,
    HEAD,
    HEALTH,
    INDUSTRIES,
    LABOUR,
    NO_DAY,
    PROJECT_AMOUNT,
    PROJECT_CATEGORIES,
    PROJECT_NAMES,
    SPOUSE,
    SURNAMES,
    VILLAGE_PROJECT_P,
    _bools,
    _date,
    _dates,
    _day,
    _IdSequences,
    _uniform_int,
    _years,
)

YEARS = list(range(2021, 2026))  # household_year after 2020
THRESHOLD = {2021: 6000, 2022: 6500, 2023: 7000, 2024: 7500, 2025: 8000, 2026: 8300}
FIRST_DAY, LAST_DAY = _day("2021-03-01"), _day("2026-11-30")  # monitoring runs to the end of Nov 2026
KINDS = ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
STABLE, EDGE, SUDDEN = range(3)
RISKS = ["因病", "因学", "因残", "因灾", "因意外事故", "因产业项目失败", "因务工就业不稳", "因人口变化", "其他"]
RISK_P = np.array(
    [  # by kind
        [0.36, 0.08, 0.12, 0.06, 0.05, 0.08, 0.17, 0.04, 0.04],
        [0.34, 0.12, 0.14, 0.05, 0.04, 0.06, 0.17, 0.04, 0.04],
        [0.40, 0.02, 0.04, 0.22, 0.28, 0.01, 0.01, 0.01, 0.01],
    ]
)
LEADS = ["农户自主申报", "基层干部排查", "部门筛查预警"]
LINK_SOURCES = [
    "中央财政衔接推进乡村振兴补助资金",
    "省级财政衔接推进乡村振兴补助资金",
    "市级财政衔接推进乡村振兴补助资金",
    "县级财政衔接推进乡村振兴补助资金",
]
LINK_SOURCE_P = [0.58, 0.18, 0.08, 0.16]
_YEAR_START = {y: _day(f"{y}-01-01") for y in range(2021, 2028)}


@dataclass
class EdgeHouseholds:
    """Households never registered of one township, written after every township."""

    township: int
    ids: list[str]
    village_codes: list[str]
    size: np.ndarray


def _year_of(days: np.ndarray) -> np.ndarray:
    return 2021 + (np.asarray(days)[..., None] >= np.array([_YEAR_START[y] for y in range(2022, 2028)])).sum(axis=-1)


def _episodes(rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, ...]:
    """(who, kind, identified, cleared) for first episodes of `kind` (index = household) and seconds."""
    n = len(kind)
    identified = _uniform_int(rng, np.full(n, FIRST_DAY), np.full(n, _day("2026-10-31")))
    cleared = identified + rng.integers(150, 720, n)
    cleared = np.where((cleared <= LAST_DAY) & (rng.random(n) < 0.93), cleared, NO_DAY)
    again = (cleared < _day("2025-06-30")) & (rng.random(n) < 0.07)
    second = cleared[again] + rng.integers(60, 400, again.sum())
    second_cleared = second + rng.integers(150, 600, again.sum())
    second_cleared = np.where(second_cleared <= LAST_DAY, second_cleared, NO_DAY)
    who = np.r_[np.arange(n), np.flatnonzero(again)]
    return (
        who,
        kind[who],
        np.r_[identified, second],
        np.r_[cleared, second_cleared],
    )


def _risk_text(rng: np.random.Generator, kind: np.ndarray) -> list[str]:
    cum = np.cumsum(RISK_P[kind], axis=1)
    first = (cum < rng.random(len(kind))[:, None] * cum[:, -1:]).sum(axis=1)
    other = (cum < rng.random(len(kind))[:, None] * cum[:, -1:]).sum(axis=1)
    two = (rng.random(len(kind)) < 0.25) & (other != first)
    names = np.array(RISKS, dtype=object)
    return [
        f"{names[min(a, b)]}、{names[max(a, b)]}" if t else names[a]
        for a, b, t in zip(first.tolist(), other.tolist(), two.tolist(), strict=True)
    ]


def _income_rows(
    rng: np.random.Generator, household_id: np.ndarray, size: np.ndarray, category: np.ndarray, factor: np.ndarray,
    fails: np.ndarray,
) -> list[tuple]:
    """household_year rows for YEARS (factor: per-capita net income ÷ the year's threshold, n × 5)."""
    n = len(household_id)
    h = np.repeat(np.arange(n), len(YEARS))
    year = np.tile(np.array(YEARS), n)
    line = np.array([THRESHOLD[y] for y in YEARS])[year - YEARS[0]]
    net = np.round(line * factor.reshape(-1) * size[h]).astype(np.int64)
    k = len(h)
    shares = INCOME_SHARES[category[h]] * rng.uniform(0.6, 1.4, (k, 4))
    shares /= shares.sum(axis=1, keepdims=True)
    cost_ratio = rng.uniform(0.2, 0.45, k)
    gross = net / (1 - shares[:, 1] * cost_ratio)
    wages = np.round(gross * shares[:, 0]).astype(np.int64)
    business = np.round(gross * shares[:, 1]).astype(np.int64)
    prop = np.round(gross * shares[:, 2]).astype(np.int64)
    costs = np.round(business * cost_ratio).astype(np.int64)
    transfer = net + costs - wages - business - prop  # the parts add up to net exactly
    wages += np.minimum(transfer, 0)
    transfer = np.maximum(transfer, 0)
    guarantees = np.ones((k, 5), dtype=bool)
    failing = fails.reshape(-1)
    guarantees[np.flatnonzero(failing), rng.integers(1, 5, int(failing.sum()))] = False
    return list(
        zip(
            year.tolist(),
            household_id[h].tolist(),
            size[h].tolist(),
            wages.tolist(),
            business.tolist(),
            prop.tolist(),
            transfer.tolist(),
            costs.tolist(),
            *(_bools(g) for g in guarantees.T),
            strict=True,
        )
    )


def _assistance(
    rng: np.random.Generator, household_id: np.ndarray, lo: np.ndarray, hi: np.ndarray, risks: list[str] | None
) -> list[tuple]:
    """Measures dated in [lo, hi] per household: 产业 and 就业 above all; with risks, what answers them."""
    n = len(household_id)
    u = lambda: rng.random(n)  # noqa: E731
    monitored = risks is not None
    risk = np.array(risks if monitored else [""] * n, dtype=object)
    sick = np.array(["因病" in r for r in risk.tolist()])
    school = np.array(["因学" in r for r in risk.tolist()])
    amounts = lambda a, b, step: rng.integers(a // step, b // step + 1, n) * step  # noqa: E731
    measures = [
        ("结对帮扶", u() < (0.9 if monitored else 0.0), np.full(n, -1), "帮扶联系人结对"),
        ("产业", u() < (0.55 if monitored else 0.30), amounts(1000, 5000, 100), "产业奖补（衔接资金）"),
        ("就业", u() < (0.45 if monitored else 0.22), amounts(300, 1500, 100), "务工交通补贴、稳岗就业"),
        ("就业", u() < (0.12 if monitored else 0.02), amounts(6000, 12000, 600), "乡村公益性岗位"),
        ("健康", sick & (u() < 0.8), amounts(1000, 30000, 100), "医疗救助、大病保险"),
        ("教育", school & (u() < 0.85), amounts(1000, 5000, 500), "雨露计划、教育资助"),
        ("兜底保障", u() < (0.22 if monitored else 0.0), amounts(2000, 6000, 100), "纳入低保"),
        ("小额信贷", u() < (0.06 if monitored else 0.04), np.full(n, 50000), "脱贫人口小额信贷"),
    ]
    parts = []
    for measure, who, amount, note in measures:
        idx = np.flatnonzero(who & (hi >= lo))
        day = _uniform_int(rng, lo[idx], hi[idx])
        parts.append((idx, day, np.full(len(idx), measure, dtype=object), amount[idx], np.full(len(idx), note, dtype=object)))
    h = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    order = np.lexsort((day, h))
    amount = np.concatenate([p[3] for p in parts])[order]
    return list(
        zip(
            household_id[h[order]].tolist(),
            np.concatenate([p[2] for p in parts])[order].tolist(),
            _dates(day[order]),
            [str(a) if a >= 0 else "" for a in amount.tolist()],
            np.concatenate([p[4] for p in parts])[order].tolist(),
            strict=True,
        )
    )


def write_township(
    rng: np.random.Generator, county: County, t: int, hh: Households, sizes: np.ndarray, ids: np.ndarray, writers: dict
) -> EdgeHouseholds:
    """Monitoring episodes, household years 2021-2025 and assistance after 2020 of one township;
    returns its households never registered, whose household and member rows come later."""
    kept = np.flatnonzero(hh.removal >= NO_DAY)  # registered households never removed
    exited = exited_at(hh, np.full(len(hh), END))[kept]
    villages = county.villages_of(t)
    n_edge = int(rng.poisson(0.45 * len(villages)))
    edge_village = villages[rng.integers(0, len(villages), n_edge)]
    edge_serial = 90000 + np.arange(n_edge)
    edge_ids = np.array(
        [f"H{county.village_codes[v][6:]}{s:05d}" for v, s in zip(edge_village.tolist(), edge_serial.tolist(), strict=True)],
        dtype=object,
    )
    edge_size = np.minimum(1 + rng.poisson(2.2, n_edge), 7)

    # who is monitored as what: exited households (脱贫不稳定户, a few 突发严重困难户), edge households
    roll = rng.random(len(kept))
    reg_kind = np.where(exited & (roll < 0.012), STABLE, np.where(exited & (roll < 0.015), SUDDEN, -1))
    edge_roll = rng.random(n_edge)
    edge_kind = np.where(edge_roll < 0.68, EDGE, np.where(edge_roll < 0.80, SUDDEN, -1))
    household_id = np.r_[ids[kept], edge_ids]
    kind = np.r_[reg_kind, edge_kind]
    size = np.r_[np.maximum(sizes[kept, -1], 1), edge_size]
    category = np.r_[hh.category[kept], np.zeros(n_edge, dtype=np.int64)]
    monitored = np.flatnonzero(kind >= 0)
    who, ep_kind, identified, cleared = _episodes(rng, kind[monitored])
    who = monitored[who]
    order = np.lexsort((identified, who))
    who, ep_kind, identified, cleared = who[order], ep_kind[order], identified[order], cleared[order]
    risks = _risk_text(rng, ep_kind)
    m = len(who)
    late = rng.random(m)
    found = identified - np.where(late < 0.80, rng.integers(0, 13, m), rng.integers(16, 61, m))
    found = np.where(late >= 0.93, NO_DAY, found)
    lead = np.array(LEADS, dtype=object)[(np.cumsum([0.3, 0.5, 0.2]) < rng.random(m)[:, None]).sum(axis=1)]
    township = county.township_codes[t][6:9]
    writers["monitoring"].writerows(
        list(
            zip(
                [f"JC{township}{k + 1:05d}" for k in range(m)],
                household_id[who].tolist(),
                np.array(KINDS, dtype=object)[ep_kind].tolist(),
                risks,
                lead.tolist(),
                _dates(found),
                _dates(identified),
                _dates(cleared),
                [""] * m,
                strict=True,
            )
        )
    )

    # incomes: comfortably above the threshold, below it in the years a household was at risk
    n = len(household_id)
    factor = rng.uniform(1.35, 3.2, n)[:, None] * 1.04 ** np.arange(len(YEARS))
    fails = np.zeros((n, len(YEARS)), dtype=bool)
    first_year, end_year = _year_of(identified), _year_of(np.minimum(cleared, LAST_DAY))
    for e in range(m):  # a few hundred episodes: a loop is fine
        at_risk = (np.array(YEARS) >= first_year[e]) & (np.array(YEARS) < end_year[e])
        factor[who[e], at_risk] = rng.uniform(0.6, 0.97, at_risk.sum())
        fails[who[e], at_risk] = rng.random(at_risk.sum()) < 0.15
        if cleared[e] < NO_DAY and end_year[e] <= YEARS[-1]:
            y = end_year[e] - YEARS[0]
            still = rng.random() < 0.06  # cleared while the year's income is still below the threshold
            factor[who[e], y] = rng.uniform(0.85, 0.98) if still else rng.uniform(1.1, 1.5)
    quiet = np.flatnonzero(kind < 0)
    slip = quiet[rng.random(len(quiet)) < np.where(quiet >= len(kept), 0.3, 0.0006)]  # not monitored, below
    factor[slip, rng.integers(1, len(YEARS), len(slip))] = rng.uniform(0.8, 0.97, len(slip))
    edge_quiet = quiet[quiet >= len(kept)]
    factor[edge_quiet] = np.minimum(factor[edge_quiet], rng.uniform(1.02, 1.3, (len(edge_quiet), 1)))
    writers["household_year"].writerows(_income_rows(rng, household_id, size, category, factor, fails))

    # assistance: exited households now and then; monitored ones while at risk
    writers["assistance"].writerows(
        _assistance(rng, household_id[:len(kept)], np.full(len(kept), _YEAR_START[2021]), np.full(len(kept), LAST_DAY), None)
        + _assistance(rng, household_id[who], identified, np.minimum(cleared, LAST_DAY), risks)
    )
    return EdgeHouseholds(t, edge_ids.tolist(), [county.village_codes[v] for v in edge_village.tolist()], edge_size)


def write_edge_households(
    rng: np.random.Generator, edge: EdgeHouseholds, writers: dict, counters: _Counters, id_sequences: _IdSequences
) -> None:
    """Household and member rows of one township's households never registered (no category, no cause)."""
    n = len(edge.ids)
    h = np.repeat(np.arange(n), edge.size)
    rank = np.arange(len(h)) - np.repeat(np.cumsum(edge.size) - edge.size, edge.size)
    role = np.where(rank == 0, HEAD, np.where((rank == 1) & (rng.random(len(h)) < 0.85), SPOUSE, CHILD))
    head_birth = _uniform_int(rng, np.full(n, _day("1950-01-01")), np.full(n, _day("1990-12-31")))
    birth = np.where(
        role == CHILD,
        head_birth[h] + rng.integers(20 * 365, 38 * 365, len(h)),
        head_birth[h] + np.where(role == SPOUSE, rng.integers(-1500, 1500, len(h)), 0),
    )
    birth = np.minimum(birth, _day("2020-12-31"))
    head_male = rng.random(n) < 0.85
    male = np.where(role == HEAD, head_male[h], np.where(role == SPOUSE, ~head_male[h], rng.random(len(h)) < 0.5))
    age = 2021 - _years(birth)
    surname = np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
    own = np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), len(h))]
    names = [
        (own[i] if role[i] == SPOUSE else surname[h[i]]) + g
        for i, g in enumerate(_given_names(rng, male))
    ]
    health = np.where(rng.random(len(h)) < 0.8, 0, rng.integers(1, 4, len(h)))
    labour = np.where(age < 16, 4, np.where(age >= 65, 2, np.where(health == 3, 3, 0)))
    student = _student_status(rng, age)
    labour = np.where((student != "") & (age >= 16), 4, labour)
    id_numbers = id_sequences.id_numbers(birth, male.astype(np.int64))
    first = 900_000_000 + counters.persons  # a range of their own: registered people keep their numbers
    counters.persons += len(h)
    heads = np.flatnonzero(role == HEAD)
    writers["households"].writerows(
        list(
            zip(
                edge.ids,
                edge.village_codes,
                [names[i] for i in heads],
                [id_numbers[i] for i in heads],
                [""] * n,
                [""] * n,
                strict=True,
            )
        )
    )
    writers["members"].writerows(
        list(
            zip(
                [f"P{first + i:09d}" for i in range(len(h))],
                np.array(edge.ids, dtype=object)[h].tolist(),
                names,
                id_numbers,
                RELATIONS[role, male.astype(int)].tolist(),
                np.where(male, "男", "女").tolist(),
                _dates(birth),
                np.array(HEALTH, dtype=object)[health].tolist(),
                np.array(LABOUR, dtype=object)[labour].tolist(),
                student.tolist(),
                _bools(np.ones(len(h), dtype=bool)),
                [""] * len(h),
                [""] * len(h),
                [""] * len(h),
                strict=True,
            )
        )
    )


def write_link_projects(rng: np.random.Generator, county: County, t: int, writers: dict, counters: _Counters) -> None:
    """衔接资金 projects 2021-2025 of one township and their funds (下达, 拨付, 支出, 报账)."""
    r = random.Random(int(rng.integers(2**62)))
    villages = county.villages_of(t)
    places = [(county.village_codes[v], county.village_names[v]) for v in villages.tolist()]
    drawn = []
    for code, name in places:
        for _ in range(int(rng.poisson(2.5))):
            year = r.randint(2021, 2025)
            category = r.choices(PROJECT_CATEGORIES, VILLAGE_PROJECT_P)[0]
            lo, hi = PROJECT_AMOUNT[category]
            amount = int(round(r.uniform(lo, min(hi, 1_500_000)), -3))
            allocated = _day(f"{year}-03-01") + r.randint(0, 120)
            drawn.append((year, allocated, code, name, category, amount))
    drawn.sort()
    projects, funds = [], []
    for year, allocated, code, name, category, amount in drawn:
        counters.projects[year] = counters.projects.get(year, 0) + 1
        project_id = f"XM{year}{counters.projects[year]:06d}"
        planned_start = allocated + r.randint(20, 60)
        planned_end = planned_start + r.randint(60, 300)
        started = planned_start + r.randint(-10, 60)
        completed = started + (planned_end - planned_start) + r.randint(-20, 120)
        completed = completed if completed <= LAST_DAY and r.random() < 0.95 else None
        template, department = r.choice(PROJECT_NAMES[category])
        households = r.randint(3, 60)
        projects.append(
            (
                project_id,
                f"{year}年" + template.format(v=name, i=r.choice(INDUSTRIES), g=r.randint(1, 12)),
                category,
                code,
                year,
                "第1批",
                amount,
                _date(planned_start),
                _date(started),
                _date(planned_end),
                _date(completed),
                households,
                int(round(households * r.uniform(2.8, 3.4))),
                department,
            )
        )
        source = r.choices(LINK_SOURCES, LINK_SOURCE_P)[0]
        spent = amount if completed is not None and r.random() < 0.85 else int(amount * r.uniform(0.4, 0.9))
        paid_day = allocated + r.randint(7, 40)
        rows = [(source, "下达", allocated, amount)]
        tranches = _split_amount(r, amount, r.choice([1, 2]))
        for i, part in enumerate(tranches):
            rows.append((source, "拨付", paid_day + 60 * i, part))
        spent_day = max(paid_day + 60 * (len(tranches) - 1), started) + r.randint(20, 90)
        rows += [(source, "支出", spent_day, spent), (source, "报账", spent_day + r.randint(5, 60), spent)]
        for src, stage, day, value in rows:
            if day > LAST_DAY:
                continue
            counters.funds += 1
            funds.append((f"F{counters.funds:09d}", project_id, src, stage, _date(day), value))
    writers["projects"].writerows(projects)
    writers["funds"].writerows(funds)
