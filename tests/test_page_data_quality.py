"""数据质量 Data quality page (pages/data_quality.py) on the tiny county with deliberate defects
(tests/quality_defects.py), on the clean tiny county, and a smoke run on the demo county.

Expected figures are worked out by hand from the fixtures: tests/fixtures/tiny/EXPECTED.md for the
flows, tests/quality_defects.py (and tests/test_queries_quality.py) for the defects."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_package
from tests.conftest import ROOT
from tests.quality_defects import make_defects_package

YI = "430101200000"  # 乙镇


@pytest.fixture(scope="module")
def defects_db_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality_page")
    db = folder / "defects.duckdb"
    load_package(make_defects_package(folder / "package"), db)
    return db


def open_page(db, monkeypatch) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    return at


def tiles(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


# AppTest gives st.dataframe no key (unless it is selectable): each table is known by its columns
TABLE_COLUMNS = {
    "quality_warning_counts": "n_problems",
    "quality_warnings": "row_number",
    "quality_reconcile": "期初在册",
    "quality_village_year": "latest_year",
    "quality_boundaries": "is_poor_village",
    "quality_incomes": "reason_text",
    "quality_empty_households": "n_members",
    "quality_shared_people": "id_number_masked",
}


def frame(at, key: str):
    return table(at, key).value


def table(at, key: str):
    column = TABLE_COLUMNS[key]
    found = [df for df in at.dataframe if column in df.value.columns
             and not (key == "quality_boundaries" and "latest_year" in df.value.columns)]
    assert len(found) == 1, (key, [list(df.value.columns) for df in at.dataframe])
    return found[0]


def test_each_check_shows_its_defects(defects_db_path, monkeypatch, navigation_apptest):
    at = open_page(defects_db_path, monkeypatch)  # as of 2019-12-31 (the latest quarter end), whole county
    assert tiles(at) == {
        "导入警告": ("3条", ""),  # column_extra, households_head_mismatch, id_number_checksum
        "逐年勾稽": ("✓ 各年平衡", ""),
        "缺2019年村年度情况": ("2个", "其中贫困村1个"),  # 一村 (poor, latest 2018), 二村 (2014)
        "无边界的村": ("2个", ""),  # 三村, 二村
        "收入异常记录": ("2条", ""),  # H1 2018 (37,500 per person), H6 2019 (−4,900)
        "无成员的在册户": ("1户", ""),  # H6 from 2019-01-01
        "多户重复的人": ("1人", ""),  # P3 in H1 = P18 in H5
    }
    counts = frame(at, "quality_warning_counts")
    assert list(counts.check_name) == ["column_extra", "households_head_mismatch", "id_number_checksum"]
    assert list(counts.n_problems) == [1, 1, 1]
    warnings = frame(at, "quality_warnings")
    assert list(zip(warnings.file, warnings.row_number, warnings.value, strict=True)) == [
        ("贫困户.csv", 1, "备注"), ("贫困户.csv", 2, "赵*三"), ("家庭成员.csv", 3, "430101********0022"),
    ]
    assert list(frame(at, "quality_village_year").village_name) == ["一村", "二村"]
    assert list(frame(at, "quality_boundaries").village_name) == ["三村", "二村"]
    incomes = frame(at, "quality_incomes")
    assert list(zip(incomes.household_id, incomes.year, incomes.per_capita_text, incomes.reason_text,
                    strict=True)) == [
        ("H1", 2018, "37,500元", "人均超过标准10倍"), ("H6", 2019, "-4,900元", "纯收入为负"),
    ]
    empty = frame(at, "quality_empty_households")
    assert list(zip(empty.household_id, empty.status_text, empty.n_members, strict=True)) == [("H6", "未脱贫", 3)]
    shared = frame(at, "quality_shared_people")
    assert list(zip(shared.person_id, shared.household_id, shared.id_number_masked, strict=True)) == [
        ("P3", "H1", "430101********0012"), ("P18", "H5", "430101********0012"),
    ]
    # no unmasked name or ID number anywhere on the page
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "赵大三" not in shown and "430101199209090012" not in shown and "430101196706060022" not in shown


def test_the_yearly_reconciliation_is_the_flows_of_each_year(defects_db_path, monkeypatch, navigation_apptest):
    at = open_page(defects_db_path, monkeypatch)
    yearly = frame(at, "quality_reconcile").set_index("year")
    # data span: events from 2014-05-01 to the 出列日期 2019-12-20 → 2014 … 2019
    assert list(yearly.index) == ["2014", "2015", "2016", "2017", "2018", "2019"]
    # EXPECTED.md, flows 2017 and 2018 (the defects only change 2019)
    assert tuple(yearly.loc["2017", ["期初在册", "期末在册", "期初未脱贫", "期末未脱贫"]]) == (
        "5户12人", "5户11人", "4户9人", "3户5人")
    assert tuple(yearly.loc["2018", ["期初在册", "期末在册", "期初未脱贫", "期末未脱贫"]]) == (
        "5户11人", "4户9人", "3户5人", "2户3人")
    # 2019: H2 exits (1户1人 poor), H6's last two members leave (still poor: H6 1户0人), P14 and P18 join H5:
    # registered 4户9人 + 2 − 2 = 4户9人; still poor 2户3人 (H2 1人, H6 2人) → 1户0人 (H6)
    assert tuple(yearly.loc["2019", ["期初在册", "期末在册", "期初未脱贫", "期末未脱贫"]]) == (
        "4户9人", "4户9人", "2户3人", "1户0人")
    assert set(yearly.balanced) == {"✓ 平衡"}


def test_every_years_reconciliation_is_one_statement(defects_db_path, monkeypatch, navigation_apptest):
    """The yearly table asks flows_reconciliation once, every year's window together ($period = year), not
    once a year: a view nobody asked for cost a statement per year the data covers (thirteen on the demo)."""
    from queries import Database
    from ui import data

    asked = []
    original = Database.query

    def counting(self, name, **params):
        asked.append((name, params.get("period")))
        return original(self, name, **params)

    data.clear_shared_results()
    monkeypatch.setattr(Database, "query", counting)
    open_page(defects_db_path, monkeypatch)
    assert [ask for ask in asked if ask[0] == "flows_reconciliation"] == [("flows_reconciliation", "year")]


def test_a_year_that_does_not_balance_is_flagged(defects_db_path, monkeypatch, navigation_apptest, tmp_path):
    # flows reconcile by construction; a copy of the database with one person joining 一村 in the middle
    # of every year that no status span knows of (flow_movements says +1 registered person, the stocks
    # do not) must be flagged, for every year, for registered people only (flows_reconciliation)
    import shutil

    import duckdb

    broken = tmp_path / "unbalanced.duckdb"
    shutil.copy(defects_db_path, broken)
    with duckdb.connect(str(broken)) as connection:
        for year in range(2014, 2020):
            connection.execute("insert into flow_movements values ('430101100001', ?, '自然增加', 0, 1, 0, 1, 0, 0)",
                               [dt.date(year, 6, 15)])
    at = open_page(broken, monkeypatch)
    assert tiles(at)["逐年勾稽"] == ("✗ 2014、2015、2016、2017、2018、2019年不平衡", "")
    assert set(frame(at, "quality_reconcile").balanced) == {"✗ 不平衡：在册人数"}


def test_region_and_date_change_the_checks(defects_db_path, monkeypatch, navigation_apptest):
    at = open_page(defects_db_path, monkeypatch)
    at.selectbox(key="pick_1").set_value(YI).run()  # 乙镇: only 三村 (H6)
    assert not at.exception
    assert tiles(at) == {
        "导入警告": ("3条", ""),  # the whole package's, whatever the region
        "逐年勾稽": ("✓ 各年平衡", ""),
        "缺2019年村年度情况": ("✓ 无", ""),  # 三村 has its 2019 row
        "无边界的村": ("1个", ""),  # 三村
        "收入异常记录": ("1条", ""),  # H6 2019
        "无成员的在册户": ("1户", ""),  # H6
        "多户重复的人": ("✓ 无", ""),  # P3 and P18 live in 甲乡
    }
    # 乙镇's flows 2018: only H6 (3人 until P16 left in 2016: 2人), registered and poor all year
    yearly = frame(at, "quality_reconcile").set_index("year")
    assert tuple(yearly.loc["2018", ["期初在册", "期末在册"]]) == ("1户2人", "1户2人")

    at.selectbox(key="pick_1").set_value("").run()
    at.selectbox(key="as_of_choice").set_value(dt.date(2018, 12, 31)).run()
    assert not at.exception
    values = tiles(at)
    assert values["缺2018年村年度情况"] == ("2个", "其中贫困村1个")  # 三村 (poor), 二村: both on 2014
    assert values["无成员的在册户"] == ("✓ 无", "")  # P15 and P17 leave only on 2019-01-01
    assert values["多户重复的人"] == ("✓ 无", "")  # P18 joins H5 only on 2019-06-01
    assert values["收入异常记录"] == ("2条", "")  # every year's rows, whatever the date
    assert list(frame(at, "quality_village_year").village_name) == ["三村", "二村"]


def test_filters_of_the_warning_table(defects_db_path, monkeypatch, navigation_apptest):
    at = open_page(defects_db_path, monkeypatch)
    at.multiselect(key="quality_files").set_value(["贫困户.csv"]).run()
    assert list(frame(at, "quality_warnings").check_name) == ["column_extra", "households_head_mismatch"]
    at.multiselect(key="quality_checks").set_value(["households_head_mismatch"]).run()
    assert list(frame(at, "quality_warnings").row_number) == [2]
    at.toggle(key="quality_poor_only").set_value(True).run()
    assert list(frame(at, "quality_village_year").village_name) == ["一村"]


def test_clean_county_in_english(tiny_db_path, monkeypatch, navigation_apptest):
    at = open_page(tiny_db_path, monkeypatch)
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception
    assert tiles(at) == {
        "Load warnings": ("✓ none", ""),
        "Yearly reconciliation": ("✓ all balanced", ""),
        "Villages lacking 2019 data": ("2", "1 of them poor villages"),  # 一村 and 二村 lack 2019 (EXPECTED.md)
        "Villages without a boundary": ("no boundary file", ""),
        "Implausible incomes": ("✓ none", ""),
        "Registered, no members": ("✓ none", ""),
        "People in several households": ("✓ none", ""),
    }
    yearly = table(at, "quality_reconcile")
    assert yearly.value.set_index("year").loc["2017", "期初在册"] == "5 households, 12 people"
    assert "Registered, opening" in str(yearly.proto.columns)  # the header in English
    assert any("No boundary file" in i.value or "no boundary file" in i.value for i in at.info)


@pytest.mark.slow
def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch)
    assert len(at.metric) == 8  # the demo holds department records: the unmatched tile too
    # as of 2026-12-31: the 23 demo records (of 400) whose ID number is another county's (etl/demo/departments.py)
    assert tiles(at)["部门记录未匹配"] == ("23条", "")
    assert tiles(at)["逐年勾稽"] == ("✓ 各年平衡", "")
