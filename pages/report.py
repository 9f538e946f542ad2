"""汇报材料 Report-back: the text a poverty office writes into its report for the region in view at the
as-of date (ui/report.py words the catalog queries' figures), the tables behind it, and the whole as
Word, Excel and PDF files."""

from __future__ import annotations

from functools import partial

import streamlit as st

from ui import archive as archives
from ui import charts, pdf, scoped, session, state, tables
from ui import report as reports
from ui.i18n import t

view = state.page_header("page_report")
report = reports.build_report(scoped.query, view.as_of, view.region, view.rules, view.language,
                              compare=view.previous, compare_kind=view.compare, later=scoped.later())

st.caption(t("rpt_intro"))
with st.container(horizontal=True, gap="small"):
    charts.export_button(
        t("rpt_download_docx"), partial(reports.to_docx, report), report.file_stem + ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="rpt_docx", icon=":material/description:", type="primary",
    )
    charts.export_button(
        t("rpt_download_xlsx"), partial(reports.to_xlsx, report), report.file_stem + ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="rpt_xlsx", icon=":material/table_view:",
    )
    if pdf.has_font():  # A4, the font embedded, page numbers and the data stamp on every page (ui/pdf.py)
        charts.export_button(
            t("rpt_download_pdf"), partial(reports.to_pdf, report), report.file_stem + ".pdf", "application/pdf",
            key="rpt_pdf", icon=":material/picture_as_pdf:",
        )
if not pdf.has_font():
    st.caption(t("pdf_unavailable"))

# 存档为已报送: the report's files, figures and the events behind them kept as sent (ui/archive.py)
if session.can("export"):
    with st.expander(t("arc_save"), icon=":material/inventory_2:"):
        st.caption(t("arc_save_intro"))
        recipients = {r: t("arc_to_" + r) for r in archives.RECIPIENTS}
        recipient = st.selectbox(t("arc_recipient"), archives.RECIPIENTS, format_func=recipients.__getitem__,
                                 key="arc_recipient")
        note = st.text_input(t("arc_note"), key="arc_note", max_chars=500)
        if st.button(t("arc_save_button"), key="arc_save", type="primary", icon=":material/inventory_2:"):
            number = archives.save(session.archive(), scoped.query, report, as_of=view.as_of, region=view.region,
                                   rules=view.rules, language=view.language, saved_by=session.account().username,
                                   saved_role=session.account().role, recipient=recipient, note=note,
                                   audit=session.audit)
            st.success(t("arc_saved", n=number))

# The text is data-bearing (region and village names): every piece goes through escape_markdown.
with st.container(border=True):
    st.markdown("### " + reports.escape_markdown(report.title))
    st.caption(reports.escape_markdown(report.filters_line))
    for section in report.sections:
        st.markdown("#### " + reports.escape_markdown(section.heading))
        for paragraph in section.paragraphs:
            st.markdown(reports.escape_markdown(paragraph))


def show_table(number: int) -> None:
    table = report.tables[number]
    st.markdown("**" + reports.escape_markdown(table.title) + "**")
    tables.show(table, key=f"rpt_table_{number}", file_name=f"{table.title}_{report.file_stem}")


st.subheader(report.tables_heading)
# narrow tables side by side, the wide ones (funds by source, villages) across the page
for row in ((0, 1), (2, 3), (4, 5), (6,), (7,), *((n,) for n in range(8, len(report.tables)))):
    for number, column in zip(row, st.columns(len(row)), strict=True):
        with column:
            show_table(number)
