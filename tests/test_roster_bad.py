"""Bad rosters are refused with a message naming the file, the row as seen in Excel and the column, in
Chinese and in English: a column the mapping does not find, an unknown status value, an ambiguous village
name, two snapshots with one date (and a date nobody gives, a village the regions file lacks)."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from etl.__main__ import main as etl_main
from etl.problems import PackageError
from etl.roster import Mapping, convert, propose_mapping
from tests.conftest import FIXTURES
from tests.fixtures.rosters.make_rosters import SIMPLE_COLUMNS, person, simple_roster

ROSTERS = FIXTURES / "rosters"
REGIONS = ROSTERS / "regions" / "区划.csv"
CJK = re.compile(r"[\u3400-\u9fff]")


def refused(snapshots, out: Path, **kwargs):
    with pytest.raises(PackageError) as caught:
        convert(snapshots, out, **kwargs)
    assert not (out / "贫困户.csv").exists()  # nothing half-written
    for p in caught.value.problems:
        assert p.message_zh and p.message_en and not CJK.search(p.message_en), p
    return caught.value.problems


def household(hid: str, **more) -> list[dict[str, str]]:
    return [person(hid, "李大山", **more), person(hid, "王桂兰", relation="配偶", **more)]


def test_a_column_the_saved_mapping_does_not_find_names_file_header_row_and_column(tmp_path):
    mapping = propose_mapping(simple_roster(tmp_path / "roster_2019-09-30.csv", household("H01")))
    renamed = [c if c != "主要致贫原因" else "致贫原因（主要）" for c in SIMPLE_COLUMNS]
    rows = [dict(r, **{"致贫原因（主要）": "因病"}) for r in household("H01")]
    path = simple_roster(tmp_path / "roster_2019-10-31.csv", rows, renamed)
    problems = refused([path], tmp_path / "out", mapping=mapping, regions=REGIONS)
    assert [(p.file, p.row_number, p.column, p.check_name) for p in problems] == [
        ("roster_2019-10-31.csv", 2, "主要致贫原因", "roster_column_missing")]
    assert "映射中的列在此文件中找不到（main_cause 主要致贫原因）" in problems[0].message_zh
    assert problems[0].message_en == "a column of the mapping is not in this file (field main_cause)"


def test_an_unknown_status_value_names_its_row_and_column_until_the_mapping_maps_it(tmp_path):
    rows = household("H01") + household("H02", status="待定")
    path = simple_roster(tmp_path / "roster_2019-10-31.csv", rows)
    problems = refused([path], tmp_path / "out", regions=REGIONS)
    assert [(p.file, p.row_number, p.column, p.value, p.check_name) for p in problems] == [
        ("roster_2019-10-31.csv", 5, "贫困户状态", "待定", "roster_value_unknown"),
        ("roster_2019-10-31.csv", 6, "贫困户状态", "待定", "roster_value_unknown"),
    ]
    assert "未脱贫、已脱贫、返贫、清退、自然销户、销户" in problems[0].message_zh
    assert "unknown value (allowed: 6 values)" in problems[0].message_en
    mapping = propose_mapping(path)
    mapping.values["status"] = {"待定": "未脱贫"}  # the clerk says what it means, once
    saved = Mapping.load(mapping.save(tmp_path / "mapping.toml"))
    result = convert([path], tmp_path / "out", mapping=saved, regions=REGIONS)
    assert result.counts["events"] == 2


def test_an_ambiguous_village_name_is_refused_naming_both_regions(tmp_path):
    rows = household("H01", village="东山") + household("H02", village="东山村委会")
    path = simple_roster(tmp_path / "roster_2019-10-31.csv", rows)
    problems = refused([path], tmp_path / "out", regions=REGIONS)
    assert [(p.row_number, p.column, p.value, p.check_name) for p in problems] == [
        (3, "村", "东山", "roster_region_ambiguous")]  # 东山村委会 is 东山村: a village, not the 社区
    assert "东山村（431299100001）、东山社区（431299100002）" in problems[0].message_zh
    assert "431299100001, 431299100002" in problems[0].message_en


def test_a_village_the_regions_file_lacks_is_refused_with_its_township(tmp_path):
    path = simple_roster(tmp_path / "roster_2019-10-31.csv", household("H01", village="西山村"))
    problems = refused([path], tmp_path / "out", regions=REGIONS)
    assert [(p.row_number, p.column, p.value, p.check_name) for p in problems] == [
        (3, "村", "西山村", "roster_region_unknown")]
    assert "（上级：城关镇）" in problems[0].message_zh
    assert "(parent: 431299100000)" in problems[0].message_en


def test_two_snapshots_with_one_date_are_refused_naming_both_files(tmp_path):
    first = simple_roster(tmp_path / "roster_2019-08-31.csv", household("H01"))
    second = tmp_path / "2019年8月花名册.xlsx"
    shutil.copy(ROSTERS / "2019年8月花名册.xlsx", second)
    problems = refused([first, second], tmp_path / "out", regions=REGIONS)
    assert [(p.file, p.value, p.check_name) for p in problems] == [
        ("2019年8月花名册.xlsx", "roster_2019-08-31.csv", "roster_same_date")]
    assert problems[0].message_zh == "两份花名册日期相同（2019-08-31）且有相同的户，不能同为一期；另一份见“值”"
    assert problems[0].message_en == ("two rosters have the same date (2019-08-31) and share households, so they "
                                      "cannot be one snapshot; the other one is in the value column")


def test_a_roster_without_a_date_is_refused_until_the_flag_gives_one(tmp_path):
    path = simple_roster(tmp_path / "花名册.csv", household("H01"))
    problems = refused([path], tmp_path / "out", regions=REGIONS)
    assert [(p.file, p.check_name) for p in problems] == [("花名册.csv", "roster_no_date")]
    assert "--date" in problems[0].message_zh and "--date FILE=YYYY-MM-DD" in problems[0].message_en
    assert etl_main(["from-roster", str(path), "--regions", str(REGIONS), "--out", str(tmp_path / "out"),
                     "--date", f"{path}=2019-10-31", "--quiet"]) == 0
    assert "2019-10-31" in (tmp_path / "out" / "动态管理记录.csv").read_text(encoding="utf-8")


def test_the_command_line_prints_every_problem_masked_and_exits_1(tmp_path, capsys):
    rows = household("H01", status="待定") + [person("H09", "周小红", relation="之女", 户编号="")]
    path = simple_roster(tmp_path / "roster_2019-10-31.csv", rows)
    assert etl_main(["from-roster", str(path), "--regions", str(REGIONS), "--out", str(tmp_path / "out"),
                     "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "转换失败 / conversion failed: 3 error(s)" in out
    assert "roster_2019-10-31.csv 第3行 (row 3) 列“贫困户状态” (column 贫困户状态) 值 value='待定'" in out
    assert "roster_2019-10-31.csv 第4行 (row 4) 列“贫困户状态” (column 贫困户状态) 值 value='待定'" in out
    assert ("roster_2019-10-31.csv 第5行 (row 5) 列“户编号” (column 户编号): 此行有姓名或证件号码但没有户编号 / "
            "this row has a name or ID number but no household ID") in out


def test_every_english_reason_of_the_converter_holds_no_chinese():
    from etl.roster.messages import MESSAGES

    assert [code for code, (zh, en) in MESSAGES.items() if CJK.search(en) or not CJK.search(zh)] == []


def test_a_persons_unknown_attribute_a_repeated_row_and_a_roster_without_the_head_are_warnings(tmp_path):
    columns = SIMPLE_COLUMNS + ["健康状况", "劳动技能"]
    july = [person("H01", "李大山", 健康状况="智力残疾", 劳动技能="弱劳动力或半劳动力"),
            person("H01", "王桂兰", relation="配偶", 健康状况="大病"),
            person("H01", "王桂兰", relation="配偶"),  # the same person twice
            person("H02", "张德福")]
    august = [person("H01", "李大山", 劳动技能="半劳动力"), person("H01", "王桂兰", relation="配偶", 健康状况="大病"),
              person("H02", "刘秀英", relation="配偶", serial=777)]  # H02's head missing this month
    first = simple_roster(tmp_path / "roster_2019-07-31.csv", july, columns)
    second = simple_roster(tmp_path / "roster_2019-08-31.csv", august, columns)
    result = convert([first, second], tmp_path / "out", regions=REGIONS)
    assert [(p.file, p.row_number, p.column, p.value, p.check_name) for p in result.warnings] == [
        ("roster_2019-07-31.csv", 3, "健康状况", "智力残疾", "roster_value_left_empty"),
        ("roster_2019-07-31.csv", 5, "证件号码", None, "roster_duplicate_person"),
        ("roster_2019-08-31.csv", 5, "与户主关系", "H02", "roster_head_missing"),
    ]
    assert result.warnings[0].message_en.startswith("unknown value (allowed: 4 values), left empty")
    with open(tmp_path / "out" / "家庭成员.csv", encoding="utf-8", newline="") as f:
        members = {(r["姓名"], r["健康状况"], r["劳动技能"], r["与户主关系"]) for r in csv.DictReader(f)}
    # a person's attributes are those of the latest roster (半劳动力 and 大病: the default value tables); 张德福
    # stays H02's head (he left in August: the roster no longer lists him)
    assert members == {("李大山", "", "弱劳动力", "户主"), ("王桂兰", "患有大病", "", "配偶"), ("张德福", "", "", "户主"),
                       ("刘秀英", "", "", "配偶")}


def test_a_household_without_a_head_in_any_roster_is_refused(tmp_path):
    path = simple_roster(tmp_path / "roster_2019-07-31.csv", [person("H01", "王桂兰", relation="配偶")])
    problems = refused([path], tmp_path / "out", regions=REGIONS)
    assert [(p.file, p.row_number, p.column, p.value, p.check_name, p.severity) for p in problems] == [
        ("roster_2019-07-31.csv", 3, "与户主关系", "H01", "roster_head_missing", "error")]


def test_the_package_goes_to_a_new_folder_or_over_an_earlier_conversion_only_readable_by_its_owner(tmp_path):
    rosters = tmp_path / "八月"
    rosters.mkdir()
    simple_roster(rosters / "城关镇.csv", household("H01"))
    simple_roster(rosters / "石门乡.csv", household("H02", township="石门乡", village="石门村"))
    problems = refused([rosters], rosters, regions=REGIONS, dates={rosters: date(2019, 8, 31)})
    assert [(p.file, p.check_name) for p in problems] == [(str(rosters), "roster_out_not_empty")]
    assert sorted(p.name for p in rosters.iterdir()) == ["城关镇.csv", "石门乡.csv"]  # nothing written or removed
    out = tmp_path / "package"
    for _ in range(2):  # the second time over the first
        result = convert([rosters], out, regions=REGIONS, dates={rosters: date(2019, 8, 31)})
    assert result.counts["events"] == 2 and "八月/城关镇.csv: 2019-08-31" in (out / "转换说明.md").read_text("utf-8")
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {"0o600"}
    assert oct(out.stat().st_mode & 0o777) == "0o700"
