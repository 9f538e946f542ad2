"""monitoring_households on tests/fixtures/monitoring: a village's (or region's) monitoring objects with
their episodes and measures, masked, as known on the date (literal answers from its EXPECTED.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from queries import Scope, ScopeError

EAST_1, WEST_1 = "532999100001", "532999200001"  # 东一村, 西一村


def rows(db, village, as_of):
    return db.query("monitoring_households", region=village, as_of=as_of).to_dict("records")


def test_east_village_mid_2025_every_household_at_risk_with_its_episodes_and_measures(monitoring):
    found = rows(monitoring, EAST_1, "2025-06-30")
    assert [(r["household_id"], r["head_name_masked"], r["registered"], r["state"], r["kind"], r["risks"], r["size"])
            for r in found] == [
        ("M01", "孙*国", True, "at_risk", "脱贫不稳定户", "因病、因学", 4),
        ("M02", "李*花", True, "at_risk", "突发严重困难户", "因灾", 2),
        ("E01", "陈*牛", False, "at_risk", "边缘易致贫户", "因病、因意外事故", 2),
    ]
    m01 = found[0]
    assert (m01["episodes"], m01["episode_list"]) == (
        2, "2024-01-05–2024-09-30 脱贫不稳定户（因病）; 2025-03-10– 脱贫不稳定户（因病、因学）")
    assert (m01["measures"], m01["measure_list"]) == (1, "产业 2024-04-01")
    assert found[2]["measure_list"] == "就业 2024-05-10; 产业 2025-02-01"


def test_as_known_on_an_earlier_date(monitoring):
    found = rows(monitoring, EAST_1, "2024-06-30")
    assert [r["household_id"] for r in found] == ["M02", "E01", "M01"]  # latest identification first
    by_id = {r["household_id"]: r for r in found}
    assert by_id["M01"]["episode_list"] == "2024-01-05– 脱贫不稳定户（因病）"  # cleared 2024-09-30: later
    assert by_id["M01"]["state"] == "at_risk" and str(by_id["M01"]["cleared_on"]) == "NaT"
    assert by_id["M02"]["measures"] == 0 and pd.isna(by_id["M02"]["measure_list"])  # 就业 2024-08-01 comes later
    assert by_id["E01"]["size"] == 2  # P083 left that day
    assert rows(monitoring, EAST_1, "2023-12-31") == []


def test_cleared_households_after_those_at_risk(monitoring):
    found = rows(monitoring, WEST_1, "2025-06-30")
    assert [(r["household_id"], r["state"], r["size"]) for r in found] == [
        ("M05", "at_risk", 2), ("M04", "cleared", 3), ("E02", "cleared", 2)]
    assert f"{found[1]['cleared_on']:%Y-%m-%d}" == "2025-06-30"  # cleared that day: cleared
    assert found[2]["episode_list"] == "2023-09-01–2024-12-31 边缘易致贫户（因产业项目失败）"


def test_a_township_lists_its_villages_households_and_the_scope_applies(monitoring):
    east = monitoring.query("monitoring_households", region="532999100000", as_of="2025-06-30")
    assert east[["household_id", "village_name", "township_name"]].values.tolist() == [
        ["M01", "东一村", "东乡"], ["M02", "东一村", "东乡"], ["E01", "东一村", "东乡"], ["M03", "东二村", "东乡"]]
    assert monitoring.query("monitoring_households", region="999999999999", as_of="2025-06-30").empty
    west = Scope(region="532999200000", personal=False)
    assert len(monitoring.query("monitoring_households", as_of="2025-06-30", scope=west)) == 3
    with pytest.raises(ScopeError, match="outside"):
        monitoring.query("monitoring_households", region=EAST_1, as_of="2025-06-30", scope=west)


# ---- monitoring_change: the tiles' change since the previous date ----------------------------------


def test_change_from_mid_2024_to_mid_2025(monitoring):
    row = monitoring.query("monitoring_change", as_of="2025-06-30", previous="2024-06-30").iloc[0]
    # identified 7户18人 vs 6户16人; at risk 4户10人 vs 5户13人; cleared 3户8人 vs 1户3人 (EXPECTED.md)
    assert (row.households_identified_change, row.people_identified_change) == (1, 2)
    assert (row.households_at_risk_change, row.people_at_risk_change) == (-1, -3)
    assert (row.households_cleared_change, row.people_cleared_change) == (2, 5)
    assert row.clearance_rate_change == pytest.approx(3 / 7 - 1 / 6)
    assert not (row.identified_unchanged or row.at_risk_unchanged or row.cleared_unchanged)


def test_change_in_a_township_and_with_nothing_before(monitoring):
    west = monitoring.query("monitoring_change", as_of="2025-06-30", previous="2024-06-30",
                            region="532999200000").iloc[0]
    # 西乡: 3户7人 (at risk 1户2人, cleared 2户5人) vs 2户5人 at risk (M04 3, E02 2)
    assert (west.households_identified_change, west.households_at_risk_change, west.people_cleared_change) == (1, -1, 5)
    first = monitoring.query("monitoring_change", as_of="2022-06-30", previous="2022-03-31").iloc[0]
    assert (first.households_identified_change, first.people_at_risk_change) == (1, 3)  # M03 on 2022-05-01
    assert pd.isna(first.clearance_rate_change) and first.cleared_unchanged
    assert monitoring.query("data_span").iloc[0].has_monitoring


def test_a_package_without_monitoring_says_so(tiny):
    assert not tiny.query("data_span").iloc[0].has_monitoring
    assert tiny.query("monitoring_households", as_of="2025-06-30").empty
