"""The masking rule for personal data, for values that never pass through a query: the problems of an
import package (the rejects report, the import page). It is the rule of the mask_name / mask_id
macros in queries/shared/macros.sql, which every query uses (tests/test_layering.py checks that the
two answer alike): a name keeps its first and last character (张*华; 2 characters → 张*, 1 → *), an
ID number its first 6 and last 4 (shorter ones are fully masked)."""

from __future__ import annotations

import re

# headers (Chinese, or the English alias in any case) holding a name or an ID number
PERSONAL_COLUMNS = {
    "姓名": "name", "name": "name", "户主姓名": "name", "head_name": "name",
    "证件号码": "id", "id_number": "id", "户主证件号码": "id", "head_id_number": "id",
}

# households_head_mismatch quotes the members file's name or ID: "…（成员表：X）" / "… (members: X)"
QUOTED = (re.compile(r"（成员表：(.*)）$"), re.compile(r"\(members: (.*)\)$"))
QUOTING_CHECKS = frozenset({"households_head_mismatch"})


def mask_name(name: str | None) -> str | None:
    if name is None:
        return None
    if len(name) <= 1:
        return "*"
    return name[0] + "*" if len(name) == 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(id_number: str | None) -> str | None:
    if id_number is None:
        return None
    return id_number[:6] + "********" + id_number[-4:] if len(id_number) >= 15 else "*" * len(id_number)


def column_kind(column: str | None) -> str | None:
    """"name", "id" or None (not personal) for a column header as the user wrote it."""
    return PERSONAL_COLUMNS.get((column or "").strip().lower())


def mask(value: str | None, kind: str | None) -> str | None:
    """`value` masked as a name or an ID number (kind from column_kind); left alone when kind is None."""
    if value is None or kind is None:
        return value
    return mask_id(value) if kind == "id" else mask_name(value)


def mask_reason(text: str, check_name: str, kind: str | None) -> str:
    """A problem's reason with the personal value it quotes (households_head_mismatch) masked."""
    if check_name not in QUOTING_CHECKS or text is None:
        return text
    for pattern in QUOTED:
        text = pattern.sub(lambda m: m.group(0).replace(m.group(1), mask(m.group(1), kind) or ""), text)
    return text
