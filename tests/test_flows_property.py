"""flows reconciles on random data (docs/domain.md, 动态管理: opening + inflows − outflows = closing,
for 户 and 人, for the registry and for the still-poor).

Hypothesis writes small valid import packages — households with random event sequences (returns
to poverty, removals, re-identification) and members joining and leaving, often on event days —
loads each with the real loader, and checks random windows and regions against:
  * the reconciliation of each of the four stock columns of flows;
  * registry_summary at the window's end (closing) and the day before its start (opening);
  * a replay in Python of the same events, day by day, for the stocks and for every movement.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import Database
from tests.packages import load_tables

DAY0 = dt.date(2014, 1, 1)
HORIZON = DAY0 + dt.timedelta(days=2600)  # open registrations: member dates drawn up to here
COUNTY = "430101000000"
REGIONS = [  # code, name, level, parent
    (COUNTY, "随机县", "县", ""),
    ("430101100000", "甲乡", "乡镇", COUNTY),
    ("430101100001", "一村", "村", "430101100000"),
    ("430101100002", "二村", "村", "430101100000"),
    ("430101200000", "乙镇", "乡镇", COUNTY),
    ("430101200001", "三村", "村", "430101200000"),
]
VILLAGES = [code for code, _, level, _ in REGIONS if level == "村"]
PARENT = {code: parent for code, _, _, parent in REGIONS}
NEXT_EVENTS = {"poor": ["标注脱贫", "清退", "自然销户"], "exited": ["返贫", "清退", "自然销户"], "out": ["识别纳入"]}
STATE_AFTER = {"识别纳入": "poor", "返贫": "poor", "标注脱贫": "exited", "清退": "out", "自然销户": "out"}
MOVEMENTS = ["识别纳入", "返贫", "标注脱贫", "清退", "自然销户", "自然增加", "自然减少"]


def day(offset: int) -> dt.date:
    return DAY0 + dt.timedelta(days=offset)


def registrations(events):
    """[(registered_on, removed_on or None)] of a household's events (in date order)."""
    spans = []
    for kind, on in events:
        if kind == "识别纳入":
            spans.append([on, None])
        elif kind in ("清退", "自然销户"):
            spans[-1][1] = on
    return [tuple(s) for s in spans]


@st.composite
def member_dates(draw, events):
    """(joined_on or None, left_on or None) that the contract's checks accept: a join while the household
    is registered (registered_on <= d < removed_on), a leave in (registered_on, removed_on], after joining."""
    spans = registrations(events)
    event_days = sorted({on for _, on in events})

    def pick(lo: dt.date, hi: dt.date) -> dt.date:  # inclusive bounds; event days are favoured
        on_events = [d for d in event_days if lo <= d <= hi]
        if on_events and draw(st.booleans()):
            return draw(st.sampled_from(on_events))
        return lo + dt.timedelta(days=draw(st.integers(0, (hi - lo).days)))

    joined = None
    if draw(st.booleans()):
        registered_on, removed_on = draw(st.sampled_from(spans))
        last = (removed_on - dt.timedelta(days=1)) if removed_on else HORIZON
        if last >= registered_on:
            joined = pick(registered_on, last)
    present_from = joined or spans[0][0]
    left = None
    if draw(st.booleans()):
        choices = [(max(r + dt.timedelta(days=1), present_from + dt.timedelta(days=1)), removed or HORIZON)
                   for r, removed in spans]
        choices = [(lo, hi) for lo, hi in choices if lo <= hi]
        if choices:
            left = pick(*draw(st.sampled_from(choices)))
    return joined, left


@st.composite
def households(draw, number: int):
    village = draw(st.sampled_from(VILLAGES))
    on = day(draw(st.integers(0, 700)))
    events, state = [("识别纳入", on)], "poor"
    for _ in range(draw(st.integers(0, 5))):
        on += dt.timedelta(days=draw(st.integers(1, 500)))
        kind = draw(st.sampled_from(NEXT_EVENTS[state]))
        events.append((kind, on))
        state = STATE_AFTER[kind]
    members = [(None, None)] + [draw(member_dates(events)) for _ in range(draw(st.integers(0, 3)))]
    return {"id": f"H{number}", "village": village, "events": events, "members": members}


@st.composite
def packages(draw):
    return [draw(households(i)) for i in range(1, draw(st.integers(1, 6)) + 1)]


@st.composite
def windows(draw):
    start = day(draw(st.integers(-30, 2400)))
    return start, start + dt.timedelta(days=draw(st.integers(0, 800)))


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([["" if v is None else str(v) for v in row] for row in rows])


