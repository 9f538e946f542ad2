"""Helpers that rewrite an import package into the other forms the contract allows."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

from etl.contract import contract


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]], fieldnames: list[str] | None = None,
               encoding: str = "utf-8") -> None:
    fieldnames = fieldnames or list(rows[0].keys())
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def copy_package(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def edit_csv(package: Path, stem_zh: str, edit) -> None:
    """Apply `edit(rows) -> rows` to one CSV of a package (keeps the header order)."""
    path = package / f"{stem_zh}.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fieldnames = list(reader.fieldnames)
        rows = list(reader)
    rows = edit(rows)
    write_rows(path, rows, fieldnames)


def to_zip(source: Path, target: Path, folder_inside: str | None = "包") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(source.iterdir()):
            zf.write(path, f"{folder_inside}/{path.name}" if folder_inside else path.name)
    return target


def to_gb18030(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        if path.suffix == ".csv":
            (target / path.name).write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
        else:
            shutil.copy(path, target / path.name)
    return target


def to_utf8_bom(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        if path.suffix == ".csv":
            (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8-sig")
        else:
            shutil.copy(path, target / path.name)
    return target


def _english(stem_zh: str):
    spec = next(f for f in contract().files if f.stem_zh == stem_zh)
    return spec, {c.header_zh: c.name for c in spec.columns}


def to_english(source: Path, target: Path) -> Path:
    """English file names and English column headers, columns in reverse order (order is free)."""
    target.mkdir()
    for path in source.iterdir():
        if path.suffix != ".csv":
            shutil.copy(path, target / ("boundaries" + path.suffix if path.stem == "边界" else path.name))
            continue
        spec, names = _english(path.stem)
        rows = read_rows(path)
        fieldnames = [names[h] for h in reversed(list(rows[0].keys()))] if rows else []
        renamed = [{names[k]: v for k, v in row.items()} for row in rows]
        write_rows(target / f"{spec.table.upper()}.csv", renamed, fieldnames)
    return target


def typed_rows(path: Path) -> tuple[list[str], list[list]]:
    """A contract CSV's header and its cells as a spreadsheet user types them: a date as a datetime and a
    plain number as a float where the column is a date or a number, the rest as text (to_xlsx, and the
    .xls fixtures of tests/fixtures/make_xls.py)."""
    import datetime as dt

    spec, _ = _english(path.stem)
    kinds = {c.header_zh: c.kind for c in spec.columns}
    rows = read_rows(path)
    header = list(rows[0].keys()) if rows else []

    def typed(value: str, kind: str | None):
        if value and kind == "date" and len(value) == 10 and value[4] == "-":
            return dt.datetime.fromisoformat(value)
        if value and kind in ("int", "money") and value.lstrip("-").replace(".", "", 1).isdigit():
            return float(value)
        return value

    return header, [[typed(row[name], kinds.get(name)) for name in header] for row in rows]


def to_xlsx(source: Path, target: Path) -> Path:
    """Every CSV as an XLSX workbook (first sheet), with a title row above the header and real
    date and number cells where the text is a date or a plain number (as Excel users make them).
    xlsxwriter is pure Python (about 10 µs a cell, half a minute for the demo county), so the workbooks
    are written by as many processes as there are cores, the largest first."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    target.mkdir()
    csvs = sorted((p for p in source.iterdir() if p.suffix == ".csv"), key=lambda p: -p.stat().st_size)
    for path in source.iterdir():
        if path.suffix != ".csv":
            shutil.copy(path, target / path.name)
    if len(csvs) > 1 and sum(p.stat().st_size for p in csvs) > 1 << 20:
        with ProcessPoolExecutor(max_workers=min(len(csvs), os.cpu_count() or 1)) as pool:
            list(pool.map(_csv_to_xlsx, csvs, [target / f"{p.stem}.xlsx" for p in csvs]))
    else:
        for path in csvs:
            _csv_to_xlsx(path, target / f"{path.stem}.xlsx")
    return target


def _csv_to_xlsx(path: Path, out: Path) -> None:
    import datetime as dt

    import xlsxwriter

    header, rows = typed_rows(path)
    workbook = xlsxwriter.Workbook(str(out))
    sheet = workbook.add_worksheet("数据")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write(0, 0, f"{path.stem}（导出）")  # a title row, as many exports have
    sheet.write_row(1, 0, header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    workbook.close()


def rejected(package: Path, db: Path) -> list:
    """Load `package` over the database `db`, expecting a refusal: the problems, once the previous
    database file is proved unchanged."""
    import pytest

    from etl.load import LoadFailed, load_package

    before = db.read_bytes()
    with pytest.raises(LoadFailed) as info:
        load_package(package, db)
    assert db.read_bytes() == before, "the previous database file changed"
    return info.value.problems


def load_tables(package: Path, db: Path):
    """etl.load.load_package without computing the dashboard's views ahead (queries/ready.py,
    ready_seconds=0), for tests that read the loaded tables and the catalog's queries, never the dashboard:
    the views computed ahead are read only by the dashboard (ui/data.py), and computing them is about a
    second of each such load (tests/test_ready_results.py tests them)."""
    from etl.load import load_package

    return load_package(package, db, ready_seconds=0)
