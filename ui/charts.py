"""How every chart looks and ships its data: one palette, CJK fonts, a data download under each chart.

Pages build plotly figures from query results and hand them to `show()`, which applies the house
layout and puts a CSV download of the figure's data (UTF-8 with BOM, so Excel opens the Chinese)
under it. Colours for 户 status are fixed across pages so 未脱贫 is always the same red.
"""

from __future__ import annotations

import functools
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from common.cells import neutralise
from ui import plain
from ui.i18n import t

# Fonts the browser already has (nothing fetched): Debian's Noto CJK, Windows' YaHei/SimHei, macOS' PingFang.
FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimHei", "WenQuanYi Micro Hei", sans-serif'

STATUS_COLORS = {
    "未脱贫": "#d1495b",
    "已脱贫": "#2e8b57",
    "清退": "#8c8c8c",
    "still_poor": "#d1495b",
    "exited": "#2e8b57",
    "removed": "#8c8c8c",
}
PASS_COLOR = "#2e8b57"
FAIL_COLOR = "#d1495b"
NO_DATA_COLOR = "#d9d9d9"
ACCENT = "#1f6fb2"
SEQUENCE = ["#1f6fb2", "#e8a33d", "#2e8b57", "#d1495b", "#7b5ea7", "#3fa7a3", "#8c8c8c", "#b5651d"]
# money stages 下达 → 拨付 → 支出 → 报账, light to dark
STAGE_COLORS = ["#9ecae1", "#4292c6", "#2171b5", "#08306b"]


HOUSE_MARGIN = dict(l=10, r=10, t=40, b=10)
HOUSE_LEGEND = dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0)


def style(fig: go.Figure, *, height: int | None = None) -> go.Figure:
    """The house layout over whatever the page set (merged as update_layout would: a page's other font,
    margin or legend settings stay). Each part is set as one value: update_layout's keyword parsing took
    4 ms a figure, a tenth of an overview run; this takes about 0.5 ms."""
    layout = fig.layout
    layout.font = {**layout.font.to_plotly_json(), "family": FONT_FAMILY}
    layout.colorway = SEQUENCE
    layout.margin = {**layout.margin.to_plotly_json(), **HOUSE_MARGIN}
    layout.legend = {**layout.legend.to_plotly_json(), **HOUSE_LEGEND}
    layout.separators = ".,"
    if height:
        layout.height = height
    return fig


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV for Excel: UTF-8 with BOM, formula-like text cells and headers neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(c) if isinstance(c, str) else c for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False).encode("utf-8-sig")


def download(frame: pd.DataFrame, name: str, *, key: str | None = None, label: str | None = None) -> None:
    """A download button for a table's data; the file name is made safe for every OS. Only for
    accounts allowed to export; each download is written to the audit log."""
    filename = re.sub(r'[\\/:*?"<>|\s]+', "_", name) + ".csv"
    # made when clicked, not on every run (most of a chart's downloads are never taken)
    export_button(label or t("download_data"), functools.partial(csv_bytes, frame), filename, "text/csv",
                  key=key or f"download_{filename}", type="tertiary")


def export_button(label: str, payload, filename: str, mime: str, *, key: str,
                  icon: str = ":material/download:", audit: tuple[str, str | None, str] | None = None,
                  **kwargs) -> None:
    """Every export of the dashboard goes through here: refused to accounts without the export
    permission (a caption says so), logged in the audit log with the region in view. `payload` is
    bytes, or a callable making them when the button is clicked. `audit`: the entry's (action, region,
    detail) when it is not ("export", the region in view, the file name) — an archived report's file
    names its archive number and SHA-256 (pages/archive.py)."""
    from ui import session

    if "_account" in st.session_state and not session.can("export"):
        st.caption(t("export_not_allowed"))
        return
    region = st.session_state["_filters"].region if "_filters" in st.session_state else None
    st.download_button(label, payload, file_name=filename, mime=mime, key=key, icon=icon,
                       on_click=session.audit, args=audit or ("export", region, filename), **kwargs)


