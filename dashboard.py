"""Tuopin — 脱贫攻坚进展看板. The router: page config, first-start build, navigation, shared sidebar."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import data
from ui.i18n import LANGUAGES, t

st.set_page_config(page_title="脱贫攻坚进展看板 Tuopin", page_icon="📊", layout="wide")

if data.needs_build():
    st.info(t("building"))
    bar = st.progress(0.0)
    data.build_demo_database(lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message))
    bar.empty()
    st.success(t("built"))

if data.is_outdated():
    st.error(t("outdated_database"))
    st.stop()

with st.sidebar:
    st.selectbox(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="language")
    st.date_input(t("as_of"), value=dt.date(2020, 12, 31), key="as_of")

pages = [st.Page("pages/overview.py", title=t("page_overview"), icon="📊", default=True)]
st.navigation(pages).run()

stamp = data.load_stamp()
if stamp:
    st.caption(t("loaded_from", at=f"{stamp['loaded_at']:%Y-%m-%d %H:%M}", package=stamp["package"]))
