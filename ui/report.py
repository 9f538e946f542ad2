"""汇报材料: the text a poverty office writes into its report-back, for one region at one date, with the
tables behind it, as Word, Excel and PDF files (the PDF with the overview's figures first, ui/paper.py).

Every number is read from a catalog query (registry_summary, registry_by_category, registry_by_cause,
exits_by_period, flows, funds_summary, funds_by, village_exit_check; monitoring_summary and monitoring_by when
the package holds monitoring data) with the filters the other pages
pass, so the report says what the pages show; this module only picks rows and words them
(docs/domain.md, "How reports read"). No personal data enters a report. No Streamlit import: the page, the
exports and the tests call `build_report` with `ui.scoped.query` or a `queries.Database`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from queries import landing
from ui import exports, paper, pdf, plain, progress
from ui.exports import Section, Table, is_missing
from ui.formatting import count, percent
from ui.i18n import STRINGS, translate

QueryFn = Callable[..., pd.DataFrame]

MOVEMENTS = ("期初在册", "期初未脱贫", "识别纳入", "返贫", "标注脱贫", "清退", "自然销户", "自然增加", "自然减少",
             "期末在册", "期末未脱贫")


def tr(language: str, key: str, **values) -> str:
    """A string of ui/i18n.STRINGS in the given language (the report does not follow the session)."""
    return translate(language, key, **values)


def label(language: str, prefix: str, value) -> str:
    """A data value's translation (e.g. cat_低保贫困户) when the table has one, else the value itself."""
    if is_missing(value):
        return "—"
    key = f"{prefix}{value}"
    return tr(language, key) if key in STRINGS else str(value)


@dataclass(frozen=True)
class Report:
    title: str
    filters_line: str  # region, as-of date, preset, data package and load time
    sections: tuple[Section, ...]
    tables_heading: str
    tables: tuple[Table, ...]
    file_stem: str  # 汇报材料_小试县_2019-12-31
    language: str
    stamp: str = ""  # every printed page's header: region, as-of date, package name, data generation
    # the overview's tiles and charts for the PDF, worked out when first asked for (`figures`)
    figures_of: Callable[[], pdf.Figures] | None = dataclasses.field(default=None, repr=False, compare=False)

    @functools.cached_property
    def figures(self) -> pdf.Figures | None:
        """The overview's tiles and charts at the report's date (ui/paper.overview_figures), worked out when
        the PDF or the archive first needs them, not when the page shows the report: on a date nobody had
        asked for that is the overview's eight statements, which the page does not show."""
        return self.figures_of() if self.figures_of is not None else None

    @property
    def paragraphs(self) -> list[str]:
        return [p for section in self.sections for p in section.paragraphs]


# ----------------------------------------------------------------------------------------------
# wording


class _Words:
    """Numbers and names in the report's language."""

    def __init__(self, language: str):
        self.language = language

    def __call__(self, key: str, **values) -> str:
        return tr(self.language, key, **values)

    def date(self, day) -> str:
        day = pd.Timestamp(day)
        return self("rpt_date", y=day.year, m=day.month, d=day.day, month=f"{day:%B}")

    def pair(self, households, people) -> str:
        return self("households_people", h=count(households), p=count(people))

    def money(self, yuan) -> str:
        yuan = 0.0 if is_missing(yuan) else float(yuan)
        return self("rpt_money", wan=f"{yuan / 10_000:,.2f}",
                    yuan=f"{yuan:,.0f}" if yuan == round(yuan) else f"{yuan:,.2f}")

    def named(self, name: str, value: str) -> str:
        return self("rpt_named", name=name, value=value)

    def join(self, parts, key: str = "rpt_sep") -> str:
        return self(key).join(parts)


