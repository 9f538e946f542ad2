"""Household years (income and the guarantees) and assistance measures."""

from __future__ import annotations

import numpy as np

from etl.demo.households import Households
from etl.demo.members import Members, _given_names, _registered_window
from etl.demo.vocabulary import (
    END,
    FIRST_YEAR,
    HELPER_UNITS,
    LAST_YEAR,
    NO_DAY,
    POVERTY_LINE,
    SURNAMES,
    _bools,
    _dates,
    _day,
    _uniform_int,
    _years,
)

INCOME_SHARES = np.array(
    [  # wages, business, property, transfers; by category
        [0.50, 0.30, 0.02, 0.18],
        [0.35, 0.20, 0.01, 0.44],
        [0.05, 0.05, 0.00, 0.90],
    ]
)
GUARANTEE_FAILS_WHILE_POOR = np.array([0.05, 0.06, 0.12, 0.22, 0.12])
_YEAR_END = {y: _day(f"{y}-12-31") for y in range(FIRST_YEAR, LAST_YEAR + 1)}
_LINE = np.array([POVERTY_LINE[y] for y in range(FIRST_YEAR, LAST_YEAR + 1)])


def sizes_by_year(hh: Households, mem: Members) -> np.ndarray:
    """Members present on Dec 31 of each year 2014-2020, per household (n × 7)."""
    sizes = np.zeros((len(hh), LAST_YEAR - FIRST_YEAR + 1), dtype=np.int64)
    for j, year in enumerate(range(FIRST_YEAR, LAST_YEAR + 1)):
        present = mem.present_at(_YEAR_END[year], hh.id_day)
        sizes[:, j] = np.bincount(mem.household[present], minlength=len(hh))
    return sizes


def exited_at(hh: Households, day: np.ndarray) -> np.ndarray:
    return ((hh.exit1 <= day) & ~(hh.returned <= day)) | (hh.exit2 <= day)


def _household_year_rows(
    rng: np.random.Generator, hh: Households, sizes: np.ndarray, household_id: np.ndarray
) -> list[tuple]:
    """One row per household per year from its identification to 2020 or its removal."""
    first = _years(hh.id_day)
    last = np.where(hh.removal < NO_DAY, _years(np.minimum(hh.removal, END)) - 1, LAST_YEAR)
    count = last - first + 1
    h = np.repeat(np.arange(len(hh)), count)
    year = first[h] + np.arange(len(h)) - (np.cumsum(count) - count)[h]
    k = len(h)
    year_end = np.array(list(_YEAR_END.values()))[year - FIRST_YEAR]
    exited = ((hh.exit1[h] <= year_end) & ~(hh.returned[h] <= year_end)) | (hh.exit2[h] <= year_end)
    size = sizes[h, year - FIRST_YEAR]
    line = _LINE[year - FIRST_YEAR]

    exit_year = _years(np.minimum(hh.exit1, END))[h]
    since_exit = np.maximum(year - exit_year, 0)
    margin = rng.uniform(1.25, 2.0, len(hh))[h]
    per_capita = np.where(exited, line * margin * (1 + 0.06 * since_exit), line * rng.uniform(0.55, 0.93, k))
    guarantees = np.where(exited[:, None], True, rng.random((k, 5)) >= GUARANTEE_FAILS_WHILE_POOR)
    wrong = hh.wrong_exit[h] & (year == exit_year) & exited
    income_case = wrong & (rng.random(k) < 0.5)
    per_capita = np.where(income_case, line * rng.uniform(0.86, 0.99, k), per_capita)
    failed = rng.integers(0, 5, k)
    guarantees[np.flatnonzero(wrong & ~income_case), failed[wrong & ~income_case]] = False

    net = np.round(per_capita * size).astype(np.int64)
    shares = INCOME_SHARES[hh.category[h]] * rng.uniform(0.6, 1.4, (k, 4))
    shares /= shares.sum(axis=1, keepdims=True)
    cost_ratio = rng.uniform(0.2, 0.45, k)
    gross = net / (1 - shares[:, 1] * cost_ratio)
    wages = np.round(gross * shares[:, 0]).astype(np.int64)
    business = np.round(gross * shares[:, 1]).astype(np.int64)
    prop = np.round(gross * shares[:, 2]).astype(np.int64)
    costs = np.round(business * cost_ratio).astype(np.int64)
    transfer = net + costs - wages - business - prop  # so that the parts add up to net exactly
    wages += np.minimum(transfer, 0)
    transfer = np.maximum(transfer, 0)
    return list(
        zip(
            year.tolist(),
            household_id[h].tolist(),
            size.tolist(),
            wages.tolist(),
            business.tolist(),
            prop.tolist(),
            transfer.tolist(),
            costs.tolist(),
            *(_bools(g) for g in guarantees.T),
            strict=True,
        )
    )


