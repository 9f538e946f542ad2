"""Demo rosters (花名册): the demo county exported month by month the way county offices export it.

What it is:  a seeded, deterministic writer turning a demo package (etl/demo: the contract's files)
             into monthly roster snapshots — one row per person with the household's columns
             repeated on each member's row, region NAMES (省/市/县/乡镇/村, villages written with
             村/村委会/村民委员会 as offices write them), and the household's CURRENT status in columns
             (贫困户属性, 主要致贫原因, 纳入时间 or 识别年度, 脱贫时间 or 脱贫年度, 返贫时间, 贫困户状态
             未脱贫/已脱贫/返贫/清退/自然销户, 监测对象类别, 是否风险消除 …). Each file has a title row,
             a two-row header (groups over the columns, merged in Excel), a 序号 column and a totals row
             (合计); XLSX (xlsxwriter) and/or GB18030 CSV.
Grain:       one file per month end and format; the same package, months, options and seed give
             byte-identical CSV files.
What a roster at month end D holds:
             - every household registered at D (its 识别纳入 on or before D and no 清退/自然销户 by D), with
               the members present at D (加入日期 empty or on or before D, 减少日期 empty or after D);
             - households removed during D's month (after the previous month end), once, with status
               清退 / 自然销户 and their members present the day before the removal;
             - dated rosters (the default) also list the members who left during the month, once, with
               their 减少时间 and 减少原因, and carry the dates 纳入时间 / 脱贫时间 / 返贫时间 / 销户时间 and a
               member's 加入时间; undated rosters (dated=False) carry only 识别年度 and 脱贫年度, as many
               offices' exports do, so a converter can date a change only to the month it shows up in;
             - after 2020, a household identified as a monitoring object (防返贫监测) by D carries its latest
               episode (监测对象类别, 风险类型, 纳入监测时间, 是否风险消除, 风险消除时间); households never
               registered (边缘户) appear once identified, with the registry columns empty.
Privacy:     the rosters hold the demo's fictional names and ID numbers unmasked, as an office's do;
             the demo is fictional (演示数据).

CLI: `python -m etl.demo.rosters --out DIR --from 2017-07 --to 2017-12 [--package DIR | --scale N
--seed S] [--format xlsx,csv] [--undated] [--township NAME ...]`.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

# roster spellings of the contract's 贫困户属性 (offices still write the old names; the contract's aliases)
CATEGORY_WORDS = {"一般贫困户": "一般贫困户", "低保贫困户": "低保户", "特困供养贫困户": "五保户"}
# how a village's name is written: as in the regions file, or with the committee's name
VILLAGE_SUFFIXES = ("村", "村委会", "村民委员会")
REMOVALS = ("清退", "自然销户")

REGION_GROUP = ("行政区划", ["省", "市", "县", "乡镇", "村"])
HOUSEHOLD_DATED = ["户编号", "户主姓名", "家庭人口数", "贫困户属性", "主要致贫原因", "纳入时间", "脱贫时间",
                   "返贫时间", "贫困户状态", "销户时间", "销户原因"]
HOUSEHOLD_UNDATED = ["户编号", "户主姓名", "家庭人口数", "贫困户属性", "主要致贫原因", "识别年度", "脱贫年度",
                     "贫困户状态"]
MONITORED_DATED = ["户编号", "户主姓名", "家庭人口数", "监测对象类别", "风险类型", "线索来源", "发现时间",
                   "纳入监测时间", "是否风险消除", "风险消除时间"]
MONITORED_UNDATED = ["户编号", "户主姓名", "家庭人口数", "监测对象类别", "风险类型", "线索来源", "是否风险消除"]
MEMBER_DATED = ["姓名", "证件号码", "与户主关系", "性别", "出生日期", "健康状况", "劳动技能", "在校生状况",
                "是否参加城乡居民基本医疗保险", "加入时间", "减少时间", "减少原因"]
MEMBER_UNDATED = MEMBER_DATED[:-3]
# roster column ← demo members column
MEMBER_SOURCE = {"是否参加城乡居民基本医疗保险": "城乡居民基本医疗保险", "加入时间": "加入日期", "减少时间": "减少日期"}
MONITORING_SOURCE = {"发现时间": "发现日期", "纳入监测时间": "认定日期", "风险消除时间": "风险消除日期"}


def columns(dated: bool = True, monitoring: bool = False) -> list[tuple[str, str]]:
    """The roster's columns as (group, label) pairs in order; 序号's group is itself (merged down). A
    monitoring roster (监测对象花名册) has the monitoring columns where the registry roster has its own."""
    household = ((MONITORED_DATED if dated else MONITORED_UNDATED) if monitoring
                 else (HOUSEHOLD_DATED if dated else HOUSEHOLD_UNDATED))
    groups = [("序号", ["序号"]), REGION_GROUP, ("监测户基本情况" if monitoring else "户基本情况", household),
              ("家庭成员情况", MEMBER_DATED if dated else MEMBER_UNDATED)]
    return [(group, label) for group, labels in groups for label in labels]


def month_ends(first: str | date, last: str | date) -> list[date]:
    """Every month end from the month of `first` to the month of `last` ('2017-07' or a date)."""
    def ym(value) -> tuple[int, int]:
        if isinstance(value, date):
            return value.year, value.month
        year, month = str(value).split("-")[:2]
        return int(year), int(month)

    (y, m), end = ym(first), ym(last)
    out = []
    while (y, m) <= end:
        out.append(date(y, m, calendar.monthrange(y, m)[1]))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _previous_month_end(day: date) -> date:
    y, m = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return date(y, m, calendar.monthrange(y, m)[1])


@dataclass
class DemoRegistry:
    """The demo package's registry read back (every column as text, dates as numpy datetime64)."""

    households: pd.DataFrame  # 户编号, 区划代码, 户主姓名, 贫困户属性, 主要致贫原因 + region names
    members: pd.DataFrame
    events: pd.DataFrame
    monitoring: pd.DataFrame

    @classmethod
    def read(cls, package: Path, seed: int = 2014, townships: Sequence[str] | None = None) -> DemoRegistry:
        def frame(name: str) -> pd.DataFrame:
            return pd.read_csv(Path(package) / name, dtype=str, keep_default_na=False, encoding="utf-8")

        regions = frame("区划.csv")
        names = dict(zip(regions["区划代码"], regions["名称"], strict=True))
        parent = dict(zip(regions["区划代码"], regions["上级代码"], strict=True))
        villages = regions[regions["层级"] == "村"].sort_values("区划代码")
        # the way each village's name is written: drawn once per village from the seed, in code order
        rng = np.random.default_rng([seed, 14, 1])
        suffix = rng.choice(len(VILLAGE_SUFFIXES), size=len(villages), p=[0.4, 0.3, 0.3])
        village_word = {code: _village_word(names[code], VILLAGE_SUFFIXES[s])
                        for code, s in zip(villages["区划代码"], suffix, strict=True)}
        households = frame("贫困户.csv")
        wanted = set(townships or [])
        township = households["区划代码"].map(parent)
        if wanted:
            unknown = wanted - {names[c] for c in township.unique()}
            if unknown:
                raise ValueError(f"no township named {sorted(unknown)} in the package")
            households = households[township.map(names).isin(wanted)]
            township = township[households.index]
        county = township.map(parent)
        city = county.map(parent)
        households = households.assign(
            省=city.map(parent).map(names), 市=city.map(names), 县=county.map(names), 乡镇=township.map(names),
            村=households["区划代码"].map(village_word),
        ).set_index("户编号", drop=False)
        keep = set(households.index)
        members = frame("家庭成员.csv")
        members = members[members["户编号"].isin(keep)].copy()
        events = frame("动态管理记录.csv")
        events = events[events["户编号"].isin(keep)].copy()
        monitoring = frame("防返贫监测对象.csv")
        monitoring = monitoring[monitoring["户编号"].isin(keep)].copy()
        for table, cols in ((members, ["加入日期", "减少日期"]), (events, ["变动日期"]),
                            (monitoring, ["认定日期", "风险消除日期"])):
            for col in cols:
                table[col + "_d"] = pd.to_datetime(table[col].replace("", None), format="%Y-%m-%d")
        events = events.sort_values(["户编号", "变动日期", "记录编号"], kind="stable")
        return cls(households, members, events, monitoring)

    def roster(self, day: date, dated: bool = True) -> pd.DataFrame:
        """The registry roster's data rows at month end `day` (columns(dated) minus 序号), in roster order."""
        end = pd.Timestamp(day)
        start = pd.Timestamp(_previous_month_end(day))  # changes after it and on or before `end` are this month's
        ev = self.events[self.events["变动日期_d"] <= end]
        last = ev.groupby("户编号").tail(1).set_index("户编号")
        identified = ev[ev["变动类型"] == "识别纳入"].groupby("户编号")["变动日期"].first()
        exited = ev[ev["变动类型"] == "标注脱贫"].groupby("户编号")["变动日期"].last()
        returned = ev[ev["变动类型"] == "返贫"].groupby("户编号")["变动日期"].last()
        removed = last["变动类型"].isin(REMOVALS)
        shown = last[~removed | (last["变动日期_d"] > start)]  # removed ones once, in their removal's month
        hh = self.households.loc[shown.index].copy()
        hh["贫困户状态"] = shown["变动类型"].map({"识别纳入": "未脱贫", "标注脱贫": "已脱贫", "返贫": "返贫",
                                                "清退": "清退", "自然销户": "自然销户"})
        hh["贫困户属性"] = hh["贫困户属性"].map(lambda v: CATEGORY_WORDS.get(v, v))
        removal = shown["变动类型"].isin(REMOVALS)
        if dated:
            hh["纳入时间"] = identified.reindex(hh.index).fillna("")
            hh["脱贫时间"] = exited.reindex(hh.index).fillna("")
            hh["返贫时间"] = returned.reindex(hh.index).fillna("")
            hh["销户时间"] = shown["变动日期"].where(removal, "")
            hh["销户原因"] = shown["变动原因"].where(removal, "")
        else:
            hh["识别年度"] = identified.reindex(hh.index).fillna("").str[:4]
            hh["脱贫年度"] = exited.reindex(hh.index).fillna("").str[:4]
        return self._with_members(hh, shown["变动日期_d"].where(removal), day, dated, monitoring=False)

    def monitoring_roster(self, day: date, dated: bool = True) -> pd.DataFrame:
        """The monitoring roster (监测对象花名册) at month end `day`: every household identified as a
        monitoring object by then (registered or not), with its latest episode, 是否风险消除 as at `day`."""
        end = pd.Timestamp(day)
        mon = self.monitoring[self.monitoring["认定日期_d"] <= end].sort_values(["户编号", "认定日期", "监测编号"])
        mon = mon.groupby("户编号").tail(1).set_index("户编号")
        hh = self.households.loc[mon.index].copy()
        cleared = mon["风险消除日期_d"].notna() & (mon["风险消除日期_d"] <= end)
        for col in ("监测对象类别", "风险类型", "线索来源"):
            hh[col] = mon[col]
        hh["是否风险消除"] = cleared.map({True: "是", False: "否"})
        if dated:
            for target, source in MONITORING_SOURCE.items():
                hh[target] = mon[source]
            hh["风险消除时间"] = hh["风险消除时间"].where(cleared, "")
        return self._with_members(hh, pd.Series(pd.NaT, index=hh.index), day, dated, monitoring=True)

    def _with_members(self, hh: pd.DataFrame, removal_day: pd.Series, day: date, dated: bool,
                      monitoring: bool) -> pd.DataFrame:
        """One row per member present at `day` — for a household removed this month, the day before its
        removal — and, in a dated registry roster, those who left this month (with 减少时间/减少原因)."""
        end = pd.Timestamp(day)
        start = pd.Timestamp(_previous_month_end(day))
        mem = self.members[self.members["户编号"].isin(hh.index)]
        at = mem["户编号"].map(removal_day - pd.Timedelta(days=1)).fillna(end)
        joined = mem["加入日期_d"].isna() | (mem["加入日期_d"] <= at)
        left = mem["减少日期_d"].notna() & (mem["减少日期_d"] <= at)
        present = joined & ~left
        leavers = joined & left & (mem["减少日期_d"] > start) & dated & (not monitoring)
        rows = mem[present | leavers].copy()
        if dated:  # a member listed as present carries no 减少 columns
            rows.loc[present[rows.index], ["减少日期", "减少原因"]] = ""
        size = rows[present[rows.index]].groupby("户编号").size()
        hh["家庭人口数"] = size.reindex(hh.index).fillna(0).astype(int).astype(str)
        for target, source in MEMBER_SOURCE.items():
            rows[target] = rows[source]
        cols = columns(dated, monitoring)
        member_cols = MEMBER_DATED if dated else MEMBER_UNDATED
        household_cols = [label for _, label in cols if label not in {"序号", "户编号", *member_cols}]
        out = rows[["户编号", "人员编号", *member_cols]].merge(hh[[*household_cols, "区划代码"]], left_on="户编号",
                                                               right_index=True)
        out["not_head"] = out["与户主关系"] != "户主"
        out = out.sort_values(["区划代码", "户编号", "not_head", "人员编号"], kind="stable")
        return out[[label for _, label in cols if label != "序号"]].reset_index(drop=True)