def area_word(words: _Words, name: str, level: str) -> str:
    """全县 / 全区 / 全乡 / 全镇 / 全村 … in Chinese (from the level and the name's last character), the
    region's name in English."""
    bare = re.sub(r"[（(][^（）()]*[)）]\s*$", "", name).strip()  # 演示县（演示数据） → 演示县
    if level == "县":
        kind = "district" if bare.endswith("区") else "county_city" if bare.endswith("市") else "county"
    elif level == "乡镇":
        kind = "town" if bare.endswith("镇") else "subdistrict" if bare.endswith("街道") else "township"
    else:
        kind = {"省": "province", "市": "prefecture", "村": "village"}.get(level, "county")
    return words("rpt_area_" + kind, name=name)


# ----------------------------------------------------------------------------------------------
# the report


def build_report(source, as_of: dt.date, region: str, rules: str, language: str = "zh",
                 compare: dt.date | None = None, compare_kind: str = "date", later: QueryFn | None = None) -> Report:
    """The report for `region` at `as_of` under the village exit preset `rules`. `source` is a callable
    `query(name, **params) -> DataFrame` (ui.scoped.query) or an object with such a `.query` method. With
    `compare` (a date; `compare_kind` quarter 环比, year 同比 or date), the text says how the registry
    moved since then (registry_change: "较上年同期减少…户…人"). `later` reads the PDF's figures when they
    are first asked for, after the page's run (ui.scoped.later: the run's generation and scope); by default
    `source` does."""
    query: QueryFn = source.query if hasattr(source, "query") else source
    words = _Words(language)
    tree = query("regions")
    matches = tree[tree.code == region]
    if matches.empty:
        raise ValueError(f"没有区划代码为 {region} 的区域 / no region with code {region}")
    place = matches.iloc[0]
    area = area_word(words, place["name"], place["level"])

    span = query("data_span").iloc[0]
    first_day = span.first_date.date() if not is_missing(span.first_date) else dt.date(as_of.year, 1, 1)
    year_start = dt.date(as_of.year, 1, 1)
    first_year_end = dt.date(first_day.year, 12, 31)

    # the registry at the date: registry_change carries registry_summary's figures at both dates, so with a
    # comparison date (the overview's, whose result is shared) it is one statement instead of two
    moved = query("registry_change", as_of=as_of, previous=compare, region=region).iloc[0] if compare else None
    now = moved if moved is not None else query("registry_summary", as_of=as_of, region=region).iloc[0]
    start = query("registry_summary", as_of=first_year_end, region=region).iloc[0] if first_year_end < as_of else None
    categories = query("registry_by_category", as_of=as_of, region=region)
    causes = query("registry_by_cause", as_of=as_of, region=region)
    # every year's exits to the date, as the overview reads them (one quarterly query serves every quarter end)
    exits = landing.exits_to(query, first_day, landing.quarter_ends(span)[0], as_of, region)
    flows = query("flows", start=year_start, end=as_of, region=region).set_index("movement")
    funds = query("funds_summary", as_of=as_of, year=as_of.year, region=region).iloc[0]
    sources = query("funds_by", as_of=as_of, year=as_of.year, region=region, dimension="source")
    villages = query("village_exit_check", as_of=as_of, rules=rules, region=region)
    level = landing.part_level(place["level"])
    parts = query("township_progress", as_of=as_of, level=level, region=region) if place["level"] != "村" else None
    rules_name = words("preset_" + rules) if "preset_" + rules in STRINGS else rules

    sections = (
        Section(words("rpt_h_population"), (
            _population(words, place, area, as_of, now, start, first_year_end, categories),
            _causes(words, area, causes),
        ) + ((_compared(words, area, compare, compare_kind, moved),) if moved is not None else ())),
        Section(words("rpt_h_year", year=as_of.year), (
            _exits(words, area, year_start, as_of, exits),
            _flows(words, flows),
        )),
        Section(words("rpt_h_funds", year=as_of.year), (_funds(words, area, as_of.year, funds, sources),)),
        Section(words("rpt_h_villages"), (_villages(words, place, area, as_of, rules_name, now, villages),)),
    )
    if span.has_monitoring:  # 防返贫监测 after 2020: a section and a table of their own
        # as for the registry: monitoring_change carries monitoring_summary's figures at both dates, so with
        # the overview's comparison date the overview's result serves the report too
        monitored = (query("monitoring_change", as_of=as_of, previous=compare, region=region) if compare else
                     query("monitoring_summary", as_of=as_of, region=region)).iloc[0]
        risks = query("monitoring_by", as_of=as_of, region=region, dimension="risk")
        kinds = query("monitoring_by", as_of=as_of, region=region, dimension="kind")
        sections += (Section(words("rpt_h_monitoring"), (_monitoring(words, area, as_of, monitored, risks),)),)
    tables = (
        _registry_table(words, now),
        _incidence_table(words, now, start, as_of, first_year_end),
        _breakdown_table(words, categories, "category", "cat_", "rpt_t_category", "rpt_c_category"),
        _breakdown_table(words, causes, "main_cause", "cause_", "rpt_t_cause", "rpt_c_cause"),
        _exits_table(words, exits),
        _flows_table(words, flows, as_of.year),
        _funds_table(words, funds, sources, as_of.year),
        _villages_table(words, villages),
    ) + ((_progress_table(words, parts, level),) if parts is not None else ()) \
        + ((_monitoring_table(words, kinds),) if span.has_monitoring else ())
    stamp = query("load_info")
    loaded = stamp.iloc[0] if len(stamp) else None
    filters_line = words(
        "rpt_filters", region=place["name"], code=region, as_of=f"{as_of:%Y-%m-%d}", rules=rules_name,
        package=paper.package_name(loaded["package"], language) if loaded is not None else "—",
        loaded_at=f"{loaded['loaded_at']:%Y-%m-%d %H:%M}" if loaded is not None else "—",
    )
    return Report(
        title=words("rpt_title", region=place["name"]),
        filters_line=filters_line,
        sections=sections,
        tables_heading=words("rpt_h_tables"),
        tables=tables,
        file_stem=safe_file_name(f"{words('rpt_file_stem')}_{place['name']}_{as_of:%Y-%m-%d}"),
        language=language,
        stamp=paper.stamp(query, place["name"], region, as_of, language),
        # the same comparison date
        figures_of=functools.partial(paper.overview_figures, later or query, as_of, region, rules, language, compare),
    )


