"""防返贫监测 Monitoring (after 2020): the households identified as monitoring objects, how many are
still at risk and how many cleared (户/人, change since the previous quarter end), at risk by kind, risk
and area, the flows of a window as a waterfall, how fast leads became monitoring objects, the two
quality lists (漏监测 risks and 风险消除 that the year's data do not bear out), the 产业/就业 measures'
coverage, and the drill from township to village to its masked households.

Every figure comes from a catalog query (monitoring_change: monitoring_summary's figures at the date and
at the quarter end before, and the change between them; monitoring_by, monitoring_flows,
monitoring_timeliness, monitoring_gaps, monitoring_clearance_check, monitoring_threshold,
assistance_coverage, monitoring_households); the page picks and draws.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import charts, plain, scoped, state, tables
from ui.formatting import change_arrow, count, listed, pair, percent, signed, signed_points
from ui.i18n import t

FIRST_MONITORING_YEAR = 2021  # 防止返贫动态监测 begins after the campaign (docs/domain.md, After 2020)
WINDOWS = ("quarter", "year", "all")
TOTAL_COLOR = "#555555"

view = state.page_header("page_monitoring")
span = scoped.query("data_span").iloc[0]
if not span.has_monitoring:
    st.info(t("mon_no_data"))
    state.stop_page()

previous = state.previous_quarter_end(view.as_of)
# the figures at the date and their change since the quarter end before (one query: both dates' figures)
now = scoped.query("monitoring_change", as_of=view.as_of, previous=previous, region=view.region).iloc[0]


def change(stock: str) -> str:
    return t("change_since", date=f"{previous:%Y-%m-%d}",
             value=t("households_people", h=signed(now[f"households_{stock}_change"]),
                     p=signed(now[f"people_{stock}_change"])))


def arrow(unchanged: bool, colour: str) -> dict:
    return {"delta_color": "off", "delta_arrow": "off"} if unchanged else {"delta_color": colour}


# ---- tiles --------------------------------------------------------------------------------------
tiles = st.columns(4)
with tiles[0].container(border=True):
    st.metric(t("mon_identified"), pair(now.households_identified, now.people_identified),
              delta=change("identified"),
              **change_arrow(now.households_identified_change, now.people_identified_change, "off"))
with tiles[1].container(border=True):
    st.metric(t("mon_at_risk"), pair(now.households_at_risk, now.people_at_risk),
              delta=change("at_risk"),
              **change_arrow(now.households_at_risk_change, now.people_at_risk_change, "inverse"))
with tiles[2].container(border=True):
    st.metric(t("mon_cleared"), pair(now.households_cleared, now.people_cleared),
              delta=change("cleared"),
              **change_arrow(now.households_cleared_change, now.people_cleared_change, "normal"))
with tiles[3].container(border=True):
    st.metric(t("mon_clearance_rate"), percent(now.clearance_rate),
              delta=t("change_since", date=f"{previous:%Y-%m-%d}", value=signed_points(now.clearance_rate_change)),
              **arrow(pd.isna(now.clearance_rate_change) or now.clearance_rate_change == 0, "normal"))
st.caption(t("mon_counts_note", registered=pair(now.households_at_risk_registered, now.people_at_risk_registered),
             date=f"{view.as_of:%Y-%m-%d}"))


# ---- at risk by kind, risk and area ---------------------------------------------------------------
def at_risk_bars(frame: pd.DataFrame, title: str, key: str) -> None:
    labels = [t("mon_no_group") if pd.isna(g) else str(g) for g in frame.group]
    fig = go.Figure([
        go.Bar(x=labels, y=frame.households_at_risk.tolist(), name=t("mon_at_risk_households"),
               marker_color=charts.FAIL_COLOR, texttemplate="%{y:,}", textposition="outside", cliponaxis=False,
               hovertemplate="%{x}: %{y:,}<extra></extra>"),
        go.Bar(x=labels, y=frame.households_cleared.tolist(), name=t("mon_cleared_households"),
               marker_color=charts.PASS_COLOR, hovertemplate="%{x}: %{y:,}<extra></extra>"),
    ])
    fig.update_layout(barmode="stack")
    charts.axes(fig, y=dict(title=t("dyn_households")))
    charts.count_axis(fig, frame.households_identified)  # stacked: at risk + cleared = identified
    charts.axes(fig, x=dict(type="category"))
    shown = frame.drop(columns=["group_code", "ordinal"]).assign(group=labels)
    charts.show(fig, shown, f"{title} {view.as_of}", key=key, height=320)


level = state.region_row(view.region).level
area_dimension = "village" if level in ("乡镇", "村") else "township"
st.subheader(t("mon_by_title"))
by_columns = st.columns(3)
for column, dimension in zip(by_columns, ("kind", "risk", area_dimension), strict=True):
    with column:
        title = t("mon_by_" + dimension)
        st.markdown(f"**{title}**")
        by = scoped.query("monitoring_by", as_of=view.as_of, region=view.region, dimension=dimension)
        at_risk_bars(by, title, key=f"mon_by_{dimension}")
st.caption(t("mon_risk_note"))

# ---- flows --------------------------------------------------------------------------------------
st.subheader(t("mon_flows_title"))
window = st.segmented_control(t("mon_window"), WINDOWS, default="quarter", required=True,
                              format_func=lambda w: t("mon_window_" + w), key="mon_window")
opening_day = {"quarter": previous, "year": dt.date(view.year - 1, 12, 31),
               "all": dt.date(FIRST_MONITORING_YEAR - 1, 12, 31)}[window]
start = min(opening_day + dt.timedelta(days=1), view.as_of)
st.caption(t("mon_window_dates", opening=f"{opening_day:%Y-%m-%d}", end=f"{view.as_of:%Y-%m-%d}"))
flows = scoped.query("monitoring_flows", start=start, end=view.as_of, region=view.region)


def waterfall(unit: str) -> tuple[go.Figure, pd.DataFrame]:
    steps = flows if unit == "people" else flows[~flows.movement.isin(("joined", "left"))]
    measure = ["absolute" if d == "stock" else "relative" for d in steps.direction]
    values = [int(v) if d != "out" else -int(v) for v, d in zip(steps[unit], steps.direction, strict=True)]
    labels = [t("mon_mv_" + m) for m in steps.movement]
    fig = go.Figure(go.Waterfall(
        x=labels, y=values, measure=measure,
        text=[count(v) if m == "absolute" else signed(v) for v, m in zip(values, measure, strict=True)],
        textposition="outside", cliponaxis=False,
        increasing=dict(marker_color=charts.FAIL_COLOR), decreasing=dict(marker_color=charts.PASS_COLOR),
        totals=dict(marker_color=TOTAL_COLOR), connector=dict(line=dict(color="#999999", width=1)),
        hovertemplate="%{x}: %{y:,}<extra></extra>",
    ))
    charts.axes(fig, y=dict(title=t("dyn_" + unit), rangemode="tozero", tickformat=",d"), x=dict(type="category"))
    fig.update_layout(showlegend=False)
    shown = pd.DataFrame({t("dyn_col_step"): labels, t("dyn_" + unit): steps[unit].tolist()})
    return fig, shown


if flows.empty:
    st.info(t("no_data"))
else:
    for column, unit in zip(st.columns(2), ("households", "people"), strict=True):
        with column:
            title = t("mon_waterfall_title", unit=t("dyn_" + unit))
            st.markdown(f"**{title}**")
            fig, shown = waterfall(unit)
            charts.show(fig, shown, f"{title} {start}_{view.as_of}", key=f"mon_flows_{unit}", height=340)
    st.caption(t("mon_flows_note"))

# ---- timeliness ---------------------------------------------------------------------------------
st.subheader(t("mon_timeliness_title"))
timely = scoped.query("monitoring_timeliness", start=start, end=view.as_of, region=view.region)
if timely.empty:
    st.info(t("mon_no_episodes_in_window"))
else:
    first = timely.iloc[0]
    left, right = st.columns([1, 3])
    with left.container(border=True):
        st.metric(t("mon_within_15"), percent(first.share_within_15_days),
                  delta=t("mon_within_15_of", n=count(first.within_15_days), total=count(first.episodes)),
                  delta_color="off", delta_arrow="off")
        st.caption(t("mon_without_lead", n=count(first.episodes_without_lead_date)))
    with right:
        late = timely[timely.late.fillna(False).astype(bool)]
        st.markdown(f"**{t('mon_late_title', n=count(first.late_episodes))}**")
        late_table = late[["monitoring_id", "household_id", "head_name_masked", "township_name", "village_name",
                           "kind", "lead_source", "found_on", "identified_on", "days"]]
        late_labels = {c: t("mon_col_" + c) for c in late_table.columns}
        tables.grid(late_table, hide_index=True, column_config={
            **late_labels,
            "found_on": st.column_config.DateColumn(late_labels["found_on"], format="YYYY-MM-DD"),
            "identified_on": st.column_config.DateColumn(late_labels["identified_on"], format="YYYY-MM-DD"),
        }, height=min(len(late_table) + 1, tables.MAX_ROWS_SHOWN + 1) * tables.ROW_PX + 3)
        charts.download(late_table.rename(columns=late_labels), f"{t('mon_timeliness_title')} {start}_{view.as_of}",
                        key="mon_download_late")

# ---- quality lists --------------------------------------------------------------------------------
st.subheader(t("mon_quality_title"))
years = list(range(max(view.year, FIRST_MONITORING_YEAR), FIRST_MONITORING_YEAR - 1, -1))
# the year just over (the as-of year itself on 31 December), no later than the package's household years
default_year = view.year if view.as_of == dt.date(view.year, 12, 31) else view.year - 1
if pd.notna(span.last_household_year):
    default_year = min(default_year, int(span.last_household_year))
if st.session_state.get("mon_year") not in years:
    st.session_state["mon_year"] = default_year if default_year in years else years[-1]
year = st.selectbox(t("mon_year"), years, key="mon_year", width=160)
for row in scoped.query("monitoring_threshold", year=year, region=view.region).itertuples():
    if row.threshold_missing:
        st.warning(t("mon_threshold_missing", year=year, n=count(row.villages)))
    else:
        st.caption(t("mon_threshold", year=year, threshold=count(row.threshold), n=count(row.villages)))


def failing_words(keys) -> str:
    return listed(t("mon_fail_" + k) for k in keys) if keys is not None and len(keys) else ""


QUALITY_COLUMNS = ("household_id", "head_name_masked", "township_name", "village_name", "size",
                   "per_capita_income", "threshold", "failing")
gap_tab, clear_tab = st.tabs([t("mon_gaps_title"), t("mon_clearance_title")])
with gap_tab:
    gaps = scoped.query("monitoring_gaps", year=year, as_of=view.as_of, region=view.region)
    st.caption(t("mon_gaps_note", year=year, date=f"{view.as_of:%Y-%m-%d}", n=count(len(gaps))))
    gap_table = gaps[list(QUALITY_COLUMNS)].assign(
        failing=[failing_words(k) for k in gaps.failing],
        registered=[t("mon_yes") if r else t("mon_no") for r in gaps.registered],
        last_cleared_on=gaps.last_cleared_on)
    gap_labels = {c: t("mon_col_" + c) for c in gap_table.columns}
    tables.grid(gap_table, hide_index=True, column_config={
        **gap_labels,
        "per_capita_income": st.column_config.NumberColumn(gap_labels["per_capita_income"], format="%,.2f"),
        "threshold": st.column_config.NumberColumn(gap_labels["threshold"], format="%,.0f"),
        "last_cleared_on": st.column_config.DateColumn(gap_labels["last_cleared_on"], format="YYYY-MM-DD"),
    }, placeholder="—")
    charts.download(gap_table.rename(columns=gap_labels), f"{t('mon_gaps_title')} {year} {view.as_of}",
                    key="mon_download_gaps")
with clear_tab:
    cleared = scoped.query("monitoring_clearance_check", year=year, as_of=view.as_of, region=view.region)
    st.caption(t("mon_clearance_note", year=year, date=f"{view.as_of:%Y-%m-%d}", n=count(len(cleared))))
    clear_table = cleared[["monitoring_id", *QUALITY_COLUMNS, "kind", "cleared_on"]].assign(
        failing=[failing_words(k) for k in cleared.failing])
    clear_labels = {c: t("mon_col_" + c) for c in clear_table.columns}
    tables.grid(clear_table, hide_index=True, column_config={
        **clear_labels,
        "per_capita_income": st.column_config.NumberColumn(clear_labels["per_capita_income"], format="%,.2f"),
        "threshold": st.column_config.NumberColumn(clear_labels["threshold"], format="%,.0f"),
        "cleared_on": st.column_config.DateColumn(clear_labels["cleared_on"], format="YYYY-MM-DD"),
    }, placeholder="—")
    charts.download(clear_table.rename(columns=clear_labels), f"{t('mon_clearance_title')} {year} {view.as_of}",
                    key="mon_download_clearance")

# ---- assistance coverage ------------------------------------------------------------------------
st.subheader(t("mon_assistance_title"))
coverage = scoped.query("assistance_coverage", as_of=view.as_of, region=view.region)
headline = coverage[coverage.ordinal == 0]
for column, row in zip(st.columns(2), headline.itertuples(), strict=False):
    with column.container(border=True):
        st.metric(t("mon_coverage_" + row.population), percent(row.rate),
                  delta=t("mon_coverage_of", n=count(row.covered), total=count(row.households)),
                  delta_color="off", delta_arrow="off")
by_measure = coverage[coverage.ordinal > 0]
fig = go.Figure([
    go.Bar(x=[str(m) for m in part.measure], y=(part.rate.astype("float64") * 100).tolist(),
           name=t("mon_population_" + population), marker_color=color,
           hovertemplate="%{x}: %{y:.2f}%<extra></extra>")
    for population, color in (("exited", charts.ACCENT), ("at_risk", charts.FAIL_COLOR))
    for part in [by_measure[by_measure.population == population]]
])
fig.update_layout(barmode="group")
charts.axes(fig, y=dict(title=t("mon_coverage_axis"), range=[0, 105], ticksuffix="%"), x=dict(type="category"))
coverage_shown = coverage.assign(population=[t("mon_population_" + p) for p in coverage.population]).drop(
    columns="ordinal")
charts.show(fig, coverage_shown, f"{t('mon_assistance_title')} {view.as_of}", key="mon_coverage", height=320)
st.caption(t("mon_coverage_note"))

# ---- drill: township → village → households ---------------------------------------------------------
st.subheader(t("mon_drill_title"))
regions = state.regions()
townships = [code for code in regions[regions.level == "乡镇"].code if view.region in state.path_to(code)]
names = regions.set_index("code").name
if level == "村":
    township, village = state.tree().parent.get(view.region), view.region
else:
    with st.container(horizontal=True):
        township = view.region if level == "乡镇" else st.selectbox(
            t("level_乡镇"), townships, format_func=lambda c: names[c], key="mon_township", width=220)
        village_codes = state.children(township).code.tolist() if township else []
        village = st.selectbox(t("level_村"), village_codes, format_func=lambda c: names[c], key="mon_village",
                               width=220) if village_codes else None
if township and level != "村":
    villages = scoped.query("monitoring_by", as_of=view.as_of, region=township, dimension="village")
    st.markdown(f"**{t('mon_villages_of', township=plain.md(names[township]))}**")
    village_table = villages.drop(columns=["group_code", "ordinal"])
    village_labels = {c: t("mon_col_" + c) for c in village_table.columns}
    tables.grid(village_table, hide_index=True, column_config={
        **village_labels,
        "clearance_rate": st.column_config.NumberColumn(village_labels["clearance_rate"], format="percent"),
    })
    charts.download(village_table.rename(columns=village_labels), f"{t('mon_drill_title')} {township} {view.as_of}",
                    key="mon_download_villages")
if village:
    households = scoped.query("monitoring_households", as_of=view.as_of, region=village)
    st.markdown(f"**{t('mon_households_of', village=plain.md(names[village]), n=count(len(households)))}**")
    if households.empty:
        st.info(t("mon_no_households"))
    else:
        household_table = households[["household_id", "head_name_masked", "head_id_number_masked", "state",
                                      "registered", "kind", "risks", "size", "identified_on", "cleared_on",
                                      "episode_list", "measure_list"]].assign(
            state=[t("mon_state_" + s) for s in households.state],
            registered=[t("mon_yes") if r else t("mon_no") for r in households.registered])
        household_labels = {c: t("mon_col_" + c) for c in household_table.columns}
        tables.grid(household_table, hide_index=True, column_config={
            **household_labels,
            "identified_on": st.column_config.DateColumn(household_labels["identified_on"], format="YYYY-MM-DD"),
            "cleared_on": st.column_config.DateColumn(household_labels["cleared_on"], format="YYYY-MM-DD"),
        }, placeholder="—")
        charts.download(household_table.rename(columns=household_labels),
                        f"{t('mon_drill_title')} {village} {view.as_of}", key="mon_download_households")
        st.caption(t("mon_households_note"))
