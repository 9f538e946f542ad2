"""数据质量 Data quality: what the database in use lets through — the load's warnings, villages without
a boundary or without the year's village data, implausible incomes, households without members,
people in several households — and the yearly reconciliation of the flows. Each check is a catalog
query (queries/quality_*.sql) returning the bad rows: none = pass."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui import charts, plain, scoped, state, tables
from ui.formatting import count, listed, pair
from ui.i18n import t

view = state.page_header("page_data_quality")
region_name = state.region_row(view.region)["name"]

span = scoped.query("data_span").iloc[0]
# the village data of the as-of year, or of the last year the data has when the as-of date is later
checked_year = min(view.year, int(span.last_year)) if pd.notna(span.last_year) else view.year

problems = scoped.query("quality_load_problems")
problem_counts = scoped.query("quality_load_problem_counts")
no_boundary = scoped.query("quality_villages_without_boundary", region=view.region)
no_year = scoped.query("quality_villages_without_year", year=checked_year, region=view.region)
incomes = scoped.query("quality_implausible_incomes", region=view.region)
empty_households = scoped.query("quality_households_without_members", as_of=view.as_of, region=view.region)
shared_people = scoped.query("quality_members_in_several_households", as_of=view.as_of, region=view.region)
unmatched = scoped.query("quality_department_records_unmatched", as_of=view.as_of, region=view.region)
warning_rules = scoped.query("warning_rules")  # its records: how many department records the package holds
has_department_records = len(warning_rules) > 0 and int(warning_rules.records.iloc[0]) > 0
regions = state.regions()
package_has_boundaries = len(regions[regions.has_boundary]) > 0

# the reconciliation of every calendar year the data covers (flows_reconciliation: opening + in − out = closing),
# every year's window in one statement
every_year = (scoped.query("flows_reconciliation", start=dt.date(span.first_date.year, 1, 1),
                           end=dt.date(span.last_date.year, 12, 31), period="year", region=view.region)
              if pd.notna(span.first_date) else pd.DataFrame(columns=["period_start"]))
reconciliation_by_year = {stamp.year: every_year[every_year.period_start == stamp].reset_index(drop=True)
                          for stamp in sorted(set(every_year.period_start))}
unbalanced = {year: [f"{row.stock}_{row.unit}" for row in rows.itertuples() if not row.is_reconciled]
              for year, rows in reconciliation_by_year.items()}
unbalanced_years = [year for year, wrong in unbalanced.items() if wrong]


def n_or_none(n: int, key: str) -> str:
    return t(key, n=count(n)) if n else t("dq_none")


def table(frame: pd.DataFrame, columns: dict, name: str, *, key: str) -> None:
    """A check's bad rows with translated headers and a download, or ✓ when there are none."""
    if frame.empty:
        st.caption(t("dq_nothing_found"))
        return
    tables.grid(frame[list(columns)], hide_index=True, column_config=columns, key=key)
    charts.download(frame, name, key=f"download_{key}")


def yuan(v) -> str:
    return "—" if pd.isna(v) else t("imp_yuan", v=f"{float(v):,.0f}")


st.caption(t("dq_scope", region=plain.md(region_name), as_of=f"{view.as_of:%Y-%m-%d}"))

# ---- the scorecard ------------------------------------------------------------------------------
tiles = st.columns(4) + st.columns(4)
with tiles[0].container(border=True):
    st.metric(t("dq_tile_warnings"), n_or_none(len(problems), "dq_n_items"))
with tiles[1].container(border=True):
    st.metric(t("dq_tile_reconcile"), t("dq_all_balanced") if not unbalanced_years
              else t("dq_unbalanced", years=listed(map(str, unbalanced_years))))
with tiles[2].container(border=True):
    st.metric(t("dq_tile_village_year", year=checked_year), n_or_none(len(no_year), "villages_n"),
              delta=t("dq_poor_among", n=count(len(no_year[no_year.is_poor_village]))) if len(no_year) else None,
              delta_color="off", delta_arrow="off")
