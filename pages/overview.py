"""总览 Overview: the quarterly leader's screen — headline 户/人 tiles with the change since the previous
quarter, the incidence trend, exits against plan, spending against the schedule, and the red flags."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from queries import landing
from ui import charts, paper, pdf, plain, progress, scoped, state, tables
from ui.formatting import change_arrow, count, listed, pair, percent, signed, signed_points
from ui.i18n import t

view = state.page_header("page_overview")
previous = view.previous  # the comparison date: 环比, 同比 or a chosen one (ui/state.py)
since = state.compare_label(view)
year_start = dt.date(view.year, 1, 1)
span = scoped.query("data_span").iloc[0]
first_day = span.first_date.date() if pd.notna(span.first_date) else year_start
warning_rules = scoped.query("warning_rules")

# the page's queries for this view, declared once in queries/landing.py: the import computes those of
# the views people land on ahead of their first sign-in (queries/ready.py)
# (the two switches below keep their state under their keys before they are drawn)
overview = landing.OverviewView(
    as_of=view.as_of, previous=previous, region=view.region, region_level=state.region_row(view.region).level,
    rules=view.rules, first_day=first_day, last_quarter_end=state.quarter_ends()[0],
    has_monitoring=bool(span.has_monitoring), warning_rule_set=landing.warning_rule_set(warning_rules),
    compare_table=bool(st.session_state.get("tp_compare")),
    exits_by_quarter=bool(st.session_state.get("overview_exits_by_quarter")))
ask = landing.OverviewAsk(overview, scoped.query)

# the registry at the date, at the comparison date (shown beside the tiles) and the change between them:
# registry_change carries registry_summary's figures at both dates, <figure> and <figure>_previous
moved = ask("registry_change").iloc[0]
now = moved
before = moved.filter(like="_previous").rename(lambda column: column.removesuffix("_previous"))
exits = landing.every_years_exits(ask)  # every year's exits to the date (the chart below)
this_year = landing.this_years_exits(ask, exits)
that_year = landing.that_years_exits(ask)  # the comparison date's year's, from 1 January


def at_previous(value: str) -> None:
    st.caption(t("compare_before", date=since, value=value))


def change(stock: str) -> str:
    """The change since the previous quarter end (registry_change), each count with its sign; the arrow
    comes from stock_arrow."""
    return t("change_since", date=since,
             value=t("households_people", h=signed(moved[f"households_{stock}_change"]),
                     p=signed(moved[f"people_{stock}_change"])))


def arrow(unchanged: bool, colour: str) -> dict:
    """No arrow or colour when nothing changed (Streamlit would draw "0" as a rise)."""
    return {"delta_color": "off", "delta_arrow": "off"} if unchanged else {"delta_color": colour}


def stock_arrow(changes, stock: str, colour: str) -> dict:
    """The arrow of a 户/人 change follows the changes, not the delta text's first character."""
    return change_arrow(changes[f"households_{stock}_change"], changes[f"people_{stock}_change"], colour)


tiles = st.columns(4)
with tiles[0].container(border=True):
    st.metric(t("registered"), pair(now.households_registered, now.people_registered),
              delta=change("registered"), **stock_arrow(moved, "registered", colour="off"))
    at_previous(pair(before.households_registered, before.people_registered))
with tiles[1].container(border=True):
    st.metric(t("still_poor"), pair(now.households_poor, now.people_poor),
              delta=change("poor"), **stock_arrow(moved, "poor", colour="inverse"))
    at_previous(pair(before.households_poor, before.people_poor))
with tiles[2].container(border=True):
    row = this_year.iloc[-1] if len(this_year) else None
    exited = pair(row.households, row.people) if row is not None else "—"
    plan = (t("against_plan", plan=pair(row.planned_households, row.planned_people),
              rate=percent(row.completion_rate))
            if row is not None and pd.notna(row.planned_people) else t("no_plan"))
    st.metric(t("exited_this_year", year=view.year), exited, delta=plan, delta_color="off", delta_arrow="off")
    earlier = that_year.iloc[-1] if len(that_year) else None
    at_previous(pair(earlier.households, earlier.people) if earlier is not None else "—")
with tiles[3].container(border=True):
    st.metric(t("incidence"), percent(now.incidence),
              delta=t("change_since", date=since,
                      value=signed_points(moved.incidence_change)),
              **arrow(moved.incidence_unchanged, colour="inverse"))
    at_previous(percent(before.incidence))

st.caption(t("overview_counts_note", exited=pair(now.households_exited, now.people_exited),
             remaining=count(now.poor_villages_remaining), total=count(now.poor_villages_total)))

