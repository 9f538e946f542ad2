"""地图 Map: the areas under the region in view coloured by one metric — 贫困发生率, 未脱贫人口, 出列状态,
支出进度 or, when the package holds monitoring data, 未消除风险的监测对象 — with a ranked table beside it. Clicking an area (or a table row) drills into it.

County in view → its townships; a township → its villages; a village → its township's villages with
the village outlined. Boundaries come from the database (query `boundaries`), nothing from the internet;
areas without one are named under the map, and the table always lists every area.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts, maps, plain, scoped, state, tables
from ui.formatting import count, listed, pair, percent, wan_yuan
from ui.i18n import t
from ui.maps import MapClass

METRICS = ("incidence", "people_poor", "exit", "spending")
MONITORING_METRICS = ("at_risk",)  # 防返贫监测 (after 2020), offered when the package holds monitoring data
FUNDS_DIMENSION = {"乡镇": "township", "村": "village"}
SPENDING_CUTS = [0.3, 0.6, 0.9]  # presentation breaks near the usual quarterly schedule targets
TABLE_COLUMNS = 5  # shown beside the map; the download has every column

view = state.page_header("page_map")
offered = METRICS + (MONITORING_METRICS if scoped.query("data_span").iloc[0].has_monitoring else ())
metric = st.segmented_control(t("map_metric"), offered, format_func=lambda m: t("map_metric_" + m),
                              key="map_metric", default="incidence", required=True) or "incidence"

# the areas on the map: the children of the region in view, or a village's siblings with it outlined
# (the village alone when its township lies outside the account's scope)
if len(state.children(view.region)):
    scope, focus = view.region, None
    level = state.children(scope).level.iloc[0]
elif (parent := state.region_row(view.region).parent_code) in set(state.regions().code):
    scope, focus = parent, view.region
    level = state.region_row(view.region).level
else:
    scope, focus = view.region, None
    level = state.region_row(view.region).level
if level not in FUNDS_DIMENSION:
    st.info(t("map_level_unsupported"))
    state.stop_page()
level_name = t("map_level_" + level)


def range_label(low: str | None, high: str | None) -> str:
    if low is None:
        return t("map_below", b=high)
    if high is None:
        return t("map_at_least", a=low)
    return t("map_between", a=low, b=high)


areas = scoped.query("boundaries", region=scope, level=level)
registry = scoped.query("poverty_incidence", as_of=view.as_of, level=level, region=scope)
areas = areas.merge(registry.drop(columns="region_name"), on="region_code", how="left")
areas["hover"] = [f"<b>{plain.html(name)}</b><br>" + t("map_hover_poor", pair=pair(h, p))
                  for name, h, p in zip(areas.region_name, areas.households_poor, areas.people_poor, strict=True)]
columns = {  # the table's columns in order: frame column → its column config (label included)
    "rank": st.column_config.NumberColumn(t("map_col_rank"), format="%d", width=48),
    "region_name": st.column_config.TextColumn(t("level_" + level)),
}
notes: list[str] = []


# ---- one block per metric: the value, its class, the hover lines, the table columns, the ranking

def incidence_line() -> float | None:
    """The preset's incidence exit line for these villages (the west one where they are 西部)."""
    checks = scoped.query("village_exit_check", as_of=view.as_of, rules=view.rules, region=scope)
    lines = checks.incidence_threshold.dropna().unique()
    if len(lines) == 1:
        return float(lines[0])
    rules = scoped.query("exit_rules")
    rule = rules[(rules.preset == view.rules) & (rules.criterion == "incidence")].threshold.dropna()
    return float(rule.iloc[0]) if len(rule) else None


