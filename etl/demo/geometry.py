"""Boundaries: an irregular county outline, Voronoi townships, Voronoi villages inside each
township, written as 边界.geojson."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from etl.demo.county import County
from etl.demo.vocabulary import CENTER_LAT, CENTER_LON, KM_PER_DEG_LAT, KM_PER_DEG_LON


def _county_outline(rng: np.random.Generator) -> Polygon:
    """A star-shaped irregular outline, about 60 × 50 km, in a local km plane."""
    theta = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 9):
        radius += rng.uniform(0.02, 0.10) / math.sqrt(k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    radius *= 1 + rng.normal(0, 0.008, len(theta))
    radius = np.clip(radius, 0.6, None)
    return Polygon(np.column_stack([30 * radius * np.cos(theta), 25 * radius * np.sin(theta)]))


def _points_inside(region: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    points = np.empty((0, 2))
    while len(points) < n:
        candidates = rng.uniform([minx, miny], [maxx, maxy], (4 * n + 8, 2))
        points = np.vstack([points, candidates[shapely.contains_xy(region, candidates[:, 0], candidates[:, 1])]])
    return points[:n]


def _voronoi_cells(region: Polygon, points: np.ndarray) -> np.ndarray:
    if len(points) == 1:
        return np.array([region], dtype=object)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=shapely.box(*region.bounds).buffer(1.0), ordered=True
        )
    )
    return shapely.intersection(cells, region)


def _merge_fragments(cells: np.ndarray) -> np.ndarray | None:
    """Clipping a convex cell to a non-convex region may cut it in pieces: keep each cell's largest
    piece and give every other piece to the neighbour sharing the longest edge with it."""
    cells = cells.copy()
    fragments = []
    for i, cell in enumerate(cells):
        if not cell.is_valid:
            cell = shapely.make_valid(cell)
        parts = [p for p in shapely.get_parts(cell) if p.geom_type == "Polygon" and p.area > 0]
        if not parts:
            return None
        parts.sort(key=lambda p: -p.area)
        cells[i] = parts[0]
        fragments += parts[1:]
    for fragment in fragments:
        shared = shapely.length(shapely.intersection(fragment.boundary, shapely.boundary(cells)))
        for j in np.argsort(-shared, kind="stable"):
            if shared[j] <= 0:
                return None
            merged = shapely.union(cells[j], fragment)
            if merged.geom_type == "Polygon":
                cells[j] = merged
                break
        else:
            return None
    return cells


def _partition(region: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n polygons tiling region exactly (Voronoi cells of seeds relaxed twice towards centroids)."""
    for _attempt in range(50):
        points = _points_inside(region, n, rng)
        for _ in range(2):
            cells = _voronoi_cells(region, points)
            centroids = shapely.centroid(cells)
            inside = shapely.contains(region, centroids)
            fallback = shapely.point_on_surface(cells)
            points = shapely.get_coordinates(np.where(inside, centroids, fallback))
        cells = _merge_fragments(_voronoi_cells(region, points))
        if cells is not None and all(c.geom_type == "Polygon" and not c.is_empty for c in cells):
            return cells
    raise RuntimeError("could not partition a region into polygons")


def _to_lonlat(geoms: np.ndarray) -> np.ndarray:
    scale = np.array([1 / KM_PER_DEG_LON, 1 / KM_PER_DEG_LAT])
    offset = np.array([CENTER_LON, CENTER_LAT])
    return shapely.transform(geoms, lambda xy: np.round(xy * scale + offset, 6))


def _feature(code: str, name: str, level: str, polygon: Polygon) -> str:
    polygon = orient(polygon, sign=1.0)  # RFC 7946: exterior counter-clockwise
    rings = [polygon.exterior, *polygon.interiors]
    coordinates = [[[round(x, 6), round(y, 6)] for x, y in ring.coords] for ring in rings]
    return json.dumps(
        {
            "type": "Feature",
            "properties": {"区划代码": code, "名称": name, "层级": level},
            "geometry": {"type": "Polygon", "coordinates": coordinates},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def write_boundaries(county: County, path: Path, seed: int, progress: Callable[[float], None]) -> int:
    """边界.geojson: one Polygon per 乡镇 and per 村 (villages tile their township exactly)."""
    rng = np.random.default_rng([seed, 2])
    townships_km = _partition(_county_outline(rng), len(county.township_codes), rng)
    townships = _to_lonlat(townships_km)
    n_features = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('{"type":"FeatureCollection","features":[\n')
        for t, township_km in enumerate(townships_km):
            villages = county.villages_of(t)
            cells = _to_lonlat(_partition(township_km, len(villages), np.random.default_rng([seed, 2, t])))
            lines = [_feature(county.township_codes[t], county.township_names[t], "乡镇", townships[t])]
            lines += [
                _feature(county.village_codes[v], county.village_names[v], "村", cell)
                for v, cell in zip(villages, cells, strict=True)
            ]
            out.write(("" if n_features == 0 else ",\n") + ",\n".join(lines))
            n_features += len(lines)
            progress((t + 1) / len(townships_km))
        out.write("\n]}\n")
    return n_features
