"""Households and their events (识别纳入, 标注脱贫, 返贫, 清退, 自然销户), one township at a time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.demo.county import County
from etl.demo.vocabulary import (
    CATEGORY_P,
    CAUSE_P,
    CLEAR,
    CLEAR_REASONS,
    DISSOLVE,
    DISSOLVE_REASONS,
    END,
    EVENT_TYPES,
    EXIT,
    EXIT_YEARS,
    FIRST_YEAR,
    IDENTIFY,
    LAST_YEAR,
    NO_DAY,
    RETURN,
    RETURN_REASONS,
    SIZE_P,
    _dates,
    _day,
    _uniform_int,
    _year_start,
    _years,
)

EXIT_CURVE = np.array([0.02, 0.16, 0.28, 0.30, 0.22, 0.006, 0.001])
LATE_EXIT_CURVE = np.array([0.01, 0.08, 0.22, 0.32, 0.33, 0.04, 0.0])  # poor villages that never exit
# in a poor village exiting in year EY, weight of a household exiting in EY - d for d = 0..5
BEFORE_VILLAGE_EXIT = np.array([0.45, 0.30, 0.15, 0.07, 0.03, 0.02])
_SEP_1 = {y: _day(f"{y}-09-01") for y in range(FIRST_YEAR, LAST_YEAR + 2)}


def _exit_window_day(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """Household exits are verified in the autumn: Sep 1 .. Dec 20, more of them late."""
    start = np.array([_SEP_1[y] for y in range(FIRST_YEAR, LAST_YEAR + 2)])[np.asarray(years) - FIRST_YEAR]
    return start + np.floor(110 * np.sqrt(rng.random(len(start)))).astype(np.int64)


def _sample_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return (cum < u[:, None]).sum(axis=1)


def _pick(rng: np.random.Generator, probs_by_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category index per element, drawn from probs_by_row[rows[i]]."""
    return _sample_rows(rng, np.asarray(probs_by_row, dtype=float)[rows])


def _group_cumsum(values: np.ndarray, group_starts: np.ndarray, group_of: np.ndarray) -> np.ndarray:
    """Running sum of values within contiguous groups."""
    total = np.cumsum(values)
    before = (total - values)[group_starts]
    return total - before[group_of]


@dataclass
class Households:
    village: np.ndarray  # global village index
    serial: np.ndarray
    kind: np.ndarray  # 0 identified 2014, 1 新识别 2015-2016, 2 补录 2017
    id_day: np.ndarray
    category: np.ndarray
    cause: np.ndarray
    size: np.ndarray  # members at identification
    head_group: np.ndarray
    head_female: np.ndarray
    has_spouse: np.ndarray
    exit1: np.ndarray
    returned: np.ndarray
    exit2: np.ndarray
    removal: np.ndarray
    removal_type: np.ndarray  # CLEAR, DISSOLVE or -1
    wrong_exit: np.ndarray  # deliberate 错退 case

    def __len__(self) -> int:
        return len(self.village)


