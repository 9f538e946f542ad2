"""Hostile and broken input: whatever is thrown at the importer, a load either completes
or fails cleanly, and never leaves a mark outside the database's folder.

For every case — parametrised where the input is fixed, Hypothesis-generated where it is random — the
real loader runs against a database holding the tiny county, with HOME and the temporary folder
pointed into a sandbox, and the test proves:
  (a) a refused load ends in LoadFailed (the one error the CLI and the dashboard catch) whose problems
      each carry a file and a reason in Chinese and English, with the row and column where the check
      is about a cell — never an uncaught UnicodeDecodeError, BadZipFile, Arrow or DuckDB error;
  (b) the previous database file is byte-identical afterwards (SHA-256 before and after);
  (c) nothing was written anywhere but the rejects report beside the database: the trees of the
      package's folder, the database's folder, HOME and the temporary folder are compared before and
      after, and no .tuopin-load-* work folder remains.
Cells that look like spreadsheet formulas load unchanged but are neutralised in the rejects report.
The limits of etl/limits.py are tested at their values (or, where the value is gigabytes, with the
constant lowered) and must be stated in README.md.

TUOPIN_FUZZ_EXAMPLES=500 runs every Hypothesis test with that many fresh random examples; by default a
small deterministic set keeps the module quick.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import os
import random
import re
import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import etl.limits as limits
from common.cells import FORMULA_PREFIXES
from common.paths import SERVING_DIR
from etl.contract import contract
from etl.load import WORK_PREFIX, LoadFailed, LoadResult, load_package
from etl.problems import READER_MESSAGES, Problem, write_rejects
from etl.read import PackageFile, detect_encoding, read_table
from etl.validate import generic_checks, relational_checks
from tests.conftest import ROOT, TINY
from tests.packages import copy_package, to_xlsx, to_zip

EXAMPLES = int(os.environ.get("TUOPIN_FUZZ_EXAMPLES", "0"))


def fuzz(examples: int):
    return settings(max_examples=EXAMPLES or examples, deadline=None, derandomize=not EXAMPLES, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


SPECS = {spec.stem_zh: spec for spec in contract().files}
CSV_STEMS = sorted(path.stem for path in TINY.glob("*.csv"))
REGIONS = (TINY / "区划.csv").read_bytes()
REGION_LINES = REGIONS.decode("utf-8").splitlines()
KNOWN_CHECKS = set(READER_MESSAGES) | set(generic_checks()) | {c.name for c in relational_checks()}
CELL_CHECKS = set(generic_checks())  # about one cell: row and column always known
HEADER_CHECKS = {"column_missing", "column_duplicate", "column_extra", "too_many_columns"}
CJK = re.compile(r"[\u4e00-\u9fff]")
REJECTS = {"data/tuopin.rejects.csv", "data/tuopin.rejects.xlsx"}
FORMULA = "=cmd|' /C calc'!A0"


# ---------------------------------------------------------------------------------------------
# The sandbox and the three promises


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every entry below `folder`: relative path -> content hash, 'dir' or the link's target."""
    entries = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                entries[rel] = "link " + os.readlink(path)
            elif path.is_dir():
                entries[rel] = "dir"
            else:
                entries[rel] = sha256(path)
    return entries


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> bytes:
    """The database a bad load must leave alone: the tiny county, loaded once for the module."""
    db = tmp_path_factory.mktemp("previous") / "tuopin.duckdb"
    load_package(TINY, db)
    return db.read_bytes()


@dataclass
class Outcome:
    root: Path  # the sandbox: packages/ data/ home/ tmp/
    db: Path
    failure: LoadFailed | None
    result: LoadResult | None

    @property
    def problems(self) -> list[Problem]:
        return self.failure.problems if self.failure else self.result.problems

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def checks(self) -> set[str]:
        return {p.check_name for p in self.errors}


