"""系统管理: accounts, audit log and rollback, for administrators only."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from access import Store
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
