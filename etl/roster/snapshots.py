"""The snapshots given: files, folders or zips of rosters, each with its date — from the --date flag,
the roster's date column, or its file name (2019年8月花名册.xlsx = 2019-08-31, roster_2019-08-31.csv,
2019年第三季度 = 2019-09-30)."""

from __future__ import annotations

import calendar
import re
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath

from etl.problems import PackageError
from etl.roster.messages import problem
from etl.roster.sheet import ROSTER_SUFFIXES
from etl.zipsafe import extract_zip


@contextmanager
def roster_files(paths: list[Path]):
    """[(path on disk, name as the user knows it)] of every roster under `paths` (zips extracted into a
    temporary folder, removed afterwards)."""
    work = Path(tempfile.mkdtemp(prefix="tuopin-roster-"))
    try:
        found: list[tuple[Path, str]] = []
        for path in map(Path, paths):
            if not path.exists():
                raise PackageError([problem("error", str(path), None, None, None, "roster_missing")])
            if path.is_dir():
                found += [(p, str(p.relative_to(path.parent))) for p in sorted(path.rglob("*"))
                          if p.is_file() and _is_roster(p.name)]
            elif path.suffix.lower() == ".zip":
                folder = Path(tempfile.mkdtemp(dir=work))
                found += [(p, f"{path.name}/{name}") for p, name in sorted(extract_zip(path, folder), key=lambda x: x[1])
                          if _is_roster(name)]
            else:
                found.append((path, path.name))
        if not found:
            raise PackageError([problem("error", ", ".join(str(p) for p in paths), None, None, None, "roster_empty")])
        yield found
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _is_roster(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return (p.suffix.lower() in ROSTER_SUFFIXES and not p.name.startswith((".", "~$"))
            and not name.startswith("__MACOSX"))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_NAME_PATTERNS = (
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)"), lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)"), lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(\d{4})年(\d{1,2})月"), lambda m: month_end(int(m[1]), int(m[2]))),
    (re.compile(r"(\d{4})年第?([一二三四1-4])季度"), lambda m: month_end(int(m[1]), 3 * _QUARTERS[m[2]])),
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})(?![\d.\-_]\d)"), lambda m: month_end(int(m[1]), int(m[2]))),
    (re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(?!\d)"), lambda m: month_end(int(m[1]), int(m[2]))),
    (re.compile(r"(\d{4})年(?:末|底|度)?"), lambda m: date(int(m[1]), 12, 31)),
)


def date_from_name(name: str) -> date | None:
    """The snapshot date a file name states: a day, a month (its last day), a quarter (its last day) or
    a year (31 December)."""
    stem = PurePosixPath(name.replace("\\", "/")).stem
    for pattern, make in _NAME_PATTERNS:
        if m := pattern.search(stem):
            try:
                return make(m)
            except (ValueError, KeyError):
                continue
    return None


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月$"),
                   re.compile(r"^(\d{4})(\d{2})$"))


@lru_cache(maxsize=1 << 16)  # a roster repeats its dates (纳入时间 of a whole year's registrations)
def parse_date(text: str) -> tuple[date, date] | None:
    """(the date a cell states, the earliest it may be): the same day, or for a month only (2019年8月)
    its last day and its first day. None when it is not a date."""
    text = text.strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(text):
            try:
                day = date(int(m[1]), int(m[2]), int(m[3]))
                return day, day
            except ValueError:
                return None
    for pattern in _MONTH_PATTERNS:
        if m := pattern.match(text):
            try:
                return month_end(int(m[1]), int(m[2])), date(int(m[1]), int(m[2]), 1)
            except ValueError:
                return None
    return None


@lru_cache(maxsize=1 << 12)
def parse_year(text: str) -> int | None:
    m = re.match(r"^(\d{4})(?:年|\.0)?$", text.strip())
    return int(m[1]) if m and 1949 < int(m[1]) < 2100 else None