@contextmanager
def attempt(build, previous: bytes, expect: str = "refused"):
    """Load what `build(packages_folder)` returns over a copy of `previous` and check the promises.

    expect: "refused" (must end in LoadFailed), "loaded" (must succeed) or "either" (random input
    may happen to be a valid package)."""
    root = Path(tempfile.mkdtemp(prefix="tuopin-fuzz-"))
    try:
        for folder in ("packages", "data", "home", "tmp"):
            (root / folder).mkdir()
        package = build(root / "packages")
        db = root / "data" / "tuopin.duckdb"
        db.write_bytes(previous)
        before, db_hash = tree(root), sha256(db)
        saved_home, saved_tmp = os.environ.get("HOME"), tempfile.tempdir
        os.environ["HOME"], tempfile.tempdir = str(root / "home"), str(root / "tmp")
        outcome = Outcome(root, db, None, None)
        try:
            outcome.result = load_package(package, db)
        except LoadFailed as exc:
            outcome.failure = exc
        finally:
            tempfile.tempdir = saved_tmp
            if saved_home is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = saved_home
        after = tree(root)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert not [k for k in after if WORK_PREFIX in k], "a work folder was left behind"
        if outcome.failure is not None:
            assert expect in ("refused", "either"), f"refused: {[p.describe() for p in outcome.errors][:5]}"
            assert sha256(db) == db_hash, "the previous database file changed"
            assert changed <= REJECTS, f"written outside the rejects report: {sorted(changed - REJECTS)}"
            check_problems(outcome.problems)
            assert outcome.failure.rejects is not None
            check_report(outcome.failure.rejects, outcome.problems, root / "data")
        else:
            assert expect in ("loaded", "either"), "a hostile package loaded"
            allowed = {"data/tuopin.duckdb", "data/tuopin.duckdb.real-data"}  # the marker: a county's data
            if outcome.result.ready.stored:  # and the seal of the results computed ahead (queries/ready.py)
                served = db.stat()
                allowed |= {f"data/{SERVING_DIR}", f"data/{SERVING_DIR}/ready-{served.st_ino}-{served.st_mtime_ns}"}
            assert {k for k in changed if not k.startswith("data/backups")} <= allowed, sorted(changed - allowed)
            with duckdb.connect(str(db), read_only=True) as con:
                assert con.execute("select count(*) from regions").fetchone()[0] > 0
            # a load that passed leaves no report of personal data behind (its warnings are in the database)
            assert outcome.result.rejects is None and not [k for k in REJECTS if (root / k).exists()]
        yield outcome
    finally:
        shutil.rmtree(root, ignore_errors=True)


def check_problems(problems: list[Problem]) -> None:
    assert any(p.severity == "error" for p in problems)
    for p in problems:
        assert p.severity in ("error", "warning"), p
        assert p.check_name in KNOWN_CHECKS, p
        assert isinstance(p.file, str) and p.file.strip(), p
        assert CJK.search(p.message_zh), p
        assert re.search(r"[A-Za-z]{3}", p.message_en), p
        assert "Traceback" not in f"{p.message_en} {p.value}", p
        assert p.row_number is None or (isinstance(p.row_number, int) and p.row_number >= 1), p
        if p.check_name in HEADER_CHECKS:
            assert p.row_number == 1, p
        if p.check_name in CELL_CHECKS:
            assert p.row_number >= 2 and p.column, p
        if p.check_name == "csv_field_count" and p.row_number is not None:
            assert p.row_number >= 2, p


def is_safe_cell(text: str) -> bool:
    if not text.startswith(FORMULA_PREFIXES):
        return True
    try:
        float(text)  # a negative amount stays a number
        return True
    except ValueError:
        return False


def check_report(rejects: tuple[Path, Path], problems: list[Problem], folder: Path) -> None:
    """The report lies beside the database, lists every problem, and no cell can run as a formula."""
    from python_calamine import CalamineWorkbook

    csv_path, xlsx_path = rejects
    assert csv_path.parent == folder and xlsx_path.parent == folder
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == len(problems) + 1
    sheet = CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0).to_python()
    assert len(sheet) == len(problems) + 1
    for cell in [c for row in rows for c in row] + [c for row in sheet for c in row if isinstance(c, str)]:
        assert is_safe_cell(cell), cell


# ---------------------------------------------------------------------------------------------
# Making hostile packages


def lazy(value):
    """Big inputs are made when the case runs, not when the module is collected."""
    return value() if callable(value) else value


def tiny_with(stem: str | None = None, data=b"", suffix: str = ".csv"):
    """A build: the tiny package with one file (the Chinese stem) replaced by `data` as stem+suffix."""
    def build(folder: Path) -> Path:
        package = copy_package(TINY, folder / "pkg")
        if stem is not None:
            (package / f"{stem}.csv").unlink(missing_ok=True)
            (package / f"{stem}{suffix}").write_bytes(lazy(data))
        return package
    return build


def regions_with(edit) -> bytes:
    """区划.csv with edit(lines) applied to its text lines."""
    return ("\n".join(edit(list(REGION_LINES))) + "\n").encode("utf-8")


def replace_cell(line: int, column: int, value: str):
    def edit(lines):
        cells = lines[line].split(",")
        cells[column] = value
        lines[line] = ",".join(cells)
        return lines
    return edit


