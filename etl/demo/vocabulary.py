"""The demo county's vocabulary: the contract's file names, the fixed names and
weights of the fictional county (categories, causes, projects, funds, people's and places' names),
the calendar helpers (days as integers) and resident ID numbers (GB 11643)."""

from __future__ import annotations

import functools
import math

import numpy as np

from etl.contract import contract

# The one definition is etl/schema.sql (read by etl/contract.py); columns are written in its order. 日期区间
# (date_ranges) is not a file a county's system exports: the roster converter writes it (etl/roster).
FILES: dict[str, tuple[str, list[str]]] = {
    spec.table: (f"{spec.stem_zh}.csv", [column.header_zh for column in spec.columns]) for spec in contract().files
    if spec.table != "date_ranges"
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
_TABLE_END = np.datetime64("2027-01-01", "D")  # monitoring after 2020 runs into 2026
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
