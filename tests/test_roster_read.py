"""Reading rosters as offices write them (title rows, merged two-row headers, 序号, totals rows), proposing
and keeping a mapping (TOML), dates from file names and columns, region names to codes, and previews."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from etl.problems import PackageError
from etl.roster import Mapping, convert, preview, propose_mapping
from etl.roster.regions import RegionFile
from etl.roster.sheet import read_sheet, read_table
from etl.roster.snapshots import date_from_name
from queries import Database
from tests.conftest import FIXTURES
from tests.fixtures.rosters.make_rosters import SIMPLE_COLUMNS, person, simple_roster
from tests.packages import load_tables

ROSTERS = FIXTURES / "rosters"
REGIONS = ROSTERS / "regions" / "区划.csv"


def test_the_gb18030_csv_and_the_merged_xlsx_read_into_the_same_header_and_rows():
    csv_table = read_table(read_sheet(ROSTERS / "roster_2019-07-31.csv"))
    xlsx_table = read_table(read_sheet(ROSTERS / "2019年8月花名册.xlsx"))
    for table in (csv_table, xlsx_table):
        assert (table.header_row, table.header_rows) == (2, 2)  # below the title row
        assert table.labels[:6] == ["序号", "乡镇", "村", "户编号", "户主信息/姓名", "户主信息/证件号码"]
        assert table.labels[6:9] == ["家庭成员信息/姓名", "家庭成员信息/证件号码", "家庭成员信息/与户主关系"]
        assert table.labels[-1] == "销户时间"
    assert [n for n, _ in csv_table.rows] == list(range(4, 22))  # 18 people
    assert [(n, text[:2]) for n, text in csv_table.skipped] == [(22, "合计"), (23, "填表")]
    assert csv_table.rows[0][1][:4] == ["1", "城关镇", "东山村委会", "H01"]
    assert [n for n, _ in xlsx_table.rows] == list(range(4, 21)) and len(xlsx_table.skipped) == 2


def test_the_xls_roster_reads_as_its_xlsx_does():
    """An Excel 97–2003 export (tests/fixtures/make_xls.py wrote it from the August .xlsx: the same
    cells, the header groups merged the same way) reads into the same header, rows and skipped rows."""
    xls = read_table(read_sheet(ROSTERS / "2019年8月花名册.xls"))
    xlsx = read_table(read_sheet(ROSTERS / "2019年8月花名册.xlsx"))
    assert (xls.header_row, xls.header_rows, xls.labels) == (xlsx.header_row, xlsx.header_rows, xlsx.labels)
    assert xls.labels[4:6] == ["户主信息/姓名", "户主信息/证件号码"]  # the merged group over its two columns
    assert xls.rows == xlsx.rows and len(xls.rows) == 17
    assert xls.skipped == xlsx.skipped


def test_the_proposal_places_known_headers_and_lists_the_others(tmp_path):
    columns = SIMPLE_COLUMNS + ["帮扶责任人", "联系电话", "备注", "识别年度", "脱贫年度", "身份证号码"]
    columns.remove("证件号码")
    path = simple_roster(tmp_path / "roster_2019-07-31.csv", [person("H01", "李大山")], columns, title=None)
    mapping = propose_mapping(path)
    assert mapping.unplaced == ["帮扶责任人", "联系电话"]  # 序号 and 备注 are neither placed nor unplaced
    assert mapping.columns == {"township": "乡镇", "village": "村", "household_id": "户编号", "name": "姓名",
                               "relation": "与户主关系", "category": "贫困户属性", "main_cause": "主要致贫原因",
                               "status": "贫困户状态", "registered_year": "识别年度", "exit_year": "脱贫年度",
                               "id_number": "身份证号码"}
    assert (mapping.header_row, mapping.header_rows) == (1, 1)
    result = convert([path], tmp_path / "package", regions=REGIONS)
    assert ("roster_2019-07-31.csv: 2019-07-31, 1 行 rows; 未用的列 columns not used: 帮扶责任人, 联系电话"
            in (result.package / "转换说明.md").read_text(encoding="utf-8"))


def test_a_mapping_survives_saving_and_loading_with_any_text(tmp_path):
    mapping = Mapping(columns={"household_id": '户编号 "A"', "status": "状态\\旧", "name": "姓名\n(全称)"},
                      values={"status": {"已脱贫（不享受政策）": "已脱贫", 'x"y': "未脱贫"}},
                      header_row=3, header_rows=2, skip_words=["合计", "注："], removal="自然销户",
                      date_from="file_name", unplaced=["帮扶责任人", "电话#1"])
    text = mapping.to_toml()
    assert "[values.\"status\"]" in text and "\"household_id\" = \"户编号 \\\"A\\\"\"  # 户编号" in text
    loaded = Mapping.load(mapping.save(tmp_path / "mapping.toml"))
    assert loaded == mapping
    (tmp_path / "bad.toml").write_text("[columns\nhousehold_id = 1", encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        Mapping.load(tmp_path / "bad.toml")
    assert caught.value.problems[0].check_name == "roster_mapping_unreadable"
    (tmp_path / "unknown.toml").write_text('[columns]\n"household" = "户编号"\n', encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        Mapping.load(tmp_path / "unknown.toml")
    assert [(p.file, p.column, p.check_name) for p in caught.value.problems] == [
        ("unknown.toml", "household", "roster_mapping_field_unknown")]
    (tmp_path / "rule.toml").write_text('[removal]\nrule = "删除"\n', encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        Mapping.load(tmp_path / "rule.toml")
    assert caught.value.problems[0].column == "removal.rule"


@pytest.mark.parametrize("name, day", [
    ("2019年8月花名册.xlsx", date(2019, 8, 31)),
    ("roster_2019-08-31.csv", date(2019, 8, 31)),
    ("小河县2020年2月花名册.xls", date(2020, 2, 29)),
    ("2019年第三季度花名册.xlsx", date(2019, 9, 30)),
    ("花名册20190815.csv", date(2019, 8, 15)),
    ("花名册2019.12.csv", date(2019, 12, 31)),
    ("2019年12月20日花名册.csv", date(2019, 12, 20)),
    ("2019年底花名册.csv", date(2019, 12, 31)),
    ("花名册.csv", None),
])
def test_a_snapshot_date_from_the_file_name(name, day):
    assert date_from_name(name) == day


def test_a_snapshot_date_from_its_column_and_one_roster_with_two_dates(tmp_path):
    columns = SIMPLE_COLUMNS + ["统计日期"]
    good = simple_roster(tmp_path / "花名册甲.csv", [person("H01", "李大山", 统计日期="2019/10/31"),
                                                   person("H01", "王桂兰", relation="配偶", 统计日期="2019年10月31日")],
                         columns)
    result = convert([good], tmp_path / "out", regions=REGIONS)
    assert "花名册甲.csv: 2019-10-31" in (result.package / "转换说明.md").read_text(encoding="utf-8")
    bad = simple_roster(tmp_path / "花名册乙.csv", [person("H01", "李大山", 统计日期="2019-10-31"),
                                                  person("H01", "王桂兰", relation="配偶", 统计日期="2019-11-30")],
                        columns)
    with pytest.raises(PackageError) as caught:
        convert([bad], tmp_path / "out2", regions=REGIONS)
    assert [(p.file, p.row_number, p.column, p.value, p.check_name) for p in caught.value.problems] == [
        ("花名册乙.csv", 4, "统计日期", "2019-11-30", "roster_dates_differ")]


def test_region_names_match_along_the_hierarchy_with_their_usual_variants():
    regions = RegionFile.read(REGIONS)
    code = lambda **names: regions.match(names)[0]  # noqa: E731
    assert code(township="城关镇", village="东山村委会") == "431299100001"
    assert code(township="城关", village="东山村民委员会") == "431299100001"
    assert code(township="城关镇人民政府", village="东山社区居委会") == "431299100002"
    assert code(township="城关镇", village="东山社区居民委员会") == "431299100002"
    assert code(township="城关镇", village="东山村村民委员会") == "431299100001"
    assert code(township="石门\u3000乡", village="桃园") == "431299200002"  # a full-width space
    assert code(township="ＳＭ", village="桃园") is None
    assert code(village="桃园村委会") == "431299200002"  # no township column: the village is unique in the county
    assert code(county="小河县", township="石门乡", village="石门村") == "431299200001"
    _code, level, reason, found = regions.match({"township": "城关镇", "village": "东山"})
    assert (level, reason, [r.code for r in found]) == ("village", "roster_region_ambiguous",
                                                        ["431299100001", "431299100002"])
    assert regions.match({"township": "石门乡", "village": "东山村"})[2] == "roster_region_unknown"


def test_without_a_regions_file_codes_are_built_and_the_notes_say_so(tmp_path):
    rows = [person("H01", "李大山"), person("H02", "张德福", township="石门乡", village="桃园村委会"),
            person("H03", "赵老四", township="石门乡", village="桃园村")]
    path = simple_roster(tmp_path / "roster_2019-07-31.csv", rows, SIMPLE_COLUMNS + ["县"])
    result = convert([path], tmp_path / "package")
    with open(tmp_path / "package" / "区划.csv", encoding="utf-8", newline="") as f:
        built = [(r["区划代码"], r["名称"], r["层级"], r["上级代码"]) for r in csv.DictReader(f)]
    assert built == [("990101000000", "未命名县", "县", ""),
                     ("990101001000", "城关镇", "乡镇", "990101000000"),
                     ("990101002000", "石门乡", "乡镇", "990101000000"),
                     ("990101001001", "东山村", "村", "990101001000"),
                     ("990101002001", "桃园村委会", "村", "990101002000")]  # 桃园村委会 = 桃园村
    assert any("区划代码由转换程序按名称自行编制" in n and "the converter built region codes" in n for n in result.notes)
    loaded = load_tables(result.package, tmp_path / "db.duckdb")
    with Database(loaded.db_path) as db:
        row = db.query("registry_summary", as_of="2019-07-31", region="990101000000").iloc[0]
    assert (int(row["households_registered"]), int(row["people_registered"])) == (3, 3)
    assert row["incidence"] is None or row["incidence"] != row["incidence"]  # no village_year: no incidence


def test_the_preview_shows_the_first_rows_as_the_mapping_reads_them(tmp_path):
    rows = [person("H01", "李大山", 贫困户属性="低保户", 贫困户状态="已脱贫（享受政策）"),
            person("H01", "王桂兰", relation="本人", 贫困户状态="待定")]
    path = simple_roster(tmp_path / "roster_2019-07-31.csv", rows)
    frame = preview(path, propose_mapping(path), rows=5)
    assert list(frame.columns[:4]) == ["row", "township", "village", "household_id"]
    assert frame["row"].tolist() == [3, 4]
    assert frame["category"].tolist() == ["低保贫困户", "一般贫困户"]  # 低保户: the contract alias
    assert frame["status"].tolist() == ["已脱贫", "⚠ 待定"]
    assert frame["relation"].tolist() == ["户主", "户主"]  # 本人 is the head


def test_spellings_of_the_national_systems_exports_are_read(tmp_path):
    columns = ["序号", "乡(镇)", "行政村", "户编号", "人编号", "姓名", "证件号码", "与户主关系", "贫困户属性",
               "主要致贫原因", "脱贫属性", "识别时间", "脱贫时间"]
    rows = [dict(person("H01", "李大山", 脱贫属性="已标注脱贫", 识别时间="2014-04-20 00:00:00.0",
                        脱贫时间="2016/11/30 0:00"), **{"乡(镇)": "城关镇", "行政村": "东山村委会", "人编号": "'P0001"}),
            dict(person("H01", "王桂兰", relation="配偶", 脱贫属性="已标注脱贫"),
                 **{"乡(镇)": "城关镇", "行政村": "东山村委会", "人编号": "'P0002", "户编号": "'H01"})]
    rows[0]["证件号码"] = "\t" + rows[0]["证件号码"]  # a tab kept in front so that Excel leaves the digits alone
    path = simple_roster(tmp_path / "roster_2019-07-31.csv", rows, columns)
    mapping = propose_mapping(path)
    assert (mapping.columns["status"], mapping.columns["person_id"], mapping.columns["registered_on"],
            mapping.columns["township"], mapping.columns["village"]) == ("脱贫属性", "人编号", "识别时间", "乡(镇)", "行政村")
    convert([path], tmp_path / "package", regions=REGIONS)
    with open(tmp_path / "package" / "动态管理记录.csv", encoding="utf-8", newline="") as f:
        assert [(r["户编号"], r["变动类型"], r["变动日期"]) for r in csv.DictReader(f)] == [
            ("H01", "识别纳入", "2014-04-20"), ("H01", "标注脱贫", "2016-11-30")]
    with open(tmp_path / "package" / "家庭成员.csv", encoding="utf-8", newline="") as f:
        members = [(r["人员编号"], r["户编号"], r["证件号码"][:6]) for r in csv.DictReader(f)]
    assert members == [("P0001", "H01", "431299"), ("P0002", "H01", "431299")]
