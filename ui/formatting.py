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
