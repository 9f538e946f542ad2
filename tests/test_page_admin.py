"""系统管理: accounts, audit log and rollback, for administrators only."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from access import AccessError, Store
from etl.load import load_package
from tests.conftest import ROOT, TINY
from tests.packages import copy_package, edit_csv
from tests.support import signed_in


def admin_page(at: AppTest) -> AppTest:
    return at.switch_page("pages/admin.py").run()


def test_an_administrator_creates_an_account_and_sees_the_audit_log(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    at = admin_page(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run())
    assert not at.exception
    fields = {w.label: w for w in at.text_input}
    fields["用户名"].input("jia-staff")
    fields["姓名"].input("甲乡扶贫专干")
    fields["密码"].input("a long enough password")
    next(s for s in at.selectbox if s.label == "角色").set_value("township")
    next(s for s in at.selectbox if s.label == "范围").set_value("430101100000")
    next(b for b in at.button if b.label == "创建").click().run()
    assert not at.exception
    assert any("已创建账号 jia\\-staff" in s.value for s in at.success)  # the name escaped (ui/plain.md)
    store = Store(os.environ["TUOPIN_ACCOUNTS"])
    assert store.authenticate("jia-staff", "a long enough password").scope == "430101100000"
    log = at.dataframe[1].value
    assert "account" in set(log["操作"])


def test_other_roles_do_not_get_the_page(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    at = signed_in(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60), role="township",
                   scope="430101100000", username="jia").run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        admin_page(at)  # not in a township account's navigation (a typed URL falls back to the overview)


def test_a_rollback_swaps_the_previous_import_back(tmp_path, monkeypatch, navigation_apptest):
    renamed = copy_package(TINY, tmp_path / "renamed")
    edit_csv(renamed, "区划", lambda rows: [{**r, "名称": "新名县" if r["名称"] == "小试县" else r["名称"]}
                                           for r in rows])
    db = tmp_path / "tuopin.duckdb"
    load_package(TINY, db)
    load_package(renamed, db)
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert any("新名县" in m.value for m in at.markdown)
    at = admin_page(at)
    next(b for b in at.button if b.label == "回退到此版本").click().run()
    assert not at.exception
    at.switch_page("pages/overview.py").run()
    assert any("小试县" in m.value for m in at.markdown)
    assert "rollback" in {row[3] for row in Store(os.environ["TUOPIN_ACCOUNTS"]).audit_log()}


def test_the_account_form_refuses_weak_passwords_with_the_reason(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    at = admin_page(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run())
    for password, reason in (("aaaaaaaaaa", "同一个字符"), (" " * 12, "空白"), ("woaini1314", "常见密码")):
        fields = {w.label: w for w in at.text_input}
        fields["用户名"].input("jia-staff")
        fields["密码"].input(password)
        next(b for b in at.button if b.label == "创建").click().run()
        assert not at.exception and not at.success
        assert reason in at.error[0].value, (password, at.error[0].value)
    assert "jia-staff" not in {a.username for a in Store(os.environ["TUOPIN_ACCOUNTS"]).accounts()}


def change_account(at: AppTest, username: str, change: str, **fields) -> AppTest:
    """Fill the 修改账号 form (`change`: password, role, name, email or disable) and apply it."""
    next(s for s in at.selectbox if s.label == "账号").set_value(username)
    next(r for r in at.radio if r.label == "修改内容").set_value(change)
    if "password" in fields:
        next(w for w in at.text_input if w.label == "新密码").input(fields["password"])
    if "role" in fields:
        next(s for s in at.selectbox if s.label == "新角色").set_value(fields["role"])
        next(s for s in at.selectbox if s.label == "新范围").set_value(fields["scope"])
    if "display" in fields:
        next(w for w in at.text_input if w.label == "新姓名").input(fields["display"])
    if "email" in fields:
        next(w for w in at.text_input if w.label.startswith("新认证邮箱")).input(fields["email"])
    if fields.get("confirm"):
        next(c for c in at.checkbox if c.label.startswith("确认停用")).check()
    return next(b for b in at.button if b.label == "确定修改").click().run()


def test_an_administrator_disables_an_account_and_its_session_ends(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    store = Store(os.environ["TUOPIN_ACCOUNTS"])
    # the township's staff member is signed in (a session of their own) when the administrator acts
    staff = signed_in(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60), role="township",
                      scope="430101100000", username="jia-staff").run()
    assert not staff.exception and staff.metric
    at = admin_page(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run())

    at = change_account(at, "jia-staff", "disable")  # not confirmed: nothing happens
    assert not at.exception and "请先勾选「确认停用」" in at.error[0].value
    assert store.account("jia-staff") is not None

    at = change_account(at, "jia-staff", "disable", confirm=True)
    assert not at.exception
    assert any("已停用 jia\\-staff" in s.value for s in at.success)
    assert store.account("jia-staff") is None
    with pytest.raises(AccessError, match="用户名或密码错误"):  # the same answer as a wrong password
        store.authenticate("jia-staff", "test-password-jia-staff")
    assert "jia-staff" not in set(at.dataframe[0].value["用户名"])  # the list drawn after the change
    assert ("tester", "account", "disabled jia-staff") in {(row[1], row[3], row[5]) for row in store.audit_log()}
    staff.run()  # the disabled account's next click: its session is over, the sign-in form instead
    assert not staff.metric and any(b.label == "登录" for b in staff.button)

    # enabled again (已停用的账号 → 重新启用): it signs in with the password it had
    next(s for s in at.selectbox if s.key == "enable_which").set_value("jia-staff")
    at = next(b for b in at.button if b.label == "重新启用").click().run()
    assert not at.exception and any("已重新启用 jia\\-staff" in s.value for s in at.success)
    assert store.authenticate("jia-staff", "test-password-jia-staff").scope == "430101100000"
    assert "jia-staff" in set(at.dataframe[0].value["用户名"]) and not store.disabled_accounts()
    assert ("tester", "account", "enabled jia-staff") in {(row[1], row[3], row[5]) for row in store.audit_log()}
    with pytest.raises(AccessError, match="没有这个已停用的账号"):
        store.enable("jia-staff")  # enabled already


def test_a_new_password_and_a_new_role_end_the_accounts_sessions(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    store = Store(os.environ["TUOPIN_ACCOUNTS"])
    store.add("yi-staff", "an older long password", "township", "430101100000")
    store.add("next-county", "another county's long password", "admin", "430102000000")  # not in tiny's county
    at = admin_page(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run())
    # only the accounts inside the administrator's own scope are offered for a change
    offered = next(s for s in at.selectbox if s.label == "账号").options
    assert any(o.startswith("yi-staff · ") for o in offered) and not any("next-county" in o for o in offered)
    at = change_account(at, "yi-staff", "password", password="woaini1314")  # a common one: refused, says why
    assert "常见密码" in at.error[0].value
    at = change_account(at, "yi-staff", "password", password="a brand new long password")
    assert not at.exception and any("已为 yi\\-staff 重设密码" in s.value for s in at.success)
    with pytest.raises(AccessError):
        store.authenticate("yi-staff", "an older long password")
    assert store.authenticate("yi-staff", "a brand new long password").role == "township"

    # a township role scoped to the county is refused with the reason; a viewer of the county is not
    at = change_account(at, "yi-staff", "role", role="township", scope="430101000000")
    assert "须为 乡镇" in at.error[0].value and store.account("yi-staff").scope == "430101100000"
    at = change_account(at, "yi-staff", "role", role="viewer", scope="430101000000")
    assert not at.exception
    changed = store.account("yi-staff")
    assert (changed.role, changed.scope) == ("viewer", "430101000000")


def test_nobody_disables_or_demotes_their_own_account_or_the_only_administrator(tiny_db_path, monkeypatch,
                                                                               navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    store = Store(os.environ["TUOPIN_ACCOUNTS"])
    at = admin_page(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run())
    at = change_account(at, "tester", "disable", confirm=True)
    assert "不能停用当前登录的账号" in at.error[0].value and store.account("tester") is not None
    at = change_account(at, "tester", "role", role="viewer", scope="430101000000")
    assert "不能停用当前登录的账号" in at.error[0].value and store.account("tester").role == "admin"
    # one's own new password: this session goes on with it, the account's other sessions end
    other = admin_page(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run())
    before = store.session_version("tester")
    at = change_account(at, "tester", "password", password="my own brand new password")
    assert not at.exception and any("已为 tester 重设密码" in s.value for s in at.success)
    assert store.session_version("tester") == before + 1
    at.run()
    assert any(t.value == "系统管理" for t in at.title)  # still signed in
    other.run()
    assert not any(t.value == "系统管理" for t in other.title) and any(b.label == "登录" for b in other.button)
    # the store itself keeps one administrator, whoever asks (the command line too)
    with pytest.raises(AccessError, match="唯一的管理员"):
        store.disable("tester")
    with pytest.raises(AccessError, match="唯一的管理员"):
        store.set_role("tester", "leader")
    store.add("second-admin", "another long password", "admin", "430101000000")
    store.set_role("tester", "leader")  # two administrators: one may step down
    assert store.account("tester").role == "leader"
    with pytest.raises(AccessError, match="唯一的管理员"):
        store.disable("second-admin")


def test_a_display_name_and_an_identity_e_mail_are_changed_on_the_page(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    store = Store(os.environ["TUOPIN_ACCOUNTS"])
    store.add("jia-staff", "a long enough password", "township", "430101100000", email="jia@county.gov.cn")
    store.add("sso-only", None, "viewer", "430101000000", email="sso@county.gov.cn")
    staff = signed_in(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60), role="township",
                      scope="430101100000", username="jia-staff")
    staff.session_state["_account"] = store.account("jia-staff")
    staff.run()
    assert staff.metric
    at = admin_page(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run())

    # a display name: the staff member's session goes on
    at = change_account(at, "jia-staff", "name", display="  甲乡 王五 ")
    assert not at.exception and any("已修改 jia\\-staff 的姓名" in s.value for s in at.success)
    assert store.account("jia-staff").display_name == "甲乡 王五"
    staff.run()
    assert staff.metric and not any(b.label == "登录" for b in staff.button)
    at = change_account(at, "jia-staff", "name", display="a\x1bb")  # a control character: refused, says why
    assert "控制字符" in at.error[0].value and store.account("jia-staff").display_name == "甲乡 王五"

    # an e-mail: refused when malformed or another account's (whatever its case); else set, sessions end
    at = change_account(at, "jia-staff", "email", email="not an address")
    assert "邮箱格式不对" in at.error[0].value
    at = change_account(at, "jia-staff", "email", email="SSO@County.gov.cn")
    assert "另一个账号" in at.error[0].value and store.account("jia-staff").email == "jia@county.gov.cn"
    at = change_account(at, "jia-staff", "email", email="wang.wu@county.gov.cn")
    assert not at.exception and store.by_email("Wang.Wu@county.gov.cn").username == "jia-staff"
    assert store.by_email("jia@county.gov.cn") is None
    staff.run()
    assert any(b.label == "登录" for b in staff.button)  # who may sign in as the account changed
    # an account without a password keeps its e-mail: removing it would leave no way to sign in
    at = change_account(at, "sso-only", "email", email="")
    assert "没有密码" in at.error[0].value and store.account("sso-only").email == "sso@county.gov.cn"
    at = change_account(at, "jia-staff", "email", email="")
    assert not at.exception and store.account("jia-staff").email is None
    assert store.authenticate("jia-staff", "a long enough password").username == "jia-staff"
    actions = [row for row in store.audit_log(50) if row[1] == "tester" and row[3] == "account"]
    assert any("display name of jia-staff" in row[5] for row in actions)
    assert any("e-mail of jia-staff: wang.wu@county.gov.cn" in row[5] for row in actions)
