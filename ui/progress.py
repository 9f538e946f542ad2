"""The township progress table (query township_progress, and township_progress_change for two dates) worded
as a `ui.exports.Table`: the overview draws it (sortable grid), the report-back puts it in its text, Word
and Excel files. This module picks columns and names them; every figure and difference comes from the
queries. No Streamlit import.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ui.exports import Table
from ui.formatting import signed_points
from ui.i18n import translate

# (query column, header key, kind) of the table at one date, in reading order
COLUMNS = (
    ("households_registered", "tp_c_registered_households", "households"),
    ("people_registered", "tp_c_registered_people", "people"),
    ("households_poor", "tp_c_poor_households", "households"),
    ("people_poor", "tp_c_poor_people", "people"),
    ("incidence", "tp_c_incidence", "percent"),
    ("households_exited", "tp_c_exited_households", "households"),
    ("people_exited", "tp_c_exited_people", "people"),
    ("planned_people", "tp_c_planned_people", "people"),
    ("completion_rate", "tp_c_completion", "percent"),
    ("poor_villages_remaining", "tp_c_villages_remaining", "count"),
    ("spending_rate", "tp_c_spending_rate", "percent"),
)
# the figures shown at both dates with their difference (township_progress_change)
COMPARED = (
    ("households_poor", "tp_c_poor_households", "households"),
    ("people_poor", "tp_c_poor_people", "people"),
    ("incidence", "tp_c_incidence", "percent"),
    ("people_exited", "tp_c_exited_people", "people"),
    ("completion_rate", "tp_c_completion", "percent"),
    ("spending_rate", "tp_c_spending_rate", "percent"),
)


def _names(language: str, frame: pd.DataFrame) -> list[str]:
    return [translate(language, "tp_total_row", name=name) if total else name
            for name, total in zip(frame.region_name, frame.is_total, strict=True)]


def progress_table(language: str, frame: pd.DataFrame, level: str, *, total: bool = True) -> Table:
    """township_progress's rows (the total row last unless `total` is False) as a table."""
    rows = frame if total else frame[~frame.is_total]
    columns = {translate(language, "tp_c_name_" + level): _names(language, rows)}
    for column, key, _kind in COLUMNS:
        columns[translate(language, key)] = rows[column].to_numpy()
    return Table(translate(language, "tp_title_" + level), pd.DataFrame(columns),
                 ("text", *(kind for _, _, kind in COLUMNS)))


def compare_table(language: str, frame: pd.DataFrame, level: str, as_of: dt.date, previous: dt.date, *,
                  total: bool = True) -> Table:
    """township_progress_change's rows: each compared figure at both dates and the difference (a ratio's
    difference in percentage points, as text)."""
    rows = frame if total else frame[~frame.is_total]
    columns = {translate(language, "tp_c_name_" + level): _names(language, rows)}
    kinds = ["text"]
    for column, key, kind in COMPARED:
        name = translate(language, key)
        columns[translate(language, "tp_c_at", name=name, date=f"{as_of:%Y-%m-%d}")] = rows[column].to_numpy()
        columns[translate(language, "tp_c_at_previous", name=name, date=f"{previous:%Y-%m-%d}")] = \
            rows[column + "_previous"].to_numpy()
        change = translate(language, "tp_c_change", name=name)
        if kind == "percent":
            columns[change] = [signed_points(v) for v in rows[column + "_change"]]
            kinds += [kind, kind, "text"]
        else:
            columns[change] = rows[column + "_change"].to_numpy()
            kinds += [kind, kind, kind]
    return Table(translate(language, "tp_title_" + level), pd.DataFrame(columns), tuple(kinds))
