"""数据导入 Data import, rosters (花名册): the page (pages/data_import.py) driven by AppTest with the roster
fixture of tests/fixtures/rosters (小河县, three monthly rosters, hand-worked in its EXPECTED.md) against a
real database file in tmp; the rosters are converted by etl/roster and loaded by the real loader.

The database in use before an import is 小河县 from its July roster alone (an account's scope must lie in
the data, so the county stays the same), so the figures tell which database a page reads: on 2019-09-30
the July roster says 5户16人 still poor, the three rosters 5户14人 (EXPECTED.md)."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_package, loaded_from
from etl.roster import convert
from queries import Database
from tests.conftest import FIXTURES, ROOT
from tests.test_plain_text import live_markup
from ui import importing

ROSTERS = FIXTURES / "rosters"
FILES = ["roster_2019-07-31.csv", "2019年8月花名册.xlsx", "2019年9月花名册.xlsx"]
REGIONS = [ROSTERS / "regions" / "区划.csv", ROSTERS / "regions" / "村年度情况.csv"]
COUNTY = "431299000000"
FORMULA = "=cmd|' /C calc'!A0"


def uploads(names=FILES, *, with_regions: bool = True) -> list[tuple[str, bytes, str]]:
    files = [(name, (ROSTERS / name).read_bytes(), "application/octet-stream") for name in names]
    return files + ([(p.name, p.read_bytes(), "text/csv") for p in REGIONS] if with_regions else [])


@pytest.fixture(scope="module")
def july_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("roster_before")
    conversion = convert([ROSTERS / FILES[0]], folder / "package", regions=REGIONS[0])
    load_package(conversion.package, folder / "july.duckdb")
    return folder / "july.duckdb"


@pytest.fixture
def db(july_db, tmp_path) -> Path:
    target = tmp_path / "data" / "tuopin.duckdb"
    target.parent.mkdir()
    shutil.copy(july_db, target)
    return target


def open_page(db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    at.switch_page("pages/data_import.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, files) -> AppTest:
    at.file_uploader(key="roster_files_0").set_value(files).run()
    assert not at.exception, at.exception
    return at


def editor(at: AppTest, key: str):
    return next(e for e in at.data_editor if e.key == key).value


def grids(at: AppTest, column: str) -> list:
    """The read-only grids holding `column`, in page order (a grid's key is not in AppTest's element)."""
    return [d.value for d in at.dataframe if d.editing_mode == "read_only" and column in d.value.columns]


def registry(db: Path, day: date) -> dict:
    with Database(db) as database:
        row = database.query("registry_summary", as_of=day, region=COUNTY).iloc[0]
    return {k: int(row[k]) for k in ("households_registered", "people_registered", "households_poor", "people_poor")}


def test_rosters_are_mapped_previewed_converted_and_loaded(db, monkeypatch, navigation_apptest):
    at = upload(open_page(db, monkeypatch), uploads())
    assert any("对照由“2019年8月花名册\\.xlsx”的表头提出" in c.value for c in at.caption)  # the first by name
    columns = editor(at, "roster_columns")
    placed = dict(zip(columns.column, columns.field, strict=True))
    assert placed["户编号"] == "户编号 · household_id"
    assert placed["户主信息/姓名"] == "户主姓名 · head_name" and placed["家庭成员信息/姓名"] == "姓名 · name"
    assert placed["贫困户状态"] == "贫困户状态 · status" and placed["纳入时间"] == "纳入时间 · registered_on"
    assert editor(at, "roster_values").empty  # every value of the July roster is known
    preview = grids(at, "head_name")[0]
    assert len(preview) == 10 and preview.row.tolist()[:2] == [4, 5]  # rows as seen in Excel (title, 2 header rows)
    assert preview.household_id.tolist()[:3] == ["H01", "H01", "H01"]
    # names and ID numbers masked: H01's head 李大山, 431299196503020208
    assert preview.head_name.iloc[0] == "李*山" and preview.id_number.iloc[0] == "431299********0208"
    assert preview.status.iloc[0] == "未脱贫" and preview.village.iloc[0] == "东山村"  # as August writes it

    assert registry(db, date(2019, 9, 30))["people_poor"] == 16  # the July roster alone
    at.button(key="roster_start").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("导入成功：roster\\_2019\\-07\\-31\\.csv, 2019年8月花名册\\.xlsx")
    # EXPECTED.md: the registry at each roster's date
    assert registry(db, date(2019, 7, 31)) == {"households_registered": 6, "people_registered": 18,
                                               "households_poor": 5, "people_poor": 16}
    assert registry(db, date(2019, 9, 30)) == {"households_registered": 6, "people_registered": 18,
                                               "households_poor": 5, "people_poor": 14}
    assert loaded_from(db).startswith("上传花名册 roster upload: roster_2019-07-31.csv")
    rows = grids(at, "table")[0]
    by_table = dict(zip(rows.table, rows.rows, strict=True))
    assert (by_table["贫困户"], by_table["家庭成员"], by_table["动态管理记录"], by_table["日期区间"]) == (8, 23, 13, 5)
    # the converter's notes say which dates are only known between two rosters; the load warns about each
    notes = [c.value for c in at.caption if "两期花名册之间" in c.value]
    assert len(notes) == 1 and notes[0].startswith("5 个日期只知在两期花名册之间")
    warnings = grids(at, "reason")[-1]
    assert warnings.reason.str.contains("只知在").sum() == 5
    # and the two funds files a roster does not have (warnings, as for any package without them)
    assert sorted(warnings.file[~warnings.reason.str.contains("只知在")]) == ["扶贫项目.csv / projects.csv",
                                                                          "资金明细.csv / funds.csv"]
    assert at.file_uploader(key="roster_files_1") is not None  # an empty uploader for next month
    assert live_markup(at) == []


def test_the_mapping_is_saved_for_next_month_and_used_again(db, monkeypatch, navigation_apptest):
    at = upload(open_page(db, monkeypatch), uploads())
    at.button(key="roster_save").click().run()
    saved = importing.mapping_file(db)
    assert saved == db.with_name("tuopin.duckdb.roster-mapping.toml")
    assert saved.stat().st_mode & 0o777 == 0o600  # beside the database, owner only (common/files.py)
    text = saved.read_text(encoding="utf-8")
    assert '"household_id" = "户编号"' in text and '"status" = "贫困户状态"' in text
    assert any(s.value == "对照已保存：tuopin\\.duckdb\\.roster\\-mapping\\.toml" for s in at.success)

    # next month: the September roster alone is read with the saved mapping
    at = upload(open_page(db, monkeypatch), uploads(["2019年9月花名册.xlsx"]))
    assert any("沿用上次保存的对照" in c.value for c in at.caption)
    at.selectbox(key="language").set_value("en").run()  # the same tables, in English
    assert not at.exception, at.exception
    assert "Import rosters" in [s.value for s in at.subheader]
    assert any(c.value.startswith("The mapping saved last time is used") for c in at.caption)
    assert dict(zip(*editor(at, "roster_columns").T.values, strict=True))["户编号"] == "household ID · household_id"


def test_an_unknown_value_is_refused_then_named_in_the_value_table(db, tmp_path, monkeypatch, navigation_apptest):
    """H04's status written 在册未脱贫 in July: the page lists it, converting refuses it with file, row and
    column and leaves the database as it was; once the value table names it, the rosters load."""
    july = (ROSTERS / FILES[0]).read_bytes().decode("gb18030")
    lines = july.split("\r\n")
    h04 = [i for i, line in enumerate(lines) if ",H04," in line]
    for i in h04:
        lines[i] = lines[i].replace(",未脱贫,", ",在册未脱贫,")
    files = [(FILES[0], "\r\n".join(lines).encode("gb18030"), "text/csv"), *uploads(FILES[1:])]
    at = upload(open_page(db, monkeypatch), files)
    assert any("以下取值无法识别" in w.value and "在册未脱贫" in w.value for w in at.warning)
    values = editor(at, "roster_values")
    assert values.values.tolist() == [["贫困户状态 · status", "在册未脱贫", ""]]

    before = db.read_bytes()
    at.button(key="roster_start").click().run()
    assert not at.exception, at.exception
    assert db.read_bytes() == before, "the database in use changed"
    assert at.error[0].value.startswith("导入被拒绝：发现3个错误")
    problems = grids(at, "reason")[0]
    assert sorted(zip(problems.file, problems.row_number, problems.column_name, problems.value, strict=True)) == [
        (FILES[0], i + 1, "贫困户状态", "在册未脱贫") for i in h04]  # the row as seen in Excel

    at.session_state["roster_values"] = {"edited_rows": {0: {"meant": "未脱贫"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not any("以下取值无法识别" in w.value for w in at.warning)
    at.button(key="roster_start").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("导入成功")
    assert registry(db, date(2019, 7, 31))["people_poor"] == 16


def test_the_value_check_reads_every_roster_up_to_its_row_limit(db, monkeypatch):
    """draft_roster lists the unknown values of every uploaded roster, not only the one it previews, and
    says when it stopped at MAX_SCAN_ROWS (the conversion still names each value then)."""
    july = (ROSTERS / FILES[0]).read_bytes().decode("gb18030")
    july = july.replace("缺资金,2014-05-10,未脱贫", "缺资金,2014-05-10,在册未脱贫")  # H04's three rows
    files = [importing.Upload(FILES[0], july.encode("gb18030")),
             *(importing.Upload(name, (ROSTERS / name).read_bytes()) for name in FILES[1:])]
    draft = importing.draft_roster(files, db)
    # August is previewed (first by name); July's rows are read too: 18 + 17 + 18 data rows (EXPECTED.md:
    # July 18 people; August 16 registered + H05's 1 listed as 自然销户; September 18)
    assert draft.sample == "2019年8月花名册.xlsx" and draft.unknown == {"status": ["在册未脱贫"]}
    assert (draft.scanned, draft.scanned_all) == (18 + 17 + 18, True)
    monkeypatch.setattr(importing, "MAX_SCAN_ROWS", 20)
    draft = importing.draft_roster(files, db)
    assert (draft.scanned, draft.scanned_all, draft.unknown) == (20, False, {})


def test_hostile_rosters_stay_plain_text_or_are_refused(db, monkeypatch, navigation_apptest):
    """Markup in a village name and a column header and a formula as a name are shown as the text they are;
    a zip bomb is refused as the package import refuses it. The database in use never changes."""
    before = db.read_bytes()
    july = (ROSTERS / FILES[0]).read_bytes().decode("gb18030")
    village = "东山村委会[点此](http://evil.example/a)<img src=x>"
    header = "备注<script>alert(1)</script>[x](http://evil.example/h)"
    hostile = july.replace("李大山", FORMULA).replace("东山村委会", village, 1).replace(",销户时间", "," + header, 1)
    hostile = hostile.replace(",石门村民委员会,", ",=1+1,")  # a formula as H03's and H04's village: unknown
    at = upload(open_page(db, monkeypatch), [(FILES[0], hostile.encode("gb18030"), "text/csv"), *uploads([])])
    columns = editor(at, "roster_columns")
    assert header in columns.column.tolist()  # in the table: the cell is plain text
    unplaced = next(c.value for c in at.caption if c.value.startswith("未使用的列"))
    assert "\\<script\\>" in unplaced and "\\[x\\]\\(http" in unplaced
    preview = grids(at, "head_name")[0]
    assert preview.head_name.iloc[0] == "=" + "*" * (len(FORMULA) - 2) + "0"  # masked, never the formula
    assert preview.village.iloc[0] == village  # a grid cell: plain text
    assert live_markup(at) == []

    at.button(key="roster_start").click().run()
    assert not at.exception, at.exception
    assert db.read_bytes() == before
    problems = grids(at, "reason")[0]
    assert village in problems.value.tolist()  # the unknown village, named as written
    assert "=1+1" in problems.value.tolist()  # a grid cell: plain text
    assert live_markup(at) == []
    # the rejects report (offered through the audited export button) carries the formula neutralised
    rejects = at.session_state["import_outcome"].rejects_csv.decode("utf-8-sig")
    assert "'=1+1" in rejects and ",=1+1" not in rejects

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("roster_2019-10-31.csv", b"0," * (12 * 1024**2))  # 24 MiB of "0," in ~25 KiB
    at = upload(open_page(db, monkeypatch), [("rosters.zip", bomb.getvalue(), "application/zip")])
    assert at.error[0].value.startswith("花名册无法转换")
    refused = grids(at, "reason")[0]
    # the entry named, as the package import names it (etl/zipsafe.py): refused before it is written out
    assert refused.file.tolist() == ["roster_2019-10-31.csv"]
    assert refused.reason.iloc[0] == "压缩包中的文件解压后异常巨大，已拒绝"
    assert "roster_start" not in [b.key for b in at.button]
    # an .xlsx is a zip too: a sheet that inflates 1000-fold is refused the same way
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (24 * 1024**2))
    at = upload(open_page(db, monkeypatch), [("2019年10月花名册.xlsx", book.getvalue(), "application/octet-stream")])
    assert at.error[0].value.startswith("花名册无法转换")
    assert grids(at, "reason")[0].reason.tolist() == ["压缩包中的文件解压后异常巨大，已拒绝"]
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir() if p.name.startswith((".tuopin-upload-", ".tuopin-load-"))] == []


def test_only_administrators_see_the_roster_import(db, monkeypatch, navigation_apptest):
    """As the package import: the page is not in the navigation of an account without the import
    permission (a direct run stops at the same notice before either uploader: pages/data_import.py)."""
    from tests.support import signed_in

    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = signed_in(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90), role="leader",
                   username="leader")
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in the navigation
        at.switch_page("pages/data_import.py")
    assert not at.exception and [u.key for u in at.file_uploader] == []
