"""出列核查 Village exit: the registered poor villages of the region in view judged against the exit rule
preset of the sidebar — which criterion passes or fails, and by how much — and, when the region in view
is a village, that village's profile: its criteria with the gap in words, its incidence trend,
infrastructure, projects and money, and the households that hold it back.

Figures come from village_exit_check, village_exit_failures, exit_rules, exit_criteria,
registry_summary, incidence_trend, funds_summary, projects and village_households (queries/*.sql); the
words for them from ui/village_exit.py. The page picks, filters, sorts and draws.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import charts, plain, scoped, session, state, tables
from ui.formatting import count, pair, percent, wan_yuan
from ui.i18n import t
from ui.village_exit import (
    FAIL_MARK,
    ITEMS,
    MARK_ORDER,
    PASS_MARK,
    criterion_label,
    exit_status,
    gap_in_words,
    household_checks_text,
    infrastructure_value,
    is_true,
    joined,
    requirement,
    result_cell,
    result_mark,
    rule_text,
    village_value,
)


def preset_rules(preset: str) -> pd.DataFrame:
    """The preset's rules (exit_rules, in the reading order of exit_criteria), by criterion."""
    rules = scoped.query("exit_rules")
    return rules[rules.preset == preset].set_index("criterion")


def household_criteria() -> list[str]:
    criteria = scoped.query("exit_criteria")
    return list(criteria[criteria.standard == "household"].criterion)


# ---- the list of poor villages ------------------------------------------------------------------

def village_list(view: state.Filters) -> None:
    checks = scoped.query("village_exit_check", as_of=view.as_of, rules=view.rules, region=view.region)
    rules = preset_rules(view.rules)
    criteria = list(rules.index)
    st.caption(t("ve_rules_caption", preset=state.preset_label(view.rules),
                 rules=joined(rule_text(c, rules.loc[c]) for c in criteria)))
    if checks.empty:
        st.info(t("ve_no_poor_villages"))
        return

    townships = sorted(checks.township_name.dropna().unique())
    left, right = st.columns(2)
    chosen_townships = left.multiselect(t("ve_filter_township"), townships, key=f"ve_townships_{view.region}",
                                        placeholder=t("ve_all_townships")) if len(townships) > 1 else []
    chosen_criteria = right.multiselect(t("ve_filter_criterion"), criteria, format_func=criterion_label,
                                        key=f"ve_criteria_{view.rules}", placeholder=t("ve_any_criterion"))
    in_townships = checks[checks.township_name.isin(chosen_townships)] if chosen_townships else checks

    summary_tiles(in_townships, view)
    failing_by_criterion(in_townships, chosen_townships, view)

    shown = in_townships
    if chosen_criteria:
        shown = shown[shown.failed_criteria.map(lambda failed: any(c in list(failed) for c in chosen_criteria))]
    village_table(shown, criteria, view)


def summary_tiles(checks: pd.DataFrame, view: state.Filters) -> None:
    """How many of the villages listed are exited, pass, fail (exited ones included: the overview counts
    only the failing villages not exited yet, under its own name)."""
    tiles = st.columns(4)
    with tiles[0].container(border=True):
        st.metric(t("ve_tile_total"), t("villages_n", n=count(len(checks))))
    with tiles[1].container(border=True):
        st.metric(t("ve_tile_exited"), t("villages_n", n=count(len(checks[checks.is_exited]))))
    with tiles[2].container(border=True):
        st.metric(t("ve_tile_passing", preset=state.preset_label(view.rules)),
                  t("villages_n", n=count(len(checks[checks.overall_pass]))))
    with tiles[3].container(border=True):
        st.metric(t("ve_tile_failing"), t("villages_n", n=count(len(checks[checks.is_failing]))),
                  delta=t("ve_tile_failing_not_exited", n=count(len(checks[checks.is_failing_not_exited]))),
                  delta_color="off", delta_arrow="off")


