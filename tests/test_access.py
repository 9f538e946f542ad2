"""Accounts, lock-out, audit log, and region scopes enforced in the query layer."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from access import AccessError, Store
from access.__main__ import main as access_cli
from queries import SCOPE_FREE, Database, Scope, ScopeError, catalog
from tests.support import sample_params

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


def refusal(call) -> str:
    with pytest.raises(AccessError) as refused:
        call()
    return str(refused.value)


def test_wrong_passwords_lock_the_account_then_it_reopens(store):
    store.add("jia", PASSWORD, "township", JIA)
    now = dt.datetime(2026, 1, 1, 9, 0)
    for _ in range(4):
        with pytest.raises(AccessError, match="wrong username or password"):
            store.authenticate("jia", "guess", now=now)
    with pytest.raises(AccessError):
        store.authenticate("jia", "guess", now=now)  # the fifth: locked now
    assert lock_state(store, "jia") == (0, "2026-01-01T09:15:00")
    # even the right one is refused, with the same words as a wrong password (no hint of the lock)
    assert refusal(lambda: store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=14))) == \
        refusal(lambda: store.authenticate("jia", "guess again", now=now + dt.timedelta(minutes=14)))
    assert store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=16)).username == "jia"
    actions = [row[3] for row in store.audit_log()]
    assert actions.count("sign_in_failed") == 6 and actions.count("locked") == 1 and actions[0] == "sign_in"


# ---- lock-out under parallel attempts ----------------------------------------------------------

def lock_state(store: Store, username: str) -> tuple[int, str | None]:
    with sqlite3.connect(store.path) as con:
        return con.execute("select failures, locked_until from accounts where username = ?", (username,)).fetchone()


def burst(store: Store, passwords: list[str], now: dt.datetime, username: str = "jia") -> list[str]:
    """Every password tried at once on one account (threads released together); 'in' or 'refused'."""
    start = threading.Barrier(len(passwords))

    def attempt(password: str) -> str:
        start.wait()
        try:
            store.authenticate(username, password, now=now)
        except AccessError:
            return "refused"
        return "in"

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(attempt, passwords))


def replay(store: Store, username: str = "jia") -> list[str]:
    """The account's audit entries oldest first, checked to be what one attempt after another gives:
    failure n follows n-1 failures, the lock comes with the fifth, a locked account lets nobody in."""
    failures, locked, seen = 0, False, []
    for _, user, _, action, _, detail in reversed(store.audit_log()):
        if user != username or action not in ("sign_in", "sign_in_failed", "locked"):
            continue
        if action == "locked":
            assert not locked and failures == 4, (seen, detail)
            failures, locked = 0, True
        elif action == "sign_in":
            assert not locked, seen
            failures = 0
        elif detail.startswith("failure"):
            assert not locked and detail.split()[1] == str(failures + 1), (seen, detail)
            failures += 1
        else:
            assert locked and detail.startswith("locked"), (seen, detail)
        seen.append(f"{action}:{detail.split(' from ')[0]}")
    return seen


def test_a_burst_of_parallel_wrong_passwords_locks_the_account_with_an_exact_count(store):
    store.add("jia", PASSWORD, "township", JIA)
    now = dt.datetime(2026, 1, 1, 9, 0)
    assert burst(store, [f"wrong guess {i}" for i in range(40)], now) == ["refused"] * 40
    seen = replay(store)
    assert seen[:5] == ["sign_in_failed:failure 1", "sign_in_failed:failure 2", "sign_in_failed:failure 3",
                        "sign_in_failed:failure 4", "locked:locked until 2026-01-01T09:15:00"]
    assert seen[5:] == ["sign_in_failed:locked"] * 35
    assert lock_state(store, "jia") == (0, "2026-01-01T09:15:00")
    with pytest.raises(AccessError):
        store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=14, seconds=59))
    assert store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=15, seconds=1)).username == "jia"
    assert lock_state(store, "jia") == (0, None)


def test_the_right_password_in_a_burst_of_wrong_ones_gets_in_only_before_the_lock(store):
    store.add("jia", PASSWORD, "township", JIA)
    now = dt.datetime(2026, 1, 1, 9, 0)
    outcomes = burst(store, [f"wrong guess {i}" for i in range(39)] + [PASSWORD], now)
    assert outcomes[:39] == ["refused"] * 39 and outcomes[39] in ("in", "refused")
    seen = replay(store)  # one attempt after another: a sign-in only while not locked
    assert seen.count("locked:locked until 2026-01-01T09:15:00") == 1
    assert ("sign_in:password" in seen) == (outcomes[39] == "in")
    assert lock_state(store, "jia") == (0, "2026-01-01T09:15:00")  # ≥ 35 wrong ones after any sign-in
    with pytest.raises(AccessError):
        store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=1))


def _burst_in_process(path: str, passwords: list[str], now: str, start_at: float) -> list[str]:
    """One process's share of a burst from several processes (module level: spawned processes import it)."""
    time.sleep(max(0.0, start_at - time.time()))
    return burst(Store(Path(path)), passwords, dt.datetime.fromisoformat(now))


