"""Roster snapshots to figures: the three monthly rosters of tests/fixtures/rosters (a GB18030 CSV and two
.xlsx written as an office writes them) convert with `python -m etl from-roster`, load with
`python -m etl load` into a real DuckDB, and give the figures worked out by hand in
tests/fixtures/rosters/EXPECTED.md."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main as etl_main
from etl.roster import NOTES_FILE, Mapping, convert
from queries import Database
from tests.conftest import FIXTURES, ROOT

ROSTERS = FIXTURES / "rosters"
FILES = [ROSTERS / "roster_2019-07-31.csv", ROSTERS / "2019年8月花名册.xlsx", ROSTERS / "2019年9月花名册.xlsx"]
REGIONS = ROSTERS / "regions" / "区划.csv"
COUNTY = "431299000000"


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> tuple[Path, str]:
    """The package as the command line writes it (a real `python -m etl from-roster` process)."""
    folder = tmp_path_factory.mktemp("roster")
    out = folder / "package"
    run = subprocess.run([sys.executable, "-m", "etl", "from-roster", *map(str, FILES), "--regions", str(REGIONS),
                          "--out", str(out), "--save-mapping", str(folder / "mapping.toml"), "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert run.returncode == 0, run.stdout + run.stderr
    return out, run.stdout


@pytest.fixture(scope="module")
def db(converted, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roster_db") / "county.duckdb"
    assert etl_main(["load", str(converted[0]), "--db", str(path), "--quiet"]) == 0
    return path


def test_the_package_holds_the_events_worked_out_by_hand(converted):
    package, stdout = converted
    events = [(e["户编号"], e["变动类型"], e["变动日期"]) for e in rows(package / "动态管理记录.csv")]
    assert sorted(events) == sorted([
        ("H01", "识别纳入", "2014-05-10"), ("H02", "识别纳入", "2014-05-10"), ("H02", "标注脱贫", "2019-08-15"),
        ("H03", "识别纳入", "2014-05-10"), ("H03", "标注脱贫", "2018-12-20"), ("H03", "返贫", "2019-08-31"),
        ("H04", "识别纳入", "2014-05-10"), ("H04", "清退", "2019-08-31"), ("H05", "识别纳入", "2014-05-10"),
        ("H05", "自然销户", "2019-08-20"), ("H06", "识别纳入", "2019-08-10"), ("H07", "识别纳入", "2014-05-10"),
        ("H08", "识别纳入", "2019-09-30"),
    ])
    members = rows(package / "家庭成员.csv")
    assert len(members) == 23
    moved = {(m["姓名"], m["加入日期"], m["减少日期"]) for m in members if m["加入日期"] or m["减少日期"]}
    assert moved == {("郑小宝", "2019-09-30", ""), ("陈二", "", "2019-09-30")}
    households = {h["户编号"]: h for h in rows(package / "贫困户.csv")}
    assert households["H05"]["贫困户属性"] == "低保贫困户"  # 低保户 in the roster: the value map
    assert households["H03"]["区划代码"] == "431299200001"  # 石门村民委员会 / 石门村委会 / 石门村, in 石门　乡
    assert households["H06"]["区划代码"] == "431299200002"  # 桃园 / 桃园村委会
    assert {households[h]["区划代码"] for h in ("H01", "H02", "H07")} == {"431299100001"}  # 东山村, not 东山社区
    assert households["H02"]["户主姓名"] == "张德福"
    ranges = [(r["文件"], r["记录编号"].split("-")[0], r["列"], r["最早日期"], r["最晚日期"])
              for r in rows(package / "日期区间.csv")]
    assert sorted(ranges) == sorted([
        ("events", "H03", "event_date", "2019-08-01", "2019-08-31"),
        ("events", "H04", "event_date", "2019-08-01", "2019-08-31"),
        ("events", "H08", "event_date", "2019-09-01", "2019-09-30"),
        ("members", "H06", "joined_on", "2019-09-01", "2019-09-30"),
        ("members", "H07", "left_on", "2019-09-01", "2019-09-30"),
    ])
    notes = (package / NOTES_FILE).read_text(encoding="utf-8")
    assert "roster_2019-07-31.csv: 2019-07-31" in notes and "2019年9月花名册.xlsx: 2019-09-30" in notes
    assert "5 个日期只知在两期花名册之间" in notes and "5 dates are only known to lie between two rosters" in notes
    assert "5 dates are only known" in stdout
    assert "跳过合计/注释行 skipped totals/notes rows 22, 23" in notes  # July: 18 people on rows 4-21, then 合计 and 填表人


@pytest.mark.parametrize("as_of, figures", [
    ("2019-07-31", (6, 18, 5, 16, 1, 2)),
    ("2019-08-31", (5, 16, 4, 12, 1, 4)),
    ("2019-09-30", (6, 18, 5, 14, 1, 4)),
])
def test_registry_figures_at_each_month_end_are_the_hand_worked_ones(db, as_of, figures):
    with Database(db) as database:
        row = database.query("registry_summary", as_of=as_of, region=COUNTY).iloc[0]
    got = tuple(int(row[c]) for c in ("households_registered", "people_registered", "households_poor", "people_poor",
                                      "households_exited", "people_exited"))
    assert got == figures
    assert int(row["rural_population"]) == 1400
    assert row["incidence"] == pytest.approx(figures[3] / 1400)
    assert (int(row["poor_villages_total"]), int(row["poor_villages_exited"])) == (2, 0)


def test_flows_of_august_and_september_are_the_hand_worked_ones(db):
    with Database(db) as database:
        august = database.query("flows", start="2019-08-01", end="2019-08-31", region=COUNTY).set_index("movement")
        september = database.query("flows", start="2019-09-01", end="2019-09-30", region=COUNTY).set_index("movement")
    pairs = lambda frame: {m: (int(frame.loc[m, "households"]), int(frame.loc[m, "people"]))  # noqa: E731
                           for m in frame.index}
    assert pairs(august) == {"期初在册": (6, 18), "期初未脱贫": (5, 16), "识别纳入": (1, 2), "返贫": (1, 2),
                             "标注脱贫": (1, 4), "清退": (1, 3), "自然销户": (1, 1), "自然增加": (0, 0),
                             "自然减少": (0, 0), "期末在册": (5, 16), "期末未脱贫": (4, 12)}
    assert pairs(september) == {"期初在册": (5, 16), "期初未脱贫": (4, 12), "识别纳入": (1, 2), "返贫": (0, 0),
                                "标注脱贫": (0, 0), "清退": (0, 0), "自然销户": (0, 0), "自然增加": (0, 1),
                                "自然减少": (0, 1), "期末在册": (6, 18), "期末未脱贫": (5, 14)}


def test_each_date_only_known_between_two_rosters_is_a_load_warning(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = con.execute("select file, row_number, column_name, value, message_zh, message_en from load_problems "
                            "where check_name = 'date_ranges_approximate' order by file, row_number").fetchall()
    finally:
        con.close()
    assert [(f, c, v) for f, _r, c, v, _z, _e in found] == [
        ("动态管理记录.csv", "变动日期", "2019-08-31"), ("动态管理记录.csv", "变动日期", "2019-08-31"),
        ("动态管理记录.csv", "变动日期", "2019-09-30"),
        ("家庭成员.csv", "减少日期", "2019-09-30"), ("家庭成员.csv", "加入日期", "2019-09-30"),
    ]
    assert "2019-08-01 … 2019-08-31" in found[0][4] and "between two roster snapshots" in found[0][5]


def test_a_saved_mapping_a_folder_and_a_zip_give_the_same_package(converted, tmp_path):
    package, _ = converted
    mapping = Mapping.load(package.parent / "mapping.toml")
    assert mapping.columns["head_name"] == "户主信息/姓名" and mapping.columns["name"] == "家庭成员信息/姓名"
    assert (mapping.header_row, mapping.header_rows, mapping.unplaced) == (2, 2, [])
    folder = tmp_path / "rosters"
    folder.mkdir()
    for path in FILES:
        shutil.copy(path, folder / path.name)
    with zipfile.ZipFile(tmp_path / "rosters.zip", "w") as zf:
        for path in FILES:
            zf.write(path, f"花名册/{path.name}")
    for source, name, regions in ((folder, "from_folder", REGIONS), (tmp_path / "rosters.zip", "from_zip",
                                                                      REGIONS.parent)):  # the folder holding 区划.csv
        result = convert([source], tmp_path / name, mapping=mapping, regions=regions)
        assert result.counts["events"] == 13
        for file in ("动态管理记录.csv", "家庭成员.csv", "贫困户.csv", "日期区间.csv", "区划.csv", "村年度情况.csv"):
            assert (tmp_path / name / file).read_bytes() == (package / file).read_bytes(), (name, file)


def test_august_as_an_xls_export_gives_the_same_package(converted, tmp_path):
    """The August roster as Excel 97–2003 (tests/fixtures/rosters/2019年8月花名册.xls, the same cells as the
    .xlsx) in place of the .xlsx: the same package, byte for byte."""
    package, _ = converted
    mapping = Mapping.load(package.parent / "mapping.toml")
    files = [ROSTERS / "roster_2019-07-31.csv", ROSTERS / "2019年8月花名册.xls", ROSTERS / "2019年9月花名册.xlsx"]
    result = convert(files, tmp_path / "from_xls", mapping=mapping, regions=REGIONS)
    assert result.counts["events"] == 13
    for file in ("动态管理记录.csv", "家庭成员.csv", "贫困户.csv", "日期区间.csv", "区划.csv", "村年度情况.csv"):
        assert (tmp_path / "from_xls" / file).read_bytes() == (package / file).read_bytes(), file


def test_a_date_ranges_row_naming_no_record_is_warned_about_at_its_own_row(tmp_path):
    package = shutil.copytree(FIXTURES / "tiny", tmp_path / "tiny")
    (package / "日期区间.csv").write_text(
        "文件,记录编号,列,最早日期,最晚日期,说明\n"
        "动态管理记录,E05,event_date,,2018-06-01,\n"  # the Chinese file name, no earliest
        "events,E99,event_date,2018-01-01,2018-02-01,no such event\n", encoding="utf-8")
    result = etl_main(["load", str(package), "--db", str(tmp_path / "db.duckdb"), "--quiet"])
    assert result == 0
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    try:
        found = con.execute("select file, row_number, column_name, value, message_zh from load_problems "
                            "where check_name = 'date_ranges_approximate' order by file").fetchall()
    finally:
        con.close()
    assert found == [
        ("动态管理记录.csv", 6, "变动日期", "2018-06-01", "此日期只知在 ? … 2018-06-01 之间（如两期花名册之间），记为较晚的一端，请核实"),
        ("日期区间.csv", 3, "记录编号", "E99", "此日期只知在 2018-01-01 … 2018-02-01 之间（如两期花名册之间），记为较晚的一端，请核实"),
    ]
