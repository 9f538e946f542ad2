"""Numbers the Chinese way: 户/人 pairs, 万元, percentages with two decimals."""

from __future__ import annotations

import math

import pandas as pd


def count(n) -> str:
    return "—" if n is None or (isinstance(n, float) and math.isnan(n)) else f"{int(n):,}"


def percent(ratio) -> str:
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "—"
    return f"{ratio * 100:.2f}%"


def wan_yuan(yuan) -> str:
    """An amount in 万元 with two decimals, in the session's language ("× 10k yuan" in English, the one English
    unit of money everywhere)."""
    from ui.i18n import t

    if yuan is None or (isinstance(yuan, float) and math.isnan(yuan)) or yuan is pd.NA:
        return "—"
    return t("wan_yuan_amount", v=f"{float(yuan) / 10_000:,.2f}")


def pair(households, people) -> str:
    """A 户/人 pair in the session's language: 4户10人 / 4 households, 10 people."""
    from ui.i18n import t

    return t("households_people", h=count(households), p=count(people))


def signed(n) -> str:
    """A change with its sign: +12 / −3 / 0."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    n = int(n)
    return f"+{n:,}" if n > 0 else (f"-{-n:,}" if n < 0 else "0")


def signed_points(change) -> str:
    """A change of a ratio (a difference a query worked out, e.g. registry_change.incidence_change) in
    percentage points, two decimals: +0.12个百分点 is shown as +0.12pp."""
    if change is None or change is pd.NA or (isinstance(change, float) and math.isnan(change)):
        return "—"
    points = float(change) * 100
    sign = "+" if points > 0 else ("-" if points < 0 else "")
    return f"{sign}{abs(points):.2f}pp"


def change_arrow(households, people, colour: str = "normal") -> dict:
    """st.metric's delta_arrow and delta_color for a 户/人 change. Streamlit reads the direction from the
    delta text's first character, so "0户-26人" showed a rise: here the arrow follows the changes
    themselves (down when neither rose and one fell, up the other way round, none when nothing moved or
    households and people moved apart). `colour` as st.metric's delta_color: "normal" (a rise is green),
    "inverse" (a fall is green), "off" (grey)."""
    def sign(n) -> int:
        return 0 if n is None or n is pd.NA or (isinstance(n, float) and math.isnan(n)) else int(n > 0) - int(n < 0)

    signs = {sign(households), sign(people)} - {0}
    if len(signs) != 1:
        return {"delta_color": "off", "delta_arrow": "off"}
    rising = signs == {1}
    good = {"normal": rising, "inverse": not rising}.get(colour)
    return {"delta_arrow": "up" if rising else "down",
            "delta_color": "gray" if good is None else ("green" if good else "red")}


def listed(items) -> str:
    """Items of a list in a sentence, in the session's language: 甲、乙 / A, B."""
    from ui.i18n import t

    return t("list_sep").join(items)