def failing_by_criterion(checks: pd.DataFrame, townships: list[str], view: state.Filters) -> None:
    """Villages failing each criterion of the preset (village_exit_failures): for want of data (grey) or
    not met (red)."""
    counts = scoped.query("village_exit_failures", as_of=view.as_of, rules=view.rules, region=view.region,
                        townships=",".join(townships) or None)
    labels = [criterion_label(c) for c in counts.criterion]
    st.subheader(t("ve_chart_title"))
    failing = checks[checks.is_failing]
    if failing.empty:
        st.success(t("ve_all_pass", preset=state.preset_label(view.rules)))
        return
    fig = go.Figure([
        go.Bar(y=labels, x=counts.villages_not_met, orientation="h", name=t("ve_not_met"),
               marker_color=charts.FAIL_COLOR, hovertemplate="%{y}: %{x}<extra></extra>"),
        go.Bar(y=labels, x=counts.villages_no_data, orientation="h", name=t("no_data"),
               marker_color=charts.NO_DATA_COLOR, hovertemplate="%{y}: %{x}<extra></extra>"),
    ])
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    charts.axes(fig, y=dict(autorange="reversed", title=None))
    # no bar is longer than the number of failing villages: whole-number ticks while that is small
    charts.axes(fig, x=dict(title=t("ve_axis_villages"), dtick=1 if len(failing) <= 10 else None, rangemode="tozero"))
    download = pd.DataFrame({t("ve_col_criterion"): labels, t("ve_not_met"): counts.villages_not_met,
                             t("no_data"): counts.villages_no_data})
    charts.show(fig, download, t("ve_chart_title"), key="ve_failing_chart", height=90 + 34 * len(counts))


def village_table(checks: pd.DataFrame, criteria: list[str], view: state.Filters) -> None:
    """One row per village, failing ones first (most criteria failed first); a click opens its profile."""
    st.subheader(t("ve_table_title", preset=state.preset_label(view.rules)))
    ordered = checks.sort_values(["overall_pass", "criteria_failed", "village_code"], ascending=[True, False, True])
    table = pd.DataFrame({
        "village_code": ordered.village_code,
        "village": ordered.village_name,
        "township": ordered.township_name,
        "exit_status": [exit_status(row) for _, row in ordered.iterrows()],
        **{c: [result_cell(row, c) for _, row in ordered.iterrows()] for c in criteria},
        "overall": ordered.overall_pass.map({True: t("ve_pass"), False: t("ve_fail")}),
        "people_poor": ordered.people_poor,
        "people_to_exit": ordered.people_to_exit,
        "income_gap_wan": ordered.income_gap.astype(float) / 10_000,
        "missing_items": ordered.missing_items.map(lambda keys: joined(criterion_label(k) for k in keys)),
        "no_data_items": ordered.no_data.map(lambda keys: joined(criterion_label(k) for k in keys)),
    })
    if "incidence" not in criteria:
        table = table.drop(columns="people_to_exit")
    if "collective_income" not in criteria:
        table = table.drop(columns="income_gap_wan")
    labels = {
        "village": st.column_config.TextColumn(t("level_村")),
        "township": st.column_config.TextColumn(t("level_乡镇")),
        "exit_status": st.column_config.TextColumn(t("ve_col_exit_status")),
        **{c: st.column_config.TextColumn(criterion_label(c)) for c in criteria},
        "overall": st.column_config.TextColumn(t("ve_col_overall")),
        "people_poor": st.column_config.NumberColumn(t("ve_col_people_poor"), format="%d"),
        "people_to_exit": st.column_config.NumberColumn(t("ve_col_people_to_exit"), format="%d",
                                                        help=t("ve_help_people_to_exit")),
        "income_gap_wan": st.column_config.NumberColumn(t("ve_col_income_gap"), format="%.2f"),
        "missing_items": st.column_config.TextColumn(t("ve_col_missing")),
        "no_data_items": st.column_config.TextColumn(t("ve_col_no_data"), help=t("ve_help_no_data")),
    }
    columns = [c for c in table.columns if c != "village_code"]
    st.caption(t("ve_table_hint"))
    # A fresh key after every drill-down, so a selection never outlives the click that made it (coming
    # back to the list must not open the same village again).
    key = f"ve_villages_{st.session_state.setdefault('ve_villages_generation', 0)}"
    event = tables.grid(table, hide_index=True, column_config=labels, column_order=columns,
                         on_select="rerun", selection_mode="single-row", key=key)
    charts.download(table[columns].rename(columns={c: labels[c]["label"] for c in columns}),
                    t("ve_table_title", preset=state.preset_label(view.rules)), key="ve_table_download")
    if event.selection.rows:
        st.session_state["ve_villages_generation"] += 1
        state.go_to_region(table.village_code.iloc[event.selection.rows[0]])


# ---- the profile of one village -----------------------------------------------------------------

