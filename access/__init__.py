"""Accounts, roles, region scopes and the audit log (see store.py; README 安全 Security)."""

from access.store import ROLES, AccessError, Account, Role, Store, default_path

__all__ = ["ROLES", "AccessError", "Account", "Role", "Store", "default_path"]