def test_a_burst_from_separate_processes_locks_the_account_with_an_exact_count(store):
    store.add("jia", PASSWORD, "township", JIA)
    now = dt.datetime(2026, 1, 1, 9, 0)
    start_at = time.time() + 5  # the spawned processes import the store first, then all try at once
    with ProcessPoolExecutor(8, mp_context=multiprocessing.get_context("spawn")) as pool:
        shares = [pool.submit(_burst_in_process, str(store.path), [f"wrong {p}.{i}" for i in range(5)],
                              now.isoformat(), start_at) for p in range(8)]
        outcomes = [o for share in shares for o in share.result()]
    assert outcomes == ["refused"] * 40
    seen = replay(store)
    assert seen.count("locked:locked until 2026-01-01T09:15:00") == 1 and seen[4].startswith("locked:")
    assert seen[5:] == ["sign_in_failed:locked"] * 35
    with pytest.raises(AccessError):
        store.authenticate("jia", PASSWORD, now=now + dt.timedelta(minutes=14))


def test_failed_sign_ins_are_throttled_per_client_address(store):
    """20 failed sign-ins from one address within 15 minutes (whatever the names) stop that address,
    even with a right password; other addresses are not affected; the window drains."""
    store.add("jia", PASSWORD, "township", JIA)
    store.add("yi", PASSWORD, "township", YI)
    now = dt.datetime(2026, 1, 1, 9, 0)
    names = ["yi"] * 5 + ["nobody", "jia", "admin", "guess-x"] * 3 + ["jia", "nobody", "admin"]
    for i, name in enumerate(names):
        with pytest.raises(AccessError, match="wrong username or password"):
            store.authenticate(name, "wrong guess", address="10.0.0.9", now=now + dt.timedelta(seconds=i))
    assert len(names) == 20
    assert lock_state(store, "yi") == (0, "2026-01-01T09:15:04")  # its five in a row locked it
    assert lock_state(store, "jia") == (4, None)
    with pytest.raises(AccessError, match="too many failed sign-ins from this address"):
        store.authenticate("jia", PASSWORD, address="10.0.0.9", now=now + dt.timedelta(minutes=1))
    assert store.authenticate("jia", PASSWORD, address="10.0.0.10", now=now + dt.timedelta(minutes=1))
    assert store.authenticate("jia", PASSWORD, address="10.0.0.9", now=now + dt.timedelta(minutes=15, seconds=20))
    assert ("sign_in_throttled", None) in {(row[3], row[1]) for row in store.audit_log()}


