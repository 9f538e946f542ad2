"""The tiny county with deliberate defects the load lets through (as warnings, or not at all), one per
data-quality check; tests/test_queries_quality.py and tests/test_page_data_quality.py assert each.

Starting from tests/fixtures/tiny (its stories in EXPECTED.md):
- 贫困户.csv gains an extra column 备注 (warning column_extra, row 1) and H1's head is written 赵大三
  while the members file says 赵大山 (warning households_head_mismatch, row 2);
- 家庭成员.csv: P2's ID number ends in 2 instead of 1, so its GB 11643 check digit fails (warning
  id_number_checksum, row 3); H6's remaining members P15 and P17 leave on 2019-01-01 (P16 died in
  2016) while H6 stays registered, so from that day H6 has no member present; P18 joins H5 on
  2019-06-01 with P3's ID number while P3 is still in H1: one person in two households;
- 户年度收入与保障.csv gains four rows: 2019 H6 net income 100 − 5,000 = −4,900 (negative);
  2018 H1 150,000 ÷ 4 = 37,500 per person > 10 × 2,995 = 29,950 (flagged); 2017 H1 88,560 ÷ 3
  = 29,520 = exactly 10 × 2,952 (not above: not flagged); 2017 H6 all zero (net 0: not flagged);
- 边界.geojson holds boxes for 一村 and 甲乡 only, so 二村 and 三村 lack a boundary.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import TINY
from tests.packages import copy_package, edit_csv, read_rows, write_rows

P3_ID = "430101199209090012"


def _households(rows):
    for row in rows:
        row["备注"] = ""
        if row["户编号"] == "H1":
            row["户主姓名"] = "赵大三"
    return rows


def _members(rows):
    for row in rows:
        if row["人员编号"] == "P2":
            row["证件号码"] = "430101196706060022"
        if row["人员编号"] in ("P15", "P17"):
            row["减少日期"], row["减少原因"] = "2019-01-01", "迁出"
    p18 = dict.fromkeys(rows[0], "")
    p18.update({"人员编号": "P18", "户编号": "H5", "姓名": "赵小明", "证件号码": P3_ID, "与户主关系": "其他",
                "性别": "男", "出生日期": "1992-09-09", "健康状况": "健康", "劳动技能": "普通劳动力",
                "加入日期": "2019-06-01"})
    return [*rows, p18]


def _incomes(rows):
    def row(**values):
        return {**dict.fromkeys(rows[0], ""), **values}
    return [
        *rows,
        row(年度="2019", 户编号="H6", 家庭人口="1", 工资性收入="100", 生产经营性支出="5000"),
        row(年度="2018", 户编号="H1", 家庭人口="4", 工资性收入="150000"),
        row(年度="2017", 户编号="H1", 家庭人口="3", 工资性收入="88560"),
        row(年度="2017", 户编号="H6", 家庭人口="2", 工资性收入="0", 生产经营性收入="0", 财产性收入="0",
            转移性收入="0", 生产经营性支出="0"),
    ]


def _box(west: float, south: float) -> dict:
    ring = [[west, south], [west + 0.05, south], [west + 0.05, south + 0.05], [west, south + 0.05], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_defects_package(target: Path) -> Path:
    package = copy_package(TINY, target)
    households = package / "贫困户.csv"
    rows = _households(read_rows(households))
    write_rows(households, rows, list(rows[0]))  # the extra column goes last
    edit_csv(package, "家庭成员", _members)
    edit_csv(package, "户年度收入与保障", _incomes)
    features = [{"type": "Feature", "properties": {"区划代码": code}, "geometry": _box(112.90, 28.20)}
                for code in ("430101100001", "430101100000")]
    (package / "边界.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                                        encoding="utf-8")
    return package
