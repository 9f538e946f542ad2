"""The views people land on, and the queries the overview asks for a view: one declaration, read by the
overview page (pages/overview.py) to ask them and by an import (queries/ready.py) to compute them ahead.

Everyone who signs in lands on the overview at the default view: the account's region (the county for
a leader, the township for its staff), the last quarter end the data covers, compared with the quarter
end before it (环比), under the exit rule preset the province most likely uses. `landing_keys` lists
the catalog queries such a first run asks, for the top of the package and each region one level
below it, as ui/data.py keys them; the import computes them ahead, so a morning's sign-ins read their
first page instead of each township's first sign-in computing it (tests/test_ready_results.py runs the
overview signed in and checks that every query it asked is among them).

The pure date and preset rules the sidebar uses (ui/state.py) live here too, so that the page and the
import work out the same default view. No Streamlit import.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from queries import Database, Scope

# The province part of the region code (GB/T 2260) chooses the preset a county most likely uses.
PROVINCE_PRESETS = {"43": "hunan", "61": "shaanxi", "41": "henan"}


def default_preset(top_region: str, presets: list[str]) -> str:
    """The exit rule preset a view opens with: the province's when the package has it, else national."""
    preferred = PROVINCE_PRESETS.get(top_region[:2], "national")
    return preferred if preferred in presets else "national"


@functools.lru_cache(maxsize=16)
def quarter_ends_between(first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """The quarter ends from `first`'s to the one at or after `last`, latest first (the as-of picker)."""
    ends = [d.date() for d in pd.date_range(first, last + pd.offsets.QuarterEnd(0), freq="QE")]
    return tuple(sorted(ends, reverse=True))


def quarter_ends(span: pd.Series) -> list[dt.date]:
    """The quarter ends a data_span row covers, latest first; today alone for a package without dates."""
    if pd.isna(span.first_date):
        return [dt.date.today()]
    return list(quarter_ends_between(span.first_date.date(), span.last_date.date()))


def previous_quarter_end(day: dt.date) -> dt.date:
    """The quarter end before `day` (环比: 'change since the previous quarter')."""
    return (pd.Timestamp(day) - pd.offsets.QuarterEnd(1)).date()


QUARTER_END_DAYS = ((3, 31), (6, 30), (9, 30), (12, 31))  # (month, day)


def is_quarter_end(day: dt.date) -> bool:
    return (day.month, day.day) in QUARTER_END_DAYS


def quarter_ends_of_year(year: int) -> tuple[dt.date, ...]:
    return tuple(dt.date(year, month, day) for month, day in QUARTER_END_DAYS)


def part_level(region_level: str) -> str:
    """The level of a region's rows in the township table: a 乡镇's villages, else (a county or above)
    its townships; a village is its own only row."""
    return "村" if region_level in ("乡镇", "村") else "乡镇"


@dataclass(frozen=True)
class OverviewView:
    """What decides the overview's queries: the view (date, comparison date, region and its level, exit
    rules), what the package holds (its first day, the last quarter end the picker offers, monitoring,
    department warning rules) and the page's two switches."""

    as_of: dt.date
    previous: dt.date
    region: str
    region_level: str
    rules: str
    first_day: dt.date
    last_quarter_end: dt.date
    has_monitoring: bool
    warning_rule_set: str | None  # the rule set of the 部门预警 flag; None: the package has no department records
    compare_table: bool = False  # the township table at both dates (township_progress_change)
    exits_by_quarter: bool = False  # this year's exits by quarter instead of every year's

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.as_of.year, 1, 1)

    @property
    def trend_is_cut(self) -> bool:
        """The incidence trend is read to the last quarter end and cut at the date (one trend serves every
        quarter end the picker offers) when the date is such a quarter end; else read to the date."""
        return offered(self.as_of, self.last_quarter_end)

    def exits_are_cut(self, day: dt.date) -> bool:
        return exits_are_cut(day, self.first_day, self.last_quarter_end)


def offered(day: dt.date, last_quarter_end: dt.date) -> bool:
    """Whether `day` is a quarter end the as-of picker offers (at or before the last one)."""
    return day <= last_quarter_end and is_quarter_end(day)


def exits_are_cut(day: dt.date, first_day: dt.date, last_quarter_end: dt.date) -> bool:
    """The exits to `day` are read from every quarter's exits to the last quarter end (exits_to: one query
    serves every quarter end the picker offers) when `day` is such a quarter end on or after the data's
    first day; else asked to the day."""
    return offered(day, last_quarter_end) and first_day <= day


def _exit_quarters(first_day: dt.date, last_quarter_end: dt.date, region: str | None) -> tuple[str, dict]:
    return "exits_by_period", dict(start=first_day, end=last_quarter_end, period="quarter", region=region)


def _exit_years(start: dt.date, day: dt.date, region: str | None) -> tuple[str, dict]:
    return "exits_by_period", dict(start=start, end=day, period="year", region=region)


