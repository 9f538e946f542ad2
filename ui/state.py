"""The shared filters every page reads: as-of date, region, village exit rule preset, language.

They live in three places kept in step on every run:
- the sidebar widgets (dashboard.py calls `sidebar()` before the page runs);
- `st.session_state`, so moving between pages keeps them;
- the URL (`st.query_params`), so a link reproduces the view. The URL is read once, when a session
  starts, and every value from it is validated (a date, a region of the package, a known preset,
  a known language); anything else falls back to the default with a warning.

A page that wants to move the view (the map drilling into a township, a table row opening a village)
calls `go_to_region(code)`: the change is applied at the top of the next run, before the sidebar
widgets exist, because Streamlit forbids changing a widget's value after it was drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NoReturn

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from queries import landing
from ui import data, scoped
from ui.i18n import LANGUAGES, has_string, language, t
from ui.report import escape_markdown

URL_KEYS = ("region", "as_of", "rules", "lang")
# the comparison date (compare_date only when compare is "date"), in the URL only when not the default
COMPARE_MODES = ("quarter", "year", "date")  # 环比: the previous quarter end; 同比: the same date a year before
COMPARE_KEYS = ("compare", "compare_date")
# The sidebar's choices belong to the session, not to a page. Streamlit drops the state of a widget it
# did not see in a run, and on a page switch it keeps only the widgets the browser's rerun request
# names. A request that left the sidebar's widgets out put the view back on the latest quarter end in
# the middle of a drill-down (tests/test_sidebar_state.py). "session" keeps each value.
KEEP = "session"
CUSTOM_DATE = "custom"
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)  # the as-of dates a view may take
MAX_PICK_DEPTH = 4  # levels below the view's top: 县 → 乡镇 → 村, deeper when a package holds several counties



@dataclass(frozen=True)
class Filters:
    as_of: dt.date
    region: str  # 区划代码 of the region in view
    rules: str  # village exit rule preset
    language: str
    compare: str = "quarter"  # one of COMPARE_MODES
    compare_date: dt.date | None = None  # the chosen date when compare is "date"

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def previous(self) -> dt.date:
        """The date the view compares with: the previous quarter end (环比), the same date a year before
        (同比) or the chosen date."""
        if self.compare == "year":
            return same_date_a_year_before(self.as_of)
        if self.compare == "date" and self.compare_date is not None:
            return self.compare_date
        return previous_quarter_end(self.as_of)


# ----------------------------------------------------------------------------------------------
# the data the filters choose from (cached per database generation by ui.scoped.query)


@dataclass(frozen=True)
class RegionTree:
    """The regions the account may see, indexed once per database generation and scope: the sidebar,
    the breadcrumb and the pages walk it several times a run (a DataFrame filter each time was a tenth
    of a page run)."""
    frame: pd.DataFrame  # the regions query, indexed by code (the code also kept as a column)
    kids: dict[str, list[str]]
    parent: dict[str, str | None]
    top: str
    # each region's row and each region's children, taken out of the frame once (the sidebar asks on
    # every run: a pandas selection each time was 3% of a loaded server's CPU)
    rows: dict[str, pd.Series] = field(default_factory=dict)
    children: dict[str, pd.DataFrame] = field(default_factory=dict)

    def row(self, code: str) -> pd.Series:
        if code not in self.rows:
            self.rows[code] = self.frame.loc[code]
        return self.rows[code].copy(deep=False)

    def children_of(self, code: str) -> pd.DataFrame:
        if code not in self.children:
            self.children[code] = self.frame.loc[self.kids.get(code, [])].reset_index(drop=True)
        return self.children[code].copy(deep=False)


def _build_tree(frame: pd.DataFrame, top: str) -> RegionTree:
    by_code = frame.set_index("code", drop=False)
    kids: dict[str, list[str]] = {}
    parent: dict[str, str | None] = {}
    for code, parent_code in zip(frame.code, frame.parent_code, strict=True):
        parent[code] = None if pd.isna(parent_code) else parent_code
        if parent[code] is not None:
            kids.setdefault(parent[code], []).append(code)
    return RegionTree(by_code, kids, parent, top)


def tree() -> RegionTree:
    from ui import session

    key = (data.current_version(), session.scope() if "_account" in st.session_state else None)
    memo = st.session_state.get("_region_tree")
    if memo is None or memo[0] != key:
        # the view opens on the default region (query default_region, as `python -m queries` does)
        memo = (key, _build_tree(scoped.query("regions"), scoped.query("default_region").region_code.iloc[0]))
        st.session_state["_region_tree"] = memo
    return memo[1]


def regions() -> pd.DataFrame:
    return tree().frame.reset_index(drop=True)


def region_row(code: str) -> pd.Series:
    return tree().row(code)


def children(code: str) -> pd.DataFrame:
    return tree().children_of(code)


def top_region() -> str:
    """The region the view opens on: the deepest one that still holds everything (query default_region)."""
    return tree().top


def path_to(code: str) -> list[str]:
    """The codes from the view's top region down to `code` (both included)."""
    regions_tree = tree()
    path = [code]
    while path[-1] != regions_tree.top and (parent := regions_tree.parent.get(path[-1])) is not None:
        path.append(parent)
    return list(reversed(path)) if path[-1] == regions_tree.top else [regions_tree.top]


