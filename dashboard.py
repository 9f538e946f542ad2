"""Tuopin — 脱贫攻坚进展看板. The router: page config, first-start build, shared sidebar, navigation.

Pages (pages/*.py) only choose a query, pass the filters and draw; the filters come from
ui/state.py, the data from ui/data.py, every string from ui/i18n.py.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import data, paper, plain, recovery, session, state
from ui.i18n import language, t
from ui.navigation import PAGE_NAMES, PAGES

st.set_page_config(page_title="脱贫攻坚进展看板 Tuopin", page_icon="📊", layout="wide")
state.language_from_url()

# Metric tiles hold "14,667户47,220人": a smaller value font and wrapping deltas keep them whole.
# Static CSS, no data in it; the fonts named are the browser's own (nothing is fetched).
st.html("""<style>
[data-testid="stMetricValue"] { font-size: 1.75rem; }
[data-testid="stMetricValue"] > div, [data-testid="stMetricDelta"] > div,
[data-testid="stMetricValue"] p, [data-testid="stMetricDelta"] p { white-space: normal; overflow: visible; }
</style>""")
st.html(Path(__file__).resolve().parent / "ui" / "print.css")  # the print layout (@media print only)

def stop_with(message_key: str) -> None:
    """A screen with no pages: the sidebar shows no navigation (not the pages/ folder)."""
    def screen() -> None:
        st.error(t(message_key))

    st.navigation([st.Page(screen, title=t("app_title"), url_path="notice")], position="hidden").run()
    st.stop()


def frame(run: dict) -> None:
    """The run: first-start build, the database's state, sign-in, navigation and the page."""
    if data.needs_build():
        st.info(t("building"))
        bar = st.progress(0.0)
        data.build_demo_database(lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message))
        bar.empty()
        st.success(t("built"))

    if (problem := data.problem()) is not None:  # missing or damaged, and not to be built: nothing is written
        recovery.unavailable(problem)
    if data.is_outdated():
        stop_with("outdated_database")
    data.startup_cleanup()
    data.pin_version()  # one database generation for the whole run

    session.require()  # the sign-in screen when nobody is signed in (it stops the run)
    allowed = [(section, [page for page in pages if page[3] is None or session.can(page[3])])
               for section, pages in PAGES.items()]
    navigation = st.navigation({
        t(section): [st.Page(f"pages/{name}.py", title=t("page_" + name), icon=icon, url_path=name, default=default)
                     for name, icon, default, _permission in pages]
        for section, pages in allowed
    })
    run["navigated"] = True
    if (deep_link := st.query_params.get("page")) is not None:  # see ui/state.page_header
        del st.query_params["page"]
        if deep_link in {name for _section, pages in allowed for name, *_ in pages}:
            st.switch_page(f"pages/{deep_link}.py", query_params=st.query_params.to_dict())
        elif deep_link in PAGE_NAMES:  # a page this account may not open: say so on the default page
            st.warning(t("page_not_allowed", page=t("page_" + deep_link)))
    state.sidebar()
    session.sidebar_badge()
    navigation.run()

    stamp = data.load_stamp()
    if stamp:
        st.divider()
        package = paper.package_name(stamp["package"], language())  # its name, never the server's path
        st.caption(t("loaded_from", at=f"{stamp['loaded_at']:%Y-%m-%d %H:%M}", package=plain.md(package)))


run = {"navigated": False}
try:
    frame(run)
except Exception as error:  # a visitor never sees a traceback: a short message, the details in the log
    recovery.failed(error, run["navigated"])
