"""数据导入 Data import: ui/importing.py (uploads → work folder → atomic load) tested directly, and the
page (pages/data_import.py) driven by AppTest's file uploader against a real database file in tmp.

The database in use before an import is the defects county (tests/quality_defects.py); the uploads are
the tiny county (tests/fixtures/tiny/EXPECTED.md: registered on 2019-12-31 4户10人) or a copy of it
with two errors, so the figures tell which database a page reads."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_package, loaded_from
from tests.conftest import ROOT, TINY
from tests.packages import copy_package, edit_csv
from tests.quality_defects import make_defects_package
from ui import importing
from ui.importing import Upload, UploadRefused


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    return buffer.getvalue()


def bad_package(tmp_path: Path) -> Path:
    """Two errors (tests/test_etl_bad_input.py's kinds): an unknown 贫困户属性 on 贫困户.csv row 3 (H2)
    and a 13th month in 家庭成员.csv row 2 (P1's 出生日期); plus P1's name kept to check masking."""
    package = copy_package(TINY, tmp_path / "bad")

    def category(rows):
        rows[1]["贫困户属性"] = "富裕户"
        return rows

    def birth(rows):
        rows[0]["出生日期"] = "1965-13-05"
        return rows

    edit_csv(package, "贫困户", category)
    edit_csv(package, "家庭成员", birth)
    return package


@pytest.fixture(scope="module")
def defects_db(tmp_path_factory) -> Path:
    """The database in use before an import: the defects county (its registry differs from tiny's)."""
    folder = tmp_path_factory.mktemp("import_before")
    db = folder / "defects.duckdb"
    load_package(make_defects_package(folder / "package"), db)
    return db


@pytest.fixture
def db(defects_db, tmp_path) -> Path:
    target = tmp_path / "data" / "tuopin.duckdb"
    target.parent.mkdir()
    shutil.copy(defects_db, target)
    return target


# ---- ui/importing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../区划.csv", "a/区划.csv", "a\\区划.csv", "..", ".", "", "  ", "x..csv",
                                  "区划\x00.csv", "区划\n.csv"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(UploadRefused) as refused:
        importing.safe_name(name)
    assert refused.value.key == "imp_upload_bad_name"


def test_a_zip_is_the_package_and_files_make_a_folder(tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    assert importing.stage([Upload("小试县.zip", b"PK")], one) == (one / "小试县.zip").resolve()
    several = tmp_path / "several"
    several.mkdir()
    package = importing.stage([Upload("区划.csv", b"a"), Upload("边界.zip", b"b")], several)
    assert package == (several / "package").resolve()
    assert sorted(p.name for p in package.iterdir()) == ["区划.csv", "边界.zip"]
    assert sorted(p.name for p in several.iterdir()) == ["package"]  # nothing beside it


def test_duplicate_names_nothing_and_too_large_are_refused(tmp_path, monkeypatch):
    with pytest.raises(UploadRefused) as refused:
        importing.stage([Upload("区划.csv", b"a"), Upload("区划.CSV", b"b")], tmp_path)
    assert refused.value.key == "imp_upload_duplicate_name"
    with pytest.raises(UploadRefused) as refused:
        importing.stage([], tmp_path)
    assert refused.value.key == "imp_upload_nothing"
    monkeypatch.setattr(importing, "MAX_PACKAGE_BYTES", 10)
    with pytest.raises(UploadRefused) as refused:
        importing.stage([Upload("区划.csv", b"123456"), Upload("贫困户.csv", b"12345")], tmp_path)
    assert refused.value.key == "imp_upload_too_large"
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_import_uploads_replaces_the_database_or_leaves_it(db, tmp_path):
    before = db.read_bytes()
    failed = importing.import_uploads([Upload("bad.zip", zipped(bad_package(tmp_path)))], db)
    assert not failed.ok and db.read_bytes() == before
    assert sorted((p.file, p.row_number, p.column, p.check_name) for p in failed.errors) == [
        ("家庭成员.csv", 2, "出生日期", "value_date_impossible"), ("贫困户.csv", 3, "贫困户属性", "value_enum")]
    assert failed.rejects_csv.decode("utf-8-sig").splitlines()[0] == "级别 severity,文件 file,行号 row,列 column,值 value,检查 check,原因,reason"
    assert failed.rejects_xlsx[:2] == b"PK"

    files = [Upload(p.name, p.read_bytes()) for p in sorted(TINY.iterdir()) if p.suffix == ".csv"]
    done = importing.import_uploads(files, db)
    assert done.ok and done.problems == [] and done.rejects_csv is None
    # tiny: 6 regions + 5 village_year + 6 households + 17 members + 13 events + 4 projects + 14 funds
    # + 7 targets + 5 household_year + 4 assistance = 81
    assert done.total_rows == 81
    assert db.read_bytes() != before
    # the stamp names what the user uploaded, not the temporary folder it was staged in
    names = ", ".join(p.name for p in sorted(TINY.iterdir()) if p.suffix == ".csv")
    assert loaded_from(db) == f"上传 upload: {names}"
    leftovers = [p.name for p in db.parent.iterdir() if p.name.startswith(".tuopin-load-")]
    assert leftovers == []


def test_problem_table_masks_names_and_ids():
    from etl.problems import Problem

    problems = [
        Problem("warning", "households", "贫困户.csv", 2, "户主姓名", "赵大三", "households_head_mismatch",
                "户主姓名或证件号码与家庭成员表中的户主不一致（成员表：赵大山）",
                "head name or ID differs from the household's head in the members file (members: 赵大山)"),
        Problem("error", "members", "家庭成员.csv", 3, "ID_NUMBER", "43010119670606002", "value_format", "格式错误",
                "wrong format"),
    ]
    zh = importing.problem_table(problems, "zh")
    assert list(zh.severity) == ["error", "warning"]  # errors first
    assert list(zh.value) == ["430101********6002", "赵*三"]
    assert zh.reason.iloc[1] == "户主姓名或证件号码与家庭成员表中的户主不一致（成员表：赵*山）"
    en = importing.problem_table(problems, "en")
    assert en.reason.iloc[1] == "head name or ID differs from the household's head in the members file (members: 赵*山)"


# ---- the page ----------------------------------------------------------------------------------------

def open_page(db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/data_import.py").run()
    assert not at.exception
    return at


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_good_package_replaces_the_database_and_every_page_follows(db, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    # the defects county on 2019-12-31: H1 4人 (P1–P4), H2 1人, H5 4人 (P12, P13, P14, P18), H6 0人
    assert {m.label: m.value for m in at.metric}["建档立卡（现有）"] == "4户9人"
    at.switch_page("pages/data_import.py").run()
    # the stamp of the database in use: 88 rows (tiny's 81 + P18 + 4 income rows + 2 boundaries), 3 warnings
    assert tiles(at)["数据行数"] == "88行" and tiles(at)["导入警告"] == "3条"
    assert any("不超过 2,048 MB" in (u.help or "") for u in at.file_uploader)

    at.file_uploader[0].set_value(("小试县.zip", zipped(TINY), "application/zip")).run()
    at.button(key="import_start").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("导入成功：小试县\\.zip，共81行")  # the file name escaped (ui/plain.md)
    assert tiles(at)["数据行数"] == "81行" and tiles(at)["导入警告"] == "0条"  # the new database's stamp
    rows = at.dataframe[0].value
    assert dict(zip(rows.table, rows.rows, strict=True))["家庭成员"] == 17
    assert at.file_uploader[0].key == "import_files_1"  # an empty uploader for the next package

    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["建档立卡（现有）"] == "4户10人"  # EXPECTED.md, 2019-12-31


def test_a_bad_package_changes_nothing_and_lists_every_problem(db, tmp_path, monkeypatch, navigation_apptest):
    before = db.read_bytes()
    at = open_page(db, monkeypatch)
    package = bad_package(tmp_path)
    at.file_uploader[0].set_value([(p.name, p.read_bytes(), "text/csv") for p in sorted(package.iterdir())]).run()
    at.button(key="import_start").click().run()
    assert not at.exception
    assert db.read_bytes() == before, "the database in use changed"
    assert at.error[0].value.startswith("导入被拒绝：发现2个错误，当前数据库没有任何改动")
    problems = at.dataframe[0].value
    # in the loader's order: the files as the contract lists them (贫困户 before 家庭成员)
    assert list(zip(problems.severity, problems.file, problems.row_number, problems.column_name, problems.value,
                    strict=True)) == [
        ("错误", "贫困户.csv", 3, "贫困户属性", "富裕户"),
        ("错误", "家庭成员.csv", 2, "出生日期", "1965-13-05"),
    ]
    assert problems.reason.iloc[0] == "不是允许的取值，应为：一般贫困户、低保贫困户、特困供养贫困户"
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载问题清单（CSV）" in labels and "下载问题清单（Excel）" in labels
    assert tiles(at)["数据行数"] == "88行"  # still the old database's stamp

    at.selectbox(key="language").set_value("en").run()  # the same table, reasons in English
    assert not at.exception
    assert at.error[0].value.startswith("Import refused: 2 error(s) found")
    assert at.dataframe[0].value.reason.iloc[0] == "not an allowed value; the column takes one of 3 fixed values (listed in the Chinese reason)"
    assert "Row" in str(at.dataframe[0].proto.columns)


def test_unsafe_upload_name_is_refused_on_the_page(db, monkeypatch, navigation_apptest):
    before = db.read_bytes()
    at = open_page(db, monkeypatch)
    at.file_uploader[0].set_value([("../区划.csv", b"x", "text/csv"), ("贫困户.csv", b"y", "text/csv")]).run()
    at.button(key="import_start").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("文件名“\\.\\./区划\\.csv”不可用")  # the name escaped (ui/plain.md)
    assert db.read_bytes() == before


def test_the_bundled_demo_database_is_named_before_an_import(db, monkeypatch, navigation_apptest):
    from ui import data

    monkeypatch.setattr(data, "uses_bundled_demo", lambda: True)  # as when TUOPIN_DB is not set
    at = open_page(db, monkeypatch)
    warning = next(w.value for w in at.warning if "演示数据库" in w.value)
    assert warning.startswith(f"看板当前使用内置的演示数据库（{db}），导入会替换其中的演示数据")


@pytest.mark.slow
def test_demo_county_smoke(demo_db_path, monkeypatch, navigation_apptest):
    at = open_page(demo_db_path, monkeypatch)
    assert set(tiles(at)) == {"导入时间", "数据行数", "导入警告", "导入用时"}
    assert [u.key for u in at.file_uploader] == ["import_files_0", "roster_files_0"]  # a package, or rosters
