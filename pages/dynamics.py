"""动态管理 Dynamics: what moved in and out of the registry (在册) and the still-poor (未脱贫) stock in a
window — waterfalls from opening to closing, the reconciliation 期初 + 增加 − 减少 = 期末, deregistrations
by reason — and the exits of every year against the annual plan.

Figures come from the flows, flows_reconciliation and exits_by_period queries (queries/*.sql; every year's
exits read as the overview reads them, queries/landing.exits_to); the page picks the window and draws.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from queries import landing
from ui import charts, scoped, state, tables
from ui.formatting import change_arrow, count, pair, percent, signed
from ui.i18n import t

PERIOD_KINDS = ("month", "quarter", "year")
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
STOCK_ROWS = {"registry": ("期初在册", "期末在册"), "poor": ("期初未脱贫", "期末未脱贫")}
MEMBER_MOVEMENTS = ("自然增加", "自然减少")  # people only: 0 households by definition
DEREGISTRATIONS = ("标注脱贫", "清退", "自然销户", "自然减少")
# the still-poor stock going down is good news: decreases green, increases red; the registry is neutral
STEP_COLORS = {
    "registry": {"increasing": charts.ACCENT, "decreasing": charts.SEQUENCE[1]},
    "poor": {"increasing": charts.FAIL_COLOR, "decreasing": charts.PASS_COLOR},
}
TOTAL_COLOR = "#555555"


# ---- the window ---------------------------------------------------------------------------------

def period_start(day: dt.date, kind: str) -> dt.date:
    months = MONTHS_IN[kind]
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def period_end(start: dt.date, kind: str) -> dt.date:
    return (pd.Timestamp(start) + pd.DateOffset(months=MONTHS_IN[kind]) - pd.Timedelta(days=1)).date()


def window_starts(first_day: dt.date, as_of: dt.date, kind: str) -> list[dt.date]:
    """The periods from the one holding the first record to the one holding the as-of date, latest first."""
    starts = pd.date_range(period_start(min(first_day, as_of), kind), period_start(as_of, kind),
                           freq=f"{MONTHS_IN[kind]}MS")
    return sorted((d.date() for d in starts), reverse=True)


def period_label(start: dt.date, kind: str) -> str:
    return t("dyn_label_" + kind, y=start.year, m=start.month, q=(start.month - 1) // 3 + 1)


# ---- reading the flows query --------------------------------------------------------------------

def stock_value(flows: pd.DataFrame, movement: str, column: str):
    return flows.loc[flows.movement == movement, column].iloc[0]


def movement_rows(flows: pd.DataFrame, stock: str, unit: str) -> pd.DataFrame:
    """The movements that can change a stock: the registry's are the in/out ones (返贫 and 标注脱贫 move
    within it); member movements carry no households."""
    rows = flows[flows.direction != "stock"]
    if stock == "registry":
        rows = rows[rows.direction != "within"]
    if unit == "households":
        rows = rows[~rows.movement.isin(MEMBER_MOVEMENTS)]
    return rows


def zoomed_range(values: pd.Series, measures: pd.Series) -> list[float]:
    """A y range that keeps a quarter's few dozen movements visible next to a stock of thousands: from a
    little below the lowest level the bars reach (never below 0) to a little above the highest."""
    levels, level = [], 0
    for value, measure in zip(values, measures, strict=True):
        level = value if measure == "absolute" else level + value
        levels.append(level)
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.25, 1)
    bottom = max(low - (high - low) - 4 * pad, 0)
    return [bottom, high + 2 * pad]


def waterfall(flows: pd.DataFrame, stock: str, unit: str) -> tuple[go.Figure, pd.DataFrame]:
    column = f"{stock}_{unit}"
    opening, closing = STOCK_ROWS[stock]
    steps = movement_rows(flows, stock, unit)
    frame = pd.DataFrame({
        "step": [t("dyn_opening"), *(t("dyn_mv_" + m) for m in steps.movement), t("dyn_closing")],
        "value": [stock_value(flows, opening, column), *steps[column], stock_value(flows, closing, column)],
        "measure": ["absolute", *["relative"] * len(steps), "absolute"],
    })
    values = frame.value.astype("int64")
    colors = STEP_COLORS[stock]
    fig = go.Figure(go.Waterfall(
        x=frame.step.tolist(), y=values.tolist(), measure=frame.measure.tolist(),
        text=[count(v) if m == "absolute" else signed(v) for v, m in zip(values, frame.measure, strict=True)],
        textposition="outside", cliponaxis=False,
        increasing=dict(marker_color=colors["increasing"]), decreasing=dict(marker_color=colors["decreasing"]),
        totals=dict(marker_color=TOTAL_COLOR), connector=dict(line=dict(color="#999999", width=1)),
        hovertemplate="%{x}: %{y:,}<extra></extra>",
    ))
    bottom, top = zoomed_range(values, frame.measure)
    charts.axes(fig, y=dict(title=t("dyn_" + unit), range=[bottom, top], tickformat=",d"))
    if bottom > 0:  # zoomed to show a quarter's few dozen movements on a stock of thousands: say so
        charts.axis_break(fig, bottom)
    charts.axes(fig, x=dict(type="category"))
    fig.update_layout(showlegend=False)
    shown = frame.drop(columns="measure").rename(columns={"step": t("dyn_col_step"), "value": t("dyn_" + unit)})
    return fig, shown


def reconciliation_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The flows_reconciliation rows as shown: stock and unit in words, ✓ / ✗."""
    return pd.DataFrame({
        "stock": [t("dyn_stock_" + stock) for stock in rows.stock],
        "unit": [t("dyn_unit_" + unit[0]) for unit in rows.unit],
        "opening": rows.opening,
        "in": rows.inflow,
        "out": rows.outflow,
        "computed": rows.computed,
        "closing": rows.closing,
        "check": ["✓" if ok else "✗" for ok in rows.is_reconciled],
    })


