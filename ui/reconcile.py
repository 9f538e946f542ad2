"""Reading the flows query's own reconciliation: for each stock column, the rows other than its closing
row must add up to the closing row (queries/flows.sql header). Display logic, no new figure."""

from __future__ import annotations

import pandas as pd

CLOSING = {
    "registry_households": "期末在册",
    "registry_people": "期末在册",
    "poor_households": "期末未脱贫",
    "poor_people": "期末未脱贫",
}


def unreconciled(flows: pd.DataFrame) -> list[str]:
    """The stock columns (of registry/poor × households/people) whose closing row is not the sum of the rest."""
    wrong = []
    for column, closing in CLOSING.items():
        is_closing = flows.movement == closing
        if flows.loc[~is_closing, column].fillna(0).sum() != flows.loc[is_closing, column].sum():
            wrong.append(column)
    return wrong
