"""Members of the households: relations, sexes, birth dates, health, labour, schooling, names, ID
numbers, join and leave dates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.demo.households import Households, _pick
from etl.demo.vocabulary import (
    CAUSES,
    CHILD,
    END,
    FEMALE_CHARS,
    GRANDCHILD,
    HEAD,
    HEAD_BIRTH_YEARS,
    HEALTH,
    HEALTH_P,
    IN_LAW,
    LABOUR,
    LABOUR_P,
    MALE_CHARS,
    NO_DAY,
    PARENT1,
    PARENT2,
    ROLE_TEMPLATES,
    SPOUSE,
    SURNAMES,
    _bools,
    _dates,
    _day,
    _IdSequences,
    _uniform_int,
    _year_start,
    _years,
)

RELATIONS = np.array(
    [
        ["户主", "户主"],
        ["配偶", "配偶"],
        ["之女", "之子"],
        ["之母", "之父"],
        ["之母", "之父"],
        ["儿媳", "女婿"],
        ["之孙女", "之孙子"],
    ],
    dtype=object,
)
_SURNAME_P = 1 / np.arange(1, len(SURNAMES) + 1) ** 0.7
_SURNAME_P /= _SURNAME_P.sum()


@dataclass
class Members:
    household: np.ndarray
    role: np.ndarray
    male: np.ndarray
    birth_day: np.ndarray
    joined: np.ndarray  # NO_DAY = present since the household's identification
    left: np.ndarray
    left_reason: np.ndarray

    def present_at(self, day: int, id_day: np.ndarray) -> np.ndarray:
        since = np.where(self.joined < NO_DAY, self.joined, id_day[self.household])
        return (since <= day) & (self.left > day)


def _registered_window(hh: Households) -> tuple[np.ndarray, np.ndarray]:
    """Days on which members may join or leave: after identification (and 2015-01-01) and
    before the household's removal (and the end of 2020)."""
    lo = np.maximum(hh.id_day, _day("2015-01-01")) + 1
    hi = np.minimum(hh.removal - 1, END)
    return lo, hi


def draw_members(rng: np.random.Generator, hh: Households) -> Members:
    n = len(hh)
    mh = np.repeat(np.arange(n), hh.size)
    m = len(mh)
    slot = np.arange(m) - (np.cumsum(hh.size) - hh.size)[mh]
    spouse = hh.has_spouse[mh]
    template_pos = np.clip(slot - 1 - spouse, 0, ROLE_TEMPLATES.shape[1] - 1)
    role = np.where(
        slot == 0, HEAD, np.where(spouse & (slot == 1), SPOUSE, ROLE_TEMPLATES[hh.head_group[mh], template_pos])
    )

    bounds = np.array(HEAD_BIRTH_YEARS)
    head_year = _uniform_int(rng, bounds[hh.head_group, 0], bounds[hh.head_group, 1])[mh]
    head_female = hh.head_female[mh]
    year = head_year.copy()
    year = np.where(
        role == SPOUSE, head_year + np.round(rng.normal(0, 3, m)).astype(np.int64) - np.where(head_female, 2, -0), year
    )
    year = np.where((role == CHILD) | (role == IN_LAW), head_year + rng.integers(20, 37, m), year)
    year = np.where((role == PARENT1) | (role == PARENT2), head_year - rng.integers(20, 33, m), year)
    year = np.where(role == GRANDCHILD, head_year + rng.integers(42, 61, m), year)
    year = np.clip(year, 1922, _years(hh.id_day)[mh] - 1)
    birth_day = _year_start(year) + rng.integers(0, 365, m)

    male = rng.random(m) < 0.51
    father_first = rng.random(n) < 0.45
    male = np.where(role == HEAD, ~head_female, male)
    male = np.where(role == SPOUSE, head_female, male)
    male = np.where(role == PARENT1, father_first[mh], male)
    male = np.where(role == PARENT2, ~father_first[mh], male)
    male = np.where(role == IN_LAW, rng.random(m) < 0.1, male)

    # members leaving: deaths of the old, daughters marrying out, some moving away
    lo, hi = _registered_window(hh)
    age = 2014 - year
    marrying_age = (role == CHILD) & ~male & (age >= 16) & (age <= 28)
    p_leave = np.where(age >= 70, 0.15, np.where(marrying_age, 0.22, np.where(age >= 18, 0.012, 0.003)))
    leaves = (slot > 0) & (rng.random(m) < p_leave) & (hi >= lo)[mh]
    left = np.where(leaves, _uniform_int(rng, lo[mh], np.maximum(hi, lo)[mh]), NO_DAY)
    left_reason = np.where(~leaves, "", np.where(age >= 70, "死亡", np.where(marrying_age, "婚出", "迁出"))).astype(
        object
    )

    # members joining: births in young families, daughters-in-law marrying in
    has_in_law = np.zeros(n, bool)
    has_in_law[mh[(role == IN_LAW) & ~male]] = True
    young_couple = (hh.head_group == 0) & hh.has_spouse
    open_window = hi >= lo
    room = hh.size <= 5  # at most 7 members, as at identification
    births = (young_couple | has_in_law) & open_window & room & (rng.random(n) < 0.12)
    single_son = np.zeros(n, bool)
    single_son[mh[(role == CHILD) & male & (year >= 1984) & (year <= 1995)]] = True
    weddings = single_son & ~has_in_law & open_window & room & (rng.random(n) < 0.10)
    born_in = np.flatnonzero(births)
    wed_in = np.flatnonzero(weddings)
    join_household = np.concatenate([born_in, wed_in])
    join_day = _uniform_int(rng, lo[join_household], hi[join_household])
    n_births = len(born_in)
    join_role = np.concatenate([np.where(has_in_law[born_in], GRANDCHILD, CHILD), np.full(len(wed_in), IN_LAW)])
    join_male = np.concatenate([rng.random(n_births) < 0.52, np.zeros(len(wed_in), bool)])
    bride_birth = _year_start(rng.integers(1986, 1997, len(wed_in))) + rng.integers(0, 365, len(wed_in))
    join_birth = np.concatenate([join_day[:n_births], bride_birth])

    household = np.concatenate([mh, join_household])
    joined = np.concatenate([np.full(m, NO_DAY), join_day])
    order = np.lexsort((np.concatenate([slot, join_day]), joined < NO_DAY, household))
    return Members(
        household[order],
        np.concatenate([role, join_role])[order],
        np.concatenate([male, join_male])[order],
        np.concatenate([birth_day, join_birth])[order],
        joined[order],
        np.concatenate([left, np.full(len(join_household), NO_DAY)])[order],
        np.concatenate([left_reason, np.full(len(join_household), "", dtype=object)])[order],
    )


