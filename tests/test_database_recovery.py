"""A missing, damaged or unreachable database: the demo is never built over real data, nothing is
written, users see a short message (details go to the server log, never a traceback), and an
administrator can still sign in and roll back."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access import Store
from etl.load import load_package
from tests.conftest import ROOT, TINY
from tests.support import navigation_apptest_patch, signed_in

COUNTY, JIA = "430101000000", "430101100000"
PASSWORD = "a long enough password"
MISSING = "数据库文件缺失，看板暂时无法显示数据。请联系系统管理员。"
DAMAGED = "数据库文件已损坏或无法读取，看板暂时无法显示数据。请联系系统管理员。"


def dashboard() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


def files(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in folder.rglob("*")}


def shown_text(at) -> str:
    """Everything the run put on the screen, as text."""
    return "\n".join(str(getattr(e, "value", "")) for e in at.main) + "\n".join(
        str(getattr(e, "value", "")) for e in at.sidebar)


@pytest.fixture
def accounts(tmp_path, monkeypatch) -> Store:
    """Accounts configured (a real deployment), kept outside the database folder."""
    path = tmp_path / "accounts" / "accounts.sqlite"
    monkeypatch.setenv("TUOPIN_ACCOUNTS", str(path))
    store = Store(path)
    store.add("admin", PASSWORD, "admin", COUNTY)
    store.add("niuao", PASSWORD, "township", JIA)
    with navigation_apptest_patch():
        yield store


@pytest.fixture
def county(tmp_path) -> Path:
    """A county's database loaded twice (so one backup is kept) in a folder of its own."""
    db = tmp_path / "srv" / "county.duckdb"
    load_package(TINY, db)
    load_package(TINY, db)
    return db


# ---- a missing database ------------------------------------------------------------------------

def test_a_missing_database_named_by_tuopin_db_is_not_built_and_nothing_is_written(tmp_path, accounts,
                                                                                   monkeypatch):
    folder = tmp_path / "srv"
    folder.mkdir()
    monkeypatch.setenv("TUOPIN_DB", str(folder / "county.duckdb"))
    at = dashboard().run()  # an anonymous visitor
    assert not at.exception
    assert files(folder) == {}, "something was written where the database should be"
    assert at.error[0].value == MISSING
    assert len(at.metric) == 0
    english = dashboard()
    english.query_params["lang"] = "en"
    english.run()
    assert english.error[0].value == ("The database file is missing, so the dashboard cannot show any data. "
                                      "Please contact the administrator.")
    assert files(folder) == {}


def test_a_missing_real_database_at_the_default_path_is_not_rebuilt_as_the_demo(tmp_path, monkeypatch, accounts):
    """No TUOPIN_DB: data/tuopin.duckdb once held a county's data (loaded from a real package), then the
    file went missing or was damaged. The demo would silently replace the county: it must not."""
    from ui import data

    default = tmp_path / "data" / "tuopin.duckdb"
    monkeypatch.delenv("TUOPIN_DB", raising=False)
    monkeypatch.setattr(data, "DEFAULT_DB", default)
    load_package(TINY, default)
    default.unlink()
    assert not data.needs_build()
    default.write_bytes(b"\0garbage" * 4096)
    assert not data.needs_build()
    default.unlink()
    before = files(default.parent)
    at = dashboard().run()
    assert not at.exception
    assert at.error[0].value == MISSING
    assert files(default.parent) == before


def test_backups_tell_that_real_data_was_loaded_at_the_default_path(tmp_path, monkeypatch):
    """A deployment loaded before the marker existed: its backups still say it held a county's data."""
    from ui import data

    default = tmp_path / "data" / "tuopin.duckdb"
    monkeypatch.delenv("TUOPIN_DB", raising=False)
    monkeypatch.setattr(data, "DEFAULT_DB", default)
    load_package(TINY, default)
    load_package(TINY, default)
    for path in default.parent.iterdir():
        if path.is_file():
            path.unlink()  # the database and anything else beside it; backups/ stays
    assert not data.needs_build()


# ---- a damaged database ------------------------------------------------------------------------

def test_a_garbage_database_shows_a_short_message_and_an_administrator_rolls_back(county, accounts, monkeypatch):
    monkeypatch.setenv("TUOPIN_DB", str(county))
    county.write_bytes(b"not a database, something overwrote it " * 2000)
    damaged = county.read_bytes()

    at = dashboard().run()  # an anonymous visitor: the message and the sign-in form, nothing else
    assert not at.exception
    assert at.error[0].value == DAMAGED
    assert str(county.parent) not in shown_text(at)
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert county.read_bytes() == damaged

    township = signed_in(dashboard(), role="township", scope=JIA, username="niuao").run()
    assert not township.exception
    assert township.error[0].value == DAMAGED
    assert not [b for b in township.button if b.key and b.key.startswith("rollback_")]

    at = dashboard().run()  # the administrator signs in on the form of that screen
    at.text_input(key="signin_username").input("admin")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.error[0].value == DAMAGED
    assert any("python -m etl load" in c.value for c in at.code)  # what to do: re-import
    [rollback] = [b for b in at.button if b.key and b.key.startswith("rollback_")]
    rollback.click().run()
    assert not at.exception
    with duckdb.connect(str(county), read_only=True) as con:
        assert con.execute("select count(*) from households").fetchone() == (6,)
    at.run()
    assert {m.label: m.value for m in at.metric}["建档立卡（现有）"] == "4户10人"
    assert "rollback" in [row[3] for row in accounts.audit_log()]