def escape_markdown(text: str) -> str:
    """Region names are data and must not become links, markup or scripts: ui/plain.md."""
    return plain.md(text)


def safe_file_name(name: str) -> str:
    """A file name every OS accepts (the region name is data: no path separators or reserved characters)."""
    return re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", name).strip("._") or "report"


def to_docx(report: Report) -> bytes:
    return exports.docx_bytes(report.title, report.filters_line, report.sections, report.tables_heading,
                              report.tables, header=report.stamp or None, page_label=paper.page_label(report.language))


def to_pdf(report: Report) -> bytes:
    """The report on A4 paper (ui/pdf.py): the overview's figures and charts, the text, the tables; the stamp
    in every page's header, page numbers in the footer. Raises ui.pdf.FontMissing without a Chinese font."""
    return pdf.pdf_bytes(pdf.Paper(
        title=report.title, stamp=report.stamp, page_label=paper.page_label(report.language),
        language=report.language, figures=report.figures, sections=report.sections,
        tables_heading=report.tables_heading, tables=report.tables))


def to_xlsx(report: Report) -> bytes:
    lines = [report.title]
    for section in report.sections:
        lines += [section.heading, *section.paragraphs]
    return exports.xlsx_bytes(report.filters_line, report.tables, text=(tr(report.language, "rpt_text_sheet"), lines))


# ----------------------------------------------------------------------------------------------
# paragraphs


