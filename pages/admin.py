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
    names = dict(zip(regions.code, regions.name, strict=True))  # the regions of the administrator's scope
    levels = dict(zip(regions.code, regions.level, strict=True))
    listed = pd.DataFrame(
        [(a.username, a.display_name, ROLES[a.role].zh if zh else ROLES[a.role].en, a.scope,
          names.get(a.scope, a.scope), a.email or "") for a in store.accounts()],
        columns=[t("username"), t("admin_display_name"), t("admin_role"), t("admin_scope_code"),
                 t("admin_scope"), t("admin_email")],
    )
    tables.grid(listed, hide_index=True)
    if notice := st.session_state.pop("_admin_notice", None):  # what the last change did (it reran the page)
        st.success(notice)
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
            try:
                store.add(username.strip(), password or None, role, scope, display_name=display.strip(),
                          email=email.strip() or None, region_level=levels[scope])
            except AccessError as error:
                st.error(plain.md(error))  # it may repeat what was typed
            else:
                session.audit("account", scope, f"created {username.strip()} ({role})")
                st.success(t("admin_created", user=plain.md(username.strip())))

    # ---- an existing account: a new password, role or scope, display name or e-mail, or disabled (停用) ------
    # Each change but the display name ends the account's open sessions (access/store.py); the only
    # administrator cannot be disabled or demoted (the store refuses), and nobody disables or demotes the
    # account they are using.
    # Only accounts scoped inside the administrator's own scope are offered, here and below.
    def label(account) -> str:
        return f"{account.username} · {role_labels[account.role]} · {names[account.scope]}"

    accounts = {a.username: a for a in store.accounts() if a.scope in names}
    with st.form("change_account", border=True):
        st.subheader(t("admin_change_account"))
        left, right = st.columns(2)
        name = left.selectbox(t("admin_account"), list(accounts), format_func=lambda u: label(accounts[u]))
        change = right.radio(t("admin_change"), ("password", "role", "name", "email", "disable"), horizontal=True,
                             format_func=lambda key: t("admin_change_" + key))
        new_password = left.text_input(t("admin_new_password"), type="password", max_chars=256)
        left, right = st.columns(2)  # the role and its scope side by side, under the password
        new_role = left.selectbox(t("admin_new_role"), list(ROLES), format_func=role_labels.__getitem__)
        new_scope = right.selectbox(t("admin_new_scope"), list(scope_labels), format_func=scope_labels.__getitem__)
        new_display = left.text_input(t("admin_new_display_name"), max_chars=64)
        new_email = right.text_input(t("admin_new_email"), max_chars=256)
        confirmed = st.checkbox(t("admin_confirm_disable"))
        st.caption(t("admin_change_note"))
        if st.form_submit_button(t("admin_apply")) and name is not None:
            own = name == session.account().username
            try:
                if own and change in ("role", "disable"):
                    raise AccessError(t("admin_not_own_account"))
                if change == "password":
                    store.set_password(name, new_password)
                    detail = f"new password for {name}"
                elif change == "role":
                    store.set_role(name, new_role, new_scope, region_level=levels[new_scope])
                    detail = f"{name}: {accounts[name].role} {accounts[name].scope} → {new_role} {new_scope}"
                elif change == "name":
                    store.set_display_name(name, new_display)
                    detail = f"display name of {name}: {new_display.strip()}"
                elif change == "email":
                    store.set_email(name, new_email)
                    detail = f"e-mail of {name}: {new_email.strip() or '-'}"
                else:
                    if not confirmed:
                        raise AccessError(t("admin_confirm_first"))
                    store.disable(name)
                    detail = f"disabled {name}"
            except AccessError as error:
                st.error(plain.md(error))  # it may repeat what was typed
            else:
                session.audit("account", new_scope if change == "role" else accounts[name].scope, detail)
                if own:  # one's own new password, name or e-mail: this session goes on (the others end)
                    st.session_state["_account"] = store.account(name)
                st.session_state["_admin_notice"] = t("admin_changed_" + change, user=plain.md(name))
                st.rerun()  # the list above without the disabled account, with the new role

    # ---- disabled accounts: enabled again (with the password they had), when there are any ----------------
    if disabled := {a.username: a for a in store.disabled_accounts() if a.scope in names}:
        with st.form("enable_account", border=True):
            st.subheader(t("admin_disabled_accounts"))
            name = st.selectbox(t("admin_account"), list(disabled), key="enable_which",
                                format_func=lambda u: label(disabled[u]))
            if st.form_submit_button(t("admin_enable")) and name is not None:
                try:
                    store.enable(name)
                except AccessError as error:
                    st.error(plain.md(error))
                else:
                    session.audit("account", disabled[name].scope, f"enabled {name}")
                    st.session_state["_admin_notice"] = t("admin_enabled", user=plain.md(name))
                    st.rerun()

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
