"""已报送存档 Sent reports: the report-backs saved as sent (pages/report.py, "存档为已报送"), within the
account's scope; each one's files downloaded exactly as stored (SHA-256 checked), and what changed since
it was sent — recomputed on today's data by ui/archive.compare, drawn here as it comes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import archive as archives
from ui import charts, plain, scoped, session, state, tables
from ui.i18n import t

view = state.page_header("page_archive")
st.caption(t("arc_intro"))

archive = session.archive()
allowed = set(scoped.query("regions").code)  # the account's scope: a report of another region is absent
listed = archive.reports(allowed)
numbers = [report.id for report in listed]
recipients = {r: t("arc_to_" + r) for r in archives.RECIPIENTS}

# ?archive=N opens one report; a number outside the scope (or none at all) is refused like any link value
wanted = st.query_params.get("archive")
if wanted is not None and st.session_state.get("_arc_url") != wanted:
    st.session_state["_arc_url"] = wanted
    if wanted.isdigit() and int(wanted) in numbers:
        st.session_state["arc_pick"] = int(wanted)
    else:
        st.warning(t("arc_not_found"))

if not listed:
    st.info(t("arc_none"))
else:
    tables.grid(pd.DataFrame({
        t("arc_c_number"): numbers,
        t("arc_c_region"): [report.region_name for report in listed],
        t("arc_c_as_of"): [report.as_of for report in listed],
        t("arc_c_rules"): [state.preset_label(report.rules) for report in listed],
        t("arc_c_language"): [report.language for report in listed],
        t("arc_c_recipient"): [recipients.get(report.recipient, report.recipient) for report in listed],
        t("arc_c_note"): [report.note for report in listed],
        t("arc_c_saved_by"): [report.saved_by for report in listed],
        t("arc_c_saved_at"): [report.saved_at for report in listed],
    }), hide_index=True, key="arc_list")

    labels = {report.id: t("arc_option", n=report.id, region=report.region_name, as_of=f"{report.as_of:%Y-%m-%d}",
                           recipient=recipients.get(report.recipient, report.recipient), saved_at=report.saved_at)
              for report in listed}
    if st.session_state.get("arc_pick") not in numbers:
        st.session_state["arc_pick"] = numbers[0]
    number = st.selectbox(t("arc_pick"), numbers, format_func=labels.__getitem__, key="arc_pick")
    chosen = archive.report(number, allowed)

    st.subheader(plain.md(chosen.title))
    st.caption(t("arc_meta", by=plain.md(chosen.saved_by), at=chosen.saved_at,
                 recipient=recipients.get(chosen.recipient, chosen.recipient), note=plain.md(chosen.note or "—")))
    st.caption(t("arc_generation", package=plain.md(chosen.generation.package or "—"),
                 loaded_at=chosen.generation.loaded_at or "—", sha=(chosen.generation.package_sha256 or "—")[:12]))

    st.markdown("**" + t("arc_files") + "**")
    may_export = session.can("export")
    with st.container(horizontal=True, gap="small"):
        for kind, name, _size, _digest in chosen.files:
            try:
                stored = archive.file(number, kind, allowed)
            except archives.ArchiveError:
                st.error(t("arc_damaged", name=plain.md(name)))
                continue
            if may_export:  # the bytes as stored, their SHA-256 checked by archive.file
                charts.export_button(
                    t("arc_download", name=kind.upper()), stored.content, stored.file_name, stored.mime,
                    key=f"arc_file_{number}_{kind}",
                    audit=("archive_download", chosen.region_code, f"#{number} {stored.file_name} sha256 {stored.sha256}"))
    for _kind, name, size, digest in chosen.files:
        st.caption(t("arc_sha", name=plain.md(name), size=f"{size:,}", sha=digest))
    if not may_export:
        st.caption(t("export_not_allowed"))

    st.subheader(t("arc_changed"))
    # kept for this session while the data generation, the report and the account stay the same: a click on a
    # download reruns the page, and the comparison of a county takes seconds
    cache_key = (number, archives.generation(scoped.query), session.account().username, session.account().scope)
    cached = st.session_state.get("_arc_comparison")
    if cached is not None and cached[0] == cache_key:
        comparison = cached[1]
    else:
        comparison = archives.compare(archive, number, allowed, scoped.query, audit=session.audit_once)
        st.session_state["_arc_comparison"] = (cache_key, comparison)
    st.caption(t("arc_generation_now", package=plain.md(comparison.now.package or "—"),
                 loaded_at=comparison.now.loaded_at or "—", sha=(comparison.now.package_sha256 or "—")[:12]))
    moved = comparison.figures
    if comparison.missing_preset:
        st.warning(t("arc_missing_preset", rules=plain.md(chosen.rules)))
    elif moved.empty:
        st.success(t("arc_no_change"))
    else:
        st.markdown(t("arc_moved", n=len(moved)))
        status = {"changed": "", "new": " " + t("arc_status_new"), "gone": " " + t("arc_status_gone")}
        tables.grid(pd.DataFrame({
            t("arc_c_table"): moved.table.to_numpy(),
            t("arc_c_row"): [f"{row.row}{status[row.status]}" for row in moved.itertuples()],
            t("arc_c_figure"): moved.column.to_numpy(),
            t("arc_c_before"): [archives.shown(row.before, row.kind) for row in moved.itertuples()],
            t("arc_c_now"): [archives.shown(row.now, row.kind) for row in moved.itertuples()],
            t("arc_c_difference"): [archives.shown_difference(row.difference, row.kind) for row in moved.itertuples()],
        }), hide_index=True, key="arc_figures")
    events, members = comparison.events, comparison.members
    if events.empty and (members is None or members.empty):
        st.caption(t("arc_no_events"))
    if not events.empty:
        st.markdown("**" + t("arc_events", n=len(events)) + "**")
        tables.grid(pd.DataFrame({
            t("arc_c_change"): [t("arc_change_" + change) for change in events.change],
            t("arc_c_event"): events.event_id.to_numpy(),
            t("arc_c_household"): events.household_id.to_numpy(),
            t("arc_c_head"): events.head_name_masked.to_numpy(),
            t("arc_c_village"): events.village_name.to_numpy(),
            t("arc_c_event_now"): archives.event_words(events.event_type, events.event_date, view.language),
            t("arc_c_event_before"): archives.event_words(events.before_type, events.before_date, view.language),
        }), hide_index=True, key="arc_events")
    if members is not None and not members.empty:
        st.markdown("**" + t("arc_members", n=len(members)) + "**")
        tables.grid(pd.DataFrame({
            t("arc_c_change"): [t("arc_change_" + change) for change in members.change],
            t("arc_c_person"): members.person_id.to_numpy(),
            t("arc_c_household"): members.household_id.to_numpy(),
            t("arc_c_head"): members.head_name_masked.to_numpy(),
            t("arc_c_village"): members.village_name.to_numpy(),
            t("arc_c_event_now"): archives.member_words(members.joined_on, members.left_on,
                                                        (members.change != "removed").to_numpy(), view.language),
            t("arc_c_event_before"): archives.member_words(members.before_joined_on, members.before_left_on,
                                                           (members.change != "late").to_numpy(), view.language),
        }), hide_index=True, key="arc_members")
    st.caption(t("arc_events_scope"))