def _population(words, place, area, as_of, now, start, first_year_end, categories) -> str:
    if place["level"] == "村":
        if not place["is_poor_village"]:
            villages = words("rpt_village_not_poor", name=place["name"])
        elif not is_missing(place["exit_date"]) and pd.Timestamp(place["exit_date"]).date() <= as_of:
            villages = words("rpt_village_exited", name=place["name"], date=words.date(place["exit_date"]))
        else:
            villages = words("rpt_village_not_exited", name=place["name"])
    elif now.poor_villages_total:
        villages = words("rpt_villages", area=area, total=count(now.poor_villages_total),
                         exited=count(now.poor_villages_exited))
    else:
        villages = words("rpt_no_poor_villages", area=area)
    breakdown = ""
    if now.households_poor:
        breakdown = words("rpt_breakdown", parts=words.join(
            words.named(label(words.language, "cat_", row.category), words.pair(row.households_poor, row.people_poor))
            for row in categories.itertuples()))
    if is_missing(now.incidence):
        incidence = words("rpt_incidence_unknown")
    elif start is not None and not is_missing(start.incidence):
        key = "rpt_incidence_down" if now.incidence < start.incidence else "rpt_incidence_other"
        incidence = words(key, start=percent(start.incidence), year=first_year_end.year, now=percent(now.incidence))
    else:
        incidence = words("rpt_incidence_now", now=percent(now.incidence))
    return words("rpt_p_population", date=words.date(as_of), villages=villages, area=area,
                 registered=words.pair(now.households_registered, now.people_registered),
                 exited=words.pair(now.households_exited, now.people_exited),
                 poor=words.pair(now.households_poor, now.people_poor), breakdown=breakdown, incidence=incidence)


def _change(words, households, people) -> str:
    """增加2户5人 / 减少1户3人 / 持平; households and people moving apart are worded one by one."""
    if households == 0 and people == 0:
        return words("rpt_change_none")
    if households >= 0 and people >= 0:
        return words("rpt_change_up", value=words.pair(households, people))
    if households <= 0 and people <= 0:
        return words("rpt_change_down", value=words.pair(-households, -people))
    return words.join((words("rpt_change_up" if n > 0 else "rpt_change_down", value=words(key, n=count(abs(n))))
                       for n, key in ((households, "rpt_n_households"), (people, "rpt_n_people"))),
                      "rpt_change_and")


def _compared(words, area, compare, kind, moved) -> str:
    """较上年同期（2015年12月31日），全乡未脱贫人口增加2户5人，现有建档增加2户5人，贫困发生率上升0.77个百分点。"""
    since = words("rpt_since_" + (kind if kind in ("quarter", "year") else "date"), date=words.date(compare))
    change = moved.incidence_change
    if is_missing(change):
        incidence = words("rpt_points_unknown")
    elif change == 0:
        incidence = words("rpt_change_none")
    else:
        incidence = words("rpt_points_up" if change > 0 else "rpt_points_down", n=f"{abs(change) * 100:.2f}")
    return words("rpt_p_compare", since=since, area=area,
                 poor=_change(words, moved.households_poor_change, moved.people_poor_change),
                 registered=_change(words, moved.households_registered_change, moved.people_registered_change),
                 incidence=incidence)


def _causes(words, area, causes) -> str:
    poor = causes[causes.households_poor > 0]
    if poor.empty:
        return words("rpt_p_no_poor", area=area)
    return words("rpt_p_causes", parts=words.join(
        words.named(label(words.language, "cause_", row.main_cause), words.pair(row.households_poor, row.people_poor))
        for row in poor.itertuples()))


def _exits(words, area, year_start, as_of, exits) -> str:
    row = exits.iloc[-1]  # the period of the as-of year (exits_by_period ends with it)
    values = dict(start=words.date(year_start), end=words.date(as_of), area=area, year=as_of.year,
                  exited=words.pair(row.households, row.people))
    if is_missing(row.planned_people):
        return words("rpt_p_exits_no_plan", **values)
    return words("rpt_p_exits_plan", plan=words.pair(row.planned_households, row.planned_people),
                 rate=percent(row.completion_rate), **values)


