"""Disk: a zip is extracted only when the sizes it declares fit in the free disk space (less
MIN_FREE_BYTES) and under MAX_DECOMPRESSED_BYTES, checked before the first byte is written; while it
is extracted, an entry that writes more than it declared stops the extraction at once."""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from etl import limits
from etl.load import LoadFailed, load_package
from etl.problems import PackageError
from etl.zipsafe import extract_zip
from tests.conftest import TINY

FIVE_MIB = 5 * 1024**2


def package_zip(path: Path, extra: bytes = b"\x00" * FIVE_MIB) -> Path:
    """The tiny county plus a 5 MiB note (ignored by the loader, but extracted)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(TINY.iterdir()):
            zf.write(file, file.name)
        zf.writestr("notes.bin", extra)
    return path


def lie_about_size(path: Path, entry: str, declared: int) -> Path:
    """Rewrite the uncompressed size of `entry` in the zip's central directory (and local header)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(entry)
    data[info.header_offset + 22:info.header_offset + 26] = struct.pack("<I", declared)
    central = data.index(b"PK\x01\x02")
    while True:  # find the central header of `entry`
        name_len = struct.unpack("<H", data[central + 28:central + 30])[0]
        extra_len, comment_len = struct.unpack("<HH", data[central + 30:central + 34])
        if data[central + 46:central + 46 + name_len].decode() == entry:
            data[central + 24:central + 28] = struct.pack("<I", declared)
            break
        central = central + 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_zip_larger_than_the_free_space_is_refused_before_a_byte_is_written(tmp_path, monkeypatch):
    db = tmp_path / "data" / "tuopin.duckdb"
    load_package(TINY, db)
    before = db.read_bytes()
    beside = sorted(p.name for p in db.parent.iterdir())
    package = package_zip(tmp_path / "p.zip")
    # all the free space must stay free: the 5 MiB the zip declares cannot fit
    monkeypatch.setattr(limits, "MIN_FREE_BYTES", shutil.disk_usage(tmp_path).free)

    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(PackageError) as refused:
        extract_zip(package, work)
    assert list(work.iterdir()) == []
    [problem] = refused.value.problems
    assert (problem.file, problem.check_name) == ("p.zip", "disk_space")
    assert problem.message_zh.startswith("磁盘空间不足：解压导入包需要 5.0")
    assert problem.message_en.startswith("not enough disk space: extracting the package needs 5.0")
    assert problem.message_en.endswith("; refused before writing anything")

    with pytest.raises(LoadFailed) as failed:
        load_package(package, db)
    assert [(p.file, p.check_name) for p in failed.value.problems] == [("p.zip", "disk_space")]
    assert db.read_bytes() == before
    # nothing was extracted beside the database: only the rejects report is new
    assert sorted(p.name for p in db.parent.iterdir()) == sorted(beside + ["tuopin.rejects.csv", "tuopin.rejects.xlsx"])


def test_a_zip_fitting_the_free_space_loads(tmp_path):
    db = tmp_path / "data" / "tuopin.duckdb"
    result = load_package(package_zip(tmp_path / "p.zip"), db)
    assert result.rows["members"] == 17
    assert [p.check_name for p in result.problems] == ["file_ignored"]


def test_declared_sizes_over_the_limit_are_refused_before_a_byte_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED_BYTES", 1024**2)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(PackageError) as refused:
        extract_zip(package_zip(tmp_path / "p.zip"), work)
    assert [(p.file, p.check_name, p.message_en) for p in refused.value.problems] == [
        ("p.zip", "package_too_large", "the package is too large (limit 1 MiB)")]
    assert list(work.iterdir()) == []


def test_an_entry_lying_about_its_size_stops_at_what_it_declared(tmp_path):
    """notes.bin declares 1,000 bytes and inflates to 5 MiB: extraction stops having written no more
    than the package declared (so every check made before extracting still holds)."""
    package = lie_about_size(package_zip(tmp_path / "p.zip", extra=b"x" * FIVE_MIB), "notes.bin", 1000)
    with zipfile.ZipFile(package) as zf:
        declared = sum(i.file_size for i in zf.infolist())
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(PackageError) as refused:
        extract_zip(package, work)
    assert {p.check_name for p in refused.value.problems} <= {"zip_bomb", "zip_entry_unreadable"}
    assert [p.file for p in refused.value.problems] == ["notes.bin"]
    assert folder_bytes(work) <= declared


def test_extraction_stops_at_the_declared_total(tmp_path, monkeypatch):
    """Growth is counted over the whole package as written, not only per entry: with a budget lowered
    below what the entries write, extraction stops there."""
    package = package_zip(tmp_path / "p.zip")
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED_BYTES", 2 * 1024**2)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(PackageError):
        extract_zip(package, work)
    assert folder_bytes(work) <= 2 * 1024**2
