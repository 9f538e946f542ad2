"""The converter's messages, in Chinese and English ({detail} filled in), as the loader's problems
(etl/problems.py): file, row as seen in Excel, column as written, value, reason. Names and ID numbers
are masked before they reach a message (common/masking.py)."""

from __future__ import annotations

from etl.problems import Problem

MESSAGES: dict[str, tuple[str, str]] = {
    "roster_file_type": ("花名册须为 .xlsx、.xls 或 .csv 文件", "a roster must be an .xlsx, .xls or .csv file"),
    "roster_missing": ("找不到花名册文件或文件夹", "roster file or folder not found"),
    "roster_empty": ("文件夹或压缩包中没有花名册（.xlsx/.xls/.csv）", "no roster (.xlsx/.xls/.csv) in the folder or zip"),
    "roster_no_header": ("找不到表头：前 15 行中没有可识别的列名（如 户编号、姓名、证件号码）",
                         "no header found: none of the first 15 rows names a known column (household ID, name, ID number …)"),
    "roster_column_missing": ("映射中的列在此文件中找不到（{detail}）",
                              "a column of the mapping is not in this file (field {detail})"),
    "roster_field_missing": ("花名册缺少必需的列：{detail}", "the roster lacks a required column: {detail}"),
    "roster_value_unknown": ("无法识别的取值（可用：{detail}），请在映射的取值对照中指定",
                             "unknown value (allowed: {detail}); name it in the mapping's value table"),
    "roster_value_left_empty": ("无法识别的取值（可用：{detail}），已留空；可在映射的取值对照中指定",
                                "unknown value (allowed: {detail}), left empty; name it in the mapping's value table"),
    "roster_value_required": ("此列不能为空", "this cell must not be empty"),
    "roster_date_invalid": ("日期无法识别（如 2019-08-31、2019/8/31、2019年8月31日、20190831）",
                            "not a date (e.g. 2019-08-31, 2019/8/31, 20190831)"),
    "roster_cell_too_long": ("单元格文字过长（上限 {detail} 字）", "a cell holds too much text (limit {detail} characters)"),
    "roster_no_date": ("无法确定花名册的日期：文件中无日期列，文件名中也无日期（如 2019年8月花名册.xlsx、"
                       "roster_2019-08-31.csv）；请用 --date 文件=YYYY-MM-DD 指定",
                       "the roster's date is unknown: no date column and none in the file name (e.g. "
                       "roster_2019-08-31.csv); give it with --date FILE=YYYY-MM-DD"),
    "roster_dates_differ": ("同一花名册的日期列有多个不同日期（另见：{detail}）",
                            "one roster's date column holds more than one date (also: {detail})"),
    "roster_same_date": ("两份花名册日期相同（{detail}）且有相同的户，不能同为一期；另一份见“值”",
                         "two rosters have the same date ({detail}) and share households, so they cannot be one "
                         "snapshot; the other one is in the value column"),
    "roster_household_id_missing": ("此行有姓名或证件号码但没有户编号", "this row has a name or ID number but no household ID"),
    "roster_duplicate_person": ("同一期花名册中同一户的同一人出现两次（另见第 {detail} 行），此行未用",
                                "the same person appears twice in one household in one roster (also row {detail}); "
                                "this row was not used"),
    "roster_reappears": ("已销户（清退或自然销户）的户又出现在后一期花名册中（销户于 {detail}）",
                         "a household removed (cleared out or closed) appears again in a later roster (removed on {detail})"),
    "roster_region_unknown": ("区划名称在区划文件中找不到（上级：{detail}）",
                              "the region name is not in the regions file (parent: {detail})"),
    "roster_region_ambiguous": ("区划名称有歧义，可对应多个区划：{detail}；请写全称或在映射中用区划代码列",
                                "ambiguous region name, it matches several regions: {detail}; write the full name "
                                "or map a region code column"),
    "roster_region_missing": ("此行缺少所在村（或区划代码）", "this row names no village (nor a region code)"),
    "roster_regions_file": ("区划文件无法读取或缺少列（区划代码、名称、层级、上级代码）：{detail}",
                            "the regions file cannot be read or lacks columns (code, name, level, parent_code): {detail}"),
    "roster_head_missing": ("此户在本期花名册中须有且只有一名户主（与户主关系＝户主），现有 {detail} 名",
                            "a household needs exactly one head of household (relation to the head) in a roster; "
                            "this one has {detail}"),
    "roster_out_not_empty": ("输出文件夹不是空的，也不是上次转换的结果；为免覆盖其他文件，请指定新的文件夹",
                             "the output folder is not empty and holds no earlier conversion; name a new folder, so "
                             "that no other file is overwritten"),
    "roster_mapping_unreadable": ("映射文件无法读取：{detail}", "the mapping file cannot be read: {detail}"),
    "roster_mapping_field_unknown": ("映射中有未知的字段名（可用字段见 etl/roster/fields.py）",
                                     "the mapping names an unknown field (the fields are listed in etl/roster/fields.py)"),
    # snapshot consistency: warnings a clerk can act on
    "roster_status_backwards": ("户状态由已脱贫变为未脱贫，但未标为返贫；已按返贫记录（上期 {detail}）",
                                "the household went from exited back to not exited without being marked as returned to poverty; "
                                "recorded as a return to poverty (previous roster {detail})"),
    "roster_id_moves": ("证件号码换了户：上期在户 {detail}", "an ID number changed household: in household {detail} before"),
    "roster_size_jump": ("家庭人数变化过大：{detail}", "the household's member count jumps: {detail}"),
    "roster_village_disappears": ("本村在本期花名册中没有任何户（上期有 {detail} 户）",
                                  "the village has no household in this roster ({detail} households the roster before)"),
    "roster_date_after_snapshot": ("日期列晚于花名册日期或早于上一个变动，已改用花名册日期（{detail}）",
                                   "the dated column is after the roster's date or before the previous change; the "
                                   "roster's date was used instead ({detail})"),
    "roster_head_name_differs": ("户主姓名列与户主行的姓名不一致", "the head's name column differs from the name on the head's row"),
}


def problem(severity: str, file: str, row: int | None, column: str | None, value: str | None, code: str,
            detail: object = None, detail_en: object = None, table: str = "roster") -> Problem:
    """A problem of a roster; `detail_en` replaces `detail` in the English reason when the detail is
    worded in Chinese (the English reason holds no Chinese: file, column and value have their own fields)."""
    zh, en = MESSAGES[code]
    detail = "" if detail is None else str(detail)
    detail_en = detail if detail_en is None else str(detail_en)
    return Problem(severity, table, file, row, column, value, code, zh.format(detail=detail),
                   en.format(detail=detail_en))
