"""What a roster (花名册) column can be: the fields the converter knows, the headers offices write for
them, and the values it reads as which contract enum (etl/schema.sql) without being told.

A roster has one row per person, the household's columns repeated on each member's row. The household
fields and the member fields become the households and members files of the contract; the status and
date fields become the events file (etl/roster/convert.py); the monitoring fields, in a monitoring
roster (监测对象花名册), the monitoring file.
"""

from __future__ import annotations

import re
import unicodedata

# field -> (中文, English) as the mapping and the messages name it
FIELDS: dict[str, tuple[str, str]] = {
    "snapshot_date": ("快照日期", "snapshot date"),
    "household_id": ("户编号", "household ID"),
    "head_name": ("户主姓名", "head's name"),
    "head_id_number": ("户主证件号码", "head's ID number"),
    "category": ("贫困户属性", "household category"),
    "main_cause": ("主要致贫原因", "main cause of poverty"),
    "status": ("贫困户状态", "household status"),
    "registered_year": ("识别年度", "year identified"),
    "registered_on": ("纳入时间", "date identified"),
    "exit_year": ("脱贫年度", "year exited"),
    "exited_on": ("脱贫时间", "date exited"),
    "returned_on": ("返贫时间", "date returned to poverty"),
    "removed_on": ("销户时间", "date removed"),
    "removal_reason": ("销户原因", "reason removed"),
    "province": ("省", "province"),
    "city": ("市", "city"),
    "county": ("县", "county"),
    "township": ("乡镇", "township"),
    "village": ("村", "village"),
    "village_code": ("区划代码", "village code"),
    "person_id": ("人员编号", "person ID"),
    "name": ("姓名", "name"),
    "id_number": ("证件号码", "ID number"),
    "relation": ("与户主关系", "relation to the head"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "birth date"),
    "health": ("健康状况", "health"),
    "labor": ("劳动技能", "labour skills"),
    "student_status": ("在校生状况", "student status"),
    "medical_insured": ("城乡居民基本医疗保险", "medical insurance"),
    "joined_on": ("加入日期", "date joined"),
    "left_on": ("减少日期", "date left"),
    "left_reason": ("减少原因", "reason left"),
    "kind": ("监测对象类别", "monitoring kind"),
    "risks": ("风险类型", "risk types"),
    "lead_source": ("线索来源", "lead source"),
    "found_on": ("发现日期", "date found"),
    "monitored_on": ("认定日期", "date identified for monitoring"),
    "risk_cleared": ("是否风险消除", "risk cleared"),
    "cleared_on": ("风险消除日期", "date the risk was cleared"),
}

