"""Zip safety: open a zip (a package, a zipped Shapefile, an xlsx) and extract a package's entries
without letting a hostile archive escape the work folder, exhaust the disk or crash the reader.

Refused before a byte is written: paths leaving the folder, links, too many entries, an entry
compressed implausibly well, declared sizes above MAX_DECOMPRESSED_BYTES or above the free space of
the work folder's disk (less MIN_FREE_BYTES). While extracting, the bytes actually written are
counted: an entry that inflates past its declared size, or a package past its declared total, stops
at once, so the folder never grows beyond what was checked.
"""

from __future__ import annotations

import dataclasses
import shutil
import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from etl import limits
from etl.problems import PackageError, Problem

# What zipfile raises on a damaged, hostile, encrypted or exotic archive (it has no single error type).
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
              NotImplementedError, OverflowError, IndexError, KeyError, zlib.error, struct.error)

CHUNK_BYTES = 1024 * 1024


def open_zip(path: Path, display: str) -> zipfile.ZipFile:
    """Open a zip (a package, a zipped Shapefile or an xlsx) or raise PackageError saying why not."""
    try:
        with open(path, "rb") as f:
            # the entry count of the end record, before zipfile builds an object per entry
            end = zipfile._EndRecData(f) if hasattr(zipfile, "_EndRecData") else None
        if end and end[zipfile._ECD_ENTRIES_TOTAL] > limits.MAX_ZIP_ENTRIES:
            raise PackageError([Problem.file_error(display, "zip_too_many_entries",
                                                   detail=f"{limits.MAX_ZIP_ENTRIES:,}")])
        return zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise PackageError([Problem.file_error(display, "bad_zip", value=str(exc)[:200])]) from None


def safe_members(zf: zipfile.ZipFile, display: str) -> list[zipfile.ZipInfo]:
    """Refuse zip entries that would land outside the work folder, links, and zip bombs."""
    problems, members, total = [], [], 0
    infos = zf.infolist()
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise PackageError([Problem.file_error(display, "zip_too_many_entries", detail=f"{limits.MAX_ZIP_ENTRIES:,}")])
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            problems.append(Problem.file_error(name, "unsafe_zip_path", value=name))
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(Problem.file_error(name, "unsafe_zip_link", value=name))
            continue
        if info.is_dir():
            continue
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.MAX_ZIP_RATIO and info.file_size > limits.ZIP_RATIO_FROM_BYTES:
            problems.append(Problem.file_error(name, "zip_bomb", value=f"{info.file_size} bytes"))
            continue
        members.append(info)
    if total > limits.MAX_DECOMPRESSED_BYTES:
        problems.append(Problem.file_error(display, "package_too_large", value=f"{total} bytes",
                                           detail=limits.size_text(limits.MAX_DECOMPRESSED_BYTES)))
    if problems:
        raise PackageError(problems)
    return members


def check_zip(path: Path, display: str) -> None:
    """The checks of a package zip, for a zip read by another library (xlsx, zipped Shapefile)."""
    try:
        with open_zip(path, display) as zf:
            safe_members(zf, display)
    except PackageError as exc:  # name the entries inside the file the user knows
        raise PackageError([p if p.file == display else dataclasses.replace(p, file=f"{display}/{p.file}")
                            for p in exc.problems]) from None


def decode_name(raw: bytes) -> str:
    """A file name as the user wrote it: UTF-8, else GBK/GB18030 (Windows tools), never undecodable."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def check_free_space(work_dir: Path, needed: int, display: str) -> None:
    """Refuse (PackageError disk_space) unless `needed` bytes fit on work_dir's disk with
    MIN_FREE_BYTES to spare."""
    free = shutil.disk_usage(work_dir).free
    if needed + limits.MIN_FREE_BYTES > free:
        detail = (f"{limits.size_text(needed)} + {limits.size_text(limits.MIN_FREE_BYTES)}, "
                  f"free {limits.size_text(free)}")
        raise PackageError([Problem.file_error(display, "disk_space", value=f"{needed} bytes", detail=detail)])


def extract_zip(path: Path, work_dir: Path) -> list[tuple[Path, str]]:
    """Extract a package zip's entries into work_dir as 0000.csv, 0001.xlsx, …; returns (path, name as
    the user wrote it). Everything is checked before the first byte is written; then no entry may
    write more than it declared, nor the package more than its declared total."""
    out = []
    with open_zip(path, path.name) as zf:
        members = safe_members(zf, path.name)
        declared = sum(info.file_size for info in members)
        check_free_space(work_dir, declared, path.name)
        budget = min(declared, limits.MAX_DECOMPRESSED_BYTES)
        total = 0
        for info in members:
            # Names from Windows zip tools are often GBK without the UTF-8 flag.
            name = info.filename
            if not info.flag_bits & 0x800:
                name = decode_name(name.encode("cp437"))
            target = work_dir / f"{len(out):04d}{Path(name).suffix.lower()}"
            written = 0
            with open(target, "wb") as dst:
                try:
                    with zf.open(info) as src:
                        while chunk := src.read(CHUNK_BYTES):
                            written += len(chunk)
                            total += len(chunk)
                            if written > info.file_size or total > budget:
                                raise PackageError([Problem.file_error(name, "zip_bomb", value=f">{written} bytes")])
                            dst.write(chunk)
                except ZIP_ERRORS as exc:  # damaged, encrypted, an unknown compression method
                    problem = Problem.file_error(name, "zip_entry_unreadable", value=str(exc)[:200])
                    raise PackageError([problem]) from None
            out.append((target, name))
    return out
