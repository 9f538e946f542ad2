"""The township progress table (township_progress) and its two-date comparison (township_progress_change)
against the answers worked out by hand in tests/fixtures/township/EXPECTED.md ("Township progress table",
"Comparing two dates"), and its county totals against the county figures of the queries that define them."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from queries import Database, bind, catalog, execute
from queries.__main__ import main as cli_main
from tests.test_queries import rows

COUNTY, TOWN = "629901000000", "629901101000"  # 试点县, 试点乡
DEMO_COUNTY = "439901000000"
TABLE = ["region_name", "is_total", "households_registered", "people_registered", "households_poor", "people_poor",
         "rural_population", "households_exited", "people_exited", "planned_households", "planned_people",
         "poor_villages_total", "poor_villages_remaining", "allocated", "spent"]


def percents(frame, column) -> list:
    return [None if pd.isna(value) else round(value * 100, 2) for value in frame[column]]


def test_the_villages_of_the_township_at_the_end_of_2016(township):
    frame = township.query("township_progress", as_of="2016-12-31", level="村", region=TOWN)
    assert rows(frame, TABLE) == [
        ("东坡村", False, 5, 14, 4, 11, 210, 0, 0, None, None, 1, 1, 60000, 60000),
        ("西岭村", False, 2, 5, 1, 3, 150, 0, 0, None, None, 0, 0, 0, 0),
        ("南沟村", False, 3, 8, 3, 8, 250, 0, 0, None, None, 1, 1, 40000, 16000),
        ("试点乡", True, 10, 27, 8, 22, 610, 0, 0, 3, 8, 2, 2, 125000, 76000),
    ]
    assert percents(frame, "incidence") == [5.24, 2.00, 3.20, 3.61]
    assert percents(frame, "spending_rate") == [100.00, None, 40.00, 60.80]  # TX2016C only in the total
    assert percents(frame, "completion_rate") == [None, None, None, 0.00]
    assert percents(frame, "households_completion_rate") == [None, None, None, 0.00]
    assert list(frame.region_code) == ["629901101001", "629901101002", "629901101003", TOWN]


def test_the_townships_of_the_county_and_the_plan_of_the_level_below(township):
    frame = township.query("township_progress", as_of="2016-12-31", level="乡镇", region=COUNTY)
    # 试点县 has no plan row: its plan is the township's 3户8人 (nearest level below holding rows)
    assert rows(frame, TABLE) == [
        ("试点乡", False, 10, 27, 8, 22, 610, 0, 0, 3, 8, 2, 2, 125000, 76000),
        ("试点县", True, 10, 27, 8, 22, 610, 0, 0, 3, 8, 2, 2, 125000, 76000),
    ]
    assert percents(frame, "spending_rate") == [60.80, 60.80]


def test_the_villages_at_the_end_of_2015_with_the_year_exits(township):
    frame = township.query("township_progress", as_of="2015-12-31", level="村", region=TOWN)
    assert rows(frame, ["region_name", "households_registered", "people_registered", "households_poor", "people_poor",
                        "households_exited", "people_exited", "planned_people", "allocated", "spent"]) == [
        ("东坡村", 4, 12, 3, 9, 1, 3, None, 0, 0),  # T01 exited 2015-12-20
        ("西岭村", 2, 5, 1, 3, 1, 2, None, 30000, 30000),  # T05 on 2015-11-30; TX2015A
        ("南沟村", 2, 5, 2, 5, 0, 0, None, 0, 0),
        ("试点乡", 8, 22, 6, 17, 2, 5, None, 30000, 30000),
    ]
    assert percents(frame, "incidence") == [4.50, 2.00, 2.00, 2.83]
    assert percents(frame, "spending_rate") == [None, 100.00, None, 100.00]
    assert percents(frame, "completion_rate") == [None] * 4  # 2015 has no plan


def test_an_unknown_region_gives_no_rows_and_a_village_gives_itself(township):
    assert township.query("township_progress", as_of="2016-12-31", level="乡镇", region="629901999999").empty
    alone = township.query("township_progress", as_of="2016-12-31", level="村", region="629901101003")
    assert rows(alone, ["region_name", "is_total", "households_poor", "people_poor"]) == [
        ("南沟村", False, 3, 8), ("南沟村", True, 3, 8)]


COUNTY_FIGURES = {  # township_progress column → (query, its column) defining the county figure
    "households_registered": ("registry_summary", "households_registered"),
    "people_registered": ("registry_summary", "people_registered"),
    "households_poor": ("registry_summary", "households_poor"),
    "people_poor": ("registry_summary", "people_poor"),
    "rural_population": ("registry_summary", "rural_population"),
    "incidence": ("registry_summary", "incidence"),
    "poor_villages_total": ("registry_summary", "poor_villages_total"),
    "poor_villages_remaining": ("registry_summary", "poor_villages_remaining"),
    "households_exited": ("exits_by_period", "households_year_to_date"),
    "people_exited": ("exits_by_period", "people_year_to_date"),
    "planned_households": ("exits_by_period", "planned_households"),
    "planned_people": ("exits_by_period", "planned_people"),
    "completion_rate": ("exits_by_period", "completion_rate"),
    "households_completion_rate": ("exits_by_period", "households_completion_rate"),
    "allocated": ("funds_summary", "allocated"),
    "spent": ("funds_summary", "spent"),
    "spending_rate": ("funds_summary", "spending_rate"),
}
ADDITIVE = ["households_registered", "people_registered", "households_poor", "people_poor", "rural_population",
            "poor_villages_total", "poor_villages_remaining", "households_exited", "people_exited"]


def county_figures(db, as_of: str, region: str) -> dict:
    year = int(as_of[:4])
    results = {
        "registry_summary": db.query("registry_summary", as_of=as_of, region=region).iloc[0],
        "exits_by_period": db.query("exits_by_period", start=f"{year}-01-01", end=as_of, period="year",
                                    region=region).iloc[-1],
        "funds_summary": db.query("funds_summary", as_of=as_of, year=year, region=region).iloc[0],
    }
    return {column: results[query][source] for column, (query, source) in COUNTY_FIGURES.items()}


def same(a, b) -> bool:
    """Both missing (NULL: NaN or NA), or equal."""
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return float(a) == pytest.approx(float(b))


@pytest.mark.parametrize(("as_of", "level", "region"), [
    ("2015-12-31", "村", TOWN), ("2016-12-31", "村", TOWN), ("2016-12-31", "乡镇", COUNTY),
    ("2017-06-30", "乡镇", COUNTY)])
def test_the_total_row_is_the_figures_of_the_queries_that_define_them(township, as_of, level, region):
    frame = township.query("township_progress", as_of=as_of, level=level, region=region)
    total = frame[frame.is_total].iloc[0]
    expected = county_figures(township, as_of, region)
    assert {c: total[c] for c in COUNTY_FIGURES if not same(total[c], expected[c])} == {}
    parts = frame[~frame.is_total]
    assert {c: (int(parts[c].sum()), total[c]) for c in ADDITIVE if parts[c].sum() != total[c]} == {}


@pytest.mark.parametrize("as_of", ["2016-06-30", "2018-12-31", "2020-09-30"])
def test_the_demo_county_totals_are_the_county_figures(demo_db_path, as_of):
    with Database(demo_db_path) as db:
        frame = db.query("township_progress", as_of=as_of, level="乡镇", region=DEMO_COUNTY)
        expected = county_figures(db, as_of, DEMO_COUNTY)
        by_township = db.query("funds_by", as_of=as_of, year=int(as_of[:4]), region=DEMO_COUNTY,
                               dimension="township").set_index("group_code")
        incidence = db.query("poverty_incidence", as_of=as_of, level="乡镇", region=DEMO_COUNTY).set_index(
            "region_code")
    assert len(frame) == 13 and frame.is_total.tolist() == [False] * 12 + [True]  # 12 townships, the county
    total = frame[frame.is_total].iloc[0]
    assert {c: (total[c], expected[c]) for c in COUNTY_FIGURES if not same(total[c], expected[c])} == {}
    parts = frame[~frame.is_total].set_index("region_code")
    assert {c: (int(parts[c].sum()), total[c]) for c in ADDITIVE if parts[c].sum() != total[c]} == {}
    # each township's spending is funds_by's by township, its incidence the map's
    assert parts.spending_rate.round(12).to_dict() == by_township.spending_rate.reindex(parts.index).round(12).to_dict()
    assert parts.people_poor.to_dict() == incidence.people_poor.to_dict()


def test_same_date_last_year_side_by_side(township):
    frame = township.query("township_progress_change", as_of="2016-12-31", previous="2015-12-31", level="村",
                           region=TOWN)
    assert rows(frame, ["region_name", "households_poor", "households_poor_previous", "households_poor_change",
                        "people_poor", "people_poor_previous", "people_poor_change"]) == [
        ("东坡村", 4, 3, 1, 11, 9, 2), ("西岭村", 1, 1, 0, 3, 3, 0), ("南沟村", 3, 2, 1, 8, 5, 3),
        ("试点乡", 8, 6, 2, 22, 17, 5)]
    total = frame[frame.is_total].iloc[0]
    assert (total.households_registered_change, total.people_registered_change) == (2, 5)  # T09, T10
    assert (total.households_exited_change, total.people_exited_change) == (-2, -5)
    assert round(total.incidence_change * 100, 2) == 0.77  # 22/610 − 17/600
    assert total.incidence_change == pytest.approx(22 / 610 - 17 / 600)
    assert round(total.spending_rate_change * 100, 2) == -39.20  # 60.80% − 100.00%
    assert round(total.spending_rate_previous * 100, 2) == 100.00
    assert frame.completion_rate_change.isna().all()  # 2015 had no plan


def test_the_command_line_prints_the_table(township_db_path, capsys):
    assert cli_main(["township_progress", "--db", str(township_db_path), "--as_of", "2016-12-31", "--level", "村",
                     "--region", TOWN, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["region_name"], r["households_poor"], r["people_poor"]) for r in records] == [
        ("东坡村", 4, 11), ("西岭村", 1, 3), ("南沟村", 3, 8), ("试点乡", 8, 22)]


@pytest.mark.parametrize("name", ["township_progress", "township_progress_change"])
def test_column_types(name, township_db_path):
    query = catalog()[name]
    con = duckdb.connect(str(township_db_path), read_only=True)
    try:
        params = {"as_of": "2016-12-31", "level": "村", "region": TOWN}
        if name.endswith("_change"):
            params["previous"] = "2015-12-31"
        types = {column: str(kind) for column, kind, *_ in execute(con, query, bind(query, params)).description}
    finally:
        con.close()
    assert not [c for c, t in types.items() if t in ("HUGEINT", "FLOAT") or t.startswith("DECIMAL(38")], types
    for column, kind in types.items():
        if column.split("_previous")[0].split("_change")[0].endswith(("_rate", "incidence")):
            assert kind == "DOUBLE", (column, kind)
        elif column.startswith(("households", "people", "poor_villages", "planned")) or column == "rural_population":
            assert kind == "BIGINT", (column, kind)
        elif column in ("allocated", "spent"):
            assert kind == "DECIMAL(18,2)", (column, kind)
