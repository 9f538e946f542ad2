"""总览 and 户级核查 on the demo county at a date inside a year agree, and mention no exit after that date.

At 2019-09-30 (a mid-year quarterly meeting) the demo county has 214 households marked exited since
1 January 2019 (counted from the events below, independently of the queries), and none of the 错退
risks of 2019: the 14 risk households of 2019 all exit between 2019-10-01 and 2019-12-19. At 2018-09-30
six risk households have exited, the last of them on the as-of day itself (counted: on or before).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from queries import Database
from tests.conftest import ROOT
from ui.i18n import t

pytestmark = pytest.mark.slow  # the generated demo county (seconds, not milliseconds)


def open_at(db_path, monkeypatch, page: str, as_of: dt.date) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.selectbox(key="as_of_choice").set_value(as_of).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def exits_counted_from_events(db_path, start: dt.date, end: dt.date) -> int:
    with Database(db_path) as db:
        return db.connection.execute(
            "select count(distinct household_id) from events where event_type = '标注脱贫'"
            " and event_date between ? and ?", [start, end]).fetchone()[0]


@pytest.mark.parametrize("as_of, exited, risks, n_listed", [
    (dt.date(2019, 9, 30), "214户722人", "0户0人", 0),
    (dt.date(2018, 9, 30), "300户936人", "6户16人", 6),
])
def test_overview_and_household_checks_agree_at_a_date_inside_the_year(
        demo_db_path, monkeypatch, navigation_apptest, as_of, exited, risks, n_listed):
    year = as_of.year
    assert exits_counted_from_events(demo_db_path, dt.date(year, 1, 1), as_of) == int(exited.split("户")[0])

    overview = tiles(open_at(demo_db_path, monkeypatch, "", as_of))
    assert overview[t("exited_this_year", year=year)] == exited
    assert overview[t("flag_wrong_exits", year=year)] == risks

    at = open_at(demo_db_path, monkeypatch, "pages/household_checks.py", as_of)
    checks = tiles(at)
    assert checks[t("hhc_exited", year=year)] == exited
    assert checks[t("hhc_risks", year=year)] == risks
    listed = at.dataframe[0].value if len(at.dataframe) else pd.DataFrame()
    assert len(listed) == n_listed
    if n_listed:
        exit_dates = pd.to_datetime(listed[t("hhc_col_exited_on")]).dt.date
        assert exit_dates.max() == as_of  # one of them exits on the day itself: on or before counts
        assert (exit_dates <= as_of).all()
        with Database(demo_db_path) as db:
            expected = db.query("household_exit_check", as_of=as_of)
        assert sorted(listed[t("hhc_col_household_id")]) == sorted(expected.household_id)


def test_household_checks_offers_no_year_after_the_as_of_date(demo_db_path, monkeypatch, navigation_apptest):
    at = open_at(demo_db_path, monkeypatch, "pages/household_checks.py", dt.date(2019, 9, 30))
    [year_box] = [s for s in at.selectbox if s.label == t("hhc_year")]
    assert max(year_box.options) == "2019"
    assert year_box.value == 2019