# ---- which townships are behind: the parts of the region, sortable (township_progress, or _change) -----
level = landing.part_level(overview.region_level)
if "parts" in ask:  # not for a village
    st.subheader(t("tp_title_" + level))
    # the two dates side by side only when asked for: township_progress_change works out the table twice
    st.toggle(t("tp_show_compare"), key="tp_compare")  # its state chose the query above (overview.compare_table)
    parts = ask("parts")
    if overview.compare_table:
        table = progress.compare_table(view.language, parts, level, view.as_of, previous, total=False)
    else:
        table = progress.progress_table(view.language, parts, level, total=False)
    tables.show(table, key="overview_progress", file_name=f"{table.title}_{view.as_of:%Y-%m-%d}")
    st.caption(t("tp_note"))

# ---- red flags ---------------------------------------------------------------------------------
villages = ask("villages")
schedule = ask("schedule")
risks = ask("risks").iloc[0]
reconciliation = ask("reconciliation")

# the villages still to bring up to the standard: not exited by the date (出列核查 counts exited ones too)
failing = villages[villages.is_failing_not_exited]
due = schedule[schedule.is_due & schedule.is_met.eq(False)]
reconciled = not len(reconciliation) or bool(reconciliation.all_reconciled.iloc[0])  # no rows: nothing to reconcile

# 部门预警 (部门数据比对): a fifth flag when the package holds department records, under the rule set the
# 部门预警 page opens on (the first of warning_rules: OverviewView.warning_rule_set)
has_department_records = "overdue" in ask

st.subheader(t("red_flags"))
flags = st.columns(5 if has_department_records else 4)
with flags[0].container(border=True):
    st.metric(t("flag_villages_failing"), t("villages_n", n=count(len(failing))))
    if len(failing):
        st.caption(plain.md(listed(failing.village_name.head(6))) + ("……" if len(failing) > 6 else ""))
    st.page_link("pages/village_exit.py", label=t("open_page", page=t("page_village_exit")),
                 query_params=st.query_params.to_dict())
with flags[1].container(border=True):
    if len(due):
        worst = due.iloc[-1]
        st.metric(t("flag_spending_behind"), percent(worst.spending_rate),
                  delta=t("schedule_target", date=f"{worst.deadline:%Y-%m-%d}", target=percent(worst.spending_target)),
                  delta_color="off", delta_arrow="off")
    else:
        st.metric(t("flag_spending_behind"), t("none"))
    st.page_link("pages/funds.py", label=t("open_page", page=t("page_funds")),
                 query_params=st.query_params.to_dict())
with flags[2].container(border=True):
    st.metric(t("flag_wrong_exits", year=view.year),
              t("households_people", h=count(risks.households), p=count(risks.people)))
    st.page_link("pages/household_checks.py", label=t("open_page", page=t("page_household_checks")),
                 query_params=st.query_params.to_dict())
with flags[3].container(border=True):
    st.metric(t("flag_reconciliation"), t("reconciled") if reconciled else t("not_reconciled"))
    st.page_link("pages/dynamics.py", label=t("open_page", page=t("page_dynamics")),
                 query_params=st.query_params.to_dict())
if has_department_records:
    overdue = ask("overdue").iloc[0]
    with flags[4].container(border=True):
        st.metric(t("flag_warnings_overdue"), t("dw_n_warnings", n=count(overdue.overdue_warnings)))
        st.page_link("pages/department_warnings.py", label=t("open_page", page=t("page_department_warnings")),
                     query_params=st.query_params.to_dict())

# ---- monitoring (防返贫监测, after 2020): a row when the package holds monitoring data ----------------
if "monitored" in ask:
    monitored = ask("monitored").iloc[0]  # the figures at the date, and their change since the earlier one
    st.subheader(t("page_monitoring"))
    row = st.columns(4)
    for tile, stock, colour in zip(row[:3], ("identified", "at_risk", "cleared"), ("off", "inverse", "normal"),
                                   strict=True):
        with tile.container(border=True):
            st.metric(t("mon_" + stock), pair(monitored[f"households_{stock}"], monitored[f"people_{stock}"]),
                      delta=t("change_since", date=since, value=t(
                          "households_people", h=signed(monitored[f"households_{stock}_change"]),
                          p=signed(monitored[f"people_{stock}_change"]))),
                      **stock_arrow(monitored, stock, colour=colour))
    with row[3].container(border=True):
        st.metric(t("mon_clearance_rate"), percent(monitored.clearance_rate),
                  delta=t("change_since", date=since,
                          value=signed_points(monitored.clearance_rate_change)),
                  delta_color="off", delta_arrow="off")
        st.page_link("pages/monitoring.py", label=t("open_page", page=t("page_monitoring")),
                     query_params=st.query_params.to_dict())

