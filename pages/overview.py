"""总览 Overview: the headline counts of the registry at the chosen date."""

import streamlit as st

from ui import data, state
from ui.formatting import count, percent
from ui.i18n import t

view = state.page_header("page_overview")
summary = data.query("registry_summary", as_of=view.as_of, region=view.region).iloc[0]

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
