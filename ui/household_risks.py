"""The 错退 risk list (household_exit_check) as the household-checks page shows and exports it: criteria
labels, village labels, the filter by village and criterion, and the list as a table with translated
headers. It only filters and words the rows the query returns: which households are risks is defined
in queries/household_exit_check.sql, their tallies in queries/household_exit_risks_by.sql. No Streamlit
import.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from queries import exit_criteria
from ui.exports import Table
from ui.report import label, tr

CRITERIA = exit_criteria("household")  # in reading order (macro exit_criteria, queries/shared/macros.sql)


def criteria_text(failing: Iterable[str], no_data: Iterable[str], language: str) -> str:
    """收入、住房安全（无数据）: the failing criteria, those without data marked; a household with no
    data at all (no 户年度收入与保障 row for the year) in a few words."""
    missing = set(no_data)
    if missing >= set(CRITERIA):
        return tr(language, "hhc_no_data_at_all")
    return tr(language, "rpt_names_sep").join(
        tr(language, "hhc_no_data", item=tr(language, "crit_" + key)) if key in missing
        else tr(language, "crit_" + key)
        for key in failing
    )


def village_labels(risks: pd.DataFrame) -> dict[str, str]:
    """Village code → its name; a name two villages share gets its code added."""
    names = risks.drop_duplicates("village_code").set_index("village_code").village_name
    shared = set(names[names.duplicated(keep=False)])
    return {code: f"{name}（{code}）" if name in shared else name for code, name in names.items()}


def filtered(risks: pd.DataFrame, villages: Iterable[str] = (), criteria: Iterable[str] = ()) -> pd.DataFrame:
    """The households of the chosen villages (none chosen = all) failing any chosen criterion (none = any)."""
    villages, criteria = set(villages), set(criteria)
    keep = pd.Series(True, index=risks.index)
    if villages:
        keep &= risks.village_code.isin(villages)
    if criteria:
        keep &= risks.failing_criteria.map(lambda failing: bool(criteria & set(failing)))
    return risks[keep]


def list_table(risks: pd.DataFrame, language: str) -> Table:
    """The list as shown and exported: masked head, village, failing criteria in the chosen language,
    income against the line, exit date, size, category."""
    labels = village_labels(risks)
    risks = risks.reset_index(drop=True)

    def col(key):
        return tr(language, "hhc_col_" + key)

    frame = pd.DataFrame({
        col("household_id"): risks.household_id,
        col("head"): risks.head_name_masked,
        col("village"): risks.village_code.map(labels),
        col("failing"): [criteria_text(f, n, language) for f, n in zip(risks.failing_criteria,
                                                                       risks.no_data_criteria, strict=True)],
        col("per_capita_income"): risks.per_capita_income.astype(float),
        col("poverty_line"): risks.poverty_line.astype(float),
        col("exited_on"): risks.exited_on,
        col("size"): risks["size"],
        col("category"): [label(language, "cat_", c) for c in risks.category],
    })
    return Table(tr(language, "hhc_list"), frame,
                 ("text", "text", "text", "text", "yuan", "yuan", "date", "people", "text"),
                 sheet=tr(language, "hhc_sheet"))
