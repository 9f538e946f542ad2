"""Choropleth maps drawn offline: classes with a legend, GeoJSON from the database, the view fitted to it.

The map page (pages/map.py) gives every area a class key; this module turns areas and classes into a
plotly `choroplethmap` figure on a white style — no tiles — with each area's name drawn on it (MapLibre
draws the names with the browser's own font; see WHITE_STYLE): nothing is fetched from the internet. One trace per class, so the
legend lists the classes (in the chosen language) and a click on an area reports its region code as
the point's `location`.

plotly.js does not fit a map subplot to choroplethmap traces (`layout.map.fitbounds` only looks at
point traces), so `fit_view` computes the centre and zoom from the geometry bounds itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from ui.charts import NO_DATA_COLOR, PASS_COLOR

NO_DATA = "no_data"
FOCUS_OUTLINE = "#222222"
AREA_OUTLINE = "#ffffff"

# ColorBrewer RdYlGn, diverging at the exit line: greens well below it, yellow nearing it,
# reds from it on.
INCIDENCE_COLORS = [PASS_COLOR, "#66bd63", "#a6d96a", "#d9ef8b", "#fee08b", "#f46d43", "#d73027", "#a50026"]
# ColorBrewer Reds for counts above zero (zero is PASS_COLOR)
COUNT_COLORS = ["#fcbba1", "#fb6a4a", "#de2d26", "#a50f15"]
SPENDING_COLORS = ["#d73027", "#fc8d59", "#d9ef8b", "#1a9850"]
# The map's width is the browser's business; the view is fitted for a half-width column on a laptop
# screen (1:1 beside the table at about 1500 px), so it shows whole there and on anything wider.
MAP_WIDTH_PX = 440
LEGEND_PX = 80  # the legend and margins above the map itself
NOT_POOR_COLOR = "#c6dbef"
# plotly's "white-bg" style (a white background, no tiles), with one change: the glyph fonts of the area
# names. MapLibre draws CJK characters with the browser's own font; for any other character (a digit, a
# Latin letter in a name) it asks the style's glyph URL, which plotly points at fonts.openmaptiles.org.
# Here it is a path on the dashboard's own server, which has no glyph files: the request fails at once
# and MapLibre draws that character with the browser's font too. Nothing is fetched from the internet.
WHITE_STYLE = {
    "version": 8,
    "sources": {},
    "layers": [{"id": "white-bg", "type": "background", "paint": {"background-color": "#FFFFFF"}}],
    "glyphs": "/_tuopin/no-glyphs/{fontstack}/{range}.pbf",
}  # a village that was never a registered poor village: pale blue, not "no data" grey


@dataclass(frozen=True)
class MapClass:
    key: str
    label: str
    color: str


def classify(values: pd.Series, cuts: list[float]) -> pd.Series:
    """The class index of each value: 0 below cuts[0], i for cuts[i-1] ≤ v < cuts[i]; NaN stays NaN."""
    index = pd.Series(float("nan"), index=values.index)
    known = values.notna()
    index[known] = [sum(v >= c for c in cuts) for v in values[known]]
    return index


def nice_ceiling(x: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that is at least x (class breaks people can read)."""
    if x <= 1:
        return 1
    power = 10 ** math.floor(math.log10(x))
    return next(int(m * power) for m in (1, 2, 5, 10) if m * power >= x)


def count_breaks(values: Iterable[float], classes: int = 4) -> list[int]:
    """Breaks above 1 for positive counts, at nice numbers near their quantiles (at most `classes` classes)."""
    positive = pd.Series([v for v in values if pd.notna(v) and v > 0], dtype=float)
    if positive.empty:
        return []
    quantiles = positive.quantile([i / classes for i in range(1, classes)])
    return sorted({nice_ceiling(q) for q in quantiles} - {1})


# ---- geometry -----------------------------------------------------------------------------------


def _positions(coordinates) -> Iterable[tuple[float, float]]:
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates[0], coordinates[1]
        return
    for part in coordinates:
        yield from _positions(part)


