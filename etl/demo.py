"""Demo import package: a fictional county (演示县, labelled 演示数据) in the import contract.

What it is:  a seeded generator writing every file of shared/data-contract.md (Chinese file
             names and headers, UTF-8 CSV, dates YYYY-MM-DD, bools 是/否) plus 边界.geojson.
Grain:       one package per (scale, seed); same seed and scale give byte-identical files.
Parameters:  scale N multiplies the county (N=1: 12 乡镇, 200 村, ~15,000户/50,000人,
             ~1,500 projects; townships = round(12·√N), villages ≈ 200·N).
How:         county layout (regions, village years, boundaries) is drawn first and is small;
             households, members, events, incomes, assistance, projects and funds are drawn and
             written one township at a time from an rng keyed by (seed, township), so memory
             stays bounded at any scale.

The policy numbers below (poverty lines, exit shares, mixes) only shape fictional data; the
dashboard reads its own editable tables (shared/domain.md), never these constants.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

# --------------------------------------------------------------------------------------------
# Contract: file names and headers exactly as shared/data-contract.md spells them
# --------------------------------------------------------------------------------------------

FILES: dict[str, tuple[str, list[str]]] = {
    "regions": ("区划.csv", ["区划代码", "名称", "层级", "上级代码", "是否贫困村", "计划出列年度", "出列日期", "地区类型"]),
    "village_year": (
        "村年度情况.csv",
        ["年度", "区划代码", "农业户籍人口", "总户数", "村集体经济收入", "农村居民人均可支配收入", "通硬化路",
         "通动力电", "安全饮水", "通宽带", "标准化卫生室", "综合文化服务中心", "主导产业"],
    ),
    "households": ("贫困户.csv", ["户编号", "区划代码", "户主姓名", "户主证件号码", "贫困户属性", "主要致贫原因"]),
    "members": (
        "家庭成员.csv",
        ["人员编号", "户编号", "姓名", "证件号码", "与户主关系", "性别", "出生日期", "健康状况", "劳动技能",
         "在校生状况", "城乡居民基本医疗保险", "加入日期", "减少日期", "减少原因"],
    ),
    "events": ("动态管理记录.csv", ["记录编号", "户编号", "变动类型", "变动日期", "变动原因"]),
    "projects": (
        "扶贫项目.csv",
        ["项目编号", "项目名称", "项目类型", "区划代码", "年度", "批次", "计划投资", "计划开工日期", "实际开工日期",
         "计划完工日期", "实际完工日期", "受益贫困户数", "受益贫困人口", "主管部门"],
    ),
    "funds": ("资金明细.csv", ["记录编号", "项目编号", "资金来源", "环节", "日期", "金额"]),
    "targets": ("年度目标.csv", ["年度", "区划代码", "计划减贫户数", "计划减贫人数", "计划出列村数", "支出进度目标", "截止日期"]),
    "household_year": (
        "户年度收入与保障.csv",
        ["年度", "户编号", "家庭人口", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
         "吃穿不愁", "义务教育有保障", "基本医疗有保障", "住房安全有保障", "饮水安全有保障"],
    ),
    "assistance": ("帮扶措施.csv", ["户编号", "措施类型", "日期", "金额", "说明"]),
}
BOUNDARIES_FILE = "边界.geojson"

PROVINCE = ("430000000000", "演示省")
CITY = ("439900000000", "演示市")
COUNTY = ("439901000000", "演示县（演示数据）")
COUNTY6 = COUNTY[0][:6]
REGION_TYPE = "中部"

FIRST_YEAR, LAST_YEAR = 2014, 2020
EXIT_YEARS = np.arange(2015, LAST_YEAR + 1)  # columns of the exit-year weight matrix; one more = never
# 国家扶贫标准 (shared/domain.md); 2017-2020 are marked unverified there. Only shapes demo incomes.
POVERTY_LINE = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000}

CATEGORIES = ["一般贫困户", "低保贫困户", "特困供养贫困户"]
CATEGORY_P = [0.60, 0.32, 0.08]
CAUSES = ["因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金", "交通条件落后",
          "自身发展动力不足", "因婚", "其他"]
# rows: category; columns: CAUSES
CAUSE_P = np.array([
    [0.30, 0.06, 0.09, 0.03, 0.02, 0.02, 0.18, 0.08, 0.16, 0.03, 0.02, 0.005, 0.005],
    [0.48, 0.17, 0.04, 0.02, 0.01, 0.01, 0.05, 0.15, 0.05, 0.01, 0.005, 0.0, 0.005],
    [0.25, 0.22, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45, 0.0, 0.0, 0.0, 0.0, 0.08],
])
SIZE_P = np.array([  # household size 1..7 by category
    [0.09, 0.20, 0.23, 0.23, 0.14, 0.08, 0.03],
    [0.12, 0.22, 0.22, 0.21, 0.13, 0.07, 0.03],
    [0.72, 0.28, 0.0, 0.0, 0.0, 0.0, 0.0],
])
HEALTH = ["健康", "长期慢性病", "患有大病", "残疾"]
LABOUR = ["普通劳动力", "技能劳动力", "弱劳动力", "丧失劳动力", "无劳动力"]
HEALTH_P = np.array([[0.93, 0.03, 0.015, 0.025], [0.74, 0.13, 0.06, 0.07], [0.45, 0.37, 0.09, 0.09]])
LABOUR_P = np.array([  # row = age band (child, 16-59, 60+) * 4 + health
    *([[0, 0, 0, 0, 1]] * 4),
    [0.78, 0.17, 0.05, 0, 0], [0.45, 0.05, 0.45, 0.05, 0], [0.10, 0, 0.30, 0.60, 0], [0.10, 0.02, 0.30, 0.58, 0],
    [0.35, 0.03, 0.42, 0.05, 0.15], [0.10, 0, 0.45, 0.30, 0.15], [0, 0, 0.15, 0.70, 0.15], [0, 0, 0.15, 0.70, 0.15],
])

# member roles; templates list the roles of non-spouse members by head age group (<40, 40-57, 58+)
HEAD, SPOUSE, CHILD, PARENT1, PARENT2, IN_LAW, GRANDCHILD = range(7)
ROLE_TEMPLATES = np.array([
    [CHILD, CHILD, PARENT1, PARENT2, CHILD, CHILD],
    [CHILD, CHILD, CHILD, PARENT1, IN_LAW, GRANDCHILD],
    [CHILD, IN_LAW, GRANDCHILD, GRANDCHILD, CHILD, GRANDCHILD],
])
HEAD_BIRTH_YEARS = [(1975, 1989), (1957, 1974), (1926, 1956)]

EVENT_TYPES = ["识别纳入", "标注脱贫", "返贫", "清退", "自然销户"]
IDENTIFY, EXIT, RETURN, CLEAR, DISSOLVE = range(5)
RETURN_REASONS = ["因病返贫", "因灾返贫", "因意外事故返贫", "因学返贫"]
CLEAR_REASONS = ["识别不精准", "有财政供养人员", "有商品房", "有车", "有个体工商户或经营实体"]
DISSOLVE_REASONS = ["户内人员全部死亡", "全户迁出"]

PROJECT_CATEGORIES = ["产业发展", "基础设施", "公共服务", "就业扶贫", "易地搬迁", "危房改造", "教育扶贫", "健康扶贫",
                      "金融扶贫", "生态扶贫", "综合保障", "项目管理费", "其他"]
VILLAGE_PROJECT_P = [0.36, 0.27, 0.05, 0.05, 0.03, 0.06, 0.04, 0.03, 0.04, 0.03, 0.02, 0.0, 0.02]
TOWNSHIP_PROJECT_P = [0.15, 0.25, 0.12, 0.06, 0.04, 0.0, 0.05, 0.05, 0.02, 0.0, 0.02, 0.22, 0.02]
PROJECT_AMOUNT = {  # 元, log-uniform range
    "产业发展": (50_000, 800_000), "基础设施": (100_000, 3_000_000), "公共服务": (100_000, 1_500_000),
    "就业扶贫": (50_000, 500_000), "易地搬迁": (500_000, 3_000_000), "危房改造": (100_000, 1_000_000),
    "教育扶贫": (50_000, 600_000), "健康扶贫": (50_000, 600_000), "金融扶贫": (100_000, 2_000_000),
    "生态扶贫": (50_000, 800_000), "综合保障": (50_000, 1_000_000), "项目管理费": (10_000, 49_000),
    "其他": (50_000, 500_000),
}
PROJECT_DEPARTMENTS = {
    "产业发展": ["农业农村局", "扶贫办"], "基础设施": ["交通运输局", "水利局", "住建局"], "公共服务": ["住建局", "卫健委"],
    "就业扶贫": ["人社局"], "易地搬迁": ["扶贫办"], "危房改造": ["住建局"], "教育扶贫": ["教育局"], "健康扶贫": ["卫健委"],
    "金融扶贫": ["扶贫办"], "生态扶贫": ["农业农村局"], "综合保障": ["扶贫办"], "项目管理费": ["扶贫办"], "其他": ["扶贫办"],
}
PROJECT_NAMES = {
    "产业发展": ["{v}{i}种植基地建设", "{v}{i}产业奖补", "{v}生猪养殖场建设", "{v}农民专业合作社产业扶持", "{v}村级光伏扶贫电站"],
    "基础设施": ["{v}{g}组道路硬化", "{v}安全饮水巩固提升工程", "{v}通组公路建设", "{v}山塘整修", "{v}机耕道建设", "{v}产业路建设"],
    "公共服务": ["{v}综合服务平台建设", "{v}标准化卫生室建设", "{v}综合文化服务中心建设"],
    "就业扶贫": ["{v}扶贫车间建设", "{v}贫困劳动力技能培训", "{v}公益性岗位补贴"],
    "易地搬迁": ["{v}易地扶贫搬迁集中安置点建设", "{v}易地扶贫搬迁配套基础设施"],
    "危房改造": ["{v}农村危房改造"],
    "教育扶贫": ["{v}雨露计划补助", "{v}义务教育学校改扩建"],
    "健康扶贫": ["{v}贫困人口医疗救助", "{v}家庭医生签约服务补助"],
    "金融扶贫": ["{v}扶贫小额信贷贴息", "{v}扶贫小额信贷风险补偿金"],
    "生态扶贫": ["{v}生态护林员补助", "{v}油茶低产林改造"],
    "综合保障": ["{v}兜底保障补助"],
    "项目管理费": ["{v}扶贫项目管理费"],
    "其他": ["{v}人居环境整治"],
}
FUND_SOURCES = ["中央财政专项扶贫资金", "省级财政专项扶贫资金", "市级财政专项扶贫资金", "县级财政专项扶贫资金",
                "统筹整合涉农资金", "地方政府债券", "社会帮扶资金", "其他"]
FUND_SOURCE_P = [0.36, 0.15, 0.05, 0.14, 0.20, 0.03, 0.05, 0.02]
INDUSTRIES = ["柑橘", "油茶", "茶叶", "黄桃", "猕猴桃", "中药材", "蔬菜", "百合", "食用菌", "烤烟", "金秋梨", "稻虾"]
VILLAGE_INDUSTRIES = INDUSTRIES + ["生猪养殖", "肉牛养殖", "乡村旅游"]
HELPER_UNITS = ["县扶贫办", "县财政局", "县教育局", "县人民医院", "乡镇人民政府", "县农业农村局", "县交通运输局",
                "县住建局", "县人社局", "县水利局", "县供电公司", "县农商银行"]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
                "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
                "莫孔向汤")
MALE_CHARS = list("伟强军平华明国建文林志勇海春生祥福贵发金成德富忠红兵光辉永正清学友刚新家云中涛斌宇浩俊杰鹏磊超")
FEMALE_CHARS = list("秀英兰芳玉桂珍凤霞梅红丽娟花艳云琴平燕敏静婷莲春翠菊金华莉娜欣雨萱颖思佳")
PLACE_FIRST = list("青白石龙凤黄红金马牛鹿竹桃梨枫柳松杉茶花云清长高大小新太平安兴和德永双三五七九沙泉塘湾坪"
                   "岭河江桥湖潭洲岩峰古田")
PLACE_SECOND = list("溪坪山冲岭塘湾桥田湖潭洲口坡岩峰源垭台林铺寨坝庄园阳水泉头市坳")

# geometry: a county of about 60 × 50 km around 111.5°E 27.5°N (kept at every scale)
CENTER_LON, CENTER_LAT = 111.5, 27.5
KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(CENTER_LAT))

NO_DAY = 10**7  # "no date": later than any real day, so `day <= as_of` is False for it
_BASE = np.datetime64("1920-01-01", "D")
_TABLE_END = np.datetime64("2022-01-01", "D")
_BASE_INT = int(_BASE.astype(np.int64))


def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


END = _day(f"{LAST_YEAR}-12-31")  # the package is "as of" the end of 2020; nothing is dated later


@functools.cache
def _date_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    days = np.arange(_BASE, _TABLE_END)
    iso = days.astype(str)
    return (
        np.append(iso.astype(object), ""),  # last entry = empty text for NO_DAY
        np.char.replace(iso, "-", "").astype(np.int64),
        days.astype("datetime64[Y]").astype(np.int64) + 1970,
    )


def _dates(days: np.ndarray) -> list[str]:
    days = np.asarray(days)
    return _date_tables()[0][np.where(days >= NO_DAY, -1, days - _BASE_INT)].tolist()


def _years(days: np.ndarray) -> np.ndarray:
    return _date_tables()[2][np.asarray(days) - _BASE_INT]


def _year_start(year: np.ndarray | int) -> np.ndarray:
    return (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def _bools(values: np.ndarray) -> list[str]:
    return np.where(values, "是", "否").tolist()


def _pick(rng: np.random.Generator, probs_by_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category index per element, drawn from probs_by_row[rows[i]] (vectorised inverse CDF)."""
    cum = np.cumsum(probs_by_row, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(len(rows))
    return (cum[rows] < u[:, None]).sum(axis=1)


def _uniform_int(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Integer uniformly in [lo, hi] (inclusive), element-wise."""
    lo, hi = np.asarray(lo), np.asarray(hi)
    return lo + np.floor(rng.random(np.broadcast(lo, hi).shape) * (hi - lo + 1)).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Resident ID numbers (GB 11643: 6-digit area + YYYYMMDD + 3-digit sequence + ISO 7064 MOD 11-2)
# --------------------------------------------------------------------------------------------

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"), dtype=object)


def id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number for its first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


class _IdSequences:
    """Hands out the 3-digit sequence part so that every generated ID number is unique: the k-th
    person with a given birth date and sex gets a permutation of k (odd last digit = male)."""

    def __init__(self) -> None:
        self.used = np.zeros((len(_date_tables()[1]) * 2,), dtype=np.int32)

    def id_numbers(self, birth_days: np.ndarray, male: np.ndarray) -> list[str]:
        key = (birth_days - _BASE_INT) * 2 + male
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
        position = np.arange(len(key))
        rank_sorted = position - np.maximum.accumulate(np.where(first, position, 0))
        rank = np.empty_like(rank_sorted)
        rank[order] = rank_sorted
        k = self.used[key] + rank
        np.add.at(self.used, key, 1)
        seq = 2 * ((k * 173 + key * 7) % 500) + male  # 173 is coprime to 500: distinct for k < 500
        ymd = _date_tables()[1][birth_days - _BASE_INT]
        digits = np.concatenate(
            [np.tile(np.array([int(c) for c in COUNTY6]), (len(key), 1)),
             (ymd[:, None] // 10 ** np.arange(7, -1, -1)) % 10,
             (seq[:, None] // 10 ** np.arange(2, -1, -1)) % 10],
            axis=1,
        )
        check = _ID_CHECK[(digits * _ID_WEIGHTS).sum(axis=1) % 11]
        return [f"{COUNTY6}{d}{s:03d}{c}" for d, s, c in zip(ymd.tolist(), seq.tolist(), check.tolist())]


# --------------------------------------------------------------------------------------------
# County layout: regions, village attributes, village years
# --------------------------------------------------------------------------------------------


@dataclass
class County:
    township_codes: list[str]
    township_names: list[str]
    village_codes: list[str]
    village_names: list[str]
    village_township: np.ndarray  # township index of each village
    pop2014: np.ndarray  # 农业户籍人口 in 2014
    pop_min: np.ndarray  # smallest 农业户籍人口 over the years (the incidence denominator never drops below)
    is_poor: np.ndarray
    planned_exit: np.ndarray  # 0 = not a poor village
    exit_year: np.ndarray  # 0 = not poor, -1 = poor and not exited by the end of 2020
    exit_day: np.ndarray  # NO_DAY unless exited

    def villages_of(self, township: int) -> np.ndarray:
        return np.flatnonzero(self.village_township == township)


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    pairs = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
    if n > len(pairs):
        raise ValueError(f"cannot name {n} places uniquely")
    return [pairs[i] for i in rng.choice(len(pairs), size=n, replace=False)]


def _split_total(rng: np.random.Generator, total: int, n: int, minimum: int) -> np.ndarray:
    """total split into n positive parts of random size (largest remainder), each ≥ minimum."""
    weights = rng.uniform(0.7, 1.3, n)
    raw = minimum + weights / weights.sum() * (total - minimum * n)
    parts = np.floor(raw).astype(np.int64)
    parts[np.argsort(parts - raw, kind="stable")[: total - parts.sum()]] += 1
    return parts


def build_county(scale: int, seed: int) -> County:
    rng = np.random.default_rng([seed, 1])
    n_townships = round(12 * math.sqrt(scale))
    per_township = _split_total(rng, 200 * scale, n_townships, 3)
    if n_townships > 899 or per_township.max() > 799:
        raise ValueError(f"scale {scale} is too large for 3-digit township/village code parts")
    town_names = _place_names(rng, n_townships)
    is_town = rng.random(n_townships) < 0.55
    township_names = [name + ("镇" if town else "乡") for name, town in zip(town_names, is_town)]
    township_codes = [f"{COUNTY6}{100 + t + 1:03d}000" for t in range(n_townships)]
    village_codes, village_names = [], []
    for t, n in enumerate(per_township):
        village_names += [name + "村" for name in _place_names(rng, int(n))]
        village_codes += [f"{township_codes[t][:9]}{200 + j + 1:03d}" for j in range(n)]
    village_township = np.repeat(np.arange(n_townships), per_township)
    n_villages = len(village_codes)

    pop2014 = np.clip(np.round(rng.lognormal(math.log(2050), 0.28, n_villages)), 1200, 3500).astype(np.int64)
    remoteness = rng.uniform(0.4, 1.6, n_townships)[village_township]
    n_poor = round(0.3 * n_villages)
    poor_idx = rng.choice(n_villages, size=n_poor, replace=False, p=remoteness / remoteness.sum())
    is_poor = np.zeros(n_villages, dtype=bool)
    is_poor[poor_idx] = True

    planned_exit = np.zeros(n_villages, dtype=np.int64)
    planned_exit[poor_idx] = rng.choice([2016, 2017, 2018, 2019, 2020], size=n_poor,
                                        p=[0.14, 0.22, 0.32, 0.26, 0.06])
    exit_year = planned_exit.copy()
    late = is_poor & (planned_exit < LAST_YEAR) & (rng.random(n_villages) < 0.12)
    exit_year[late] += 1
    # a couple of poor villages (≈1 in 30) have not exited by the end of 2020
    late_candidates = np.flatnonzero(is_poor & (planned_exit >= 2019))
    n_never = min(len(late_candidates), max(1, round(n_poor / 30)))
    exit_year[rng.choice(late_candidates, size=n_never, replace=False)] = -1
    exit_day = np.full(n_villages, NO_DAY, dtype=np.int64)
    exited = exit_year > 0
    # announced after the year's household exits (which end on Dec 20)
    exit_day[exited] = _year_start(exit_year[exited]) + 354 + rng.integers(0, 9, exited.sum())

    drift = rng.uniform(0.0, 0.008, n_villages)
    pop_min = np.round(pop2014 * (1 - drift * (LAST_YEAR - FIRST_YEAR))).astype(np.int64)
    county = County(township_codes, township_names, village_codes, village_names, village_township, pop2014,
                    pop_min, is_poor, planned_exit, exit_year, exit_day)
    county.drift = drift  # used by the village years
    return county


def _region_rows(county: County) -> list[list]:
    rows = [
        [PROVINCE[0], PROVINCE[1], "省", "", "", "", "", REGION_TYPE],
        [CITY[0], CITY[1], "市", PROVINCE[0], "", "", "", ""],
        [COUNTY[0], COUNTY[1], "县", CITY[0], "", "", "", REGION_TYPE],
    ]
    exit_text = _dates(county.exit_day)
    for t, (code, name) in enumerate(zip(county.township_codes, county.township_names)):
        rows.append([code, name, "乡镇", COUNTY[0], "", "", "", ""])
        for v in county.villages_of(t):
            poor = bool(county.is_poor[v])
            rows.append([county.village_codes[v], county.village_names[v], "村", code, "是" if poor else "否",
                         int(county.planned_exit[v]) if poor else "", exit_text[v], ""])
    return rows


def _village_year_rows(county: County, seed: int) -> list[list]:
    """One row per village per year 2014-2020: population, collective income, infrastructure."""
    rng = np.random.default_rng([seed, 5])
    n = len(county.village_codes)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    poor, ey = county.is_poor, county.exit_year
    target_year = np.where(ey > 0, ey, LAST_YEAR)  # the year a poor village must meet the standards

    pop = np.round(county.pop2014[:, None] * (1 - county.drift[:, None] * (years - FIRST_YEAR))).astype(np.int64)
    households_total = np.round(pop / rng.uniform(3.0, 3.6, n)[:, None]).astype(np.int64)

    # collective income: poor villages start at 0 and reach 40,000-100,000 by their exit year
    # (a few exited ones and the not-exited ones stay low); others grow 5-12 % a year
    goal = rng.uniform(40_000, 100_000, n)
    stays_low = poor & (ey > 0) & (rng.random(n) < 0.04)
    goal[stays_low] = rng.uniform(25_000, 38_000, stays_low.sum())
    goal[ey < 0] = rng.uniform(8_000, 30_000, (ey < 0).sum())
    start = np.minimum(target_year, _uniform_int(rng, 2015, 2017))
    span = np.maximum(target_year - start, 0)
    ramp = np.clip((years - start[:, None] + 1) / (span[:, None] + 1), 0, None)
    after = np.maximum(years - target_year[:, None], 0)
    poor_income = np.where(years < start[:, None], 0,
                           goal[:, None] * (0.3 + 0.7 * np.minimum(ramp, 1)) * rng.uniform(1.05, 1.15, n)[:, None] ** after)
    other_income = rng.uniform(20_000, 150_000, n)[:, None] * rng.uniform(1.05, 1.12, n)[:, None] ** (years - FIRST_YEAR)
    other_income[rng.random(n) < 0.12] *= 0.08
    collective = np.round(np.where(poor[:, None], poor_income, other_income), -2).astype(np.int64)

    base = np.where(poor, rng.uniform(4_200, 5_800, n), rng.uniform(6_000, 9_000, n))
    per_capita = np.round(base[:, None] * rng.uniform(1.08, 1.12, n)[:, None] ** (years - FIRST_YEAR), -1).astype(np.int64)

    # infrastructure: the first year each item is 是; poor villages catch up by their exit year
    def first_year(p_done_poor: float, p_done_other: float, lo_poor: int, core: bool) -> np.ndarray:
        done = rng.random(n) < np.where(poor, p_done_poor, p_done_other)
        other = _uniform_int(rng, np.full(n, 2015), np.full(n, 2018))
        poor_hi = target_year if core else np.full(n, LAST_YEAR)
        poor_year = _uniform_int(rng, np.minimum(lo_poor, poor_hi), poor_hi)
        return np.where(done, FIRST_YEAR, np.where(poor, poor_year, other))

    items = [first_year(0.25, 0.82, 2015, True), first_year(0.85, 0.98, 2015, True),
             first_year(0.30, 0.76, 2015, True), first_year(0.05, 0.25, 2016, False),
             first_year(0.35, 0.66, 2015, True), first_year(0.10, 0.30, 2016, False)]
    # a few poor villages fix a core item (road, water, clinic) only in their exit year;
    # the not-exited ones still miss one at the end of 2020
    late_fix = poor & (ey > 0) & (rng.random(n) < 0.10)
    never_fix = ey < 0
    which = rng.integers(0, 3, n)
    for k, item in zip(range(3), (0, 2, 4)):
        items[item] = np.where(late_fix & (which == k), target_year, items[item])
        items[item] = np.where(never_fix & (which == k), LAST_YEAR + 1, items[item])

    industry = rng.integers(0, len(VILLAGE_INDUSTRIES), n)
    industry_from = np.where(poor, _uniform_int(rng, 2015, 2017), _uniform_int(rng, 2014, 2016))
    industry_from[~poor & (rng.random(n) < 0.3)] = LAST_YEAR + 1

    rows = []
    for v in range(n):
        code = county.village_codes[v]
        for j, year in enumerate(years.tolist()):
            rows.append([
                year, code, int(pop[v, j]), int(households_total[v, j]), int(collective[v, j]), int(per_capita[v, j]),
                *("是" if year >= item[v] else "否" for item in items),
                VILLAGE_INDUSTRIES[industry[v]] if year >= industry_from[v] else "",
            ])
    return rows


# --------------------------------------------------------------------------------------------
# Boundaries: irregular outline → Voronoi townships → Voronoi villages inside each township
# --------------------------------------------------------------------------------------------


def _county_outline(rng: np.random.Generator) -> Polygon:
    """A star-shaped irregular outline, about 60 × 50 km, in a local km plane."""
    theta = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 9):
        radius += rng.uniform(0.02, 0.10) / math.sqrt(k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    radius *= 1 + rng.normal(0, 0.008, len(theta))
    radius = np.clip(radius, 0.6, None)
    return Polygon(np.column_stack([30 * radius * np.cos(theta), 25 * radius * np.sin(theta)]))


def _points_inside(region: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    points = np.empty((0, 2))
    while len(points) < n:
        candidates = rng.uniform([minx, miny], [maxx, maxy], (4 * n + 8, 2))
        points = np.vstack([points, candidates[shapely.contains_xy(region, candidates[:, 0], candidates[:, 1])]])
    return points[:n]


def _voronoi_cells(region: Polygon, points: np.ndarray) -> np.ndarray:
    if len(points) == 1:
        return np.array([region], dtype=object)
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=shapely.box(*region.bounds).buffer(1.0), ordered=True))
    return shapely.intersection(cells, region)


def _merge_fragments(cells: np.ndarray) -> np.ndarray | None:
    """Clipping a convex cell to a non-convex region may cut it in pieces: keep each cell's largest
    piece and give every other piece to the neighbour sharing the longest edge with it."""
    cells = cells.copy()
    fragments = []
    for i, cell in enumerate(cells):
        if not cell.is_valid:
            cell = shapely.make_valid(cell)
        parts = [p for p in shapely.get_parts(cell) if p.geom_type == "Polygon" and p.area > 0]
        if not parts:
            return None
        parts.sort(key=lambda p: -p.area)
        cells[i] = parts[0]
        fragments += parts[1:]
    for fragment in fragments:
        shared = shapely.length(shapely.intersection(fragment.boundary, shapely.boundary(cells)))
        for j in np.argsort(-shared, kind="stable"):
            if shared[j] <= 0:
                return None
            merged = shapely.union(cells[j], fragment)
            if merged.geom_type == "Polygon":
                cells[j] = merged
                break
        else:
            return None
    return cells


def _partition(region: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n polygons tiling region exactly (Voronoi cells of seeds relaxed twice towards centroids)."""
    for _attempt in range(50):
        points = _points_inside(region, n, rng)
        for _ in range(2):
            cells = _voronoi_cells(region, points)
            centroids = shapely.centroid(cells)
            inside = shapely.contains(region, centroids)
            fallback = shapely.point_on_surface(cells)
            points = shapely.get_coordinates(np.where(inside, centroids, fallback))
        cells = _merge_fragments(_voronoi_cells(region, points))
        if cells is not None and all(c.geom_type == "Polygon" and not c.is_empty for c in cells):
            return cells
    raise RuntimeError("could not partition a region into polygons")


def _to_lonlat(geoms: np.ndarray) -> np.ndarray:
    scale = np.array([1 / KM_PER_DEG_LON, 1 / KM_PER_DEG_LAT])
    offset = np.array([CENTER_LON, CENTER_LAT])
    return shapely.transform(geoms, lambda xy: np.round(xy * scale + offset, 6))


def _feature(code: str, name: str, level: str, polygon: Polygon) -> str:
    polygon = orient(polygon, sign=1.0)  # RFC 7946: exterior counter-clockwise
    rings = [polygon.exterior, *polygon.interiors]
    coordinates = [[[round(x, 6), round(y, 6)] for x, y in ring.coords] for ring in rings]
    return json.dumps(
        {"type": "Feature", "properties": {"区划代码": code, "名称": name, "层级": level},
         "geometry": {"type": "Polygon", "coordinates": coordinates}},
        ensure_ascii=False, separators=(",", ":"),
    )


def write_boundaries(county: County, path: Path, seed: int, progress: Callable[[float], None]) -> int:
    """边界.geojson: one Polygon per 乡镇 and per 村 (villages tile their township exactly)."""
    rng = np.random.default_rng([seed, 2])
    townships_km = _partition(_county_outline(rng), len(county.township_codes), rng)
    townships = _to_lonlat(townships_km)
    n_features = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('{"type":"FeatureCollection","features":[\n')
        for t, township_km in enumerate(townships_km):
            villages = county.villages_of(t)
            cells = _to_lonlat(_partition(township_km, len(villages), np.random.default_rng([seed, 2, t])))
            lines = [_feature(county.township_codes[t], county.township_names[t], "乡镇", townships[t])]
            lines += [_feature(county.village_codes[v], county.village_names[v], "村", cell)
                      for v, cell in zip(villages, cells)]
            out.write(("" if n_features == 0 else ",\n") + ",\n".join(lines))
            n_features += len(lines)
            progress((t + 1) / len(townships_km))
        out.write("\n]}\n")
    return n_features
