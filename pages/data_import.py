"""数据导入 Data import: the stamp of the database in use; upload an import package (one .zip, or its
files) and load it with a progress bar. The load is all or nothing (etl/load.py): on failure every
problem is listed and the rejects report offered, the database untouched; on success the row counts
and warnings are shown and every page reads the new database. The work is done by ui/importing.py."""

from __future__ import annotations

import logging

import streamlit as st

from etl.service import MAX_PACKAGE_BYTES
from ui import charts, data, importing, plain, scoped, session, state, tables
from ui.formatting import count
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
    st.stop()
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

if st.button(t("imp_start"), type="primary", disabled=not files, key="import_start"):
    bar = st.progress(0.0, text=t("imp_receiving"))
    uploads = [importing.Upload(f.name, f.getbuffer()) for f in files]
    # audited before anything is written: an import killed midway still leaves its trace
    session.audit("import_started", session.account().scope, importing.summary(uploads))
    try:
        outcome = importing.import_uploads(
            uploads, data.db_path(),
            progress=lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message),
        )
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
        st.cache_data.clear()
        st.cache_resource.clear()
        st.rerun()

# ---- the outcome of this session's last import --------------------------------------------------
outcome = st.session_state.get("import_outcome")
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
