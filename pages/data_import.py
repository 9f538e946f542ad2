"""数据导入 Data import: the stamp of the database in use; upload an import package (one .zip, or its
files) and load it with a progress bar. The load is all or nothing (etl/load.py): on failure every
problem is listed and the rejects report offered, the database untouched; on success the row counts
and warnings are shown and every page reads the new database. The work is done by ui/importing.py."""

from __future__ import annotations

import logging

import streamlit as st

from etl.service import MAX_PACKAGE_BYTES
from ui import charts, data, gate, importing, plain, scoped, session, state, tables
from ui.formatting import count, listed
from ui.i18n import t

# what a package may hold (etl/read.py: tables as CSV/XLSX, boundaries as GeoJSON or a Shapefile; notes .md,
# which the reader skips)
ACCEPTED = ["zip", "csv", "txt", "xlsx", "xlsm", "xls", "geojson", "json", "shp", "shx", "dbf", "prj", "cpg", "md"]
MAX_UPLOAD_MB = MAX_PACKAGE_BYTES // 1024**2
log = logging.getLogger("tuopin.import")

view = state.page_header("page_data_import")


def problem_columns() -> dict:
    """Where and why; the check's name is in the downloads (it leaves the reason room on screen)."""
    return {"severity": t("qc_severity"), "file": t("qc_file"), "row_number": t("qc_row"),
            "column_name": t("qc_column"), "value": t("qc_value"),
            "reason": st.column_config.TextColumn(t("qc_reason"), width="large")}


def show_problems(frame, *, key: str) -> None:
    shown = frame.assign(severity=frame.severity.map(lambda s: t("imp_severity_" + s)))
    tables.grid(shown[list(problem_columns())], hide_index=True, column_config=problem_columns(), key=key)


# ---- the database in use ------------------------------------------------------------------------
st.subheader(t("imp_current"))
stamp = data.load_stamp()
if stamp:
    tiles = st.columns(4)
    tiles[0].metric(t("imp_loaded_at"), f"{stamp['loaded_at']:%Y-%m-%d %H:%M}")
    tiles[1].metric(t("imp_rows"), t("imp_n_rows", n=count(stamp["rows_loaded"])))
    tiles[2].metric(t("imp_warnings"), t("imp_n_items", n=count(stamp["warnings"])))
    tiles[3].metric(t("imp_seconds"), t("imp_n_seconds", s=f"{stamp['seconds']:.1f}"))
    st.caption(t("imp_package", package=plain.md(stamp["package"]), sha=stamp["package_sha256"] or "—"))
else:
    st.caption(t("imp_no_stamp"))

# ---- a new package ------------------------------------------------------------------------------
st.subheader(t("imp_new"))
if not session.can("import"):  # the navigation hides this page then; a direct run still stops here
    st.info(t("imp_not_allowed"))
    state.stop_page()
st.markdown(t("imp_how"))
if data.uses_bundled_demo():
    st.warning(t("imp_replaces_demo", path=str(data.db_path())), icon=":material/warning:")
st.caption(t("imp_signed_in_only"))

# a new key after each successful import empties the uploader
upload_round = st.session_state.setdefault("import_round", 0)
files = st.file_uploader(
    t("imp_choose"), type=ACCEPTED, accept_multiple_files=True, key=f"import_files_{upload_round}",
    max_upload_size=MAX_UPLOAD_MB, help=t("imp_choose_help", limit=f"{MAX_UPLOAD_MB:,} MB"),
)


# what the roster section keeps between runs (the files' identity, the draft, the edited tables, a preview)
ROSTER_STATE = ("roster_key", "roster_draft", "roster_columns", "roster_values", "roster_preview_of")


def run_import(uploads: list, start) -> None:
    """Import with the progress bar; the outcome (or the refusal) is kept for the outcome section below.
    `start(progress)` does the import: a package (importing.import_uploads) or rosters (import_rosters)."""
    bar = st.progress(0.0, text=t("imp_receiving"))
    # audited before anything is written: an import killed midway still leaves its trace
    session.audit("import_started", session.account().scope, importing.summary(uploads))
    try:
        with gate.runs().released():  # the load's seconds: the other sessions' runs go on meanwhile (ui/gate.py)
            outcome = start(lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message))
    except importing.UploadRefused as refused:
        outcome = refused
    except Exception as exc:  # the load is atomic: whatever broke, the database in use is unchanged
        log.exception("import failed")
        outcome = importing.UploadRefused("imp_crashed", error=str(exc)[:300])
    bar.empty()
    st.session_state["import_outcome"] = outcome
    if isinstance(outcome, importing.ImportOutcome):
        session.audit("import" if outcome.ok else "import_failed", session.account().scope,
                      f"{outcome.package_name}: {outcome.total_rows} rows" if outcome.ok
                      else f"{outcome.package_name}: {len(outcome.errors)} errors")
    if isinstance(outcome, importing.ImportOutcome) and outcome.ok:
        # a new database file: cached results and connections belong to the old one; rerun everything
        st.session_state["import_round"] = upload_round + 1
        for key in ROSTER_STATE:
            st.session_state.pop(key, None)
        st.cache_data.clear()
        st.cache_resource.clear()
        st.rerun()