def overview_queries(view: OverviewView) -> dict[str, tuple[str, dict]]:
    """The overview's catalog queries for `view`, by the part of the page each feeds: (query, parameters)."""
    v, region = view, view.region
    asks = {
        # the registry at both dates and the change (the tiles)
        "registry_change": ("registry_change", dict(as_of=v.as_of, previous=v.previous, region=region)),
        # every year's exits to the date (the chart, and this year's tile: its last row, when the data begins
        # before the date) and the comparison date's year's, read from every quarter's at the quarter ends the
        # picker offers (exits_to), else asked to the date ("exits", "that_year" below)
        "exit_quarters": _exit_quarters(v.first_day, v.last_quarter_end, region),
        "villages": ("village_exit_check", dict(as_of=v.as_of, rules=v.rules, region=region)),
        "schedule": ("funds_schedule", dict(year=v.as_of.year, as_of=v.as_of, region=region)),
        "risks": ("household_exit_risks_by", dict(year=v.as_of.year, as_of=v.as_of, region=region)),
        "reconciliation": ("flows_reconciliation", dict(start=v.year_start, end=v.as_of, region=region)),
        "warning_rules": ("warning_rules", {}),
        "trend": ("incidence_trend", dict(start=v.first_day, end=v.last_quarter_end if v.trend_is_cut else v.as_of,
                                          period="quarter", region=region)),
        "exit_line": ("incidence_exit_line", dict(region=region)),
    }
    if not v.exits_are_cut(v.as_of):
        asks["exits"] = _exit_years(v.first_day, v.as_of, region)
    if not v.exits_are_cut(v.previous):
        asks["that_year"] = _exit_years(dt.date(v.previous.year, 1, 1), v.previous, region)
    if not v.exits_are_cut(v.as_of) and not v.exits_are_cut(v.previous):
        del asks["exit_quarters"]
    if v.first_day > v.as_of:
        asks["this_year"] = _exit_years(v.year_start, v.as_of, region)  # from 1 January: the data begins later
    if v.region_level != "村":
        level = part_level(v.region_level)
        asks["parts"] = (("township_progress_change", dict(as_of=v.as_of, previous=v.previous, level=level,
                                                           region=region))
                         if v.compare_table else
                         ("township_progress", dict(as_of=v.as_of, level=level, region=region)))
    if v.warning_rule_set is not None:
        asks["overdue"] = ("department_warnings_overdue", dict(as_of=v.as_of, region=region, rules=v.warning_rule_set))
    if v.has_monitoring:
        # the monitoring figures at the date and their change (monitoring_change carries both dates' figures)
        asks["monitored"] = ("monitoring_change", dict(as_of=v.as_of, previous=v.previous, region=region))
    if v.exits_by_quarter:
        asks["quarters"] = ("exits_by_period", dict(start=v.year_start, end=v.as_of, period="quarter", region=region))
    return asks


class OverviewAsk:
    """The overview's queries for a view, asked by the part of the page they feed (overview_queries):
    `ask("exits")` runs `query(name, **params)`, the page's through its account's scope, its PDF's through
    the run's (ui/paper.py); `"parts" in ask` tells whether the view has that part."""

    def __init__(self, view: OverviewView, query: Callable[..., pd.DataFrame]):
        self.view, self.asks, self.query = view, overview_queries(view), query

    def __call__(self, part: str) -> pd.DataFrame:
        name, params = self.asks[part]
        return self.query(name, **params)

    def __contains__(self, part: str) -> bool:
        return part in self.asks


def incidence_trend(ask: OverviewAsk) -> pd.DataFrame:
    """incidence_trend by quarter from the data's first day to the date. At a quarter end the picker
    offers, its rows are those of the trend to the last such quarter end, up to the date (each quarter
    measured at its end either way): that one trend serves every quarter end, instead of one query per
    date (tests/test_one_truth.py compares them)."""
    whole, view = ask("trend"), ask.view
    return whole[whole.as_of <= pd.Timestamp(view.as_of)].reset_index(drop=True) if view.trend_is_cut else whole


def every_years_exits(ask: OverviewAsk) -> pd.DataFrame:
    """exits_by_period by year from the data's first day to the view's date (exits_to)."""
    v = ask.view
    return exits_to(ask.query, v.first_day, v.last_quarter_end, v.as_of, v.region)


def that_years_exits(ask: OverviewAsk) -> pd.DataFrame:
    """exits_by_period by year from 1 January of the comparison date's year to that date (the exits tile's
    earlier figure; exits_to)."""
    v = ask.view
    return exits_to(ask.query, v.first_day, v.last_quarter_end, v.previous, v.region, that_year_only=True)


