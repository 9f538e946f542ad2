"""End to end: importing through the browser. A real `streamlit run` server on a temporary copy of the
tiny county's database, headless Chromium choosing files in the uploader (set_input_files): a good
package (the defects county, tests/quality_defects.py) replaces the database; a bad one is refused
with its problems listed and the database left byte for byte as it was."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from tests.quality_defects import make_defects_package
from tests.support import streamlit_server
from tests.test_browser import SCREENSHOTS, browser, sign_in  # noqa: F401  (browser: a fixture)
from tests.test_page_data_import import bad_package

PASSWORD = "import-test-password"


@pytest.fixture(scope="module")
def import_server(tiny_db_path, tmp_path_factory):
    """A server on its own copy of the tiny county, with one county administrator (may import)."""
    from access import Store

    folder = tmp_path_factory.mktemp("browser_import")
    db = folder / "tuopin.duckdb"
    shutil.copy(tiny_db_path, db)
    accounts = folder / "accounts.sqlite"
    Store(accounts).add("admin", PASSWORD, "admin", "430101000000", display_name="县管理员")
    with streamlit_server({"TUOPIN_DB": str(db), "TUOPIN_ACCOUNTS": str(accounts)}) as url:
        yield url, db, folder


def choose_and_import(page, files) -> None:
    # the package's uploader comes first; the roster uploader is below it
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(files)
    # each chosen file is listed once uploaded; the button is enabled by the rerun that follows
    for path in files:
        page.get_by_test_id("stFileChipName").filter(has_text=path.name).wait_for(timeout=20_000)
    button = page.get_by_role("button", name="开始导入")
    page.wait_for_function("b => !b.disabled", arg=button.element_handle(), timeout=20_000)
    button.click()


def test_import_in_a_real_browser(import_server, browser):  # noqa: F811
    url, db, folder = import_server
    package = make_defects_package(folder / "good")
    good_zip = folder / "演示包.zip"
    with zipfile.ZipFile(good_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package.iterdir()):
            zf.write(path, path.name)

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page.goto(url)  # sign in on the main page, then open the import page from the navigation
    sign_in(page, "admin", PASSWORD)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="数据导入").click()
    rows = page.get_by_test_id("stMetric").filter(has_text="数据行数")
    rows.wait_for(timeout=30_000)
    assert "81行" in rows.inner_text()  # tiny: EXPECTED.md's package, 81 rows

    choose_and_import(page, [good_zip])
    success = page.get_by_test_id("stAlertContentSuccess")
    success.wait_for(timeout=60_000)
    # the defects county: tiny's 81 rows + P18 + 4 income rows + 2 boundaries, 3 warnings
    assert "导入成功：演示包.zip，共88行" in success.inner_text() and "3条警告" in success.inner_text()
    assert "88行" in page.get_by_test_id("stMetric").filter(has_text="数据行数").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "data_import_success.png"), full_page=True)
    imported = db.read_bytes()

    bad = bad_package(folder)
    choose_and_import(page, sorted(bad.glob("*.csv")))
    error = page.get_by_test_id("stAlertContentError")
    error.wait_for(timeout=60_000)
    assert "导入被拒绝：发现2个错误" in error.inner_text()
    assert db.read_bytes() == imported, "a refused package changed the database"
    with page.expect_download() as download:
        page.get_by_role("button", name="下载问题清单（CSV）").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    # file, row, column, value and the reason in both languages (bad_package: 贫困户.csv row 3, 家庭成员.csv row 2)
    assert "error,贫困户.csv,3,贫困户属性,富裕户,value_enum,不是允许的取值" in report
    assert "error,家庭成员.csv,2,出生日期,1965-13-05,value_date_impossible" in report
    page.screenshot(path=str(SCREENSHOTS / "data_import_refused.png"), full_page=True)
    page.close()
