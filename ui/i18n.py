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
    # ---- frame: navigation, sidebar, header (ui/state.py, dashboard.py)
    "page_overview": ("总览", "Overview"),
    "page_map": ("地图", "Map"),
    "page_village_exit": ("出列核查", "Village exit"),
    "page_dynamics": ("动态管理", "Dynamics"),
    "page_funds": ("资金项目", "Funds and projects"),
    "page_household_checks": ("户级核查", "Household checks"),
    "page_report": ("汇报材料", "Report-back"),
    "page_data_import": ("数据导入", "Data import"),
    "page_data_quality": ("数据质量", "Data quality"),
    "section_progress": ("进展", "Progress"),
    "section_checks": ("核查", "Checks"),
    "section_data": ("数据", "Data"),
    "as_of": ("截至日期", "As of"),
    "as_of_custom": ("选择日期", "Pick a date"),
    "quarter_end": ("{y}年第{q}季度末（{date}）", "Q{q} {y} end ({date})"),
    "other_date": ("其他日期……", "Other date…"),
    "language": ("语言", "Language"),
    "region": ("区域", "Region"),
    "level_省": ("省", "Province"),
    "level_市": ("市", "Prefecture"),
    "level_县": ("县", "County"),
    "level_乡镇": ("乡镇", "Township"),
    "level_村": ("村", "Village"),
    "all_of_level": ("全部{level}", "All ({level})"),
    "rules": ("贫困村出列标准", "Village exit rules"),
    "preset_national": ("国家标准", "National"),
    "preset_hunan": ("湖南省标准", "Hunan"),
    "preset_shaanxi": ("陕西省标准", "Shaanxi"),
    "preset_henan": ("河南省标准", "Henan"),
    "url_refused": ("链接参数 {name}={value} 无效，已使用默认值。", "Link parameter {name}={value} is not valid; the default is used."),
    "download_data": ("下载数据", "Download data"),
    "no_data": ("无数据", "No data"),
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


def has_string(key: str) -> bool:
    return key in STRINGS


def language() -> str:
    return st.session_state.get("language", "zh")


def t(key: str, **values) -> str:
    zh, en = STRINGS[key]
    text = en if language() == "en" else zh
    return text.format(**values) if values else text
