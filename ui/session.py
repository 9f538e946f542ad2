"""Who is using the dashboard: sign-in (local accounts or OIDC via st.login), session expiry, the
account's scope and permissions, and the audit entries the dashboard writes.

Modes:
- the bundled demo database with no accounts configured: open, as a demo administrator, and every
  page says that sign-in is off (ui/state.page_header);
- a real database (TUOPIN_DB) with no accounts: refused, with the command that creates the first
  administrator — real data is never served without sign-in;
- accounts configured: sign-in required; sessions expire after IDLE_MINUTES without use or
  MAX_HOURS after signing in, and end at the next run after the account was changed (new password,
  role or scope, disabled: its session_version moved, access/store.py).

Failed sign-ins are throttled per client address (access/store.py): the address is Streamlit's
`st.context.ip_address` ('localhost' for a local connection), or, behind a reverse proxy, the header
named by TUOPIN_CLIENT_ADDRESS_HEADER (e.g. X-Real-IP; of X-Forwarded-For the last entry, the one
the proxy added).
"""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from access import ROLES, AccessError, Account, Store, default_path
from access.archive import Archive
from access.archive import default_path as archive_path
from queries import Scope
from ui import data, plain
from ui.i18n import t

IDLE_MINUTES = int(os.environ.get("TUOPIN_IDLE_MINUTES", "30"))
MAX_HOURS = int(os.environ.get("TUOPIN_SESSION_HOURS", "10"))
DEMO_USER = "demo"


def store() -> Store:
    return Store(default_path(data.db_path()))


def archive() -> Archive:
    """The archive of reports as sent, beside the account store (access/archive.py)."""
    return Archive(archive_path(data.db_path()))


def sign_in_configured() -> bool:
    return store().has_accounts()


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def demo_open(configured: bool | None = None) -> bool:
    """The bundled demo without accounts: open access, announced on every page. `configured`: whether
    the store holds an enabled account, when the caller knows already (one store read fewer)."""
    return data.uses_bundled_demo() and not (sign_in_configured() if configured is None else configured)


def account() -> Account:
    return st.session_state["_account"]


def scope() -> Scope:
    """The scope every query of this session runs under (ui/scoped.query passes it to the runner)."""
    current = account()
    return Scope(current.scope, personal=current.permissions.can_unmask)


def can(permission: str) -> bool:
    """Whether the signed-in account may import / manage / export / unmask. The open demo may look at
    everything but import nothing and manage no accounts: real data needs sign-in configured first."""
    if permission in ("import", "manage") and account().username == DEMO_USER:
        return False
    return bool(getattr(account().permissions, f"can_{permission}"))


def audit(action: str, region: str | None, detail: str = "") -> None:
    current = st.session_state.get("_account")
    if current is not None and current.username == DEMO_USER and demo_open():
        return  # nothing to audit in the open demo
    store().audit(current, action, region, detail)


def audit_once(action: str, region: str | None, detail: str) -> None:
    """Log a view once per session (a page reruns on every click)."""
    seen = st.session_state.setdefault("_audited", set())
    if (action, region, detail) not in seen:
        seen.add((action, region, detail))
        audit(action, region, detail)


def _top_code() -> str:
    return data.run("regions", {}, None).code.iloc[0]  # no account yet: unscoped


def _start(account_: Account) -> None:
    now = dt.datetime.now()
    st.session_state["_account"] = account_
    st.session_state["_signed_in_at"] = now
    st.session_state["_last_seen"] = now


def sign_out() -> None:
    for key in ("_account", "_signed_in_at", "_last_seen", "_audited", "_filters", "_url_read"):
        st.session_state.pop(key, None)
    for key in [k for k in st.session_state if str(k).startswith("pick_")]:
        del st.session_state[key]
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def _client_address() -> str:
    header = os.environ.get("TUOPIN_CLIENT_ADDRESS_HEADER")
    if header and (value := st.context.headers.get(header)):
        return value.split(",")[-1].strip()
    address = st.context.ip_address  # None for a local connection (and not a str under AppTest)
    return address if isinstance(address, str) and address else "localhost"


def _changed(current: Account) -> bool:
    """The account was changed or disabled since this session signed in (one read by primary key)."""
    return store().session_version(current.username) != current.version


def _expired(now: dt.datetime) -> bool:
    return (now - st.session_state["_last_seen"] > dt.timedelta(minutes=IDLE_MINUTES)
            or now - st.session_state["_signed_in_at"] > dt.timedelta(hours=MAX_HOURS))


def _ended(current: Account, reason: str, notice: str) -> None:
    """The session's account is signed out by the dashboard (not by its user): audited with `reason`, and
    the sign-in form says why (`notice`, a ui/i18n.py key)."""
    audit("sign_out", current.scope, reason)
    sign_out()
    st.session_state["_expired_notice"] = notice


