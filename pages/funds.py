"""资金项目 Funds: the money of a year's projects through 下达 → 拨付 → 支出 → 报账 as of the sidebar date,
its breakdown by source, type, batch and area, spending against the schedule's deadlines, and the
project list with the overdue ones first.

Figures come from funds_summary, funds_by, funds_schedule and projects (queries/*.sql); the page picks
the year and the grouping, converts 元 to 万元 and rates to percentages for display, and draws.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import charts, scoped, state, tables
from ui.formatting import count, listed, percent, wan_yuan
from ui.i18n import has_string, t

STAGES = {"allocated": "下达", "disbursed": "拨付", "spent": "支出", "reimbursed": "报账"}
MONEY = list(STAGES)
RATES = ["disbursement_rate", "spending_rate", "reimbursement_rate", "reimbursement_of_spent", "start_rate",
         "completion_rate"]
STATUSES = ("未开工", "在建", "已完工")
AREA_BELOW = {"县": "township", "乡镇": "village"}  # the area breakdown offered under a region of this level


def wan(series: pd.Series) -> pd.Series:
    """元 → 万元 for tables (numbers, so they still sort)."""
    return series.astype("float64") / 10_000


def percent_points(series: pd.Series) -> pd.Series:
    return series.astype("float64") * 100


def value_label(value, dimension: str) -> str:
    """A group's name in the chosen language: enum values translated, names of places and batches as they are."""
    if value is None or pd.isna(value):
        return t("funds_none_" + dimension) if has_string("funds_none_" + dimension) else "—"
    prefix = {"category": "funds_cat_", "source": "funds_src_"}.get(dimension)
    return t(prefix + value) if prefix and has_string(prefix + value) else str(value)


def iso_dates(series: pd.Series) -> list[str]:
    """Dates as 2018-06-01 (they sort as text), empty where there is none."""
    return [f"{d:%Y-%m-%d}" if pd.notna(d) else "" for d in series]


def labelled(frame: pd.DataFrame, config: dict) -> pd.DataFrame:
    """A shown table with its column headers in the chosen language, for the data download."""
    return frame.rename(columns={c: (v if isinstance(v, str) else v["label"]) for c, v in config.items()})


def money_columns(labels: dict) -> dict:
    return {column: st.column_config.NumberColumn(label, format="%.2f") for column, label in labels.items()}


def percent_columns(labels: dict) -> dict:
    return {column: st.column_config.NumberColumn(label, format="%.2f%%") for column, label in labels.items()}


# ---- year ---------------------------------------------------------------------------------------

view = state.page_header("page_funds")
all_projects = scoped.query("projects", as_of=view.as_of, region=view.region)
years = sorted({*all_projects.year.astype(int), view.year}, reverse=True)
# a new as-of date starts again from its own year
if st.session_state.get("_funds_year_for") != view.as_of or st.session_state.get("funds_year") not in years:
    st.session_state["funds_year"] = view.year
    st.session_state["_funds_year_for"] = view.as_of
year = st.selectbox(t("funds_year"), years, format_func=lambda y: t("dyn_label_year", y=y), key="funds_year",
                    width=200)

summary = scoped.query("funds_summary", as_of=view.as_of, year=year, region=view.region)
projects = scoped.query("projects", as_of=view.as_of, year=year, region=view.region)
if summary.empty:
    st.info(t("no_data"))
    state.stop_page()
total = summary.iloc[0]
st.caption(t("funds_tiles_note", year=year, as_of=f"{view.as_of:%Y-%m-%d}"))

# ---- tiles --------------------------------------------------------------------------------------

money_tiles = st.columns(4)
money_deltas = {
    "allocated": t("funds_allocated_projects", n=count(total.projects)),
    "disbursed": t("funds_disbursement_rate", rate=percent(total.disbursement_rate)),
    "spent": t("funds_spending_rate", rate=percent(total.spending_rate)),
    "reimbursed": t("funds_reimbursement_rate", rate=percent(total.reimbursement_rate),
                    of_spent=percent(total.reimbursement_of_spent)),
}
for tile, stage in zip(money_tiles, MONEY, strict=True):
    with tile.container(border=True):
        st.metric(t("funds_" + stage), wan_yuan(total[stage]), delta=money_deltas[stage], delta_color="off",
                  delta_arrow="off")

overdue = projects[projects.is_overdue.astype(bool)]
project_tiles = st.columns(4)
with project_tiles[0].container(border=True):
    st.metric(t("funds_projects"), t("funds_n", n=count(total.projects)))
