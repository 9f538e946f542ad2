"""The package: find the files of an import (a folder or a .zip, extracted by etl/zipsafe.py) and name
the contract table each one holds."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from etl import limits
from etl.contract import Contract, contract
from etl.problems import PackageError, Problem
from etl.zipsafe import decode_name, extract_zip

TABULAR_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}
BOUNDARY_SUFFIXES = {".geojson", ".json", ".zip", ".shp"}
BOUNDARY_STEMS = {"boundaries", "边界"}


@dataclass
class PackageFile:
    table: str  # English stem of the contract, or "boundaries"
    path: Path  # on disk (extracted when the package was a zip)
    display_name: str  # as the user named it inside the package


@dataclass
class Package:
    source: Path
    files: dict[str, PackageFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _utf8_path(path: Path, work_dir: Path) -> Path:
    """`path`, or a link to it in work_dir when its name is not UTF-8 (a GBK name unpacked on Linux):
    Arrow, calamine and GDAL take UTF-8 paths only."""
    try:
        os.fsencode(path).decode("utf-8")
        return path
    except UnicodeDecodeError:
        link = Path(tempfile.mkdtemp(prefix="name-", dir=work_dir)) / f"file{path.suffix.lower()}"
        link.symlink_to(path.resolve())
        return link


def _classify(display_name: str, the_contract: Contract) -> str | None:
    p = PurePosixPath(display_name.replace("\\", "/"))
    stem, suffix = p.stem.strip().lower(), p.suffix.lower()
    if stem in BOUNDARY_STEMS and suffix in BOUNDARY_SUFFIXES:
        return "boundaries"
    if suffix not in TABULAR_SUFFIXES:
        return None
    for spec in the_contract.files:
        if stem in (spec.table, spec.stem_zh.lower()):
            return spec.table
    return None


def open_package(source: str | Path, work_dir: Path) -> Package:
    """List the package's files (a folder or a .zip), extracting a zip into work_dir."""
    source = Path(source)
    the_contract = contract()
    if not source.exists():
        raise PackageError([Problem.file_error(str(source), "package_missing")])
    if source.is_dir():
        candidates = [(_utf8_path(p, work_dir), decode_name(os.fsencode(p.relative_to(source))))
                      for p in sorted(source.rglob("*")) if p.is_file()]
    elif source.suffix.lower() == ".zip":
        size = source.stat().st_size
        if size > limits.MAX_PACKAGE_BYTES:
            raise PackageError([Problem.file_error(source.name, "package_too_large", value=f"{size} bytes",
                                                   detail=limits.size_text(limits.MAX_PACKAGE_BYTES))])
        candidates = extract_zip(source, work_dir)
    else:
        raise PackageError([Problem.file_error(source.name, "package_not_folder_or_zip")])

    package = Package(source=source)
    for path, display in candidates:
        if PurePosixPath(display).name.startswith((".", "~$")) or display.startswith("__MACOSX"):
            continue
        table = _classify(display, the_contract)
        if table == "boundaries" and Path(display).suffix.lower() == ".shp":
            path = _shapefile_folder(path, display, candidates, work_dir)
        if table is None:
            if Path(display).suffix.lower() not in {".shx", ".dbf", ".prj", ".cpg", ".md", ".txt"}:
                package.problems.append(Problem.file_warning(display, "file_ignored", value=display))
            continue
        if table in package.files:
            package.problems.append(
                Problem.file_error(display, "file_duplicate", value=package.files[table].display_name)
            )
            continue
        package.files[table] = PackageFile(table, path, PurePosixPath(display.replace("\\", "/")).name)

    for spec in the_contract.files:
        if spec.table not in package.files and spec.presence != "optional":
            make = Problem.file_error if spec.presence == "required" else Problem.file_warning
            package.problems.append(make(f"{spec.stem_zh}.csv / {spec.table}.csv", "file_missing"))
    if source.is_dir():  # a zip's entries were counted before extraction
        total = sum(f.path.stat().st_size for f in package.files.values())
        if total > limits.MAX_DECOMPRESSED_BYTES:
            raise PackageError([Problem.file_error(source.name, "package_too_large", value=f"{total} bytes",
                                                   detail=limits.size_text(limits.MAX_DECOMPRESSED_BYTES))])
    return package


def _shapefile_folder(shp: Path, display: str, candidates, work_dir: Path) -> Path:
    """Gather a .shp and its sidecars (same stem) into one folder geopandas can read."""
    folder = work_dir / "shapefile"
    folder.mkdir(exist_ok=True)
    stem = PurePosixPath(display).with_suffix("")
    for path, name in candidates:
        if PurePosixPath(name).with_suffix("") == stem:
            shutil.copyfile(path, folder / f"boundaries{PurePosixPath(name).suffix.lower()}")
    return folder / "boundaries.shp"