def write_package(folder: Path, package) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "区划.csv", ["区划代码", "名称", "层级", "上级代码", "是否贫困村"],
              [[code, name, level, parent, "是" if level == "村" else ""] for code, name, level, parent in REGIONS])
    write_csv(folder / "村年度情况.csv", ["年度", "区划代码", "农业户籍人口", "总户数", "村集体经济收入", "通硬化路",
                                       "通动力电", "安全饮水", "通宽带", "标准化卫生室", "综合文化服务中心", "主导产业"],
              [[2010, code, 1000, 300, 0, "是", "是", "是", "是", "是", "是", ""] for code in VILLAGES])
    write_csv(folder / "贫困户.csv", ["户编号", "区划代码", "户主姓名", "户主证件号码", "贫困户属性", "主要致贫原因"],
              [[h["id"], h["village"], f"户主{h['id']}", "", "一般贫困户", "因病"] for h in package])
    write_csv(folder / "家庭成员.csv", ["人员编号", "户编号", "姓名", "证件号码", "与户主关系", "性别", "出生日期",
                                     "健康状况", "劳动技能", "加入日期", "减少日期", "减少原因"],
              [[f"{h['id']}P{i}", h["id"], f"户主{h['id']}" if i == 0 else f"成员{h['id']}{i}", "",
                "户主" if i == 0 else "之子", "男", "1980-01-01", "健康", "普通劳动力", joined, left,
                "迁出" if left else None]
               for h in package for i, (joined, left) in enumerate(h["members"])])
    write_csv(folder / "动态管理记录.csv", ["记录编号", "户编号", "变动类型", "变动日期", "变动原因"],
              [[f"{h['id']}E{i}", h["id"], kind, on, ""] for h in package for i, (kind, on) in enumerate(h["events"])])


# --- the replay: the same rules, written out day by day in Python -------------------------------

def household_state(h, on: dt.date) -> str:
    state = "out"
    for kind, when in h["events"]:
        if when <= on:
            state = STATE_AFTER[kind]
    return state


def person_state(h, member, on: dt.date) -> str:
    joined, left = member
    present = (joined or h["events"][0][1]) <= on and (left is None or on < left)
    return household_state(h, on) if present else "out"


def replay(package, start: dt.date, end: dt.date, region: str):
    """Stocks and movements of the window by comparing every day with the day before."""
    chosen = [h for h in package if region in (COUNTY, h["village"], PARENT[h["village"]])]
    stocks = Counter()
    moves = {m: Counter() for m in MOVEMENTS}
    for h in chosen:
        for on, when in ((start - dt.timedelta(days=1), "期初"), (end, "期末")):
            units = [("households", household_state(h, on))] + [
                ("people", person_state(h, member, on)) for member in h["members"]]
            for unit, state in units:
                stocks[(f"{when}在册", unit)] += state != "out"
                stocks[(f"{when}未脱贫", unit)] += state == "poor"
        event_on = {when: kind for kind, when in h["events"]}
        on = start
        while on <= end:
            event = event_on.get(on)
            before = on - dt.timedelta(days=1)
            if event:
                moves[event]["households"] += 1
            for member in h["members"]:
                s0, s1 = person_state(h, member, before), person_state(h, member, on)
                if s0 == s1:
                    continue
                if s0 == "out":
                    movement = "识别纳入" if event == "识别纳入" else "自然增加"
                elif s1 == "out":
                    movement = event if event in ("清退", "自然销户") else "自然减少"
                else:
                    movement = "标注脱贫" if s1 == "exited" else "返贫"
                moves[movement]["people"] += 1
            on += dt.timedelta(days=1)
    return stocks, moves


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("flows_property")


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(package=packages(), checks=st.lists(st.tuples(windows(), st.sampled_from([c for c, *_ in REGIONS])),
                                           min_size=1, max_size=3))
def test_flows_reconcile_on_random_packages(workdir, package, checks):
    folder, db_path = workdir / "package", workdir / "random.duckdb"
    write_package(folder, package)
    load_tables(folder, db_path)
    with Database(db_path) as db:
        for (start, end), region in checks:
            frame = db.query("flows", start=start, end=end, region=region).set_index("movement")
            moving = frame[frame.direction != "stock"]
            # 1. each stock column reconciles: opening + signed movements = closing
            for stock, prefix in (("在册", "registry"), ("未脱贫", "poor")):
                for unit in ("households", "people"):
                    column = f"{prefix}_{unit}"
                    assert frame.loc[f"期初{stock}", column] + moving[column].sum() == frame.loc[f"期末{stock}", column]
            # ... and, for the registry, in the plain words of a report: opening + in − out = closing
            for unit in ("households", "people"):
                inflow = moving.loc[moving.direction == "in", unit].sum()
                outflow = moving.loc[moving.direction == "out", unit].sum()
                assert frame.loc["期初在册", unit] + inflow - outflow == frame.loc["期末在册", unit]
            # 2. the stocks are registry_summary's at the end and the day before the start
            for when, on in (("期初", start - dt.timedelta(days=1)), ("期末", end)):
                summary = db.query("registry_summary", as_of=on, region=region).iloc[0]
                assert (frame.loc[f"{when}在册", "households"], frame.loc[f"{when}在册", "people"],
                        frame.loc[f"{when}未脱贫", "households"], frame.loc[f"{when}未脱贫", "people"]) == (
                    summary.households_registered, summary.people_registered,
                    summary.households_poor, summary.people_poor)
            # 3. stocks and every movement agree with the day-by-day replay
            stocks, moves = replay(package, start, end, region)
            for (row, unit), value in stocks.items():
                assert frame.loc[row, unit] == value, (row, unit)
            for movement in MOVEMENTS:
                assert (frame.loc[movement, "households"], frame.loc[movement, "people"]) == (
                    moves[movement]["households"], moves[movement]["people"]), movement
            # 4. exits_by_period counts the same 标注脱贫 as flows
            exits = db.query("exits_by_period", start=start, end=end, period="year", region=region)
            assert (exits.households.sum(), exits.people.sum()) == (
                frame.loc["标注脱贫", "households"], frame.loc["标注脱贫", "people"])