with project_tiles[1].container(border=True):
    st.metric(t("funds_projects_started"), t("funds_n", n=count(total.projects_started)),
              delta=t("funds_start_rate", rate=percent(total.start_rate)), delta_color="off", delta_arrow="off")
with project_tiles[2].container(border=True):
    st.metric(t("funds_projects_completed"), t("funds_n", n=count(total.projects_completed)),
              delta=t("funds_completion_rate", rate=percent(total.completion_rate)), delta_color="off",
              delta_arrow="off")
with project_tiles[3].container(border=True):
    st.metric(t("funds_overdue_tile"), t("funds_n", n=count(len(overdue))),
              delta=t("funds_overdue_detail", start=count(len(projects[projects.is_start_overdue.astype(bool)])),
                      end=count(len(projects[projects.is_completion_overdue.astype(bool)]))),
              delta_color="off", delta_arrow="off")

# ---- by source / type / batch / area ------------------------------------------------------------

st.subheader(t("funds_by_title"))
level = state.region_row(view.region).level
dimensions = ["source", "category", "batch", *([AREA_BELOW[level]] if level in AREA_BELOW else [])]
if st.session_state.get("funds_dimension") not in dimensions:
    st.session_state["funds_dimension"] = "source"
dimension = st.segmented_control(t("funds_dimension"), dimensions, required=True,
                                 format_func=lambda d: t("funds_dim_" + d), key="funds_dimension")
groups = scoped.query("funds_by", as_of=view.as_of, year=year, region=view.region, dimension=dimension)
if dimension == "source":
    st.caption(t("funds_source_note"))
if groups.empty:
    st.caption(t("funds_no_projects", year=year))
else:
    labels = [value_label(v, dimension) for v in groups["group"]]
    fig = go.Figure([
        go.Bar(x=labels, y=wan(groups[stage]).tolist(), name=t("funds_stage_" + STAGES[stage]), marker_color=color,
               hovertemplate="%{x}<br>" + t("funds_stage_" + STAGES[stage]) + " "
               + t("wan_yuan_amount", v="%{y:,.2f}") + "<extra></extra>")
        for stage, color in zip(MONEY, charts.STAGE_COLORS, strict=True)
    ])
    fig.update_layout(barmode="group")
    charts.axes(fig, y=dict(title=t("funds_amount_axis"), rangemode="tozero"),
                x=dict(title=t("funds_dim_" + dimension), type="category"))
    table = pd.DataFrame({
        "group": labels,
        "projects": groups.projects,
        **{stage: wan(groups[stage]) for stage in MONEY},
        **{rate: percent_points(groups[rate]) for rate in RATES},
        "share": percent_points(groups.allocated_share),
    })
    config = {
        "group": t("funds_dim_" + dimension),
        "projects": st.column_config.NumberColumn(t("funds_col_projects"), format="%d"),
        **money_columns({stage: t("funds_col_" + stage) for stage in MONEY}),
        **percent_columns({rate: t("funds_col_" + rate) for rate in RATES}),
        **percent_columns({"share": t("funds_col_share")}),
    }
    charts.show(fig, labelled(table, config), f"{t('funds_by_title')} {year} {t('funds_dim_' + dimension)}",
                key="funds_by", height=380)
    tables.grid(table, hide_index=True, column_config=config)

# ---- against the schedule -----------------------------------------------------------------------

st.subheader(t("funds_schedule_title", year=year))
schedule = scoped.query("funds_schedule", year=year, as_of=view.as_of, region=view.region)
if schedule.empty:
    st.caption(t("funds_no_schedule", year=year))