def draw_households(rng: np.random.Generator, county: County, township: int) -> Households:
    villages = county.villages_of(township)
    nv = len(villages)
    poor = county.is_poor[villages]
    # households identified in 2014: candidates are taken in turn until their people reach the
    # village's target incidence (poor villages 15-35 %, others 3-12 %)
    incidence = np.where(poor, rng.uniform(0.16, 0.31, nv), rng.uniform(0.035, 0.085, nv))
    target_people = county.pop2014[villages] * incidence
    cap = np.ceil(target_people / 3.3 * 1.5).astype(np.int64) + 5
    candidate_village = np.repeat(np.arange(nv), cap)
    candidate_category = rng.choice(3, size=len(candidate_village), p=CATEGORY_P)
    candidate_size = 1 + _pick(rng, SIZE_P, candidate_category)
    running = _group_cumsum(candidate_size, np.cumsum(cap) - cap, candidate_village)
    taken = (running <= target_people[candidate_village]) | (running == candidate_size)  # at least one
    n_first = np.bincount(candidate_village[taken], minlength=nv)
    # later entries: 新识别 2015-2016 (~3 %) and the 2017 回头看 补录 (~6 %)
    n_new = rng.binomial(n_first, 0.03)
    n_late = rng.binomial(n_first, 0.058)
    n_later = int(n_new.sum() + n_late.sum())
    later_category = rng.choice(3, size=n_later, p=CATEGORY_P)
    later_village = np.concatenate([np.repeat(np.arange(nv), n_new), np.repeat(np.arange(nv), n_late)])
    later_kind = np.concatenate([np.ones(n_new.sum(), np.int64), np.full(n_late.sum(), 2)])
    local = np.concatenate([candidate_village[taken], later_village])
    kind = np.concatenate([np.zeros(taken.sum(), np.int64), later_kind])
    category = np.concatenate([candidate_category[taken], later_category])
    size = np.concatenate([candidate_size[taken], 1 + _pick(rng, SIZE_P, later_category)])
    order = np.lexsort((kind, local))
    local, kind, category, size = local[order], kind[order], category[order], size[order]
    n = len(local)
    n_total = np.bincount(local, minlength=nv)
    starts = np.cumsum(n_total) - n_total
    serial = np.arange(n) - starts[local]

    batch = _day("2014-04-01") + rng.integers(0, 184, nv)  # each village identified in one campaign
    id_day = np.minimum(batch[local] + rng.integers(0, 31, n), _day("2014-10-31"))
    mar_1 = np.where(rng.random(n) < 0.6, _day("2015-03-01"), _day("2016-03-01"))
    id_day = np.where(kind == 1, mar_1 + rng.integers(0, 184, n), id_day)
    id_day = np.where(kind == 2, _day("2017-05-01") + rng.integers(0, 123, n), id_day)
    id_year = _years(id_day)

    cause = _pick(rng, CAUSE_P, category)
    group = _pick(rng, np.array([[0.25, 0.42, 0.33], [0.25, 0.42, 0.33], [0.0, 0.2, 0.8]]), category)
    group = np.where((size == 1) & (rng.random(n) < 0.7), 2, group)
    head_female = rng.random(n) < np.where(group == 2, 0.25, 0.12)
    has_spouse = (size >= 2) & (rng.random(n) < np.where(category == 2, 0.5, 0.85))

    # exit year: a weight per column 2015..2020 + never, per household
    village_exit = county.exit_year[villages][local]
    column_year = np.append(EXIT_YEARS, 9999)
    before = village_exit[:, None] - column_year[None, :]
    weights = np.where((before >= 0) & (before < 6), BEFORE_VILLAGE_EXIT[np.clip(before, 0, 5)], 0.0)
    weights[:, 0] *= 0.25  # few exits in the first year ...
    weights[:, 5] *= 0.1  # ... and in the last: villages exiting in 2020 were mostly done in 2019
    weights = np.where(
        (village_exit > 0)[:, None], weights, np.where((village_exit < 0)[:, None], LATE_EXIT_CURVE, EXIT_CURVE)
    )
    too_early = column_year[None, :] < np.maximum(id_year, 2015)[:, None]
    weights = np.where(too_early, 0.0, weights)
    nothing = weights.sum(axis=1) == 0  # identified after its poor village exited
    weights[nothing] = np.where(too_early[nothing], 0.0, EXIT_CURVE)
    column = _sample_rows(rng, weights)

    # a poor village keeps only a small residue (< 2 % of its population) past its exit date;
    # the not-exited poor villages keep about 2-3 % poor until the end
    in_exited = (village_exit > 0) & (id_year <= village_exit)
    in_never = village_exit < 0
    order = np.lexsort((rng.random(n), local))
    people_in_order = np.where(in_exited | in_never, size, 0)[order]
    running = np.empty(n, dtype=np.int64)
    running[order] = _group_cumsum(people_in_order, starts, local[order])
    village_exit_year = county.exit_year[villages]
    share = np.where(
        village_exit_year < 0,
        rng.uniform(0.021, 0.026, nv),
        rng.uniform(0.004, 0.012, nv) * np.where(village_exit_year == LAST_YEAR, 0.5, 1.0),
    )
    residue = (in_exited | in_never) & (running <= (share * county.pop_min[villages])[local])
    lag = 1 + np.floor(rng.random(n) ** 2 * (LAST_YEAR - village_exit)).astype(np.int64)
    late_column = np.where(village_exit >= LAST_YEAR, 6, village_exit + lag - 2015)
    column = np.where(residue & in_exited, late_column, column)
    column = np.where(residue & in_never, 6, column)
    exit1 = np.full(n, NO_DAY, dtype=np.int64)
    exits = column < 6
    exit1[exits] = _exit_window_day(rng, EXIT_YEARS[column[exits]])

    # 2017 回头看 removes ~3 % as wrongly identified; a few small old households dissolve
    removal = np.full(n, NO_DAY, dtype=np.int64)
    removal_type = np.full(n, -1)
    clear = (id_day < _day("2017-05-01")) & (rng.random(n) < 0.031)
    removal[clear] = _day("2017-05-01") + rng.integers(0, 123, clear.sum())
    removal_type[clear] = CLEAR
    dissolve = ~clear & (size <= 2) & (group == 2) & (rng.random(n) < 0.022)
    dissolve_day = _uniform_int(rng, np.maximum(id_day + 365, _day("2015-03-01")), _day("2020-11-30"))
    removal[dissolve] = dissolve_day[dissolve]
    removal_type[dissolve] = DISSOLVE
    exit1[exit1 >= removal] = NO_DAY

    # 返贫 about a year after exit (only after the village's own exit date), most exit again
    returned = np.full(n, NO_DAY, dtype=np.int64)
    exit2 = np.full(n, NO_DAY, dtype=np.int64)
    guard = np.where(county.exit_year[villages] > 0, county.exit_day[villages], 0)[local]
    return_day = np.where(exit1 < NO_DAY, exit1 + rng.integers(300, 521, n), NO_DAY)
    falls_back = (
        (return_day <= _day("2020-06-30")) & (return_day > guard) & (removal == NO_DAY) & (rng.random(n) < 0.018)
    )
    returned[falls_back] = return_day[falls_back]
    # exit again in the next autumn verification (the same year's if it fell back by the spring)
    return_on = np.where(falls_back, returned, END)
    again_year = _years(return_on) + (return_on > _year_start(_years(return_on)) + 150)
    again = falls_back & (again_year <= LAST_YEAR) & (rng.random(n) < 0.9)
    exit2[again] = _exit_window_day(rng, again_year[again])

    wrong_exit = (exit1 < NO_DAY) & (rng.random(n) < 0.005)
    return Households(
        villages[local],
        serial + 1,
        kind,
        id_day,
        category,
        cause,
        size,
        group,
        head_female,
        has_spouse,
        exit1,
        returned,
        exit2,
        removal,
        removal_type,
        wrong_exit,
    )