# ---- the page -----------------------------------------------------------------------------------

view = state.page_header("page_dynamics")
span = scoped.query("data_span").iloc[0]
first_day = span.first_date.date() if pd.notna(span.first_date) else view.as_of

with st.container(horizontal=True, vertical_alignment="bottom"):
    kind = st.segmented_control(t("dyn_period_type"), PERIOD_KINDS, default="quarter", required=True,
                                format_func=lambda k: t("dyn_period_" + k), key="dyn_period")
    starts = window_starts(first_day, view.as_of, kind)
    # a new period type or as-of date starts again from the period holding the as-of date
    if st.session_state.get("_dyn_window_for") != (kind, view.as_of) or st.session_state.get("dyn_window") not in starts:
        st.session_state["dyn_window"] = starts[0]
        st.session_state["_dyn_window_for"] = (kind, view.as_of)
    window_start = st.selectbox(t("dyn_window"), starts, format_func=lambda d: period_label(d, kind),
                                key="dyn_window", width=220)
window_end = min(period_end(window_start, kind), view.as_of)
cut = t("dyn_window_cut") if window_end < period_end(window_start, kind) else ""
st.caption(t("dyn_window_dates", start=f"{window_start:%Y-%m-%d}", end=f"{window_end:%Y-%m-%d}") + cut)

flows = scoped.query("flows", start=window_start, end=window_end, region=view.region)
reconciled = scoped.query("flows_reconciliation", start=window_start, end=window_end, region=view.region)
if flows.empty:
    st.info(t("no_data"))
    state.stop_page()

tiles = st.columns(4)
for tile, stock in zip((tiles[:2], tiles[2:]), STOCK_ROWS, strict=True):
    of_stock = reconciled[reconciled.stock == stock].set_index("unit")
    households, people = of_stock.loc["households"], of_stock.loc["people"]
    with tile[0].container(border=True):
        st.metric(t(f"dyn_opening_{stock}"), pair(households.opening, people.opening))
    with tile[1].container(border=True):
        st.metric(t(f"dyn_closing_{stock}"), pair(households.closing, people.closing),
                  delta=t("households_people", h=signed(households.change), p=signed(people.change)),
                  **change_arrow(households.change, people.change, "off" if stock == "registry" else "inverse"))

st.subheader(t("dyn_flows_title"))
for tab, stock in zip(st.tabs([t("dyn_stock_registry"), t("dyn_stock_poor")]), STOCK_ROWS, strict=True):
    with tab:
        for column, unit in zip(st.columns(2), ("households", "people"), strict=True):
            with column:
                title = t("dyn_waterfall_title", stock=t("dyn_stock_" + stock), unit=t("dyn_" + unit))
                st.markdown(f"**{title}**")
                fig, shown = waterfall(flows, stock, unit)
                charts.show(fig, shown, f"{title} {window_start}_{window_end}", key=f"dyn_{stock}_{unit}", height=380)

st.subheader(t("dyn_reconciliation"))
table = reconciliation_table(reconciled)
if reconciled.all_reconciled.iloc[0]:
    st.success(t("dyn_all_reconciled"))
else:
    st.error(t("dyn_not_reconciled"))
labels = {column: t("dyn_col_" + column) for column in table.columns}
tables.grid(table, hide_index=True, column_config={
    column: st.column_config.NumberColumn(label, format="localized")
    if column in ("opening", "in", "out", "computed", "closing") else label
    for column, label in labels.items()
})
charts.download(table.rename(columns=labels), f"{t('dyn_reconciliation')} {window_start}_{window_end}",
                key="dyn_download_reconciliation")

