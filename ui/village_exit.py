"""Words and marks of the 出列核查 page (pages/village_exit.py): a village_exit_check row's criteria
read out in the session's language — ✓ / ✗ / 无数据, the requirement, the value, the gap in words — and
the failing household checks of a village_households row. Figures come from the queries; this module
only words them. No Streamlit import.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from queries import exit_criteria
from ui.formatting import count, percent, wan_yuan
from ui.i18n import t

# the yes/no items of a village (村年度情况) among the criteria, with the leading industry: a badge each
ITEMS = tuple(c for c in exit_criteria("village", needs_threshold=False) if c != "collective_economy")
PASS_MARK, FAIL_MARK = "✓", "✗"
# households holding the village back (village_households.mark), in the order they are listed
MARK_ORDER = {"poor": 0, "risk": 1}


def is_true(value) -> bool:
    return bool(pd.notna(value) and value)


def criterion_label(criterion: str) -> str:
    return t("ve_crit_" + criterion)


def joined(labels: Iterable[str]) -> str:
    return t("ve_list_sep").join(labels)


def result_mark(check: pd.Series, criterion: str) -> str:
    """✓ / ✗ / 无数据 for one required criterion of one village."""
    if is_true(check[f"{criterion}_pass"]):
        return PASS_MARK
    return t("no_data") if criterion in list(check.no_data) else FAIL_MARK


def result_cell(check: pd.Series, criterion: str) -> str:
    """The mark, with the village's incidence beside it for the incidence criterion (✗ 10.00%)."""
    mark = result_mark(check, criterion)
    if criterion == "incidence" and mark in (PASS_MARK, FAIL_MARK):
        return f"{mark} {percent(check.incidence)}"
    return mark


def rule_text(criterion: str, rule: pd.Series) -> str:
    """A rule of the preset (an exit_rules row) read out with its threshold(s)."""
    if criterion == "incidence":
        requirement = t("ve_req_incidence", threshold=percent(rule.threshold))
        if pd.notna(rule.threshold_west) and rule.threshold_west != rule.threshold:
            requirement += t("ve_req_west", threshold=percent(rule.threshold_west))
    elif criterion == "collective_income":
        requirement = t("ve_req_income", amount=wan_yuan(rule.threshold))
    else:
        return criterion_label(criterion)
    return t("ve_rule", criterion=criterion_label(criterion), requirement=requirement)


def exit_status(check: pd.Series | None) -> str:
    """出列 date, or the planned year, of a village's village_exit_check row (None: not a poor village)."""
    if check is None:
        return t("ve_not_poor")
    if pd.notna(check.exited_on):
        return t("ve_exited_on", date=f"{pd.Timestamp(check.exited_on):%Y-%m-%d}")
    if pd.notna(check.planned_exit_year):
        return t("ve_planned", year=int(check.planned_exit_year))
    return t("ve_not_exited")


def requirement(check: pd.Series, criterion: str) -> str:
    if criterion == "incidence":
        return t("ve_req_incidence", threshold=percent(check.incidence_threshold)) + (
            t("ve_west") if check.is_west else "")
    if criterion == "collective_income":
        return t("ve_req_income", amount=wan_yuan(check.collective_income_threshold))
    if criterion == "collective_economy":
        return t("ve_req_collective_economy")
    return t("ve_req_present")


def yes_no(value) -> str:
    return t("no_data") if pd.isna(value) else (t("ve_yes") if value else t("ve_no"))


def village_value(check: pd.Series, criterion: str) -> str:
    if criterion == "incidence":
        if pd.isna(check.incidence):
            return t("no_data")
        return t("ve_incidence_value", rate=percent(check.incidence), poor=count(check.people_poor),
                 population=count(check.rural_population))
    if criterion == "collective_income":
        return wan_yuan(check.collective_income) if pd.notna(check.collective_income) else t("no_data")
    if criterion in ("collective_economy", "leading_industry"):
        if pd.isna(check.data_year):
            return t("no_data")
        industry = check.leading_industry if pd.notna(check.leading_industry) else t("none")
        if criterion == "leading_industry":
            return industry
        income = wan_yuan(check.collective_income) if pd.notna(check.collective_income) else t("no_data")
        return t("ve_economy_value", income=income, industry=industry)
    return yes_no(check[criterion])


def gap_in_words(check: pd.Series, criterion: str) -> str:
    """What it takes to pass: people to exit, money missing, an item to build — or the data to supply."""
    if is_true(check[f"{criterion}_pass"]):
        return "—"
    if criterion in list(check.no_data):
        return t("ve_gap_no_year") if pd.isna(check.data_year) else t("ve_gap_empty", year=int(check.data_year))
    if criterion == "incidence":
        return t("ve_gap_people", n=count(check.people_to_exit), threshold=percent(check.incidence_threshold))
    if criterion == "collective_income":
        return t("ve_gap_income", amount=wan_yuan(check.income_gap))
    if criterion == "collective_economy":
        return t("ve_gap_economy")
    return t("ve_gap_item")


def infrastructure_value(check: pd.Series, item: str):
    """True / False / None (no data) for an item of the village_year row in force; leading_industry is
    present when the row names one."""
    if item != "leading_industry":
        return check[item]
    return None if pd.isna(check.data_year) else pd.notna(check.leading_industry)


def household_checks_text(household: pd.Series, criteria: Iterable[str]) -> str:
    """The failing household checks of a village_households row in reading order, 无数据 marked."""
    failing, no_data = set(household.failing_checks), set(household.no_data_checks)
    return joined(t("ve_check_" + c) + (t("ve_no_data_suffix") if c in no_data else "")
                  for c in criteria if c in failing)
