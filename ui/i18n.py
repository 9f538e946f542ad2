"""Every user-facing string of the dashboard, in Chinese (default) and English. One table, one place."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"zh": "中文", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("脱贫攻坚进展看板", "Poverty-exit campaign dashboard"),
    "building": ("首次启动：正在生成演示数据并建立数据库……", "First start: generating the demo data and building the database…"),
    "built": ("数据库已建立", "Database built"),
    "outdated_database": (
        "该数据库由旧版本建立，缺少新的数据表。请重新导入数据包：python -m etl load 数据包 --db 数据库文件",
        "This database was built by an older version and lacks newer tables. Reload the package: "
        "python -m etl load PACKAGE --db DATABASE",
    ),
    "page_overview": ("总览", "Overview"),
    "as_of": ("截至日期", "As of"),
    "language": ("语言", "Language"),
    "loaded_from": ("数据导入于 {at}，来源：{package}", "Data loaded {at} from {package}"),
    "demo_notice": ("演示数据：虚构县，仅供演示。", "Demo data: a fictional county, for demonstration only."),
    "registered": ("建档立卡（现有）", "Registered (current)"),
    "still_poor": ("未脱贫", "Still poor"),
    "exited": ("已脱贫", "Exited"),
    "incidence": ("贫困发生率", "Poverty incidence"),
    "poor_villages_remaining": ("未出列贫困村", "Poor villages not yet exited"),
    "households_people": ("{h}户{p}人", "{h} households, {p} people"),
    "villages_count": ("{n} / {total}个", "{n} of {total}"),
}


def language() -> str:
    return st.session_state.get("language", "zh")


def t(key: str, **values) -> str:
    zh, en = STRINGS[key]
    text = en if language() == "en" else zh
    return text.format(**values) if values else text