def presets() -> list[str]:
    return sorted(scoped.query("exit_rules").preset.unique())


def preset_label(preset: str) -> str:
    """A built-in preset's name in the chosen language; a user-defined preset shows its own name."""
    return t("preset_" + preset) if has_string("preset_" + preset) else preset


def default_preset() -> str:
    """The province's exit rule preset when the package has it, else national (queries/landing.py: the
    import works out the same default view)."""
    return landing.default_preset(top_region(), presets())


def quarter_ends() -> list[dt.date]:
    """Quarter ends the data covers, latest first (the as-of picker offers them before any date)."""
    return landing.quarter_ends(scoped.query("data_span").iloc[0])


previous_quarter_end = landing.previous_quarter_end  # the quarter end before a date (环比)


def same_date_a_year_before(day: dt.date) -> dt.date:
    """同比: the same date a year before (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def compare_label(filters: Filters) -> str:
    """The comparison date in words: 上年同期2015-12-31 (同比), else the date alone (2016-09-30)."""
    kind = filters.compare if filters.compare in ("quarter", "year") else "date"
    return t("since_" + kind, date=f"{filters.previous:%Y-%m-%d}")


# ----------------------------------------------------------------------------------------------
# URL → session (once per session), pending moves, sidebar widgets, session → URL


def _from_url() -> None:
    """Read the URL into the widget keys when a session starts; refuse anything not valid."""
    if st.session_state.get("_url_read"):
        return
    st.session_state["_url_read"] = True
    params = st.query_params
    refused = []
    if (lang := params.get("lang")) is not None and lang not in LANGUAGES:
        refused.append(("lang", lang))
    if (rules := params.get("rules")) is not None:
        if rules in presets():
            st.session_state["rules"] = rules
        else:
            refused.append(("rules", rules))
    if (as_of := params.get("as_of")) is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            refused.append(("as_of", as_of))
        else:
            if FIRST_DAY <= day <= LAST_DAY:
                _set_as_of(day)
            else:  # the date picker's range: a date outside it would fail the page
                refused.append(("as_of", as_of))
    if (compare := params.get("compare")) is not None:
        if compare in COMPARE_MODES:
            st.session_state["compare"] = compare
        else:
            refused.append(("compare", compare))
    if (compare_date := params.get("compare_date")) is not None:
        try:
            day = dt.date.fromisoformat(compare_date)
        except ValueError:
            day = None
        if day is not None and FIRST_DAY <= day <= LAST_DAY:
            st.session_state["compare_date"] = day
        else:  # not a date the picker takes: the comparison falls back to the previous quarter end
            refused.append(("compare_date", compare_date))
            if st.session_state.get("compare") == "date":
                st.session_state["compare"] = "quarter"
    if (region := params.get("region")) is not None:
        if region in set(regions().code) and region in set(path_to(region)):
            st.session_state["_pending_region"] = region
        else:
            refused.append(("region", region))
    st.session_state["_refused_url"] = refused


def language_from_url() -> None:
    """The language first of all (dashboard.py, before any text): the sign-in screen and the page
    names are drawn before the sidebar reads the rest of the URL."""
    if st.session_state.get("_lang_read"):
        return
    st.session_state["_lang_read"] = True
    if st.query_params.get("lang") in LANGUAGES:
        st.session_state["language"] = st.query_params["lang"]


def _set_as_of(day: dt.date) -> None:
    if day in quarter_ends():
        st.session_state["as_of_choice"] = day
    else:
        st.session_state["as_of_choice"] = CUSTOM_DATE
        st.session_state["as_of_custom"] = day


def go_to_region(code: str) -> None:
    """Move the view to a region (drill-down); takes effect on the rerun this triggers."""
    st.session_state["_pending_region"] = code
    st.rerun()


def _apply_pending_region() -> None:
    code = st.session_state.pop("_pending_region", None)
    if code is None:
        return
    path = path_to(code)[1:]
    for depth in range(1, MAX_PICK_DEPTH + 1):
        st.session_state[f"pick_{depth}"] = path[depth - 1] if depth <= len(path) else ""


def _clear_deeper(depth: int) -> None:
    for deeper in range(depth + 1, MAX_PICK_DEPTH + 1):
        st.session_state[f"pick_{deeper}"] = ""


def _region_picker() -> str:
    current = top_region()
    for depth in range(1, MAX_PICK_DEPTH + 1):
        kids = children(current)
        if kids.empty:
            break
        key = f"pick_{depth}"
        options = ["", *kids.code]
        if st.session_state.get(key) not in options:
            st.session_state[key] = ""
        level = kids.level.iloc[0]
        labels = {"": t("all_of_level_" + level), **dict(zip(kids.code, kids.name, strict=True))}
        chosen = st.selectbox(
            t("level_" + level),
            options,
            format_func=labels.__getitem__,
            key=key,
            persist_state=KEEP,
            on_change=_clear_deeper,
            args=(depth,),
        )
        if not chosen:
            break
        current = chosen
    return current


def _as_of_picker() -> dt.date:
    ends = quarter_ends()
    if "as_of_choice" not in st.session_state:
        st.session_state["as_of_choice"] = ends[0]
    # Labels are worked out now, in the chosen language (a format_func must not depend on state later).
    labels = {d: t("quarter_end", date=f"{d:%Y-%m-%d}", q=(d.month - 1) // 3 + 1, y=d.year) for d in ends}
    labels[CUSTOM_DATE] = t("other_date")
    choice = st.selectbox(t("as_of"), [*ends, CUSTOM_DATE], format_func=labels.__getitem__, key="as_of_choice",
                          persist_state=KEEP)
    if choice != CUSTOM_DATE:
        return choice
    if "as_of_custom" not in st.session_state:
        st.session_state["as_of_custom"] = ends[0]
    return st.date_input(t("as_of_custom"), key="as_of_custom", min_value=FIRST_DAY, max_value=LAST_DAY,
                         persist_state=KEEP)


def _compare_picker(as_of: dt.date) -> tuple[str, dt.date | None]:
    """环比 (the previous quarter end), 同比 (the same date a year before) or a chosen date."""
    if st.session_state.get("compare") not in COMPARE_MODES:
        st.session_state["compare"] = "quarter"
    labels = {mode: t("compare_" + mode) for mode in COMPARE_MODES}
    mode = st.selectbox(t("compare"), COMPARE_MODES, format_func=labels.__getitem__, key="compare",
                        persist_state=KEEP)
    if mode != "date":
        return mode, None
    if "compare_date" not in st.session_state:
        st.session_state["compare_date"] = same_date_a_year_before(as_of)
    return mode, st.date_input(t("compare_date_pick"), key="compare_date", min_value=FIRST_DAY, max_value=LAST_DAY,
                              persist_state=KEEP)


def _relabel_after_language_switch() -> None:
    """After a language switch, hand every choice widget its own value back. Streamlit's frontend keeps
    showing a selectbox's old formatted label when only the labels change (streamlit/streamlit#13788):
    the sidebar read "2020年第4季度末" under "As of". A value set through session state is sent to the
    frontend again, with its label in the new language."""
    chosen = st.session_state.get("language", "zh")
    if st.session_state.get("_labels_language", chosen) == chosen:
        st.session_state["_labels_language"] = chosen
        return
    st.session_state["_labels_language"] = chosen
    for key in list(st.session_state):
        value = st.session_state[key]
        if key.startswith("_") or key == "language" or isinstance(value, bool):
            continue
        # an empty list has no label to relabel, and may be an empty file uploader's, which Streamlit
        # refuses to take from session state (raised when the uploader is drawn, not here)
        if isinstance(value, (str, int, float, dt.date)) or (
                isinstance(value, list) and value and all(isinstance(v, (str, int)) for v in value)):
            try:
                st.session_state[key] = value
            except StreamlitAPIException:  # a button or uploader: nothing to relabel
                pass


def sidebar() -> Filters:
    """Draw the shared sidebar and return the filters in force (also kept for `filters()`)."""
    _relabel_after_language_switch()
    _from_url()
    _apply_pending_region()
    if "rules" not in st.session_state or st.session_state["rules"] not in presets():
        st.session_state["rules"] = default_preset()
    with st.sidebar:
        st.selectbox(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="language", persist_state=KEEP)
        as_of = _as_of_picker()
        compare, compare_date = _compare_picker(as_of)
        region = _region_picker()
        st.selectbox(t("rules"), presets(), format_func={p: preset_label(p) for p in presets()}.__getitem__,
                     key="rules", persist_state=KEEP)
    for name, _value in st.session_state.pop("_refused_url", []):
        # the parameter's name (one of URL_KEYS), never its value: a link's text must not reach the page
        st.warning(t("url_refused", name=name))
    filters = Filters(as_of=as_of, region=region, rules=st.session_state["rules"],
                      language=st.session_state.get("language", "zh"), compare=compare, compare_date=compare_date)
    st.session_state["_filters"] = filters
    _to_url(filters)
    return filters


def _to_url(filters: Filters) -> None:
    wanted = {
        "region": filters.region,
        "as_of": filters.as_of.isoformat(),
        "rules": filters.rules,
        "lang": filters.language,
    }
    current = {key: st.query_params.get(key) for key in URL_KEYS}
    if current != wanted:
        st.query_params.update(wanted)
    # the comparison: only when it is not the default (the previous quarter end)
    comparing = {"compare": filters.compare if filters.compare != "quarter" else None,
                 "compare_date": filters.compare_date.isoformat() if filters.compare == "date" else None}
    for key, value in comparing.items():
        if value is None and key in st.query_params:
            del st.query_params[key]
        elif value is not None and st.query_params.get(key) != value:
            st.query_params[key] = value


def filters() -> Filters:
    return st.session_state["_filters"]


# ----------------------------------------------------------------------------------------------
# the header every page opens with: title, breadcrumb (clickable), demo notice


def page_header(title_key: str) -> Filters:
    if "_filters" not in st.session_state:
        # Streamlit ran this page file on its own: the first visit after a server start, by a deep
        # link, runs pages/<name>.py as a "pages directory" app before dashboard.py has ever called
        # st.navigation. Go through the frame, which comes back here (dashboard.py, `page`).
        st.switch_page("dashboard.py", query_params={**st.query_params.to_dict(),
                                                     "page": title_key.removeprefix("page_")})
    current = filters()
    st.title(t(title_key))
    path = path_to(current.region)
    tree = regions().set_index("code")
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        for code in path:
            label = escape_markdown(tree.at[code, "name"])  # a name is data: never markup or a link
            if code == current.region:
                st.markdown(f"**{label}**", width="content")
            elif st.button(f"{label} ›", key=f"crumb_{code}", type="tertiary"):
                go_to_region(code)
        st.markdown(f"· {t('as_of')} {current.as_of:%Y-%m-%d}", width="content")
    if data.uses_bundled_demo():
        from ui import session

        notice = t("demo_notice") + (" " + t("demo_signin_off") if session.demo_open() else "")
        st.info(notice, icon=":material/info:")
    return current


def page_footer() -> None:
    """Under every page: when the data was loaded and from which package (the load_info row), so a
    figure on screen can be traced to the load it came from. dashboard.py draws it after a page has
    run; a page that ends early draws it through stop_page."""
    from ui import paper, plain

    stamp = data.load_stamp()
    if stamp:
        st.divider()
        package = paper.package_name(stamp["package"], language())
        st.caption(t("loaded_from", at=f"{stamp['loaded_at']:%Y-%m-%d %H:%M}", package=plain.md(package)))


def stop_page() -> NoReturn:
    """End a page early (no data for the view, not allowed): the footer first, which st.stop would skip."""
    page_footer()
    st.stop()