def bounds(geojsons: Iterable[str]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of GeoJSON geometries given as text; None when there are none."""
    xs, ys = [], []
    for text in geojsons:
        for x, y in _positions(json.loads(text)["coordinates"]):
            xs.append(x)
            ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _spans(box: tuple[float, float, float, float]) -> tuple[float, float]:
    """The box's width and height as fractions of the Web Mercator world."""
    west, south, east, north = box
    return max(east - west, 1e-6) / 360, max(_mercator_y(north) - _mercator_y(south), 1e-6) / (2 * math.pi)


def map_height(box: tuple[float, float, float, float], width_px: int = MAP_WIDTH_PX,
               smallest: int = 320, largest: int = 600) -> int:
    """A plot height in pixels that suits the box's shape at about `width_px` wide."""
    span_x, span_y = _spans(box)
    return int(min(max(width_px * span_y / span_x, smallest), largest))


def fit_view(box: tuple[float, float, float, float], width_px: int = MAP_WIDTH_PX, height_px: int = 500,
             max_zoom: float = 13.0) -> tuple[dict, float]:
    """Centre and zoom that show the box whole in a map of about width × height pixels (MapLibre's
    world is 512 px wide at zoom 0, in Web Mercator)."""
    west, south, east, north = box
    centre_y = (_mercator_y(south) + _mercator_y(north)) / 2
    centre = {"lon": (west + east) / 2, "lat": math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)}
    span_x, span_y = _spans(box)
    zoom = min(math.log2(width_px / 512 / span_x), math.log2(height_px / 512 / span_y), max_zoom)
    return centre, zoom - 0.2  # a little margin around the areas


def _feature_collection(codes: Iterable[str], geojsons: Iterable[str]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": code, "properties": {}, "geometry": json.loads(text)}
                     for code, text in zip(codes, geojsons, strict=True)],
    }


# ---- the figure ---------------------------------------------------------------------------------


def choropleth(areas: pd.DataFrame, classes: list[MapClass], *, legend_title: str,
               focus: str | None = None) -> go.Figure:
    """A map of `areas` (columns region_code, geojson, class_key, hover; rows with a geometry), one trace
    per class in the order given; plotly leaves a class without areas out of the legend. `focus` names an
    area drawn with a dark outline (the village in view among its township's villages)."""
    fig = go.Figure()
    for map_class in classes:
        members = areas[areas.class_key == map_class.key]
        if members.empty:
            continue
        fig.add_trace(go.Choroplethmap(
            geojson=_feature_collection(members.region_code, members.geojson),
            locations=list(members.region_code),
            z=[1] * len(members),
            colorscale=[[0, map_class.color], [1, map_class.color]],
            zmin=0, zmax=1,
            showscale=False,
            showlegend=True,
            name=map_class.label,
            marker=dict(line=dict(color=AREA_OUTLINE, width=1), opacity=0.9),
            customdata=list(members.region_code),
            hovertext=list(members.hover),
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    focused = areas[areas.region_code == focus] if focus else areas.iloc[0:0]
    if not focused.empty:
        fig.add_trace(go.Choroplethmap(
            geojson=_feature_collection(focused.region_code, focused.geojson),
            locations=list(focused.region_code),
            z=[1], colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            showlegend=False, hoverinfo="skip",
            marker=dict(line=dict(color=FOCUS_OUTLINE, width=3)),
        ))
    named = areas[areas.centroid_lon.notna() & areas.centroid_lat.notna()] if "centroid_lon" in areas else areas.iloc[0:0]
    if not named.empty:  # every area's name on it, not only on hover
        fig.add_trace(go.Scattermap(
            lon=list(named.centroid_lon), lat=list(named.centroid_lat), mode="markers+text",
            # an invisible marker under each name: plotly selects (reports a click on) markers, not text
            marker=dict(size=1, color="rgba(0,0,0,0)"),
            text=list(named.region_name), textfont=dict(size=12, color="#1a1a1a"), showlegend=False,
            # a pointer on the name is on its area: the same hover text, and a click picks the area
            customdata=list(named.region_code), hovertext=list(named.hover),
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    box = bounds(areas.geojson) or (-1.0, -1.0, 1.0, 1.0)
    plot_height = map_height(box)
    centre, zoom = fit_view(box, height_px=plot_height)
    fig.update_layout(
        map=dict(style=WHITE_STYLE, center=centre, zoom=zoom),
        legend_title_text=legend_title,
        clickmode="event+select",
        height=plot_height + LEGEND_PX,
    )
    return fig


def clicked_region(selection, allowed: Iterable[str]) -> str | None:
    """The region code of the area clicked on a map (a plotly selection), if it is one of `allowed`."""
    points = (selection or {}).get("selection", {}).get("points", []) if hasattr(selection, "get") else []
    allowed = set(allowed)
    for point in points:
        code = point.get("location") or point.get("customdata")
        if isinstance(code, list):
            code = code[0] if code else None
        if code in allowed:
            return code
    return None


def no_data_class(label: str) -> MapClass:
    return MapClass(NO_DATA, label, NO_DATA_COLOR)
