"""Figures bounded by a year honour the as-of date inside it, on the tiny county (tests/fixtures/tiny),
worked by hand from its CSVs:

- 错退 risks (household_exit_check): H5 is marked exited on 2018-12-01 and fails 收入 in 2018 (2,800 per
  person < 2,995). As of 2018-11-30 it has not exited yet: no risk; as of 2018-12-01 it is listed.
  Without a household_year row its size is the members present at the year's end — or on the as-of
  date when that comes first: with P13 leaving H5 on 2018-12-20, 2 people on 2018-12-10, 1 at year end.
- With H5's 2018 家庭人口 left empty (P13 leaving on 2018-12-20 again), the row is sized by the members
  present: 1 at the year's end (5,600 per person ≥ 2,995: no risk), but 2 on 2018-12-10 — P13's leaving
  is not known yet — so 5,600 ÷ 2 = 2,800 < 2,995 fails 收入 at that date, in the risk list and in the
  village's household list alike.
- Spending against the schedule (funds_schedule, projects of 2018 XM1–XM3): as of 2018-05-15 the
  deadline 2018-03-31 is due — 下达 F01 100,000 + F06 150,000 + F07 50,000 = 300,000, 支出 0; the
  deadlines 2018-06-30 and 2018-09-30 are not, and their money is that known on 2018-05-15: 下达
  300,000 + F12 50,000 = 350,000, 支出 0 (F03's 60,000 is dated 2018-06-30, F09/F10 in September).
- The project list (projects) gives no 实际开工/完工日期 after the as-of date: as of 2018-04-30 XM1
  (started 2018-03-15) has its start, XM2 (started 2018-05-01) none; neither is completed (2018-09-20,
  2019-01-15).
- 户级核查 at 2018-09-30: no exit in 2018 yet (H5 exits on 2018-12-01), no risk, no later year offered.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_package
from queries import Database
from tests.conftest import ROOT, TINY
from tests.packages import copy_package, edit_csv
from ui.i18n import t


def test_a_risk_is_listed_from_its_exit_day_on(tiny):
    assert tiny.query("household_exit_check", as_of="2018-11-30").empty
    [h5] = tiny.query("household_exit_check", as_of="2018-12-01").itertuples()
    assert (h5.household_id, h5.exited_on.date(), h5.size, list(h5.failing_criteria)) == \
        ("H5", dt.date(2018, 12, 1), 2, ["income"])
    # a year alone means the whole year; an as-of date in a later year, the whole year too
    assert list(tiny.query("household_exit_check", year=2018).household_id) == ["H5"]
    assert list(tiny.query("household_exit_check", year=2018, as_of="2019-06-30").household_id) == ["H5"]
    # a year after the as-of date's has not happened
    assert tiny.query("household_exit_check", year=2018, as_of="2017-12-31").empty
    # the tallies read the same list
    [total] = tiny.query("household_exit_risks_by", as_of="2018-11-30").itertuples()
    assert (total.households, total.people) == (0, 0)
    [total] = tiny.query("household_exit_risks_by", as_of="2018-12-01").itertuples()
    assert (total.households, total.people) == (1, 2)


@pytest.fixture(scope="module")
def tiny_without_h5_2018(tmp_path_factory):
    """tiny with H5's 2018 household_year row removed and P13 leaving H5 on 2018-12-20."""
    folder = tmp_path_factory.mktemp("asof_size")
    package = copy_package(TINY, folder / "package")
    edit_csv(package, "户年度收入与保障", lambda rows: [r for r in rows if (r["年度"], r["户编号"]) != ("2018", "H5")])
    edit_csv(package, "家庭成员", lambda rows: [
        {**r, "减少日期": "2018-12-20", "减少原因": "死亡"} if r["人员编号"] == "P13" else r for r in rows])
    load_package(package, folder / "tuopin.duckdb")
    with Database(folder / "tuopin.duckdb") as db:
        yield db


