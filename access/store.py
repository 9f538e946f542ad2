"""The local account store and the audit log (SQLite beside the registry database).

Why a separate file: the registry database (DuckDB) is a read-only snapshot that an import replaces
whole; accounts and the audit trail must outlive every import and be written while the dashboard
serves. SQLite's file locking lets the CLI (`python -m access`) add accounts while the server runs.

Passwords are hashed with Argon2id (argon2-cffi, the maintained reference binding); the hash string
carries its own salt and parameters, and `check_needs_rehash` upgrades old hashes on sign-in. A new
password must pass `check_password`: not blank, not one character repeated, and a strength of at
least MIN_PASSWORD_SCORE by zxcvbn (common passwords, keyboard runs, dates, the user's own name).

Sign-in (`authenticate`) decides in one write transaction (BEGIN IMMEDIATE, parallel attempts wait
for each other): the lock, the throttles, the failure count and the audit entry, so a burst of
parallel attempts counts every failure and nobody gets past a lock. After MAX_FAILURES wrong
passwords in a row an account is locked for LOCK_MINUTES; ACCOUNT_MAX_FAILURES_PER_DAY wrong
passwords within 24 hours close it until the oldest is a day old; ADDRESS_MAX_FAILURES failed
sign-ins from one client address within ADDRESS_WINDOW_MINUTES stop that address. Every refusal
costs one Argon2 check and reads the same, so neither words nor timing tell whether a name exists
or is locked. Every change to an account moves its `session_version`, which ends its open sessions
(ui/session.require compares it on every run).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from access import sqlite

MAX_FAILURES = 5  # wrong passwords in a row lock the account ...
LOCK_MINUTES = 15  # ... for this long
ACCOUNT_MAX_FAILURES_PER_DAY = 20  # wrong passwords on one account within 24 hours close it
ADDRESS_MAX_FAILURES = 20  # failed sign-ins from one client address (any names) ...
ADDRESS_WINDOW_MINUTES = 15  # ... within this window stop that address
MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 = about 10^8 guesses or more
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")

REFUSED = (f"用户名或密码错误；连续输错 {MAX_FAILURES} 次账号将暂时锁定（{LOCK_MINUTES} 分钟起）/ wrong username or "
           f"password; {MAX_FAILURES} wrong passwords in a row lock the account for a while ({LOCK_MINUTES} minutes "
           f"or more)")
THROTTLED = (f"此地址登录失败次数过多，请 {ADDRESS_WINDOW_MINUTES} 分钟后再试 / too many failed sign-ins from this "
             f"address; try again in {ADDRESS_WINDOW_MINUTES} minutes")

# Argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet: 19 MiB, 2 passes, 1 lane), not
# argon2-cffi's default (RFC 9106's second option: 64 MiB, 3 passes, 4 lanes). A check costs about 35 ms
# of one core instead of about 270 ms and 19 MiB instead of 64 (README, "Concurrent users"): 32 people
# signing in at once took seconds of CPU and a gigabyte. An offline guess still costs 19 MiB of memory
# and ~35 ms of a core; with passwords of zxcvbn score 3 (about 10^8 guesses) that is over a core-month
# per account. Hashes made with other parameters are rehashed at their next sign-in (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# At most this many Argon2 computations at once in a process: each holds its memory while it runs.
_ARGON2_SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
_CHANGED = object()  # the account changed between the password check and the decision: check again


@dataclass(frozen=True)
class Role:
    key: str
    zh: str
    en: str
    scope_level: tuple[str, ...]  # the levels an account of this role may be scoped to
    can_import: bool = False
    can_manage: bool = False  # accounts, audit log, rollback
    can_export: bool = False
    can_unmask: bool = False


ROLES: dict[str, Role] = {
    "admin": Role("admin", "县级管理员", "County administrator", ("县", "市", "省"),
                  can_import=True, can_manage=True, can_export=True, can_unmask=True),
    "leader": Role("leader", "县领导/扶贫办", "County leader / poverty office", ("县", "市", "省"),
                   can_export=True, can_unmask=True),
    "township": Role("township", "乡镇工作人员", "Township staff", ("乡镇",), can_export=True),
    "village": Role("village", "村工作人员", "Village staff", ("村",), can_export=True),
    "viewer": Role("viewer", "只读", "Read-only viewer", ("县", "乡镇", "村", "市", "省")),
}


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    scope: str  # 区划代码 the account is limited to
    display_name: str = ""
    email: str | None = None  # for OIDC sign-in (st.login): the identity provider's e-mail claim
    version: int = 0  # session_version when read: a session of an older version is over

    @property
    def permissions(self) -> Role:
        return ROLES[self.role]


class AccessError(Exception):
    """A refused sign-in or account change; message in Chinese and English."""


def default_path(registry_db: Path) -> Path:
    """TUOPIN_ACCOUNTS, or `<registry>.accounts.sqlite` beside the registry database."""
    named = os.environ.get("TUOPIN_ACCOUNTS")
    return Path(named).resolve() if named else registry_db.with_name(registry_db.stem + ".accounts.sqlite")


SCHEMA = """
create table if not exists accounts (
    username        text primary key,
    password_hash   text,                -- NULL: OIDC only
    role            text not null,
    scope           text not null,
    display_name    text not null default '',
    email           text unique,
    failures        integer not null default 0,
    locked_until    text,
    created_at      text not null,
    disabled        integer not null default 0,
    session_version integer not null default 0  -- moved by every change: open sessions end
);
create table if not exists failed_sign_ins (  -- for the throttles; pruned after a day
    key             text not null,       -- 'account:<username>' or 'address:<client address>'
    at              text not null
);
create index if not exists failed_sign_ins_key on failed_sign_ins(key, at);
create table if not exists settings (
    name            text primary key,    -- audit_key: the key of unknown names' fingerprints
    value           text not null
);
create table if not exists audit (
    id              integer primary key autoincrement,
    at              text not null,
    username        text,
    role            text,
    action          text not null,       -- sign_in / sign_in_failed / locked / sign_in_throttled /
                                         -- view_households / export / unmask / import / import_failed /
                                         -- rollback / account / sign_out
    region          text,
    detail          text
);
create index if not exists audit_at on audit(at);
"""


def _add_session_version(con: sqlite3.Connection) -> None:
    """A store made before session_version existed gets the column."""
    if "session_version" not in {row[1] for row in con.execute("pragma table_info(accounts)")}:
        con.execute("alter table accounts add column session_version integer not null default 0")


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _db(self, *, write: bool = True):
        """One transaction (access/sqlite.transaction); a concurrent writer waits up to
        BUSY_TIMEOUT_SECONDS (access/sqlite.py)."""
        return sqlite.transaction(sqlite.connect(self.path, SCHEMA, _add_session_version), write=write)

    # ---- accounts ------------------------------------------------------------------------------

    def has_accounts(self) -> bool:
        if not self.path.exists():
            return False
        with self._db(write=False) as con:
            return con.execute("select count(*) from accounts where not disabled").fetchone()[0] > 0

    def add(self, username: str, password: str | None, role: str, scope: str, *, display_name: str = "",
            email: str | None = None, region_level: str | None = None) -> Account:
        """Create an account. `region_level` (the level of `scope` in the registry) is checked against
        the role when given: a township account must be scoped to a 乡镇, and so on."""
        if not USERNAME_RE.match(username):
            raise AccessError(f"用户名只能包含字母、数字和 _.@-（2–64 个字符）：{username!r} / "
                              f"username may hold letters, digits and _.@- (2–64 characters): {username!r}")
        if role not in ROLES:
            raise AccessError(f"未知角色 {role!r}，可选：{', '.join(ROLES)} / unknown role {role!r}; roles: "
                              f"{', '.join(ROLES)}")
        if region_level is not None and region_level not in ROLES[role].scope_level:
            raise AccessError(f"角色 {ROLES[role].zh} 的范围须为 {'/'.join(ROLES[role].scope_level)}，"
                              f"{scope} 是{region_level} / a {ROLES[role].en} account must be scoped to a "
                              f"{'/'.join(ROLES[role].scope_level)}; {scope} is a {region_level}")
        if password is None and email is None:
            raise AccessError("需要密码或单点登录邮箱 / a password or an OIDC e-mail is required")
        display_name = _checked_display_name(display_name)
        if password is not None:
            check_password(password, username, display_name, email or "")
        with self._db() as con:
            _refuse_a_taken_email(con, email, username)
            try:
                con.execute(
                    "insert into accounts (username, password_hash, role, scope, display_name, email, created_at)"
                    " values (?, ?, ?, ?, ?, ?, ?)",
                    (username, _hasher.hash(password) if password is not None else None, role, scope,
                     display_name, email, _now()),
                )
            except sqlite3.IntegrityError as error:
                raise AccessError(f"账号已存在：{username} / account exists: {username}") from error
        self.audit(None, "account", scope, f"created {username} ({role})")
        return Account(username, role, scope, display_name, email)

    def set_password(self, username: str, password: str) -> None:
        """A new password; it unlocks the account, clears its throttle and ends its open sessions."""
        current = self.account(username)
        if current is None:
            raise _no_such_account(username)
        check_password(password, username, current.display_name, current.email or "")
        hashed = _hasher.hash(password)
        with self._db() as con:
            con.execute("update accounts set password_hash = ?, failures = 0, locked_until = null,"
                        " session_version = session_version + 1 where username = ?", (hashed, username))
            con.execute("delete from failed_sign_ins where key = ?", ("account:" + username,))
            self._audit(con, None, None, "account", current.scope, f"new password for {username}")

    def set_role(self, username: str, role: str, scope: str | None = None, *,
                 region_level: str | None = None) -> Account:
        """Another role and/or scope (`region_level`: the level of the scope, checked against the
        role as `add` does); it ends the account's open sessions."""
        current = self.account(username)
        if current is None:
            raise _no_such_account(username)
        if role not in ROLES:
            raise AccessError(f"未知角色 {role!r}，可选：{', '.join(ROLES)} / unknown role {role!r}; roles: "
                              f"{', '.join(ROLES)}")
        scope = scope or current.scope
        if region_level is not None and region_level not in ROLES[role].scope_level:
            raise AccessError(f"角色 {ROLES[role].zh} 的范围须为 {'/'.join(ROLES[role].scope_level)}，"
                              f"{scope} 是{region_level} / a {ROLES[role].en} account must be scoped to a "
                              f"{'/'.join(ROLES[role].scope_level)}; {scope} is a {region_level}")
        with self._db() as con:
            if role != "admin":
                _keep_an_administrator(con, username)
            con.execute("update accounts set role = ?, scope = ?, session_version = session_version + 1"
                        " where username = ?", (role, scope, username))
            self._audit(con, None, None, "account", scope, f"{username}: {current.role} {current.scope} → "
                                                            f"{role} {scope}")
        return self.account(username)

    def set_display_name(self, username: str, display_name: str) -> Account:
        """Another display name (at most 64 characters, no control characters; empty: none). Open sessions
        go on: who the account is and what it may see are unchanged."""
        display_name = _checked_display_name(display_name)
        with self._db() as con:
            changed = con.execute("update accounts set display_name = ? where username = ? and not disabled",
                                  (display_name, username)).rowcount
            if changed:
                self._audit(con, None, None, "account", None, f"display name of {username}: {display_name}")
        if not changed:
            raise _no_such_account(username)
        return self.account(username)

    def set_email(self, username: str, email: str | None) -> Account:
        """Another single sign-on e-mail, or none (the account then signs in with its password, which it must
        have). It ends the account's open sessions: who may sign in as it has changed. An e-mail belongs
        to one account (compared without case, as sign-on looks it up)."""
        email = (email or "").strip() or None
        if email is not None and (len(email) > 256 or not EMAIL_RE.match(email)):
            raise AccessError(f"邮箱格式不对：{email!r} / not an e-mail address: {email!r}")
        with self._db() as con:
            row = con.execute("select password_hash from accounts where username = ? and not disabled",
                              (username,)).fetchone()
            if row is None:
                raise _no_such_account(username)
            if email is None and row[0] is None:
                raise AccessError("该账号没有密码，不能去掉单点登录邮箱 / the account has no password: its single "
                                  "sign-on e-mail cannot be removed")
            _refuse_a_taken_email(con, email, username)
            con.execute("update accounts set email = ?, session_version = session_version + 1 where username = ?",
                        (email, username))
            self._audit(con, None, None, "account", None, f"e-mail of {username}: {email or '-'}")
        return self.account(username)

    def disable(self, username: str) -> None:
        """The account can no longer sign in; its open sessions end at their next interaction."""
        with self._db() as con:
            _keep_an_administrator(con, username)
            changed = con.execute("update accounts set disabled = 1, session_version = session_version + 1"
                                  " where username = ? and not disabled", (username,)).rowcount
            if changed:
                self._audit(con, None, None, "account", None, f"disabled {username}")
        if not changed:
            raise _no_such_account(username)

    def enable(self, username: str) -> None:
        """A disabled account may sign in again, with the password it had (its failures and lock cleared);
        sessions from before it was disabled stay ended."""
        with self._db() as con:
            changed = con.execute("update accounts set disabled = 0, failures = 0, locked_until = null,"
                                  " session_version = session_version + 1 where username = ? and disabled",
                                  (username,)).rowcount
            if changed:
                self._audit(con, None, None, "account", None, f"enabled {username}")
        if not changed:
            raise AccessError(f"没有这个已停用的账号：{username} / no disabled account named {username}")

    def disabled_accounts(self) -> list[Account]:
        with self._db(write=False) as con:
            rows = con.execute("select username, role, scope, display_name, email, session_version from accounts"
                               " where disabled order by username").fetchall()
        return [Account(*row) for row in rows]

    def account(self, username: str) -> Account | None:
        """The enabled account of that name, if any."""
        with self._db(write=False) as con:
            row = con.execute("select username, role, scope, display_name, email, session_version from accounts"
                              " where username = ? and not disabled", (username,)).fetchone()
        return Account(*row) if row else None

    def session_version(self, username: str) -> int | None:
        """The account's session_version, None when it is gone or disabled (one read by primary key:
        the dashboard asks on every run)."""
        if not self.path.exists():
            return None
        with self._db(write=False) as con:
            row = con.execute("select session_version from accounts where username = ? and not disabled",
                              (username,)).fetchone()
        return row[0] if row else None

    def accounts(self) -> list[Account]:
        with self._db(write=False) as con:
            rows = con.execute("select username, role, scope, display_name, email, session_version from accounts"
                               " where not disabled order by username").fetchall()
        return [Account(*row) for row in rows]

    def authenticate(self, username: str, password: str, *, address: str | None = None,
                     now: dt.datetime | None = None) -> Account:
        """The account when the password is right; AccessError (and an audit entry) otherwise.

        `address` is the client's address (None from the command line: no address throttle); `now`
        is injectable for tests. The Argon2 check runs before the write transaction, against the
        hash the transaction then finds unchanged (else it checks again), which decides exactly as
        checking inside it would, without making every writer of the store wait on Argon2."""
        now = now or dt.datetime.now()
        for _ in range(3):
            with self._db(write=False) as con:
                row = con.execute("select password_hash from accounts where username = ? and not disabled",
                                  (username,)).fetchone()
            stored = row[0] if row else None
            right = _verify(stored, password)  # one Argon2 check whatever the outcome: no timing hint
            upgraded = _hasher.hash(password) if right and _hasher.check_needs_rehash(stored) else None
            with self._db() as con:
                outcome = self._decide(con, username, stored, right, upgraded, address, now)
            if outcome is not _CHANGED:
                break
        else:
            outcome = AccessError(REFUSED)  # the account changed three times during one sign-in
        if isinstance(outcome, AccessError):
            raise outcome
        return outcome

    def _decide(self, con, username: str, stored: str | None, right: bool, upgraded: str | None,
                address: str | None, now: dt.datetime):
        """Inside the write transaction: the lock, the throttles, the count and the audit entry."""
        row = con.execute("select password_hash, role, scope, display_name, email, failures, locked_until,"
                          " session_version from accounts where username = ? and not disabled",
                          (username,)).fetchone()
        if (row[0] if row else None) != stored:
            return _CHANGED
        stamp = now.isoformat(timespec="seconds")
        con.execute("delete from failed_sign_ins where at < ?",
                    ((now - dt.timedelta(days=1)).isoformat(timespec="seconds"),))
        source = f" from {address}" if address else ""

        def failed_recently(key: str, since: dt.datetime) -> int:
            return con.execute("select count(*) from failed_sign_ins where key = ? and at > ?",
                               (key, since.isoformat(timespec="seconds"))).fetchone()[0]

        def count(*keys: str) -> None:
            con.executemany("insert into failed_sign_ins (key, at) values (?, ?)", [(k, stamp) for k in keys])

        address_key = [f"address:{address}"] if address else []
        if address and failed_recently(address_key[0], now - dt.timedelta(minutes=ADDRESS_WINDOW_MINUTES)) \
                >= ADDRESS_MAX_FAILURES:
            self._audit(con, None, None, "sign_in_throttled", None, f"{ADDRESS_MAX_FAILURES} failures{source}")
            return AccessError(THROTTLED)
        refused = AccessError(REFUSED)
        if row is None:
            count(*address_key)
            self._audit(con, None, None, "sign_in_failed", None,
                        f"unknown account #{self._fingerprint(con, username)} ({len(username)} characters){source}")
            return refused
        _, role, scope, display_name, email, failures, locked_until, version = row
        if locked_until and dt.datetime.fromisoformat(locked_until) > now:
            count(*address_key)
            self._audit(con, username, role, "sign_in_failed", scope, f"locked{source}")
            return refused
        if failed_recently("account:" + username, now - dt.timedelta(days=1)) >= ACCOUNT_MAX_FAILURES_PER_DAY:
            count(*address_key)
            self._audit(con, username, role, "sign_in_throttled", scope,
                        f"{ACCOUNT_MAX_FAILURES_PER_DAY} wrong passwords in 24 hours{source}")
            return refused
        if not right:
            failures += 1
            count("account:" + username, *address_key)
            lock = (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") \
                if failures >= MAX_FAILURES else None
            con.execute("update accounts set failures = ?, locked_until = ? where username = ?",
                        (0 if lock else failures, lock, username))
            self._audit(con, username, role, "locked" if lock else "sign_in_failed", scope,
                        (f"locked until {lock}" if lock else f"failure {failures}") + source)
            return refused
        if upgraded:
            con.execute("update accounts set password_hash = ? where username = ?", (upgraded, username))
        con.execute("update accounts set failures = 0, locked_until = null where username = ?", (username,))
        self._audit(con, username, role, "sign_in", scope, "password" + source)
        return Account(username, role, scope, display_name, email, version)

    @staticmethod
    def _fingerprint(con, name: str) -> str:
        """A keyed hash of a name that is no account (often a password typed in the wrong box): the
        audit log can tell repeats of one name apart without holding it."""
        con.execute("insert or ignore into settings (name, value) values ('audit_key', ?)", (secrets.token_hex(32),))
        key = con.execute("select value from settings where name = 'audit_key'").fetchone()[0]
        return hmac.new(bytes.fromhex(key), name.encode(), hashlib.sha256).hexdigest()[:8]

    def by_email(self, email: str) -> Account | None:
        """The account an OIDC identity maps onto (by its verified e-mail), if any."""
        with self._db(write=False) as con:
            row = con.execute("select username, role, scope, display_name, email, session_version from accounts"
                              " where lower(email) = lower(?) and not disabled", (email,)).fetchone()
        return Account(*row) if row else None

    # ---- audit ---------------------------------------------------------------------------------

    def audit(self, account: Account | None, action: str, region: str | None, detail: str = "") -> None:
        with self._db() as con:
            self._audit(con, account.username if account else None, account.role if account else None,
                        action, region, detail)

    @staticmethod
    def _audit(con, username, role, action, region, detail) -> None:
        con.execute("insert into audit (at, username, role, action, region, detail) values (?, ?, ?, ?, ?, ?)",
                    (_now(), username, role, action, region, detail[:2000]))

    def audit_log(self, limit: int = 1000) -> list[tuple]:
        with self._db(write=False) as con:
            return con.execute("select at, username, role, action, region, detail from audit"
                               " order by id desc limit ?", (limit,)).fetchall()


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _keep_an_administrator(con: sqlite3.Connection, username: str) -> None:
    """Refuse to disable or demote the only enabled administrator: nobody could manage accounts or
    roll back an import afterwards (in the same transaction as the change, so two administrators
    cannot each remove the other)."""
    admins = [name for (name,) in con.execute("select username from accounts where role = 'admin' and not disabled")]
    if admins == [username]:
        raise AccessError(f"{username} 是唯一的管理员，不能停用或改为其他角色；请先另设一名管理员 / {username} is the "
                          "only administrator and cannot be disabled or given another role; make another "
                          "administrator first")


def _refuse_a_taken_email(con: sqlite3.Connection, email: str | None, username: str) -> None:
    """An e-mail names one account, compared without case as single sign-on looks it up (by_email):
    two accounts differing only in its case would leave sign-on to pick one."""
    if email is not None and con.execute("select 1 from accounts where lower(email) = lower(?) and username <> ?",
                                         (email, username)).fetchone():
        raise AccessError(f"邮箱已属于另一个账号：{email} / the e-mail belongs to another account: {email}")


def _checked_display_name(display_name: str) -> str:
    """A display name as kept: trimmed, at most 64 characters, none of them a control character."""
    display_name = display_name.strip()
    if len(display_name) > 64 or not display_name.isprintable():
        raise AccessError("姓名（显示名）最多 64 个字符，不能含控制字符 / a display name has at most 64 characters and no "
                          "control characters")
    return display_name


def _no_such_account(username: str) -> AccessError:
    return AccessError(f"没有这个账号（或已停用）：{username} / no such account (or disabled): {username}")


@functools.cache
def _stand_in_hash() -> str:
    """What a password is checked against when there is no hash to check (unknown name, OIDC-only)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _verify(stored: str | None, password: str) -> bool:
    try:
        with _ARGON2_SLOTS:
            return _hasher.verify(stored or _stand_in_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# zxcvbn's pattern kinds → why a password is easy to guess (Chinese, English)
_WEAKNESS = {
    "passwords": ("含常见密码", "it contains one of the common passwords"),
    "user_inputs": ("含用户名、姓名或本系统的名称", "it contains the user name, display name or this system's name"),
    "dictionary": ("含常见词语或人名", "it contains common words or names"),
    "repeat": ("含重复的字符或片段", "it repeats characters or pieces"),
    "sequence": ("含连续字符（如 abcdef、123456）", "it has runs like abcdef or 123456"),
    "spatial": ("含键盘上相邻的键", "it follows neighbouring keys on the keyboard"),
    "date": ("含日期", "it contains a date"),
    "regex": ("含年份", "it contains a recent year"),
    "bruteforce": ("太短或太简单", "it is too short or too simple"),
}


def check_password(password: str, *related: str) -> None:
    """AccessError (with the reason, in Chinese and English) unless `password` is strong enough for a
    new account or a new password. `related`: the user name, display name, e-mail — a password made
    of them is weak. zxcvbn (Dropbox's estimator) knows the common passwords of leaked lists, Chinese
    pinyin ones among them (woaini, 1qaz2wsx), keyboard runs, repeats, sequences and dates."""
    if not password.strip():
        raise AccessError("密码不能全是空白字符 / the password cannot be blank (only spaces)")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / the password needs at least "
                          f"{MIN_PASSWORD_LENGTH} characters")
    if len(set(password)) == 1:
        raise AccessError("密码不能由同一个字符重复组成 / the password cannot be one character repeated")
    from zxcvbn import zxcvbn  # its word lists load in ~60 ms: only when a password is set

    estimate = zxcvbn(password[:72], user_inputs=[r for r in related if r] + ["tuopin", "脱贫", "扶贫"])
    if estimate["score"] >= MIN_PASSWORD_SCORE:
        return
    reasons = []
    for match in estimate["sequence"]:
        kind = match["pattern"]
        if kind == "dictionary" and match.get("dictionary_name") in ("passwords", "user_inputs"):
            kind = match["dictionary_name"]
        reason = _WEAKNESS.get(kind)
        if reason and kind != "bruteforce" and reason not in reasons:
            reasons.append(reason)
    reasons = reasons or [_WEAKNESS["bruteforce"]]
    raise AccessError(f"密码太容易猜到（强度 {estimate['score']}/4，至少需要 {MIN_PASSWORD_SCORE}）："
                      f"{'；'.join(zh for zh, _ in reasons)} / the password is too easy to guess (strength "
                      f"{estimate['score']} of 4, {MIN_PASSWORD_SCORE} needed): {'; '.join(en for _, en in reasons)}")