def zip_build(entries, name: str = "package.zip", patch=None):
    """A build: a zip of (name or ZipInfo, bytes) entries; patch(bytearray) may damage it after."""
    def build(folder: Path) -> Path:
        target = folder / name
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for entry, data in lazy(entries):
                zf.writestr(entry, lazy(data))
        if patch is not None:
            raw = bytearray(target.read_bytes())
            patch(raw)
            target.write_bytes(bytes(raw))
        return target
    return build


TINY_ENTRIES = [(path.name, path.read_bytes()) for path in sorted(TINY.glob("*.csv"))]
def bomb() -> bytes:
    return b"0" * (24 * 1024**2)  # deflates ~1000:1, above the 10 MiB from which the ratio counts


def without(stem: str) -> list:
    return [(name, data) for name, data in TINY_ENTRIES if not name.startswith(stem)]


def symlink(name: str, target: str):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def zip_bytes(entries) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry, data in entries:
            zf.writestr(entry, lazy(data))
    return buffer.getvalue()


def central_entries(raw: bytearray):
    """Offsets of the central directory headers of a zip."""
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        yield at
        at = raw.find(b"PK\x01\x02", at + 4)


def set_central(field_offset: int, value: bytes, only: str | None = None):
    """Patch a field of the central directory headers (of the entry whose name contains `only`)."""
    def patch(raw: bytearray):
        for at in list(central_entries(raw)):
            name_len = int.from_bytes(raw[at + 28:at + 30], "little")
            name = bytes(raw[at + 46:at + 46 + name_len])
            if only is None or only.encode() in name:
                raw[at + field_offset:at + field_offset + len(value)] = value
    return patch


def corrupt_data_of(entry: str):
    def patch(raw: bytearray):
        at = raw.find(b"PK\x03\x04")  # the first local header
        while at != -1:
            name_len = int.from_bytes(raw[at + 26:at + 28], "little")
            extra_len = int.from_bytes(raw[at + 28:at + 30], "little")
            if entry.encode() in raw[at + 30:at + 30 + name_len]:
                start = at + 30 + name_len + extra_len
                for i in range(start + 2, start + 40):
                    raw[i] ^= 0x5A
                return
            at = raw.find(b"PK\x03\x04", at + 4)
    return patch


def invalid_utf8_name(raw: bytearray):
    for at in central_entries(raw):
        raw[at + 8] |= 0x08  # general purpose flag bit 11: the name is UTF-8
        raw[at + 9] |= 0x08
        raw[at + 46] = 0xFF  # ... and it is not


@functools.cache
def regions_xlsx() -> bytes:
    folder = Path(tempfile.mkdtemp())
    try:
        return (to_xlsx(TINY, folder / "x") / "区划.xlsx").read_bytes()
    finally:
        shutil.rmtree(folder)