left, right = st.columns(2)
with left:
    st.subheader(t("dyn_deregistration"))
    reasons = flows.set_index("movement").loc[list(DEREGISTRATIONS), ["households", "people"]].reset_index()
    reason_labels = [t("dyn_mv_" + m) for m in reasons.movement]
    fig = go.Figure([
        go.Bar(x=reason_labels, y=reasons[unit].tolist(), name=t("dyn_" + unit), marker_color=color,
               texttemplate="%{y:,}", textposition="outside", cliponaxis=False,
               hovertemplate="%{x}: %{y:,}<extra></extra>")
        for unit, color in (("households", charts.ACCENT), ("people", charts.SEQUENCE[1]))
    ])
    fig.update_layout(barmode="group")
    charts.axes(fig, y=dict(title=t("dyn_count_axis")))
    charts.count_axis(fig, [*reasons.households, *reasons.people])
    charts.axes(fig, x=dict(title=t("dyn_reason_axis"), type="category"))
    shown = reasons.assign(movement=reason_labels).rename(columns={
        "movement": t("dyn_reason_axis"), "households": t("dyn_households"), "people": t("dyn_people")})
    charts.show(fig, shown, f"{t('dyn_deregistration')} {window_start}_{window_end}", key="dyn_deregistration",
                height=360)
    st.caption(t("dyn_deregistration_note"))

with right:
    st.subheader(t("dyn_exits_title"))
    # every year's exits to the date, as the overview reads them (one quarterly query serves every quarter end)
    exits = landing.exits_to(scoped.query, first_day, state.quarter_ends()[0], view.as_of, view.region)
    years = exits.period.dt.year.astype(str).tolist()
    unit_tabs = st.tabs([t("dyn_people"), t("dyn_households")])
    for tab, unit, rate_column in zip(unit_tabs, ("people", "households"),
                                      ("completion_rate", "households_completion_rate"), strict=True):
        with tab:
            plan = exits["planned_" + unit].astype("float64").tolist()  # NULL plan → gap
            rates = (exits[rate_column].astype("float64") * 100).tolist()
            fig = go.Figure([
                go.Bar(x=years, y=exits[unit].tolist(), name=t("dyn_exited"), marker_color=charts.STATUS_COLORS["已脱贫"],
                       hovertemplate="%{x}: %{y:,}<extra></extra>"),
                go.Bar(x=years, y=plan, name=t("dyn_planned"), marker_color="#bdbdbd",
                       hovertemplate="%{x}: %{y:,}<extra></extra>"),
                go.Scatter(x=years, y=rates, name=t("dyn_completion"), yaxis="y2",
                           mode="lines+markers", line=dict(color="#333333", dash="dot"),
                           hovertemplate="%{x}: %{y:.2f}%<extra></extra>"),
            ])
            top_rate = max([110.0, *(r for r in rates if r == r)])  # r == r: not NaN
            fig.update_layout(barmode="group", yaxis=dict(title=t("dyn_" + unit), rangemode="tozero", tickformat=",d"),
                              yaxis2=dict(title=t("dyn_completion"), overlaying="y", side="right", showgrid=False,
                                          range=[0, top_rate * 1.05], dtick=25, ticksuffix="%"))
            charts.axes(fig, x=dict(title=t("dyn_col_year"), type="category"))
            charts.show(fig, exits, f"{t('dyn_exits_title')} {t('dyn_' + unit)}", key=f"dyn_exits_{unit}", height=330)
    st.caption(t("dyn_exits_span", first=f"{first_day:%Y-%m-%d}", end=f"{view.as_of:%Y-%m-%d}"))
planned = exits[["planned_households", "planned_people"]].astype("float64")  # NULL plan → NaN → "—"
exits_table = pd.DataFrame({
    "year": years,
    "exited": [pair(h, p) for h, p in zip(exits.households, exits.people, strict=True)],
    "planned": [pair(h, p) if pd.notna(p) else "—"
                for h, p in zip(planned.planned_households, planned.planned_people, strict=True)],
    "rate_households": exits.households_completion_rate.astype("float64").map(percent),
    "rate_people": exits.completion_rate.astype("float64").map(percent),
})
exit_labels = {column: t("dyn_col_" + column) for column in exits_table.columns}
st.markdown(f"**{t('dyn_exits_title')}**")
tables.grid(exits_table, hide_index=True, column_config=exit_labels)
charts.download(exits_table.rename(columns=exit_labels), t("dyn_exits_title"), key="dyn_download_exits")
