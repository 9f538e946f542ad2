"""The overview on paper: its headline tiles, red flags and charts for a PDF (ui/pdf.py), and the stamp that
heads every printed page and every exported file — the region, the as-of date, the data package's name and
the data generation, never a server path.

Every figure is read from the catalog queries the overview page draws (registry_summary, registry_change,
exits_by_period, incidence_trend, incidence_exit_line, village_exit_check, funds_schedule,
household_exit_risks_by, flows_reconciliation; monitoring_summary's figures, read from monitoring_change, when
the package holds monitoring data) with the same parameters; this module only words them. No personal data:
counts and village names. No Streamlit import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import PurePosixPath, PureWindowsPath

import pandas as pd

from etl import service
from queries import landing
from ui import pdf
from ui.exports import Table, is_missing
from ui.formatting import count, percent, signed, signed_points
from ui.i18n import translate

QueryFn = Callable[..., pd.DataFrame]


def _query(source) -> QueryFn:
    return source.query if hasattr(source, "query") else source


def package_name(package, language: str) -> str:
    """What a load stamp's package is called on screen and paper: 演示数据 for the bundled demo, the folder's
    or file's own name for a package loaded from a path (never the path), the file names of an upload as
    they came."""
    if is_missing(package) or not str(package).strip():
        return "—"
    package = str(package).strip()
    if service.is_demo_package(package):
        return translate(language, "demo_package_name")
    if "/" in package or "\\" in package:
        path = PureWindowsPath(package) if "\\" in package else PurePosixPath(package)
        return path.name or package.strip("/\\").rsplit("/", 1)[-1] or "—"
    return package


def generation(loaded) -> str:
    """The data generation a figure was computed from: when its package was loaded and the package's
    checksum (the first 12 hex digits), as load_info stamps it."""
    if loaded is None:
        return "—"
    sha = loaded.get("package_sha256") if hasattr(loaded, "get") else None
    at = f"{pd.Timestamp(loaded['loaded_at']):%Y-%m-%d %H:%M}"
    return f"{at} · {str(sha)[:12]}" if sha is not None and not is_missing(sha) else at


def stamp(source, region_name: str, region: str, as_of: dt.date, language: str) -> str:
    """区域：演示县（…）· 截至 2025-09-30 · 数据包：演示数据 · 数据版本：2026-12-01 09:30 · 1a2b3c4d5e6f"""
    info = _query(source)("load_info")
    loaded = info.iloc[0] if len(info) else None
    return translate(language, "paper_stamp", region=region_name, code=region, as_of=f"{as_of:%Y-%m-%d}",
                     package=package_name(loaded["package"], language) if loaded is not None else "—",
                     generation=generation(loaded))


def page_label(language: str) -> str:
    """The footer's page numbers, "第 {n} 页 / 共 {total} 页"."""
    return translate(language, "paper_page", n="{n}", total="{total}")


