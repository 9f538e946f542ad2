"""monitoring_flows reconciles on random data (docs/domain.md, After 2020 / 防返贫监测: opening at risk +
identified − cleared + members joining − members leaving = closing at risk, for 户 and 人).

Hypothesis writes small valid packages — former 建档立卡 households and households never registered,
each with 0–3 monitoring episodes that never overlap (one may start the day the previous one was
cleared; the last may still be open), members joining and leaving, often on episode days — loads each
with the real loader, and checks random windows and regions against:
  * the identity, for 户 and for 人;
  * monitoring_summary's at-risk stock at the window's end and the day before its start;
  * a replay in Python, day by day, of the stocks and of every movement;
  * the registry, which holds the registered households only.
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

DAY0 = dt.date(2021, 1, 1)
SPAN = 1800  # days drawn from DAY0
REGISTERED_ON = dt.date(2014, 5, 1)
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
FAR = dt.date(9999, 12, 31)


def day(offset: int) -> dt.date:
    return DAY0 + dt.timedelta(days=offset)


@st.composite
def episodes(draw, at_least_one: bool):
    """[(identified_on, cleared_on or None)], in order, never overlapping."""
    out, on = [], day(draw(st.integers(0, 600)))
    for i in range(draw(st.integers(1 if at_least_one else 0, 3))):
        if draw(st.booleans()) or i == 2:
            cleared = on + dt.timedelta(days=draw(st.integers(1, 400)))
        else:
            cleared = None
        if cleared is None:
            out.append((on, None))
            break
        out.append((on, cleared))
        on = cleared + dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 30, 200])))
    return out


@st.composite
def members(draw, spells):
    """(joined_on or None, left_on or None): dates after DAY0, often on an episode's first or last day."""
    days = sorted({d for s in spells for d in s if d is not None})

    def pick() -> dt.date:
        if days and draw(st.booleans()):
            return draw(st.sampled_from(days))
        return day(draw(st.integers(0, SPAN)))

    joined = pick() if draw(st.booleans()) else None
    left = None
    if draw(st.booleans()):
        left = pick()
        if joined is not None and left <= joined:
            left = joined + dt.timedelta(days=draw(st.integers(1, 60)))
    return joined, left


@st.composite
def households(draw, number: int):
    spells = draw(episodes(at_least_one=number == 1))
    people = [(None, None)] + [draw(members(spells)) for _ in range(draw(st.integers(0, 3)))]
    return {"id": f"H{number}", "village": draw(st.sampled_from(VILLAGES)), "registered": draw(st.booleans()),
            "episodes": spells, "members": people}


@st.composite
def packages(draw):
    return [draw(households(i)) for i in range(1, draw(st.integers(1, 6)) + 1)]


@st.composite
def windows(draw):
    start = day(draw(st.integers(-30, SPAN)))
    return start, start + dt.timedelta(days=draw(st.integers(0, 700)))


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
              [[h["id"], h["village"], f"户主{h['id']}", "", *(("一般贫困户", "因病") if h["registered"] else ("", ""))]
               for h in package])
    write_csv(folder / "家庭成员.csv", ["人员编号", "户编号", "姓名", "证件号码", "与户主关系", "性别", "出生日期",
                                     "健康状况", "劳动技能", "加入日期", "减少日期", "减少原因"],
              [[f"{h['id']}P{i}", h["id"], f"成员{h['id']}{i}", "", "户主" if i == 0 else "之子", "男", "1980-01-01",
                "健康", "普通劳动力", joined, left, "迁出" if left else None]
               for h in package for i, (joined, left) in enumerate(h["members"])])
    write_csv(folder / "动态管理记录.csv", ["记录编号", "户编号", "变动类型", "变动日期", "变动原因"],
              [[f"{h['id']}E{i}", h["id"], kind, on, ""] for h in package if h["registered"]
               for i, (kind, on) in enumerate([("识别纳入", REGISTERED_ON), ("标注脱贫", dt.date(2019, 12, 1))])])
    write_csv(folder / "防返贫监测对象.csv", ["监测编号", "户编号", "监测对象类别", "风险类型", "认定日期", "风险消除日期"],
              [[f"{h['id']}J{i}", h["id"], "脱贫不稳定户" if h["registered"] else "边缘易致贫户", "因病、因灾", on, off]
               for h in package for i, (on, off) in enumerate(h["episodes"])])


# --- the replay ---------------------------------------------------------------------------------

def episode_at(h, on: dt.date):
    """The index of the household's episode open on `on`, or None."""
    for i, (start, cleared) in enumerate(h["episodes"]):
        if start <= on < (cleared or FAR):
            return i
    return None


def present(h, member, on: dt.date) -> bool:
    joined, left = member
    first = joined or (REGISTERED_ON if h["registered"] else dt.date(1, 1, 1))
    return first <= on and (left is None or on < left)


def replay(package, start: dt.date, end: dt.date, region: str):
    chosen = [h for h in package if region in (COUNTY, h["village"], PARENT[h["village"]])]
    result = Counter()
    for h in chosen:
        for on, when in ((start - dt.timedelta(days=1), "opening"), (end, "closing")):
            if episode_at(h, on) is not None:
                result[(when, "households")] += 1
                result[(when, "people")] += sum(present(h, m, on) for m in h["members"])
        for begun, cleared in h["episodes"]:
            result[("identified", "households")] += start <= begun <= end
            result[("cleared", "households")] += cleared is not None and start <= cleared <= end
        on = start
        while on <= end:
            before = on - dt.timedelta(days=1)
            e0, e1 = episode_at(h, before), episode_at(h, on)
            for m in h["members"]:
                p0 = e0 if e0 is not None and present(h, m, before) else None
                p1 = e1 if e1 is not None and present(h, m, on) else None
                if p0 == p1:
                    continue
                if p0 is not None:  # out of an at-risk stretch: with the episode's end, or leaving
                    result[("cleared" if e0 != e1 else "left", "people")] += 1
                if p1 is not None:  # into one: with the episode's start, or joining
                    result[("identified" if e0 != e1 else "joined", "people")] += 1
            on += dt.timedelta(days=1)
    return result


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("monitoring_flows_property")


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(package=packages(), checks=st.lists(st.tuples(windows(), st.sampled_from([c for c, *_ in REGIONS])),
                                           min_size=1, max_size=3))
def test_monitoring_flows_reconcile_on_random_packages(workdir, package, checks):
    folder, db_path = workdir / "package", workdir / "random.duckdb"
    write_package(folder, package)
    load_tables(folder, db_path)
    with Database(db_path) as db:
        registry = db.query("registry_summary", as_of="2024-01-01").iloc[0]
        assert registry.households_registered == sum(h["registered"] for h in package)
        for (start, end), region in checks:
            frame = db.query("monitoring_flows", start=start, end=end, region=region).set_index("movement")
            got = {(m, u): int(frame.loc[m, u]) for m in frame.index for u in ("households", "people")}
            # 1. the identity, for 户 and 人
            for unit in ("households", "people"):
                assert (got[("opening", unit)] + got[("identified", unit)] - got[("cleared", unit)]
                        + got[("joined", unit)] - got[("left", unit)]) == got[("closing", unit)]
            # 2. the stocks are monitoring_summary's at risk at the end and the day before the start
            for when, on in (("opening", start - dt.timedelta(days=1)), ("closing", end)):
                summary = db.query("monitoring_summary", as_of=on, region=region).iloc[0]
                assert (got[(when, "households")], got[(when, "people")]) == (
                    summary.households_at_risk, summary.people_at_risk)
            # 3. every stock and movement agrees with the replay
            expected = replay(package, start, end, region)
            assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
