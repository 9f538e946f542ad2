"""户级核查 Household checks: the 错退 risk list — households marked as exited in a year whose income that
year is under the line or who fail 两不愁三保障 / safe water — tallied by village and by criterion, with
the masked list, filters by village and criterion, and CSV / formatted Excel downloads."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import charts, data, exports, household_risks, paper, scoped, state, tables
from ui.formatting import count, pair
from ui.i18n import t
from ui.report import escape_markdown, safe_file_name

view = state.page_header("page_household_checks")
place = state.region_row(view.region)


def pick_year() -> int:
    """The year checked: the as-of year unless the user picks an earlier one (the widget key follows the
    as-of year, so a new as-of date brings the default back). Later years have not happened yet."""
    span = scoped.query("data_span").iloc[0]
    first = int(span.first_year) if pd.notna(span.first_year) else view.year
    years = list(range(view.year, min(first, view.year) - 1, -1))
    return st.selectbox(t("hhc_year"), years, index=years.index(view.year), key=f"hhc_year_{view.year}", width=220)


def headline(year: int) -> None:
    exits = scoped.query("exits_by_period", start=dt.date(year, 1, 1), end=checked["as_of"], period="year",
                         region=view.region)
    tiles = st.columns(3)
    with tiles[0].container(border=True):
        st.metric(t("hhc_risks", year=year), pair(total.households, total.people))
    with tiles[1].container(border=True):
        st.metric(t("hhc_exited", year=year), pair(exits.households.iloc[-1], exits.people.iloc[-1]))
    with tiles[2].container(border=True):
        st.metric(t("hhc_villages_concerned"), t("hhc_villages_n", n=count(total.villages)))


def tallies(year: int, risks: pd.DataFrame) -> None:
    left, right = st.columns([3, 2])
    with left:
        st.subheader(t("hhc_by_village"))
        villages = scoped.query("household_exit_risks_by", **checked, dimension="village")
        villages = villages.assign(village=villages.group_code.map(household_risks.village_labels(risks)))
        fig = go.Figure([
            go.Bar(x=villages.village, y=villages.households, name=t("hhc_households_axis"),
                   marker_color=charts.FAIL_COLOR,
                   hovertemplate="%{x}: %{y:,}" + t("unit_households") + "<extra></extra>"),
            go.Bar(x=villages.village, y=villages.people, name=t("hhc_people_axis"), marker_color=charts.SEQUENCE[1],
                   hovertemplate="%{x}: %{y:,}" + t("unit_people") + "<extra></extra>"),
        ])
        fig.update_layout(barmode="group")
        charts.axes(fig, x=dict(title=t("hhc_col_village"), type="category"),
                    y=dict(title=t("hhc_households_axis") + " / " + t("hhc_people_axis")))
        charts.count_axis(fig, [*villages.households, *villages.people])
        frame = villages[["village", "households", "people"]].rename(columns={
            "village": t("hhc_col_village"), "households": t("hhc_col_households"), "people": t("hhc_col_people")})
        charts.show(fig, frame, f"{t('hhc_by_village')}_{place['name']}_{year}", key="hhc_by_village", height=340)
    with right:
        st.subheader(t("hhc_by_criterion"))
        criteria = scoped.query("household_exit_risks_by", **checked, dimension="criterion")
        names = [t("crit_" + key) for key in criteria.group_code]
        fig = go.Figure(go.Bar(
            y=names, x=criteria.households, orientation="h", name=t("hhc_households_axis"),
            marker_color=charts.FAIL_COLOR, customdata=criteria.people,
            hovertemplate="%{y}: %{x:,}" + t("unit_households") + "%{customdata:,}" + t("unit_people")
            + "<extra></extra>",
        ))
        charts.axes(fig, y=dict(title=t("hhc_col_failing"), autorange="reversed"),
                    x=dict(title=t("hhc_households_axis")))
        charts.count_axis(fig, criteria.households, axis="x")
        frame = pd.DataFrame({t("hhc_col_failing"): names, t("hhc_col_households"): criteria.households,
                              t("hhc_col_people"): criteria.people})
        charts.show(fig, frame, f"{t('hhc_by_criterion')}_{place['name']}_{year}", key="hhc_by_criterion",
                    height=340)


def risk_list(year: int, risks: pd.DataFrame) -> None:
    st.subheader(t("hhc_list"))
    labels = household_risks.village_labels(risks)
    offered = {"hhc_villages": list(labels), "hhc_criteria": list(household_risks.CRITERIA)}
    for key, options in offered.items():
        if key in st.session_state:  # a choice made for another year or region that is no longer offered
            st.session_state[key] = [v for v in st.session_state[key] if v in options]
    by_village, by_criterion = st.columns(2)
    villages = by_village.multiselect(t("hhc_filter_villages"), offered["hhc_villages"], format_func=labels.get,
                                      placeholder=t("hhc_placeholder"), key="hhc_villages")
    criteria = by_criterion.multiselect(t("hhc_filter_criteria"), offered["hhc_criteria"],
                                        format_func=lambda key: t("crit_" + key), placeholder=t("hhc_placeholder"),
                                        key="hhc_criteria")
    shown = household_risks.filtered(risks, villages, criteria)
    st.caption(t("hhc_shown", shown=count(len(shown)), total=count(len(risks))))
    table = household_risks.list_table(shown, view.language)
    name = f"{t('hhc_file')}_{place['name']}_{year}"
    tables.show(table, key="hhc_list", file_name=name)

    stamp = data.load_stamp()
    first_line = t(
        "hhc_filters_line", region=place["name"], code=view.region, year=year,
        villages=t("rpt_names_sep").join(labels[code] for code in villages) or t("hhc_all"),
        criteria=t("rpt_names_sep").join(t("crit_" + key) for key in criteria) or t("hhc_all"),
        package=paper.package_name(stamp.get("package"), view.language),
        loaded_at=f"{stamp['loaded_at']:%Y-%m-%d %H:%M}" if stamp else "—",
    )
    charts.export_button(
        t("hhc_download_xlsx"), partial(exports.xlsx_bytes, first_line, [table]), safe_file_name(name) + ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="hhc_xlsx", icon=":material/table_view:",
    )


year = pick_year()
st.caption(t("hhc_planned_note"))
# the list and its tallies with the same parameters: the exits of the year known by the as-of date
checked = {"year": year, "as_of": min(view.as_of, dt.date(year, 12, 31)), "region": view.region}
risks = scoped.query("household_exit_check", **checked)
total = scoped.query("household_exit_risks_by", **checked).iloc[0]
headline(year)
if risks.empty:
    st.success(t("hhc_none", year=year, region=escape_markdown(place["name"])))
else:
    tallies(year, risks)
    risk_list(year, risks)
