"""The monitoring figures (docs/domain.md, After 2020 / 防返贫监测) on the hand-worked fixture
tests/fixtures/monitoring: every number below is worked out in its EXPECTED.md."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from queries import Scope, ScopeError
from tests.conftest import ROOT

EAST = "532999100000"  # 东乡
WEST = "532999200000"  # 西乡
EAST_ONE = "532999100001"  # 东一村
SUMMARY = ["households_identified", "people_identified", "households_at_risk", "people_at_risk",
           "households_cleared", "people_cleared"]
MASKED = {"M01": "孙*国", "M02": "李*花", "M03": "周*海", "M04": "吴*梅", "M05": "郑*强", "M06": "王*军",
          "E01": "陈*牛", "E03": "卫*青"}


def summary(db, **params):
    row = db.query("monitoring_summary", **params).iloc[0]
    return (tuple(int(row[c]) for c in SUMMARY), round(row.clearance_rate, 4),
            int(row.households_at_risk_registered), int(row.people_at_risk_registered))


def by(db, dimension, **params):
    frame = db.query("monitoring_by", dimension=dimension, **params)
    return [(g if isinstance(g, str) else None, *(int(r[c]) for c in SUMMARY))  # NULL group: None
            for g, (_, r) in zip(frame.group, frame.iterrows(), strict=True)]


def test_summary_at_two_dates_and_in_a_township(monitoring):
    assert summary(monitoring, as_of="2024-06-30") == ((6, 16, 5, 13, 1, 3), 0.1667, 3, 9)
    assert summary(monitoring, as_of="2025-06-30") == ((7, 18, 4, 10, 3, 8), 0.4286, 3, 8)
    assert summary(monitoring, as_of="2025-06-30", region=EAST) == ((4, 11, 3, 8, 1, 3), 0.25, 2, 6)
    assert summary(monitoring, as_of="2025-06-30", region=WEST) == ((3, 7, 1, 2, 2, 5), 0.6667, 1, 2)
    # before the first identification: nothing, and no rate
    row = monitoring.query("monitoring_summary", as_of="2022-04-30").iloc[0]
    assert [int(row[c]) for c in SUMMARY] == [0] * 6 and row.clearance_rate != row.clearance_rate  # NaN
    assert monitoring.query("monitoring_summary", as_of="2025-06-30", region="999999999999").empty


def test_by_kind_risk_lead_source_and_area(monitoring):
    d = "2025-06-30"
    assert by(monitoring, "kind", as_of=d) == [
        ("脱贫不稳定户", 3, 10, 1, 4, 2, 6), ("边缘易致贫户", 2, 4, 1, 2, 1, 2), ("突发严重困难户", 2, 4, 2, 4, 0, 0)]
    assert by(monitoring, "kind", as_of="2024-06-30") == [
        ("脱贫不稳定户", 3, 10, 2, 7, 1, 3), ("边缘易致贫户", 2, 4, 2, 4, 0, 0), ("突发严重困难户", 1, 2, 1, 2, 0, 0)]
    # a household whose latest episode names two risk types counts under each (M01, E01)
    assert by(monitoring, "risk", as_of=d) == [
        ("因病", 2, 6, 2, 6, 0, 0), ("因学", 1, 4, 1, 4, 0, 0), ("因残", 1, 3, 0, 0, 1, 3), ("因灾", 1, 2, 1, 2, 0, 0),
        ("因意外事故", 2, 4, 2, 4, 0, 0), ("因产业项目失败", 1, 2, 0, 0, 1, 2), ("因务工就业不稳", 1, 3, 0, 0, 1, 3),
        ("因人口变化", 0, 0, 0, 0, 0, 0), ("其他", 0, 0, 0, 0, 0, 0)]
    assert by(monitoring, "lead_source", as_of=d) == [
        ("农户自主申报", 1, 3, 0, 0, 1, 3), ("基层干部排查", 2, 6, 2, 6, 0, 0), ("部门筛查预警", 2, 4, 2, 4, 0, 0),
        (None, 2, 5, 0, 0, 2, 5)]
    assert by(monitoring, "township", as_of=d) == [("东乡", 4, 11, 3, 8, 1, 3), ("西乡", 3, 7, 1, 2, 2, 5)]
    assert monitoring.query("monitoring_by", dimension="township", as_of=d).group_code.tolist() == [EAST, WEST]
    assert by(monitoring, "village", as_of=d) == [
        ("东一村", 3, 8, 3, 8, 0, 0), ("东二村", 1, 3, 0, 0, 1, 3), ("西一村", 3, 7, 1, 2, 2, 5)]
    assert by(monitoring, "township", as_of=d, region=EAST_ONE) == [("东乡", 3, 8, 3, 8, 0, 0)]
    rates = monitoring.query("monitoring_by", dimension="kind", as_of=d).clearance_rate.round(4).tolist()
    assert rates == [0.6667, 0.5, 0.0]


def flows(db, **params):
    frame = db.query("monitoring_flows", **params)
    return {m: (int(h), int(p)) for m, h, p in zip(frame.movement, frame.households, frame.people, strict=True)}


def test_flows_reconcile_by_hand(monitoring):
    assert flows(monitoring, start="2024-01-01", end="2024-12-31") == {
        "opening": (1, 2), "identified": (4, 11), "cleared": (2, 6), "joined": (0, 1), "left": (0, 1),
        "closing": (3, 7)}
    assert flows(monitoring, start="2025-01-01", end="2025-12-31") == {
        "opening": (3, 7), "identified": (2, 6), "cleared": (1, 3), "joined": (0, 0), "left": (0, 1),
        "closing": (4, 9)}
    assert flows(monitoring, start="2025-01-01", end="2025-12-31", region=WEST) == {
        "opening": (1, 3), "identified": (1, 2), "cleared": (1, 3), "joined": (0, 0), "left": (0, 1),
        "closing": (1, 1)}
    # the closing stock is monitoring_summary's at risk at the end
    assert summary(monitoring, as_of="2025-12-31")[0][2:4] == (4, 9)


def test_timeliness(monitoring):
    frame = monitoring.query("monitoring_timeliness", start="2024-01-01", end="2025-12-31")
    assert list(zip(frame.monitoring_id, frame.days, frame.late, strict=True)) == [
        ("J02", 37, True), ("J06", 19, True), ("J05", 15, False), ("J01", 11, False), ("J03", 9, False),
        ("J08", 9, False)]
    first = frame.iloc[0]
    assert (first.episodes, first.within_15_days, round(first.share_within_15_days, 4), first.late_episodes,
            first.episodes_without_lead_date) == (6, 4, 0.6667, 2, 0)
    assert [MASKED[h] for h in frame.household_id] == frame.head_name_masked.tolist()
    frame = monitoring.query("monitoring_timeliness", start="2023-01-01", end="2024-12-31")
    assert frame.monitoring_id.tolist() == ["J06", "J05", "J01", "J03"]
    first = frame.iloc[0]
    assert (first.episodes, first.within_15_days, first.share_within_15_days, first.late_episodes,
            first.episodes_without_lead_date) == (4, 3, 0.75, 1, 1)
    assert monitoring.query("monitoring_timeliness", start="2024-01-01", end="2025-12-31",
                            region=WEST).monitoring_id.tolist() == ["J05", "J08"]


def rows(frame, *columns):
    out = []
    for _, r in frame.iterrows():
        values = []
        for c in columns:
            v = r[c]
            if c == "failing":
                v = list(v)
            elif c in ("threshold", "per_capita_income", "net_income"):
                v = None if v != v else float(v)
            elif hasattr(v, "isoformat"):
                v = None if v != v else v.isoformat()[:10]
            values.append(v)
        out.append(tuple(values))
    return out


GAP_COLUMNS = ("household_id", "registered", "size", "net_income", "per_capita_income", "threshold",
               "threshold_missing", "failing", "last_cleared_on")


def test_gaps_honour_year_as_of_and_the_missing_threshold(monitoring):
    frame = monitoring.query("monitoring_gaps", year=2024, as_of="2024-12-31")
    assert rows(frame, *GAP_COLUMNS) == [
        ("M01", True, 4, 30000.0, 7500.0, 8700.0, False, ["income"], "2024-09-30"),
        ("E03", False, 2, 20000.0, 10000.0, 8700.0, False, ["housing"], None),
        ("M06", True, 2, 15000.0, 7500.0, 8700.0, False, ["income"], None),
    ]
    assert frame.head_name_masked.tolist() == ["孙*国", "卫*青", "王*军"]
    assert monitoring.query("monitoring_gaps", year=2024, as_of="2025-06-30").household_id.tolist() == ["E03", "M06"]
    assert monitoring.query("monitoring_gaps", year=2024, as_of="2024-12-31", region=WEST).empty
    assert rows(monitoring.query("monitoring_gaps", year=2025, as_of="2025-12-31"), *GAP_COLUMNS) == [
        ("E03", False, 2, 16000.0, 8000.0, 8700.0, False, ["income"], None),
        ("M04", True, 3, 24000.0, 8000.0, 8700.0, False, ["income"], "2025-06-30"),
    ]
    assert monitoring.query("monitoring_gaps", year=2025, as_of="2025-06-29").household_id.tolist() == ["E03"]
    # no threshold for 2023: the income is not judged, and the row says so
    assert rows(monitoring.query("monitoring_gaps", year=2023, as_of="2023-12-31"), *GAP_COLUMNS) == [
        ("M03", True, 3, 15000.0, 5000.0, None, True, ["water"], "2023-06-30")]


def test_clearance_check(monitoring):
    columns = ("monitoring_id", "household_id", "risks", "cleared_on", "per_capita_income", "threshold",
               "threshold_missing", "failing")
    assert rows(monitoring.query("monitoring_clearance_check", year=2024, as_of="2024-12-31"), *columns) == [
        ("J01", "M01", "因病", "2024-09-30", 7500.0, 8700.0, False, ["income"])]
    assert monitoring.query("monitoring_clearance_check", year=2024, as_of="2024-09-29").empty
    assert rows(monitoring.query("monitoring_clearance_check", year=2025, as_of="2025-12-31"), *columns) == [
        ("J05", "M04", "因残", "2025-06-30", 8000.0, 8700.0, False, ["income"])]
    assert monitoring.query("monitoring_clearance_check", year=2025, as_of="2025-06-29").empty
    assert monitoring.query("monitoring_clearance_check", year=2025, as_of="2025-12-31", region=EAST).empty
    assert rows(monitoring.query("monitoring_clearance_check", year=2023, as_of="2023-12-31"), *columns) == [
        ("J04", "M03", "因务工就业不稳", "2023-06-30", 5000.0, None, True, ["water"])]
    assert monitoring.query("monitoring_clearance_check", year=2023,
                            as_of="2023-12-31").head_name_masked.tolist() == ["周*海"]


def test_threshold_in_use(monitoring):
    frame = monitoring.query("monitoring_threshold", year=2024)
    assert [(y, float(t), r, m, n) for y, t, r, m, n in frame.itertuples(index=False)] == [
        (2024, 8700.0, "530000000000", False, 3)]
    frame = monitoring.query("monitoring_threshold", year=2023, region=EAST)
    assert [(y, t is None or t != t, r, m, n) for y, t, r, m, n in frame.itertuples(index=False)] == [
        (2023, True, None, True, 2)]


def test_assistance_coverage(monitoring):
    def coverage(as_of, population):
        frame = monitoring.query("assistance_coverage", as_of=as_of)
        frame = frame[(frame.population == population) & (frame.covered > 0)]
        return [(m, int(h), int(c)) for m, h, c in zip(frame.measure, frame.households, frame.covered, strict=True)]

    assert coverage("2024-06-30", "exited") == [("产业或就业", 7, 2), ("产业", 7, 2), ("教育", 7, 1), ("健康", 7, 1)]
    assert coverage("2024-06-30", "at_risk") == [("产业或就业", 5, 2), ("产业", 5, 1), ("就业", 5, 1), ("教育", 5, 1),
                                                 ("兜底保障", 5, 1)]
    assert coverage("2025-06-30", "exited") == [("产业或就业", 7, 4), ("产业", 7, 2), ("就业", 7, 2), ("教育", 7, 1),
                                                ("健康", 7, 1)]
    assert coverage("2025-06-30", "at_risk") == [("产业或就业", 4, 4), ("产业", 4, 3), ("就业", 4, 2)]
    frame = monitoring.query("assistance_coverage", as_of="2025-06-30")
    assert len(frame) == 22 and frame.population.tolist()[::11] == ["exited", "at_risk"]
    assert frame.rate.round(4).tolist()[::11] == [0.5714, 1.0]


def test_a_township_account_sees_its_township_only(monitoring):
    scope = Scope(region=EAST)
    row = monitoring.query("monitoring_summary", as_of="2025-06-30", scope=scope).iloc[0]
    assert (row.region_code, row.households_identified, row.households_at_risk) == (EAST, 4, 3)
    assert by(monitoring, "village", as_of="2025-06-30", scope=scope) == [
        ("东一村", 3, 8, 3, 8, 0, 0), ("东二村", 1, 3, 0, 0, 1, 3)]
    assert monitoring.query("monitoring_gaps", year=2025, as_of="2025-12-31", scope=scope).household_id.tolist() == [
        "E03"]
    assert flows(monitoring, start="2025-01-01", end="2025-12-31", scope=scope)["closing"] == (3, 8)
    for name, params in [("monitoring_summary", {"as_of": "2025-06-30"}),
                         ("monitoring_timeliness", {"end": "2025-12-31"}),
                         ("monitoring_clearance_check", {"year": 2025, "as_of": "2025-12-31"}),
                         ("assistance_coverage", {"as_of": "2025-06-30"})]:
        with pytest.raises(ScopeError):
            monitoring.query(name, region=WEST, scope=scope, **params)


def test_no_monitoring_list_leaks_a_name(monitoring):
    """Every list with a person masks the head's name; none carries an ID number or a member's name."""
    names = {r[0] for r in monitoring.connection.execute("select name from members").fetchall()}
    for name, params in [("monitoring_timeliness", {"start": "2021-01-01", "end": "2025-12-31"}),
                         ("monitoring_gaps", {"year": 2024, "as_of": "2024-12-31"}),
                         ("monitoring_clearance_check", {"year": 2024, "as_of": "2024-12-31"})]:
        frame = monitoring.query(name, **params)
        assert len(frame) > 0
        text = frame.astype(str).to_string()
        assert [n for n in names if n in text] == [], name
        assert all("*" in v for v in frame.head_name_masked)


def test_the_command_line_gives_the_same_figures(monitoring_db_path):
    result = subprocess.run(
        [sys.executable, "-m", "queries", "monitoring_summary", "--db", str(monitoring_db_path),
         "--as-of", "2025-06-30", "--region", EAST, "--format", "json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert [row[c] for c in SUMMARY] == [4, 11, 3, 8, 1, 3] and row["clearance_rate"] == 0.25
    result = subprocess.run(
        [sys.executable, "-m", "queries", "monitoring_by", "--db", str(monitoring_db_path),
         "--as-of", "2024-06-30", "--dimension", "kind", "--format", "json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert [(r["group"], r["households_at_risk"]) for r in json.loads(result.stdout)] == [
        ("脱贫不稳定户", 2), ("边缘易致贫户", 2), ("突发严重困难户", 1)]
