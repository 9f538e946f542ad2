"""When there is nothing safe to show: no database to serve (missing, damaged) or a run that failed.

A visitor sees a short message in the session's language, never a traceback or a server path; the
details go to the server log (logger "tuopin") under a reference the message quotes. An administrator
who signs in is told what to do and can roll back to a backup here, without any page that needs the
database. Nothing is written until an administrator chooses a backup.
"""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from etl import service
from ui import data, session
from ui.i18n import t

log = logging.getLogger("tuopin")


class Failure(Exception):
    """What a visitor is shown of a failed run: the short message only (never raised, so no traceback)."""


def _alone(screen, url_path: str) -> None:
    """One screen with no navigation (no list of pages), answering at every page's address too."""
    from ui.navigation import PAGE_NAMES

    pages = [st.Page(screen, title=t("app_title"), url_path=url_path, default=True)]
    pages += [st.Page(screen, title=t("app_title"), url_path=name) for name in PAGE_NAMES]
    st.navigation(pages, position="hidden").run()
    st.stop()


def unavailable(problem: str) -> None:
    """No database to serve ("missing" or "unreadable") and none will be built: the message for
    everyone, the sign-in form, and for an administrator what to do and the backups. Stops the run."""
    log.error("database %s: %s", problem, data.db_path())
    st.error(t("db_unavailable_" + problem))
    session.require(check_scope=False)  # nobody signed in: the sign-in form (it stops the run)
    _alone(_recovery_panel, "recovery")


def _recovery_panel() -> None:
    if session.can("manage"):
        st.markdown(t("db_recovery_admin"))
        st.code(f"python -m etl load PACKAGE --db {data.db_path()}", language="bash")
        backup_list()
    if st.button(t("sign_out"), key="recovery_sign_out"):
        session.audit("sign_out", session.account().scope, "")
        session.sign_out()
        st.rerun()


def backup_list(empty: str = "db_recovery_no_backups") -> None:
    """The kept databases, newest first, each with its rollback button (audited); `empty`: the message
    when there is none. The administration page and the no-database screen both show it."""
    kept = service.backups(data.db_path())
    if not kept:
        st.info(t(empty))
    for backup in kept:
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            st.markdown(t("admin_backup_line", at=f"{backup.saved_at:%Y-%m-%d %H:%M:%S}",
                          size=f"{backup.size / 1_048_576:,.1f}"))
            if st.button(t("admin_rollback"), key=f"rollback_{backup.path.name}"):
                service.rollback(data.db_path(), backup.path)
                session.audit("rollback", session.account().scope, backup.path.name)
                st.cache_data.clear()
                st.success(t("admin_rolled_back"))
                st.rerun()


def failed(error: Exception, navigated: bool) -> None:
    """A run failed: log it with a reference, show the short message (as an exception element without
    any traceback, so tests and the browser both see that the run failed), and offer an administrator
    the way back. `navigated`: the pages were already set up (else a bare screen, so the sidebar shows
    no list of pages)."""
    reference = secrets.token_hex(4)
    log.error("run failed (reference %s)", reference, exc_info=error)

    def screen() -> None:
        shown = Failure(t("app_error", ref=reference))
        shown.alternate_name = t("app_error_title")
        st.exception(shown)
        if "_account" in st.session_state and session.can("manage"):
            st.markdown(t("db_recovery_admin"))
            st.code(f"python -m etl load PACKAGE --db {data.db_path()}", language="bash")
            backup_list()

    if navigated:
        screen()
    else:
        _alone(screen, "error")
