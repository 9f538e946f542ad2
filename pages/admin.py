"""系统管理 Administration (administrators only): accounts, the audit log, and rolling back an import."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access import ROLES, AccessError
from etl import service
from ui import charts, plain, recovery, session, state, tables
from ui.i18n import language, t

state.page_header("page_admin")
if not session.can("manage"):  # the navigation hides this page; a typed URL still lands here
    st.error(t("admin_only"))
    state.stop_page()

store = session.store()
zh = language() == "zh"
accounts_tab, audit_tab, backups_tab = st.tabs([t("admin_accounts"), t("admin_audit"), t("admin_backups")])

with accounts_tab:
    regions = state.regions()
    names = dict(zip(regions.code, regions.name, strict=True))
    listed = pd.DataFrame(
        [(a.username, a.display_name, ROLES[a.role].zh if zh else ROLES[a.role].en, a.scope,
          names.get(a.scope, a.scope), a.email or "") for a in store.accounts()],
        columns=[t("username"), t("admin_display_name"), t("admin_role"), t("admin_scope_code"),
                 t("admin_scope"), t("admin_email")],
    )
    tables.grid(listed, hide_index=True)
    with st.form("new_account", border=True):
        st.subheader(t("admin_new_account"))
        left, right = st.columns(2)
        username = left.text_input(t("username"), max_chars=64)
        display = right.text_input(t("admin_display_name"), max_chars=64)
        role_labels = {key: (r.zh if zh else r.en) for key, r in ROLES.items()}
        role = left.selectbox(t("admin_role"), list(ROLES), format_func=role_labels.__getitem__)
        scope_labels = {row.code: f"{row.name}（{row.level}）" for row in regions.itertuples()}
        scope = right.selectbox(t("admin_scope"), list(scope_labels), format_func=scope_labels.__getitem__)
        password = left.text_input(t("password"), type="password", max_chars=256)
        email = right.text_input(t("admin_email"), max_chars=256)
        if st.form_submit_button(t("admin_create"), type="primary"):
            level = regions.set_index("code").at[scope, "level"]
            try:
                store.add(username.strip(), password or None, role, scope, display_name=display.strip(),
                          email=email.strip() or None, region_level=level)
            except AccessError as error:
                st.error(plain.md(error))  # it may repeat what was typed
            else:
                session.audit("account", scope, f"created {username.strip()} ({role})")
                st.success(t("admin_created", user=plain.md(username.strip())))

with audit_tab:
    log = pd.DataFrame(store.audit_log(5000), columns=["at", "username", "role", "action", "region", "detail"])
    actions = sorted(log.action.unique())
    chosen = st.multiselect(t("admin_actions"), actions, default=actions)
    shown = log[log.action.isin(chosen)].rename(columns={
        "at": t("admin_at"), "username": t("username"), "role": t("admin_role"), "action": t("admin_action"),
        "region": t("admin_scope_code"), "detail": t("admin_detail")})
    tables.grid(shown, hide_index=True)
    charts.download(shown, t("admin_audit"), key="download_audit")

with backups_tab:
    st.caption(t("admin_backups_note", n=service.KEEP))
    recovery.backup_list(empty="admin_no_backups")  # the same list the no-database screen offers
