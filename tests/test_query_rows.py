"""Several dates of a query in one statement (queries.run_query_rows) give each date exactly the frame
the query gives for it alone; an import computing views ahead (queries/ready.py) computes the dates of one
view so, where that is cheaper."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import queries
from queries import Database, Scope, catalog, landing, ordered_final, ready

COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"  # tests/fixtures/tiny: 小试县, 甲乡, 乙镇
DEMO_COUNTY, DEMO_TOWNSHIP = "439901000000", "439901101000"  # 演示县, 牛坳镇
TINY_VILLAGE, DEMO_VILLAGE = "430101100001", "439901101205"


def dated_queries() -> list[str]:
    """Every catalog query that takes a date (as_of) and shows no personal data."""
    return sorted(name for name, query in catalog().items()
                  if any(p.name == "as_of" for p in query.params) and not query.personal)


def rows_for(name: str, dates: list[dt.date], region: str | None, village: str) -> list[dict]:
    declared = {p.name for p in catalog()[name].params}
    rows = []
    for day in dates:
        row = {"as_of": day}
        if "year" in declared:
            row["year"] = day.year
        if "previous" in declared:
            row["previous"] = landing.previous_quarter_end(day)
        if "region" in declared and region is not None:
            row["region"] = region
        if "village" in declared:
            row["village"] = village
        rows.append(row)
    return rows


def assert_each_row_alone(database: Database, name: str, rows: list[dict], scope: Scope | None,
                          monkeypatch) -> None:
    singles = [database.query(name, scope=scope, **row) for row in rows]
    ran_alone = []
    real = queries.run_query
    monkeypatch.setattr(queries, "run_query", lambda *a, **k: ran_alone.append(1) or real(*a, **k))
    together = database.query_rows(name, rows, scope=scope)
    monkeypatch.setattr(queries, "run_query", real)
    assert len(together) == len(rows)
    for row, alone, batched in zip(rows, singles, together, strict=True):
        pd.testing.assert_frame_equal(batched, alone, check_exact=True, obj=f"{name} {row}")
    if name in ready.BATCHED_QUERIES:  # one statement indeed, not the fallback of one run per row
        assert ran_alone == [], name


@pytest.mark.parametrize("name", dated_queries())
def test_every_dated_query_for_every_quarter_end_at_once_gives_each_dates_own_frame(tiny, name, monkeypatch):
    # the tiny county's registry starts on 2014-05-01 and its events run from 2016 to 2019
    # (tests/fixtures/tiny/EXPECTED.md): a quarter end before the data, the first after it, every quarter
    # end of the years of events and one after them, in one statement, for the county, a township's
    # account and a village's view
    dates = [dt.date(2014, 3, 31), dt.date(2014, 6, 30),
             *(day for year in range(2016, 2020) for day in landing.quarter_ends_of_year(year)), dt.date(2021, 12, 31)]
    assert_each_row_alone(tiny, name, rows_for(name, dates, None, TINY_VILLAGE), None, monkeypatch)
    assert_each_row_alone(tiny, name, rows_for(name, dates[::3], None, TINY_VILLAGE), Scope(JIA), monkeypatch)


@pytest.fixture(scope="module")
def demo(demo_db_path):
    with Database(demo_db_path) as database:
        yield database


@pytest.mark.parametrize("name", dated_queries())
def test_on_the_demo_county_too(demo, name, monkeypatch):
    # two years' quarter ends (a year of the campaign and one after it), the county and a township
    dates = [*landing.quarter_ends_of_year(2018), *landing.quarter_ends_of_year(2021)]
    assert_each_row_alone(demo, name, rows_for(name, dates, DEMO_COUNTY, DEMO_VILLAGE), None, monkeypatch)
    assert_each_row_alone(demo, name, rows_for(name, dates[:4], DEMO_TOWNSHIP, DEMO_VILLAGE), None, monkeypatch)


def test_the_queries_computed_a_year_at_a_time_all_have_the_shape_that_carries_their_order():
    for name in ready.BATCHED_QUERIES:
        query = catalog()[name]
        assert not query.personal and any(p.name == "as_of" for p in query.params), name
        assert ordered_final(queries._strip_comments(query.sql)) is not None, name


def test_the_order_is_carried_as_a_position_and_other_shapes_are_left_alone():
    sql = ("with a as (select 1 as x order by x),\nfinal as (\n    select a.x, a.x is not distinct from 1 as same\n"
           "    from a\n    order by a.x desc, same nulls last\n)\n\nselect * from final")
    carried = ordered_final(sql)
    assert carried is not None
    assert "row_number() over (order by a.x desc, same nulls last) as \"_rows_position\"" in carried
    assert carried.index("_rows_position") < carried.index("from a\n")  # in the select list, before its FROM
    assert "select 1 as x order by x" in carried  # an inner CTE's order is its own
    unordered = ordered_final("with final as (select 1 as x from range(3)) select * from final")
    assert unordered is not None and '0 as "_rows_position"' in unordered
    for other in ("select 1 as x order by x",  # no final CTE
                  "with final as (select distinct x from t order by x) select * from final",
                  "with final as (select x from t union all select x from u) select * from final",
                  "with final as (select x from t order by x limit 3) select * from final",
                  "with final as (select x from t order by x) select x from final where x > 1"):
        assert ordered_final(other) is None, other


def test_rows_leaving_a_date_empty_are_run_one_by_one(tiny, monkeypatch):
    rows = [{"as_of": dt.date(2019, 12, 31)}, {"as_of": None}]  # NULL = today
    ran_alone = []
    real = queries.run_query
    monkeypatch.setattr(queries, "run_query", lambda *a, **k: ran_alone.append(1) or real(*a, **k))
    together = tiny.query_rows("registry_summary", rows)
    assert len(ran_alone) == 2
    monkeypatch.setattr(queries, "run_query", real)
    for row, frame in zip(rows, together, strict=True):
        pd.testing.assert_frame_equal(frame, tiny.query("registry_summary", **row))
