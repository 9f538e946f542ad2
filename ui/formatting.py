"""Numbers the Chinese way: 户/人 pairs, 万元, percentages with two decimals."""

from __future__ import annotations

import math


def count(n) -> str:
    return "—" if n is None or (isinstance(n, float) and math.isnan(n)) else f"{int(n):,}"


def percent(ratio) -> str:
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "—"
    return f"{ratio * 100:.2f}%"


def wan_yuan(yuan) -> str:
    if yuan is None or (isinstance(yuan, float) and math.isnan(yuan)):
        return "—"
    return f"{float(yuan) / 10_000:,.2f}万元"


def signed(n) -> str:
    """A change with its sign: +12 / −3 / 0."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    n = int(n)
    return f"+{n:,}" if n > 0 else (f"-{-n:,}" if n < 0 else "0")


def signed_points(now, before) -> str:
    """The change between two ratios in percentage points, two decimals: +0.12个百分点 is shown as +0.12pp."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (now, before)):
        return "—"
    points = (float(now) - float(before)) * 100
    sign = "+" if points > 0 else ("-" if points < 0 else "")
    return f"{sign}{abs(points):.2f}pp"