def village_profile(view: state.Filters) -> None:
    village = state.region_row(view.region)
    checks = scoped.query("village_exit_check", as_of=view.as_of, rules=view.rules, region=view.region)
    check = checks.iloc[0] if len(checks) else None
    summary = scoped.query("registry_summary", as_of=view.as_of, region=view.region).iloc[0]

    st.subheader(t("ve_profile_title", village=plain.md(village["name"]),  # names are data
                    township=plain.md(state.region_row(village.parent_code)["name"])))
    tiles = st.columns(4)
    with tiles[0].container(border=True):
        st.metric(t("registered"), pair(summary.households_registered, summary.people_registered))
    with tiles[1].container(border=True):
        st.metric(t("still_poor"), pair(summary.households_poor, summary.people_poor))
    with tiles[2].container(border=True):
        threshold = check.incidence_threshold if check is not None else None
        st.metric(t("incidence"), percent(summary.incidence),
                  delta=t("ve_threshold", threshold=percent(threshold)) if pd.notna(threshold) else None,
                  delta_color="off", delta_arrow="off")
    with tiles[3].container(border=True):
        if check is None:
            st.metric(t("ve_col_exit_status"), t("ve_not_poor"))
        elif pd.notna(check.exited_on):
            st.metric(t("ve_col_exit_status"), t("ve_tile_exited"), delta=f"{pd.Timestamp(check.exited_on):%Y-%m-%d}",
                      delta_color="off", delta_arrow="off")
        else:
            st.metric(t("ve_col_exit_status"), t("ve_not_exited"), delta_color="off", delta_arrow="off",
                      delta=t("ve_plan_year", year=int(check.planned_exit_year))
                      if pd.notna(check.planned_exit_year) else None)

    if check is None:
        st.info(t("ve_not_poor_village", village=plain.md(village["name"])))
    else:
        criteria_section(check, view)

    left, right = st.columns([3, 2])
    with left:
        trend_section(view, check)
    with right:
        if check is not None:
            infrastructure_section(check, view)
    projects_section(view)
    households_section(view, check)


def criteria_section(check: pd.Series, view: state.Filters) -> None:
    rules = preset_rules(view.rules)
    st.subheader(t("ve_criteria_title", preset=state.preset_label(view.rules)))
    if is_true(check.overall_pass):
        st.success(t("ve_village_passes", preset=state.preset_label(view.rules)))
    else:
        st.error(t("ve_village_fails", criteria=joined(criterion_label(c) for c in check.failed_criteria)))
    table = pd.DataFrame([{
        "criterion": criterion_label(c),
        "requirement": requirement(check, c),
        "value": village_value(check, c),
        "result": result_mark(check, c),
        "gap": gap_in_words(check, c),
    } for c in rules.index])
    tables.grid(table, hide_index=True, column_config={
        # pixel widths that fit the longest texts (value and gap in words) in both languages
        "criterion": st.column_config.TextColumn(t("ve_col_criterion"), width=140),
        "requirement": st.column_config.TextColumn(t("ve_col_requirement"), width=190),
        "value": st.column_config.TextColumn(t("ve_col_value"), width=340),
        "result": st.column_config.TextColumn(t("ve_col_result"), width=60),
        "gap": st.column_config.TextColumn(t("ve_col_gap"), width=330),
    })
    st.caption(t("ve_data_year", year=int(check.data_year)) if pd.notna(check.data_year) else t("ve_no_data_year"))
    charts.download(table, t("ve_criteria_title", preset=state.preset_label(view.rules)),
                    key="ve_criteria_download")


def trend_section(view: state.Filters, check: pd.Series | None) -> None:
    st.subheader(t("ve_trend_title"))
    period = st.radio(t("ve_period"), ["year", "quarter"], format_func=lambda p: t("ve_period_" + p),
                      horizontal=True, key="ve_trend_period")
    span = scoped.query("data_span").iloc[0]
    start = span.first_date.date() if pd.notna(span.first_date) else None
    trend = scoped.query("incidence_trend", start=start, end=view.as_of, period=period, region=view.region)
    # a year is labelled by its number (its end, 12-31, would sit on the next year's tick); quarters by date
    x = trend.period.dt.year.astype(str) if period == "year" else trend.as_of
    fig = go.Figure(go.Scatter(
        x=x, y=trend.incidence * 100, mode="lines+markers", name=t("incidence"),
        line=dict(color=charts.STATUS_COLORS["未脱贫"]),
        customdata=trend[["households_poor", "people_poor"]],
        hovertemplate=("%{x}" if period == "year" else "%{x|%Y-%m-%d}") + "<br>" + t("incidence") + " %{y:.2f}%<br>" + t("still_poor")
        + " %{customdata[0]:,}" + t("unit_households") + "%{customdata[1]:,}" + t("unit_people") + "<extra></extra>",
    ))
    if check is not None and pd.notna(check.incidence_threshold):
        charts.target_line(fig, x, check.incidence_threshold * 100, t("ve_threshold_line"))
    charts.axes(fig, y=dict(title=t("incidence") + " (%)", rangemode="tozero"),
                x=dict(title=t("ve_axis_" + period), type="category" if period == "year" else "date"))
    charts.show(fig, trend, t("ve_trend_title"), key="ve_trend", height=320)