def test_failed_sign_ins_are_throttled_per_account_over_a_day(store):
    """Lock after lock: 20 wrong passwords on one account within 24 hours close it until the oldest
    of them is a day old (an administrator's new password opens it at once)."""
    store.add("jia", PASSWORD, "township", JIA)
    now = dt.datetime(2026, 1, 1, 9, 0)
    for cycle in range(4):  # four locks, each waited out
        for _ in range(5):
            with pytest.raises(AccessError):
                store.authenticate("jia", "wrong guess", now=now + dt.timedelta(minutes=20 * cycle))
    later = now + dt.timedelta(hours=2)  # the fourth lock has ended: the day's throttle still holds
    assert refusal(lambda: store.authenticate("jia", PASSWORD, now=later)) == \
        refusal(lambda: store.authenticate("nobody", PASSWORD, now=later))
    assert store.authenticate("jia", PASSWORD, now=now + dt.timedelta(hours=24, seconds=1)).username == "jia"
    for _ in range(5):  # 15 of the first day's failures are still within 24 hours of `later`: 20 again
        with pytest.raises(AccessError):
            store.authenticate("jia", "wrong guess", now=later)
    store.set_password("jia", "a brand new passphrase")
    with pytest.raises(AccessError):
        store.authenticate("jia", "wrong guess", now=later)  # counted from zero again
    assert store.authenticate("jia", "a brand new passphrase", now=later).username == "jia"


def test_refusals_read_and_take_the_same_for_unknown_wrong_and_locked(store):
    """Nothing tells an unknown name, a wrong password and a locked account apart: one message, and
    each does one Argon2 check (a locked or unknown account is checked against a stand-in hash)."""
    store.add("jia", PASSWORD, "township", JIA)
    store.add("locked", PASSWORD, "township", JIA)
    now = dt.datetime(2026, 1, 1, 9, 0)
    for _ in range(5):
        with pytest.raises(AccessError):
            store.authenticate("locked", "wrong guess", now=now)
    messages, took = set(), {"unknown": [], "wrong": [], "locked": []}
    for _ in range(4):
        for kind, name in (("unknown", "nobody"), ("wrong", "jia"), ("locked", "locked")):
            started = time.perf_counter()
            messages.add(refusal(lambda name=name: store.authenticate(name, "wrong guess", now=now)))
            took[kind].append(time.perf_counter() - started)
    assert len(messages) == 1, messages
    wrong = statistics.median(took["wrong"])
    for kind in ("unknown", "locked"):
        assert 0.5 < statistics.median(took[kind]) / wrong < 2, took


def test_an_unknown_name_is_never_stored_in_clear(store):
    """A password typed into the user-name box must not land in the audit log."""
    for name in ("My-Secret-Passw0rd", "My-Secret-Passw0rd", "another typo"):
        with pytest.raises(AccessError):
            store.authenticate(name, "whatever it is")
    details = [row[5] for row in reversed(store.audit_log()) if row[3] == "sign_in_failed"]
    assert len(details) == 3 and all(d.startswith("unknown account #") for d in details)
    assert not any(secret in " ".join(details).lower() for secret in ("secret", "passw0rd", "typo", "another"))
    assert details[0] == details[1] != details[2]  # a fingerprint: repeats of one name can be told
    assert store.path.read_bytes().count(b"My-Secret-Passw0rd") == 0


# ---- password rules ----------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "zh", "en"), [
    (" " * 10, "空白", "blank"),
    ("\t \u3000" * 4, "空白", "blank"),
    ("aaaaaaaaaa", "同一个字符", "one character repeated"),
    ("1111111111111", "同一个字符", "one character repeated"),
    ("1234567890", "常见密码", "common passwords"),
    ("password123", "常见密码", "common passwords"),
    ("qwertyuiop", "常见密码", "common passwords"),
    ("woaini1314", "常见密码", "common passwords"),
    ("abcdefghijk", "连续字符", "runs like"),
    ("ababababab", "重复", "repeats"),
])
def test_weak_passwords_are_refused_with_the_reason(store, password, zh, en):
    with pytest.raises(AccessError) as refused:
        store.add("jia", password, "township", JIA)
    assert zh in str(refused.value) and en in str(refused.value)
    store.add("jia", PASSWORD, "township", JIA)
    with pytest.raises(AccessError) as refused:
        store.set_password("jia", password)
    assert zh in str(refused.value) and en in str(refused.value)
    assert store.authenticate("jia", PASSWORD).username == "jia"  # the old password still holds