if st.button(t("imp_start"), type="primary", disabled=not files, key="import_start"):
    uploads = [importing.Upload(f.name, f.getbuffer()) for f in files]
    run_import(uploads, lambda progress: importing.import_uploads(uploads, data.db_path(), progress=progress))

# ---- rosters (花名册): converted to a package (etl/roster), then loaded like one ----------------------
st.subheader(t("imp_roster_title"))
st.markdown(t("imp_roster_how"))
roster_files = st.file_uploader(
    t("imp_roster_choose"), type=importing.ROSTER_TYPES, accept_multiple_files=True,
    key=f"roster_files_{upload_round}", max_upload_size=MAX_UPLOAD_MB,
    help=t("imp_roster_choose_help", limit=f"{MAX_UPLOAD_MB:,} MB"),
)
if roster_files:
    roster_uploads = [importing.Upload(f.name, f.getbuffer()) for f in roster_files]
    upload_key = tuple((f.name, f.size, f.file_id) for f in roster_files)
    if st.session_state.get("roster_key") != upload_key:  # new files: a new draft, the tables start afresh
        for key in ROSTER_STATE:
            st.session_state.pop(key, None)
        st.session_state["roster_key"] = upload_key
        try:
            st.session_state["roster_draft"] = importing.draft_roster(roster_uploads, data.db_path())
        except (importing.UploadRefused, importing.PackageError) as refused:
            st.session_state["roster_draft"] = refused
    draft = st.session_state["roster_draft"]
    if isinstance(draft, importing.UploadRefused):
        st.error(t(draft.key, **{k: plain.md(v) for k, v in draft.values.items()}))
    elif isinstance(draft, importing.PackageError):
        st.error(t("imp_roster_unreadable", n=count(len(draft.problems))))
        show_problems(importing.problem_table(draft.problems, view.language), key="roster_problems")
    else:
        st.caption(t("imp_roster_saved_used" if draft.source == "saved" else "imp_roster_proposed",
                     file=plain.md(draft.sample)))
        choices = list(importing.field_choices(view.language).values())
        st.markdown(f"**{t('imp_roster_columns')}**")
        columns = tables.editor(
            importing.columns_table(draft, view.language), key="roster_columns", hide_index=True,
            disabled=["column"], width="stretch",
            column_config={"column": st.column_config.TextColumn(t("imp_roster_column")),
                           "field": st.column_config.SelectboxColumn(t("imp_roster_field"), options=choices)},
        )
        st.markdown(f"**{t('imp_roster_values')}**")
        values = tables.editor(
            importing.values_table(draft, view.language), key="roster_values", hide_index=True, num_rows="dynamic",
            width="stretch",
            column_config={"field": st.column_config.SelectboxColumn(t("imp_roster_field"), options=choices),
                           "written": st.column_config.TextColumn(t("imp_roster_written")),
                           "meant": st.column_config.TextColumn(t("imp_roster_meant"))},
        )
        try:
            mapping = importing.edited_mapping(draft.mapping, columns, values, view.language)
        except importing.UploadRefused as refused:
            st.error(t(refused.key, **{k: plain.md(v) for k, v in refused.values.items()}))
            mapping = None
        except importing.PackageError as refused:
            st.error(t("imp_roster_unreadable", n=count(len(refused.problems))))
            show_problems(importing.problem_table(refused.problems, view.language), key="roster_mapping_problems")
            mapping = None
        if mapping is not None:
            if mapping.unplaced:
                st.caption(t("imp_roster_unplaced", columns=listed(plain.md(c) for c in mapping.unplaced)))
            shown = draft
            if mapping.to_toml() != draft.mapping.to_toml():  # the tables were edited: preview what they say
                cached = st.session_state.get("roster_preview_of")
                if not cached or cached[0] != mapping.to_toml():
                    try:
                        cached = (mapping.to_toml(), importing.draft_roster(roster_uploads, data.db_path(), mapping))
                    except (importing.UploadRefused, importing.PackageError):
                        cached = (mapping.to_toml(), draft)
                    st.session_state["roster_preview_of"] = cached
                shown = cached[1]
            if shown.unknown:
                st.warning(t("imp_roster_unknown", fields=listed(
                    plain.md(f"{importing.field_choices(view.language)[name]}: {'、'.join(found)}")
                    for name, found in shown.unknown.items())))
            if not shown.scanned_all:
                st.caption(t("imp_roster_scanned", n=count(shown.scanned)))
            st.markdown(f"**{t('imp_roster_preview', file=plain.md(shown.sample))}**")
            labels = importing.field_choices(view.language)
            tables.grid(shown.preview, hide_index=True, key="roster_preview",
                        column_config={"row": t("qc_row"), **{name: labels.get(name, name)
                                                             for name in shown.preview.columns if name != "row"}})
            with st.container(horizontal=True):
                if st.button(t("imp_roster_save"), key="roster_save"):
                    saved = importing.save_mapping(mapping, data.db_path())
                    st.success(t("imp_roster_saved", path=plain.md(saved.name)))
                start_rosters = st.button(t("imp_roster_start"), type="primary", key="roster_start")
            if start_rosters:
                run_import(roster_uploads, lambda progress: importing.import_rosters(
                    roster_uploads, data.db_path(), mapping, progress=progress))

