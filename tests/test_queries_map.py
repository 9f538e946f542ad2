"""The map's queries on the tiny county: `boundaries` (new) and the 户 count of `poverty_incidence`.

Tiny has no boundary file, so a copy of it gets one here: boxes for 一村, 三村, 甲乡 and 乙镇 and none
for 二村 — the map must name an area without a boundary instead of dropping it.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from queries import Database, QueryError
from tests.conftest import TINY
from tests.packages import copy_package, load_tables

COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"  # 小试县, 甲乡, 乙镇
YICUN, ERCUN, SANCUN = "430101100001", "430101100002", "430101200001"  # 一村, 二村, 三村

# Boxes around 112.9E 28.2N; 二村 has none on purpose.
BOXES = {
    YICUN: box(112.90, 28.20, 112.95, 28.25),
    JIA: box(112.90, 28.20, 113.00, 28.25),
    SANCUN: box(113.00, 28.20, 113.05, 28.25),
    YI: box(113.00, 28.20, 113.05, 28.25),
}


def build_tiny_with_boundaries(folder: Path) -> Path:
    """Tiny plus 边界.geojson (EPSG:4326) for every region but 二村, loaded by the real loader."""
    package = copy_package(TINY, folder / "package")
    frame = gpd.GeoDataFrame({"区划代码": list(BOXES)}, geometry=list(BOXES.values()), crs=4326)
    frame.to_file(package / "边界.geojson", driver="GeoJSON")
    db = folder / "tuopin.duckdb"
    load_tables(package, db)
    return db


@pytest.fixture(scope="module")
def tiny_with_boundaries(tmp_path_factory):
    with Database(build_tiny_with_boundaries(tmp_path_factory.mktemp("tiny_boundaries"))) as db:
        yield db


def listed(frame) -> list[tuple]:
    return [(r.region_code, r.region_name, r.level, bool(r.has_boundary)) for r in frame.itertuples()]


def test_boundaries_lists_every_region_at_the_level_with_or_without_a_boundary(tiny_with_boundaries):
    db = tiny_with_boundaries
    townships = db.query("boundaries", level="乡镇")
    assert listed(townships) == [(JIA, "甲乡", "乡镇", True), (YI, "乙镇", "乡镇", True)]
    # 甲乡's box 112.90–113.00 × 28.20–28.25 comes back as GeoJSON in EPSG:4326, with a point inside it
    jia = townships.iloc[0]
    xs, ys = zip(*json.loads(jia.geojson)["coordinates"][0], strict=True)
    assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx((112.90, 28.20, 113.00, 28.25))
    assert 112.90 < jia.centroid_lon < 113.00 and 28.20 < jia.centroid_lat < 28.25

    villages = db.query("boundaries", level="村", region=JIA)
    assert listed(villages) == [(YICUN, "一村", "村", True), (ERCUN, "二村", "村", False)]
    assert villages.geojson.isna().tolist() == [False, True]
    assert villages.parent_code.tolist() == [JIA, JIA]
    # the default level is 村 and the default region the top: all three villages
    assert listed(db.query("boundaries")) == [(YICUN, "一村", "村", True), (ERCUN, "二村", "村", False),
                                              (SANCUN, "三村", "村", True)]


def test_boundaries_of_a_region_at_the_level_is_the_region_itself_and_unknown_gives_nothing(tiny_with_boundaries):
    db = tiny_with_boundaries
    assert listed(db.query("boundaries", level="村", region=SANCUN)) == [(SANCUN, "三村", "村", True)]
    assert db.query("boundaries", level="乡镇", region=SANCUN).empty  # a level above the region
    assert db.query("boundaries", level="乡镇", region="999999999999").empty
    with pytest.raises(QueryError, match="must be one of"):
        db.query("boundaries", level="县")


def test_boundaries_of_a_package_without_a_boundary_file(tiny):
    frame = tiny.query("boundaries", level="乡镇")
    assert listed(frame) == [(JIA, "甲乡", "乡镇", False), (YI, "乙镇", "乡镇", False)]
    assert frame.geojson.isna().all() and frame.centroid_lon.isna().all()


def test_poverty_incidence_counts_the_households_with_the_people(tiny):
    # 2015-06-30 (EXPECTED.md: 5户13人 still poor): 一村 H1, H2, H3 = 3户6人; 二村 H4 = 1户4人;
    # 三村 H6 = 1户3人 (P16 leaves 2016-08-01); townships add their villages.
    villages = tiny.query("poverty_incidence", as_of="2015-06-30", level="村")
    assert list(zip(villages.region_code, villages.households_poor, villages.people_poor, strict=True)) == [
        (YICUN, 3, 6), (ERCUN, 1, 4), (SANCUN, 1, 3)]
    townships = tiny.query("poverty_incidence", as_of="2015-06-30", level="乡镇")
    assert list(zip(townships.region_code, townships.households_poor, townships.people_poor, strict=True)) == [
        (JIA, 4, 10), (YI, 1, 3)]
    # county at year ends, as registry_summary counts them: 2017 3户5人, 2019 1户2人
    for as_of, expected in (("2017-12-31", (3, 5)), ("2019-12-31", (1, 2))):
        county = tiny.query("poverty_incidence", as_of=as_of, level="县")
        assert (county.households_poor[0], county.people_poor[0]) == expected
        summary = tiny.query("registry_summary", as_of=as_of)
        assert (summary.households_poor[0], summary.people_poor[0]) == expected
    assert str(villages.households_poor.dtype) == "int64"