def test_a_password_made_of_the_user_name_is_refused(store):
    with pytest.raises(AccessError, match="user name"):
        store.add("zhangxiaoming", "zhangxiaoming1", "viewer", COUNTY)
    assert store.add("zhangxiaoming", "Ri4-yellow-teapot", "viewer", COUNTY).username == "zhangxiaoming"


# ---- account changes end sessions ---------------------------------------------------------------

def test_every_account_change_moves_its_session_version(store):
    store.add("jia", PASSWORD, "township", JIA, region_level="乡镇")
    versions = [store.session_version("jia")]
    store.set_password("jia", "a brand new passphrase")
    versions.append(store.session_version("jia"))
    store.set_role("jia", "viewer")
    versions.append(store.session_version("jia"))
    store.set_role("jia", "village", VILLAGE_1, region_level="村")
    versions.append(store.session_version("jia"))
    assert versions == [0, 1, 2, 3]
    assert [(a.role, a.scope) for a in store.accounts()] == [("village", VILLAGE_1)]
    assert store.authenticate("jia", "a brand new passphrase").version == 3
    with pytest.raises(AccessError, match="must be scoped to a 乡镇"):
        store.set_role("jia", "township", VILLAGE_1, region_level="村")
    store.disable("jia")
    assert store.session_version("jia") is None and store.session_version("nobody") is None


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
    monkeypatch.setenv("TUOPIN_PASSWORD", "aaaaaaaaaa")
    assert access_cli(["--db", str(tiny_db_path), "add", "yi", "--role", "township", "--scope", YI]) == 2
    assert access_cli(["--db", str(tiny_db_path), "password", "jia"]) == 2
    assert "同一个字符" in capsys.readouterr().err
    assert access_cli(["--db", str(tiny_db_path), "role", "jia", "--role", "village", "--scope", VILLAGE_1]) == 0
    assert access_cli(["--db", str(tiny_db_path), "role", "jia", "--role", "township", "--scope", VILLAGE_1]) == 2
    assert access_cli(["--db", str(tiny_db_path), "role", "nobody", "--role", "viewer"]) == 2
    assert Store(tmp_path / "a.sqlite").authenticate("jia", PASSWORD).scope == VILLAGE_1
    # a display name and a single sign-on e-mail, changed and removed from the command line
    assert access_cli(["--db", str(tiny_db_path), "name", "jia", "--display", "甲乡 王五"]) == 0
    assert access_cli(["--db", str(tiny_db_path), "email", "jia", "--email", "wang@county.gov.cn"]) == 0
    changed = Store(tmp_path / "a.sqlite").account("jia")
    assert (changed.display_name, changed.email) == ("甲乡 王五", "wang@county.gov.cn")
    assert access_cli(["--db", str(tiny_db_path), "email", "jia", "--email", "not-an-address"]) == 2
    assert "邮箱格式不对" in capsys.readouterr().err
    assert access_cli(["--db", str(tiny_db_path), "email", "jia", "--none"]) == 0
    assert Store(tmp_path / "a.sqlite").account("jia").email is None
    assert access_cli(["--db", str(tiny_db_path), "name", "nobody", "--display", "x"]) == 2
    # a new account cannot take another's e-mail in another case (sign-on compares without case)
    assert access_cli(["--db", str(tiny_db_path), "email", "jia", "--email", "wang@county.gov.cn"]) == 0
    capsys.readouterr()
    assert access_cli(["--db", str(tiny_db_path), "add", "wang2", "--role", "viewer", "--scope", COUNTY,
                       "--email", "WANG@County.gov.cn", "--oidc-only"]) == 2
    assert "另一个账号" in capsys.readouterr().err


# ---- scope in the query layer ------------------------------------------------------------------

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