# ---- the outcome of this session's last import --------------------------------------------------
outcome = st.session_state.get("import_outcome")
if isinstance(outcome, importing.ImportOutcome) and outcome.notes:  # a roster import: what the converter says
    with st.expander(t("imp_roster_notes", n=count(len(outcome.notes))), expanded=True):
        for note in outcome.notes:
            st.caption(plain.md(note.removeprefix("- ")))
        found = [p for p in outcome.problems if p.check_name.startswith("roster_")]  # snapshot consistency
        if found and outcome.ok:
            st.markdown(f"**{t('imp_roster_warnings', n=count(len(found)))}**")
            show_problems(importing.problem_table(found, view.language), key="roster_warnings")
if isinstance(outcome, importing.UploadRefused):
    st.error(t(outcome.key, **{k: plain.md(v) for k, v in outcome.values.items()}))  # file names
elif isinstance(outcome, importing.ImportOutcome) and not outcome.ok:
    st.error(t("imp_failed", n=count(len(outcome.errors))))
    st.markdown(f"**{t('imp_problems', n=count(len(outcome.problems)))}**")
    show_problems(importing.problem_table(outcome.problems, view.language), key="import_problems")
    with st.container(horizontal=True):
        # through the audited export button, like every download of the dashboard
        charts.export_button(t("imp_rejects_csv"), outcome.rejects_csv, "rejects.csv", "text/csv",
                             key="import_rejects_csv")
        charts.export_button(t("imp_rejects_xlsx"), outcome.rejects_xlsx, "rejects.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             key="import_rejects_xlsx")
    st.caption(t("imp_rejects_note"))
elif isinstance(outcome, importing.ImportOutcome):
    st.success(t("imp_done", name=plain.md(outcome.package_name), rows=count(outcome.total_rows),
                 seconds=f"{outcome.seconds:.1f}", warnings=count(len(outcome.problems))),
               icon=":material/check_circle:")
    left, right = st.columns([1, 3])
    with left:
        st.markdown(f"**{t('imp_rows_by_file')}**")
        rows = importing.rows_table(outcome.rows, view.language)
        tables.grid(rows, hide_index=True, key="import_rows",
                     column_config={"table": t("qc_table"), "rows": st.column_config.NumberColumn(t("qc_rows"))})
        charts.download(rows, t("imp_rows_by_file"), key="download_import_rows")
    with right:
        # the warnings as the new database keeps them (load_problems), masked like every page shows them
        warnings = scoped.query("quality_load_problems")
        st.markdown(f"**{t('imp_warnings_title')}**")
        if warnings.empty:
            st.caption(t("imp_no_warnings"))
        else:
            reason = "message_en" if view.language == "en" else "message_zh"
            show_problems(warnings.assign(reason=warnings[reason])[list(problem_columns())], key="import_warnings")
            charts.download(warnings, t("imp_warnings_title"), key="download_import_warnings")
        st.page_link("pages/data_quality.py", label=t("open_page", page=t("page_data_quality")),
                     query_params=st.query_params.to_dict())
