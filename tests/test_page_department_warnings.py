"""部门预警 page (pages/department_warnings.py) on tests/fixtures/departments (EXPECTED.md there): the
warnings open first with masked identities, the filters, the summary, the tiles and the overview's red
flag, the village/household drill, English, a package without department records — and the round trip:
the open warnings exported as .xlsx, their outcome columns filled in and the file put in the package as
核实结果.xlsx, reloaded, show as closed."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from etl.load import load_package
from queries import Database
from tests.conftest import DEPARTMENTS, ROOT

AS_OF = dt.date(2025, 6, 30)
FULL = ("孙立国", "冯秀兰", "卫长青", "卫红", "郑志强", "53299919700101100X", "532999194504161487")


def open_page(db_path, monkeypatch, as_of=AS_OF, lang=None) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/department_warnings.py").run()
    if as_of is not None:
        at.selectbox(key="as_of_choice").set_value(as_of).run()
    assert not at.exception
    return at


def city(at) -> AppTest:
    at.selectbox(key="dw_rule_set").set_value("city_fixed_10k_26k").run()
    at.segmented_control(key="dw_window").set_value("all").run()
    assert not at.exception
    return at


# the page's grids in drawing order (AppTest gives st.dataframe no key): the rules in use, the warnings,
# the summary, the village's and the household's warnings
GRIDS = ("dw_rules_grid", "dw_list", "dw_summary", "dw_village_grid", "dw_household_grid")


def grid(at, key):
    return at.dataframe[GRIDS.index(key)].value


@pytest.fixture
def deferred(monkeypatch):
    """The callables behind the deferred download buttons, by file id (Streamlit runs them on click)."""
    made = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, callable_, *args, **kwargs):
        file_id = original(self, callable_, *args, **kwargs)
        made[file_id] = callable_
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


def test_open_warnings_first_masked_with_tiles_and_summary(departments_db_path, monkeypatch, navigation_apptest):
    at = city(open_page(departments_db_path, monkeypatch))
    shown = grid(at, "dw_list")
    assert shown["warning_id"].tolist() == ["WFE728F00F9EE", "W8665747ACFDE", "W20348E474E36", "WC7117496435E",
                                            "W5C82B6F60CC4", "W4E44C9A35BEF"]
    assert shown["status"].tolist() == ["待核实", "待核实", "已纳入监测", "已在监测", "已纳入监测", "已在监测"]
    assert shown["days_open"].tolist() == [46, 29, 49, 15, 15, 7]
    assert shown["person_name_masked"].tolist()[:3] == ["冯*兰", "卫*", "孙*国"]
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["待核实预警"], tiles["超过15天未核实"], tiles["最久未核实"]) == ("2条", "2条", "46天")
    summary = grid(at, "dw_summary")
    assert summary[["department", "warnings", "verified", "still_open", "households_monitored_within_30_days"]] \
        .values.tolist() == [["医保", 1, 1, 0, 0], ["教育", 2, 2, 0, 0], ["民政", 1, 0, 1, 0], ["住建", 1, 0, 1, 0],
                             ["公安", 1, 1, 0, 1]]
    text = " ".join(str(d.value.to_string()) for d in at.dataframe) + " ".join(m.value for m in at.markdown)
    assert not any(secret in text for secret in FULL)


def test_filters_and_the_drill_down(departments_db_path, monkeypatch, navigation_apptest):
    at = city(open_page(departments_db_path, monkeypatch))
    at.multiselect(key="dw_f_township").set_value(["西乡"]).run()
    assert grid(at, "dw_list")["warning_id"].tolist() == ["WC7117496435E", "W5C82B6F60CC4", "W4E44C9A35BEF"]
    at.multiselect(key="dw_f_status").set_value(["已在监测"]).run()
    assert grid(at, "dw_list")["record_date"].astype(str).tolist() == ["2024-11-05", "2025-04-01"]
    at.multiselect(key="dw_f_township").set_value([]).run()
    at.multiselect(key="dw_f_status").set_value(["待核实"]).run()
    at.multiselect(key="dw_f_level").set_value(["高"]).run()
    assert grid(at, "dw_list")["warning_id"].tolist() == ["W8665747ACFDE"]  # R07 危房 高; R06 新增低保 is 中
    at.selectbox(key="dw_village").set_value("532999200001").run()  # 西一村: R12 (E02), R05 (M05), R04 (M04)
    assert grid(at, "dw_village_grid")["household_id"].tolist() == ["E02", "M05", "M04"]
    at.selectbox(key="dw_household").set_value("M05").run()
    assert grid(at, "dw_household_grid")["warning_id"].tolist() == ["W5C82B6F60CC4"]


def test_english_and_a_package_without_department_records(departments_db_path, monitoring_db_path, monkeypatch,
                                                          navigation_apptest):
    at = open_page(departments_db_path, monkeypatch, lang="en")
    at.selectbox(key="dw_rule_set").set_value("city_fixed_10k_26k").run()
    assert {m.label for m in at.metric} == {"Open warnings", "Open more than 15 days", "Longest open"}
    none = open_page(monitoring_db_path, monkeypatch)
    assert "没有部门比对数据" in none.info[0].value and len(none.dataframe) == 0
    assert any(c.value.startswith("数据导入于") for c in none.caption)  # the footer, though the page ended early


def test_round_trip_export_fill_in_reload_closed(tmp_path, monkeypatch, navigation_apptest, deferred):
    """The fixture without its 核实结果 file: the six warnings of the city rules are open; the export lists
    them with empty outcome columns; filled in and saved as the package's 核实结果.xlsx, the reload closes
    every one of them."""
    package = tmp_path / "package"
    shutil.copytree(DEPARTMENTS, package)
    (package / "核实结果.csv").unlink()
    load_package(package, tmp_path / "before.duckdb")
    at = city(open_page(tmp_path / "before.duckdb", monkeypatch))
    assert {m.label: m.value for m in at.metric}["待核实预警"] == "6条"
    [button] = [b for b in at.get("download_button") if b.proto.label.startswith("下载待核实预警")]
    assert button.proto.label == "下载待核实预警（6条，.xlsx）"
    workbook = openpyxl.load_workbook(io.BytesIO(deferred[button.proto.deferred_file_id]()))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[3]]
    assert header[0] == "预警编号" and header[-3:] == ["核实结论", "核实日期", "说明"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    # open at 2025-06-30, longest first: R12 237 days, R01 161, R04 90, R05 66, R06 46, R07 29
    assert [r[0] for r in rows] == ["WC7117496435E", "W20348E474E36", "W4E44C9A35BEF", "W5C82B6F60CC4",
                                    "WFE728F00F9EE", "W8665747ACFDE"]
    assert [r[header.index("身份证号（脱敏）")] for r in rows][:2] == ["532999********178X", "532999********100X"]
    assert [r[-3:] for r in rows] == [[None, None, None]] * 6
    # the township fills in the outcome columns; the sheet becomes the package's 核实结果.xlsx as it is
    outcomes = ["已纳入监测", "排除", "已纳入监测", "已在监测", "已在监测", "已纳入监测"]
    for i, outcome in enumerate(outcomes, start=4):
        sheet.cell(row=i, column=len(header) - 2, value=outcome)
        sheet.cell(row=i, column=len(header) - 1, value=dt.datetime(2025, 6, 20))
    sheet.cell(row=5, column=len(header), value="收入稳定，已排除")
    workbook.save(package / "核实结果.xlsx")
    result = load_package(package, tmp_path / "after.duckdb")
    assert {p.check_name for p in result.problems if p.table == "verifications"} <= {"column_extra"}
    with Database(tmp_path / "after.duckdb") as reloaded:
        w = reloaded.query("department_warnings", end="2025-06-30", rules="city_fixed_10k_26k")
    assert w[["record_id", "status", "days_open"]].values.tolist() == [
        ["R12", "已纳入监测", 227], ["R01", "排除", 151], ["R04", "已纳入监测", 80], ["R05", "已在监测", 56],
        ["R06", "已在监测", 36], ["R07", "已纳入监测", 19]]  # verified 2025-06-20: days from each record
    assert not w.is_open.any()
    page = city(open_page(tmp_path / "after.duckdb", monkeypatch))
    assert {m.label: m.value for m in page.metric}["待核实预警"] == "0条"
    assert grid(page, "dw_list")["status"].tolist().count("待核实") == 0
    assert any("没有待核实的预警" in c.value for c in page.caption)


def test_the_overview_flags_warnings_open_more_than_15_days(departments_db_path, monitoring_db_path, monkeypatch,
                                                            navigation_apptest):
    # 2025-06-30 under the first rule set (city_fixed_10k_26k, as the page opens): R06 46 days, R07 29 days
    monkeypatch.setenv("TUOPIN_DB", str(departments_db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.selectbox(key="as_of_choice").set_value(AS_OF).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["部门预警超过15天未核实"] == "2条"
    at.selectbox(key="as_of_choice").set_value(dt.date(2025, 3, 31)).run()
    # 2025-03-31: R01 verified 2025-03-10, R12 2024-11-20; nothing else recorded yet
    assert {m.label: m.value for m in at.metric}["部门预警超过15天未核实"] == "0条"
    monkeypatch.setenv("TUOPIN_DB", str(monitoring_db_path))
    plain = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert "部门预警超过15天未核实" not in {m.label for m in plain.metric}


def test_the_data_quality_page_lists_unmatched_records_masked(departments_db_path, tiny_db_path, monkeypatch,
                                                               navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(departments_db_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.switch_page("pages/data_quality.py").run()
    at.selectbox(key="as_of_choice").set_value(AS_OF).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["部门记录未匹配"] == "2条"  # R09, R10
    [listed] = [d.value for d in at.dataframe if "record_id" in d.value.columns]
    assert listed[["record_id", "id_number_masked"]].values.tolist() == [["R09", "430124********1234"],
                                                                         ["R10", "******"]]
    assert "430124198001011234" not in " ".join(str(d.value.to_dict()) for d in at.dataframe)
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))  # no department records: no such tile
    tiny = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    tiny.switch_page("pages/data_quality.py").run()
    assert "部门记录未匹配" not in {m.label for m in tiny.metric}


def test_hostile_village_names_and_heads_stay_plain_text(tmp_path, monkeypatch, navigation_apptest):
    """The page draws names from the data — a village name carrying a markdown link, an image and HTML,
    a head whose name is a formula — only as plain text (the rule of tests/test_plain_text.py)."""
    from tests.packages import edit_csv
    from tests.test_plain_text import live_markup

    package = tmp_path / "package"
    shutil.copytree(DEPARTMENTS, package)
    hostile = "西一村[点我](http://evil.example/x)<b>粗</b>![i](http://evil.example/i.png)"
    edit_csv(package, "区划", lambda rows: [dict(r, 名称=hostile) if r["区划代码"] == "532999200001" else r
                                          for r in rows])
    edit_csv(package, "贫困户", lambda rows: [dict(r, 户主姓名="=cmd|' /C calc'!A0") if r["户编号"] == "M05" else r
                                           for r in rows])
    load_package(package, tmp_path / "hostile.duckdb")
    at = city(open_page(tmp_path / "hostile.duckdb", monkeypatch))
    at.selectbox(key="dw_village").set_value("532999200001").run()
    at.selectbox(key="dw_household").set_value("M05").run()
    assert not at.exception
    assert hostile in grid(at, "dw_village_grid")["village_name"].tolist()
    assert live_markup(at) == []


@pytest.mark.slow
def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch, as_of=None)  # the latest date of the picker
    assert {m.label for m in at.metric} == {"待核实预警", "超过15天未核实", "最久未核实"}
    assert len(grid(at, "dw_list")) > 100 and len(grid(at, "dw_summary")) == 9  # every rule of the city set
    assert [b.proto.label for b in at.get("download_button") if b.proto.label.startswith("下载待核实预警")]