def exits_to(query: Callable[..., pd.DataFrame], first_day: dt.date, last_quarter_end: dt.date, day: dt.date,
             region: str | None, that_year_only: bool = False) -> pd.DataFrame:
    """exits_by_period by year from `first_day` (or, `that_year_only`, from 1 January of `day`'s year) to
    `day`. At a quarter end the picker offers (exits_are_cut), the rows are read from every quarter's exits
    to the last quarter end: each year's last quarter up to `day`, whose *_year_to_date are the year's
    exits from 1 January to that quarter's end — what the year's row counts, as no exit precedes the data's
    first day — dated by the year's first day. One query then serves every quarter end of every page that
    shows the years' exits (the overview, its paper, the report, the dynamics page) instead of one or two
    per date (tests/test_one_truth.py compares them at every quarter end). Else asked to `day`."""
    if not exits_are_cut(day, first_day, last_quarter_end):
        name, params = _exit_years(dt.date(day.year, 1, 1) if that_year_only else first_day, day, region)
        return query(name, **params)
    name, params = _exit_quarters(first_day, last_quarter_end, region)
    quarters = query(name, **params)
    # in numpy: the pandas way (a filter, groupby(year).tail(1), to_period) cost four times as much, and
    # the overview runs this twice on every run
    period = quarters["period"].to_numpy()
    year = period.astype("datetime64[Y]")
    keep = period <= np.datetime64(day)
    if that_year_only:
        keep &= year == np.datetime64(str(day.year), "Y")
    rows = np.flatnonzero(keep)
    # each year's last row up to `day` (the last in row order, as groupby(year).tail(1)), rows in their order
    _, from_end = np.unique(year[rows][::-1], return_index=True)
    rows = np.sort(rows[len(rows) - 1 - from_end])
    years = quarters.take(rows).reset_index(drop=True)
    years["period"] = year[rows].astype(period.dtype)  # dated by the year's first day
    years["households"] = years["households_year_to_date"]
    years["people"] = years["people_year_to_date"]
    # a plan missing only in another year made the quarterly column nullable: as the query to `day` gives it
    # (each column by itself: DataFrame.astype with a dict cost seven times as much)
    for column, kind in years.dtypes.items():
        if kind == "Int64" and not years[column].isna().any():
            years[column] = years[column].to_numpy("int64")
    return years


def this_years_exits(ask: OverviewAsk, exits: pd.DataFrame) -> pd.DataFrame:
    """This year's exits to the date: the last row of every year's (`exits`), as exits_by_period from 1
    January counts them, when the data begins before the date (nothing exits before it); else asked."""
    view = ask.view
    return exits[exits.period.dt.year == view.as_of.year] if view.first_day <= view.as_of else ask("this_year")


def warning_rule_set(rules: pd.DataFrame) -> str | None:
    """The rule set the 部门预警 flag counts under (the first of warning_rules), None when the package holds
    no department records."""
    return str(rules.rule_set.iloc[0]) if len(rules) and int(rules.records.iloc[0]) > 0 else None


# ---- the landing views, for the import ----------------------------------------------------------------

# queries every run asks before the page (the sidebar, the header and footer), the region ones under the
# account's scope; load_info is asked without a scope (ui/data.load_stamp)
_FRAME_QUERIES = ("regions", "default_region", "exit_rules", "data_span", "warning_rules")


def landing_asks(database: Database) -> Iterator[tuple[Scope | None, str, dict]]:
    """(scope, query, parameters) of every first run after signing in: the top region's account (and the
    demo without accounts, scope None) and an account of each region one level below it, each at the
    default view. Nothing when the package holds no region."""
    top_rows = database.query("default_region")
    if not len(top_rows):
        return
    top = str(top_rows.region_code.iloc[0])
    regions = database.query("regions", region=top)
    span = database.query("data_span").iloc[0]
    first_day = span.first_date.date() if pd.notna(span.first_date) else None
    ends = quarter_ends(span)
    rules = default_preset(top, sorted(database.query("exit_rules").preset.unique()))
    warnings = warning_rule_set(database.query("warning_rules"))
    yield None, "load_info", {}
    below = regions[regions.parent_code == top]  # the regions query lists the top first, then by depth
    as_of = ends[0]  # the last quarter end the data covers, compared with the one before (环比)
    for code, level in [(top, str(regions.level.iloc[0])),
                        *zip(below.code.astype(str), below.level.astype(str), strict=True)]:
        view = OverviewView(as_of=as_of, previous=previous_quarter_end(as_of), region=code, region_level=level,
                            rules=rules, first_day=first_day or dt.date(as_of.year, 1, 1), last_quarter_end=as_of,
                            has_monitoring=bool(span.has_monitoring), warning_rule_set=warnings)
        scopes = [Scope(code)] + ([None] if code == top else [])
        for scope in scopes:
            for name in _FRAME_QUERIES:
                yield scope, name, {}
            for name, params in overview_queries(view).values():
                yield scope, name, params
