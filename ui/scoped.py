"""The query every page runs: a catalog query on the run's database generation (ui/data.py opens and
caches it), limited to the signed-in account's scope by the query layer (queries.apply_scope), with
household lists written to the audit log (ui/session.py).

Layering: ui/data.py knows nothing of who is signed in; ui/session.py signs in and audits on top of
ui/data.py; this module puts the two together for the pages. No module imports back up this chain
(tests/test_layering.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ui import data, session

# Queries listing households: who looked at which region's list goes into the audit log.
HOUSEHOLD_LISTS = frozenset({"village_households", "household_exit_check", "household_identities",
                             "quality_households_without_members", "quality_implausible_incomes",
                             "quality_members_in_several_households", "monitoring_households",
                             "monitoring_timeliness", "monitoring_gaps", "monitoring_clearance_check",
                             "department_warnings", "quality_department_records_unmatched",
                             "event_fingerprints", "member_fingerprints"})


def query(name: str, **params) -> pd.DataFrame:
    """Run a catalog query on the current database generation (cached per generation), limited to
    the signed-in account's scope."""
    scope = session.scope() if "_account" in st.session_state else None
    if name in HOUSEHOLD_LISTS and scope is not None:
        region = params.get("region") or params.get("village") or scope.region
        session.audit_once("unmask" if name == "household_identities" else "view_households", region,
                           f"{name} {sorted((k, str(v)) for k, v in params.items())}")
    return data.run(name, params, scope)


def later() -> Callable[..., pd.DataFrame]:
    """`query` for work done after the run, when a download button is clicked (its deferred file): the
    run's generation and the account's scope fixed now (ui/data.bound). Household lists are refused:
    their audit entry belongs to the run that shows them."""
    scope = session.scope() if "_account" in st.session_state else None
    run = data.bound(scope)

    def query(name: str, **params) -> pd.DataFrame:
        if name in HOUSEHOLD_LISTS:
            raise ValueError(f"{name} lists households: run it in the page's run (scoped.query)")
        return run(name, **params)

    return query