if metric == "incidence":
    line = incidence_line()
    # breaks at fractions and multiples of the preset's exit line, which is one of them: the colours
    # turn from green and yellow to red there (ui/maps.INCIDENCE_COLORS)
    cuts = [line / 8, line / 4, line / 2, line, 2 * line, 5 * line] if line else [0.01, 0.02, 0.03]
    labels = [percent(c) for c in cuts]
    classes = [MapClass("zero", percent(0), maps.INCIDENCE_COLORS[0])] + [
        MapClass(f"c{i}", range_label(labels[i - 1] if i else None, labels[i] if i < len(cuts) else None), color)
        for i, color in zip(range(len(cuts) + 1), maps.INCIDENCE_COLORS[-len(cuts) - 1:], strict=True)]
    index = maps.classify(areas.incidence, cuts)
    areas["class_key"] = [maps.NO_DATA if pd.isna(v) else ("zero" if v == 0 else f"c{int(i)}")
                          for v, i in zip(areas.incidence, index, strict=True)]
    areas["hover"] += ["<br>" + t("map_hover_incidence", value=percent(v), population=count(n)) for v, n in
                       zip(areas.incidence, areas.rural_population, strict=True)]
    areas["incidence_pct"] = areas.incidence * 100
    legend = t("map_legend_incidence", line=percent(line)) if line else t("incidence")
    columns |= {
        "incidence_pct": st.column_config.NumberColumn(t("map_col_incidence"), format="%.2f%%"),
        "households_poor": st.column_config.NumberColumn(t("map_col_households_poor"), format="localized"),
        "people_poor": st.column_config.NumberColumn(t("map_col_people_poor"), format="localized"),
        "rural_population": st.column_config.NumberColumn(t("map_col_rural_population"), format="localized"),
    }
    ranked = areas.sort_values(["incidence", "region_code"], ascending=[False, True], na_position="last")

elif metric == "people_poor":
    breaks = maps.count_breaks(areas.people_poor)
    lows, highs = [1, *breaks], [*breaks, None]
    classes = [MapClass("zero", t("map_people", n=0), maps.INCIDENCE_COLORS[0])] + [
        MapClass(f"c{i}", t("map_people_at_least", n=count(low)) if high is None
                 else t("map_people", n=count(low)) if high == low + 1
                 else t("map_people_between", a=count(low), b=count(high - 1)), color)
        for i, (low, high, color) in enumerate(zip(lows, highs, maps.COUNT_COLORS, strict=False))]
    index = maps.classify(areas.people_poor, breaks)
    areas["class_key"] = [maps.NO_DATA if pd.isna(v) else ("zero" if v == 0 else f"c{int(i)}")
                          for v, i in zip(areas.people_poor, index, strict=True)]
    areas["hover"] += ["<br>" + t("map_hover_incidence", value=percent(v), population=count(n)) for v, n in
                       zip(areas.incidence, areas.rural_population, strict=True)]
    areas["incidence_pct"] = areas.incidence * 100
    legend = t("map_legend_people_poor")
    columns |= {
        "people_poor": st.column_config.NumberColumn(t("map_col_people_poor"), format="localized"),
        "households_poor": st.column_config.NumberColumn(t("map_col_households_poor"), format="localized"),
        "incidence_pct": st.column_config.NumberColumn(t("map_col_incidence"), format="%.2f%%"),
    }
    ranked = areas.sort_values(["people_poor", "households_poor", "region_code"], ascending=[False, False, True])

elif metric == "exit" and level == "村":
    checks = scoped.query("village_exit_check", as_of=view.as_of, rules=view.rules, region=scope)
    areas = areas.merge(checks[["village_code", "exited_on", "overall_pass"]],
                        left_on="region_code", right_on="village_code", how="left")
    is_poor = areas.region_code.isin(checks.village_code)
    areas["class_key"] = ["not_poor" if not poor else ("exited" if pd.notna(day) else "not_exited")
                          for poor, day in zip(is_poor, areas.exited_on, strict=True)]
    classes = [MapClass("not_exited", t("map_not_exited"), charts.FAIL_COLOR),
               MapClass("exited", t("map_exited"), charts.PASS_COLOR),
               MapClass("not_poor", t("map_not_poor_village"), maps.NOT_POOR_COLOR)]
    labels = {c.key: c.label for c in classes}
    areas["status"] = areas.class_key.map(labels)
    areas["exited_on_text"] = [f"{day:%Y-%m-%d}" if pd.notna(day) else "" for day in areas.exited_on]
    areas["standard"] = [(t("map_meets") if ok else t("map_fails")) if poor else ""  # overall_pass is never NULL
                         for ok, poor in zip(areas.overall_pass, is_poor, strict=True)]
    areas["hover"] += [
        "<br>" + t("map_hover_status", status=status)
        + ("<br>" + t("map_hover_exited_on", date=day) if day else "")
        + ("<br>" + t("map_hover_standard", rules=plain.html(state.preset_label(view.rules)), result=result) if result else "")
        for status, day, result in zip(areas.status, areas.exited_on_text, areas.standard, strict=True)]
    legend = t("map_legend_exit_village")
    columns |= {
        "status": st.column_config.TextColumn(t("map_col_status")),
        "exited_on_text": st.column_config.TextColumn(t("map_col_exited_on"), width=92),
        "standard": st.column_config.TextColumn(t("map_col_standard", rules=state.preset_label(view.rules))),
        "people_poor": st.column_config.NumberColumn(t("map_col_people_poor"), format="localized"),
    }
    order = {"not_exited": 0, "exited": 1, "not_poor": 2}
    ranked = areas.assign(_order=areas.class_key.map(order)).sort_values(["_order", "region_code"])

