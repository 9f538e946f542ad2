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
from datetime import timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl.demo.rosters import month_ends, write_rosters
from etl.roster import Mapping, convert, propose_mapping
from queries import Database
from tests.packages import load_tables

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


# ---- converted and loaded: the demo's registry at every month end ---------------------------------------

REGISTRY = ["households_registered", "people_registered", "households_poor", "people_poor", "households_exited",
            "people_exited"]


def convert_and_load(demo_package: Path, out: Path, *, dated: bool):
    """Rosters of 田湾镇 for DAYS (dated: XLSX and CSV months alternating) → etl.roster.convert with the
    proposed mapping, saved and read back as an office keeps it → etl.load; (Conversion, database)."""
    if dated:
        files = (write_rosters(demo_package, out / "rosters", DAYS[::2], formats=["xlsx"], townships=[TOWNSHIP])
                 + write_rosters(demo_package, out / "rosters", DAYS[1::2], formats=["csv"], townships=[TOWNSHIP]))
    else:
        files = write_rosters(demo_package, out / "rosters", DAYS, formats=["csv"], townships=[TOWNSHIP], dated=False)
    mapping = propose_mapping(files[0])
    assert mapping.unplaced == ["户基本情况/家庭人口数"]  # a count, not a field: the converter counts members
    mapping = Mapping.load(mapping.save(out / "mapping.toml"))
    conversion = convert(files, out / "package", mapping=mapping, regions=demo_package / "区划.csv")
    db = out / "roster.duckdb"
    load_tables(conversion.package, db)
    return conversion, db


def figures(db: Path) -> tuple[dict, dict]:
    """registry_summary (户/人) of 田湾镇 at every month end, and the flows of every month after the first."""
    with Database(db) as database:
        registry = {day: database.query("registry_summary", as_of=day, region=TOWNSHIP_CODE)[REGISTRY].iloc[0].to_dict()
                    for day in DAYS}
        flows = {day: database.query("flows", start=before + timedelta(days=1), end=day, region=TOWNSHIP_CODE)
                 for before, day in zip(DAYS[:-1], DAYS[1:], strict=True)}
    return registry, flows


@pytest.fixture(scope="module")
def demo_figures(demo_db_path):
    registry, flows = figures(demo_db_path)
    # not an empty comparison: 田湾镇 on the demo (queries registry_summary and flows)
    assert registry[DAYS[0]] == {"households_registered": 1166, "people_registered": 3768, "households_poor": 886,
                                 "people_poor": 2883, "households_exited": 280, "people_exited": 885}
    assert registry[DAYS[-1]] == {"households_registered": 1166, "people_registered": 3766, "households_poor": 587,
                                  "people_poor": 1856, "households_exited": 579, "people_exited": 1910}
    august = flows[DAYS[1]].set_index("movement")
    assert (august.loc["识别纳入", "households"], august.loc["清退", "households"],
            august.loc["自然销户", "households"]) == (10, 8, 2)
    return registry, flows


def movement_table(flows: dict) -> pd.DataFrame:
    return pd.concat({day: frame.set_index("movement") for day, frame in flows.items()}, names=["month_end"])


def test_dated_rosters_give_the_demo_registry_at_every_month_end(demo_package, demo_figures, tmp_path):
    conversion, db = convert_and_load(demo_package, tmp_path, dated=True)
    registry, flows = figures(db)
    assert registry == demo_figures[0]
    # every movement of every month, 户 and 人, registry and still-poor stock: opening + in − out = closing
    pd.testing.assert_frame_equal(movement_table(flows), movement_table(demo_figures[1]))
    # every change carries its own date: the events of the window are the demo's, day for day
    def window(events: pd.DataFrame) -> set[tuple[str, str, str]]:
        inside = events[(events["变动日期"] > DAYS[0].isoformat()) & (events["变动日期"] <= DAYS[-1].isoformat())
                        & events["户编号"].str.startswith("H108")]  # 田湾镇's households (demo numbering)
        return set(zip(inside["户编号"], inside["变动类型"], inside["变动日期"], strict=True))

    read = lambda folder: pd.read_csv(folder / "动态管理记录.csv", dtype=str, keep_default_na=False)  # noqa: E731
    assert window(read(conversion.package)) == window(read(demo_package))
    assert len(window(read(demo_package))) == 10 + 8 + 2 + 1 + (27 + 109 + 167)
    # … and nothing is dated only to a span inside the window
    ranges = conversion.package / "日期区间.csv"
    if ranges.exists():
        inside = pd.read_csv(ranges, dtype=str, keep_default_na=False)
        assert (inside["最晚日期"] <= DAYS[0].isoformat()).all()


