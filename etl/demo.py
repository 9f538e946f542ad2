"""Demo import package: a fictional county (演示县, labelled 演示数据) in the import contract.

What it is:  a seeded generator writing every file of docs/data-contract.md (Chinese file
             names and headers, UTF-8 CSV, dates YYYY-MM-DD, bools 是/否) plus 边界.geojson.
Grain:       one package per (scale, seed); same seed and scale give byte-identical files.
Parameters:  scale N multiplies the county (N=1: 12 乡镇, 200 村, ~15,000户/50,000人,
             ~1,500 projects; townships = round(12·√N), villages ≈ 200·N).
How:         county layout (regions, village years, boundaries) is drawn first and is small;
             households, members, events, incomes, assistance, projects and funds are drawn and
             written one township at a time from an rng keyed by (seed, township), so memory
             stays bounded at any scale.

The policy numbers below (poverty lines, exit shares, mixes) only shape fictional data; the
dashboard reads its own editable tables (docs/domain.md), never these constants.
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

from etl.contract import contract

# --------------------------------------------------------------------------------------------
# Contract: file names and headers as etl/schema.sql defines them (docs/data-contract.md)
# --------------------------------------------------------------------------------------------

# The one definition is etl/schema.sql (read by etl/contract.py); columns are written in its order.
FILES: dict[str, tuple[str, list[str]]] = {
    spec.table: (f"{spec.stem_zh}.csv", [column.header_zh for column in spec.columns]) for spec in contract().files
}
BOUNDARIES_FILE = "边界.geojson"

PROVINCE = ("430000000000", "演示省")
CITY = ("439900000000", "演示市")
COUNTY = ("439901000000", "演示县（演示数据）")
COUNTY6 = COUNTY[0][:6]
REGION_TYPE = "中部"

FIRST_YEAR, LAST_YEAR = 2014, 2020
EXIT_YEARS = np.arange(2015, LAST_YEAR + 1)  # columns of the exit-year weight matrix; one more = never
# 国家扶贫标准 (docs/domain.md); 2017-2020 are marked unverified there. Only shapes demo incomes.
POVERTY_LINE = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000}

CATEGORIES = ["一般贫困户", "低保贫困户", "特困供养贫困户"]
CATEGORY_P = [0.60, 0.32, 0.08]
CAUSES = [
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
    "因婚",
    "其他",
]
# rows: category; columns: CAUSES
CAUSE_P = np.array(
    [
        [0.30, 0.06, 0.09, 0.03, 0.02, 0.02, 0.18, 0.08, 0.16, 0.03, 0.02, 0.005, 0.005],
        [0.48, 0.17, 0.04, 0.02, 0.01, 0.01, 0.05, 0.15, 0.05, 0.01, 0.005, 0.0, 0.005],
        [0.25, 0.22, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45, 0.0, 0.0, 0.0, 0.0, 0.08],
    ]
)
SIZE_P = np.array(
    [  # household size 1..7 by category
        [0.09, 0.20, 0.23, 0.23, 0.14, 0.08, 0.03],
        [0.12, 0.22, 0.22, 0.21, 0.13, 0.07, 0.03],
        [0.72, 0.28, 0.0, 0.0, 0.0, 0.0, 0.0],
    ]
)
HEALTH = ["健康", "长期慢性病", "患有大病", "残疾"]
LABOUR = ["普通劳动力", "技能劳动力", "弱劳动力", "丧失劳动力", "无劳动力"]
HEALTH_P = np.array([[0.93, 0.03, 0.015, 0.025], [0.74, 0.13, 0.06, 0.07], [0.45, 0.37, 0.09, 0.09]])
LABOUR_P = np.array(
    [  # row = age band (child, 16-59, 60+) * 4 + health
        *([[0, 0, 0, 0, 1]] * 4),
        [0.78, 0.17, 0.05, 0, 0],
        [0.45, 0.05, 0.45, 0.05, 0],
        [0.10, 0, 0.30, 0.60, 0],
        [0.10, 0.02, 0.30, 0.58, 0],
        [0.35, 0.03, 0.42, 0.05, 0.15],
        [0.10, 0, 0.45, 0.30, 0.15],
        [0, 0, 0.15, 0.70, 0.15],
        [0, 0, 0.15, 0.70, 0.15],
    ]
)

# member roles; templates list the roles of non-spouse members by head age group (<40, 40-57, 58+)
HEAD, SPOUSE, CHILD, PARENT1, PARENT2, IN_LAW, GRANDCHILD = range(7)
ROLE_TEMPLATES = np.array(
    [
        [CHILD, CHILD, PARENT1, PARENT2, CHILD, CHILD],
        [CHILD, CHILD, CHILD, PARENT1, IN_LAW, GRANDCHILD],
        [CHILD, IN_LAW, GRANDCHILD, GRANDCHILD, CHILD, GRANDCHILD],
    ]
)
HEAD_BIRTH_YEARS = [(1975, 1989), (1957, 1974), (1926, 1956)]

EVENT_TYPES = ["识别纳入", "标注脱贫", "返贫", "清退", "自然销户"]
IDENTIFY, EXIT, RETURN, CLEAR, DISSOLVE = range(5)
RETURN_REASONS = ["因病返贫", "因灾返贫", "因意外事故返贫", "因学返贫"]
CLEAR_REASONS = ["识别不精准", "有财政供养人员", "有商品房", "有车", "有个体工商户或经营实体"]
DISSOLVE_REASONS = ["户内人员全部死亡", "全户迁出"]

PROJECT_CATEGORIES = [
    "产业发展",
    "基础设施",
    "公共服务",
    "就业扶贫",
    "易地搬迁",
    "危房改造",
    "教育扶贫",
    "健康扶贫",
    "金融扶贫",
    "生态扶贫",
    "综合保障",
    "项目管理费",
    "其他",
]
VILLAGE_PROJECT_P = [0.36, 0.27, 0.05, 0.05, 0.03, 0.06, 0.04, 0.03, 0.04, 0.03, 0.02, 0.0, 0.02]
TOWNSHIP_PROJECT_P = [0.15, 0.25, 0.12, 0.06, 0.04, 0.0, 0.05, 0.05, 0.02, 0.0, 0.02, 0.22, 0.02]
PROJECT_AMOUNT = {  # 元, log-uniform range
    "产业发展": (50_000, 800_000),
    "基础设施": (100_000, 3_000_000),
    "公共服务": (100_000, 1_500_000),
    "就业扶贫": (50_000, 500_000),
    "易地搬迁": (500_000, 3_000_000),
    "危房改造": (100_000, 1_000_000),
    "教育扶贫": (50_000, 600_000),
    "健康扶贫": (50_000, 600_000),
    "金融扶贫": (100_000, 2_000_000),
    "生态扶贫": (50_000, 800_000),
    "综合保障": (50_000, 1_000_000),
    "项目管理费": (10_000, 49_000),
    "其他": (50_000, 500_000),
}
PROJECT_NAMES = {  # name template ({v} place, {i} industry, {g} village group) and its 主管部门
    "产业发展": [
        ("{v}{i}种植基地建设", "农业农村局"),
        ("{v}{i}产业奖补", "扶贫办"),
        ("{v}生猪养殖场建设", "农业农村局"),
        ("{v}农民专业合作社产业扶持", "农业农村局"),
        ("{v}村级光伏扶贫电站", "扶贫办"),
    ],
    "基础设施": [
        ("{v}{g}组道路硬化", "交通运输局"),
        ("{v}通组公路建设", "交通运输局"),
        ("{v}安全饮水巩固提升工程", "水利局"),
        ("{v}山塘整修", "水利局"),
        ("{v}机耕道建设", "农业农村局"),
        ("{v}村部及便民服务设施建设", "住建局"),
    ],
    "公共服务": [
        ("{v}综合服务平台建设", "住建局"),
        ("{v}标准化卫生室建设", "卫健委"),
        ("{v}综合文化服务中心建设", "住建局"),
    ],
    "就业扶贫": [("{v}扶贫车间建设", "人社局"), ("{v}贫困劳动力技能培训", "人社局"), ("{v}公益性岗位补贴", "人社局")],
    "易地搬迁": [("{v}易地扶贫搬迁集中安置点建设", "扶贫办"), ("{v}易地扶贫搬迁配套基础设施", "住建局")],
    "危房改造": [("{v}农村危房改造", "住建局")],
    "教育扶贫": [("{v}雨露计划补助", "扶贫办"), ("{v}义务教育学校改扩建", "教育局")],
    "健康扶贫": [("{v}贫困人口医疗救助", "卫健委"), ("{v}家庭医生签约服务补助", "卫健委")],
    "金融扶贫": [("{v}扶贫小额信贷贴息", "扶贫办"), ("{v}扶贫小额信贷风险补偿金", "扶贫办")],
    "生态扶贫": [("{v}生态护林员补助", "农业农村局"), ("{v}油茶低产林改造", "农业农村局")],
    "综合保障": [("{v}兜底保障补助", "扶贫办")],
    "项目管理费": [("{v}扶贫项目管理费", "扶贫办")],
    "其他": [("{v}人居环境整治", "住建局")],
}
FUND_SOURCES = [
    "中央财政专项扶贫资金",
    "省级财政专项扶贫资金",
    "市级财政专项扶贫资金",
    "县级财政专项扶贫资金",
    "统筹整合涉农资金",
    "地方政府债券",
    "社会帮扶资金",
    "其他",
]
FUND_SOURCE_P = [0.36, 0.15, 0.05, 0.14, 0.20, 0.03, 0.05, 0.02]
INDUSTRIES = ["柑橘", "油茶", "茶叶", "黄桃", "猕猴桃", "中药材", "蔬菜", "百合", "食用菌", "烤烟", "金秋梨", "稻虾"]
VILLAGE_INDUSTRIES = INDUSTRIES + ["生猪养殖", "肉牛养殖", "乡村旅游"]
HELPER_UNITS = [
    "县扶贫办",
    "县财政局",
    "县教育局",
    "县人民医院",
    "乡镇人民政府",
    "县农业农村局",
    "县交通运输局",
    "县住建局",
    "县人社局",
    "县水利局",
    "县供电公司",
    "县农商银行",
]

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤"
)
MALE_CHARS = list("伟强军平华明国建文林志勇海春生祥福贵发金成德富忠红兵光辉永正清学友刚新家云中涛斌宇浩俊杰鹏磊超")
FEMALE_CHARS = list("秀英兰芳玉桂珍凤霞梅红丽娟花艳云琴平燕敏静婷莲春翠菊金华莉娜欣雨萱颖思佳")
PLACE_FIRST = list(
    "青白石龙凤黄红金马牛鹿竹桃梨枫柳松杉茶花云清长高大小新太平安兴和德永双三五七九沙泉塘湾坪岭河江桥湖潭洲岩峰古田"
)
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


def _date(day: int | None) -> str:
    return "" if day is None or day >= NO_DAY else _date_tables()[0][day - _BASE_INT]


def _years(days: np.ndarray) -> np.ndarray:
    return _date_tables()[2][np.asarray(days) - _BASE_INT]


def _year_start(year: np.ndarray | int) -> np.ndarray:
    return (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def _bools(values: np.ndarray) -> list[str]:
    return np.where(values, "是", "否").tolist()


def _uniform_int(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Integer uniformly in [lo, hi] (inclusive), element-wise."""
    lo, hi = np.asarray(lo), np.asarray(hi)
    return lo + np.floor(rng.random(np.broadcast(lo, hi).shape) * (hi - lo + 1)).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Resident ID numbers (GB 11643: 6-digit area + YYYYMMDD + 3-digit sequence + ISO 7064 MOD 11-2)
