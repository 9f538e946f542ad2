"""Region names of a roster (省/市/县/乡镇/村) to the 12-digit codes of the contract's regions file.

With a regions file (the contract's 区划 CSV or XLSX) a township is matched within the county and a
village within its township, tolerating the usual variants: full-width characters, spaces, the full or
the short name (东山 = 东山村 = 东山村委会 = 东山村民委员会; 城关 = 城关镇). A short name matching two
regions (东山 — 东山村 and 东山社区) is refused, naming both. Without a regions file the converter
builds codes itself (BuiltRegions) and says so in the package's notes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from etl.problems import PackageError
from etl.roster.fields import norm
from etl.roster.messages import problem

# suffix -> the kind of place it names; the longest suffix is taken off first
VILLAGE_SUFFIXES = {"村民委员会": "村", "村委会": "村", "村委": "村", "村": "村", "居民委员会": "社区",
                    "居委会": "社区", "社区居委会": "社区", "社区": "社区"}
TOWNSHIP_SUFFIXES = {"人民政府": "", "街道办事处": "街道", "街道办": "街道", "街道": "街道", "镇": "镇", "乡": "乡"}
UPPER_SUFFIXES = {"人民政府": "", "自治县": "县", "自治州": "州", "省": "省", "市": "市", "县": "县", "区": "区",
                  "州": "州", "盟": "盟", "旗": "旗"}
LEVELS = ("省", "市", "县", "乡镇", "村")
BUILT_PREFIX = "99"  # codes the converter builds start with a province code no province has


def core(name: str, level: str) -> tuple[str, str]:
    """(the name without its suffixes, the kind they say; "" when none): 东山村民委员会 → (东山, 村),
    东山社区居民委员会 → (东山, 社区), 城关镇人民政府 → (城关, 镇)."""
    text, kind = norm(name), ""
    suffixes = VILLAGE_SUFFIXES if level == "村" else TOWNSHIP_SUFFIXES if level == "乡镇" else UPPER_SUFFIXES
    ordered = sorted(suffixes, key=len, reverse=True)
    while True:
        suffix = next((x for x in ordered if text.endswith(x) and len(text) > len(x)
                       and (not kind or not suffixes[x] or suffixes[x] == kind)), None)
        if suffix is None:
            return text, kind
        text, kind = text[: -len(suffix)], kind or suffixes[suffix]


@dataclass
class Region:
    code: str
    name: str
    level: str
    parent: str


@dataclass
class RegionFile:
    """The regions file given: its rows, and the file's text to copy into the package."""

    path: Path
    regions: dict[str, Region]
    children: dict[str, list[Region]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> RegionFile:
        from etl.roster.sheet import read_sheet

        path = Path(path)
        try:
            sheet = read_sheet(path)
        except PackageError as exc:
            raise PackageError([problem("error", path.name, None, None, None, "roster_regions_file",
                                        detail=exc.problems[0].message_zh, detail_en=exc.problems[0].message_en)]) from None
        grid = sheet.grid
        header = [norm(c) for c in grid[0]] if grid else []
        names = {"区划代码": "code", "code": "code", "名称": "name", "name": "name", "层级": "level", "level": "level",
                 "上级代码": "parent", "parent_code": "parent"}
        positions = {names[h.lower() if h.isascii() else h]: i for i, h in enumerate(header)
                     if (h.lower() if h.isascii() else h) in names}
        missing = {"code", "name", "level", "parent"} - positions.keys()
        if missing:
            raise PackageError([problem("error", path.name, 1, None, None, "roster_regions_file",
                                        detail=", ".join(sorted(missing)))])
        regions: dict[str, Region] = {}
        for cells in grid[1:]:
            cells = cells + [""] * (len(header) - len(cells))
            if not cells[positions["code"]]:
                continue
            region = Region(*(cells[positions[k]].strip() for k in ("code", "name", "level", "parent")))
            regions[region.code] = region
        result = cls(path, regions)
        for region in regions.values():
            result.children.setdefault(region.parent, []).append(region)
        return result

    def csv_text(self) -> str:
        """The regions file as the package's 区划.csv (its own columns kept)."""
        from etl.roster.sheet import read_sheet

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in read_sheet(self.path).grid:
            if any(row):
                writer.writerow(row)
        return out.getvalue()

    def county(self, name: str | None) -> Region | None:
        counties = [r for r in self.regions.values() if r.level == "县"]
        if name:
            found = self._pick(counties, name, "县")
            if found:
                return found[0] if len(found) == 1 else None
        return counties[0] if len(counties) == 1 else None

    @staticmethod
    def _pick(candidates: list[Region], name: str, level: str) -> list[Region]:
        text = norm(name)
        exact = [r for r in candidates if norm(r.name) == text]
        if exact:
            return exact
        wanted, kind = core(name, level)
        found = []
        for r in candidates:
            c, k = core(r.name, level)
            if c == wanted and (not kind or not k or kind == k):
                found.append(r)
        return found

    def match(self, names: dict[str, str]) -> tuple[str | None, str | None, str | None, list[Region]]:
        """(village code, the level that failed, the reason's code, the regions found) for a row's names."""
        county = self.county(names.get("county"))
        towns = [r for r in self.regions.values() if r.level == "乡镇" and (county is None or r.parent == county.code)]
        village_name = names.get("village", "")
        if names.get("township"):
            found = self._pick(towns, names["township"], "乡镇")
            if len(found) != 1:
                return None, "township", ("roster_region_ambiguous" if found else "roster_region_unknown"), found
            villages = self.children.get(found[0].code, [])
        else:
            codes = {t.code for t in towns}
            villages = [r for r in self.regions.values() if r.level == "村" and r.parent in codes]
        villages = [r for r in villages if r.level == "村"]
        found = self._pick(villages, village_name, "村")
        if len(found) != 1:
            return None, "village", ("roster_region_ambiguous" if found else "roster_region_unknown"), found
        return found[0].code, None, None, found

    def parent(self, level: str, names: dict[str, str]) -> tuple[str, str]:
        """(name, code) of the region a township or village name was looked for under ("-" when none)."""
        county = self.county(names.get("county"))
        if level == "village" and names.get("township"):
            towns = [r for r in self.regions.values() if r.level == "乡镇" and (county is None or r.parent == county.code)]
            found = self._pick(towns, names["township"], "乡镇")
            return names["township"], found[0].code if len(found) == 1 else "-"
        return (county.name, county.code) if county else ("-", "-")


class BuiltRegions:
    """Codes built from the roster's names when no regions file is given: 99 (no province has it) for
    the province, then 01 for the city and the county, three digits for each township and village in
    the order of their names."""

    def __init__(self):
        self.upper: dict[str, str] = {}  # level -> name (the first one written)
        self.villages: dict[tuple[tuple[str, str], tuple[str, str]], tuple[str, str]] = {}  # keys -> names

    def add(self, names: dict[str, str]) -> tuple:
        for level in ("province", "city", "county"):
            if names.get(level) and level not in self.upper:
                self.upper[level] = names[level]
        key = (core(names["township"], "乡镇"), core(names["village"], "村"))
        self.villages.setdefault(key, (names["township"], names["village"]))
        return key

    def build(self) -> tuple[list[dict[str, str]], dict[tuple, str]]:
        """(the regions file's rows, village key -> code)."""
        rows, parent = [], ""
        codes = {"province": "990000000000", "city": "990100000000", "county": "990101000000"}
        levels = {"province": "省", "city": "市", "county": "县"}
        present = [lv for lv in ("province", "city") if lv in self.upper] + ["county"]
        for level in present:
            name = self.upper.get(level) or "未命名县"
            rows.append({"区划代码": codes[level], "名称": name, "层级": levels[level], "上级代码": parent})
            parent = codes[level]
        towns = sorted({key[0] for key in self.villages})
        town_code = {t: f"990101{i:03d}000" for i, t in enumerate(towns, start=1)}
        for t in towns:
            name = next(v[0] for k, v in sorted(self.villages.items()) if k[0] == t)
            rows.append({"区划代码": town_code[t], "名称": name, "层级": "乡镇", "上级代码": codes["county"]})
        village_code = {}
        for t in towns:
            keys = sorted(k for k in self.villages if k[0] == t)
            for i, key in enumerate(keys, start=1):
                village_code[key] = town_code[t][:9] + f"{i:03d}"
                rows.append({"区划代码": village_code[key], "名称": self.villages[key][1], "层级": "村",
                             "上级代码": town_code[t]})
        return rows, village_code