with tiles[3].container(border=True):
    st.metric(t("dq_tile_boundaries"), n_or_none(len(no_boundary), "villages_n") if package_has_boundaries
              else t("dq_no_boundary_file"))
with tiles[4].container(border=True):
    st.metric(t("dq_tile_incomes"), n_or_none(len(incomes), "dq_n_items"))
with tiles[5].container(border=True):
    st.metric(t("dq_tile_empty"), n_or_none(len(empty_households), "dq_n_households"))
with tiles[6].container(border=True):
    st.metric(t("dq_tile_shared"), n_or_none(shared_people.people.iloc[0] if len(shared_people) else 0, "dq_n_people"))
if has_department_records:  # 部门比对数据: records whose ID number matches no member
    with tiles[7].container(border=True):
        st.metric(t("dq_tile_unmatched"),
                  n_or_none(unmatched.records.iloc[0] if len(unmatched) else 0, "dq_n_items"))

# ---- the load's warnings ------------------------------------------------------------------------
st.subheader(t("dq_warnings_title"))
st.caption(t("dq_warnings_rule"))
reason = "message_en" if view.language == "en" else "message_zh"
if problems.empty:
    st.caption(t("dq_nothing_found"))
else:
    examples = problems.drop_duplicates("check_name")[["check_name", reason]]
    grouped = problem_counts.merge(examples, on="check_name", how="left")
    table(grouped, {"check_name": t("qc_check"), "n_problems": t("qc_count"), "n_files": t("qc_n_files"),
                    "files": t("qc_files"), reason: st.column_config.TextColumn(t("qc_example"), width="large")},
          t("dq_warnings_title"), key="quality_warning_counts")
    left, right = st.columns(2)
    checks = left.multiselect(t("dq_filter_checks"), sorted(problems.check_name.unique()), key="quality_checks",
                              placeholder=t("dq_filter_all"))
    files = right.multiselect(t("dq_filter_files"), sorted(problems.file.unique()), key="quality_files",
                              placeholder=t("dq_filter_all"))
    chosen = problems[problems.check_name.isin(checks or problems.check_name)
                      & problems.file.isin(files or problems.file)]
    table(chosen, {"check_name": t("qc_check"), "file": t("qc_file"), "row_number": t("qc_row"),
                   "column_name": t("qc_column"), "value": t("qc_value"),
                   reason: st.column_config.TextColumn(t("qc_reason"), width="large")},
          t("dq_warnings_title"), key="quality_warnings")

# ---- reconciliation -----------------------------------------------------------------------------
st.subheader(t("dq_reconcile_title"))
st.caption(t("dq_reconcile_rule"))
# column → (stock, opening or closing) of flows_reconciliation
STOCKS = {"期初在册": ("registry", "opening"), "期末在册": ("registry", "closing"),
          "期初未脱贫": ("poor", "opening"), "期末未脱贫": ("poor", "closing")}
STOCK_LABELS = {"期初在册": "qc_opening_registry", "期末在册": "qc_closing_registry",
                "期初未脱贫": "qc_opening_poor", "期末未脱贫": "qc_closing_poor"}


# each year's figures by (stock, unit): one pass over the rows (filtering a frame per cell cost 40% of a
# run whose results were all shared)
figures = {year: {(row.stock, row.unit): row for row in rows.itertuples()}
           for year, rows in reconciliation_by_year.items()}


def stock_pair(year: int, stock: str, side: str) -> str:
    return pair(getattr(figures[year][(stock, "households")], side), getattr(figures[year][(stock, "people")], side))


yearly = pd.DataFrame([
    {"year": str(year),
     **{column: stock_pair(year, *STOCKS[column]) for column in STOCKS},
     "balanced": t("dq_balanced") if not unbalanced[year]
     else t("dq_not_balanced", what=listed(t("dq_stock_" + column) for column in unbalanced[year]))}
    for year, rows in reconciliation_by_year.items()
], columns=["year", *STOCKS, "balanced"])
tables.grid(yearly, hide_index=True, key="quality_reconcile",
             column_config={"year": t("qc_year"), **{m: t(key) for m, key in STOCK_LABELS.items()},
                            "balanced": t("qc_balanced")})