elif metric == "exit":  # townships: how many poor villages are still to exit (poverty_incidence, per area)
    areas["class_key"] = ["no_poor" if total == 0 else f"r{min(int(left), 3)}"
                          for total, left in zip(areas.poor_villages_total, areas.poor_villages_remaining,
                                                 strict=True)]
    classes = [MapClass("r0", t("map_all_exited"), charts.PASS_COLOR),
               *[MapClass(f"r{n}", t("map_remaining", n=n), color)
                 for n, color in zip((1, 2), maps.COUNT_COLORS[1:3], strict=True)],
               MapClass("r3", t("map_remaining_at_least", n=3), maps.COUNT_COLORS[3]),
               MapClass("no_poor", t("map_no_poor_villages"), maps.NOT_POOR_COLOR)]
    areas["hover"] += ["<br>" + t("map_hover_remaining", n=count(left), total=count(total))
                       for left, total in zip(areas.poor_villages_remaining, areas.poor_villages_total, strict=True)]
    legend = t("map_legend_exit_township")
    columns |= {
        "poor_villages_remaining": st.column_config.NumberColumn(t("map_col_remaining"), format="%d"),
        "poor_villages_total": st.column_config.NumberColumn(t("map_col_poor_villages"), format="%d"),
        "people_poor": st.column_config.NumberColumn(t("map_col_people_poor"), format="localized"),
    }
    ranked = areas.sort_values(["poor_villages_remaining", "region_code"], ascending=[False, True])

elif metric == "at_risk":  # 防返贫监测: households at risk at the date in each area (monitoring_by)
    monitored = scoped.query("monitoring_by", as_of=view.as_of, region=scope, dimension=FUNDS_DIMENSION[level])
    areas = areas.merge(monitored[["group_code", "households_at_risk", "people_at_risk", "households_identified",
                                   "people_identified", "clearance_rate"]],
                        left_on="region_code", right_on="group_code", how="left")
    breaks = maps.count_breaks(areas.households_at_risk)
    lows, highs = [1, *breaks], [*breaks, None]
    classes = [MapClass("zero", t("map_households", n=0), maps.INCIDENCE_COLORS[0])] + [
        MapClass(f"c{i}", t("map_households_at_least", n=count(low)) if high is None
                 else t("map_households", n=count(low)) if high == low + 1
                 else t("map_households_between", a=count(low), b=count(high - 1)), color)
        for i, (low, high, color) in enumerate(zip(lows, highs, maps.COUNT_COLORS, strict=False))]
    index = maps.classify(areas.households_at_risk, breaks)
    areas["class_key"] = [maps.NO_DATA if pd.isna(v) else ("zero" if v == 0 else f"c{int(i)}")
                          for v, i in zip(areas.households_at_risk, index, strict=True)]
    areas["hover"] += ["<br>" + t("map_hover_at_risk", pair=pair(h, p), identified=pair(hi, pi))
                       for h, p, hi, pi in zip(areas.households_at_risk, areas.people_at_risk,
                                               areas.households_identified, areas.people_identified, strict=True)]
    areas["clearance_pct"] = areas.clearance_rate * 100
    legend = t("map_legend_at_risk")
    columns |= {
        "households_at_risk": st.column_config.NumberColumn(t("map_col_households_at_risk"), format="localized"),
        "people_at_risk": st.column_config.NumberColumn(t("map_col_people_at_risk"), format="localized"),
        "households_identified": st.column_config.NumberColumn(t("map_col_households_identified"),
                                                               format="localized"),
        "clearance_pct": st.column_config.NumberColumn(t("map_col_clearance_rate"), format="%.2f%%"),
    }
    ranked = areas.sort_values(["households_at_risk", "people_at_risk", "region_code"],
                               ascending=[False, False, True], na_position="last")