def _student_status(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    u = rng.random(len(age))
    status = np.full(len(age), "", dtype=object)
    status[(age >= 3) & (age <= 5)] = "学前教育"
    status[(age >= 6) & (age <= 11)] = "小学"
    status[(age >= 12) & (age <= 14)] = "初中"
    upper = (age >= 15) & (age <= 17)
    status[upper & (u < 0.6)] = "高中"
    status[upper & (u >= 0.6) & (u < 0.9)] = "中职"
    college = (age >= 18) & (age <= 21)
    status[college & (u < 0.15)] = "高职"
    status[college & (u >= 0.15) & (u < 0.25)] = "本科"
    return status


def _given_names(rng: np.random.Generator, male: np.ndarray) -> list[str]:
    m = len(male)
    male_chars, female_chars = np.array(MALE_CHARS, dtype=object), np.array(FEMALE_CHARS, dtype=object)
    first = np.where(
        male, male_chars[rng.integers(0, len(MALE_CHARS), m)], female_chars[rng.integers(0, len(FEMALE_CHARS), m)]
    )
    second = np.where(
        male, male_chars[rng.integers(0, len(MALE_CHARS), m)], female_chars[rng.integers(0, len(FEMALE_CHARS), m)]
    )
    second = np.where(rng.random(m) < 0.25, "", second)
    return [a + b for a, b in zip(first.tolist(), second.tolist(), strict=True)]


@dataclass
class MemberText:
    """The per-person columns that other files need (head name and ID)."""

    names: list[str]
    id_numbers: list[str]


def _member_rows(
    rng: np.random.Generator,
    hh: Households,
    mem: Members,
    household_id: np.ndarray,
    first_person: int,
    id_sequences: _IdSequences,
) -> tuple[list[tuple], MemberText, np.ndarray]:
    n, m = len(hh), len(mem.household)
    surnames = np.array(SURNAMES, dtype=object)
    head_surname = surnames[rng.choice(len(SURNAMES), n, p=_SURNAME_P)]
    spouse_surname = surnames[rng.choice(len(SURNAMES), n, p=_SURNAME_P)]
    family = np.where(hh.head_female & hh.has_spouse, spouse_surname, head_surname)
    own = surnames[rng.choice(len(SURNAMES), m, p=_SURNAME_P)]
    h, role = mem.household, mem.role
    surname = np.where(role == HEAD, head_surname[h], own)
    surname = np.where(role == SPOUSE, spouse_surname[h], surname)
    surname = np.where((role == CHILD) | (role == GRANDCHILD), family[h], surname)
    surname = np.where(((role == PARENT1) | (role == PARENT2)) & mem.male, head_surname[h], surname)
    names = [s + g for s, g in zip(surname.tolist(), _given_names(rng, mem.male), strict=True)]

    age = 2020 - _years(mem.birth_day)
    band = np.where(age < 16, 0, np.where(age < 60, 1, 2))
    health = _pick(rng, HEALTH_P, band)
    head = role == HEAD
    cause = hh.cause[h]
    healthy_sick_head = head & (health == 0) & (cause == CAUSES.index("因病"))
    health = np.where(healthy_sick_head, np.where(rng.random(m) < 0.4, 2, 1), health)
    health = np.where(head & (cause == CAUSES.index("因残")) & (rng.random(m) < 0.7), 3, health)
    health = np.where(mem.joined < NO_DAY, 0, health)  # newborns and brides
    labour = _pick(rng, LABOUR_P, band * 4 + health)
    student = _student_status(rng, age)
    labour = np.where((student != "") & (age >= 16), 4, labour)
    labour = np.where((mem.joined < NO_DAY) & (role == IN_LAW), 0, labour)
    insured = rng.random(m) < 0.97

    id_numbers = id_sequences.id_numbers(mem.birth_day, mem.male.astype(np.int64))
    person_ids = [f"P{i:09d}" for i in range(first_person, first_person + m)]
    rows = list(
        zip(
            person_ids,
            household_id[h].tolist(),
            names,
            id_numbers,
            RELATIONS[role, mem.male.astype(int)].tolist(),
            np.where(mem.male, "男", "女").tolist(),
            _dates(mem.birth_day),
            np.array(HEALTH, dtype=object)[health].tolist(),
            np.array(LABOUR, dtype=object)[labour].tolist(),
            student.tolist(),
            _bools(insured),
            _dates(mem.joined),
            _dates(mem.left),
            mem.left_reason.tolist(),
            strict=True,
        )
    )
    flags = np.zeros((n, 2), dtype=bool)  # per household: has a student, has a sick or disabled member
    flags[h[student != ""], 0] = True
    flags[h[health > 0], 1] = True
    return rows, MemberText(names, id_numbers), flags