def overview_figures(source, as_of: dt.date, region: str, rules: str, language: str,
                     previous: dt.date | None = None) -> pdf.Figures:
    """The overview page's tiles, red flags and charts at `as_of` for `region` (pages/overview.py), the
    changes since `previous` (by default the quarter end before `as_of`)."""
    query = _query(source)

    def tr(key: str, **values) -> str:
        return translate(language, key, **values)

    def pair(households, people) -> str:
        return tr("households_people", h=count(households), p=count(people))

    previous = previous or landing.previous_quarter_end(as_of)
    span = query("data_span").iloc[0]
    tree = query("regions")
    # the page's queries for the view (queries/landing.py), so that the paper reads the page's results
    ask = landing.OverviewAsk(landing.OverviewView(
        as_of=as_of, previous=previous, region=region, region_level=str(tree[tree.code == region].level.iloc[0]),
        rules=rules, first_day=span.first_date.date() if not is_missing(span.first_date) else dt.date(as_of.year, 1, 1),
        last_quarter_end=landing.quarter_ends(span)[0], has_monitoring=bool(span.has_monitoring),
        warning_rule_set=None), query)  # the paper has no 部门预警 flag
    moved = ask("registry_change").iloc[0]
    now = moved  # registry_change carries registry_summary's figures at the date too (as the overview reads them)
    exits = landing.every_years_exits(ask)
    this_year = landing.this_years_exits(ask, exits)

    def change(stock: str) -> str:
        return tr("change_since", date=f"{previous:%Y-%m-%d}", value=tr(
            "households_people", h=signed(moved[f"households_{stock}_change"]),
            p=signed(moved[f"people_{stock}_change"])))

    row = this_year.iloc[-1] if len(this_year) else None
    tiles = (
        pdf.Tile(tr("registered"), pair(now.households_registered, now.people_registered), change("registered")),
        pdf.Tile(tr("still_poor"), pair(now.households_poor, now.people_poor), change("poor")),
        pdf.Tile(tr("exited_this_year", year=as_of.year), pair(row.households, row.people) if row is not None else "—",
                 tr("against_plan", plan=pair(row.planned_households, row.planned_people),
                    rate=percent(row.completion_rate))
                 if row is not None and not is_missing(row.planned_people) else tr("no_plan")),
        pdf.Tile(tr("incidence"), percent(now.incidence),
                 tr("change_since", date=f"{previous:%Y-%m-%d}", value=signed_points(moved.incidence_change))),
    )
    if "monitored" in ask:
        monitored = ask("monitored").iloc[0]
        tiles += (
            pdf.Tile(tr("mon_identified"), pair(monitored.households_identified, monitored.people_identified)),
            pdf.Tile(tr("mon_at_risk"), pair(monitored.households_at_risk, monitored.people_at_risk),
                     tr("mon_clearance_rate") + " " + percent(monitored.clearance_rate)),
        )

    villages = ask("villages")
    schedule = ask("schedule")
    risks = ask("risks").iloc[0]
    reconciliation = ask("reconciliation")
    failing = villages[villages.is_failing_not_exited]
    due = schedule[schedule.is_due & schedule.is_met.eq(False)]
    reconciled = not len(reconciliation) or bool(reconciliation.all_reconciled.iloc[0])
    names = tr("rpt_names_sep").join(failing.village_name.head(6)) + ("……" if len(failing) > 6 else "")
    worst = due.iloc[-1] if len(due) else None
    flags = (
        pdf.Tile(tr("flag_villages_failing"), tr("villages_n", n=count(len(failing))), names),
        pdf.Tile(tr("flag_spending_behind"), percent(worst.spending_rate) if worst is not None else tr("none"),
                 tr("schedule_target", date=f"{worst.deadline:%Y-%m-%d}", target=percent(worst.spending_target))
                 if worst is not None else ""),
        pdf.Tile(tr("flag_wrong_exits", year=as_of.year), pair(risks.households, risks.people)),
        pdf.Tile(tr("flag_reconciliation"), tr("reconciled") if reconciled else tr("not_reconciled")),
    )

    trend = landing.incidence_trend(ask)
    exit_line = ask("exit_line")  # 2%, 3% in the west
    threshold = exit_line.threshold.iloc[0] if len(exit_line) else None
    has_line = threshold is not None and not is_missing(threshold)
    charts = (
        pdf.Chart(tr("incidence_trend"), tuple(f"{pd.Timestamp(d):%Y-%m}" for d in trend.as_of),
                  tr("incidence") + " (%)", line=tuple(_number(v, 100) for v in trend.incidence),
                  line_name=tr("incidence"), decimals=2, target=float(threshold) * 100 if has_line else None,
                  target_name=tr("exit_line", threshold=percent(threshold)) if has_line else ""),
        pdf.Chart(tr("exits_vs_plan"), tuple(str(p.year) for p in exits.period), tr("unit_people_axis"),
                  bars=tuple(_number(v) for v in exits.people), bar_name=tr("exited_people"),
                  line=tuple(_number(v) for v in exits.planned_people), line_name=tr("planned_people"),
                  line_is_target=True),
    )
    return pdf.Figures(tr("paper_key_figures"), tiles, tr("red_flags"), flags, charts)


def _number(value, scale: float = 1.0) -> float | None:
    return None if is_missing(value) else float(value) * scale


def overview_paper(source, as_of: dt.date, region: str, rules: str, language: str,
                   previous: dt.date | None = None, tables: tuple[Table, ...] = ()) -> pdf.Paper:
    """What the overview's PDF holds — its figures, then `tables` (the page's township table). The page
    makes it when its PDF button is clicked (overview_pdf), from the queries of the run that drew the
    button (ui/scoped.later: the same generation, scope and shared results)."""
    query = _query(source)
    tree = query("regions")
    name = str(tree[tree.code == region].name.iloc[0])
    return pdf.Paper(
        title=translate(language, "paper_overview_title", region=name),
        stamp=stamp(query, name, region, as_of, language),
        page_label=page_label(language),
        language=language,
        figures=overview_figures(query, as_of, region, rules, language, previous),
        tables=tables,
    )


def overview_pdf(source, as_of: dt.date, region: str, rules: str, language: str,
                 previous: dt.date | None = None, tables: tuple[Table, ...] = ()) -> bytes:
    """The overview as an A4 PDF."""
    return pdf.pdf_bytes(overview_paper(source, as_of, region, rules, language, previous, tables))