def _assistance_rows(
    rng: np.random.Generator, hh: Households, flags: np.ndarray, household_id: np.ndarray, poor_village: np.ndarray
) -> list[tuple]:
    """Several measures per household, dated while it is registered (2015-2020)."""
    n = len(hh)
    lo, hi = _registered_window(hh)
    ok = hi >= lo
    cat = hh.category

    def u() -> np.ndarray:
        return rng.random(n)

    def amounts(low: int, high: int, step: int) -> np.ndarray:
        return rng.integers(low // step, high // step + 1, n) * step

    none = np.full(n, -1)
    helper = [
        f"帮扶责任人：{s}{g}（{unit}）"
        for s, g, unit in zip(
            np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)].tolist(),
            _given_names(rng, rng.random(n) < 0.6),
            np.array(HELPER_UNITS, dtype=object)[rng.integers(0, len(HELPER_UNITS), n)].tolist(),
            strict=True,
        )
    ]
    pairing_day = lo + np.minimum(rng.integers(0, 120, n), np.maximum(hi - lo, 0))
    measures = [  # (type, who, day, amount, note)
        ("结对帮扶", ok & (u() < 0.985), pairing_day, none, np.array(helper, dtype=object)),
        ("产业", ok & (u() < 0.55), None, amounts(1000, 5000, 100), "产业奖补"),
        ("产业", ok & (u() < 0.20), None, amounts(1000, 3000, 100), "种苗、化肥发放"),
        ("就业", ok & (u() < 0.30), None, np.where(u() < 0.6, amounts(300, 1500, 100), -1), "外出务工交通补贴"),
        ("就业", ok & (cat == 0) & (u() < 0.06), None, amounts(6000, 12000, 600), "公益性岗位"),
        ("教育", ok & flags[:, 0] & (u() < 0.9), None, amounts(1000, 5000, 500), "教育资助（雨露计划）"),
        ("健康", ok & flags[:, 1] & (u() < 0.8), None, amounts(500, 20000, 100), "医疗救助、家庭医生签约"),
        (
            "小额信贷",
            ok & (u() < np.where(cat == 0, 0.30, 0.08)),
            None,
            np.where(u() < 0.5, 50000, amounts(10000, 50000, 5000)),
            "扶贫小额信贷，三年期，财政贴息",
        ),
        ("危房改造", ok & (u() < 0.12), None, amounts(15000, 35000, 1000), "C、D级危房改造补助"),
        ("易地搬迁", ok & (u() < np.where(poor_village, 0.08, 0.03)), None, hh.size * 20000, "易地扶贫搬迁集中安置"),
        ("生态护林", ok & (cat == 0) & (u() < 0.04), None, np.full(n, 10000), "生态护林员"),
        (
            "兜底保障",
            ok & (cat > 0) & (u() < 0.92),
            None,
            amounts(1500, 6000, 100),
            np.where(cat == 2, "特困供养", "低保兜底"),
        ),
    ]
    parts_h, parts_day, parts_kind, parts_amount, parts_note = [], [], [], [], []
    for kind, who, day, amount, note in measures:
        idx = np.flatnonzero(who)
        if day is None:
            day = _uniform_int(rng, lo, np.maximum(hi, lo))
        parts_h.append(idx)
        parts_day.append(day[idx])
        parts_kind.append(np.full(len(idx), kind, dtype=object))
        parts_amount.append(amount[idx])
        parts_note.append(np.broadcast_to(np.asarray(note, dtype=object), (n,))[idx])
    h = np.concatenate(parts_h)
    day = np.concatenate(parts_day)
    order = np.lexsort((day, h))
    amount = np.concatenate(parts_amount)[order]
    return list(
        zip(
            household_id[h[order]].tolist(),
            np.concatenate(parts_kind)[order].tolist(),
            _dates(day[order]),
            [str(a) if a >= 0 else "" for a in amount.tolist()],
            np.concatenate(parts_note)[order].tolist(),
            strict=True,
        )
    )