def infrastructure_section(check: pd.Series, view: state.Filters) -> None:
    """The yes/no items of the village_year row in force; * marks what the preset requires."""
    st.subheader(t("ve_infrastructure_title"))
    required = set(preset_rules(view.rules).index)
    badges = []
    for item in ITEMS:
        value = infrastructure_value(check, item)
        label = criterion_label(item) + (" *" if item in required else "")
        if pd.isna(value):
            badges.append(f":gray-badge[{label}：{t('no_data')}]")
        elif value:
            badges.append(f":green-badge[{PASS_MARK} {label}]")
        else:
            badges.append(f":red-badge[{FAIL_MARK} {label}]")
    st.markdown(" ".join(badges))
    if pd.notna(check.leading_industry):
        st.markdown(t("ve_industry", industry=plain.md(check.leading_industry)))
    st.markdown(t("ve_collective_income", amount=wan_yuan(check.collective_income) if pd.notna(check.collective_income)
                  else t("no_data")))
    st.caption(t("ve_infrastructure_note", preset=state.preset_label(view.rules)))


def projects_section(view: state.Filters) -> None:
    st.subheader(t("ve_projects_title"))
    projects = scoped.query("projects", as_of=view.as_of, year=None, region=view.region)
    if projects.empty:
        st.caption(t("ve_no_projects"))
        return
    years = sorted(projects.year.unique(), reverse=True)
    default = next((y for y in years if y <= view.year), years[-1])
    year = st.columns([1, 3])[0].selectbox(t("ve_project_year"), years, index=years.index(default), key=f"ve_project_year_{view.region}",
                        format_func=lambda y: t("ve_year", year=int(y)))
    funds = scoped.query("funds_summary", as_of=view.as_of, year=int(year), region=view.region).iloc[0]
    tiles = st.columns(4)
    with tiles[0].container(border=True):
        st.metric(t("ve_projects_n"), t("ve_n_projects", n=count(funds.projects)),
                  delta=t("ve_projects_progress", started=count(funds.projects_started),
                          completed=count(funds.projects_completed)), delta_color="off", delta_arrow="off")
    with tiles[1].container(border=True):
        st.metric(t("ve_allocated"), wan_yuan(funds.allocated))
    with tiles[2].container(border=True):
        st.metric(t("ve_disbursed"), wan_yuan(funds.disbursed),
                  delta=t("ve_rate", name=t("ve_disbursement_rate"), rate=percent(funds.disbursement_rate)),
                  delta_color="off", delta_arrow="off")
    with tiles[3].container(border=True):
        st.metric(t("ve_spent"), wan_yuan(funds.spent),
                  delta=t("ve_rate", name=t("spending_rate"), rate=percent(funds.spending_rate)),
                  delta_color="off", delta_arrow="off")
    of_year = projects[projects.year == year]
    table = pd.DataFrame({
        "project_id": of_year.project_id,
        "name": of_year.name,
        "category": of_year.category,
        "status": of_year.status.map(lambda s: t("ve_project_" + s)),
        "overdue": of_year.is_overdue.map({True: t("ve_overdue"), False: ""}),
        "allocated": of_year.allocated.astype(float) / 10_000,
        "disbursed": of_year.disbursed.astype(float) / 10_000,
        "spent": of_year.spent.astype(float) / 10_000,
        "reimbursed": of_year.reimbursed.astype(float) / 10_000,
        "spending_pct": of_year.spending_rate * 100,
    })
    labels = {
        "project_id": st.column_config.TextColumn(t("ve_col_project_id")),
        "name": st.column_config.TextColumn(t("ve_col_project")),
        "category": st.column_config.TextColumn(t("ve_col_category")),
        "status": st.column_config.TextColumn(t("ve_col_status")),
        "overdue": st.column_config.TextColumn(t("ve_col_overdue")),
        "allocated": st.column_config.NumberColumn(t("ve_col_allocated"), format="%.2f"),
        "disbursed": st.column_config.NumberColumn(t("ve_col_disbursed"), format="%.2f"),
        "spent": st.column_config.NumberColumn(t("ve_col_spent"), format="%.2f"),
        "reimbursed": st.column_config.NumberColumn(t("ve_col_reimbursed"), format="%.2f"),
        "spending_pct": st.column_config.NumberColumn(t("spending_rate"), format="%.2f%%"),
    }
    tables.grid(table, hide_index=True, column_config=labels)
    charts.download(table.rename(columns={c: labels[c]["label"] for c in table.columns}),
                    t("ve_projects_title") + f"_{int(year)}", key="ve_projects_download")


