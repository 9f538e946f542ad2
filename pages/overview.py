"""总览 Overview: the headline counts of the registry at the chosen date."""

import streamlit as st

from ui import data
from ui.formatting import count, percent
from ui.i18n import t

st.title(t("app_title"))
summary = data.query("registry_summary", as_of=st.session_state["as_of"]).iloc[0]
if "演示" in summary.region_name:
    st.info(t("demo_notice"))
st.subheader(summary.region_name)

tiles = st.columns(5)
tiles[0].metric(t("registered"), t("households_people", h=count(summary.households_registered),
                                    p=count(summary.people_registered)))
tiles[1].metric(t("still_poor"), t("households_people", h=count(summary.households_poor),
                                    p=count(summary.people_poor)))
tiles[2].metric(t("exited"), t("households_people", h=count(summary.households_exited),
                                p=count(summary.people_exited)))
tiles[3].metric(t("incidence"), percent(summary.incidence))
tiles[4].metric(t("poor_villages_remaining"), t("villages_count", n=count(summary.poor_villages_remaining),
                                                 total=count(summary.poor_villages_total)))