# ---- charts ------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    trend = landing.incidence_trend(ask)
    st.subheader(t("incidence_trend"))
    fig = go.Figure(go.Scatter(
        x=charts.values(trend.as_of), y=charts.values(trend.incidence * 100), mode="lines+markers",
        name=t("incidence"), line=dict(color=charts.STATUS_COLORS["未脱贫"]),
        customdata=list(zip(charts.values(trend.households_poor), charts.values(trend.people_poor), strict=True)),
        hovertemplate="%{x|%Y-%m-%d}<br>" + t("incidence") + " %{y:.2f}%<br>" + t("still_poor")
        + " %{customdata[0]:,}" + t("unit_households") + "%{customdata[1]:,}" + t("unit_people") + "<extra></extra>",
    ))
    # the exit line the incidence must get under: 2%, 3% in the west (incidence_exit_line)
    exit_line = ask("exit_line")
    if len(exit_line) and pd.notna(exit_line.threshold.iloc[0]):
        charts.target_line(fig, trend.as_of, exit_line.threshold.iloc[0] * 100,
                           t("exit_line", threshold=percent(exit_line.threshold.iloc[0])))
    charts.axes(fig, y=dict(title=t("incidence") + " (%)", rangemode="tozero"), x=dict(title=t("quarter_end_axis")))
    charts.show(fig, trend, t("incidence_trend"), key="overview_trend", height=340)

with right:
    st.toggle(t("exits_view_quarter"), key="overview_exits_by_quarter")  # chose the query (exits_by_quarter)
    if not overview.exits_by_quarter:
        st.subheader(t("exits_vs_plan"))
        years = exits.period.dt.year.astype(str).tolist()
        fig = go.Figure([
            go.Bar(x=years, y=charts.values(exits.people), name=t("exited_people"),
                   marker_color=charts.STATUS_COLORS["已脱贫"],
                   hovertemplate="%{x}: %{y:,}" + t("unit_people") + "<extra></extra>"),
            go.Scatter(x=years, y=charts.values(exits.planned_people), name=t("planned_people"), mode="markers+lines",
                       line=dict(color=charts.TARGET_COLOR, dash="dot"),
                       hovertemplate="%{x}: %{y:,}" + t("unit_people") + "<extra></extra>"),
        ])
        charts.axes(fig, y=dict(title=t("unit_people_axis")), x=dict(title=t("year_axis"), type="category"))
        charts.show(fig, exits, t("exits_vs_plan"), key="overview_exits", height=340)
    else:  # this year's exits so far at each quarter end, against the year's plan (exits_by_period)
        quarters = ask("quarters")
        st.subheader(t("exits_year_to_date", year=view.year))
        labels = quarters.period.dt.to_period("Q").astype(str)
        fig = go.Figure(go.Bar(x=labels, y=quarters.people_year_to_date, name=t("exited_people_ytd"),
                               marker_color=charts.STATUS_COLORS["已脱贫"],
                               hovertemplate="%{x}: %{y:,}" + t("unit_people") + "<extra></extra>"))
        if len(quarters) and pd.notna(quarters.planned_people.iloc[-1]):
            charts.target_line(fig, labels, quarters.planned_people.iloc[-1], t("planned_people"), percent=False)
        charts.axes(fig, y=dict(title=t("unit_people_axis"), rangemode="tozero"),
                    x=dict(title=t("quarter_axis"), type="category"))
        charts.show(fig, quarters, t("exits_year_to_date", year=view.year), key="overview_exits_quarters", height=340)

st.subheader(t("spending_vs_schedule", year=view.year))
if schedule.empty:
    st.caption(t("no_schedule"))
else:
    fig = go.Figure([
        go.Bar(x=schedule.deadline.dt.strftime("%Y-%m-%d").tolist(), y=charts.values(schedule.spending_rate * 100),
               name=t("spending_rate"),
               marker_color=[charts.PASS_COLOR if met else charts.FAIL_COLOR for met in schedule.is_met.fillna(False)],
               hovertemplate="%{x}: %{y:.2f}%<extra></extra>"),
        go.Scatter(x=schedule.deadline.dt.strftime("%Y-%m-%d").tolist(),
                   y=charts.values(schedule.spending_target * 100),
                   name=t("spending_target"), mode="markers+lines", line=dict(color="#333333", dash="dot"),
                   hovertemplate="%{x}: %{y:.2f}%<extra></extra>"),
    ])
    charts.axes(fig, y=dict(title=t("spending_rate") + " (%)", rangemode="tozero"),
                x=dict(title=t("deadline_axis"), type="category"))
    charts.show(fig, schedule, t("spending_vs_schedule", year=view.year), key="overview_schedule", height=300)

# ---- on paper: the tiles, red flags and charts above as an A4 PDF (ui/paper.py, ui/pdf.py) ------------
if pdf.has_font():
    township_table = (table,) if "parts" in ask else ()  # the table shown above
    # drawn when the button is clicked, not on every run: the figures from this run's generation and scope
    charts.export_button(t("overview_download_pdf"),
                         partial(paper.overview_pdf, scoped.later(), view.as_of, view.region, view.rules,
                                 view.language, previous, township_table),
                         f"{t('paper_overview_file_stem')}_{view.as_of:%Y-%m-%d}.pdf", "application/pdf",
                         key="overview_pdf", icon=":material/picture_as_pdf:")
