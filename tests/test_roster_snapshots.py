"""Between snapshots: the consistency warnings a clerk can act on (a status going backwards without 返贫,
an ID number changing household, a member count jumping, a village disappearing), and monitoring rosters
(监测对象) converted to monitoring episodes that load and count as worked out by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl.problems import PackageError
from etl.roster import convert
from queries import Database
from tests.conftest import FIXTURES
from tests.fixtures.rosters.make_rosters import SIMPLE_COLUMNS, person, simple_roster
from tests.packages import load_tables

REGIONS = FIXTURES / "rosters" / "regions" / "区划.csv"
COUNTY = "431299000000"


def events(package: Path) -> list[tuple[str, str, str]]:
    with open(package / "动态管理记录.csv", encoding="utf-8", newline="") as f:
        return sorted((r["户编号"], r["变动类型"], r["变动日期"]) for r in csv.DictReader(f))


def test_snapshot_consistency_findings_are_warnings_naming_file_row_and_column(tmp_path):
    columns = SIMPLE_COLUMNS + ["纳入时间", "脱贫时间"]
    july = [person("H01", "李大山", status="已脱贫", 纳入时间="2014-05-10", 脱贫时间="2018-12-01"),
            person("H02", "张德福", 纳入时间="2014-05-10"),
            person("H02", "刘秀英", relation="配偶", 纳入时间="2014-05-10"),
            person("H03", "赵老四", township="石门乡", village="桃园村", 纳入时间="2014-05-10"),
            person("H04", "孙有财", township="石门乡", village="石门村", 纳入时间="2014-05-10"),
            person("H04", "周小红", relation="配偶", township="石门乡", village="石门村", 纳入时间="2014-05-10")]
    moving = july[2]
    august = [person("H01", "李大山", status="未脱贫", 纳入时间="2014-05-10", 脱贫时间=""),  # backwards, no 返贫
              july[1],
              *july[4:],
              dict(moving, 户编号="H04", 乡镇="石门乡", 村="石门村", 与户主关系="之儿媳"),  # the ID moves to H04
              *[person("H04", name, relation="之子", township="石门乡", village="石门村", serial=900 + i)
                for i, name in enumerate(("孙一", "孙二", "孙三"))]]  # H04: 2 -> 6 members; 桃园村 has none
    first = simple_roster(tmp_path / "roster_2019-07-31.csv", july, columns)
    second = simple_roster(tmp_path / "roster_2019-08-31.csv", august, columns, encoding="gb18030")
    result = convert([first, second], tmp_path / "package", regions=REGIONS)
    found = [(p.severity, p.file, p.row_number, p.column, p.check_name) for p in result.warnings]
    assert found == [
        ("warning", "roster_2019-08-31.csv", 3, "贫困户状态", "roster_status_backwards"),
        ("warning", "roster_2019-08-31.csv", 5, "户编号", "roster_size_jump"),
        ("warning", "roster_2019-08-31.csv", 7, "证件号码", "roster_id_moves"),
        ("warning", "roster_2019-08-31.csv", None, "村", "roster_village_disappears"),
    ]
    backwards, jump, moved, village = result.warnings
    assert "已按返贫记录" in backwards.message_zh and "recorded as a return to poverty" in backwards.message_en
    assert moved.value == "431299********1218" and moved.message_zh == "证件号码换了户：上期在户 H02"
    assert jump.message_zh == "家庭人数变化过大：2 → 6" and jump.message_en.endswith("2 -> 6")
    assert (village.value, village.message_zh) == ("桃园村", "本村在本期花名册中没有任何户（上期有 1 户）")
    assert events(tmp_path / "package") == [
        ("H01", "标注脱贫", "2018-12-01"), ("H01", "识别纳入", "2014-05-10"), ("H01", "返贫", "2019-08-31"),
        ("H02", "识别纳入", "2014-05-10"), ("H03", "清退", "2019-08-31"), ("H03", "识别纳入", "2014-05-10"),
        ("H04", "识别纳入", "2014-05-10")]
    notes = (tmp_path / "package" / "转换说明.md").read_text(encoding="utf-8")
    assert "前后期不一致 / Snapshot consistency warnings" in notes and "431299********1218" in notes
    assert moving["证件号码"] == "431299197001011218" and moving["证件号码"] not in notes  # masked in the notes
    # the package loads: 刘秀英 left H02 and joined H04 on 2019-08-31, 李大山 returned to poverty
    loaded = load_tables(tmp_path / "package", tmp_path / "db.duckdb")
    with Database(loaded.db_path) as db:
        row = db.query("registry_summary", as_of="2019-08-31", region=COUNTY).iloc[0]
    assert (int(row["households_registered"]), int(row["people_registered"]), int(row["households_poor"]),
            int(row["people_poor"])) == (3, 1 + 1 + 6, 3, 8)


MONITORING_COLUMNS = ["序号", "乡镇", "村", "户编号", "姓名", "证件号码", "与户主关系", "监测对象类别", "风险类型",
                      "认定日期", "是否风险消除", "风险消除日期"]


def watched(hid: str, name: str, kind: str, identified: str = "", cleared: str = "否", cleared_on: str = "",
            relation: str = "户主") -> dict[str, str]:
    row = person(hid, name, relation=relation, township="石门乡", village="石门村")
    row.update({"监测对象类别": kind, "风险类型": "因病、因学", "认定日期": identified, "是否风险消除": cleared,
                "风险消除日期": cleared_on})
    return row


@pytest.fixture(scope="module")
def monitored(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("monitoring_rosters")
    registry = [person("H01", "李大山", status="已脱贫", township="石门乡", village="石门村", 纳入时间="2014-05-10",
                       脱贫时间="2019-12-01")]
    simple_roster(folder / "花名册_2022-06-30.csv", registry, SIMPLE_COLUMNS + ["纳入时间", "脱贫时间"])
    june = [watched("H01", "李大山", "脱贫不稳定户", "2022-03-15"),
            watched("H10", "钱多多", "边缘易致贫户"),  # never registered (边缘户); no 认定日期
            watched("H10", "孙小妹", "边缘易致贫户", relation="之女")]
    december = [watched("H01", "李大山", "脱贫不稳定", "2022-03-15", "是", "2022-11-20"),
                *june[1:],
                watched("H11", "周全", "突发严重困难户", "2022-09-01")]
    simple_roster(folder / "监测对象_2022-06-30.csv", june, MONITORING_COLUMNS)
    simple_roster(folder / "监测对象_2022-12-31.csv", december, MONITORING_COLUMNS, encoding="gb18030")
    return folder


def test_monitoring_rosters_become_episodes_dated_by_their_columns_or_the_snapshot(monitored, tmp_path):
    result = convert([monitored], tmp_path / "package", regions=REGIONS)
    with open(tmp_path / "package" / "防返贫监测对象.csv", encoding="utf-8", newline="") as f:
        episodes = sorted((r["户编号"], r["监测对象类别"], r["认定日期"], r["风险消除日期"]) for r in csv.DictReader(f))
    assert episodes == [("H01", "脱贫不稳定户", "2022-03-15", "2022-11-20"),
                        ("H10", "边缘易致贫户", "2022-06-30", ""),
                        ("H11", "突发严重困难户", "2022-09-01", "")]
    assert result.counts["monitoring"] == 3
    with open(tmp_path / "package" / "日期区间.csv", encoding="utf-8", newline="") as f:
        ranges = [(r["文件"], r["列"], r["最早日期"], r["最晚日期"]) for r in csv.DictReader(f)]
    assert ranges == [("monitoring", "identified_on", "", "2022-06-30")]  # before the first roster: no earliest
    loaded = load_tables(tmp_path / "package", tmp_path / "db.duckdb")
    assert sum(p.check_name == "date_ranges_approximate" for p in loaded.problems) == 1
    with Database(loaded.db_path) as db:
        june = db.query("monitoring_summary", as_of="2022-06-30", region=COUNTY).iloc[0]
        december = db.query("monitoring_summary", as_of="2022-12-31", region=COUNTY).iloc[0]
    figures = lambda r: tuple(int(r[c]) for c in (  # noqa: E731
        "households_identified", "people_identified", "households_at_risk", "people_at_risk", "households_cleared",
        "people_cleared", "households_at_risk_registered"))
    assert figures(june) == (2, 3, 2, 3, 0, 0, 1)  # H01 (1 person, registered), H10 (2 people, 边缘户)
    assert figures(december) == (3, 4, 2, 3, 1, 1, 0)  # H01 cleared 11-20; H10 and H11 at risk


def test_removals_follow_the_status_the_reason_column_or_the_mappings_rule(tmp_path):
    from etl.roster import Mapping, propose_mapping

    columns = SIMPLE_COLUMNS + ["销户原因"]
    july = [person(h, n, 纳入时间="") for h, n in (("H01", "李大山"), ("H02", "张德福"), ("H03", "赵老四"),
                                                ("H04", "孙有财"))]
    august = [person("H01", "李大山", status="销户", 销户原因="户主死亡"),  # 销户 + a reason naming a death
              person("H02", "张德福", status="已销户", 销户原因="有财政供养人员"),  # free text: the mapping's rule
              person("H03", "赵老四", status="清退", 销户原因="识别不精准")]  # H04 leaves the roster
    first = simple_roster(tmp_path / "roster_2019-07-31.csv", july, columns)
    second = simple_roster(tmp_path / "roster_2019-08-31.csv", august, columns)
    mapping = propose_mapping(first)
    assert mapping.removal == "清退"
    convert([first, second], tmp_path / "default", mapping=mapping, regions=REGIONS)
    removals = [e for e in events(tmp_path / "default") if e[1] in ("清退", "自然销户")]
    assert removals == [("H01", "自然销户", "2019-08-31"), ("H02", "清退", "2019-08-31"),
                        ("H03", "清退", "2019-08-31"), ("H04", "清退", "2019-08-31")]
    natural = Mapping.from_dict({"columns": mapping.columns, "removal": {"rule": "自然销户"}})
    convert([first, second], tmp_path / "natural", mapping=natural, regions=REGIONS)
    removals = [e for e in events(tmp_path / "natural") if e[1] in ("清退", "自然销户")]
    assert removals == [("H01", "自然销户", "2019-08-31"), ("H02", "自然销户", "2019-08-31"),
                        ("H03", "清退", "2019-08-31"), ("H04", "自然销户", "2019-08-31")]
    with open(tmp_path / "natural" / "动态管理记录.csv", encoding="utf-8", newline="") as f:
        reasons = {r["户编号"]: r["变动原因"] for r in csv.DictReader(f) if r["变动类型"] != "识别纳入"}
    assert reasons["H02"] == "有财政供养人员" and reasons["H03"] == "识别不精准"  # kept as the event's reason


def test_a_registry_mapping_leaves_the_monitoring_rosters_to_their_own_proposal(monitored, tmp_path):
    from etl.roster import propose_mapping

    registry = propose_mapping(monitored / "花名册_2022-06-30.csv")
    assert not registry.is_monitoring
    result = convert([monitored], tmp_path / "package", mapping=registry, regions=REGIONS)
    assert result.counts["monitoring"] == 3 and result.counts["events"] == 2


def test_a_household_with_two_heads_in_one_roster_is_refused(tmp_path):
    rows = [person("H01", "李大山"), person("H01", "王桂兰", serial=555)]  # both 户主
    path = simple_roster(tmp_path / "roster_2019-07-31.csv", rows)
    with pytest.raises(PackageError) as caught:
        convert([path], tmp_path / "out", regions=REGIONS)
    assert [(p.row_number, p.column, p.value, p.check_name) for p in caught.value.problems] == [
        (3, "与户主关系", "H01", "roster_head_missing")]
    assert caught.value.problems[0].message_zh.endswith("现有 2 名")


def test_rosters_of_one_date_without_common_households_are_one_snapshot(tmp_path):
    folder = tmp_path / "七月"
    folder.mkdir()
    simple_roster(folder / "城关镇2019年7月花名册.csv", [person("H01", "李大山"), person("H02", "张德福")])
    simple_roster(folder / "石门乡2019年7月花名册.csv",
                  [person("H03", "赵老四", township="石门乡", village="石门村")], encoding="gb18030")
    august = simple_roster(tmp_path / "roster_2019-08-31.csv", [person("H01", "李大山"), person("H02", "张德福")])
    result = convert([folder, august], tmp_path / "package", regions=REGIONS)
    assert events(tmp_path / "package") == [
        ("H01", "识别纳入", "2019-07-31"), ("H02", "识别纳入", "2019-07-31"), ("H03", "清退", "2019-08-31"),
        ("H03", "识别纳入", "2019-07-31")]
    notes = (result.package / "转换说明.md").read_text(encoding="utf-8")
    assert "七月/城关镇2019年7月花名册.csv: 2019-07-31, 2 行 rows" in notes
    assert "七月/石门乡2019年7月花名册.csv: 2019-07-31, 1 行 rows" in notes
    assert [p.check_name for p in result.warnings] == ["roster_village_disappears"]  # 石门村: 1 household in July