else:  # spending: 支出 ÷ 下达 of the as-of year's projects in each area
    funds = scoped.query("funds_by", as_of=view.as_of, year=view.year, region=scope, dimension=FUNDS_DIMENSION[level])
    placed = funds[funds.group_code.notna()]
    areas = areas.merge(placed[["group_code", "projects", "allocated", "spent", "spending_rate"]],
                        left_on="region_code", right_on="group_code", how="left")
    index = maps.classify(areas.spending_rate, SPENDING_CUTS)
    areas["class_key"] = [maps.NO_DATA if pd.isna(i) else f"s{int(i)}" for i in index]
    labels = [percent(c) for c in SPENDING_CUTS]
    classes = [MapClass(f"s{i}", range_label(labels[i - 1] if i else None, labels[i] if i < len(labels) else None),
                        color) for i, color in enumerate(maps.SPENDING_COLORS)]
    areas["hover"] += [
        "<br>" + (t("map_hover_spending", rate=percent(rate), spent=wan_yuan(spent), allocated=wan_yuan(allocated),
                    n=count(n), year=view.year) if pd.notna(n) else t("map_hover_no_projects", year=view.year))
        for rate, spent, allocated, n in zip(areas.spending_rate, areas.spent, areas.allocated, areas.projects,
                                             strict=True)]
    areas["spending_pct"] = areas.spending_rate * 100
    areas["allocated_wan"] = areas.allocated.astype(float) / 10_000
    areas["spent_wan"] = areas.spent.astype(float) / 10_000
    legend = t("map_legend_spending", year=view.year)
    columns |= {
        "spending_pct": st.column_config.NumberColumn(t("map_col_spending"), format="%.2f%%"),
        "spent_wan": st.column_config.NumberColumn(t("map_col_spent"), format="%.2f"),
        "allocated_wan": st.column_config.NumberColumn(t("map_col_allocated"), format="%.2f"),
        "projects": st.column_config.NumberColumn(t("map_col_projects"), format="%d"),
    }
    ranked = areas.sort_values(["spending_rate", "region_code"], na_position="last")
    unplaced = funds[funds.group_code.isna()]  # funds_by's one NULL group: projects placed above this level
    if len(unplaced):
        row = unplaced.iloc[0]
        notes.append(t("map_unplaced_projects", n=count(row.projects), allocated=wan_yuan(row.allocated),
                       spent=wan_yuan(row.spent)))

classes.append(maps.no_data_class(t("no_data")))
legend_names = {c.key: c.label for c in classes}
areas["class_label"] = areas.class_key.map(legend_names)
ranked = areas.loc[ranked.index].assign(rank=range(1, len(ranked) + 1))  # the metric block chose the order
if maps.NO_DATA in set(areas.class_key):
    notes.append(t("map_no_data_note"))


# ---- draw: the map on the left, the ranked table on the right ----------------------------------

scope_name = state.region_row(scope)["name"]
title = (t("map_title_single", region=scope_name, metric=t("map_metric_" + metric)) if scope == view.region
         and not len(state.children(scope)) else
         t("map_title", region=scope_name, level=level_name, metric=t("map_metric_" + metric)))
st.subheader(plain.md(title))  # the region name is data
left, right = st.columns(2, gap="medium")
drawn = areas[areas.has_boundary]
missing = areas[~areas.has_boundary]

with left:
    if drawn.empty:
        st.info(t("map_no_boundaries"), icon=":material/map:")
    else:
        fig = maps.choropleth(drawn, classes, legend_title=legend, focus=focus)
        shown_columns = [c for c in columns if c != "rank"]
        chart = charts.show(fig, ranked[["region_code", *shown_columns, "class_label"]].rename(
            columns={"region_code": t("map_col_code"), "class_label": t("map_col_class"),
                     **{c: columns[c]["label"] for c in shown_columns}}),
            title, key=f"map_{view.region}_{metric}", on_select="rerun", selection_mode="points")
        clickable = set(drawn.region_code) - {view.region}
        if target := maps.clicked_region(chart, clickable):
            state.go_to_region(target)
        if clickable:
            st.caption(t("map_click_hint")
                       + (t("map_focus_note", name=plain.md(state.region_row(focus)["name"])) if focus else ""))
        if len(missing):
            st.warning(t("map_missing_boundaries", n=len(missing), names=plain.md(listed(missing.region_name))),
                       icon=":material/wrong_location:")
    for note in notes:
        st.caption(note)

with right:
    table = tables.grid(
        ranked[["region_code", *columns]],
        hide_index=True,
        column_order=list(columns)[:TABLE_COLUMNS],
        column_config=columns,
        on_select="rerun",
        selection_mode="single-row",
        key=f"map_table_{view.region}_{metric}",
    )
    charts.download(ranked[list(columns)].rename(columns={c: config["label"] for c, config in columns.items()}),
                    title + "_" + t("map_table"), key=f"download_map_table_{view.region}_{metric}")
    rows = table.selection.rows if table is not None else []
    if rows and (picked := ranked.region_code.iloc[rows[0]]) != view.region:
        state.go_to_region(picked)
