"""Accounts, lock-out, audit log, and region scopes enforced in the query layer."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from access import AccessError, Store
from access.__main__ import main as access_cli
from queries import SCOPE_FREE, Database, Scope, ScopeError, catalog

COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"  # 小试县, 甲乡, 乙镇
VILLAGE_1, VILLAGE_3 = "430101100001", "430101200001"  # 一村 (甲乡), 三村 (乙镇)
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "accounts.sqlite")


def test_passwords_are_hashed_with_argon2id_and_never_stored(store):
    store.add("jia", PASSWORD, "township", JIA, region_level="乡镇")
    raw = store.path.read_bytes()
    assert PASSWORD.encode() not in raw
    with sqlite3.connect(store.path) as con:
        (hashed,) = con.execute("select password_hash from accounts").fetchone()
    assert hashed.startswith("$argon2id$")
    account = store.authenticate("jia", PASSWORD)
    assert (account.role, account.scope) == ("township", JIA)


def test_wrong_passwords_lock_the_account_then_it_reopens(store):
    store.add("jia", PASSWORD, "township", JIA)
    now = dt.datetime(2026, 1, 1, 9, 0)
    for _ in range(4):
        with pytest.raises(AccessError, match="wrong username or password"):
            store.authenticate("jia", "guess", now=now)
    with pytest.raises(AccessError):
        store.authenticate("jia", "guess", now=now)  # the fifth: locked now
    with pytest.raises(AccessError, match="locked until"):
        store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=14))  # even the right one
    assert store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=16)).username == "jia"
    actions = [row[3] for row in store.audit_log()]
    assert actions.count("sign_in_failed") == 5 and actions.count("locked") == 1 and actions[0] == "sign_in"


def test_unknown_accounts_and_bad_input_are_refused(store):
    with pytest.raises(AccessError, match="wrong username or password"):
        store.authenticate("nobody", PASSWORD)
    with pytest.raises(AccessError, match="username"):
        store.add("bad name;", PASSWORD, "viewer", COUNTY)
    with pytest.raises(AccessError, match="at least"):
        store.add("short", "12345", "viewer", COUNTY)
    with pytest.raises(AccessError, match="must be scoped to a 乡镇"):
        store.add("wrong", PASSWORD, "township", VILLAGE_1, region_level="村")
    with pytest.raises(AccessError, match="unknown role"):
        store.add("who", PASSWORD, "superuser", COUNTY)
    store.add("twice", PASSWORD, "viewer", COUNTY)
    with pytest.raises(AccessError, match="exists"):
        store.add("twice", PASSWORD, "viewer", COUNTY)


def test_oidc_identities_map_onto_accounts_by_email(store):
    store.add("leader", None, "leader", COUNTY, email="Leader@County.gov.cn")
    assert store.by_email("leader@county.gov.cn").role == "leader"
    assert store.by_email("someone@else.cn") is None
    with pytest.raises(AccessError):
        store.authenticate("leader", "")  # an OIDC-only account has no password to guess


def test_the_cli_checks_the_scope_against_the_data(tiny_db_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TUOPIN_ACCOUNTS", str(tmp_path / "a.sqlite"))
    monkeypatch.setenv("TUOPIN_PASSWORD", PASSWORD)
    assert access_cli(["--db", str(tiny_db_path), "add", "jia", "--role", "township", "--scope", JIA]) == 0
    assert access_cli(["--db", str(tiny_db_path), "add", "v", "--role", "village", "--scope", JIA]) == 2
    assert access_cli(["--db", str(tiny_db_path), "add", "x", "--role", "viewer", "--scope", "999"]) == 2
    assert "不在数据中" in capsys.readouterr().err
    assert Store(tmp_path / "a.sqlite").authenticate("jia", PASSWORD).scope == JIA


# ---- scope in the query layer ------------------------------------------------------------------

def sample_params(name: str) -> dict:
    """Valid parameters for every catalog query on the tiny fixture (besides region/village)."""
    query = catalog()[name]
    values = {"as_of": "2019-12-31", "start": "2018-01-01", "end": "2019-12-31", "year": 2018}
    params = {}
    for param in query.params:
        if param.name in values:
            params[param.name] = values[param.name]
        elif param.allowed:
            params[param.name] = param.allowed[0] if param.name != "level" else "村"
    return params


@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_query_is_limited_to_the_scope(tiny, name):
    """A township account (甲乡) cannot reach 乙镇's figures by naming it, whatever the query; asking
    for no region gives its own township's."""
    query = catalog()[name]
    scope = Scope(JIA, personal=True)
    names = {p.name for p in query.params}
    params = sample_params(name)
    if "region" in names:
        with pytest.raises(ScopeError, match="outside the account's scope"):
            tiny.query(name, scope=scope, region=YI, **params)
        with pytest.raises(ScopeError):
            tiny.query(name, scope=scope, region=COUNTY, **params)
        mine = tiny.query(name, scope=scope, **params)
        assert mine.equals(tiny.query(name, region=JIA, **params))
    elif "village" in names:
        with pytest.raises(ScopeError):
            tiny.query(name, scope=scope, village=VILLAGE_3, **params)
        assert len(tiny.query(name, scope=scope, village=VILLAGE_1, **params)) > 0
    elif name in SCOPE_FREE:
        assert tiny.query(name, scope=scope, **params).equals(tiny.query(name, **params))
    else:
        with pytest.raises(ScopeError, match="no region parameter"):
            tiny.query(name, scope=scope, **params)


def test_scoped_results_hold_only_the_scope(tiny):
    scope = Scope(JIA)
    assert tiny.query("registry_summary", scope=scope, as_of="2019-12-31").region_code.tolist() == [JIA]
    assert set(tiny.query("regions", scope=scope).code) == {JIA, VILLAGE_1, "430101100002"}
    villages = tiny.query("poverty_incidence", scope=Scope(VILLAGE_1), as_of="2019-12-31", level="村")
    assert villages.region_code.tolist() == [VILLAGE_1]


def test_personal_data_needs_the_permission(tiny):
    with pytest.raises(ScopeError, match="personal data"):
        tiny.query("household_identities", scope=Scope(COUNTY), village=VILLAGE_1)
    names = tiny.query("household_identities", scope=Scope(COUNTY, personal=True), village=VILLAGE_1)
    assert names.head_name.tolist() == ["赵大山", "钱二妹", "孙老汉"]
    masked = tiny.query("village_households", scope=Scope(COUNTY), village=VILLAGE_1, as_of="2019-12-31")
    assert "赵大山" not in masked.to_string() and "赵*山" in masked.head_name_masked.tolist()


def test_every_personal_query_is_marked(tiny):
    """Only queries marked `-- personal: yes` may return a full name from the fixture."""
    full_names = {"赵大山", "钱二妹", "孙老汉", "李四海", "周五福", "吴六顺"}
    for name, query in catalog().items():
        if query.personal:
            continue
        params = sample_params(name)
        if "village" in {p.name for p in query.params}:
            params["village"] = VILLAGE_1
        frame = tiny.query(name, **params) if name != "load_info" else Database(tiny.path).query(name)
        assert not full_names & set(frame.astype(str).to_string().split()), name