def _village_word(name: str, suffix: str) -> str:
    """和水村 written as 和水村, 和水村委会 or 和水村民委员会."""
    stem = name[:-1] if name.endswith("村") else name
    return stem + suffix


def _title(day: date, scope: str, monitoring: bool = False) -> str:
    what = "防止返贫监测对象花名册" if monitoring else "建档立卡贫困人口花名册"
    return f"{scope}{what}（截至{day.year}年{day.month}月{day.day}日）"


def _totals(frame: pd.DataFrame) -> dict[str, str]:
    households = frame["户编号"].nunique()
    return {"序号": "合计", "户编号": f"{households}户", "姓名": f"{len(frame)}人"}


def write_csv(frame: pd.DataFrame, path: Path, title: str, cols: list[tuple[str, str]]) -> Path:
    """GB18030 CSV as an office saves its sheet: title row, group row (a merged cell's text in its first
    cell only), label row, 序号, the data, the totals row."""
    groups, previous = [], None
    for group, _ in cols:
        groups.append(group if group != previous else "")
        previous = group
    labels = ["" if group == label else label for group, label in cols]  # 序号 is merged down
    totals = _totals(frame)
    with open(path, "w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([title] + [""] * (len(cols) - 1))
        writer.writerow(groups)
        writer.writerow(labels)
        body = frame.copy()
        body.insert(0, "序号", np.arange(1, len(frame) + 1).astype(str))
        handle.flush()
        body.to_csv(handle, header=False, index=False, lineterminator="\r\n")
        writer.writerow([totals.get(label, "") for _, label in cols])
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, title: str, cols: list[tuple[str, str]]) -> Path:
    """XLSX: the title merged across the sheet, the group cells merged over their columns (序号 merged
    down over both header rows), dates and codes as text like the national system's export."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    try:
        sheet = book.add_worksheet("花名册")
        bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
        sheet.merge_range(0, 0, 0, len(cols) - 1, title, book.add_format({"bold": True, "font_size": 14,
                                                                          "align": "center"}))
        i, down = 0, []
        while i < len(cols):
            group = cols[i][0]
            j = i
            while j + 1 < len(cols) and cols[j + 1][0] == group:
                j += 1
            if group == cols[i][1] and i == j:  # 序号: one column, merged over both header rows
                down.append((i, group))
            elif i == j:
                sheet.write_string(1, i, group, bold)
            else:
                sheet.merge_range(1, i, 1, j, group, bold)
            i = j + 1
        for i, group in down:  # after the rest of the row: constant_memory writes rows in order
            sheet.merge_range(1, i, 2, i, group, bold)
        for k, (group, label) in enumerate(cols):
            if group != label:
                sheet.write_string(2, k, label, bold)
        row = 3
        for n, values in enumerate(frame.itertuples(index=False, name=None), start=1):
            sheet.write_number(row, 0, n)
            for k, value in enumerate(values, start=1):
                if value != "":
                    sheet.write_string(row, k, value)
            row += 1
        totals = _totals(frame)
        for k, (_, label) in enumerate(cols):
            if label in totals:
                sheet.write_string(row, k, totals[label], bold)
    finally:
        book.close()
    return path


def write_rosters(package: Path, out_dir: Path, days: Iterable[date], *, formats: Sequence[str] = ("xlsx", "csv"),
                  dated: bool = True, townships: Sequence[str] | None = None, seed: int = 2014,
                  monitoring: bool | None = None) -> list[Path]:
    """One roster per month end and format into out_dir: 演示县2017年7月花名册.xlsx (the month in the name)
    and roster_2017-07-31.csv (the day in the name); with monitoring (None: for month ends after 2020)
    also the monitoring roster, 演示县2021年7月监测对象花名册.xlsx and monitoring_2021-07-31.csv. Returns the
    files written, in date order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        if fmt not in ("xlsx", "csv"):
            raise ValueError(f"unknown format {fmt!r} (xlsx or csv)")
    registry = DemoRegistry.read(package, seed=seed, townships=townships)
    scope = "、".join(townships) if townships else str(registry.households["县"].iloc[0])
    scope = scope.replace("（演示数据）", "")
    written = []
    for day in days:
        kinds = [False] + ([True] if (day.year > 2020 if monitoring is None else monitoring) else [])
        for kind in kinds:
            frame = registry.monitoring_roster(day, dated) if kind else registry.roster(day, dated)
            title, cols = _title(day, scope, kind), columns(dated, kind)
            for fmt in formats:
                if fmt == "xlsx":
                    name = f"{scope}{day.year}年{day.month}月{'监测对象' if kind else ''}花名册.xlsx"
                    written.append(write_xlsx(frame, out / name, title, cols))
                else:
                    name = f"{'monitoring' if kind else 'roster'}_{day.isoformat()}.csv"
                    written.append(write_csv(frame, out / name, title, cols))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.demo.rosters",
                                     description="demo county rosters (花名册), one per month end")
    parser.add_argument("--out", required=True, help="folder for the rosters")
    parser.add_argument("--from", dest="first", required=True, help="first month, YYYY-MM")
    parser.add_argument("--to", dest="last", required=True, help="last month, YYYY-MM")
    parser.add_argument("--package", help="a demo package folder (default: generate one with --scale/--seed)")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--format", default="xlsx,csv", help="xlsx, csv or xlsx,csv")
    parser.add_argument("--undated", action="store_true", help="only 识别年度/脱贫年度, no dates of changes")
    parser.add_argument("--township", action="append", help="only this township (by name); may repeat")
    parser.add_argument("--monitoring", choices=["auto", "yes", "no"], default="auto",
                        help="also write the monitoring roster (auto: for month ends after 2020)")
    args = parser.parse_args(argv)
    days = month_ends(args.first, args.last)
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(args.package) if args.package else Path(tmp) / "demo"
        if not args.package:
            from etl.demo import write_demo_package

            write_demo_package(package, scale=args.scale, seed=args.seed)
        written = write_rosters(package, Path(args.out), days, formats=args.format.split(","),
                                dated=not args.undated, townships=args.township, seed=args.seed,
                                monitoring={"auto": None, "yes": True, "no": False}[args.monitoring])
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