def handmade_xlsx(sheet_rows: str, sheet_path: str = "worksheets/sheet1.xml") -> bytes:
    """A minimal workbook whose first sheet (at xl/<sheet_path>) holds `sheet_rows` (<row> elements)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    return zip_bytes([
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
         'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
         'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
         'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         f'<Override PartName="/xl/{sheet_path}" ContentType="application/vnd.openxmlformats-officedocument.'
         'spreadsheetml.worksheet+xml"/></Types>'),
        ("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
                        f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
                            '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        ("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
                                       f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="{sheet_path}"/>'
                                       '</Relationships>'),
        (f"xl/{sheet_path}", f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
                             f'{sheet_rows}</sheetData></worksheet>'),
    ])


def text_cell(value: str, ref: str | None = None) -> str:
    where = f' r="{ref}"' if ref else ""
    return f'<c{where} t="inlineStr"><is><t>{value}</t></is></c>'


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def regions_rows(refs: bool = True) -> str:
    """区划.csv as sheet rows (inline strings), with or without cell references."""
    rows = []
    for r, line in enumerate(REGION_LINES, start=1):
        cells = "".join(text_cell(v, f"{column_letters(c)}{r}" if refs else None) if v else "" if refs else "<c/>"
                        for c, v in enumerate(line.split(",")))
        rows.append(f'<row r="{r}">{cells}</row>' if refs else f"<row>{cells}</row>")
    return "".join(rows)


def with_entry(xlsx: bytes, name: str, data: bytes) -> bytes:
    import io

    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        entries = [(info.filename, zf.read(info)) for info in zf.infolist()]
    return zip_bytes(entries + [(name, lazy(data))])


def gbk_then_utf8() -> bytes:
    lines = REGIONS.decode("utf-8").splitlines(keepends=True)
    return "".join(lines[:3]).encode("gbk") + "".join(lines[3:]).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Fixed hostile inputs: each must be refused, cleanly

REFUSED = {
    # wrong encodings
    "utf16_without_bom": (tiny_with("区划", REGIONS.decode().encode("utf-16-le")), {"encoding_unknown"}),
    "utf16_bom_odd_length": (tiny_with("区划", REGIONS.decode().encode("utf-16") + b"\x00"), {"encoding_unknown"}),
    "utf16_bom_lone_surrogate": (tiny_with("区划", codecs.BOM_UTF16_LE + "区划代码".encode("utf-16-le")
                                           + b"\x00\xd8,\x00"), {"encoding_unknown"}),
    "latin1_bytes_in_utf8": (tiny_with("区划", REGIONS.replace("甲乡".encode(), "Café".encode("latin-1"))),
                             {"encoding_unknown"}),
    "gbk_lines_then_utf8_lines": (tiny_with("区划", gbk_then_utf8()), None),
    "gb18030_invalid_bytes": (tiny_with("区划", b"\x81\x20\xff\xfe garbage \x80"), {"encoding_unknown"}),
    # empty, header only, BOM only, NUL
    "empty_file": (tiny_with("区划", b""), {"column_missing"}),
    "empty_optional_file": (tiny_with("帮扶措施", b""), {"column_missing"}),
    "blank_lines_only": (tiny_with("区划", b"\n\r\n\n"), {"column_missing"}),
    "bom_only": (tiny_with("区划", codecs.BOM_UTF8), {"column_missing"}),
    "header_only": (tiny_with("区划", REGIONS.splitlines(keepends=True)[0]), None),
    "nul_bytes_only": (tiny_with("区划", b"\x00" * 4096), {"column_missing"}),
    "nul_in_header": (tiny_with("区划", b"\x00" + REGIONS), {"column_missing"}),
    "nul_in_a_cell": (tiny_with("区划", REGIONS.replace("甲乡".encode(), "甲\x00乡".encode())), {"value_control_chars"}),
    "control_chars_in_a_cell": (tiny_with("贫困户", (TINY / "贫困户.csv").read_bytes().replace(
        "赵大山".encode(), "赵\x1b[2J山".encode())), {"value_control_chars"}),
    # CSV structure
    "unbalanced_quote": (tiny_with("区划", regions_with(replace_cell(2, 1, '"甲乡'))), None),
    "unclosed_quote_longer_than_a_record": (tiny_with("区划", lambda: REGIONS + b'"' + b"x" * (40 * 1024**2)),
                                            {"csv_record_too_large"}),
    "duplicate_header": (tiny_with("区划", REGIONS.replace("名称".encode(), "区划代码".encode(), 1)),
                         {"column_duplicate"}),
    "duplicate_header_by_alias": (tiny_with("区划", REGIONS.replace("名称".encode(), b"CODE", 1)),
                                  {"column_duplicate"}),
    "header_with_100k_columns": (tiny_with("区划", lambda: regions_with(lambda ls: [ls[0] + ",x" * 100_000] + ls[1:])),
                                 {"too_many_columns"}),
    "line_with_100k_fields": (tiny_with("区划", lambda: regions_with(lambda ls: ls + [",".join(["1"] * 100_000)])),
                              {"csv_field_count"}),
    "line_of_delimiters_only": (tiny_with("区划", regions_with(lambda ls: ls + ["," * 20])), {"csv_field_count"}),
    # very long cells
    "cell_of_1mb_text": (tiny_with("区划", lambda: regions_with(replace_cell(3, 1, "长" * 350_000))), {"value_too_long"}),
    "cell_of_10mb_code": (tiny_with("区划", lambda: regions_with(replace_cell(3, 0, "4" * 10 * 1024**2))),
                          {"value_too_long"}),
    "cell_of_5mb_in_a_date": (tiny_with("动态管理记录", lambda: (TINY / "动态管理记录.csv").read_bytes().replace(
        b"2016-11-30", b"2016" * 1_300_000)), {"value_format"}),
    "formula_in_an_enum_cell": (tiny_with("区划", regions_with(replace_cell(3, 2, FORMULA))), {"value_enum"}),
    # random bytes under a contract name
    "random_bytes_as_csv": (tiny_with("区划", random.Random(1).randbytes(3000)), None),
    "random_bytes_as_xlsx": (tiny_with("区划", random.Random(2).randbytes(3000), ".xlsx"), {"xlsx_unreadable"}),
    "random_bytes_as_xls": (tiny_with("区划", random.Random(3).randbytes(3000), ".xls"), {"xlsx_unreadable"}),
    "random_bytes_as_zip": (lambda folder: (folder / "p.zip").write_bytes(random.Random(4).randbytes(3000))
                            and folder / "p.zip", {"bad_zip"}),
    "random_bytes_as_boundaries": (tiny_with("边界", random.Random(5).randbytes(3000), ".geojson"),
                                   {"boundaries_unreadable"}),
    "csv_named_xlsx": (tiny_with("区划", REGIONS, ".xlsx"), {"xlsx_unreadable"}),
    # broken and hostile workbooks
    "xlsx_cut_in_half": (tiny_with("区划", (lambda: regions_xlsx()[: len(regions_xlsx()) // 2]), ".xlsx"), {"xlsx_unreadable"}),
    "xlsx_cell_at_XFD1048576": (tiny_with("区划", handmade_xlsx(
        regions_rows() + f'<row r="1048576">{text_cell("x", "XFD1048576")}</row>'), ".xlsx"), {"xlsx_too_large"}),
    "xlsx_far_cell_reference_not_first": (tiny_with("区划", handmade_xlsx(
        regions_rows() + '<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row>'), ".xlsx"),
        {"xlsx_too_large"}),
    "xlsx_far_cell_in_a_quoted_trick": (tiny_with("区划", handmade_xlsx(
        regions_rows() + '<row r="1048576"><c t="a&gt;b" r="XFD1048576"><v>1</v></c></row>'), ".xlsx"),
        {"xlsx_too_large"}),
    "xlsx_wide_row_without_references": (tiny_with("区划", lambda: handmade_xlsx(
        regions_rows(refs=False) + "<row>" + "<c><v>1</v></c>" * 20_000 + '</row><row r="1100"><c><v>1</v></c></row>'),
        ".xlsx"), {"xlsx_too_large"}),
    "xlsx_sheet_hidden_outside_worksheets": (tiny_with("区划", handmade_xlsx(
        regions_rows() + f'<row r="1048576">{text_cell("x", "XFD1048576")}</row>', "media/image1.png"), ".xlsx"),
        {"xlsx_too_large"}),
    "xlsx_with_a_bomb_entry": (tiny_with("区划", lambda: with_entry(regions_xlsx(), "xl/media/bomb.bin", bomb), ".xlsx"),
                               {"zip_bomb"}),
    "xlsx_with_a_symlink": (tiny_with("区划", lambda: with_entry(regions_xlsx(), *symlink("xl/link", "/etc/passwd")), ".xlsx"),
                            {"unsafe_zip_link"}),
    # zip bombs and hostile zips
    "zip_bomb_entry": (zip_build(without("区划") + [("区划.csv", bomb)]), {"zip_bomb"}),
    "zip_bomb_under_an_ignored_name": (zip_build(TINY_ENTRIES + [("readme.bin", bomb)]), {"zip_bomb"}),
    "zip_entry_larger_than_declared": (zip_build(TINY_ENTRIES + [("区划.bak", bomb)],
                                                 patch=set_central(24, (1000).to_bytes(4, "little"), "区划.bak")),
                                       {"zip_entry_unreadable"}),
    "zip_nested_bomb_in_boundaries": (zip_build(TINY_ENTRIES + [("边界.zip", lambda: zip_bytes([("边界.geojson", bomb)]))]),
                                      {"zip_bomb"}),
    "zip_nested_twice": (zip_build(TINY_ENTRIES + [("边界.zip", lambda: zip_bytes([("inner.zip", zip_bytes(
        [("边界.geojson", bomb)]))]))]), None),
    "folder_with_a_boundaries_zip_bomb": (tiny_with("边界", lambda: zip_bytes([("边界.geojson", bomb)]), ".zip"), {"zip_bomb"}),
    "zip_parent_path": (zip_build(TINY_ENTRIES + [("../../evil.csv", b"x")]), {"unsafe_zip_path"}),
    "zip_parent_path_deep": (zip_build(TINY_ENTRIES + [("a/../../../../evil.csv", b"x")]), {"unsafe_zip_path"}),
    "zip_parent_path_backslash": (zip_build(TINY_ENTRIES + [("..\\..\\evil.csv", b"x")]), {"unsafe_zip_path"}),
    "zip_absolute_path": (zip_build(TINY_ENTRIES + [("/tmp/evil.csv", b"x")]), {"unsafe_zip_path"}),
    "zip_drive_path": (zip_build(TINY_ENTRIES + [("C:/evil.csv", b"x")]), {"unsafe_zip_path"}),
    "zip_symlink_to_a_system_file": (zip_build(without("区划") + [symlink("区划.csv", "/etc/passwd")]),
                                     {"unsafe_zip_link"}),
    "zip_symlink_out_of_the_folder": (zip_build(TINY_ENTRIES + [symlink("up", "../../..")]), {"unsafe_zip_link"}),
    "zip_truncated": (lambda folder: (folder / "t.zip").write_bytes(
        zip_bytes(TINY_ENTRIES)[:3000]) and folder / "t.zip", {"bad_zip"}),
    "zip_corrupt_deflate_stream": (zip_build(TINY_ENTRIES, patch=corrupt_data_of("家庭成员")),
                                   {"zip_entry_unreadable"}),
    "zip_encrypted_entry": (zip_build(TINY_ENTRIES, patch=set_central(8, b"\x01", "区划")), {"zip_entry_unreadable"}),
    "zip_unknown_compression": (zip_build(TINY_ENTRIES, patch=set_central(10, b"\x63\x00", "区划")),
                                {"zip_entry_unreadable"}),
    "zip_invalid_utf8_name": (zip_build(TINY_ENTRIES, patch=invalid_utf8_name), {"bad_zip"}),
    "zip_empty": (zip_build([]), {"file_missing"}),
    "zip_two_files_for_one_table": (zip_build(TINY_ENTRIES + [("regions.csv", REGIONS)]), {"file_duplicate"}),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_input_is_refused_cleanly(case, previous):
    build, expected = REFUSED[case]
    with attempt(build, previous) as outcome:
        if expected:
            assert expected <= outcome.checks(), [p.describe() for p in outcome.errors][:5]
        assert not (outcome.root.parent / "evil.csv").exists()


def test_formulas_in_cells_load_unchanged_and_are_neutralised_in_the_report(previous):
    """=cmd|... in text cells is data: it loads as written; the rejects report (warnings here: an extra
    column whose header is a formula) never holds a cell a spreadsheet would run."""
    def build(folder):
        package = copy_package(TINY, folder / "pkg")
        path = package / "区划.csv"
        path.write_bytes(regions_with(replace_cell(5, 1, FORMULA)))
        lines = (package / "帮扶措施.csv").read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ',"=HYPERLINK(""http://x"",""点我"")"'] + [line + ",@SUM(1+1)" for line in lines[1:]]
        (package / "帮扶措施.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        households = (package / "贫困户.csv").read_text(encoding="utf-8")
        (package / "贫困户.csv").write_text(households.replace("钱二妹", "+钱二妹-1"), encoding="utf-8")
        return package

    with attempt(build, previous, expect="loaded") as outcome:
        with duckdb.connect(str(outcome.db), read_only=True) as con:
            assert con.execute("select name from regions where code = '430101200000'").fetchone() == (FORMULA,)
            assert con.execute("select head_name from households where household_id = 'H2'").fetchone() == (
                "+钱二妹-1",)
        [extra] = [p for p in outcome.problems if p.check_name == "column_extra"]
        assert extra.value.startswith("=HYPERLINK")
        # a passed load writes no report; the report of its warnings, as a failed load would write it
        report, _xlsx = write_rejects(outcome.problems, outcome.root / "report.csv")
        with open(report, encoding="utf-8-sig", newline="") as f:
            assert "'=HYPERLINK(\"http://x\",\"点我\")" in [cell for row in csv.reader(f) for cell in row]


def test_formula_in_a_refused_cell_is_neutralised_in_the_report(previous):
    with attempt(tiny_with("区划", regions_with(replace_cell(3, 2, FORMULA))), previous) as outcome:
        with open(outcome.failure.rejects[0], encoding="utf-8-sig", newline="") as f:
            assert "'" + FORMULA in [cell for row in csv.reader(f) for cell in row]


def test_folder_with_gbk_file_names_loads(previous):
    """Unpacking a Windows zip on Linux leaves GBK bytes in the names: they are read, not a crash."""
    def build(folder):
        package = copy_package(TINY, folder / "pkg")
        for path in list(package.iterdir()):
            os.rename(path, os.path.join(os.fsencode(package), path.name.encode("gbk")))
        os.close(os.open(os.path.join(os.fsencode(package), b"\xff\xfe.csv"), os.O_CREAT | os.O_WRONLY))
        return package

    with attempt(build, previous, expect="loaded") as outcome:
        assert outcome.result.rows["members"] == 17
        assert [p.check_name for p in outcome.problems] == ["file_ignored"]


def test_handmade_workbook_without_references_loads(previous):
    """The hand-made workbooks above are real workbooks: the control case loads."""
    with attempt(tiny_with("区划", handmade_xlsx(regions_rows(refs=False)), ".xlsx"), previous,
                 expect="loaded") as outcome:
        assert outcome.result.rows["regions"] == 6


# ---------------------------------------------------------------------------------------------
# Limits (README: 限制 Limits)

LIMITS = {  # constant -> how README states it
    "MAX_PACKAGE_BYTES": "2 GiB",
    "MAX_DECOMPRESSED_BYTES": "4 GiB",
    "MAX_ZIP_RATIO": "200",
    "ZIP_RATIO_FROM_BYTES": "10 MiB",
    "MAX_ZIP_ENTRIES": "10,000",
    "MAX_ROWS_PER_FILE": "20,000,000",
    "MAX_COLUMNS": "1,000",
    "MAX_CELL_CHARS": "10,000",
    "MAX_RECORD_BYTES": "16 MiB",
    "MAX_XLSX_CELLS": "20,000,000",
    "MIN_FREE_BYTES": "1 GiB",
}


def test_limits_are_stated_in_the_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 限制 Limits", 1)[1].split("\n## ", 1)[0]
    for name, shown in LIMITS.items():
        value = getattr(limits, name)
        number = shown.replace(",", "").split()[0]
        unit = {"GiB": 1024**3, "MiB": 1024**2}.get(shown.split()[-1], 1)
        assert value == int(number) * unit, name
        assert f"`{name}`" in section and shown in section, name


LOWERED = {  # the limit lowered so that tiny exceeds it; the package; the problem
    "MAX_PACKAGE_BYTES": (1000, lambda folder: to_zip(TINY, folder / "p.zip"), "package_too_large"),
    "MAX_DECOMPRESSED_BYTES": (5000, tiny_with(), "package_too_large"),
    "MAX_DECOMPRESSED_BYTES_zip": (5000, lambda folder: to_zip(TINY, folder / "p.zip"), "package_too_large"),
    "MAX_ZIP_ENTRIES": (5, lambda folder: to_zip(TINY, folder / "p.zip"), "zip_too_many_entries"),
    "MAX_ROWS_PER_FILE": (16, tiny_with(), "too_many_rows"),  # 家庭成员.csv has 17
    "MAX_ROWS_PER_FILE_xlsx": (16, lambda folder: to_xlsx(TINY, folder / "x"), "too_many_rows"),
    "MAX_XLSX_CELLS": (100, lambda folder: to_xlsx(TINY, folder / "x"), "xlsx_too_large"),
}


@pytest.mark.parametrize("case", sorted(LOWERED))
def test_each_limit_is_enforced_with_a_clear_problem(case, previous, monkeypatch):
    value, build, check = LOWERED[case]
    monkeypatch.setattr(limits, case.removesuffix("_zip").removesuffix("_xlsx"), value)
    with attempt(build, previous) as outcome:
        assert check in outcome.checks()


def test_limits_at_their_real_values(previous):
    """One header of exactly MAX_COLUMNS fields and a cell of exactly MAX_CELL_CHARS load; one more
    of either is refused (the refusals are cases above: 100k columns, a 1 MB cell)."""
    extra = limits.MAX_COLUMNS - len(REGION_LINES[0].split(","))

    def widest(lines):
        return [lines[0] + "".join(f",extra{i}" for i in range(extra))] + [line + "," * extra for line in lines[1:]]

    longest = regions_with(lambda lines: replace_cell(3, 1, "长" * limits.MAX_CELL_CHARS)(widest(lines)))
    with attempt(tiny_with("区划", longest), previous, expect="loaded"):
        pass
    one_more = regions_with(lambda lines: replace_cell(3, 1, "长" * (limits.MAX_CELL_CHARS + 1))(widest(lines)))
    with attempt(tiny_with("区划", one_more), previous) as outcome:
        assert outcome.checks() == {"value_too_long"}
    wider = regions_with(lambda lines: [line + "," for line in widest(lines)])
    with attempt(tiny_with("区划", wider), previous) as outcome:
        assert outcome.checks() == {"too_many_columns"}


# ---------------------------------------------------------------------------------------------
# Random input (Hypothesis)

TOKENS = [b",", b'"', b"\n", b"\r", b"\r\n", b"\x00", codecs.BOM_UTF8, b"\xff", b"\xe4\xb8", FORMULA.encode(), b'""',
          b",,,,", "、".encode(), b" "]


@st.composite
def mutated_csv(draw) -> tuple[str, bytes]:
    """One of tiny's CSV files with 1–4 random edits: lines deleted, duplicated or swapped, bytes flipped,
    delimiters, quotes, newlines and other tokens inserted, the end cut off."""
    stem = draw(st.sampled_from(CSV_STEMS))
    data = (TINY / f"{stem}.csv").read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        lines = data.split(b"\n")
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "flip", "insert", "cut"]))
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(j, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        if op in ("delete", "duplicate", "swap"):
            data = b"\n".join(lines)
        elif op == "flip" and data:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
        elif op == "insert":
            data = data[:at] + draw(st.sampled_from(TOKENS)) + data[at:]
        elif op == "cut":
            data = data[:at]
    return stem, data


def data_records(path: Path) -> int:
    """Rows of data as Python's csv module reads the file (blank lines are no rows)."""
    encoding = detect_encoding(path)
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
        return sum(1 for record in list(csv.reader(f))[1:] if record)