def household_ids(county: County, hh: Households) -> np.ndarray:
    codes = np.array([code[6:] for code in county.village_codes], dtype=object)[hh.village]
    return np.array([f"H{c}{s:05d}" for c, s in zip(codes.tolist(), hh.serial.tolist(), strict=True)], dtype=object)


def _event_rows(rng: np.random.Generator, hh: Households, ids: np.ndarray, first_id: int) -> list[tuple]:
    n = len(hh)
    identify_reason = np.where(
        hh.kind == 0, "", np.where(hh.kind == 1, "新识别", np.where(rng.random(n) < 0.5, "补录", "回头看补录"))
    ).astype(object)
    return_reason = np.array(RETURN_REASONS, dtype=object)[_pick(rng, [[0.5, 0.2, 0.15, 0.15]], np.zeros(n, int))]
    clear_reason = np.array(CLEAR_REASONS, dtype=object)[_pick(rng, [[0.45, 0.2, 0.15, 0.12, 0.08]], np.zeros(n, int))]
    dissolve_reason = np.array(DISSOLVE_REASONS, dtype=object)[(rng.random(n) < 0.3).astype(int)]
    removal_reason = np.where(hh.removal_type == CLEAR, clear_reason, dissolve_reason)
    blank = np.full(n, "", dtype=object)
    parts = [
        (np.ones(n, bool), hh.id_day, IDENTIFY, identify_reason),
        (hh.exit1 < NO_DAY, hh.exit1, EXIT, blank),
        (hh.returned < NO_DAY, hh.returned, RETURN, return_reason),
        (hh.exit2 < NO_DAY, hh.exit2, EXIT, blank),
        (hh.removal < NO_DAY, hh.removal, np.where(hh.removal_type == CLEAR, CLEAR, DISSOLVE), removal_reason),
    ]
    which = np.concatenate([np.flatnonzero(mask) for mask, *_ in parts])
    days = np.concatenate([d[mask] for mask, d, *_ in parts])
    types = np.concatenate([np.broadcast_to(t, n)[mask] for mask, _, t, _ in parts])
    reasons = np.concatenate([r[mask] for mask, _, _, r in parts])
    order = np.lexsort((days, which))
    event_ids = [f"E{i:09d}" for i in range(first_id, first_id + len(order))]
    return list(
        zip(
            event_ids,
            ids[which[order]].tolist(),
            np.array(EVENT_TYPES, dtype=object)[types[order]].tolist(),
            _dates(days[order]),
            reasons[order].tolist(),
            strict=True,
        )
    )