# --------------------------------------------------------------------------------------------

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"), dtype=object)


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
            [
                np.tile(np.array([int(c) for c in COUNTY6]), (len(key), 1)),
                (ymd[:, None] // 10 ** np.arange(7, -1, -1)) % 10,
                (seq[:, None] // 10 ** np.arange(2, -1, -1)) % 10,
            ],
            axis=1,
        )
        check = _ID_CHECK[(digits * _ID_WEIGHTS).sum(axis=1) % 11]
        return [f"{COUNTY6}{d}{s:03d}{c}" for d, s, c in zip(ymd.tolist(), seq.tolist(), check.tolist(), strict=True)]


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
    pop_drift: np.ndarray  # yearly relative decline of 农业户籍人口

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
    township_names = [name + ("镇" if town else "乡") for name, town in zip(town_names, is_town, strict=True)]
    township_codes = [f"{COUNTY6}{100 + t + 1:03d}000" for t in range(n_townships)]
    village_codes, village_names = [], []
    for t, n in enumerate(per_township):
        village_names += [name + "村" for name in _place_names(rng, int(n))]
        village_codes += [f"{township_codes[t][:9]}{200 + j + 1:03d}" for j in range(n)]
    village_township = np.repeat(np.arange(n_townships), per_township)
    n_villages = len(village_codes)

    pop2014 = np.clip(np.round(rng.lognormal(math.log(1950), 0.28, n_villages)), 1200, 3500).astype(np.int64)
    remoteness = rng.uniform(0.4, 1.6, n_townships)[village_township]
    n_poor = round(0.3 * n_villages)
    poor_idx = rng.choice(n_villages, size=n_poor, replace=False, p=remoteness / remoteness.sum())
    is_poor = np.zeros(n_villages, dtype=bool)
    is_poor[poor_idx] = True

    planned_exit = np.zeros(n_villages, dtype=np.int64)
    planned_exit[poor_idx] = rng.choice([2016, 2017, 2018, 2019, 2020], size=n_poor, p=[0.14, 0.22, 0.32, 0.26, 0.06])
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
    return County(
        township_codes,
        township_names,
        village_codes,
        village_names,
        village_township,
        pop2014,
        pop_min,
        is_poor,
        planned_exit,
        exit_year,
        exit_day,
        drift,
    )


def _region_rows(county: County) -> list[list]:
    rows = [
        [PROVINCE[0], PROVINCE[1], "省", "", "", "", "", REGION_TYPE],
        [CITY[0], CITY[1], "市", PROVINCE[0], "", "", "", ""],
        [COUNTY[0], COUNTY[1], "县", CITY[0], "", "", "", REGION_TYPE],
    ]
    exit_text = _dates(county.exit_day)
    for t, (code, name) in enumerate(zip(county.township_codes, county.township_names, strict=True)):
        rows.append([code, name, "乡镇", COUNTY[0], "", "", "", ""])
        for v in county.villages_of(t):
            poor = bool(county.is_poor[v])
            rows.append(
                [
                    county.village_codes[v],
                    county.village_names[v],
                    "村",
                    code,
                    "是" if poor else "否",
                    int(county.planned_exit[v]) if poor else "",
                    exit_text[v],
                    "",
                ]
            )
    return rows


def _village_year_rows(county: County, seed: int) -> list[list]:
    """One row per village per year 2014-2020: population, collective income, infrastructure."""
    rng = np.random.default_rng([seed, 5])
    n = len(county.village_codes)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    poor, ey = county.is_poor, county.exit_year
    target_year = np.where(ey > 0, ey, LAST_YEAR)  # the year a poor village must meet the standards

    pop = np.round(county.pop2014[:, None] * (1 - county.pop_drift[:, None] * (years - FIRST_YEAR))).astype(np.int64)
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
    poor_income = np.where(
        years < start[:, None],
        0,
        goal[:, None] * (0.3 + 0.7 * np.minimum(ramp, 1)) * rng.uniform(1.05, 1.15, n)[:, None] ** after,
    )
    other_income = rng.uniform(20_000, 150_000, n)[:, None] * rng.uniform(1.05, 1.12, n)[:, None] ** (
        years - FIRST_YEAR
    )
    other_income[rng.random(n) < 0.12] *= 0.08
    collective = np.round(np.where(poor[:, None], poor_income, other_income), -2).astype(np.int64)

    base = np.where(poor, rng.uniform(4_200, 5_800, n), rng.uniform(6_000, 9_000, n))
    per_capita = np.round(base[:, None] * rng.uniform(1.08, 1.12, n)[:, None] ** (years - FIRST_YEAR), -1).astype(
        np.int64
    )

    # infrastructure: the first year each item is 是; poor villages catch up by their exit year
    def first_year(p_done_poor: float, p_done_other: float, lo_poor: int, core: bool) -> np.ndarray:
        done = rng.random(n) < np.where(poor, p_done_poor, p_done_other)
        other = _uniform_int(rng, np.full(n, 2015), np.full(n, 2018))
        poor_hi = target_year if core else np.full(n, LAST_YEAR)
        poor_year = _uniform_int(rng, np.minimum(lo_poor, poor_hi), poor_hi)
        return np.where(done, FIRST_YEAR, np.where(poor, poor_year, other))

    items = [
        first_year(0.25, 0.82, 2015, True),
        first_year(0.85, 0.98, 2015, True),
        first_year(0.30, 0.76, 2015, True),
        first_year(0.05, 0.25, 2016, False),
        first_year(0.35, 0.66, 2015, True),
        first_year(0.10, 0.30, 2016, False),
    ]
    # a few poor villages fix a core item (road, water, clinic) only in their exit year;
    # the not-exited ones still miss one at the end of 2020
    late_fix = poor & (ey > 0) & (rng.random(n) < 0.10)
    never_fix = ey < 0
    which = rng.integers(0, 3, n)
    for k, item in zip(range(3), (0, 2, 4), strict=True):
        items[item] = np.where(late_fix & (which == k), target_year, items[item])
        items[item] = np.where(never_fix & (which == k), LAST_YEAR + 1, items[item])

    industry = rng.integers(0, len(VILLAGE_INDUSTRIES), n)
    industry_from = np.where(poor, _uniform_int(rng, 2015, 2017), _uniform_int(rng, 2014, 2016))
    industry_from[~poor & (rng.random(n) < 0.3)] = LAST_YEAR + 1

    rows = []
    for v in range(n):
        code = county.village_codes[v]
        for j, year in enumerate(years.tolist()):
            rows.append(
                [
                    year,
                    code,
                    int(pop[v, j]),
                    int(households_total[v, j]),
                    int(collective[v, j]),
                    int(per_capita[v, j]),
                    *("是" if year >= item[v] else "否" for item in items),
                    VILLAGE_INDUSTRIES[industry[v]] if year >= industry_from[v] else "",
                ]
            )
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
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=shapely.box(*region.bounds).buffer(1.0), ordered=True
        )
    )
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
        {
            "type": "Feature",
            "properties": {"区划代码": code, "名称": name, "层级": level},
            "geometry": {"type": "Polygon", "coordinates": coordinates},
        },
        ensure_ascii=False,
        separators=(",", ":"),
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
            lines += [
                _feature(county.village_codes[v], county.village_names[v], "村", cell)
                for v, cell in zip(villages, cells, strict=True)
            ]
            out.write(("" if n_features == 0 else ",\n") + ",\n".join(lines))
            n_features += len(lines)
            progress((t + 1) / len(townships_km))
        out.write("\n]}\n")
    return n_features


