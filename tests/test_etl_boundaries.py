"""Boundaries in any CRS, as GeoJSON or a zipped Shapefile, end up in EPSG:4326 in the database."""

from __future__ import annotations

import json
import zipfile

import duckdb
import geopandas as gpd
import pytest
from shapely.geometry import box

from etl.load import LoadFailed
from tests.conftest import TINY
from tests.packages import copy_package, load_tables

# Three villages and two townships of the tiny county, as boxes around 112.9E 28.2N (Changsha).
WGS84_BOXES = {
    "430101100001": box(112.90, 28.20, 112.95, 28.25),
    "430101100002": box(112.95, 28.20, 113.00, 28.25),
    "430101100000": box(112.90, 28.20, 113.00, 28.25),
    "430101200001": box(113.00, 28.20, 113.05, 28.25),
    "430101200000": box(113.00, 28.20, 113.05, 28.25),
}


def boundary_frame(crs: str) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"区划代码": list(WGS84_BOXES)}, geometry=list(WGS84_BOXES.values()), crs=4326)
    return frame.to_crs(crs)


def stored(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select region_code, level, geojson, centroid_lon, centroid_lat from boundaries").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def assert_matches_wgs84(rows):
    assert sorted(rows) == sorted(WGS84_BOXES)
    for code, (level, geojson, lon, lat) in rows.items():
        expected = WGS84_BOXES[code]
        assert level == ("村" if not code.endswith("000") else "乡镇")
        minx, miny, maxx, maxy = expected.bounds
        assert minx < lon < maxx and miny < lat < maxy
        coordinates = json.loads(geojson)["coordinates"][0]
        xs, ys = [c[0] for c in coordinates], [c[1] for c in coordinates]
        assert min(xs) == pytest.approx(minx, abs=1e-6) and max(ys) == pytest.approx(maxy, abs=1e-6)


def test_geojson_in_web_mercator(tmp_path):
    package = copy_package(TINY, tmp_path / "pkg")
    boundary_frame("EPSG:3857").to_file(package / "边界.geojson", driver="GeoJSON")
    load_tables(package, tmp_path / "db.duckdb")
    assert_matches_wgs84(stored(tmp_path / "db.duckdb"))


def test_zipped_shapefile_in_cgcs2000_gauss_kruger(tmp_path):
    package = copy_package(TINY, tmp_path / "pkg")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    frame = boundary_frame("EPSG:4547").rename(columns={"区划代码": "code"})  # CGCS2000 / 3-degree GK CM 114E
    frame.to_file(shp_dir / "villages.shp", encoding="utf-8")
    with zipfile.ZipFile(package / "boundaries.zip", "w") as zf:
        for path in shp_dir.iterdir():
            zf.write(path, path.name)
    load_tables(package, tmp_path / "db.duckdb")
    assert_matches_wgs84(stored(tmp_path / "db.duckdb"))


def test_unknown_code_is_rejected(tmp_path):
    package = copy_package(TINY, tmp_path / "pkg")
    frame = boundary_frame("EPSG:4326")
    frame.loc[0, "区划代码"] = "999999999999"
    frame.to_file(package / "边界.geojson", driver="GeoJSON")
    with pytest.raises(LoadFailed) as info:
        load_tables(package, tmp_path / "db.duckdb")
    assert [(p.file, p.column, p.value, p.check_name, p.message_en) for p in info.value.problems] == [
        ("边界.geojson", "区划代码", "999999999999", "boundaries_unknown_code", "boundary code not found in regions")
    ]
    assert not (tmp_path / "db.duckdb").exists()