def test_a_damaged_table_gives_a_short_message_and_the_details_go_to_the_log(county, accounts, monkeypatch,
                                                                           caplog):
    """The file opens and carries its stamp, but a table the overview reads is gone."""
    with duckdb.connect(str(county)) as con:
        con.execute("drop table flow_movements")
    monkeypatch.setenv("TUOPIN_DB", str(county))
    with caplog.at_level(logging.ERROR):
        at = signed_in(dashboard(), role="leader", scope=COUNTY, username="leader").run()
    messages = [e.value for e in at.exception]
    assert len(messages) == 1 and messages[0].startswith("出错了，请稍后重试。详情已记入服务器日志（编号 ")
    assert "flow_movements" not in shown_text(at) + messages[0] and "Traceback" not in messages[0]
    assert not at.exception[0].stack_trace
    reference = messages[0].split("编号 ")[1].split("）")[0]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and "flow_movements" in logged[0].exc_text


# ---- pages an account may not open ---------------------------------------------------------------

def test_a_deep_link_to_a_page_the_account_may_not_open_is_refused_politely(county, accounts, monkeypatch):
    monkeypatch.setenv("TUOPIN_DB", str(county))
    at = signed_in(dashboard(), role="township", scope=JIA, username="niuao")
    at.query_params["page"] = "admin"
    at.run()
    assert not at.exception
    assert at.warning[0].value == "当前账号无权打开“系统管理”页面。"
    assert "建档立卡（现有）" in {m.label for m in at.metric}  # the overview, in the township's scope


def test_shipped_config_hides_error_details():
    """Whatever escapes the dashboard's own handler is shown without message or traceback."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_the_demo_is_still_built_where_nothing_real_was_ever_loaded(tmp_path, monkeypatch):
    from ui import data

    monkeypatch.delenv("TUOPIN_DB", raising=False)
    monkeypatch.setattr(data, "DEFAULT_DB", tmp_path / "data" / "tuopin.duckdb")
    assert data.needs_build()
    shutil.rmtree(tmp_path / "data", ignore_errors=True)


# ---- a read-only database folder, in a real server and browser ------------------------------------

def test_a_read_only_database_folder_serves_the_sign_in_form_to_an_anonymous_visitor(tmp_path):
    """The folder holding the database cannot be written by the server (a read-only mount, or a folder
    of another account): no traceback and no list of pages, but the sign-in form, and nothing written.
    Root writes anywhere, so as root the folder and the folders in it (the load's serving folder, as a
    read-only mount would have it) are made immutable (chattr +i) instead of 0500."""
    import os
    import subprocess

    from tests.support import streamlit_server
    from tests.test_browser import CHROMIUM

    if CHROMIUM is None:
        pytest.skip("needs chromium")
    folder, accounts = tmp_path / "srv", tmp_path / "accounts" / "accounts.sqlite"
    db = folder / "county.duckdb"
    load_package(TINY, db)
    Store(accounts).add("admin", PASSWORD, "admin", COUNTY)
    before = files(folder)
    folders = [folder, *(path for path in folder.rglob("*") if path.is_dir())]
    lock = ["chattr", "+i", *map(str, folders)] if os.geteuid() == 0 else None
    if lock:
        subprocess.run(lock, check=True)
    else:
        for each in folders:
            os.chmod(each, 0o500)
    try:
        if lock:
            with pytest.raises(PermissionError):
                (folder / "probe").touch()
        from playwright.sync_api import sync_playwright

        with streamlit_server({"TUOPIN_DB": str(db), "TUOPIN_ACCOUNTS": str(accounts)}) as url, \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(locale="zh-CN")
            page.goto(url)
            page.get_by_label("用户名").wait_for(timeout=60_000)
            text = page.locator("body").inner_text()
            assert "Traceback" not in text and str(tmp_path) not in text
            assert page.get_by_test_id("stSidebarNav").count() == 0  # no list of pages
            browser.close()
        assert files(folder) == before
    finally:
        if lock:
            subprocess.run(["chattr", "-i", *map(str, folders)], check=True)
        for each in folders:
            os.chmod(each, 0o700)


def test_rolling_a_damaged_database_back_keeps_every_good_backup(tmp_path):
    """Three good backups and a damaged database: the rollback sets the damaged file aside (unlisted)
    instead of keeping it as the newest backup, which would push the oldest good one out."""
    from etl import backups

    db = tmp_path / "srv" / "county.duckdb"
    for _ in range(4):
        load_package(TINY, db)
    good = [b.path.name for b in backups.backups(db)]
    assert len(good) == backups.KEEP
    db.write_bytes(b"garbage " * 4096)
    backups.rollback(db, backups.backups(db)[0].path)
    assert sorted(b.path.name for b in backups.backups(db)) == sorted(good)
    assert [p.name.split("-")[1] for p in (db.parent / "backups").glob("county-damaged-*")] == ["damaged"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from households").fetchone() == (6,)