charts.download(every_year.assign(year=every_year.period_start.dt.year) if len(every_year) else yearly,
                t("dq_reconcile_title"), key="download_quality_reconcile")

# ---- villages -----------------------------------------------------------------------------------
VILLAGE_COLUMNS = {"village_code": t("qc_code"), "village_name": t("qc_village"),
                   "township_name": t("qc_township"), "is_poor_village": t("qc_poor_village")}
left, right = st.columns(2)
with left:
    st.subheader(t("dq_village_year_title", year=checked_year))
    st.caption(t("dq_village_year_rule"))
    poor_only = st.toggle(t("dq_poor_only"), key="quality_poor_only")
    shown = no_year[no_year.is_poor_village] if poor_only else no_year
    table(shown, {**VILLAGE_COLUMNS, "latest_year": st.column_config.NumberColumn(t("qc_latest_year"), format="%d")},
          t("dq_village_year_title", year=checked_year), key="quality_village_year")
with right:
    st.subheader(t("dq_boundary_title"))
    if package_has_boundaries:
        st.caption(t("dq_boundary_rule"))
        table(no_boundary, VILLAGE_COLUMNS, t("dq_boundary_title"), key="quality_boundaries")
    else:
        st.info(t("dq_boundary_no_file"))

# ---- households and people ----------------------------------------------------------------------
st.subheader(t("dq_income_title"))
st.caption(t("dq_income_rule"))
table(incomes.assign(reason_text=incomes.reason.map(lambda r: t("dq_reason_" + r)),
                     net_income_text=incomes.net_income.map(yuan),
                     per_capita_text=incomes.per_capita_income.map(yuan),
                     line_text=incomes.poverty_line.map(yuan),
                     times_text=incomes.times_line.map(lambda v: "—" if pd.isna(v) else t("imp_times", v=f"{v:.1f}"))),
      {"year": st.column_config.NumberColumn(t("qc_year"), format="%d"), "household_id": t("qc_household"),
       "head_name_masked": t("qc_head"), "village_name": t("qc_village"), "township_name": t("qc_township"),
       "size": t("qc_size"), "net_income_text": t("qc_net_income"), "per_capita_text": t("qc_per_capita"),
       "line_text": t("qc_line"), "times_text": t("qc_times_line"), "reason_text": t("qc_reason")},
      t("dq_income_title"), key="quality_incomes")

left, right = st.columns(2)
with left:
    st.subheader(t("dq_empty_title"))
    st.caption(t("dq_empty_rule"))
    status = {"未脱贫": t("still_poor"), "已脱贫": t("exited")}
    table(empty_households.assign(status_text=empty_households.status.map(status)),
          {"household_id": t("qc_household"), "head_name_masked": t("qc_head"), "village_name": t("qc_village"),
           "township_name": t("qc_township"), "status_text": t("qc_status"), "n_members": t("qc_n_members"),
           "last_left_on": st.column_config.DateColumn(t("qc_last_left"), format="YYYY-MM-DD")},
          t("dq_empty_title"), key="quality_empty_households")
with right:
    st.subheader(t("dq_shared_title"))
    st.caption(t("dq_shared_rule"))
    table(shared_people,
          {"id_number_masked": t("qc_id_number"), "person_id": t("qc_person"), "name_masked": t("qc_name"),
           "household_id": t("qc_household"), "village_name": t("qc_village"), "households": t("qc_households")},
          t("dq_shared_title"), key="quality_shared_people")

if has_department_records:
    st.subheader(t("dq_unmatched_title"))
    st.caption(t("dq_unmatched_rule"))
    table(unmatched, {"record_id": t("qc_record"), "department": t("dw_col_department"), "item": t("dw_col_item"),
                      "record_date": st.column_config.DateColumn(t("dw_col_record_date"), format="YYYY-MM-DD"),
                      "id_number_masked": t("qc_id_number"),
                      "amount": st.column_config.NumberColumn(t("dw_col_amount"), format="%,.2f")},
          t("dq_unmatched_title"), key="quality_department_unmatched")

st.subheader(t("dq_refused_title"))
st.caption(t("dq_refused_text"))