def _flows(words, flows) -> str:
    def pair(movement):
        return words.pair(flows.at[movement, "households"], flows.at[movement, "people"])

    return words("rpt_p_flows", identified=pair("识别纳入"), returned=pair("返贫"), exited=pair("标注脱贫"),
                 removed=pair("清退"), dissolved=pair("自然销户"), joined=count(flows.at["自然增加", "people"]),
                 left=count(flows.at["自然减少", "people"]), open=pair("期初在册"), close=pair("期末在册"),
                 open_poor=pair("期初未脱贫"), close_poor=pair("期末未脱贫"))


def _source_name(words, group) -> str:
    return words("funds_none_source") if is_missing(group) else label(words.language, "funds_src_", group)


def _funds(words, area, year, funds, sources) -> str:
    if not funds.projects:
        return words("rpt_p_no_funds", year=year, area=area)
    allocated = sources[sources.allocated != 0]
    parts = words("rpt_sources", parts=words.join(
        words.named(_source_name(words, row.group), words.money(row.allocated)) for row in allocated.itertuples()
    )) if len(allocated) else ""
    return words("rpt_p_funds", year=year, area=area, allocated=words.money(funds.allocated), sources=parts,
                 projects=count(funds.projects), start_rate=percent(funds.start_rate),
                 completion_rate=percent(funds.completion_rate), disbursed=words.money(funds.disbursed),
                 disbursement_rate=percent(funds.disbursement_rate), spent=words.money(funds.spent),
                 spending_rate=percent(funds.spending_rate), reimbursed=words.money(funds.reimbursed),
                 reimbursement_rate=percent(funds.reimbursement_rate),
                 reimbursement_of_spent=percent(funds.reimbursement_of_spent))


def _monitoring(words, area, as_of, monitored, risks) -> str:
    """截至…，全县累计识别监测对象…户…人，其中已消除风险…，风险消除率…%；未消除风险…，其中因病…"""
    values = dict(date=words.date(as_of), area=area,
                  identified=words.pair(monitored.households_identified, monitored.people_identified),
                  cleared=words.pair(monitored.households_cleared, monitored.people_cleared),
                  rate=percent(monitored.clearance_rate),
                  at_risk=words.pair(monitored.households_at_risk, monitored.people_at_risk))
    if not monitored.households_identified:
        return words("rpt_p_monitoring_none", **values)
    at_risk = risks[risks.households_at_risk > 0]
    if at_risk.empty:
        return words("rpt_p_monitoring_all_cleared", **values)
    return words("rpt_p_monitoring", risks=words.join(
        (words.named(str(row.group), words.pair(row.households_at_risk, row.people_at_risk))
         for row in at_risk.itertuples()), "rpt_names_sep"), **values)


def _gaps(words, failed_criteria, no_data) -> str:
    """The criteria a village fails (village_exit_check's failed_criteria), 无数据 marked (its no_data)."""
    no_data = set(no_data)
    return words.join((words("hhc_no_data", item=words("vcrit_" + key)) if key in no_data
                       else words("vcrit_" + key) for key in failed_criteria), "rpt_names_sep")


