"""County layout: the regions tree, village attributes and village years (small; drawn first)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from etl.demo.vocabulary import (
    CITY,
    COUNTY,
    COUNTY6,
    FIRST_YEAR,
    LAST_YEAR,
    NO_DAY,
    PLACE_FIRST,
    PLACE_SECOND,
    PROVINCE,
    REGION_TYPE,
    VILLAGE_INDUSTRIES,
    _dates,
    _uniform_int,
    _year_start,
)


@dataclass
class County:
    township_codes: list[str]
    township_names: list[str]
    village_codes: list[str]
    village_names: list[str]
    village_township: np.ndarray  # township index of each village
    pop2014: np.ndarray  # 农业户籍人口 in 2014
    pop_min: np.ndarray  # smallest 农业户籍人口 over the years (the incidence denominator never drops below)
    is_poor: np.ndarray
    planned_exit: np.ndarray  # 0 = not a poor village
    exit_year: np.ndarray  # 0 = not poor, -1 = poor and not exited by the end of 2020
    exit_day: np.ndarray  # NO_DAY unless exited
    pop_drift: np.ndarray  # yearly relative decline of 农业户籍人口

    def villages_of(self, township: int) -> np.ndarray:
        return np.flatnonzero(self.village_township == township)


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    pairs = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
    if n > len(pairs):
        raise ValueError(f"cannot name {n} places uniquely")
    return [pairs[i] for i in rng.choice(len(pairs), size=n, replace=False)]


def _split_total(rng: np.random.Generator, total: int, n: int, minimum: int) -> np.ndarray:
    """total split into n positive parts of random size (largest remainder), each ≥ minimum."""
    weights = rng.uniform(0.7, 1.3, n)
    raw = minimum + weights / weights.sum() * (total - minimum * n)
    parts = np.floor(raw).astype(np.int64)
    parts[np.argsort(parts - raw, kind="stable")[: total - parts.sum()]] += 1
    return parts


def build_county(scale: int, seed: int) -> County:
    rng = np.random.default_rng([seed, 1])
    n_townships = round(12 * math.sqrt(scale))
    per_township = _split_total(rng, 200 * scale, n_townships, 3)
    if n_townships > 899 or per_township.max() > 799:
        raise ValueError(f"scale {scale} is too large for 3-digit township/village code parts")
    town_names = _place_names(rng, n_townships)
    is_town = rng.random(n_townships) < 0.55
    township_names = [name + ("镇" if town else "乡") for name, town in zip(town_names, is_town, strict=True)]
    township_codes = [f"{COUNTY6}{100 + t + 1:03d}000" for t in range(n_townships)]
    village_codes, village_names = [], []
    for t, n in enumerate(per_township):
        village_names += [name + "村" for name in _place_names(rng, int(n))]
        village_codes += [f"{township_codes[t][:9]}{200 + j + 1:03d}" for j in range(n)]
    village_township = np.repeat(np.arange(n_townships), per_township)
    n_villages = len(village_codes)

    pop2014 = np.clip(np.round(rng.lognormal(math.log(1950), 0.28, n_villages)), 1200, 3500).astype(np.int64)
    remoteness = rng.uniform(0.4, 1.6, n_townships)[village_township]
    n_poor = round(0.3 * n_villages)
    poor_idx = rng.choice(n_villages, size=n_poor, replace=False, p=remoteness / remoteness.sum())
    is_poor = np.zeros(n_villages, dtype=bool)
    is_poor[poor_idx] = True

    planned_exit = np.zeros(n_villages, dtype=np.int64)
    planned_exit[poor_idx] = rng.choice([2016, 2017, 2018, 2019, 2020], size=n_poor, p=[0.14, 0.22, 0.32, 0.26, 0.06])
    exit_year = planned_exit.copy()
    late = is_poor & (planned_exit < LAST_YEAR) & (rng.random(n_villages) < 0.12)
    exit_year[late] += 1
    # a couple of poor villages (≈1 in 30) have not exited by the end of 2020
    late_candidates = np.flatnonzero(is_poor & (planned_exit >= 2019))
    n_never = min(len(late_candidates), max(1, round(n_poor / 30)))
    exit_year[rng.choice(late_candidates, size=n_never, replace=False)] = -1
    exit_day = np.full(n_villages, NO_DAY, dtype=np.int64)
    exited = exit_year > 0
    # announced after the year's household exits (which end on Dec 20)
    exit_day[exited] = _year_start(exit_year[exited]) + 354 + rng.integers(0, 9, exited.sum())

    drift = rng.uniform(0.0, 0.008, n_villages)
    pop_min = np.round(pop2014 * (1 - drift * (LAST_YEAR - FIRST_YEAR))).astype(np.int64)
    return County(
        township_codes,
        township_names,
        village_codes,
        village_names,
        village_township,
        pop2014,
        pop_min,
        is_poor,
        planned_exit,
        exit_year,
        exit_day,
        drift,
    )


def _region_rows(county: County) -> list[list]:
    rows = [
        [PROVINCE[0], PROVINCE[1], "省", "", "", "", "", REGION_TYPE],
        [CITY[0], CITY[1], "市", PROVINCE[0], "", "", "", ""],
        [COUNTY[0], COUNTY[1], "县", CITY[0], "", "", "", REGION_TYPE],
    ]
    exit_text = _dates(county.exit_day)
    for t, (code, name) in enumerate(zip(county.township_codes, county.township_names, strict=True)):
        rows.append([code, name, "乡镇", COUNTY[0], "", "", "", ""])
        for v in county.villages_of(t):
            poor = bool(county.is_poor[v])
            rows.append(
                [
                    county.village_codes[v],
                    county.village_names[v],
                    "村",
                    code,
                    "是" if poor else "否",
                    int(county.planned_exit[v]) if poor else "",
                    exit_text[v],
                    "",
                ]
            )
    return rows


def _village_year_rows(county: County, seed: int) -> list[list]:
    """One row per village per year 2014-2020: population, collective income, infrastructure."""
    rng = np.random.default_rng([seed, 5])
    n = len(county.village_codes)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    poor, ey = county.is_poor, county.exit_year
    target_year = np.where(ey > 0, ey, LAST_YEAR)  # the year a poor village must meet the standards

    pop = np.round(county.pop2014[:, None] * (1 - county.pop_drift[:, None] * (years - FIRST_YEAR))).astype(np.int64)
    households_total = np.round(pop / rng.uniform(3.0, 3.6, n)[:, None]).astype(np.int64)

    # collective income: poor villages start at 0 and reach 40,000-100,000 by their exit year
    # (a few exited ones and the not-exited ones stay low); others grow 5-12 % a year
    goal = rng.uniform(40_000, 100_000, n)
    stays_low = poor & (ey > 0) & (rng.random(n) < 0.04)
    goal[stays_low] = rng.uniform(25_000, 38_000, stays_low.sum())
    goal[ey < 0] = rng.uniform(8_000, 30_000, (ey < 0).sum())
    start = np.minimum(target_year, _uniform_int(rng, 2015, 2017))
    span = np.maximum(target_year - start, 0)
    ramp = np.clip((years - start[:, None] + 1) / (span[:, None] + 1), 0, None)
    after = np.maximum(years - target_year[:, None], 0)
    poor_income = np.where(
        years < start[:, None],
        0,
        goal[:, None] * (0.3 + 0.7 * np.minimum(ramp, 1)) * rng.uniform(1.05, 1.15, n)[:, None] ** after,
    )
    other_income = rng.uniform(20_000, 150_000, n)[:, None] * rng.uniform(1.05, 1.12, n)[:, None] ** (
        years - FIRST_YEAR
    )
    other_income[rng.random(n) < 0.12] *= 0.08
    collective = np.round(np.where(poor[:, None], poor_income, other_income), -2).astype(np.int64)

    base = np.where(poor, rng.uniform(4_200, 5_800, n), rng.uniform(6_000, 9_000, n))
    per_capita = np.round(base[:, None] * rng.uniform(1.08, 1.12, n)[:, None] ** (years - FIRST_YEAR), -1).astype(
        np.int64
    )

    # infrastructure: the first year each item is 是; poor villages catch up by their exit year
    def first_year(p_done_poor: float, p_done_other: float, lo_poor: int, core: bool) -> np.ndarray:
        done = rng.random(n) < np.where(poor, p_done_poor, p_done_other)
        other = _uniform_int(rng, np.full(n, 2015), np.full(n, 2018))
        poor_hi = target_year if core else np.full(n, LAST_YEAR)
        poor_year = _uniform_int(rng, np.minimum(lo_poor, poor_hi), poor_hi)
        return np.where(done, FIRST_YEAR, np.where(poor, poor_year, other))

    items = [
        first_year(0.25, 0.82, 2015, True),
        first_year(0.85, 0.98, 2015, True),
        first_year(0.30, 0.76, 2015, True),
        first_year(0.05, 0.25, 2016, False),
        first_year(0.35, 0.66, 2015, True),
        first_year(0.10, 0.30, 2016, False),
    ]
    # a few poor villages fix a core item (road, water, clinic) only in their exit year;
    # the not-exited ones still miss one at the end of 2020
    late_fix = poor & (ey > 0) & (rng.random(n) < 0.10)
    never_fix = ey < 0
    which = rng.integers(0, 3, n)
    for k, item in zip(range(3), (0, 2, 4), strict=True):
        items[item] = np.where(late_fix & (which == k), target_year, items[item])
        items[item] = np.where(never_fix & (which == k), LAST_YEAR + 1, items[item])

    industry = rng.integers(0, len(VILLAGE_INDUSTRIES), n)
    industry_from = np.where(poor, _uniform_int(rng, 2015, 2017), _uniform_int(rng, 2014, 2016))
    industry_from[~poor & (rng.random(n) < 0.3)] = LAST_YEAR + 1

    rows = []
    for v in range(n):
        code = county.village_codes[v]
        for j, year in enumerate(years.tolist()):
            rows.append(
                [
                    year,
                    code,
                    int(pop[v, j]),
                    int(households_total[v, j]),
                    int(collective[v, j]),
                    int(per_capita[v, j]),
                    *("是" if year >= item[v] else "否" for item in items),
                    VILLAGE_INDUSTRIES[industry[v]] if year >= industry_from[v] else "",
                ]
            )
    return rows