# --------------------------------------------------------------------------------------------
# Households and their events (one township at a time)
# --------------------------------------------------------------------------------------------

# share of a non-poor village's households exiting in 2015..2020, and never (last column)
EXIT_CURVE = np.array([0.02, 0.16, 0.28, 0.30, 0.22, 0.006, 0.001])
LATE_EXIT_CURVE = np.array([0.01, 0.08, 0.22, 0.32, 0.33, 0.04, 0.0])  # poor villages that never exit
# in a poor village exiting in year EY, weight of a household exiting in EY - d for d = 0..5
BEFORE_VILLAGE_EXIT = np.array([0.45, 0.30, 0.15, 0.07, 0.03, 0.02])
_SEP_1 = {y: _day(f"{y}-09-01") for y in range(FIRST_YEAR, LAST_YEAR + 2)}


def _exit_window_day(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """Household exits are verified in the autumn: Sep 1 .. Dec 20, more of them late."""
    start = np.array([_SEP_1[y] for y in range(FIRST_YEAR, LAST_YEAR + 2)])[np.asarray(years) - FIRST_YEAR]
    return start + np.floor(110 * np.sqrt(rng.random(len(start)))).astype(np.int64)


def _sample_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return (cum < u[:, None]).sum(axis=1)


def _pick(rng: np.random.Generator, probs_by_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category index per element, drawn from probs_by_row[rows[i]]."""
    return _sample_rows(rng, np.asarray(probs_by_row, dtype=float)[rows])


def _group_cumsum(values: np.ndarray, group_starts: np.ndarray, group_of: np.ndarray) -> np.ndarray:
    """Running sum of values within contiguous groups."""
    total = np.cumsum(values)
    before = (total - values)[group_starts]
    return total - before[group_of]


@dataclass
class Households:
    village: np.ndarray  # global village index
    serial: np.ndarray
    kind: np.ndarray  # 0 identified 2014, 1 新识别 2015-2016, 2 补录 2017
    id_day: np.ndarray
    category: np.ndarray
    cause: np.ndarray
    size: np.ndarray  # members at identification
    head_group: np.ndarray
    head_female: np.ndarray
    has_spouse: np.ndarray
    exit1: np.ndarray
    returned: np.ndarray
    exit2: np.ndarray
    removal: np.ndarray
    removal_type: np.ndarray  # CLEAR, DISSOLVE or -1
    wrong_exit: np.ndarray  # deliberate 错退 case

    def __len__(self) -> int:
        return len(self.village)


def draw_households(rng: np.random.Generator, county: County, township: int) -> Households:
    villages = county.villages_of(township)
    nv = len(villages)
    poor = county.is_poor[villages]
    # households identified in 2014: candidates are taken in turn until their people reach the
    # village's target incidence (poor villages 15-35 %, others 3-12 %)
    incidence = np.where(poor, rng.uniform(0.16, 0.31, nv), rng.uniform(0.035, 0.085, nv))
    target_people = county.pop2014[villages] * incidence
    cap = np.ceil(target_people / 3.3 * 1.5).astype(np.int64) + 5
    candidate_village = np.repeat(np.arange(nv), cap)
    candidate_category = rng.choice(3, size=len(candidate_village), p=CATEGORY_P)
    candidate_size = 1 + _pick(rng, SIZE_P, candidate_category)
    running = _group_cumsum(candidate_size, np.cumsum(cap) - cap, candidate_village)
    taken = (running <= target_people[candidate_village]) | (running == candidate_size)  # at least one
    n_first = np.bincount(candidate_village[taken], minlength=nv)
    # later entries: 新识别 2015-2016 (~3 %) and the 2017 回头看 补录 (~6 %)
    n_new = rng.binomial(n_first, 0.03)
    n_late = rng.binomial(n_first, 0.058)
    n_later = int(n_new.sum() + n_late.sum())
    later_category = rng.choice(3, size=n_later, p=CATEGORY_P)
    later_village = np.concatenate([np.repeat(np.arange(nv), n_new), np.repeat(np.arange(nv), n_late)])
    later_kind = np.concatenate([np.ones(n_new.sum(), np.int64), np.full(n_late.sum(), 2)])
    local = np.concatenate([candidate_village[taken], later_village])
    kind = np.concatenate([np.zeros(taken.sum(), np.int64), later_kind])
    category = np.concatenate([candidate_category[taken], later_category])
    size = np.concatenate([candidate_size[taken], 1 + _pick(rng, SIZE_P, later_category)])
    order = np.lexsort((kind, local))
    local, kind, category, size = local[order], kind[order], category[order], size[order]
    n = len(local)
    n_total = np.bincount(local, minlength=nv)
    starts = np.cumsum(n_total) - n_total
    serial = np.arange(n) - starts[local]

    batch = _day("2014-04-01") + rng.integers(0, 184, nv)  # each village identified in one campaign
    id_day = np.minimum(batch[local] + rng.integers(0, 31, n), _day("2014-10-31"))
    mar_1 = np.where(rng.random(n) < 0.6, _day("2015-03-01"), _day("2016-03-01"))
    id_day = np.where(kind == 1, mar_1 + rng.integers(0, 184, n), id_day)
    id_day = np.where(kind == 2, _day("2017-05-01") + rng.integers(0, 123, n), id_day)
    id_year = _years(id_day)

    cause = _pick(rng, CAUSE_P, category)
    group = _pick(rng, np.array([[0.25, 0.42, 0.33], [0.25, 0.42, 0.33], [0.0, 0.2, 0.8]]), category)
    group = np.where((size == 1) & (rng.random(n) < 0.7), 2, group)
    head_female = rng.random(n) < np.where(group == 2, 0.25, 0.12)
    has_spouse = (size >= 2) & (rng.random(n) < np.where(category == 2, 0.5, 0.85))

    # exit year: a weight per column 2015..2020 + never, per household
    village_exit = county.exit_year[villages][local]
    column_year = np.append(EXIT_YEARS, 9999)
    before = village_exit[:, None] - column_year[None, :]
    weights = np.where((before >= 0) & (before < 6), BEFORE_VILLAGE_EXIT[np.clip(before, 0, 5)], 0.0)
    weights[:, 0] *= 0.25  # few exits in the first year ...
    weights[:, 5] *= 0.1  # ... and in the last: villages exiting in 2020 were mostly done in 2019
    weights = np.where(
        (village_exit > 0)[:, None], weights, np.where((village_exit < 0)[:, None], LATE_EXIT_CURVE, EXIT_CURVE)
    )
    too_early = column_year[None, :] < np.maximum(id_year, 2015)[:, None]
    weights = np.where(too_early, 0.0, weights)
    nothing = weights.sum(axis=1) == 0  # identified after its poor village exited
    weights[nothing] = np.where(too_early[nothing], 0.0, EXIT_CURVE)
    column = _sample_rows(rng, weights)

    # a poor village keeps only a small residue (< 2 % of its population) past its exit date;
    # the not-exited poor villages keep about 2-3 % poor until the end
    in_exited = (village_exit > 0) & (id_year <= village_exit)
    in_never = village_exit < 0
    order = np.lexsort((rng.random(n), local))
    people_in_order = np.where(in_exited | in_never, size, 0)[order]
    running = np.empty(n, dtype=np.int64)
    running[order] = _group_cumsum(people_in_order, starts, local[order])
    village_exit_year = county.exit_year[villages]
    share = np.where(
        village_exit_year < 0,
        rng.uniform(0.021, 0.026, nv),
        rng.uniform(0.004, 0.012, nv) * np.where(village_exit_year == LAST_YEAR, 0.5, 1.0),
    )
    residue = (in_exited | in_never) & (running <= (share * county.pop_min[villages])[local])
    lag = 1 + np.floor(rng.random(n) ** 2 * (LAST_YEAR - village_exit)).astype(np.int64)
    late_column = np.where(village_exit >= LAST_YEAR, 6, village_exit + lag - 2015)
    column = np.where(residue & in_exited, late_column, column)
    column = np.where(residue & in_never, 6, column)
    exit1 = np.full(n, NO_DAY, dtype=np.int64)
    exits = column < 6
    exit1[exits] = _exit_window_day(rng, EXIT_YEARS[column[exits]])

    # 2017 回头看 removes ~3 % as wrongly identified; a few small old households dissolve
    removal = np.full(n, NO_DAY, dtype=np.int64)
    removal_type = np.full(n, -1)
    clear = (id_day < _day("2017-05-01")) & (rng.random(n) < 0.031)
    removal[clear] = _day("2017-05-01") + rng.integers(0, 123, clear.sum())
    removal_type[clear] = CLEAR
    dissolve = ~clear & (size <= 2) & (group == 2) & (rng.random(n) < 0.022)
    dissolve_day = _uniform_int(rng, np.maximum(id_day + 365, _day("2015-03-01")), _day("2020-11-30"))
    removal[dissolve] = dissolve_day[dissolve]
    removal_type[dissolve] = DISSOLVE
    exit1[exit1 >= removal] = NO_DAY

    # 返贫 about a year after exit (only after the village's own exit date), most exit again
    returned = np.full(n, NO_DAY, dtype=np.int64)
    exit2 = np.full(n, NO_DAY, dtype=np.int64)
    guard = np.where(county.exit_year[villages] > 0, county.exit_day[villages], 0)[local]
    return_day = np.where(exit1 < NO_DAY, exit1 + rng.integers(300, 521, n), NO_DAY)
    falls_back = (
        (return_day <= _day("2020-06-30")) & (return_day > guard) & (removal == NO_DAY) & (rng.random(n) < 0.018)
    )
    returned[falls_back] = return_day[falls_back]
    # exit again in the next autumn verification (the same year's if it fell back by the spring)
    return_on = np.where(falls_back, returned, END)
    again_year = _years(return_on) + (return_on > _year_start(_years(return_on)) + 150)
    again = falls_back & (again_year <= LAST_YEAR) & (rng.random(n) < 0.9)
    exit2[again] = _exit_window_day(rng, again_year[again])

    wrong_exit = (exit1 < NO_DAY) & (rng.random(n) < 0.005)
    return Households(
        villages[local],
        serial + 1,
        kind,
        id_day,
        category,
        cause,
        size,
        group,
        head_female,
        has_spouse,
        exit1,
        returned,
        exit2,
        removal,
        removal_type,
        wrong_exit,
    )


def household_ids(county: County, hh: Households) -> np.ndarray:
    codes = np.array([code[6:] for code in county.village_codes], dtype=object)[hh.village]
    return np.array([f"H{c}{s:05d}" for c, s in zip(codes.tolist(), hh.serial.tolist(), strict=True)], dtype=object)


def _event_rows(rng: np.random.Generator, hh: Households, ids: np.ndarray, first_id: int) -> list[tuple]:
    n = len(hh)
    identify_reason = np.where(
        hh.kind == 0, "", np.where(hh.kind == 1, "新识别", np.where(rng.random(n) < 0.5, "补录", "回头看补录"))
    ).astype(object)
    return_reason = np.array(RETURN_REASONS, dtype=object)[_pick(rng, [[0.5, 0.2, 0.15, 0.15]], np.zeros(n, int))]
    clear_reason = np.array(CLEAR_REASONS, dtype=object)[_pick(rng, [[0.45, 0.2, 0.15, 0.12, 0.08]], np.zeros(n, int))]
    dissolve_reason = np.array(DISSOLVE_REASONS, dtype=object)[(rng.random(n) < 0.3).astype(int)]
    removal_reason = np.where(hh.removal_type == CLEAR, clear_reason, dissolve_reason)
    blank = np.full(n, "", dtype=object)
    parts = [
        (np.ones(n, bool), hh.id_day, IDENTIFY, identify_reason),
        (hh.exit1 < NO_DAY, hh.exit1, EXIT, blank),
        (hh.returned < NO_DAY, hh.returned, RETURN, return_reason),
        (hh.exit2 < NO_DAY, hh.exit2, EXIT, blank),
        (hh.removal < NO_DAY, hh.removal, np.where(hh.removal_type == CLEAR, CLEAR, DISSOLVE), removal_reason),
    ]
    which = np.concatenate([np.flatnonzero(mask) for mask, *_ in parts])
    days = np.concatenate([d[mask] for mask, d, *_ in parts])
    types = np.concatenate([np.broadcast_to(t, n)[mask] for mask, _, t, _ in parts])
    reasons = np.concatenate([r[mask] for mask, _, _, r in parts])
    order = np.lexsort((days, which))
    event_ids = [f"E{i:09d}" for i in range(first_id, first_id + len(order))]
    return list(
        zip(
            event_ids,
            ids[which[order]].tolist(),
            np.array(EVENT_TYPES, dtype=object)[types[order]].tolist(),
            _dates(days[order]),
            reasons[order].tolist(),
            strict=True,
        )
    )


# --------------------------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------------------------

RELATIONS = np.array(
    [
        ["户主", "户主"],
        ["配偶", "配偶"],
        ["之女", "之子"],
        ["之母", "之父"],
        ["之母", "之父"],
        ["儿媳", "女婿"],
        ["之孙女", "之孙子"],
    ],
    dtype=object,
)
_SURNAME_P = 1 / np.arange(1, len(SURNAMES) + 1) ** 0.7
_SURNAME_P /= _SURNAME_P.sum()


@dataclass
class Members:
    household: np.ndarray
    role: np.ndarray
    male: np.ndarray
    birth_day: np.ndarray
    joined: np.ndarray  # NO_DAY = present since the household's identification
    left: np.ndarray
    left_reason: np.ndarray

    def present_at(self, day: int, id_day: np.ndarray) -> np.ndarray:
        since = np.where(self.joined < NO_DAY, self.joined, id_day[self.household])
        return (since <= day) & (self.left > day)


def _registered_window(hh: Households) -> tuple[np.ndarray, np.ndarray]:
    """Days on which members may join or leave: after identification (and 2015-01-01) and
    before the household's removal (and the end of 2020)."""
    lo = np.maximum(hh.id_day, _day("2015-01-01")) + 1
    hi = np.minimum(hh.removal - 1, END)
    return lo, hi


def draw_members(rng: np.random.Generator, hh: Households) -> Members:
    n = len(hh)
    mh = np.repeat(np.arange(n), hh.size)
    m = len(mh)
    slot = np.arange(m) - (np.cumsum(hh.size) - hh.size)[mh]
    spouse = hh.has_spouse[mh]
    template_pos = np.clip(slot - 1 - spouse, 0, ROLE_TEMPLATES.shape[1] - 1)
    role = np.where(
        slot == 0, HEAD, np.where(spouse & (slot == 1), SPOUSE, ROLE_TEMPLATES[hh.head_group[mh], template_pos])
    )

    bounds = np.array(HEAD_BIRTH_YEARS)
    head_year = _uniform_int(rng, bounds[hh.head_group, 0], bounds[hh.head_group, 1])[mh]
    head_female = hh.head_female[mh]
    year = head_year.copy()
    year = np.where(
        role == SPOUSE, head_year + np.round(rng.normal(0, 3, m)).astype(np.int64) - np.where(head_female, 2, -0), year
    )
    year = np.where((role == CHILD) | (role == IN_LAW), head_year + rng.integers(20, 37, m), year)
    year = np.where((role == PARENT1) | (role == PARENT2), head_year - rng.integers(20, 33, m), year)
    year = np.where(role == GRANDCHILD, head_year + rng.integers(42, 61, m), year)
    year = np.clip(year, 1922, _years(hh.id_day)[mh] - 1)
    birth_day = _year_start(year) + rng.integers(0, 365, m)

    male = rng.random(m) < 0.51
    father_first = rng.random(n) < 0.45
    male = np.where(role == HEAD, ~head_female, male)
    male = np.where(role == SPOUSE, head_female, male)
    male = np.where(role == PARENT1, father_first[mh], male)
    male = np.where(role == PARENT2, ~father_first[mh], male)
    male = np.where(role == IN_LAW, rng.random(m) < 0.1, male)

    # members leaving: deaths of the old, daughters marrying out, some moving away
    lo, hi = _registered_window(hh)
    age = 2014 - year
    marrying_age = (role == CHILD) & ~male & (age >= 16) & (age <= 28)
    p_leave = np.where(age >= 70, 0.15, np.where(marrying_age, 0.22, np.where(age >= 18, 0.012, 0.003)))
    leaves = (slot > 0) & (rng.random(m) < p_leave) & (hi >= lo)[mh]
    left = np.where(leaves, _uniform_int(rng, lo[mh], np.maximum(hi, lo)[mh]), NO_DAY)
    left_reason = np.where(~leaves, "", np.where(age >= 70, "死亡", np.where(marrying_age, "婚出", "迁出"))).astype(
        object
    )

    # members joining: births in young families, daughters-in-law marrying in
    has_in_law = np.zeros(n, bool)
    has_in_law[mh[(role == IN_LAW) & ~male]] = True
    young_couple = (hh.head_group == 0) & hh.has_spouse
    open_window = hi >= lo
    room = hh.size <= 5  # at most 7 members, as at identification
    births = (young_couple | has_in_law) & open_window & room & (rng.random(n) < 0.12)
    single_son = np.zeros(n, bool)
    single_son[mh[(role == CHILD) & male & (year >= 1984) & (year <= 1995)]] = True
    weddings = single_son & ~has_in_law & open_window & room & (rng.random(n) < 0.10)
    born_in = np.flatnonzero(births)
    wed_in = np.flatnonzero(weddings)
    join_household = np.concatenate([born_in, wed_in])
    join_day = _uniform_int(rng, lo[join_household], hi[join_household])
    n_births = len(born_in)
    join_role = np.concatenate([np.where(has_in_law[born_in], GRANDCHILD, CHILD), np.full(len(wed_in), IN_LAW)])
    join_male = np.concatenate([rng.random(n_births) < 0.52, np.zeros(len(wed_in), bool)])
    bride_birth = _year_start(rng.integers(1986, 1997, len(wed_in))) + rng.integers(0, 365, len(wed_in))
    join_birth = np.concatenate([join_day[:n_births], bride_birth])

    household = np.concatenate([mh, join_household])
    joined = np.concatenate([np.full(m, NO_DAY), join_day])
    order = np.lexsort((np.concatenate([slot, join_day]), joined < NO_DAY, household))
    return Members(
        household[order],
        np.concatenate([role, join_role])[order],
        np.concatenate([male, join_male])[order],
        np.concatenate([birth_day, join_birth])[order],
        joined[order],
        np.concatenate([left, np.full(len(join_household), NO_DAY)])[order],
        np.concatenate([left_reason, np.full(len(join_household), "", dtype=object)])[order],
    )


def _student_status(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    u = rng.random(len(age))
    status = np.full(len(age), "", dtype=object)
    status[(age >= 3) & (age <= 5)] = "学前教育"
    status[(age >= 6) & (age <= 11)] = "小学"
    status[(age >= 12) & (age <= 14)] = "初中"
    upper = (age >= 15) & (age <= 17)
    status[upper & (u < 0.6)] = "高中"
    status[upper & (u >= 0.6) & (u < 0.9)] = "中职"
    college = (age >= 18) & (age <= 21)
    status[college & (u < 0.15)] = "高职"
    status[college & (u >= 0.15) & (u < 0.25)] = "本科"
    return status


def _given_names(rng: np.random.Generator, male: np.ndarray) -> list[str]:
    m = len(male)
    male_chars, female_chars = np.array(MALE_CHARS, dtype=object), np.array(FEMALE_CHARS, dtype=object)
    first = np.where(
        male, male_chars[rng.integers(0, len(MALE_CHARS), m)], female_chars[rng.integers(0, len(FEMALE_CHARS), m)]
    )
    second = np.where(
        male, male_chars[rng.integers(0, len(MALE_CHARS), m)], female_chars[rng.integers(0, len(FEMALE_CHARS), m)]
    )
    second = np.where(rng.random(m) < 0.25, "", second)
    return [a + b for a, b in zip(first.tolist(), second.tolist(), strict=True)]


@dataclass
class MemberText:
    """The per-person columns that other files need (head name and ID)."""

    names: list[str]
    id_numbers: list[str]


def _member_rows(
    rng: np.random.Generator,
    hh: Households,
    mem: Members,
    household_id: np.ndarray,
    first_person: int,
    id_sequences: _IdSequences,
) -> tuple[list[tuple], MemberText, np.ndarray]:
    n, m = len(hh), len(mem.household)
    surnames = np.array(SURNAMES, dtype=object)
    head_surname = surnames[rng.choice(len(SURNAMES), n, p=_SURNAME_P)]
    spouse_surname = surnames[rng.choice(len(SURNAMES), n, p=_SURNAME_P)]
    family = np.where(hh.head_female & hh.has_spouse, spouse_surname, head_surname)
    own = surnames[rng.choice(len(SURNAMES), m, p=_SURNAME_P)]
    h, role = mem.household, mem.role
    surname = np.where(role == HEAD, head_surname[h], own)
    surname = np.where(role == SPOUSE, spouse_surname[h], surname)
    surname = np.where((role == CHILD) | (role == GRANDCHILD), family[h], surname)
    surname = np.where(((role == PARENT1) | (role == PARENT2)) & mem.male, head_surname[h], surname)
    names = [s + g for s, g in zip(surname.tolist(), _given_names(rng, mem.male), strict=True)]

    age = 2020 - _years(mem.birth_day)
    band = np.where(age < 16, 0, np.where(age < 60, 1, 2))
    health = _pick(rng, HEALTH_P, band)
    head = role == HEAD
    cause = hh.cause[h]
    healthy_sick_head = head & (health == 0) & (cause == CAUSES.index("因病"))
    health = np.where(healthy_sick_head, np.where(rng.random(m) < 0.4, 2, 1), health)
    health = np.where(head & (cause == CAUSES.index("因残")) & (rng.random(m) < 0.7), 3, health)
    health = np.where(mem.joined < NO_DAY, 0, health)  # newborns and brides
    labour = _pick(rng, LABOUR_P, band * 4 + health)
    student = _student_status(rng, age)
    labour = np.where((student != "") & (age >= 16), 4, labour)
    labour = np.where((mem.joined < NO_DAY) & (role == IN_LAW), 0, labour)
    insured = rng.random(m) < 0.97

    id_numbers = id_sequences.id_numbers(mem.birth_day, mem.male.astype(np.int64))
    person_ids = [f"P{i:09d}" for i in range(first_person, first_person + m)]
    rows = list(
        zip(
            person_ids,
            household_id[h].tolist(),
            names,
            id_numbers,
            RELATIONS[role, mem.male.astype(int)].tolist(),
            np.where(mem.male, "男", "女").tolist(),
            _dates(mem.birth_day),
            np.array(HEALTH, dtype=object)[health].tolist(),
            np.array(LABOUR, dtype=object)[labour].tolist(),
            student.tolist(),
            _bools(insured),
            _dates(mem.joined),
            _dates(mem.left),
            mem.left_reason.tolist(),
            strict=True,
        )
    )
    flags = np.zeros((n, 2), dtype=bool)  # per household: has a student, has a sick or disabled member
    flags[h[student != ""], 0] = True
    flags[h[health > 0], 1] = True
    return rows, MemberText(names, id_numbers), flags


# --------------------------------------------------------------------------------------------
# Household years (income and guarantees) and assistance
# --------------------------------------------------------------------------------------------

INCOME_SHARES = np.array(
    [  # wages, business, property, transfers; by category
        [0.50, 0.30, 0.02, 0.18],
        [0.35, 0.20, 0.01, 0.44],
        [0.05, 0.05, 0.00, 0.90],
    ]
)
GUARANTEE_FAILS_WHILE_POOR = np.array([0.05, 0.06, 0.12, 0.22, 0.12])
_YEAR_END = {y: _day(f"{y}-12-31") for y in range(FIRST_YEAR, LAST_YEAR + 1)}
_LINE = np.array([POVERTY_LINE[y] for y in range(FIRST_YEAR, LAST_YEAR + 1)])


def sizes_by_year(hh: Households, mem: Members) -> np.ndarray:
    """Members present on Dec 31 of each year 2014-2020, per household (n × 7)."""
    sizes = np.zeros((len(hh), LAST_YEAR - FIRST_YEAR + 1), dtype=np.int64)
    for j, year in enumerate(range(FIRST_YEAR, LAST_YEAR + 1)):
        present = mem.present_at(_YEAR_END[year], hh.id_day)
        sizes[:, j] = np.bincount(mem.household[present], minlength=len(hh))
    return sizes


def exited_at(hh: Households, day: np.ndarray) -> np.ndarray:
    return ((hh.exit1 <= day) & ~(hh.returned <= day)) | (hh.exit2 <= day)


def _household_year_rows(
    rng: np.random.Generator, hh: Households, sizes: np.ndarray, household_id: np.ndarray
) -> list[tuple]:
    """One row per household per year from its identification to 2020 or its removal."""
    first = _years(hh.id_day)
    last = np.where(hh.removal < NO_DAY, _years(np.minimum(hh.removal, END)) - 1, LAST_YEAR)
    count = last - first + 1
    h = np.repeat(np.arange(len(hh)), count)
    year = first[h] + np.arange(len(h)) - (np.cumsum(count) - count)[h]
    k = len(h)
    year_end = np.array(list(_YEAR_END.values()))[year - FIRST_YEAR]
    exited = ((hh.exit1[h] <= year_end) & ~(hh.returned[h] <= year_end)) | (hh.exit2[h] <= year_end)
    size = sizes[h, year - FIRST_YEAR]
    line = _LINE[year - FIRST_YEAR]

    exit_year = _years(np.minimum(hh.exit1, END))[h]
    since_exit = np.maximum(year - exit_year, 0)
    margin = rng.uniform(1.25, 2.0, len(hh))[h]
    per_capita = np.where(exited, line * margin * (1 + 0.06 * since_exit), line * rng.uniform(0.55, 0.93, k))
    guarantees = np.where(exited[:, None], True, rng.random((k, 5)) >= GUARANTEE_FAILS_WHILE_POOR)
    wrong = hh.wrong_exit[h] & (year == exit_year) & exited
    income_case = wrong & (rng.random(k) < 0.5)
    per_capita = np.where(income_case, line * rng.uniform(0.86, 0.99, k), per_capita)
    failed = rng.integers(0, 5, k)
    guarantees[np.flatnonzero(wrong & ~income_case), failed[wrong & ~income_case]] = False

    net = np.round(per_capita * size).astype(np.int64)
    shares = INCOME_SHARES[hh.category[h]] * rng.uniform(0.6, 1.4, (k, 4))
    shares /= shares.sum(axis=1, keepdims=True)
    cost_ratio = rng.uniform(0.2, 0.45, k)
    gross = net / (1 - shares[:, 1] * cost_ratio)
    wages = np.round(gross * shares[:, 0]).astype(np.int64)
    business = np.round(gross * shares[:, 1]).astype(np.int64)
    prop = np.round(gross * shares[:, 2]).astype(np.int64)
    costs = np.round(business * cost_ratio).astype(np.int64)
    transfer = net + costs - wages - business - prop  # so that the parts add up to net exactly
    wages += np.minimum(transfer, 0)
    transfer = np.maximum(transfer, 0)
    return list(
        zip(
            year.tolist(),
            household_id[h].tolist(),
            size.tolist(),
            wages.tolist(),
            business.tolist(),
            prop.tolist(),
            transfer.tolist(),
            costs.tolist(),
            *(_bools(g) for g in guarantees.T),
            strict=True,
        )
    )


def _assistance_rows(
    rng: np.random.Generator, hh: Households, flags: np.ndarray, household_id: np.ndarray, poor_village: np.ndarray
) -> list[tuple]:
    """Several measures per household, dated while it is registered (2015-2020)."""
    n = len(hh)
    lo, hi = _registered_window(hh)
    ok = hi >= lo
    cat = hh.category

    def u() -> np.ndarray:
        return rng.random(n)

    def amounts(low: int, high: int, step: int) -> np.ndarray:
        return rng.integers(low // step, high // step + 1, n) * step

    none = np.full(n, -1)
    helper = [
        f"帮扶责任人：{s}{g}（{unit}）"
        for s, g, unit in zip(
            np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)].tolist(),
            _given_names(rng, rng.random(n) < 0.6),
            np.array(HELPER_UNITS, dtype=object)[rng.integers(0, len(HELPER_UNITS), n)].tolist(),
            strict=True,
        )
    ]
    pairing_day = lo + np.minimum(rng.integers(0, 120, n), np.maximum(hi - lo, 0))
    measures = [  # (type, who, day, amount, note)
        ("结对帮扶", ok & (u() < 0.985), pairing_day, none, np.array(helper, dtype=object)),
        ("产业", ok & (u() < 0.55), None, amounts(1000, 5000, 100), "产业奖补"),
        ("产业", ok & (u() < 0.20), None, amounts(1000, 3000, 100), "种苗、化肥发放"),
        ("就业", ok & (u() < 0.30), None, np.where(u() < 0.6, amounts(300, 1500, 100), -1), "外出务工交通补贴"),
        ("就业", ok & (cat == 0) & (u() < 0.06), None, amounts(6000, 12000, 600), "公益性岗位"),
        ("教育", ok & flags[:, 0] & (u() < 0.9), None, amounts(1000, 5000, 500), "教育资助（雨露计划）"),
        ("健康", ok & flags[:, 1] & (u() < 0.8), None, amounts(500, 20000, 100), "医疗救助、家庭医生签约"),
        (
            "小额信贷",
            ok & (u() < np.where(cat == 0, 0.30, 0.08)),
            None,
            np.where(u() < 0.5, 50000, amounts(10000, 50000, 5000)),
            "扶贫小额信贷，三年期，财政贴息",
        ),
        ("危房改造", ok & (u() < 0.12), None, amounts(15000, 35000, 1000), "C、D级危房改造补助"),
        ("易地搬迁", ok & (u() < np.where(poor_village, 0.08, 0.03)), None, hh.size * 20000, "易地扶贫搬迁集中安置"),
        ("生态护林", ok & (cat == 0) & (u() < 0.04), None, np.full(n, 10000), "生态护林员"),
        (
            "兜底保障",
            ok & (cat > 0) & (u() < 0.92),
            None,
            amounts(1500, 6000, 100),
            np.where(cat == 2, "特困供养", "低保兜底"),
        ),
    ]
    parts_h, parts_day, parts_kind, parts_amount, parts_note = [], [], [], [], []
    for kind, who, day, amount, note in measures:
        idx = np.flatnonzero(who)
        if day is None:
            day = _uniform_int(rng, lo, np.maximum(hi, lo))
        parts_h.append(idx)
        parts_day.append(day[idx])
        parts_kind.append(np.full(len(idx), kind, dtype=object))
        parts_amount.append(amount[idx])
        parts_note.append(np.broadcast_to(np.asarray(note, dtype=object), (n,))[idx])
    h = np.concatenate(parts_h)
    day = np.concatenate(parts_day)
    order = np.lexsort((day, h))
    amount = np.concatenate(parts_amount)[order]
    return list(
        zip(
            household_id[h[order]].tolist(),
            np.concatenate(parts_kind)[order].tolist(),
            _dates(day[order]),
            [str(a) if a >= 0 else "" for a in amount.tolist()],
            np.concatenate(parts_note)[order].tolist(),
            strict=True,
        )
    )


# --------------------------------------------------------------------------------------------
# Projects and funds
# --------------------------------------------------------------------------------------------


@dataclass
class _Counters:
    """Running numbers across townships, so that IDs are sequential and unique in the package."""

    persons: int = 0
    events: int = 0
    funds: int = 0
    projects: dict | None = None
    id_sequences: _IdSequences | None = None


PROJECT_YEARS = [2016, 2017, 2018, 2019, 2020]
PROJECT_YEAR_P = [0.14, 0.22, 0.25, 0.23, 0.16]
BATCH_ALLOCATION = {1: ("01-10", 64), 2: ("04-01", 75), 3: ("07-01", 76)}  # allocation window per batch


@dataclass
class Project:
    region_code: str
    region_name: str
    year: int
    batch: int
    category: str
    amount: int
    allocated_on: int
    planned_start: int
    planned_end: int
    started_on: int | None
    completed_on: int | None
    late: bool
    households: int | None
    people: int | None
    department: str
    name: str


def _draw_project(r: random.Random, code: str, name: str, at_village: bool, poor_households: int) -> Project:
    year = r.choices(PROJECT_YEARS, PROJECT_YEAR_P)[0]
    category = r.choices(PROJECT_CATEGORIES, VILLAGE_PROJECT_P if at_village else TOWNSHIP_PROJECT_P)[0]
    lo, hi = PROJECT_AMOUNT[category]
    amount = int(round(math.exp(r.uniform(math.log(lo), math.log(hi))), -2 if category == "项目管理费" else -3))
    batch = r.choices([1, 2, 3], [0.5, 0.35, 0.15])[0]
    window_start, window_days = BATCH_ALLOCATION[batch]
    allocated = _day(f"{year}-{window_start}") + r.randint(0, window_days)
    planned_start = allocated + r.randint(20, 60)
    planned_end = planned_start + (r.randint(60, 300) if category != "项目管理费" else r.randint(90, 200))
    roll = r.random()
    not_started, slow = (0.08, 0.15) if year == LAST_YEAR else (0.015, 0.08)
    started = None
    if roll >= not_started:
        started = planned_start + (r.randint(60, 200) if roll < not_started + slow else r.randint(-10, 40))
        started = started if started <= END else None
    completed, late = None, r.random() < 0.18
    if started is not None and r.random() >= 0.03:
        completed = (
            started + int((planned_end - planned_start) * r.uniform(0.8, 1.05)) + (r.randint(30, 240) if late else 0)
        )
        completed = completed if completed <= END else None
    households = people = None
    if category != "项目管理费" and poor_households > 0:
        households = max(1, int(poor_households * r.uniform(0.1, 0.9 if at_village else 0.4)))
        people = int(round(households * r.uniform(2.8, 3.6)))
    template, department = r.choice(PROJECT_NAMES[category])
    title = f"{year}年" + template.format(v=name, i=r.choice(INDUSTRIES), g=r.randint(1, 12))
    return Project(
        code,
        name,
        year,
        batch,
        category,
        amount,
        allocated,
        planned_start,
        planned_end,
        started,
        completed,
        late,
        households,
        people,
        department,
        title,
    )


def _split_amount(r: random.Random, total: int, parts: int) -> list[int]:
    weights = [r.uniform(0.5, 1.5) for _ in range(parts)]
    amounts = [int(total * w / sum(weights)) for w in weights]
    amounts[-1] = total - sum(amounts[:-1])
    return amounts


def _fund_movements(r: random.Random, p: Project) -> list[tuple[str, str, int, int]]:
    """(source, stage, day, amount) for one project. Every stage follows its predecessor in time
    and never exceeds it cumulatively, per source stream (so also per project)."""
    source = "县级财政专项扶贫资金" if p.category == "项目管理费" else r.choices(FUND_SOURCES, FUND_SOURCE_P)[0]
    streams = [(source, p.amount)]
    if p.category != "项目管理费" and r.random() < 0.3:
        other = r.choice([s for s in FUND_SOURCES if s != source])
        first = int(round(p.amount * r.uniform(0.5, 0.8), -2))
        streams = [(source, first), (other, p.amount - first)]
    on_time = p.completed_on is not None and not p.late
    spend = 1.0 if on_time and r.random() < 0.85 else (r.uniform(0.9, 1.0) if on_time else r.uniform(0.4, 0.7))
    disburse = 1.0 if r.random() < 0.85 else r.uniform(spend, 1.0)
    reimburse = 1.0 if r.random() < 0.7 else r.uniform(0.6, 1.0)
    rows = []
    for k, (src, allocated) in enumerate(streams):
        day = p.allocated_on + (r.randint(0, 30) if k else 0)
        rows.append((src, "下达", day, allocated))
        if p.started_on is None:
            if r.random() < 0.5:
                rows.append((src, "拨付", day + r.randint(7, 40), int(allocated * r.uniform(0.3, 1.0))))
            continue
        tranches = _split_amount(r, int(allocated * disburse), r.choices([1, 2, 3], [0.35, 0.4, 0.25])[0])
        paid_day = spent_day = booked_day = 0
        for i, paid in enumerate(tranches):
            paid_day = (day + r.randint(7, 40)) if i == 0 else paid_day + r.randint(30, 120)
            spent = int(paid * spend / disburse)
            spent_day = max(max(paid_day, p.started_on) + r.randint(5, 60), spent_day + 1)
            booked = int(spent * reimburse)
            booked_day = max(spent_day + r.randint(5, 60), booked_day + 1)
            rows.append((src, "拨付", paid_day, paid))
            headroom = paid - spent
            if i == 0 and headroom >= 2000 and r.random() < 0.05:
                # an over-booked payment corrected a few days later by a negative row
                extra = min(headroom, r.randint(10, 100) * 100)
                rows += [(src, "支出", spent_day, spent + extra), (src, "支出", spent_day + r.randint(1, 10), -extra)]
            else:
                rows.append((src, "支出", spent_day, spent))
            if booked:
                rows.append((src, "报账", booked_day, booked))
    stage_order = {"下达": 0, "拨付": 1, "支出": 2, "报账": 3}
    return sorted((row for row in rows if row[2] <= END and row[3] != 0), key=lambda row: (row[2], stage_order[row[1]]))


def _project_rows(
    rng: np.random.Generator, county: County, township: int, poor_households: np.ndarray, counters: _Counters
) -> tuple[list[tuple], list[tuple]]:
    """Projects of one township (poor villages get the most) and every fund movement of them."""
    r = random.Random(int(rng.integers(2**62)))
    villages = county.villages_of(township)
    per_village = rng.poisson(np.where(county.is_poor[villages], 11.0, 4.0))
    drawn = []
    for v, count, households in zip(villages.tolist(), per_village.tolist(), poor_households.tolist(), strict=True):
        drawn += [
            _draw_project(r, county.village_codes[v], county.village_names[v], True, households) for _ in range(count)
        ]
    town_households = int(poor_households.sum())
    drawn += [
        _draw_project(r, county.township_codes[township], county.township_names[township], False, town_households)
        for _ in range(int(rng.poisson(22.0 * len(villages) / (200 / 12))))
    ]  # ∝ villages: scales with N
    drawn.sort(key=lambda p: (p.year, p.batch, p.allocated_on, p.region_code))
    projects, funds = [], []
    for p in drawn:
        counters.projects[p.year] = counters.projects.get(p.year, 0) + 1
        project_id = f"XM{p.year}{counters.projects[p.year]:06d}"
        projects.append(
            (
                project_id,
                p.name,
                p.category,
                p.region_code,
                p.year,
                f"第{p.batch}批",
                p.amount,
                _date(p.planned_start),
                _date(p.started_on),
                _date(p.planned_end),
                _date(p.completed_on),
                "" if p.households is None else p.households,
                "" if p.people is None else p.people,
                p.department,
            )
        )
        for source, stage, day, amount in _fund_movements(r, p):
            counters.funds += 1
            funds.append((f"F{counters.funds:09d}", project_id, source, stage, _date(day), amount))
    return projects, funds


# --------------------------------------------------------------------------------------------
# Package
# --------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Per township × year (2014-2020): exits and the still-poor stock at year end, for targets."""

    exit_households: np.ndarray
    exit_people: np.ndarray
    poor_households: np.ndarray
    poor_people: np.ndarray


def _tally_township(tally: Tally, t: int, hh: Households, sizes: np.ndarray) -> None:
    for j, year in enumerate(range(FIRST_YEAR, LAST_YEAR + 1)):
        end = _YEAR_END[year]
        start = end - (366 if year % 4 == 0 else 365)
        exits = ((hh.exit1 > start) & (hh.exit1 <= end)).astype(int) + ((hh.exit2 > start) & (hh.exit2 <= end))
        tally.exit_households[t, j] += exits.sum()
        tally.exit_people[t, j] += (exits * sizes[:, j]).sum()
        poor = (hh.id_day <= end) & (hh.removal > end) & ~exited_at(hh, np.full(len(hh), end))
        tally.poor_households[t, j] += poor.sum()
        tally.poor_people[t, j] += sizes[poor, j].sum()


def _write_township(t: int, county: County, seed: int, writers: dict, counters: _Counters, tally: Tally) -> None:
    rng = np.random.default_rng([seed, 3, t])
    hh = draw_households(rng, county, t)
    mem = draw_members(rng, hh)
    ids = household_ids(county, hh)
    member_rows, text, flags = _member_rows(rng, hh, mem, ids, counters.persons + 1, counters.id_sequences)
    counters.persons += len(member_rows)
    head_row = np.flatnonzero(mem.role == HEAD)  # one per household, in household order
    writers["households"].writerows(
        list(
            zip(
                ids.tolist(),
                np.array(county.village_codes, dtype=object)[hh.village].tolist(),
                [text.names[i] for i in head_row],
                [text.id_numbers[i] for i in head_row],
                np.array(CATEGORIES, dtype=object)[hh.category].tolist(),
                np.array(CAUSES, dtype=object)[hh.cause].tolist(),
                strict=True,
            )
        )
    )
    writers["members"].writerows(member_rows)
    events = _event_rows(rng, hh, ids, counters.events + 1)
    counters.events += len(events)
    writers["events"].writerows(events)
    sizes = sizes_by_year(hh, mem)
    writers["household_year"].writerows(_household_year_rows(rng, hh, sizes, ids))
    writers["assistance"].writerows(_assistance_rows(rng, hh, flags, ids, county.is_poor[hh.village]))
    _tally_township(tally, t, hh, sizes)

    villages = county.villages_of(t)
    per_village = np.bincount(np.searchsorted(villages, hh.village), minlength=len(villages))
    projects, funds = _project_rows(np.random.default_rng([seed, 4, t]), county, t, per_village, counters)
    writers["projects"].writerows(projects)
    writers["funds"].writerows(funds)


def _planned(rng: np.random.Generator, actual: int) -> int:
    """A plan close to but not equal to what was achieved."""
    plan = int(round(actual * rng.uniform(0.9, 1.1)))
    return plan + 1 if plan == actual else plan


def _target_rows(county: County, tally: Tally, seed: int) -> list[tuple]:
    rng = np.random.default_rng([seed, 6])
    rows = []
    spending = [("03-31", "0.30"), ("06-30", "0.60"), ("09-30", "0.85"), ("12-31", "1.00")]
    for year in range(2015, LAST_YEAR + 1):
        j = year - FIRST_YEAR
        town_rows = []
        for t, code in enumerate(county.township_codes):
            if year == LAST_YEAR:  # 2020: every remaining poor household was to exit
                plan_h, plan_p = int(tally.poor_households[t, j - 1]), int(tally.poor_people[t, j - 1])
            else:
                plan_h = _planned(rng, int(tally.exit_households[t, j]))
                plan_p = _planned(rng, int(tally.exit_people[t, j]))
            villages = county.villages_of(t)
            town_rows.append((year, code, plan_h, plan_p, int((county.planned_exit[villages] == year).sum()), "", ""))
        rows.append(
            (
                year,
                COUNTY[0],
                sum(r[2] for r in town_rows),
                sum(r[3] for r in town_rows),
                sum(r[4] for r in town_rows),
                "",
                "",
            )
        )
        rows += town_rows
        rows += [(year, COUNTY[0], "", "", "", share, f"{year}-{month_day}") for month_day, share in spending]
    return rows


class _CountingWriter:
    """csv.writer that counts the data rows it wrote."""

    def __init__(self, handle) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self.rows = 0

    def writerow(self, row) -> None:
        self._writer.writerow(row)

    def writerows(self, rows: list) -> None:
        self._writer.writerows(rows)
        self.rows += len(rows)


def write_demo_package(
    out_dir: str | Path, scale: int = 1, seed: int = 2014, progress: Callable[[float, str], None] | None = None
) -> dict[str, int]:
    """Write the package into out_dir (created if needed); returns row counts per file stem (English stem)."""
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda fraction, message: None)
    report(0.0, "生成区划与村年度情况")
    county = build_county(int(scale), seed)
    counts: dict[str, int] = {}
    handles = {stem: open(out / name, "w", encoding="utf-8", newline="") for stem, (name, _) in FILES.items()}
    try:
        writers = {stem: _CountingWriter(handle) for stem, handle in handles.items()}
        for stem, (_, header) in FILES.items():
            writers[stem].writerow(header)
        writers["regions"].writerows(_region_rows(county))
        writers["village_year"].writerows(_village_year_rows(county, seed))
        report(0.02, "生成边界")
        counts["boundaries"] = write_boundaries(
            county, out / BOUNDARIES_FILE, seed, lambda f: report(0.02 + 0.08 * f, "生成边界")
        )
        n_townships = len(county.township_codes)
        tally = Tally(*(np.zeros((n_townships, LAST_YEAR - FIRST_YEAR + 1), dtype=np.int64) for _ in range(4)))
        counters = _Counters(projects={}, id_sequences=_IdSequences())
        for t in range(n_townships):
            _write_township(t, county, seed, writers, counters, tally)
            report(
                0.10 + 0.88 * (t + 1) / n_townships,
                f"生成贫困户与项目：{county.township_names[t]}（{t + 1}/{n_townships}）",
            )
        writers["targets"].writerows(_target_rows(county, tally, seed))
    finally:
        for handle in handles.values():
            handle.close()
    counts.update({stem: writer.rows for stem, writer in writers.items()})
    report(1.0, "演示数据已生成")
    return {stem: counts[stem] for stem in [*FILES, "boundaries"]}
