"""The demo county after 2020, loaded: monitoring figures of every kind, households never registered
counting in no registry figure, and the 2014-2020 figures exactly as before the demo went on to 2026
(literal values measured on the demo package of seed 2014 before monitoring was added)."""

from __future__ import annotations

import pytest

from queries import Database

pytestmark = pytest.mark.slow  # loads the generated demo county


@pytest.fixture(scope="module")
def demo(demo_db_path):
    with Database(demo_db_path) as db:
        yield db


@pytest.mark.parametrize("as_of", ["2020-12-31", "2026-12-31"])
def test_registry_figures_are_those_of_2020_and_count_no_edge_household(demo, as_of):
    row = demo.query("registry_summary", as_of=as_of).iloc[0]
    assert (row.households_registered, row.people_registered) == (14667, 47220)
    assert (row.households_poor, row.people_poor, row.households_exited, row.people_exited) == (83, 271, 14584, 46949)
    assert (row.poor_villages_exited, row.rural_population) == (58, 395987)


def test_campaign_figures_before_2021_are_unchanged(demo):
    mid = demo.query("registry_summary", as_of="2018-06-30").iloc[0]
    assert (mid.households_registered, mid.households_poor, mid.people_poor) == (14699, 7043, 22776)
    funds = demo.query("funds_summary", as_of="2020-12-31").iloc[0]
    assert (funds.projects, funds.allocated, funds.spent) == (237, 106571600, 77354912)


def test_monitoring_figures_reconcile_with_every_kind_present(demo):
    row = demo.query("monitoring_summary", as_of="2026-12-31").iloc[0]
    assert 200 <= row.households_identified <= 400
    assert row.households_identified == row.households_at_risk + row.households_cleared
    assert row.people_identified == row.people_at_risk + row.people_cleared
    assert 0 < row.households_at_risk_registered < row.households_at_risk  # edge households at risk too
    kinds = demo.query("monitoring_by", as_of="2026-12-31", dimension="kind")
    assert list(kinds["group"]) == ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
    assert kinds["households_identified"].sum() == row.households_identified
    assert demo.query("monitoring_summary", as_of="2020-12-31").iloc[0].households_identified == 0
    span = demo.query("data_span").iloc[0]
    assert f"{span.last_date:%Y}" == "2026"  # the as-of picker reaches 2026