def households_section(view: state.Filters, check: pd.Series | None) -> None:
    st.subheader(t("ve_households_title"))
    households = scoped.query("village_households", village=view.region, as_of=view.as_of)
    if households.empty:
        st.caption(t("ve_no_households"))
        return
    # the mark (未脱贫 / 错退 risk) is village_households'; the page only orders by it
    ordered = households.assign(mark_order=households.mark.map(MARK_ORDER)).sort_values(
        ["mark_order", "household_id"], na_position="last")
    criteria = household_criteria()
    status_labels = {"未脱贫": t("still_poor"), "已脱贫": t("exited")}
    mark_labels = {"poor": t("ve_mark_poor"), "risk": t("ve_mark_risk")}

    table = pd.DataFrame({
        "mark": ordered.mark.map(mark_labels).fillna(""),
        "household_id": ordered.household_id,
        "head": ordered.head_name_masked,
        "id_number": ordered.head_id_number_masked,
        "status": ordered.status.map(lambda s: status_labels.get(s, s)),
        "category": ordered.category,
        "main_cause": ordered.main_cause,
        "size": ordered["size"],
        "exited_on": ordered.exited_on.dt.strftime("%Y-%m-%d").fillna(""),
        "check_year": ordered.check_year,
        "per_capita_income": ordered.per_capita_income,
        "poverty_line": ordered.poverty_line,
        "failing": [household_checks_text(row, criteria) for _, row in ordered.iterrows()],
    })
    n_poor, n_risk = len(households[households.mark == "poor"]), len(households[households.mark == "risk"])
    gap = ""
    if check is not None and pd.notna(check.people_to_exit) and check.people_to_exit > 0:
        gap = t("ve_legend_gap", n=count(check.people_to_exit), threshold=percent(check.incidence_threshold))
    st.markdown(t("ve_legend_poor", mark=t("ve_mark_poor"), n=count(n_poor)) + gap)
    st.markdown(t("ve_legend_risk", mark=t("ve_mark_risk"), n=count(n_risk)))
    labels = {
        "mark": st.column_config.TextColumn(t("ve_col_mark")),
        "household_id": st.column_config.TextColumn(t("ve_col_household")),
        "head": st.column_config.TextColumn(t("ve_col_head")),
        "id_number": st.column_config.TextColumn(t("ve_col_id_number")),
        "status": st.column_config.TextColumn(t("ve_col_status")),
        "category": st.column_config.TextColumn(t("ve_col_household_category")),
        "main_cause": st.column_config.TextColumn(t("ve_col_main_cause")),
        "size": st.column_config.NumberColumn(t("ve_col_size"), format="%d"),
        "exited_on": st.column_config.TextColumn(t("ve_col_exited_on")),
        "check_year": st.column_config.NumberColumn(t("ve_col_check_year"), format="%d"),
        "per_capita_income": st.column_config.NumberColumn(t("ve_col_per_capita_income"), format="%.2f"),
        "poverty_line": st.column_config.NumberColumn(t("ve_col_poverty_line"), format="%.0f"),
        "failing": st.column_config.TextColumn(t("ve_col_failing")),
    }
    shown = table
    if session.can("unmask") and st.toggle(t("ve_unmask"), key=f"ve_unmask_{view.region}", help=t("ve_unmask_help")):
        # unmasked names and ID numbers: household_identities (personal; the runner checks the role,
        # ui/data logs the use). Only on screen — the download below stays masked.
        identities = scoped.query("household_identities", village=view.region).set_index("household_id")
        shown = table.assign(head=table.household_id.map(identities.head_name),
                             id_number=table.household_id.map(identities.head_id_number))
    tables.grid(shown, hide_index=True, column_config=labels)
    charts.download(table.rename(columns={c: labels[c]["label"] for c in table.columns}),
                    t("ve_households_title"), key="ve_households_download")


# ---- the page ------------------------------------------------------------------------------------

view = state.page_header("page_village_exit")
if state.region_row(view.region).level == "村":
    village_profile(view)
else:
    village_list(view)
