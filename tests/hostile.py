"""The tiny county with hostile text in every free-text field a page shows: region names, project names,
departments, the leading industry and a household head carry markdown links and images, raw HTML,
`javascript:` links, bare URLs, Streamlit directives and a spreadsheet formula. A page must show each
as the text it is — no link, no image, no request — and no download may carry a live formula.

Starting from tests/fixtures/tiny (its stories in EXPECTED.md); codes, dates and amounts are unchanged,
so every figure of the tiny county still holds. 边界.geojson gives every 乡镇 and 村 a box, so the map
draws (and hovers) every hostile name.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import TINY
from tests.packages import copy_package, edit_csv

OUTSIDE = "evil.example"  # every link or image below points here; nothing may ever fetch or link it
FORMULA = "=cmd|' /C calc'!A0"

NAMES = {  # 区划代码 → hostile 名称 (each keeps its real name first, so a test can find it)
    "430101000000": f"小试县 [重新登录](http://{OUTSIDE}/login)",
    "430101100000": f'甲乡<a href="http://{OUTSIDE}/a">点此</a>',
    "430101100001": f"一村![t](http://{OUTSIDE}/t.png)",
    "430101100002": "二村[x](javascript:alert(1)) javascript:alert(2)",
    "430101200000": f"乙镇 http://{OUTSIDE}/bare www.{OUTSIDE} **粗**",
    "430101200001": f"三村<img src=http://{OUTSIDE}/i.png>:red[红]<script>alert(3)</script>",
}
PROJECT_NAME = f"茶园[项目](http://{OUTSIDE}/p)"
DEPARTMENT = f"<b>农业局</b> https://{OUTSIDE}/d"
INDUSTRY = f"茶叶![i](http://{OUTSIDE}/industry.png)"
HEAD_NAME = FORMULA  # H1's head: a formula where a name should be

# Text that, found in a rendered markdown body, would be a live link, image or HTML from the data.
MARKUP = ("](", "<a", "<img", "<script", "<b>", ":red[", "**粗**", "javascript:alert")


def make_hostile_package(target: Path) -> Path:
    package = copy_package(TINY, target)

    def regions(rows):
        for row in rows:
            row["名称"] = NAMES[row["区划代码"]]
        return rows

    def projects(rows):
        for row in rows:
            if row["项目编号"] == "XM1":
                row["项目名称"] = PROJECT_NAME
            row["主管部门"] = DEPARTMENT
        return rows

    def village_years(rows):
        for row in rows:
            if row["主导产业"]:
                row["主导产业"] = INDUSTRY
        return rows

    def households(rows):
        for row in rows:
            if row["户编号"] == "H1":
                row["户主姓名"] = HEAD_NAME
        return rows

    def members(rows):
        for row in rows:
            if row["人员编号"] == "P1":
                row["姓名"] = HEAD_NAME
        return rows

    edit_csv(package, "区划", regions)
    edit_csv(package, "扶贫项目", projects)
    edit_csv(package, "村年度情况", village_years)
    edit_csv(package, "贫困户", households)
    edit_csv(package, "家庭成员", members)
    features = [{"type": "Feature", "properties": {"区划代码": code}, "geometry": _box(112.90 + 0.06 * i, 28.20)}
                for i, code in enumerate(c for c in NAMES if not c.endswith("000000"))]
    (package / "边界.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                                        encoding="utf-8")
    return package


def _box(west: float, south: float) -> dict:
    ring = [[west, south], [west + 0.05, south], [west + 0.05, south + 0.05], [west, south + 0.05], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}
