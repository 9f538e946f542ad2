"""Boundaries: GeoJSON or a (zipped) Shapefile in any CRS -> EPSG:4326 rows for the boundaries table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from etl.problems import PackageError, Problem
from etl.zipsafe import check_zip

CODE_PROPERTIES = ("区划代码", "code", "CODE", "Code", "区划代码_")
# ~50 m at these latitudes: enough for a county map, a fraction of the vertices.
DISPLAY_TOLERANCE_DEGREES = 0.0005


def _code_text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_boundaries(path: Path, display_name: str, levels: dict[str, str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read, check against the regions (code -> level) and reproject. Returns rows and problems."""
    import geopandas as gpd
    import shapely

    problems: list[Problem] = []
    try:
        if path.suffix.lower() == ".zip":
            check_zip(path, display_name)  # the package's zip checks: no bombs handed to GDAL
        frame = gpd.read_file(path)
    except PackageError as exc:
        return None, [dataclasses.replace(p, table="boundaries") for p in exc.problems]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        return None, [Problem.file_error(display_name, "boundaries_unreadable", table="boundaries", value=str(exc)[:200])]
    code_column = next((c for c in CODE_PROPERTIES if c in frame.columns), None)
    if code_column is None:
        return None, [Problem.file_error(display_name, "boundaries_no_code", table="boundaries")]
    if frame.crs is None:
        problems.append(Problem.file_warning(display_name, "boundaries_no_crs", table="boundaries"))
        frame = frame.set_crs(4326)
    frame = frame.to_crs(4326)
    frame["region_code"] = [_code_text(v) for v in frame[code_column]]
    frame["geometry"] = shapely.make_valid(frame.geometry.values)

    keep = []
    seen: set[str] = set()
    for i, (code, geometry) in enumerate(zip(frame["region_code"], frame.geometry, strict=True)):
        feature = f"feature {i + 1}"
        if code not in levels:
            problems.append(Problem.error("boundaries", display_name, None, code_column, code or feature,
                                          "boundaries_unknown_code"))
        elif levels[code] not in ("乡镇", "村"):
            problems.append(Problem.error("boundaries", display_name, None, code_column, code,
                                          "boundaries_wrong_level"))
        elif code in seen:
            problems.append(Problem.error("boundaries", display_name, None, code_column, code,
                                          "boundaries_duplicate"))
        elif geometry is None or geometry.is_empty:
            problems.append(Problem.error("boundaries", display_name, None, "geometry", code, "boundaries_empty"))
        else:
            seen.add(code)
            keep.append(i)
    kept = frame.iloc[keep]
    geometries = kept.geometry.values
    # vectorised: thousands of villages at once
    simplified = shapely.simplify(geometries, DISPLAY_TOLERANCE_DEGREES, preserve_topology=True)
    label_points = shapely.point_on_surface(geometries)
    rows = pd.DataFrame({
        "region_code": kept["region_code"].to_numpy(),
        "level": [levels[c] for c in kept["region_code"]],
        "geometry_wkb": shapely.to_wkb(geometries),
        "geojson": shapely.to_geojson(simplified),
        "centroid_lon": shapely.get_x(label_points),
        "centroid_lat": shapely.get_y(label_points),
    })
    return rows, problems