def test_the_size_without_a_yearly_row_is_that_known_on_the_as_of_date(tiny_without_h5_2018):
    db = tiny_without_h5_2018
    [early] = db.query("household_exit_check", as_of="2018-12-10").itertuples()
    [year_end] = db.query("household_exit_check", year=2018).itertuples()
    assert (early.household_id, early.size, len(early.no_data_criteria)) == ("H5", 2, 6)
    assert (year_end.household_id, year_end.size, len(year_end.no_data_criteria)) == ("H5", 1, 6)


def test_a_deadline_still_to_come_carries_the_money_known_on_the_as_of_date(tiny):
    schedule = tiny.query("funds_schedule", year=2018, as_of="2018-05-15")
    rows = [(r.deadline.date(), r.is_due, float(r.allocated), float(r.spent)) for r in schedule.itertuples()]
    assert rows == [
        (dt.date(2018, 3, 31), True, 300_000.0, 0.0),
        (dt.date(2018, 6, 30), False, 350_000.0, 0.0),
        (dt.date(2018, 9, 30), False, 350_000.0, 0.0),
    ]
    # a past year is measured at each deadline, as before
    spent = [float(v) for v in tiny.query("funds_schedule", year=2018, as_of="2018-12-31").spent]
    assert spent == [0.0, 60_000.0, 140_000.0]


def test_projects_name_no_start_or_completion_after_the_as_of_date(tiny):
    projects = tiny.query("projects", as_of="2018-04-30", year=2018).set_index("project_id")
    assert projects.started_on["XM1"].date() == dt.date(2018, 3, 15)
    assert projects.started_on.isna()[["XM2", "XM3"]].all()
    assert projects.completed_on.isna().all()
    assert list(projects.status[["XM1", "XM2", "XM3"]]) == ["在建", "未开工", "未开工"]
    later = tiny.query("projects", as_of="2019-01-15", year=2018).set_index("project_id")
    assert later.completed_on["XM2"].date() == dt.date(2019, 1, 15)


def test_household_checks_page_inside_the_year(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.selectbox(key="as_of_choice").set_value(dt.date(2018, 9, 30)).run()
    at.switch_page("pages/household_checks.py").run()
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[t("hhc_exited", year=2018)] == "0户0人"
    assert tiles[t("hhc_risks", year=2018)] == "0户0人"
    [year_box] = [s for s in at.selectbox if s.label == t("hhc_year")]
    assert [int(y) for y in year_box.options] == [2018, 2017, 2016, 2015, 2014]


@pytest.fixture(scope="module")
def tiny_h5_size_empty(tmp_path_factory):
    """tiny with H5's 2018 家庭人口 left empty and P13 leaving H5 on 2018-12-20."""
    folder = tmp_path_factory.mktemp("asof_empty_size")
    package = copy_package(TINY, folder / "package")
    edit_csv(package, "户年度收入与保障", lambda rows: [
        {**r, "家庭人口": ""} if (r["年度"], r["户编号"]) == ("2018", "H5") else r for r in rows])
    edit_csv(package, "家庭成员", lambda rows: [
        {**r, "减少日期": "2018-12-20", "减少原因": "死亡"} if r["人员编号"] == "P13" else r for r in rows])
    load_package(package, folder / "tuopin.duckdb")
    with Database(folder / "tuopin.duckdb") as db:
        yield db


def test_an_empty_household_size_counts_the_members_known_on_the_as_of_date(tiny_h5_size_empty):
    db = tiny_h5_size_empty
    assert db.query("household_exit_check", year=2018).empty
    [h5] = db.query("household_exit_check", as_of="2018-12-10").itertuples()
    assert (h5.household_id, h5.size, float(h5.per_capita_income), h5.income_pass, list(h5.failing_criteria)) \
        == ("H5", 2, 2800.0, False, ["income"])
    listed = db.query("village_households", village="430101100002", as_of="2018-12-10").set_index("household_id")
    assert (float(listed.per_capita_income["H5"]), list(listed.failing_checks["H5"])) == (2800.0, ["income"])
    listed = db.query("village_households", village="430101100002", as_of="2018-12-31").set_index("household_id")
    assert (float(listed.per_capita_income["H5"]), list(listed.failing_checks["H5"])) == (5600.0, [])
