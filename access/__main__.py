"""Manage accounts from the command line (works while the dashboard runs).

    python -m access add NAME --role township --scope 439901101000 [--email a@b.cn] [--display 张三]
    python -m access password NAME
    python -m access role NAME --role viewer [--scope 439901101000]
    python -m access name NAME --display 张三
    python -m access email NAME (--email a@b.cn | --none)
    python -m access list
    python -m access disable NAME
    python -m access enable NAME
    python -m access audit [--limit 50]

The store is TUOPIN_ACCOUNTS, or <database>.accounts.sqlite beside the database (--db / TUOPIN_DB /
data/tuopin.duckdb). The password is asked for twice on the terminal (or read from TUOPIN_PASSWORD);
it must pass access.store.check_password. A new password, role, scope or e-mail, or disabling, signs
the account's open sessions out at their next click.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

import duckdb

from access.store import ROLES, AccessError, Store, default_path
from common.paths import default_db_path

ROOT = Path(__file__).resolve().parent.parent


def _password() -> str:
    if os.environ.get("TUOPIN_PASSWORD"):
        return os.environ["TUOPIN_PASSWORD"]
    first = getpass.getpass("密码 password: ")
    if getpass.getpass("再输一次 again: ") != first:
        raise AccessError("两次输入的密码不一致 / the passwords differ")
    return first


def _region_level(db: Path, code: str) -> str:
    if not db.exists():
        raise AccessError(f"数据库不存在，无法核对区域 / database not found, cannot check the region: {db}")
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("select cast(level as varchar) from regions where code = ?", [code]).fetchone()
    finally:
        con.close()
    if row is None:
        raise AccessError(f"区划代码 {code} 不在数据中 / region {code} is not in the data")
    return row[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m access", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(default_db_path()))
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--scope", required=True, help="区划代码 the account is limited to")
    add.add_argument("--email", help="for single sign-on (st.login): the identity provider's e-mail")
    add.add_argument("--display", default="", help="display name")
    add.add_argument("--oidc-only", action="store_true", help="no password; sign in through the identity provider")
    password = sub.add_parser("password", help="set a new password")
    password.add_argument("username")
    role = sub.add_parser("role", help="change an account's role and/or scope")
    role.add_argument("username")
    role.add_argument("--role", required=True, choices=list(ROLES))
    role.add_argument("--scope", help="区划代码 (default: the account's present scope)")
    name = sub.add_parser("name", help="change an account's display name")
    name.add_argument("username")
    name.add_argument("--display", required=True, help="the new display name (empty: none)")
    email = sub.add_parser("email", help="change or remove an account's single sign-on e-mail")
    email.add_argument("username")
    which = email.add_mutually_exclusive_group(required=True)
    which.add_argument("--email", help="the identity provider's e-mail")
    which.add_argument("--none", action="store_true", help="no single sign-on (the account keeps its password)")
    sub.add_parser("list", help="list the accounts")
    disable = sub.add_parser("disable", help="disable an account")
    disable.add_argument("username")
    enable = sub.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("username")
    audit = sub.add_parser("audit", help="print the audit log, newest first")
    audit.add_argument("--limit", type=int, default=50)
    args = parser.parse_args(argv)

    db = Path(args.db).resolve()
    store = Store(default_path(db))
    try:
        if args.command == "add":
            level = _region_level(db, args.scope)
            account = store.add(args.username, None if args.oidc_only else _password(), args.role, args.scope,
                                display_name=args.display, email=args.email, region_level=level)
            print(f"已创建 created: {account.username} · {ROLES[account.role].zh} · {account.scope} ({level})"
                  f" → {store.path}")
        elif args.command == "password":
            store.set_password(args.username, _password())
            print("密码已更新 / password changed")
        elif args.command == "role":
            current = store.account(args.username)
            if current is None:
                raise AccessError(f"没有这个账号（或已停用）：{args.username} / no such account (or disabled): "
                                  f"{args.username}")
            scope = args.scope or current.scope
            changed = store.set_role(args.username, args.role, scope, region_level=_region_level(db, scope))
            print(f"已更改 changed: {changed.username} · {ROLES[changed.role].zh} · {changed.scope}")
        elif args.command == "name":
            changed = store.set_display_name(args.username, args.display)
            print(f"姓名已更改 / display name changed: {changed.username} · {changed.display_name}")
        elif args.command == "email":
            changed = store.set_email(args.username, None if args.none else args.email)
            print(f"认证邮箱已更改 / e-mail changed: {changed.username} · {changed.email or '-'}")
        elif args.command == "list":
            for account in store.accounts():
                print(f"{account.username:<20} {ROLES[account.role].zh:<10} {account.scope}  {account.email or ''}")
        elif args.command == "disable":
            store.disable(args.username)
            print("已停用 / disabled")
        elif args.command == "enable":
            store.enable(args.username)
            print("已重新启用 / enabled again")
        elif args.command == "audit":
            for row in store.audit_log(args.limit):
                print("  ".join("" if v is None else str(v) for v in row))
    except AccessError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