def plain_categories(fig: go.Figure) -> go.Figure:
    """Plotly reads an HTML subset (<a href>, <b>, <br> …) in axis ticks, legend names and bar texts:
    category values are data (village, township, project category names), so their < > & are escaped
    (ui/plain.html). Hover text a page builds with its own <b>/<br> escapes its data itself (pages/map.py).
    A map's text layer is left as it is: MapLibre draws it as plain text."""
    for trace in fig.data:
        # a map's text layer (ui/maps.py: the area names) is drawn by MapLibre as it is, never read as HTML:
        # escaped, it would show "&lt;" on the map
        for attribute in ("x", "y", "name") if trace.type == "scattermap" else ("x", "y", "text", "name"):
            try:
                values = trace[attribute]
            except (KeyError, ValueError):  # a trace type without it (a map has no x)
                continue
            if isinstance(values, str):
                trace[attribute] = plain.html(values)
            elif values is not None and any(isinstance(v, str) for v in values):
                trace[attribute] = [plain.html(v) if isinstance(v, str) else v for v in values]
    return fig


TARGET_COLOR = "#333333"  # targets and plans: a dark dotted line


def target_line(fig: go.Figure, x, value: float, name: str, *, percent: bool = True) -> go.Figure:
    """A dotted horizontal target across the chart's x values — the incidence a village or a county must get
    under (the village profile's threshold, the overview's exit line). `value` in the y axis's units
    (a percent axis: ×100)."""
    x = list(x)
    fig.add_trace(go.Scatter(
        x=x, y=[value] * len(x), mode="lines", name=name, line=dict(color=TARGET_COLOR, dash="dot"),
        hovertemplate=name + " %{y:.2f}" + ("%" if percent else "") + "<extra></extra>",
    ))
    return fig


def show(fig: go.Figure, frame: pd.DataFrame, name: str, *, key: str | None = None, height: int | None = None,
         **plotly_kwargs):
    """Draw a figure in the house style with a download of the data behind it; returns the chart state
    (a selection when `on_select` is passed)."""
    state = st.plotly_chart(style(plain_categories(fig), height=height), key=key, config={"displaylogo": False},
                            **plotly_kwargs)
    download(frame, name, key=f"download_{key or name}")
    return state


def values(column: pd.Series) -> list:
    """A column as a plain list for a trace: numbers as floats (missing as NaN, drawn as a gap, as from the
    column itself), dates as Timestamps, text as text. plotly checks and copies a pandas column into a
    typed array, which took twice as long to build and send as the list for a chart's few dozen points."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.astype(float).tolist()
    return column.tolist()


def axes(fig: go.Figure, *, x: dict | None = None, y: dict | None = None) -> go.Figure:
    """Set the x and the y axis's settings over those already there, as fig.update_xaxes(**x) and
    fig.update_yaxes(**y) do on a chart with one axis of each (a title may be given as text), at a
    third of their cost (their keyword parsing was 2 ms a chart). A chart with a second y axis sets
    that one through its layout."""
    layout = fig.layout
    if x:
        layout.xaxis = {**layout.xaxis.to_plotly_json(), **x}
    if y:
        layout.yaxis = {**layout.yaxis.to_plotly_json(), **y}
    return fig


def count_axis(fig: go.Figure, values, axis: str = "y") -> go.Figure:
    """A count axis (households, people, villages): from 0, whole numbers only — plotly steps a small
    range by 0.5 (0, 0.5, 1), so up to 5 the step is 1."""
    top = max((float(v) for v in values if v is not None and pd.notna(v)), default=0.0)
    settings = dict(rangemode="tozero", tickformat=",d", **({"dtick": 1} if top <= 5 else {}))
    return axes(fig, **{axis: settings})


def axis_break(fig: go.Figure, start: float) -> go.Figure:
    """A value axis that does not start at 0 says so: a break mark (two slanted strokes) across the
    axis's foot and "纵轴从 14,600 起" written in the corner, so a small change on a large stock is not
    read as a large one. Added to the layout's shapes and annotations in one assignment each, as
    fig.add_shape and fig.add_annotation would add them, at a sixth of their cost."""
    layout = fig.layout
    layout.shapes = (*layout.shapes, *(
        dict(type="line", xref="paper", yref="paper", x0=-0.018, x1=0.018, y0=0.005 + lift, y1=0.035 + lift,
             line=dict(color="#555555", width=1.5))
        for lift in (0.0, 0.035)))
    layout.annotations = (*layout.annotations, dict(
        xref="paper", yref="paper", x=0.01, y=0.0, xanchor="left", yanchor="bottom", showarrow=False,
        text=t("axis_starts_at", v=f"{int(start):,}"), font=dict(size=11, color="#555555"),
        bgcolor="rgba(255,255,255,0.85)"))
    return fig