else:
    # deadlines after the as-of date are not due yet (funds_schedule.is_due): the target is shown, not the money
    due = schedule.is_due
    deadlines = schedule.deadline.dt.strftime("%Y-%m-%d").tolist()
    actual = percent_points(schedule.spending_rate).where(due)
    fig = go.Figure([
        go.Bar(x=deadlines, y=actual.tolist(), name=t("funds_schedule_rate"),
               marker_color=[charts.PASS_COLOR if met else charts.FAIL_COLOR
                             for met in schedule.is_met.fillna(False).astype(bool)],
               text=[percent(r / 100) if pd.notna(r) else t("funds_not_due") for r in actual],
               textposition="outside", cliponaxis=False,
               hovertemplate="%{x}: %{y:.2f}%<extra></extra>"),
        go.Scatter(x=deadlines, y=percent_points(schedule.spending_target).tolist(), name=t("funds_schedule_target"),
                   mode="markers+lines", line=dict(color="#333333", dash="dot"),
                   hovertemplate="%{x}: %{y:.2f}%<extra></extra>"),
    ])
    charts.axes(fig, y=dict(title=t("funds_rate_axis"), rangemode="tozero"),
                x=dict(title=t("funds_deadline"), type="category"))
    reached = schedule[due]
    schedule_table = pd.DataFrame({
        "deadline": reached.deadline.dt.strftime("%Y-%m-%d"),
        "target": percent_points(reached.spending_target),
        "allocated": wan(reached.allocated),
        "spent": wan(reached.spent),
        "rate": percent_points(reached.spending_rate),
        "target_spent": wan(reached.target_spent),
        "shortfall": wan(reached.shortfall),
        "met": ["—" if pd.isna(met) else "✓" if met else "✗" for met in reached.is_met],
    })
    config = {
        "deadline": t("funds_deadline"),
        **percent_columns({"target": t("funds_schedule_target"), "rate": t("funds_schedule_rate")}),
        **money_columns({"allocated": t("funds_col_allocated"), "spent": t("funds_col_spent"),
                         "target_spent": t("funds_col_target_spent"), "shortfall": t("funds_col_shortfall")}),
        "met": t("funds_col_met"),
    }
    charts.show(fig, labelled(schedule_table, config), t("funds_schedule_title", year=year), key="funds_schedule",
                height=320)
    if len(schedule_table):
        tables.grid(schedule_table, hide_index=True, column_config=config)
    upcoming = schedule[~due]
    if len(upcoming):
        st.caption(t("funds_upcoming", deadlines="；".join(
            f"{d:%Y-%m-%d} {percent(r)}" for d, r in zip(upcoming.deadline, upcoming.spending_target, strict=True))))

# ---- the projects -------------------------------------------------------------------------------

st.subheader(t("funds_projects_title"))
if projects.empty:
    st.caption(t("funds_no_projects", year=year))
    state.stop_page()
with st.container(horizontal=True, vertical_alignment="bottom"):
    statuses = st.multiselect(t("funds_filter_status"), STATUSES, default=list(STATUSES), key="funds_status",
                              format_func=lambda s: t("funds_status_" + s), width=420)
    overdue_only = st.toggle(t("funds_filter_overdue"), key="funds_overdue")
shown = projects[projects.status.isin(statuses)]
if overdue_only:
    shown = shown[shown.is_overdue.astype(bool)]
st.caption(t("funds_projects_count", shown=count(len(shown)), n=count(len(projects)), overdue=count(len(overdue))))
project_table = pd.DataFrame({
    "project_id": shown.project_id,
    "name": shown.name,
    "category": [value_label(v, "category") for v in shown.category],
    "place": [" ".join(p for p in (town, village) if isinstance(p, str))
              for town, village in zip(shown.township_name, shown.village_name, strict=True)],
    "batch": shown.batch,
    "status": [t("funds_status_" + s) for s in shown.status],
    "overdue": [listed(t(key) for key, late in (("funds_overdue_start", start), ("funds_overdue_end", end)) if late)
                for start, end in zip(shown.is_start_overdue, shown.is_completion_overdue, strict=True)],
    "planned_amount": wan(shown.planned_amount),
    **{stage: wan(shown[stage]) for stage in MONEY},
    "spending_rate": percent_points(shown.spending_rate),
    "planned_start": iso_dates(shown.planned_start),
    # what happened after the as-of date is not shown: the view is as of that date
    "started_on": iso_dates(shown.started_on.where(shown.is_started.astype(bool))),
    "planned_end": iso_dates(shown.planned_end),
    "completed_on": iso_dates(shown.completed_on.where(shown.is_completed.astype(bool))),
    "sources": [" / ".join(value_label(s, "source") for s in v.split("、")) if isinstance(v, str) else ""
                for v in shown.sources],
})
text_columns = ["project_id", "name", "category", "place", "batch", "status", "overdue", "planned_start",
                "started_on", "planned_end", "completed_on", "sources"]
config = {
    **{column: t("funds_col_" + column) for column in text_columns},
    **money_columns({"planned_amount": t("funds_col_planned_amount"),
                     **{stage: t("funds_col_" + stage) for stage in MONEY}}),
    **percent_columns({"spending_rate": t("funds_col_spending_rate")}),
}
tables.grid(project_table, hide_index=True, column_config=config)
charts.download(labelled(project_table, config), f"{t('funds_projects_title')} {year}", key="funds_download_projects")