@fuzz(10)
@given(mutated_csv())
def test_random_edits_of_tiny_load_or_fail_cleanly(previous, mutation):
    stem, data = mutation
    with attempt(tiny_with(stem, data), previous, expect="either") as outcome:
        if outcome.result is not None:  # a valid package after all: nothing may have been dropped
            table = SPECS[stem].table
            with duckdb.connect(str(outcome.db), read_only=True) as con:
                stored = con.execute(f'select count(*) from "{table}"').fetchone()[0]
            path = outcome.root / "mutated.csv"
            path.write_bytes(data)
            assert stored == outcome.result.rows[table] == data_records(path)


@fuzz(5)
@given(st.floats(0, 1, exclude_max=True))
def test_truncated_xlsx_is_refused(previous, fraction):
    cut = regions_xlsx()[: int(len(regions_xlsx()) * fraction)]
    with attempt(tiny_with("区划", cut, ".xlsx"), previous) as outcome:
        assert outcome.checks() <= {"xlsx_unreadable", "bad_zip"} | {c.name for c in relational_checks()}
        assert "xlsx_unreadable" in outcome.checks()


@fuzz(10)
@given(st.sampled_from([("区划", ".csv"), ("区划", ".xlsx"), ("区划", ".xls"), (None, ".zip"), ("边界", ".geojson"),
                        ("边界", ".zip")]),
       st.binary(min_size=0, max_size=4096))
