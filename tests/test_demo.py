"""Demo import package (etl/demo/): contract shape, volumes, and the importer's validity rules.

One package at scale=1 (seed 2014) is generated per module into a temporary folder; each test
reads the files back with pandas as the importer would see them (every column as text).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from etl.demo import write_demo_package

# spelled out here, not imported, so that a drift in the generator from the contract fails
CONTRACT = {
    "区划.csv": "区划代码,名称,层级,上级代码,是否贫困村,计划出列年度,出列日期,地区类型",
    "村年度情况.csv": "年度,区划代码,农业户籍人口,总户数,村集体经济收入,农村居民人均可支配收入,通硬化路,通动力电,"
    "安全饮水,通宽带,标准化卫生室,综合文化服务中心,主导产业",
    "贫困户.csv": "户编号,区划代码,户主姓名,户主证件号码,贫困户属性,主要致贫原因",
    "家庭成员.csv": "人员编号,户编号,姓名,证件号码,与户主关系,性别,出生日期,健康状况,劳动技能,在校生状况,"
    "城乡居民基本医疗保险,加入日期,减少日期,减少原因",
    "动态管理记录.csv": "记录编号,户编号,变动类型,变动日期,变动原因",
    "扶贫项目.csv": "项目编号,项目名称,项目类型,区划代码,年度,批次,计划投资,计划开工日期,实际开工日期,计划完工日期,"
    "实际完工日期,受益贫困户数,受益贫困人口,主管部门",
    "资金明细.csv": "记录编号,项目编号,资金来源,环节,日期,金额",
    "年度目标.csv": "年度,区划代码,计划减贫户数,计划减贫人数,计划出列村数,支出进度目标,截止日期",
    "户年度收入与保障.csv": "年度,户编号,家庭人口,工资性收入,生产经营性收入,财产性收入,转移性收入,生产经营性支出,"
    "吃穿不愁,义务教育有保障,基本医疗有保障,住房安全有保障,饮水安全有保障",
    "帮扶措施.csv": "户编号,措施类型,日期,金额,说明",
    "防返贫监测对象.csv": "监测编号,户编号,监测对象类别,风险类型,线索来源,发现日期,认定日期,风险消除日期,备注",
    # 部门数据比对: a year of department records and verifications (etl/demo/departments.py)
    "部门比对数据.csv": "记录编号,部门,事项,证件号码,日期,金额,说明",
    "核实结果.csv": "预警编号,核实结论,核实日期,说明",
}
STEMS = {
    "区划.csv": "regions",
    "村年度情况.csv": "village_year",
    "贫困户.csv": "households",
    "家庭成员.csv": "members",
    "动态管理记录.csv": "events",
    "扶贫项目.csv": "projects",
    "资金明细.csv": "funds",
    "年度目标.csv": "targets",
    "户年度收入与保障.csv": "household_year",
    "帮扶措施.csv": "assistance",
    "防返贫监测对象.csv": "monitoring",
    "部门比对数据.csv": "department_records",
    "核实结果.csv": "verifications",
}
pytestmark = pytest.mark.slow  # generates the demo county (seconds, not milliseconds)

POVERTY_LINE = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000}
REMOVED = {"清退", "自然销户"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    calls = []
    counts = write_demo_package(out, scale=1, seed=2014, progress=lambda f, msg: calls.append((f, msg)))
    return out, counts, calls


@pytest.fixture(scope="module")
def frames(package):
    out, _, _ = package
    return {name: pd.read_csv(out / name, dtype=str, keep_default_na=False) for name in CONTRACT}


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.replace("", None), format="%Y-%m-%d")


def _digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def events(frames):
    ev = frames["动态管理记录.csv"].assign(day=lambda d: _day(d["变动日期"]))
    return ev.sort_values(["户编号", "day"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def household_spans(events):
    """Per household: first 识别纳入 day and removal day (NaT when still registered)."""
    first = events.groupby("户编号")["day"].min().rename("registered_on")
    removed = events[events["变动类型"].isin(REMOVED)].set_index("户编号")["day"].rename("removed_on")
    return pd.concat([first, removed], axis=1)


def _poor_people_at(frames, events, household_spans, day: pd.Timestamp) -> pd.Series:
    """未脱贫 people at the end of `day` per village: replay events, count members present."""
    past = events[events["day"] <= day]
    last = past.groupby("户编号")["变动类型"].last()
    poor_households = last[last.isin(["识别纳入", "返贫"])].index
    members = frames["家庭成员.csv"]
    members = members[members["户编号"].isin(poor_households)]
    joined = _day(members["加入日期"])
    left = _day(members["减少日期"])
    present = (joined.isna() | (joined <= day)) & (left.isna() | (left > day))
    village = frames["贫困户.csv"].set_index("户编号")["区划代码"]
    return members[present]["户编号"].map(village).value_counts()


# ---------------------------------------------------------------------------------------- shape


def test_every_contract_file_is_written_with_the_contract_header(package):
    out, counts, _ = package
    for name, header in CONTRACT.items():
        first_line = (out / name).read_bytes().split(b"\n", 1)[0]
        assert first_line.decode("utf-8") == header, name
    assert sorted(p.name for p in out.iterdir()) == sorted([*CONTRACT, "边界.geojson"])
    assert set(counts) == {*STEMS.values(), "boundaries"}


def test_returned_counts_match_the_rows_written(package, frames):
    _, counts, _ = package
    for name, frame in frames.items():
        assert counts[STEMS[name]] == len(frame), name
    assert counts["boundaries"] == 12 + 200


def test_progress_is_reported_from_zero_to_one(package):
    _, _, calls = package
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert len(calls) >= 12 + 2  # at least once per township
    assert all(isinstance(msg, str) and msg for _, msg in calls)


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(package, tmp_path):
    out, _, _ = package
    write_demo_package(tmp_path / "again", scale=1, seed=2014)
    assert _digest(tmp_path / "again") == _digest(out)
    write_demo_package(tmp_path / "other", scale=1, seed=7)
    other = _digest(tmp_path / "other")
    assert other["贫困户.csv"] != _digest(out)["贫困户.csv"]


def test_scale_must_be_a_positive_integer(tmp_path):
    with pytest.raises(ValueError):
        write_demo_package(tmp_path, scale=0)


# ---------------------------------------------------------------------------------------- regions


def test_region_tree(frames):
    regions = frames["区划.csv"]
    assert regions["区划代码"].is_unique
    assert regions["区划代码"].str.fullmatch(r"\d{12}").all()
    levels = regions["层级"].value_counts().to_dict()
    assert levels == {"省": 1, "市": 1, "县": 1, "乡镇": 12, "村": 200}
    province = regions[regions["层级"] == "省"].iloc[0]
    county = regions[regions["层级"] == "县"].iloc[0]
    assert province["区划代码"].endswith("0000000000") and province["上级代码"] == ""
    assert province["地区类型"] == "中部" and county["地区类型"] == "中部"
    assert "演示" in county["名称"]
    step_up = {"市": "省", "县": "市", "乡镇": "县", "村": "乡镇"}
    level_of = regions.set_index("区划代码")["层级"]
    below = regions[regions["层级"] != "省"]
    assert (below["上级代码"].map(level_of) == below["层级"].map(step_up)).all()
    villages = regions[regions["层级"] == "村"]
    assert (villages["区划代码"].str[:9] == villages["上级代码"].str[:9]).all()
    assert (villages["上级代码"].str[9:] == "000").all()
    townships = regions[regions["层级"] == "乡镇"]
    assert townships["名称"].str[-1].isin(["乡", "镇"]).all() and villages["名称"].str.endswith("村").all()


def test_poor_villages_and_their_exit(frames):
    villages = frames["区划.csv"].query("层级 == '村'")
    assert set(villages["是否贫困村"]) == {"是", "否"}
    poor = villages[villages["是否贫困村"] == "是"]
    assert len(poor) == 60
    assert set(poor["计划出列年度"].astype(int)) <= set(range(2016, 2021))
    assert (villages[villages["是否贫困村"] == "否"][["计划出列年度", "出列日期"]] == "").all().all()
    exited = poor[poor["出列日期"] != ""]
    assert 2 <= len(poor) - len(exited) <= 4  # a couple not exited by the end of 2020
    exit_year = _day(exited["出列日期"]).dt.year
    assert exit_year.between(2016, 2020).all()
    assert (exit_year >= exited["计划出列年度"].astype(int)).all()
    assert (exit_year > exited["计划出列年度"].astype(int)).sum() >= 1  # some exit late


def test_village_years_cover_every_village_and_year(frames):
    vy = frames["村年度情况.csv"]
    villages = frames["区划.csv"].query("层级 == '村'")
    assert len(vy) == 200 * 7
    assert not vy.duplicated(["年度", "区划代码"]).any()
    assert set(vy["区划代码"]) == set(villages["区划代码"])
    assert set(vy["年度"].astype(int)) == set(range(2014, 2021))
    pop = vy["农业户籍人口"].astype(int)
    assert pop.between(1000, 3500).all()
    bools = ["通硬化路", "通动力电", "安全饮水", "通宽带", "标准化卫生室", "综合文化服务中心"]
    assert set(np.unique(vy[bools].to_numpy())) == {"是", "否"}
    vy = vy.assign(year=vy["年度"].astype(int), income=vy["村集体经济收入"].astype(int))
    poor_codes = villages.loc[villages["是否贫困村"] == "是", "区划代码"]
    poor_2014 = vy[(vy["year"] == 2014) & vy["区划代码"].isin(poor_codes)]
    assert (poor_2014["income"] == 0).all()
    # infrastructure never goes back from 是 to 否
    flags = vy.sort_values(["区划代码", "year"]).groupby("区划代码")[bools]
    assert (flags.apply(lambda g: (g == "是").astype(int).diff().fillna(0).ge(0).all().all())).all()


# ---------------------------------------------------------------------------------------- households


def test_volumes_at_scale_one(frames, events):
    households, members = frames["贫困户.csv"], frames["家庭成员.csv"]
    assert 13_000 <= len(households) <= 17_000
    assert 45_000 <= len(members) <= 55_000
    size = members.groupby("户编号").size()
    assert size.between(1, 7).all() and 3.0 <= size.mean() <= 3.6
    identified = events[events["变动类型"] == "识别纳入"]
    in_2014 = identified[identified["day"].dt.year == 2014]
    assert in_2014["day"].between("2014-04-01", "2014-10-31").all()
    assert 12_500 <= len(in_2014) <= 15_500
    late_2017 = identified[identified["day"].dt.year == 2017]
    assert set(late_2017["变动原因"]) == {"补录", "回头看补录"}
    assert 600 <= len(late_2017) <= 1_000


def test_categories_and_causes(frames):
    households = frames["贫困户.csv"].query("贫困户属性 != ''")  # registered (edge households have neither)
    share = households["贫困户属性"].value_counts(normalize=True)
    assert abs(share["一般贫困户"] - 0.60) < 0.03
    assert abs(share["低保贫困户"] - 0.32) < 0.03
    assert abs(share["特困供养贫困户"] - 0.08) < 0.02
    causes = households["主要致贫原因"].value_counts()
    assert causes.index[0] == "因病"
    assert set(causes.index) <= {
        "因病",
        "因残",
        "因学",
        "因灾",
        "缺土地",
        "缺水",
        "缺技术",
        "缺劳力",
        "缺资金",
        "交通条件落后",
        "自身发展动力不足",
        "因婚",
        "其他",
    }


def test_ids_are_unique_text_of_fixed_width(frames, events):
    assert frames["贫困户.csv"]["户编号"].str.fullmatch(r"H\d{11}").all()
    assert frames["贫困户.csv"]["户编号"].is_unique
    assert frames["家庭成员.csv"]["人员编号"].str.fullmatch(r"P\d{9}").all()
    assert frames["家庭成员.csv"]["人员编号"].is_unique
    assert events["记录编号"].str.fullmatch(r"E\d{9}").all() and events["记录编号"].is_unique
    assert frames["扶贫项目.csv"]["项目编号"].str.fullmatch(r"XM20(1[6-9]|2[0-5])\d{6}").all()
    assert (frames["扶贫项目.csv"]["项目编号"].str[2:6] == frames["扶贫项目.csv"]["年度"]).all()
    assert frames["扶贫项目.csv"]["项目编号"].is_unique
    assert frames["资金明细.csv"]["记录编号"].str.fullmatch(r"F\d{9}").all()
    assert frames["资金明细.csv"]["记录编号"].is_unique


def test_codes_referenced_exist(frames):
    regions = frames["区划.csv"].set_index("区划代码")["层级"]
    assert frames["贫困户.csv"]["区划代码"].map(regions).eq("村").all()
    household_ids = set(frames["贫困户.csv"]["户编号"])
    for name in ["家庭成员.csv", "动态管理记录.csv", "户年度收入与保障.csv", "帮扶措施.csv", "防返贫监测对象.csv"]:
        assert set(frames[name]["户编号"]) <= household_ids, name
    registered = set(frames["贫困户.csv"].query("贫困户属性 != ''")["户编号"])
    assert set(frames["动态管理记录.csv"]["户编号"]) == registered
    assert frames["扶贫项目.csv"]["区划代码"].map(regions).isin(["乡镇", "村"]).all()
    assert set(frames["资金明细.csv"]["项目编号"]) <= set(frames["扶贫项目.csv"]["项目编号"])
    assert frames["年度目标.csv"]["区划代码"].map(regions).isin(["县", "乡镇"]).all()


def test_one_head_per_household_matching_the_household_row(frames):
    members, households = frames["家庭成员.csv"], frames["贫困户.csv"]
    heads = members[members["与户主关系"] == "户主"]
    assert heads["户编号"].is_unique and len(heads) == len(households)
    joined = households.merge(heads, on="户编号")
    assert (joined["户主姓名"] == joined["姓名"]).all()
    assert (joined["户主证件号码"] == joined["证件号码"]).all()
    assert (heads["减少日期"] == "").all()


def test_member_enums_and_relations(frames):
    members = frames["家庭成员.csv"]
    assert set(members["性别"]) == {"男", "女"}
    assert set(members["健康状况"]) == {"健康", "长期慢性病", "患有大病", "残疾"}
    assert set(members["劳动技能"]) == {"普通劳动力", "技能劳动力", "弱劳动力", "丧失劳动力", "无劳动力"}
    assert set(members["城乡居民基本医疗保险"]) == {"是", "否"}
    assert set(members["与户主关系"]) >= {"户主", "配偶", "之子", "之女", "之父", "之母", "之孙子", "之孙女", "儿媳"}
    male_only = members[members["与户主关系"].isin(["之子", "之父", "之孙子", "女婿"])]
    assert (male_only["性别"] == "男").all()
    # older people are sicker
    age = 2020 - members["出生日期"].str[:4].astype(int)
    chronic_old = (members.loc[age >= 60, "健康状况"] == "长期慢性病").mean()
    chronic_young = (members.loc[age.between(16, 59), "健康状况"] == "长期慢性病").mean()
    assert chronic_old > 2 * chronic_young


def _id_check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def test_id_numbers_are_valid_and_match_birth_date_and_sex(frames):
    members = frames["家庭成员.csv"]
    ids = members["证件号码"]
    assert ids.str.fullmatch(r"439901\d{11}[\dX]").all()
    assert ids.is_unique
    assert all(_id_check(i[:17]) == i[17] for i in ids)
    assert (ids.str[6:14] == members["出生日期"].str.replace("-", "")).all()
    odd = ids.str[16].astype(int) % 2 == 1
    assert ((members["性别"] == "男") == odd).all()
    assert _id_check("11010519491231002") == "X"  # GB 11643 published example


# ---------------------------------------------------------------------------------------- events


def test_event_sequences_replay(events, frames):
    assert set(events["变动类型"]) == {"识别纳入", "标注脱贫", "返贫", "清退", "自然销户"}
    assert not events.duplicated(["户编号", "day"]).any()
    previous = events.groupby("户编号")["变动类型"].shift()
    kind = events["变动类型"]
    first = previous.isna()
    assert (kind[first] == "识别纳入").all()
    assert (previous[kind == "识别纳入"].isna()).all()  # identified once, first
    assert previous[kind == "标注脱贫"].isin(["识别纳入", "返贫"]).all()
    assert previous[kind == "返贫"].eq("标注脱贫").all()
    assert previous[kind.isin(REMOVED)].isin(["识别纳入", "标注脱贫", "返贫"]).all()
    assert not previous.isin(REMOVED).any()  # nothing after a removal
    assert events["day"].between("2014-04-01", "2020-12-31").all()


def test_flows_have_the_described_shape(events):
    households = events["户编号"].nunique()
    exits = events[events["变动类型"] == "标注脱贫"]
    per_year = exits["day"].dt.year.value_counts().sort_index()
    assert per_year.index.min() == 2015
    assert per_year[2015] < 0.06 * households
    assert per_year.idxmax() in (2017, 2018)
    assert per_year[2020] < 0.03 * households
    last = events.groupby("户编号")["变动类型"].last()
    still_poor = last.isin(["识别纳入", "返贫"]).sum()
    assert 20 <= still_poor <= 100  # a few dozen left at the end of 2020
    returns = events[events["变动类型"] == "返贫"]
    assert 0.005 * households <= len(returns) <= 0.025 * households
    cleared = events[events["变动类型"] == "清退"]
    assert 0.02 * households <= len(cleared) <= 0.04 * households
    assert cleared["day"].between("2017-05-01", "2017-08-31").all()
    assert 15 <= (events["变动类型"] == "自然销户").sum() <= 100
    new_ids = events[(events["变动类型"] == "识别纳入") & events["day"].dt.year.isin([2015, 2016])]
    assert (new_ids["变动原因"] == "新识别").all() and len(new_ids) >= 200


def test_member_join_and_leave_dates_fit_the_registration(frames, household_spans):
    members = frames["家庭成员.csv"].join(household_spans, on="户编号")
    joined, left = _day(members["加入日期"]), _day(members["减少日期"])
    start = joined.fillna(members["registered_on"])
    assert (joined.dropna() >= members.loc[joined.notna(), "registered_on"]).all()
    assert (joined.isna() | members["removed_on"].isna() | (joined < members["removed_on"])).all()
    assert (left.isna() | (left > start)).all()
    assert (left.isna() | members["removed_on"].isna() | (left <= members["removed_on"])).all()
    assert ((members["减少日期"] == "") == (members["减少原因"] == "")).all()
    assert set(members["减少原因"]) == {"", "死亡", "婚出", "迁出"}
    share_joined, share_left = joined.notna().mean(), left.notna().mean()
    assert 0.005 <= share_joined <= 0.05 and 0.01 <= share_left <= 0.06
    assert joined.dropna().dt.year.between(2015, 2020).all() and left.dropna().dt.year.between(2015, 2020).all()
    newborn = members[joined.notna() & members["与户主关系"].isin(["之子", "之女", "之孙子", "之孙女"])]
    assert (newborn["出生日期"] == newborn["加入日期"]).all()


def test_registered_people_never_exceed_the_rural_population(frames):
    vy = frames["村年度情况.csv"]
    pop_min = vy.assign(pop=vy["农业户籍人口"].astype(int)).groupby("区划代码")["pop"].min()
    people = frames["家庭成员.csv"]["户编号"].map(frames["贫困户.csv"].set_index("户编号")["区划代码"])
    assert (people.value_counts() <= pop_min.reindex(people.value_counts().index)).all()


def test_incidence_in_2014_is_high_in_poor_villages_and_below_two_percent_at_their_exit(
    frames, events, household_spans
):
    regions = frames["区划.csv"]
    villages = regions[regions["层级"] == "村"].set_index("区划代码")
    vy = frames["村年度情况.csv"].assign(
        year=lambda d: d["年度"].astype(int), pop=lambda d: d["农业户籍人口"].astype(int)
    )
    pop = vy.set_index(["区划代码", "year"])["pop"]
    end_2014 = _poor_people_at(frames, events, household_spans, pd.Timestamp("2014-12-31"))
    incidence = (end_2014 / pop.xs(2014, level="year")).reindex(villages.index).fillna(0)
    poor = villages["是否贫困村"] == "是"
    assert incidence[poor].between(0.15, 0.35).all()
    assert incidence[~poor].between(0.03, 0.12).all()
    county_2014 = end_2014.sum() / pop.xs(2014, level="year").sum()
    assert 0.08 <= county_2014 <= 0.14
    exited = villages[poor & (villages["出列日期"] != "")]
    for exit_day, group in exited.groupby("出列日期"):
        day = pd.Timestamp(exit_day)
        still_poor = _poor_people_at(frames, events, household_spans, day).reindex(group.index).fillna(0)
        rate = still_poor / pop.xs(day.year, level="year").reindex(group.index)
        assert (rate < 0.02).all(), rate[rate >= 0.02]
    end_2020 = _poor_people_at(frames, events, household_spans, pd.Timestamp("2020-12-31")).sum()
    assert end_2020 / pop.xs(2020, level="year").sum() < 0.002


# ---------------------------------------------------------------------------------------- incomes


def test_household_years_follow_the_poverty_status(frames, events):
    hy = frames["户年度收入与保障.csv"]
    hy = hy[hy["年度"].astype(int) <= 2020].reset_index(drop=True)  # the campaign years; after 2020 below
    money = ["工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"]
    values = hy[money].astype(int)
    assert (values >= 0).all().all()
    net = values.iloc[:, :4].sum(axis=1) - values["生产经营性支出"]
    year = hy["年度"].astype(int)
    per_capita = net / hy["家庭人口"].astype(int)
    line = year.map(POVERTY_LINE)
    assert not hy.duplicated(["年度", "户编号"]).any()
    # status at the year end, from the events
    year_end = pd.to_datetime(year.astype(str) + "-12-31")
    ev = events[["户编号", "变动类型", "day"]].rename(columns={"day": "event_day"})
    keyed = hy[["户编号"]].assign(row=range(len(hy)), year_end=year_end).merge(ev, on="户编号")
    last = keyed[keyed["event_day"] <= keyed["year_end"]].sort_values(["row", "event_day"]).groupby("row").last()
    assert len(last) == len(hy)  # every row is a year the household was registered in
    assert not last["变动类型"].isin(REMOVED).any()
    exited = (last["变动类型"] == "标注脱贫").to_numpy()
    assert (per_capita[~exited] < line[~exited]).all()
    guarantees = hy[["吃穿不愁", "义务教育有保障", "基本医疗有保障", "住房安全有保障", "饮水安全有保障"]] == "是"
    failing = (per_capita < line) | ~guarantees.all(axis=1)
    wrong_exits = hy[exited & failing.to_numpy()]["户编号"].nunique()
    exited_households = hy[exited]["户编号"].nunique()
    assert 0.001 * exited_households <= wrong_exits <= 0.01 * exited_households  # the deliberate 错退 cases
    assert (per_capita[exited & ~failing.to_numpy()] >= 1.2 * line[exited & ~failing.to_numpy()]).all()


def test_assistance_covers_households_with_measures(frames):
    assistance = frames["帮扶措施.csv"]
    assistance = assistance[assistance["日期"] <= "2020-12-31"]  # the campaign years; after 2020 below
    households = frames["贫困户.csv"].query("贫困户属性 != ''")["户编号"]
    assert set(assistance["措施类型"]) == {
        "产业",
        "就业",
        "教育",
        "健康",
        "小额信贷",
        "危房改造",
        "易地搬迁",
        "生态护林",
        "兜底保障",
        "结对帮扶",
    }
    paired = assistance.loc[assistance["措施类型"] == "结对帮扶", "户编号"].nunique() / len(households)
    assert paired > 0.97
    assert 2.5 <= len(assistance) / len(households) <= 6
    assert _day(assistance["日期"]).dt.year.between(2015, 2020).all()
    loans = assistance.loc[assistance["措施类型"] == "小额信贷", "金额"].astype(int)
    assert loans.between(10_000, 50_000).all()


# ---------------------------------------------------------------------------------------- projects & funds


def test_projects(frames):
    projects = frames["扶贫项目.csv"]
    projects = projects[projects["年度"].astype(int) <= 2020]  # the campaign's; 衔接资金 projects below
    assert 1_200 <= len(projects) <= 1_800
    assert set(projects["项目类型"]) == {
        "产业发展",
        "基础设施",
        "公共服务",
        "就业扶贫",
        "易地搬迁",
        "危房改造",
        "教育扶贫",
        "健康扶贫",
        "金融扶贫",
        "生态扶贫",
        "综合保障",
        "项目管理费",
        "其他",
    }
    top_two = projects["项目类型"].value_counts().index[:2]
    assert set(top_two) == {"产业发展", "基础设施"}
    by_year = projects["年度"].astype(int).value_counts()
    assert set(by_year.index) == set(range(2016, 2021)) and by_year.idxmax() in (2017, 2018, 2019)
    assert set(projects["批次"]) == {"第1批", "第2批", "第3批"}
    amount = projects["计划投资"].astype(int)
    fees = projects["项目类型"] == "项目管理费"
    assert amount[~fees].between(50_000, 3_000_000).all() and (amount[fees] < 50_000).all()
    planned_start, planned_end = _day(projects["计划开工日期"]), _day(projects["计划完工日期"])
    started, completed = _day(projects["实际开工日期"]), _day(projects["实际完工日期"])
    assert (planned_end > planned_start).all()
    assert (completed.isna() | (started.notna() & (completed > started))).all()
    assert ((completed > planned_end + pd.Timedelta(days=20)).mean()) > 0.05  # some finish late
    assert (started.notna().mean() > 0.9) and (completed.isna().sum() > 20)
    assert completed[projects["年度"] == "2020"].isna().mean() > completed[projects["年度"] == "2017"].isna().mean()
    assert set(projects["主管部门"]) <= {
        "扶贫办",
        "农业农村局",
        "交通运输局",
        "水利局",
        "住建局",
        "教育局",
        "卫健委",
        "人社局",
    }


def test_fund_stages_never_overtake_the_previous_stage(frames):
    funds = frames["资金明细.csv"]
    projects = frames["扶贫项目.csv"].set_index("项目编号")
    assert set(funds["环节"]) == {"下达", "拨付", "支出", "报账"}
    campaign = funds["项目编号"].map(projects["年度"]).astype(int) <= 2020
    assert set(funds.loc[~campaign, "资金来源"]) == {
        "中央财政衔接推进乡村振兴补助资金",
        "省级财政衔接推进乡村振兴补助资金",
        "市级财政衔接推进乡村振兴补助资金",
        "县级财政衔接推进乡村振兴补助资金",
    }
    assert funds.loc[~campaign, "日期"].between("2021-01-01", "2026-11-30").all()
    assert set(funds.loc[campaign, "资金来源"]) <= {
        "中央财政专项扶贫资金",
        "省级财政专项扶贫资金",
        "市级财政专项扶贫资金",
        "县级财政专项扶贫资金",
        "统筹整合涉农资金",
        "地方政府债券",
        "社会帮扶资金",
        "其他",
    }
    funds = funds.assign(amount=funds["金额"].astype(int), day=_day(funds["日期"]))
    assert (funds["amount"] < 0).sum() >= 3  # a few corrections
    allocated = funds[funds["环节"] == "下达"].groupby("项目编号")["amount"].sum()
    assert (allocated == projects.loc[allocated.index, "计划投资"].astype(int)).all()
    assert set(allocated.index) == set(projects.index)
    # cumulative per project and stage at every date on which anything moved
    daily = funds.pivot_table(index=["项目编号", "day"], columns="环节", values="amount", aggfunc="sum", fill_value=0)
    cumulative = daily.groupby(level="项目编号").cumsum()
    for earlier, later in [("下达", "拨付"), ("拨付", "支出"), ("支出", "报账")]:
        assert (cumulative[later] <= cumulative[earlier]).all(), (earlier, later)
    final = cumulative.groupby(level="项目编号").last()
    spent_share = final["支出"] / final["下达"]
    assert (spent_share.between(0.4, 0.7)).sum() >= 20  # slow spenders
    assert (spent_share == 1).mean() > 0.5
    assert funds.loc[campaign, "day"].max() <= pd.Timestamp("2020-12-31")


def test_targets(frames, events):
    targets = frames["年度目标.csv"]
    plans = targets[targets["计划减贫户数"] != ""]
    spending = targets[targets["支出进度目标"] != ""]
    assert len(plans) == 6 * 13 and not plans.duplicated(["年度", "区划代码"]).any()
    assert (plans[["支出进度目标", "截止日期"]] == "").all().all()
    assert (spending[["计划减贫户数", "计划减贫人数", "计划出列村数"]] == "").all().all()
    assert len(spending) == 6 * 4 and (spending["区划代码"] == "439901000000").all()
    shares = spending.groupby("年度")["支出进度目标"].apply(list)
    assert all(s == ["0.30", "0.60", "0.85", "1.00"] for s in shares)
    assert (spending["截止日期"].str[:4] == spending["年度"]).all()
    county = plans[plans["区划代码"] == "439901000000"].set_index("年度")
    exits = events[events["变动类型"] == "标注脱贫"]["day"].dt.year.astype(str).value_counts()
    for year in ["2016", "2017", "2018", "2019"]:
        planned = int(county.loc[year, "计划减贫户数"])
        assert planned != exits[year] and abs(planned - exits[year]) <= 0.15 * exits[year]
    villages = frames["区划.csv"].query("是否贫困村 == '是'")["计划出列年度"].value_counts()
    assert (county["计划出列村数"].astype(int) == villages.reindex(county.index).fillna(0).astype(int)).all()


# ---------------------------------------------------------------------------------------- boundaries


def test_boundaries_tile_townships_with_one_polygon_per_code(package, frames):
    out, _, _ = package
    collection = json.loads((out / "边界.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    codes = [f["properties"]["区划代码"] for f in features]
    regions = frames["区划.csv"]
    expected = regions.loc[regions["层级"].isin(["乡镇", "村"]), "区划代码"]
    assert sorted(codes) == sorted(expected)
    assert {f["geometry"]["type"] for f in features} == {"Polygon"}
    geoms = {f["properties"]["区划代码"]: shape(f["geometry"]) for f in features}
    assert all(g.is_valid and g.area > 0 for g in geoms.values())
    lon, lat = np.concatenate([shapely.get_coordinates(g) for g in geoms.values()]).T
    assert 110.9 < lon.min() and lon.max() < 112.1 and 27.0 < lat.min() and lat.max() < 28.0
    parent = regions.set_index("区划代码")["上级代码"]
    townships = [c for c in codes if c.endswith("000")]
    for township in townships:
        villages = [geoms[c] for c in codes if not c.endswith("000") and parent[c] == township]
        union = shapely.union_all(villages)
        difference = shapely.symmetric_difference(union, geoms[township]).area
        assert difference < 0.001 * geoms[township].area, township
    county_union = shapely.union_all([geoms[t] for t in townships])
    assert county_union.geom_type == "Polygon"
    county_km2 = county_union.area * 111.32 * np.cos(np.radians(27.5)) * 110.57
    assert 1_500 < county_km2 < 4_000


# ---------------------------------------------------------------------------------------- after 2020

DEMO_THRESHOLD = {2021: 6000, 2022: 6500, 2023: 7000, 2024: 7500, 2025: 8000}  # data/reference, 演示省


def test_monitoring_episodes_of_every_kind_some_households_twice(frames):
    episodes = frames["防返贫监测对象.csv"]
    registered = set(frames["贫困户.csv"].query("贫困户属性 != ''")["户编号"])
    assert 200 <= len(episodes) <= 400  # a few hundred at scale 1
    assert episodes["监测编号"].is_unique
    assert set(episodes["监测对象类别"]) == {"脱贫不稳定户", "边缘易致贫户", "突发严重困难户"}
    stable = episodes[episodes["监测对象类别"] == "脱贫不稳定户"]["户编号"]
    edge = episodes[episodes["监测对象类别"] == "边缘易致贫户"]["户编号"]
    assert set(stable) <= registered and not set(edge) & registered
    twice = episodes["户编号"].value_counts()
    assert 3 <= (twice == 2).sum() <= 40 and twice.max() == 2
    identified, cleared = _day(episodes["认定日期"]), _day(episodes["风险消除日期"])
    assert identified.between("2021-03-01", "2026-10-31").all()
    assert (cleared.isna() | (cleared > identified)).all() and 0.1 <= cleared.isna().mean() <= 0.4
    found = _day(episodes["发现日期"])
    assert (found.isna() | (found <= identified)).all() and found.isna().any()
    assert ((identified - found).dt.days > 15).sum() >= 10  # some identified late
    ordered = episodes.assign(i=identified, c=cleared).sort_values(["户编号", "i"])
    again = ordered["户编号"].duplicated()
    assert (ordered["i"][again].to_numpy() >= ordered.groupby("户编号")["c"].shift()[again].to_numpy()).all()
    risks = episodes["风险类型"].str.split("、").explode()
    assert risks.value_counts().index[0] == "因病" and (episodes["风险类型"].str.contains("、")).any()


def test_edge_households_have_no_events_category_or_cause_and_some_are_never_monitored(frames):
    households = frames["贫困户.csv"]
    edge = households[households["贫困户属性"] == ""]
    assert 50 <= len(edge) <= 150 and (edge["主要致贫原因"] == "").all()
    assert not set(edge["户编号"]) & set(frames["动态管理记录.csv"]["户编号"])
    monitored = set(frames["防返贫监测对象.csv"]["户编号"])
    assert 5 <= len(set(edge["户编号"]) - monitored) <= 0.4 * len(edge)
    members = frames["家庭成员.csv"]
    edge_members = members[members["户编号"].isin(edge["户编号"])]
    assert (edge_members["加入日期"] == "").all() and (edge_members["减少日期"] == "").all()
    assert edge_members["人员编号"].str.startswith("P9").all()


def test_household_years_after_2020_a_handful_below_the_threshold_unmonitored_and_cleared_still_failing(frames):
    hy = frames["户年度收入与保障.csv"]
    hy = hy[hy["年度"].astype(int) > 2020]
    assert set(hy["年度"].astype(int)) == set(DEMO_THRESHOLD)
    money = hy[["工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"]].astype(int)
    per_capita = (money.iloc[:, :4].sum(axis=1) - money["生产经营性支出"]) / hy["家庭人口"].astype(int)
    below = hy[(per_capita < hy["年度"].astype(int).map(DEMO_THRESHOLD)).to_numpy()]
    episodes = frames["防返贫监测对象.csv"]
    never_monitored = below[~below["户编号"].isin(episodes["户编号"])]
    assert 3 <= never_monitored["户编号"].nunique() <= 40  # a handful (漏监测 risks)
    cleared = episodes[episodes["风险消除日期"].between("2021-01-01", "2025-12-31")]
    cleared_year = cleared.assign(年度=cleared["风险消除日期"].str[:4])[["户编号", "年度"]]
    still_failing = cleared_year.merge(below[["户编号", "年度"]], on=["户编号", "年度"])
    assert 1 <= len(still_failing) <= 0.2 * len(cleared_year)
    assistance = frames["帮扶措施.csv"]
    after = assistance[assistance["日期"] > "2020-12-31"]
    assert after["日期"].max() <= "2026-11-30" and {"产业", "就业"} <= set(after["措施类型"])


def test_link_fund_projects_2021_to_2025(frames):
    projects = frames["扶贫项目.csv"]
    later = projects[projects["年度"].astype(int) > 2020]
    assert set(later["年度"].astype(int)) == {2021, 2022, 2023, 2024, 2025} and 300 <= len(later) <= 800


def test_monitoring_grows_with_the_scale(frames, tmp_path):
    counts = write_demo_package(tmp_path / "double", scale=2, seed=2014)
    assert 1.5 <= counts["monitoring"] / len(frames["防返贫监测对象.csv"]) <= 2.6
