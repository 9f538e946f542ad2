"""Sign-in as the dashboard does it: real data needs accounts; the form, lock-out, expiry; a township
account sees only its township however the URL is edited."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from access import AccessError, Store
from tests.conftest import ROOT
from tests.support import navigation_apptest_patch

JIA, YI = "430101100000", "430101200000"
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path, monkeypatch, tiny_db_path) -> Store:
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    monkeypatch.setenv("TUOPIN_ACCOUNTS", str(tmp_path / "accounts.sqlite"))
    with navigation_apptest_patch():
        yield Store(tmp_path / "accounts.sqlite")


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    return at.button[0].click().run()


def test_real_data_without_accounts_is_not_served(accounts):
    at = app().run()
    assert not at.exception
    assert "尚未建立任何账号" in at.error[0].value
    assert "python -m access add admin --role admin" in at.code[0].value
    assert len(at.metric) == 0


def test_sign_in_form_refuses_wrong_passwords_and_admits_the_right_one(accounts):
    accounts.add("jia", PASSWORD, "township", JIA)
    at = app().run()
    assert len(at.metric) == 0 and at.text_input(key="signin_password")
    at = sign_in(at, "jia", "wrong password")
    assert "wrong username or password" in at.error[0].value and len(at.metric) == 0
    at = sign_in(at, "jia", PASSWORD)
    assert not at.exception
    # 甲乡 at 2019-12-31: H1 4人, H2 1人 (exited 2019-09-30), H5 3人 (P14 joined) → 3户8人, none poor
    shown = {m.label: m.value for m in at.metric}
    assert shown["建档立卡（现有）"] == "3户8人" and shown["未脱贫"] == "0户0人"
    log = [(row[1], row[3]) for row in reversed(accounts.audit_log())]  # oldest first
    assert log[:3] == [(None, "account"), ("jia", "sign_in_failed"), ("jia", "sign_in")]


def test_signing_in_draws_the_page_in_the_run_the_button_starts(accounts, tmp_path, monkeypatch):
    """The check runs in the button's callback, before the script: one run after the click shows the
    overview (there was a second run before: the form drawn again, then a rerun for the page), a refused
    sign-in is said in one run too, and the password is not kept in the session once checked."""
    from ui import run_cpu

    accounts.add("jia", PASSWORD, "township", JIA)
    log = tmp_path / "runs.log"
    monkeypatch.setenv(run_cpu.ENV, str(log))
    at = app().run()
    assert len(run_cpu.read(log)) == 1
    at = sign_in(at, "jia", "wrong password")
    runs = run_cpu.read(log)
    assert len(runs) == 2 and runs[-1].page == "-"  # the form again, with the error under it
    assert "wrong username or password" in at.error[0].value and len(at.metric) == 0
    at = sign_in(at, "jia", PASSWORD)
    runs = run_cpu.read(log)
    assert len(runs) == 3 and runs[-1].page == "overview", runs
    assert dict((m.label, m.value) for m in at.metric)["建档立卡（现有）"] == "3户8人"
    assert "signin_password" not in at.session_state and not at.exception


def test_a_township_account_cannot_reach_another_township_by_the_url(accounts):
    accounts.add("jia", PASSWORD, "township", JIA)
    at = app()
    at.query_params["region"] = YI  # 乙镇, outside the account
    at = sign_in(at.run(), "jia", PASSWORD)
    assert not at.exception
    refused = [w.value for w in at.warning if "region" in w.value]  # named, its value not repeated
    assert refused and not any(YI in w for w in refused)
    assert at.query_params["region"] == JIA
    assert {m.label: m.value for m in at.metric}["建档立卡（现有）"] == "3户8人"
    picker = at.selectbox(key="pick_1")  # the picker starts at the account's township: its villages
    assert picker.label == "村" and set(picker.options) >= {"一村", "二村"} and "三村" not in picker.options


def test_sessions_expire(accounts):
    accounts.add("jia", PASSWORD, "township", JIA)
    at = sign_in(app().run(), "jia", PASSWORD)
    assert len(at.metric) > 0
    at.session_state["_last_seen"] = dt.datetime.now() - dt.timedelta(minutes=31)
    at.run()
    assert "登录已过期" in at.warning[0].value and len(at.metric) == 0


def test_exports_follow_the_role_and_are_audited(accounts):
    from tests.support import signed_in

    accounts.add("viewer", PASSWORD, "viewer", "430101000000")
    at = sign_in(app().run(), "viewer", PASSWORD)
    assert len(at.get("download_button")) == 0
    assert any("无导出权限" in c.value for c in at.caption)

    leader = signed_in(app(), role="leader", scope="430101000000", username="leader").run()
    buttons = leader.get("download_button")
    # the township table's, the two charts' (tiny: no 2019 schedule) and the overview's PDF
    assert [b.key for b in buttons] == ["download_overview_progress", "download_overview_trend",
                                        "download_overview_exits", "overview_pdf"]
    buttons[1].click().run()
    exports = [row for row in accounts.audit_log() if row[3] == "export"]
    assert [(row[1], row[4]) for row in exports] == [("leader", "430101000000")]
    assert exports[0][5].endswith(".csv")
    leader.get("download_button")[3].click().run()  # the PDF download is audited like every export
    exports = [row for row in accounts.audit_log() if row[3] == "export"]
    assert [(row[1], row[4], row[5]) for row in exports if row[5].endswith(".pdf")] == [
        ("leader", "430101000000", "总览_2019-12-31.pdf")]


def test_an_account_whose_region_is_not_in_the_data_sees_nothing(accounts):
    from tests.support import signed_in

    at = signed_in(app(), role="township", scope="511123200000", username="elsewhere").run()  # in no fixture
    assert not at.exception
    assert "不在当前数据中" in at.error[0].value and len(at.metric) == 0


def test_real_data_at_the_default_path_is_not_taken_for_the_demo(tiny_db_path, tmp_path, monkeypatch):
    """Imported into data/tuopin.duckdb without TUOPIN_DB, a county's data is not the demo: it needs
    sign-in and is never rebuilt over when the code changes."""
    import shutil

    from ui import data

    default = tmp_path / "tuopin.duckdb"
    shutil.copy(tiny_db_path, default)
    monkeypatch.delenv("TUOPIN_DB", raising=False)
    monkeypatch.setattr(data, "DEFAULT_DB", default)
    assert not data.uses_bundled_demo()
    assert not data.needs_build()
    monkeypatch.setattr(data, "DEFAULT_DB", tmp_path / "missing.duckdb")
    assert data.uses_bundled_demo() and data.needs_build()


def test_unmasking_is_for_allowed_roles_on_screen_only_and_audited(accounts):
    from tests.support import signed_in

    village = "430101100001"  # 一村: 赵大山 (H1), 钱二妹 (H2)
    township = signed_in(app(), role="township", scope=JIA, username="jia").run()
    township.switch_page("pages/village_exit.py").run()
    township.selectbox(key="pick_1").set_value(village).run()
    assert not township.exception
    assert len(township.toggle) == 0  # no way to unmask for a township account
    assert "赵大山" not in str([d.value for d in township.dataframe])

    leader = signed_in(app(), role="leader", scope="430101000000", username="leader").run()
    leader.switch_page("pages/village_exit.py").run()
    leader.selectbox(key="pick_1").set_value(JIA).run()
    leader.selectbox(key="pick_2").set_value(village).run()
    households = leader.dataframe[-1].value
    assert "赵大山" not in households.to_string() and "赵*山" in households.to_string()
    leader.toggle(key=f"ve_unmask_{village}").set_value(True).run()
    assert not leader.exception
    households = leader.dataframe[-1].value
    assert "赵大山" in households.to_string() and "430101196505050011" in households.to_string()
    assert ("leader", "unmask", village) in {(row[1], row[3], row[4]) for row in accounts.audit_log()}


@pytest.mark.parametrize("change", ["disable", "password", "role"])
def test_a_change_to_the_account_signs_its_open_session_out(accounts, change):
    """Disabling an account, a new password or another role ends the open session at its next click
    (not 10 hours later)."""
    accounts.add("admin", PASSWORD, "admin", "430101000000")  # sign-in stays configured when jia goes
    accounts.add("jia", PASSWORD, "township", JIA)
    at = sign_in(app().run(), "jia", PASSWORD)
    assert len(at.metric) > 0
    at.run()  # nothing changed: still signed in
    assert len(at.metric) > 0 and not at.warning
    if change == "disable":
        accounts.disable("jia")
    elif change == "password":
        accounts.set_password("jia", "a brand new passphrase")
    else:
        accounts.set_role("jia", "viewer")
    at.run()
    assert not at.exception
    assert "账号已被管理员更改或停用" in at.warning[0].value
    assert len(at.metric) == 0 and at.text_input(key="signin_password")
    assert ("jia", "sign_out", "account changed") in {(row[1], row[3], row[5]) for row in accounts.audit_log()}
    if change == "role":  # signing in again takes the new role
        at = sign_in(at, "jia", PASSWORD)
        assert at.session_state["_account"].role == "viewer" and len(at.metric) > 0


def test_a_signed_in_run_reads_the_account_store_once(accounts, monkeypatch):
    """Every run of every session checks its account in the store (a change signs it out, above); the
    account found unchanged also answers whether sign-in is configured, so the run reads the store once.
    A disabled last account still leads to the not-configured screen: that read is made when needed."""
    accounts.add("jia", PASSWORD, "township", JIA)
    at = sign_in(app().run(), "jia", PASSWORD)
    reads = []

    def counted(name):  # the store's own method, its calls noted
        real = getattr(Store, name)

        def read(self, *args):
            reads.append(name)
            return real(self, *args)
        return read

    for name in ("session_version", "has_accounts"):
        monkeypatch.setattr(Store, name, counted(name))
    at.run()
    assert len(at.metric) > 0 and not at.exception
    assert reads == ["session_version"]
    reads.clear()
    accounts.disable("jia")
    at.run()
    assert reads == ["session_version", "has_accounts"]
    assert "尚未建立任何账号" in at.error[0].value and len(at.metric) == 0


def test_the_sign_in_form_throttles_by_the_client_address(accounts):
    """The form passes the client's address to the store: after 20 failed sign-ins from it (here made
    through the store; AppTest's connection is local, which the dashboard names 'localhost') even the
    right password is refused there."""
    accounts.add("jia", PASSWORD, "township", JIA)
    for i in range(20):
        with pytest.raises(AccessError):
            accounts.authenticate(f"nobody{i}", "wrong guess", address="localhost")
    at = sign_in(app().run(), "jia", PASSWORD)
    assert "too many failed sign-ins from this address" in at.error[0].value and len(at.metric) == 0
    assert accounts.authenticate("jia", PASSWORD, address="10.1.1.1").username == "jia"  # elsewhere: fine