# headers as offices write them (normalised by `norm`), per field; the field's own label counts too
LABELS: dict[str, tuple[str, ...]] = {
    "snapshot_date": ("统计日期", "截止日期", "数据日期", "报表日期", "快照日期"),
    "household_id": ("户编号", "户码", "家庭编号", "户号", "贫困户编号"),
    "head_name": ("户主姓名", "户主"),
    "head_id_number": ("户主证件号码", "户主身份证号码", "户主身份证号"),
    "category": ("贫困户属性", "户属性", "贫困户类型", "贫困户类别"),
    "main_cause": ("主要致贫原因", "致贫原因"),
    "status": ("贫困户状态", "户状态", "脱贫状态", "脱贫属性", "帮扶状态", "状态"),
    "registered_year": ("识别年度", "识别年份", "建档年度", "纳入年度"),
    "registered_on": ("纳入时间", "纳入日期", "识别时间", "识别日期", "建档时间", "建档日期"),
    "exit_year": ("脱贫年度", "脱贫年份", "计划脱贫年度"),
    "exited_on": ("脱贫时间", "脱贫日期", "标注脱贫时间", "标注脱贫日期"),
    "returned_on": ("返贫时间", "返贫日期"),
    "removed_on": ("销户时间", "销户日期", "清退时间", "清退日期", "退出时间", "退出日期"),
    "removal_reason": ("销户原因", "清退原因", "退出原因"),
    "province": ("省", "省份", "省(区、市)", "省（区、市）"),
    "city": ("市", "市(州)", "市（州）", "地市", "市州"),
    "county": ("县", "县(市、区)", "县（市、区）", "县区", "县(区)", "县（区）", "区县"),
    "township": ("乡镇", "乡(镇)", "乡（镇）", "乡镇(街道)", "乡镇（街道）", "乡镇街道"),
    "village": ("村", "行政村", "村(社区)", "村（社区）", "村居", "所在村"),
    "village_code": ("区划代码", "村代码", "行政区划代码", "村区划代码"),
    "person_id": ("人员编号", "人编号", "成员编号", "个人编号"),
    "name": ("姓名", "成员姓名", "人员姓名"),
    "id_number": ("证件号码", "身份证号码", "身份证号", "公民身份号码", "残疾证号/身份证号"),
    "relation": ("与户主关系", "与户主的关系", "家庭关系"),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月"),
    "health": ("健康状况",),
    "labor": ("劳动技能", "劳动能力"),
    "student_status": ("在校生状况", "在校生情况"),
    "medical_insured": ("城乡居民基本医疗保险", "参加城乡居民基本医疗保险", "是否参加城乡居民基本医疗保险"),
    "joined_on": ("加入日期", "增加日期", "成员增加日期", "加入时间", "增加时间"),
    "left_on": ("减少日期", "成员减少日期", "减少时间"),
    "left_reason": ("减少原因", "成员减少原因"),
    "kind": ("监测对象类别", "监测对象类型", "监测类别", "监测对象属性"),
    "risks": ("风险类型", "主要风险", "致贫风险", "返贫致贫风险", "风险类别"),
    "lead_source": ("线索来源", "识别途径"),
    "found_on": ("发现日期", "发现时间"),
    "monitored_on": ("认定日期", "认定时间", "纳入监测时间", "纳入监测日期", "识别监测时间"),
    "risk_cleared": ("是否风险消除", "风险是否消除", "风险是否已消除", "是否消除风险"),
    "cleared_on": ("风险消除日期", "风险消除时间", "消除风险时间", "消除风险日期"),
}

# columns that are the office's own row numbers or remarks: known, never a field
IGNORED_LABELS = ("序号", "编号", "备注", "说明")

# fields of the monitoring roster; a roster holding the kind column is a monitoring roster
MONITORING_FIELDS = ("kind", "risks", "lead_source", "found_on", "monitored_on", "risk_cleared", "cleared_on")
# fields only a roster of registered households (建档立卡) has
REGISTRY_FIELDS = ("category", "main_cause", "status", "registered_year", "registered_on", "exit_year",
                   "exited_on", "returned_on", "removed_on", "removal_reason")
REGION_FIELDS = ("province", "city", "county", "township", "village")
DATE_FIELDS = ("snapshot_date", "registered_on", "exited_on", "returned_on", "removed_on", "birth_date",
               "joined_on", "left_on", "found_on", "monitored_on", "cleared_on")

# fields whose unknown value is left empty with a warning instead of stopping the conversion: a person's
# attributes, which no registry figure counts
LENIENT_FIELDS = ("sex", "health", "labor", "lead_source")

# the statuses a roster's 贫困户状态 is read as: the household's state at the snapshot's date
STATUSES = ("未脱贫", "已脱贫", "返贫", "清退", "自然销户", "销户")