def require(check_scope: bool = True) -> Account:
    """The signed-in account; otherwise draw the sign-in form and stop the run. `check_scope=False`
    when there is no database to check the account's region against (ui/recovery.py)."""
    current = st.session_state.get("_account")
    # a signed-in account found unchanged in the store is an enabled account: sign-in is configured, and the
    # run reads the store once, not twice (every run of every session asks)
    configured = None
    if current is not None and current.username != DEMO_USER:
        if _changed(current):
            _ended(current, "account changed", "session_account_changed")
        else:
            configured = True
    if demo_open(configured):
        if st.session_state.get("_account") is None:
            _start(Account(DEMO_USER, "admin", _top_code(), t("demo_user")))
        return account()
    if not (configured or sign_in_configured()):
        _alone(_not_configured, "setup")
    current = st.session_state.get("_account")
    now = dt.datetime.now()
    if current is not None and current.username != DEMO_USER:
        if _expired(now):
            _ended(current, "session expired", "session_expired")
        else:
            st.session_state["_last_seen"] = now
            if check_scope and current.scope not in set(data.run("regions", {}, scope()).code):
                _alone(_scope_missing, "scope")
            return current
    _alone(_sign_in_form, "signin")


def _scope_missing() -> None:
    """The account's region is not in the data (another county was imported): nothing to show."""
    st.error(t("scope_not_in_data", scope=account().scope))
    st.code("python -m access disable NAME; python -m access add NAME --role … --scope <区划代码>\n"
            "# 或在系统管理页回退导入 / or roll the import back", language="bash")
    if st.button(t("sign_out")):
        sign_out()
        st.rerun()


def _alone(screen, url_path: str) -> None:
    """Show one screen with no navigation (nothing of the pages before sign-in) and stop the run.
    The screen answers at every page's address too, so a deep link survives signing in."""
    from ui.navigation import PAGE_NAMES

    pages = [st.Page(screen, title=t("sign_in"), url_path=url_path, default=True)]
    pages += [st.Page(screen, title=t("sign_in"), url_path=name) for name in PAGE_NAMES]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _not_configured() -> None:
    st.error(t("signin_not_configured", db=str(data.db_path())))
    st.code("python -m access add admin --role admin --scope <县区划代码>", language="bash")


def _sign_in_form() -> None:
    st.title(t("app_title"))
    if notice := st.session_state.pop("_expired_notice", None):
        st.warning(t(notice))
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        mapped = store().by_email(str(st.user.get("email", "")))
        if mapped is not None:
            audit_entry = f"oidc {st.user.get('email', '')}"
            store().audit(mapped, "sign_in", mapped.scope, audit_entry)
            _start(mapped)
            st.rerun()
        st.error(t("oidc_no_account", email=plain.md(st.user.get("email", ""))))
        st.button(t("sign_out"), on_click=st.logout)
        return
    with st.form("sign_in", border=True, width=420):
        st.subheader(t("sign_in"))
        st.text_input(t("username"), key="signin_username", max_chars=64)
        st.text_input(t("password"), type="password", key="signin_password", max_chars=256)
        st.form_submit_button(t("sign_in"), type="primary", on_click=_submitted)
    if (error := st.session_state.pop("_signin_error", None)) is not None:
        st.error(error)
    if oidc_configured():
        st.button(t("sign_in_sso"), on_click=st.login)


def _submitted() -> None:
    """The sign-in button's callback: it runs before the script, so the run it starts draws the page the
    account asked for at once, instead of drawing the form again and then a second run for the page. A
    refused sign-in is shown under the form by that run."""
    username = str(st.session_state.get("signin_username") or "").strip()
    password = str(st.session_state.get("signin_password") or "")
    try:
        _start(store().authenticate(username, password, address=_client_address()))
    except AccessError as error:
        st.session_state["_signin_error"] = str(error)
    else:
        del st.session_state["signin_password"]  # nothing keeps the password once it has been checked


def sidebar_badge() -> None:
    """Who is signed in, with which role and scope; the sign-out button."""
    current = account()
    role = ROLES[current.role]
    with st.sidebar:
        st.divider()
        if current.username == DEMO_USER:
            st.caption(t("demo_signin_off"))
            return
        st.caption(t("signed_in_as", user=plain.md(current.display_name or current.username),
                     role=role.zh if st.session_state.get("language", "zh") == "zh" else role.en))
        if st.button(t("sign_out"), key="sign_out", type="tertiary"):
            audit("sign_out", current.scope, "")
            sign_out()
            st.rerun()
