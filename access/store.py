"""The local account store and the audit log (SQLite beside the registry database).

Why a separate file: the registry database (DuckDB) is a read-only snapshot that an import replaces
whole; accounts and the audit trail must outlive every import and be written while the dashboard
serves. SQLite's file locking lets the CLI (`python -m access`) add accounts while the server runs.

Passwords are hashed with Argon2id (argon2-cffi, the maintained reference binding); the hash string
carries its own salt and parameters, and `check_needs_rehash` upgrades old hashes on sign-in.
After MAX_FAILURES wrong passwords in a row an account is locked for LOCK_MINUTES.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from common.files import private_file, private_folder

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")

_hasher = PasswordHasher()


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
    disabled        integer not null default 0
);
create table if not exists audit (
    id              integer primary key autoincrement,
    at              text not null,
    username        text,
    role            text,
    action          text not null,       -- sign_in / sign_in_failed / locked / view_households / export /
                                         -- unmask / import / import_failed / rollback / account
    region          text,
    detail          text
);
create index if not exists audit_at on audit(at);
"""


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():  # accounts and audit log: owner only (SQLite's journals take its mode)
            private_file(private_folder(self.path.parent) / self.path.name)
        con = sqlite3.connect(self.path, timeout=10)
        try:
            con.executescript(SCHEMA)
            with con:
                yield con
        finally:
            con.close()

    # ---- accounts ------------------------------------------------------------------------------

    def has_accounts(self) -> bool:
        if not self.path.exists():
            return False
        with self._db() as con:
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
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            raise AccessError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / the password needs at least "
                              f"{MIN_PASSWORD_LENGTH} characters")
        with self._db() as con:
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
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccessError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / the password needs at least "
                              f"{MIN_PASSWORD_LENGTH} characters")
        with self._db() as con:
            con.execute("update accounts set password_hash = ?, failures = 0, locked_until = null where username = ?",
                        (_hasher.hash(password), username))

    def disable(self, username: str) -> None:
        with self._db() as con:
            con.execute("update accounts set disabled = 1 where username = ?", (username,))

    def accounts(self) -> list[Account]:
        with self._db() as con:
            rows = con.execute("select username, role, scope, display_name, email from accounts"
                               " where not disabled order by username").fetchall()
        return [Account(*row) for row in rows]

    def authenticate(self, username: str, password: str, *, now: dt.datetime | None = None) -> Account:
        """The account when the password is right; AccessError (and an audit entry) otherwise."""
        now = now or dt.datetime.now()
        refused = AccessError("用户名或密码错误 / wrong username or password")
        # The failure count and audit entries must be committed before refusing: decide inside the
        # transaction, raise after it.
        outcome: Account | AccessError
        with self._db() as con:
            row = con.execute("select password_hash, role, scope, display_name, email, failures, locked_until"
                              " from accounts where username = ? and not disabled", (username,)).fetchone()
            if row is None:
                _hasher.hash(password)  # same work as a real check: no timing hint that the name is unknown
                self._audit(con, None, None, "sign_in_failed", None, f"unknown account {username[:64]!r}")
                outcome = refused
            else:
                outcome = self._check(con, username, password, row, now, refused)
        if isinstance(outcome, AccessError):
            raise outcome
        return outcome

    def _check(self, con, username: str, password: str, row, now: dt.datetime, refused: AccessError):
        password_hash, role, scope, display_name, email, failures, locked_until = row
        if locked_until and dt.datetime.fromisoformat(locked_until) > now:
            self._audit(con, username, role, "sign_in_failed", scope, "locked")
            return AccessError(f"连续输错密码，账号已锁定至 {locked_until[:16]} / too many wrong passwords; "
                               f"locked until {locked_until[:16]}")
        try:
            if password_hash is None:
                raise VerificationError("OIDC-only account")
            _hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failures += 1
            lock = (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") \
                if failures >= MAX_FAILURES else None
            con.execute("update accounts set failures = ?, locked_until = ? where username = ?",
                        (0 if lock else failures, lock, username))
            self._audit(con, username, role, "locked" if lock else "sign_in_failed", scope,
                        f"locked until {lock}" if lock else f"failure {failures}")
            return refused
        if _hasher.check_needs_rehash(password_hash):
            con.execute("update accounts set password_hash = ? where username = ?", (_hasher.hash(password), username))
        con.execute("update accounts set failures = 0, locked_until = null where username = ?", (username,))
        self._audit(con, username, role, "sign_in", scope, "password")
        return Account(username, role, scope, display_name, email)

    def by_email(self, email: str) -> Account | None:
        """The account an OIDC identity maps onto (by its verified e-mail), if any."""
        with self._db() as con:
            row = con.execute("select username, role, scope, display_name, email from accounts"
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
        with self._db() as con:
            return con.execute("select at, username, role, action, region, detail from audit"
                               " order by id desc limit ?", (limit,)).fetchall()


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
