"""部门预警 Department warnings (部门数据比对, docs/domain.md, 部门数据比对): the warnings other departments'
records raise under a set of warning rules — the open ones first, with filters by department, rule,
level, township and status — the verification summary by department and rule, the audited export of the
open warnings as an .xlsx worksheet the township fills in (its 预警编号 / 核实结论 / 核实日期 / 说明 columns
load back as the package's 核实结果 file), and a village → household drill-down.

Every figure comes from a catalog query (warning_rules, department_warnings, department_warning_summary,
department_warnings_overdue); the page picks, filters rows and draws.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from ui import charts, exports, plain, scoped, state, tables
from ui.formatting import count
from ui.i18n import t

WINDOWS = ("12_months", "year", "all")
STATUSES = ("待核实", "已纳入监测", "已在监测", "排除")

view = state.page_header("page_department_warnings")
rules = scoped.query("warning_rules")
if rules.empty or int(rules.records.iloc[0]) == 0:
    st.info(t("dw_no_data"))
    state.stop_page()

# ---- the rule set and the window ----------------------------------------------------------------
rule_sets = list(dict.fromkeys(rules.rule_set))
left, right = st.columns(2)
rule_set = left.selectbox(t("dw_rule_set"), rule_sets, key="dw_rule_set",
                          format_func=lambda s: t("dw_rule_set_default") if s == "default" else s)
window = right.segmented_control(t("dw_window"), WINDOWS, default="12_months", required=True, key="dw_window",
                                 format_func=lambda w: t(f"dw_window_{w}"))
start = {"12_months": view.as_of - dt.timedelta(days=365), "year": dt.date(view.year, 1, 1), "all": None}[window]
params = {"start": start, "end": view.as_of, "region": view.region, "rules": rule_set}
warnings = scoped.query("department_warnings", **params)
summary = scoped.query("department_warning_summary", **params)
flag = scoped.query("department_warnings_overdue", as_of=view.as_of, region=view.region, rules=rule_set).iloc[0]

in_use = rules[(rules.rule_set == rule_set) | (rules.rule_set == "default")]
with st.expander(t("dw_rules_in_use")):
    tables.grid(in_use[["rule_set", "rule_id", "department", "item", "level", "basis", "amount", "amount_others",
                        "note"]], hide_index=True, key="dw_rules_grid",
                column_config={"rule_set": t("dw_col_rule_set"), "rule_id": t("dw_col_rule"),
                               "department": t("dw_col_department"), "item": t("dw_col_item"),
                               "level": t("dw_col_level"), "basis": t("dw_col_basis"), "amount": t("dw_col_bar"),
                               "amount_others": t("dw_col_bar_others"), "note": t("dw_col_note")})

# ---- tiles --------------------------------------------------------------------------------------
tiles = st.columns(3)
with tiles[0].container(border=True):
    st.metric(t("dw_open"), t("dw_n_warnings", n=count(flag.open_warnings)))
with tiles[1].container(border=True):
    st.metric(t("dw_overdue"), t("dw_n_warnings", n=count(flag.overdue_warnings)))
with tiles[2].container(border=True):
    st.metric(t("dw_oldest"), "—" if pd.isna(flag.oldest_days_open)
              else t("dw_n_days", n=count(flag.oldest_days_open)))

# ---- the warnings, open first -------------------------------------------------------------------
COLUMNS = {
    "warning_id": t("dw_col_warning_id"), "status": t("dw_col_status"), "days_open": t("dw_col_days_open"),
    "level": t("dw_col_level"), "department": t("dw_col_department"), "item": t("dw_col_item"),
    "record_date": st.column_config.DateColumn(t("dw_col_record_date"), format="YYYY-MM-DD"),
    "amount": st.column_config.NumberColumn(t("dw_col_amount"), format="%,.2f"),
    "person_name_masked": t("dw_col_person"), "id_number_masked": t("dw_col_id_number"),
    "household_id": t("dw_col_household"), "head_name_masked": t("dw_col_head"),
    "village_name": t("dw_col_village"), "township_name": t("dw_col_township"),
    "is_registered": st.column_config.CheckboxColumn(t("dw_col_registered")),
    "was_monitored_on_record_date": st.column_config.CheckboxColumn(t("dw_col_monitored")),
    "rule_id": t("dw_col_rule"),
    "verified_on": st.column_config.DateColumn(t("dw_col_verified_on"), format="YYYY-MM-DD"),
}

st.subheader(t("dw_list_title"))
st.caption(t("dw_list_rule", start="…" if start is None else f"{start:%Y-%m-%d}", end=f"{view.as_of:%Y-%m-%d}"))
filters = st.columns(5)
every = t("dq_filter_all")  # an empty choice means every value
chosen = {
    "department": filters[0].multiselect(t("dw_col_department"), list(dict.fromkeys(warnings.department)),
                                         key="dw_f_department", placeholder=every),
    "rule_id": filters[1].multiselect(t("dw_col_rule"), list(dict.fromkeys(warnings.rule_id)), key="dw_f_rule", placeholder=every),
    "level": filters[2].multiselect(t("dw_col_level"), ["高", "中", "低"], key="dw_f_level", placeholder=every),
    "township_name": filters[3].multiselect(t("dw_col_township"),
                                            sorted(set(warnings.township_name.dropna())), key="dw_f_township", placeholder=every),
    "status": filters[4].multiselect(t("dw_col_status"), list(STATUSES), key="dw_f_status", placeholder=every),
}
shown = warnings
for column, values in chosen.items():
    if values:
        shown = shown[shown[column].isin(values)]
if shown.empty:
    st.caption(t("dw_none"))
else:
    tables.grid(shown[list(COLUMNS)], hide_index=True, column_config=COLUMNS, key="dw_list")
    st.caption(t("dw_shown", n=count(len(shown)), total=count(len(warnings))))

# ---- the export for the township: the open warnings with empty outcome columns ---------------------
open_warnings = warnings[warnings.is_open]
st.markdown(f"**{t('dw_export_title')}**")
st.caption(t("dw_export_rule"))
if open_warnings.empty:
    st.caption(t("dw_no_open"))
else:
    sheet = pd.DataFrame({
        t("dw_x_warning_id"): open_warnings.warning_id,
        t("dw_col_township"): open_warnings.township_name,
        t("dw_col_village"): open_warnings.village_name,
        t("dw_col_household"): open_warnings.household_id,
        t("dw_col_head"): open_warnings.head_name_masked,
        t("dw_col_person"): open_warnings.person_name_masked,
        t("dw_x_id_number"): open_warnings.id_number_masked,
        t("dw_col_department"): open_warnings.department,
        t("dw_col_item"): open_warnings.item,
        t("dw_col_record_date"): open_warnings.record_date,
        t("dw_col_amount"): open_warnings.amount,
        t("dw_col_level"): open_warnings.level,
        t("dw_col_rule"): open_warnings.rule_id,
        t("dw_col_days_open"): open_warnings.days_open,
        t("dw_x_outcome"): None,
        t("dw_x_verified_on"): None,
        t("dw_x_note"): None,
    })
    table = exports.Table(t("dw_export_sheet"), sheet,
                          ("text",) * 9 + ("date", "yuan", "text", "text", "count", "text", "text", "text"))
    first_line = t("dw_export_first_line", region=state.region_row(view.region)["name"], rules=rule_set,
                   as_of=f"{view.as_of:%Y-%m-%d}")
    charts.export_button(t("dw_export_button", n=count(len(open_warnings))),
                         partial(exports.xlsx_bytes, first_line, [table]), t("dw_export_file"),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dw_export")

# ---- the summary by department and rule ---------------------------------------------------------
st.subheader(t("dw_summary_title"))
st.caption(t("dw_summary_rule"))
if summary.empty:
    st.caption(t("dw_none"))
else:
    summary_columns = {
        "department": t("dw_col_department"), "rule_id": t("dw_col_rule"), "item": t("dw_col_item"),
        "level": t("dw_col_level"), "warnings": t("dw_col_warnings"), "verified": t("dw_col_verified"),
        "identified": t("dw_col_identified"), "already_monitored": t("dw_col_already"),
        "ruled_out": t("dw_col_ruled_out"), "still_open": t("dw_col_still_open"),
        "median_days_to_verify": st.column_config.NumberColumn(t("dw_col_median_days"), format="%.1f"),
        "households_monitored_within_30_days": t("dw_col_became"),
    }
    tables.grid(summary[list(summary_columns)], hide_index=True, column_config=summary_columns, key="dw_summary")
    charts.download(summary, f"{t('dw_summary_title')} {view.as_of}", key="dw_download_summary")

# ---- drill: village → household -----------------------------------------------------------------
st.subheader(t("dw_drill_title"))
villages = warnings.drop_duplicates("village_code")[["village_code", "village_name", "township_name"]]
if villages.empty:
    st.caption(t("dw_none"))
else:
    names = dict(zip(villages.village_code, villages.township_name.fillna("") + " " + villages.village_name,
                     strict=True))
    village = st.selectbox(t("dw_col_village"), list(names), format_func=lambda c: names[c], key="dw_village")
    in_village = warnings[warnings.village_code == village]
    st.markdown(f"**{t('dw_village_of', village=plain.md(names[village]), n=count(len(in_village)))}**")
    tables.grid(in_village[list(COLUMNS)], hide_index=True, column_config=COLUMNS, key="dw_village_grid")
    heads = dict(zip(in_village.household_id, in_village.head_name_masked.fillna(""), strict=False))
    household = st.selectbox(t("dw_col_household"), list(heads), key="dw_household",
                             format_func=lambda h: f"{h} {heads[h]}")
    mine = in_village[in_village.household_id == household]
    st.markdown(f"**{t('dw_household_of', household=plain.md(f'{household} {heads[household]}'), n=count(len(mine)))}**")
    tables.grid(mine[list(COLUMNS)], hide_index=True, column_config=COLUMNS, key="dw_household_grid")
