"""The sidebar's choices belong to the session, not to a page (ui/state.py, KEEP).

On a page switch Streamlit keeps only the widget states the browser's rerun request names. A request
that left out the sidebar's widgets put the view back on the latest quarter end in the middle of a
drill-down: the village's report was then written for another date than the one chosen. Here a real
`streamlit run` server is driven through Streamlit's own protocol (bench/load_test.User): choices
are made, then pages are switched by requests that name no widget at all.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import pytest

from bench import load_test
from tests.support import streamlit_server

PASSWORD = "sidebar-state-password"
COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"  # 小试县, 甲乡, 乙镇 (tests/fixtures/tiny)


@pytest.fixture(scope="module")
def server(tiny_db_path, tmp_path_factory):
    from access import Store

    accounts = tmp_path_factory.mktemp("sidebar_accounts") / "accounts.sqlite"
    store = Store(accounts)
    store.add("leader", PASSWORD, "leader", COUNTY, display_name="县扶贫办")
    store.add("jia_staff", PASSWORD, "township", JIA, display_name="甲乡")
    store.add("county_viewer", PASSWORD, "viewer", COUNTY, display_name="县里的查看者")
    with streamlit_server({"TUOPIN_DB": str(tiny_db_path), "TUOPIN_ACCOUNTS": str(accounts)}) as url:
        yield url


async def sign_in(user: load_test.User, username: str) -> None:
    await user.rerun()  # the sign-in form
    name = user.widget("text_input", label="用户名")
    secret = user.widget("text_input", label="密码")
    submit = user.widget("button", label="登录")
    user.set_string(name.id, username)
    user.set_string(secret.id, PASSWORD)
    await user.rerun(triggers={submit.id: True})
    user.values.clear()  # the password is not sent again
    assert "overview" in user.pages, f"not signed in as {username}"


def shown(user: load_test.User) -> dict[str, str]:
    """The filters of the last run, as the server wrote them into the URL (ui/state._to_url)."""
    return {key: values[0] for key, values in parse_qs(user.query_string).items()}


def choose(user: load_test.User, key: str, option: str) -> None:
    box = user.widget("selectbox", key=key)
    assert option in box.options, f"{option!r} not offered by {key}: {list(box.options)}"
    user.set_string(box.id, option)


def test_a_page_switch_naming_no_widget_keeps_every_choice_of_the_sidebar(server):
    async def scenario() -> tuple[dict, list[tuple[str, dict]], str, str]:
        user = load_test.User(1, server, timeout=120)
        await user.connect()
        try:
            await sign_in(user, "leader")
            default = shown(user)
            as_of = user.widget("selectbox", key="as_of_choice")
            older = as_of.options[2]  # two quarter ends before the latest (not the default)
            choose(user, "as_of_choice", older)
            choose(user, "compare", user.widget("selectbox", key="compare").options[1])  # 同比
            await user.rerun()
            choose(user, "pick_1", "甲乡")  # a selectbox's options travel as their labels
            await user.rerun()
            chosen = shown(user)
            seen = []
            for page in ("dynamics", "map", "report", "village_exit", "overview"):
                user.values.clear()  # the request names no widget, as one sent mid-run may not
                await user.rerun(page_hash=user.pages[page])
                seen.append((user.page, shown(user)))
            return default, seen, older, str(chosen)
        finally:
            await user.close()

    default, seen, older, chosen = asyncio.run(scenario())
    older_date = older[older.index("（") + 1:older.index("）")]
    assert default["as_of"] != older_date and default["region"] == COUNTY  # the choices are not the defaults
    for page, filters in seen:
        assert (page, filters.get("as_of"), filters.get("region"), filters.get("compare")) == (
            page, older_date, JIA, "year"), chosen


def test_signing_out_still_forgets_the_region_for_the_next_account(server):
    """The regions picked are forgotten at sign-out (ui/session.sign_out), although the sidebar keeps
    them across pages: the next account opens on its own region, the whole county for a county
    account and its own township for a township's."""
    async def after_sign_out(next_account: str) -> dict:
        user = load_test.User(2, server, timeout=120)
        await user.connect()
        try:
            await sign_in(user, "leader")
            choose(user, "pick_1", "乙镇")
            await user.rerun()
            assert shown(user)["region"] == YI
            sign_out = next(wid for wid, (kind, _proto) in user.last.widgets.items()
                            if kind == "button" and wid.endswith("-sign_out"))
            user.values.clear()
            await user.rerun(triggers={sign_out: True})
            user.query_string = ""  # a fresh start: the next account's own view, not the last URL
            await sign_in(user, next_account)
            return {**shown(user), "offered": list(user.widget("selectbox", key="pick_1").options)}
        finally:
            await user.close()

    county = asyncio.run(after_sign_out("county_viewer"))
    assert (county["region"], county["offered"]) == (COUNTY, ["全部乡镇", "甲乡", "乙镇"])
    township = asyncio.run(after_sign_out("jia_staff"))
    assert (township["region"], township["offered"]) == (JIA, ["全部村", "一村", "二村"])
