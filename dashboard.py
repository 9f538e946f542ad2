"""Tuopin — 脱贫攻坚进展看板. The router: page config, first-start build, shared sidebar, navigation.

Pages (pages/*.py) only choose a query, pass the filters and draw; the filters come from
ui/state.py, the data from ui/data.py, every string from ui/i18n.py.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import data, gate, recovery, run_cpu, session, state
from ui.i18n import t
from ui.navigation import PAGE_NAMES, PAGES

gate.runs().enter()  # at most TUOPIN_CONCURRENT_RUNS (2) runs at once (ui/gate.py); left in `finally` below
cpu_started = run_cpu.started()  # the run's CPU, logged for the load test when asked (ui/run_cpu.py)
data.take_query_counts()  # and its queries: none yet
st.set_page_config(page_title="脱贫攻坚进展看板 Tuopin", page_icon="📊", layout="wide")
state.language_from_url()

# Tiles, labels and charts readable from a projector to a phone (static CSS, no data in it).
st.html(Path(__file__).resolve().parent / "ui" / "screen.css")
# A multiselect's "Select all" / "Select 3 matches" are written by Streamlit's frontend in English: relabelled
# in the session's language (the option keeps working; static text from ui/i18n.py, no data).
st.html("<style>" + "".join(
    f'[role="option"][data-key="{key}"] > div {{ font-size: 0; }}'
    f'[role="option"][data-key="{key}"] > div::after {{ content: "{t(label)}"; font-size: 1rem; }}'
    for key, label in (("__select_all__", "select_all"), ("__select_matches__", "select_all_matches"))) + "</style>")
st.html(Path(__file__).resolve().parent / "ui" / "print.css")  # the print layout (@media print only)

def stop_with(message_key: str) -> None:
    """A screen with no pages: the sidebar shows no navigation (not the pages/ folder)."""
    def screen() -> None:
        st.error(t(message_key))

    st.navigation([st.Page(screen, title=t("app_title"), url_path="notice")], position="hidden").run()
    st.stop()


def build_screen() -> None:
    """First start: the demo is built on a screen of its own (the sidebar lists no pages/ file names
    meanwhile), then the app runs again, so the notices do not stay above the overview; a toast says
    the database was built."""
    st.info(t("building"))
    bar = st.progress(0.0)
    data.build_demo_database(lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message))
    st.session_state["_built_now"] = True
    st.rerun()


def to_overview() -> None:
    """/overview reaches the overview (the default page lives at /)."""
    st.switch_page("pages/overview.py", query_params=st.query_params.to_dict())


def frame(run: dict) -> None:
    """The run: first-start build, the database's state, sign-in, navigation and the page."""
    if data.needs_build():
        st.navigation([st.Page(build_screen, title=t("app_title"), url_path="building")], position="hidden").run()
        st.stop()
    if st.session_state.pop("_built_now", False):
        st.toast(t("built"), icon=":material/check_circle:")

    if (problem := data.problem()) is not None:  # missing or damaged, and not to be built: nothing is written
        recovery.unavailable(problem)
    if data.is_outdated():
        stop_with("outdated_database")
    data.startup_cleanup()
    data.pin_version()  # one database generation for the whole run

    session.require()  # the sign-in screen when nobody is signed in (it stops the run)
    allowed = [(section, [page for page in pages if page[3] is None or session.can(page[3])])
               for section, pages in PAGES.items()]
    sections = {
        t(section): [st.Page(f"pages/{name}.py", title=t("page_" + name), icon=icon, default=default,
                             url_path="home" if default else name)  # the default at /: /overview is to_overview
                     for name, icon, default, _permission in pages]
        for section, pages in allowed
    }
    next(iter(sections.values())).append(  # hidden: not in the menu
        st.Page(to_overview, title=t("page_overview"), url_path="overview", visibility="hidden"))
    navigation = st.navigation(sections, expanded=True)  # every page listed: none behind "View more"
    run["navigated"] = True
    if (deep_link := st.query_params.get("page")) is not None:  # see ui/state.page_header
        del st.query_params["page"]
        if deep_link in {name for _section, pages in allowed for name, *_ in pages}:
            st.switch_page(f"pages/{deep_link}.py", query_params=st.query_params.to_dict())
        elif deep_link in PAGE_NAMES:  # a page this account may not open: say so on the default page
            st.warning(t("page_not_allowed", page=t("page_" + deep_link)))
    state.sidebar()
    session.sidebar_badge()
    run["page"] = navigation.url_path or "overview"  # the default page's url path is ""
    navigation.run()
    state.page_footer()  # when and from which package the data was loaded (a page ending early draws it itself)


run = {"navigated": False, "page": None}
try:
    frame(run)
except Exception as error:  # a visitor never sees a traceback: a short message, the details in the log
    recovery.failed(error, run["navigated"])
finally:  # st.stop and st.rerun end a run by an exception too
    try:
        run_cpu.finished(cpu_started, run["page"], data.take_query_counts())
    finally:
        gate.runs().leave()
