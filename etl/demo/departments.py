"""部门数据比对 for the demo county: a year of other departments' records (部门比对数据) and the townships'
verifications of the warnings they raise (核实结果), written after every other file of the package.

Drawn from a stream of its own, keyed by (seed, 11), from the members and monitoring episodes the
package already holds (read back from the files just written), so every other file stays byte for byte
what it was without it. Deterministic: the same seed and scale give the same rows.

Shape at scale 1: about 400 records dated 2025-12-01 to 2026-11-30 — 医保 out-of-pocket costs (most
either below 1万元 or above 2.6万元), suspected dropouts, new 低保 / 特困, unsafe houses, new
disabilities, deaths and accidents, job losses; about one in six from a household with a monitoring
episode open that day, about one in twenty matching nobody (a number of another county), a few written
with a lower-case x or spaces. Verifications for most warnings under the rules of set `default` and
the 医保 preset city_fixed_10k_26k of data/reference/warning_rules.csv (rule ids below; a 医保 cost
between the two bars is left unverified, as its warning depends on the household's income): 已在监测
when the household was monitored that day, 已纳入监测 when an episode began within 45 days, 排除
otherwise; the last month's records, and some others, are still open.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np

FILES = {  # stem -> (file name, header), as the contract (etl/schema.sql) names them
    "department_records": ("部门比对数据.csv", ["记录编号", "部门", "事项", "证件号码", "日期", "金额", "说明"]),
    "verifications": ("核实结果.csv", ["预警编号", "核实结论", "核实日期", "说明"]),
}
FIRST, LAST = dt.date(2025, 12, 1), dt.date(2026, 11, 30)
RECORDS_PER_SCALE = 400
# department, item, share, rule id in data/reference/warning_rules.csv (医保: the city preset)
ITEMS = [
    ("医保", "医疗自付费用", 0.34, "med_city_fixed_10k_26k"),
    ("教育", "疑似辍学", 0.08, "edu_dropout"),
    ("民政", "新增低保", 0.15, "civil_dibao"),
    ("民政", "新增特困", 0.05, "civil_tekun"),
    ("住建", "危房", 0.08, "housing_unsafe"),
    ("残联", "新增残疾", 0.08, "disability_new"),
    ("公安", "死亡", 0.06, "police_death"),
    ("公安", "意外事故", 0.06, "police_accident"),
    ("人社", "失业", 0.10, "hrss_unemployed"),
]
NOTES = {"医疗自付费用": "住院自付", "疑似辍学": "连续缺课", "新增低保": "新纳入低保", "新增特困": "新纳入特困供养",
         "危房": "鉴定为C级或D级危房", "新增残疾": "新办残疾证", "死亡": "户籍注销", "意外事故": "交通事故",
         "失业": "失业登记"}
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def _iso(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _outsider_id(rng: np.random.Generator) -> str:
    """A resident ID of a county outside the package (430199): matches nobody."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 55)))
    body = f"430199{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    return body + _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def warning_id(record_id: str, rule_id: str) -> str:
    """The 预警编号 the load gives a record and rule (etl/derive/18_department_rule_hits.sql)."""
    return "W" + hashlib.md5(f"{record_id}|{rule_id}".encode()).hexdigest()[:12].upper()


def write_department_records(out: Path, seed: int, scale: int) -> dict[str, int]:
    """Write 部门比对数据.csv and 核实结果.csv into the package folder `out` (its members and monitoring
    files already written); returns the row counts by English stem."""
    by_household: dict[str, list[tuple[str, str, dt.date | None, dt.date | None]]] = {}
    with open(out / "家庭成员.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["证件号码"]:
                by_household.setdefault(r["户编号"], []).append(
                    (r["户编号"], r["证件号码"], _iso(r["加入日期"]), _iso(r["减少日期"])))
    households = list(by_household)  # in file order
    episodes: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    with open(out / "防返贫监测对象.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            episodes.setdefault(r["户编号"], []).append((_iso(r["认定日期"]), _iso(r["风险消除日期"])))

    def monitored(household: str, day: dt.date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in episodes.get(household, ()))

    def identified_after(household: str, day: dt.date, days: int) -> dt.date | None:
        later = [start for start, _ in episodes.get(household, ()) if day < start <= day + dt.timedelta(days=days)]
        return min(later) if later else None

    rng = np.random.default_rng([seed, 11])
    n = RECORDS_PER_SCALE * scale
    shares = np.array([s for *_, s, _ in ITEMS])
    kinds = rng.choice(len(ITEMS), size=n, p=shares / shares.sum())
    days = np.sort(rng.integers(0, (LAST - FIRST).days + 1, size=n))
    monitored_households = sorted(episodes)
    records, verifications = [], []
    for i in range(n):
        department, item, _, rule_id = ITEMS[kinds[i]]
        day = FIRST + dt.timedelta(days=int(days[i]))
        record_id = f"BM{day:%Y%m}{i + 1:05d}"
        roll = rng.random()
        household = None
        if roll < 0.05:
            id_number = _outsider_id(rng)
        else:
            # a member present that day, of a household with a monitoring episode for about one in six
            pool = monitored_households if roll < 0.22 and monitored_households else households
            for _ in range(50):
                household = pool[int(rng.integers(len(pool)))]
                people = [m for m in by_household.get(household, ())
                          if (m[2] is None or m[2] <= day) and (m[3] is None or day < m[3])]
                if people:
                    break
            else:
                people = by_household[households[0]]
            household, id_number, _, _ = people[int(rng.integers(len(people)))]
            if rng.random() < 0.03:  # written by hand: lower-case x, or spaces
                id_number = id_number.lower() if id_number.endswith("X") else f"{id_number[:6]} {id_number[6:]}"
        amount = ""
        if department == "医保":
            cost = rng.choice([rng.uniform(1500, 9800), rng.uniform(10500, 25500), rng.uniform(26500, 90000)],
                              p=[0.45, 0.15, 0.40])
            amount = f"{cost:.2f}"
        records.append((record_id, department, item, id_number, day.isoformat(), amount, NOTES[item]))
        fires = household is not None and (department != "医保" or float(amount) > 26000)
        if not fires or day > LAST - dt.timedelta(days=30) or rng.random() < 0.12:
            continue  # no warning, the last month's, or not verified yet
        if monitored(household, day):
            outcome, on = "已在监测", day + dt.timedelta(days=int(rng.integers(2, 20)))
        elif (start := identified_after(household, day, 45)) is not None:
            outcome, on = "已纳入监测", start
        else:
            outcome, on = "排除", day + dt.timedelta(days=int(rng.integers(3, 40)))
        if on <= LAST:
            verifications.append((warning_id(record_id, rule_id), outcome, on.isoformat(),
                                  "" if outcome != "排除" else "经核实收入稳定，不纳入监测"))
    verifications.sort(key=lambda v: (v[2], v[0]))
    for stem, rows in (("department_records", records), ("verifications", verifications)):
        name, header = FILES[stem]
        with open(out / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return {"department_records": len(records), "verifications": len(verifications)}
