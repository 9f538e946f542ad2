"""Demo rosters (etl/demo/rosters.py): the demo county exported month by month as an office exports it,
and — converted by the roster converter (etl/roster) and loaded by the loader — the same registry as
the demo package itself at every month end.

One township, 田湾镇 (439901108000), over the month ends 2017-07-31 … 2017-11-30 keeps the test short
while every kind of change happens in the window: 识别纳入, 清退 and 自然销户 in August, 返贫 in September,
标注脱贫 from September on, members joining (2017-09-21, 2017-11-08, 2017-11-22) and leaving.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl.demo.rosters import month_ends, write_rosters

pytestmark = pytest.mark.slow  # generates the demo county and loads it

TOWNSHIP, TOWNSHIP_CODE = "田湾镇", "439901108000"
DAYS = month_ends("2017-07", "2017-11")


def read_csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))))


@pytest.fixture(scope="module")
def july(demo_package, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("july")
    written = write_rosters(demo_package, out, DAYS[:1], townships=[TOWNSHIP])
    return {p.suffix: p for p in written}


def test_a_roster_is_written_as_offices_write_them(july):
    rows = read_csv_rows(july[".csv"])  # GB18030: the bytes are not UTF-8
    with pytest.raises(UnicodeDecodeError):
        july[".csv"].read_bytes().decode("utf-8")
    assert july[".csv"].name == "roster_2017-07-31.csv" and july[".xlsx"].name == "田湾镇2017年7月花名册.xlsx"
    assert rows[0][0] == "田湾镇建档立卡贫困人口花名册（截至2017年7月31日）" and set(rows[0][1:]) == {""}
    # the two-row header: groups over the columns (a merged cell's text in its first cell), then the labels
    assert [g for g in rows[1] if g] == ["序号", "行政区划", "户基本情况", "家庭成员情况"]
    labels = rows[2]
    assert labels[:7] == ["", "省", "市", "县", "乡镇", "村", "户编号"]
    for label in ("贫困户属性", "主要致贫原因", "纳入时间", "脱贫时间", "返贫时间", "贫困户状态", "销户时间",
                  "销户原因", "姓名", "证件号码", "与户主关系", "加入时间", "减少时间", "减少原因"):
        assert label in labels
    body, totals = rows[3:-1], rows[-1]
    assert [r[0] for r in body] == [str(n) for n in range(1, len(body) + 1)]  # 序号
    # 田湾镇 at 2017-07-31: 1166户3768人 registered (registry_summary on the demo), plus the 7 households
    # removed (清退) in July with the 19 members they had, plus 2 members who left in July (07-07 death,
    # 07-15 婚出) = 1173户 3789 person rows
    assert (totals[0], totals[labels.index("户编号")], totals[labels.index("姓名")]) == ("合计", "1173户", "3789人")
    assert len(body) == 3789
    frame = pd.DataFrame(body, columns=["序号", *labels[1:]])
    status = frame.drop_duplicates("户编号")["贫困户状态"].value_counts().to_dict()
    assert status == {"未脱贫": 885, "已脱贫": 280, "清退": 7, "返贫": 1}  # 886 still poor = 885 + 1 返贫
    left = frame[frame["减少时间"] != ""]
    assert sorted(zip(left["减少时间"], left["减少原因"], strict=True)) == [("2017-07-07", "死亡"), ("2017-07-15", "婚出")]
    removed = frame[frame["贫困户状态"] == "清退"].drop_duplicates("户编号")
    assert sorted(removed["销户时间"]) == ["2017-07-02", "2017-07-04", "2017-07-12", "2017-07-19", "2017-07-20",
                                         "2017-07-23", "2017-07-25"]
    # offices' spellings: 低保户 / 五保户, and villages written with their committee's name or not
    assert set(frame["贫困户属性"]) == {"一般贫困户", "低保户", "五保户"}
    villages = set(frame["村"])
    assert {"柳潭村", "九台村民委员会", "坪洲村委会"} <= villages and len(villages) == 14
    assert frame["户编号"].iloc[0] == "H10820100001" and frame["与户主关系"].iloc[0] == "户主"  # the head first

    sheet = openpyxl.load_workbook(july[".xlsx"]).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:AC1" in merged and "A2:A3" in merged  # the title over the sheet; 序号 down both header rows
    assert {"B2:F2", "G2:Q2", "R2:AC2"} <= merged  # 行政区划 over 省 … 村, 户基本情况, 家庭成员情况
    assert sheet["A1"].value == rows[0][0] and sheet["B3"].value == "省"
    assert sheet.cell(4, 1).value == 1 and sheet.cell(4, 7).value == "H10820100001"
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "合计" and last == 3 + 3789 + 1


def test_rosters_are_deterministic_and_undated_ones_carry_years_only(demo_package, july, tmp_path):
    again = write_rosters(demo_package, tmp_path / "again", DAYS[:1], formats=["csv"], townships=[TOWNSHIP])
    assert again[0].read_bytes() == july[".csv"].read_bytes()
    undated = write_rosters(demo_package, tmp_path / "undated", DAYS[:1], formats=["csv"], townships=[TOWNSHIP],
                            dated=False)
    labels = read_csv_rows(undated[0])[2]
    assert "识别年度" in labels and "脱贫年度" in labels
    assert not {"纳入时间", "脱贫时间", "返贫时间", "销户时间", "加入时间", "减少时间"} & set(labels)
    assert read_csv_rows(undated[0])[-1][labels.index("姓名")] == "3787人"  # no leavers listed: 3789 − 2