def test_random_bytes_are_refused(previous, where, data):
    stem, suffix = where
    if stem is None:
        def build(folder):
            (folder / "p.zip").write_bytes(data)
            return folder / "p.zip"
    else:
        build = tiny_with(stem, data, suffix)
    with attempt(build, previous):
        pass


TINY_ZIP = zip_bytes(TINY_ENTRIES)


@fuzz(8)
@given(st.sampled_from(["zip", "xlsx"]), st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
                                                   min_size=1, max_size=6))
def test_random_byte_flips_in_zip_and_xlsx(previous, kind, flips):
    """A damaged archive fails with a problem, or — when the flips hit bytes no reader checks — loads."""
    raw = bytearray(TINY_ZIP if kind == "zip" else regions_xlsx())
    for where, mask in flips:
        raw[int(where * len(raw))] ^= mask

    def build(folder):
        if kind == "zip":
            (folder / "p.zip").write_bytes(bytes(raw))
            return folder / "p.zip"
        return tiny_with("区划", bytes(raw), ".xlsx")(folder)

    with attempt(build, previous, expect="either"):
        pass


# Reading alone (no DuckDB): cheap enough for many more examples of the same inputs.

@fuzz(60)
@given(st.one_of(mutated_csv().map(lambda m: (m[0], ".csv", m[1])),
                 st.tuples(st.sampled_from(CSV_STEMS), st.sampled_from([".csv", ".xlsx", ".xls"]),
                           st.binary(max_size=2048)),
                 st.tuples(st.just("区划"), st.just(".xlsx"),
                           st.tuples(st.floats(0, 1), st.integers(0, 255)).map(
                               lambda f: (lambda raw: raw[: int(len(raw) * f[0])] + bytes([f[1]]))(regions_xlsx())))))
def test_reader_never_raises(case):
    stem, suffix, data = case
    folder = Path(tempfile.mkdtemp(prefix="tuopin-read-"))
    try:
        path = folder / f"{stem}{suffix}"
        path.write_bytes(data)
        spec = SPECS[stem]
        table = read_table(spec, PackageFile(spec.table, path, path.name))
        batches = list(table.batches or [])
        for p in table.problems:
            assert p.check_name in KNOWN_CHECKS and CJK.search(p.message_zh) and p.message_en and p.file, p
        if not any(p.severity == "error" for p in table.problems):
            assert sum(b.num_rows for b in batches) == table.rows
    finally:
        shutil.rmtree(folder)