def _villages(words, place, area, as_of, rules_name, now, villages) -> str:
    if place["level"] == "村":
        if villages.empty:
            return words("rpt_p_village_self_not_poor", name=place["name"])
        row = villages.iloc[0]
        if row.is_exited:
            return words("rpt_p_village_self_exited", name=place["name"], date=words.date(row.exited_on))
        if row.overall_pass:
            return words("rpt_p_village_self_pass", rules=rules_name, name=place["name"])
        return words("rpt_p_village_self_fail", rules=rules_name, name=place["name"],
                     items=_gaps(words, row.failed_criteria, row.no_data))
    if not now.poor_villages_total:
        return words("rpt_p_no_poor_villages", area=area)
    # village_exit_check's flags: the villages not exited by the date, passing or failing the preset
    remaining = villages[~villages.is_exited]
    detail = ""
    if len(remaining):
        passing, failing = remaining[remaining.overall_pass], remaining[remaining.is_failing_not_exited]
        detail = words(
            "rpt_remaining_detail", passing=count(len(passing)), failing=count(len(failing)),
            passing_names=words("rpt_names", names=words.join(passing.village_name, "rpt_names_sep")) if len(passing)
            else "",
            failing_names=words("rpt_names", names=words.join(
                (words("rpt_village_gaps", name=name, items=_gaps(words, failed, no_data))
                 for name, failed, no_data in zip(failing.village_name, failing.failed_criteria, failing.no_data,
                                                  strict=True)), "rpt_sep")) if len(failing) else "",
        )
    return words("rpt_p_villages", rules=rules_name, area=area, total=count(now.poor_villages_total),
                 exited=count(now.poor_villages_exited), remaining=count(now.poor_villages_remaining),
                 remaining_detail=detail)


# ----------------------------------------------------------------------------------------------
# tables (headers in the report's language; kinds say how the numbers read)


def _monitoring_table(words, kinds) -> Table:
    frame = pd.DataFrame({
        words("rpt_c_kind"): kinds.group.astype(str).to_numpy(),
        words("rpt_c_identified_households"): kinds.households_identified.to_numpy(),
        words("rpt_c_identified_people"): kinds.people_identified.to_numpy(),
        words("rpt_c_at_risk_households"): kinds.households_at_risk.to_numpy(),
        words("rpt_c_at_risk_people"): kinds.people_at_risk.to_numpy(),
        words("rpt_c_cleared_households"): kinds.households_cleared.to_numpy(),
        words("rpt_c_cleared_people"): kinds.people_cleared.to_numpy(),
        words("rpt_c_clearance_rate"): kinds.clearance_rate.to_numpy(),
    })
    return Table(words("rpt_t_monitoring"), frame,
                 ("text", "households", "people", "households", "people", "households", "people", "percent"))


def _registry_table(words, now) -> Table:
    frame = pd.DataFrame({
        words("rpt_c_item"): [words("rpt_row_registered"), words("rpt_row_exited"), words("rpt_row_poor")],
        words("rpt_c_households"): [now.households_registered, now.households_exited, now.households_poor],
        words("rpt_c_people"): [now.people_registered, now.people_exited, now.people_poor],
    })
    return Table(words("rpt_t_registry"), frame, ("text", "households", "people"))


def _incidence_table(words, now, start, as_of, first_year_end) -> Table:
    rows = ([(first_year_end, start)] if start is not None else []) + [(as_of, now)]
    frame = pd.DataFrame({
        words("rpt_c_date"): [day for day, _ in rows],
        words("rpt_c_people_poor"): [row.people_poor for _, row in rows],
        words("rpt_c_rural_population"): [row.rural_population for _, row in rows],
        words("rpt_c_incidence"): [row.incidence for _, row in rows],
    })
    return Table(words("rpt_t_incidence"), frame, ("date", "people", "people", "percent"))


def _breakdown_table(words, frame, column, prefix, title_key, column_key) -> Table:
    table = pd.DataFrame({
        words(column_key): [label(words.language, prefix, v) for v in frame[column]],
        words("rpt_c_poor_households"): frame.households_poor.to_numpy(),
        words("rpt_c_poor_people"): frame.people_poor.to_numpy(),
        words("rpt_c_registered_households"): frame.households_registered.to_numpy(),
        words("rpt_c_registered_people"): frame.people_registered.to_numpy(),
    })
    return Table(words(title_key), table, ("text", "households", "people", "households", "people"))