# field -> {value as written -> contract value}: what is read without a mapping's value table.
# Values already equal to a contract value (etl/schema.sql, with its aliases) need no entry.
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "status": {
        "贫困": "未脱贫", "贫困户": "未脱贫", "未脱贫户": "未脱贫", "在贫": "未脱贫",
        "脱贫": "已脱贫", "已脱贫户": "已脱贫", "脱贫户": "已脱贫", "稳定脱贫": "已脱贫",
        "已脱贫(享受政策)": "已脱贫", "已脱贫(不享受政策)": "已脱贫", "脱贫(享受政策)": "已脱贫",
        "脱贫(不享受政策)": "已脱贫", "已标注脱贫": "已脱贫", "标注脱贫": "已脱贫", "返贫户": "返贫", "已返贫": "返贫",
        "已清退": "清退", "已销户": "销户", "自然减少": "自然销户", "注销": "销户", "已注销": "销户",
    },
    "category": {"一般户": "一般贫困户", "低保户": "低保贫困户", "五保户": "特困供养贫困户",
                 "五保贫困户": "特困供养贫困户", "特困户": "特困供养贫困户", "特困供养户": "特困供养贫困户"},
    "removal_reason": {"死亡": "自然销户", "全户死亡": "自然销户", "户主死亡": "自然销户", "全户消亡": "自然销户",
                       "自然消亡": "自然销户", "识别不准": "清退", "错评": "清退", "不符合条件": "清退"},
    "relation": {"本人": "户主"},
    "health": {"大病": "患有大病", "慢性病": "长期慢性病", "残疾人": "残疾"},
    "labor": {"弱劳动力或半劳动力": "弱劳动力", "半劳动力": "弱劳动力", "丧失劳动能力": "丧失劳动力",
              "无劳动能力": "无劳动力"},
    "sex": {"男性": "男", "女性": "女"},
    "kind": {"脱贫不稳定": "脱贫不稳定户", "边缘易致贫": "边缘易致贫户", "边缘户": "边缘易致贫户",
             "突发严重困难": "突发严重困难户", "突发困难户": "突发严重困难户"},
    "risk_cleared": {"是": "是", "否": "否", "已消除": "是", "未消除": "否", "Y": "是", "N": "否"},
}

# fields whose values must be one of a list (the contract's enum, or the statuses above)
ENUM_OF_FIELD = {"category": "household_category", "main_cause": "main_cause", "sex": "sex", "health": "health",
                 "labor": "labor", "kind": "monitoring_kind", "lead_source": "lead_source"}

_SPACE = re.compile(r"\s+")


def norm(text: object) -> str:
    """A cell or header as compared: full-width characters made half-width (NFKC), spaces removed,
    a header's trailing asterisk (a required-column mark) and colon dropped."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    return _SPACE.sub("", value).strip("*:：")


def allowed_values(field: str) -> tuple[str, ...] | None:
    """The values a field's cells must be read as (None: any text)."""
    from etl.contract import contract

    if field == "status":
        return STATUSES
    if field == "risk_cleared":
        return ("是", "否")
    enum = ENUM_OF_FIELD.get(field)
    return contract().enums[enum] if enum else None


def known_value(field: str, value: str, values: dict[str, dict[str, str]]) -> str | None:
    """The contract value a cell stands for (its mapping's value table, the defaults, the contract's
    own values and aliases), or None when it is none of them."""
    from etl.contract import contract

    allowed = allowed_values(field)
    text = norm(value)
    for table in (values.get(field, {}), DEFAULT_VALUES.get(field, {})):
        for written, meant in table.items():
            if norm(written) == text:
                return meant
    if allowed is None:
        return value
    if text in allowed:
        return text
    enum = ENUM_OF_FIELD.get(field)
    aliases = contract().enum_aliases.get(enum, {}) if enum else {}
    return aliases.get(text)


def label_field(label: str) -> str | None:
    """The field a header names (its last part when a multi-row header joined it with /), or None."""
    parts = [norm(p) for p in str(label).split("/") if norm(p)]
    if not parts:
        return None
    if len(parts) > 1:  # 户主信息/姓名 is the head's name, 户主信息/证件号码 the head's ID number
        group, leaf = parts[0], parts[-1]
        if "户主" in group and leaf in {norm(x) for x in LABELS["name"]}:
            return "head_name"
        if "户主" in group and leaf in {norm(x) for x in LABELS["id_number"]}:
            return "head_id_number"
    for candidate in ("/".join(parts), parts[-1]):
        for field, labels in _NORMALISED_LABELS.items():
            if candidate in labels:
                return field
    return None


_NORMALISED_LABELS = {field: frozenset(norm(x) for x in labels) for field, labels in LABELS.items()}


def is_ignored(label: str) -> bool:
    parts = [norm(p) for p in str(label).split("/") if norm(p)]
    return bool(parts) and parts[-1] in IGNORED_LABELS