def test_undated_rosters_differ_only_by_the_dating_inside_the_month(demo_package, demo_figures, tmp_path):
    conversion, db = convert_and_load(demo_package, tmp_path, dated=False)
    registry, flows = figures(db)
    assert registry == demo_figures[0]  # the same registry at every month end
    converted, demo = movement_table(flows), movement_table(demo_figures[1])
    differ = converted.compare(demo, result_names=("roster", "demo"))
    # one difference in four months, and it is the dating: in November a member of a household that exited
    # in November left after the exit (the demo: 559 people exit, the one leaving later is an 已脱贫 person);
    # the undated rosters show both changes only on 2017-11-30, where the member leaving that day counts as a
    # still-poor person leaving and the exit as 558 people
    assert [(day.isoformat(), movement) for day, movement in differ.index] == [("2017-11-30", "标注脱贫"),
                                                                                ("2017-11-30", "自然减少")]
    assert converted.loc[(DAYS[-1], "标注脱贫"), ["people", "poor_people"]].tolist() == [558, -558]
    assert demo.loc[(DAYS[-1], "标注脱贫"), ["people", "poor_people"]].tolist() == [559, -559]
    assert converted.loc[(DAYS[-1], "自然减少"), "poor_people"] == -1 and demo.loc[(DAYS[-1], "自然减少"), "poor_people"] == 0
    for day in DAYS[1:]:  # households move in the same month, every kind
        assert converted.loc[day, "households"].tolist() == demo.loc[day, "households"].tolist()

    # … and the notes say so: every change in the window is dated to its roster's day, known only to lie after
    # the previous roster, listed in the package's 日期区间 and warned about by the load
    assert any("两期花名册之间" in note and "between two rosters" in note for note in conversion.notes)
    notes = (conversion.package / "转换说明.md").read_text(encoding="utf-8")
    assert "日期区间" in notes
    ranges = pd.read_csv(conversion.package / "日期区间.csv", dtype=str, keep_default_na=False)
    events = pd.read_csv(conversion.package / "动态管理记录.csv", dtype=str, keep_default_na=False)
    in_window = events[events["变动日期"] > DAYS[0].isoformat()]
    assert len(in_window) == 10 + 8 + 2 + 1 + (27 + 109 + 167)  # Aug 识别纳入/清退/自然销户, Sep 返贫, exits Sep–Nov
    span = {day.isoformat(): (before + timedelta(days=1)).isoformat() for before, day in zip(DAYS[:-1], DAYS[1:], strict=True)}
    listed = ranges[(ranges["文件"] == "events")].set_index("记录编号")
    for _, event in in_window.iterrows():
        assert event["变动日期"] in span  # a month end
        assert tuple(listed.loc[event["记录编号"], ["列", "最早日期", "最晚日期"]]) == (
            "event_date", span[event["变动日期"]], event["变动日期"])
    with Database(db) as database:
        warned = database.query("quality_load_problem_counts")
    approximate = warned[warned.check_name == "date_ranges_approximate"]
    assert int(approximate["n_problems"].sum()) == len(ranges)


def test_monitoring_rosters_give_the_demo_monitoring_figures(demo_package, demo_db_path, tmp_path):
    """After 2020 a month end has two rosters, the registry's and the monitoring objects' (监测对象花名册:
    监测对象类别, 风险类型, 纳入监测时间, 是否风险消除, 风险消除时间); converted together with the proposed
    mappings they give the demo's monitoring figures (one 认定 and two 风险消除 in October 2025)."""
    days = month_ends("2025-09", "2025-11")
    files = write_rosters(demo_package, tmp_path / "rosters", days, formats=["csv"], townships=[TOWNSHIP])
    assert [f.name for f in files[:2]] == ["roster_2025-09-30.csv", "monitoring_2025-09-30.csv"]
    conversion = convert(files, tmp_path / "package", regions=demo_package / "区划.csv")
    load_tables(conversion.package, tmp_path / "roster.duckdb")
    shown = ["households_identified", "people_identified", "households_at_risk", "people_at_risk",
             "households_cleared", "people_cleared"]

    def monitoring(db: Path) -> tuple[list, list]:
        with Database(db) as database:
            summary = [database.query("monitoring_summary", as_of=day, region=TOWNSHIP_CODE)[shown].iloc[0].tolist()
                       for day in days]
            flows = [database.query("monitoring_flows", start=before + timedelta(days=1), end=day,
                                    region=TOWNSHIP_CODE)[["movement", "households", "people"]].values.tolist()
                     for before, day in zip(days[:-1], days[1:], strict=True)]
        return summary, flows

    demo = monitoring(demo_db_path)
    assert demo[0] == [[20, 63, 6, 20, 14, 43], [21, 68, 5, 18, 16, 50], [21, 68, 5, 18, 16, 50]]
    assert demo[1][0] == [["opening", 6, 20], ["identified", 1, 5], ["cleared", 2, 7], ["joined", 0, 0],
                          ["left", 0, 0], ["closing", 5, 18]]
    assert monitoring(tmp_path / "roster.duckdb") == demo