def _exits_table(words, exits) -> Table:
    frame = pd.DataFrame({
        words("rpt_c_year"): exits.period.dt.year.to_numpy(),
        words("rpt_c_exited_households"): exits.households.to_numpy(),
        words("rpt_c_exited_people"): exits.people.to_numpy(),
        words("rpt_c_planned_households"): exits.planned_households.to_numpy(),
        words("rpt_c_planned_people"): exits.planned_people.to_numpy(),
        words("rpt_c_completion"): exits.completion_rate.to_numpy(),
    })
    return Table(words("rpt_t_exits"), frame, ("year", "households", "people", "households", "people", "percent"))


def _flows_table(words, flows, year) -> Table:
    movements = [m for m in MOVEMENTS if m in flows.index]
    names = {"期初在册": "dyn_opening_registry", "期初未脱贫": "dyn_opening_poor", "期末在册": "dyn_closing_registry",
             "期末未脱贫": "dyn_closing_poor"}
    frame = pd.DataFrame({
        words("rpt_c_movement"): [words(names[m]) if m in names else label(words.language, "dyn_mv_", m)
                                  for m in movements],
        words("rpt_c_households"): [flows.at[m, "households"] for m in movements],
        words("rpt_c_people"): [flows.at[m, "people"] for m in movements],
    })
    return Table(words("rpt_t_flows", year=year), frame, ("text", "households", "people"))


def _funds_table(words, funds, sources, year) -> Table:
    def wan(values):
        return [None if is_missing(v) else float(v) / 10_000 for v in values]

    names = [_source_name(words, g) for g in sources.group] + [words("rpt_row_total")]
    rows = pd.concat([sources, funds.to_frame().T], ignore_index=True)
    frame = pd.DataFrame({
        words("rpt_c_source"): names,
        words("rpt_c_projects"): rows.projects.to_numpy(),
        words("rpt_c_allocated"): wan(rows.allocated),
        words("rpt_c_disbursed"): wan(rows.disbursed),
        words("rpt_c_spent"): wan(rows.spent),
        words("rpt_c_reimbursed"): wan(rows.reimbursed),
        words("rpt_c_disbursement_rate"): rows.disbursement_rate.to_numpy(),
        words("rpt_c_spending_rate"): rows.spending_rate.to_numpy(),
        words("rpt_c_reimbursement_rate"): rows.reimbursement_rate.to_numpy(),
        words("rpt_c_reimbursement_of_spent"): rows.reimbursement_of_spent.to_numpy(),
    })
    kinds = ("text", "count", "wan_yuan", "wan_yuan", "wan_yuan", "wan_yuan", "percent", "percent", "percent",
             "percent")
    return Table(words("rpt_t_funds", year=year), frame, kinds)


def _progress_table(words, parts, level) -> Table:
    """Every township (or village) of the region and the region itself (township_progress)."""
    table = progress.progress_table(words.language, parts, level)
    return dataclasses.replace(table, title=words("rpt_t_progress_" + level))


def _villages_table(words, villages) -> Table:
    # the few columns each row needs, zipped: itertuples over every column cost a tenth of the page's run
    flags = list(zip(villages.is_exited, villages.overall_pass, villages.failed_criteria, villages.no_data,
                     strict=True))
    yes, no = words("rpt_yes"), words("rpt_no")
    frame = pd.DataFrame({
        words("rpt_c_village"): villages.village_name.to_numpy(),
        words("rpt_c_township"): villages.township_name.to_numpy(),
        words("rpt_c_planned_exit_year"): villages.planned_exit_year.to_numpy(),
        words("rpt_c_exited_on"): villages.exited_on.to_numpy(),
        words("rpt_c_incidence"): villages.incidence.to_numpy(),
        words("rpt_c_meets"): ["—" if exited else yes if passing else no for exited, passing, _, _ in flags],
        words("rpt_c_gaps"): ["" if exited else _gaps(words, failed, no_data) for exited, _, failed, no_data in flags],
    })
    return Table(words("rpt_t_villages"), frame, ("text", "text", "year", "date", "percent", "text", "text"))
