"""Every grid of the dashboard is drawn here (`grid`), and a `ui.exports.Table` by `show`: st.dataframe
with number formats from the column kinds (the same kinds the Word and Excel exports use) and a CSV
download of its data under it.

A grid never offers a download of its own. Streamlit's grid toolbar has a "Download as CSV" (and copies
cells to the clipboard) that would go around the audited export button (ui/charts.export_button: the
export permission, the audit log, masked values, formulas neutralised). `client.disableDataExport`
(.streamlit/config.toml) turns it off in the browser; `grid` makes sure it is on before the first grid
of a run is sent, even where the server was started without the repository's config. The data a grid
holds is what the account may see on screen: masked, except the village household list of a role
allowed to unmask (pages/village_exit.py), which then has no download at all.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from ui import charts
from ui.exports import Table
from ui.i18n import t

# sprintf-js formats (st.column_config.NumberColumn): "%,d" groups thousands. Percent columns are shown
# ×100 with "%.2f%%" (Streamlit's own "percent" format drops trailing zeros: 94% instead of 94.00%).
NUMBER_FORMATS = {
    "households": "%,d", "people": "%,d", "count": "%,d", "year": "%d",
    "wan_yuan": "%,.2f", "yuan": "%,.2f", "percent": "%.2f%%",
}
ROW_PX = 35  # st.dataframe's row height
MAX_ROWS_SHOWN = 16  # longer tables scroll


def grid(data, **kwargs):
    """st.dataframe, without the toolbar's download and copy (the option is sent to the browser at the
    start of each run: when it was off, switch it on and run again before any grid is drawn). Empty
    cells read — unless the caller says otherwise. A grid wider than the screen may show is headed by a
    hint that more columns lie to the right (`wide_hint`)."""
    if st.get_option("client.disableDataExport") is not True:
        st.set_option("client.disableDataExport", True)
        st.rerun()
    kwargs.setdefault("placeholder", "—")
    width = estimated_width(data, kwargs.get("column_config"), kwargs.get("column_order"),
                            index=not kwargs.get("hide_index", False))
    if width <= WIDE_STEPS[0]:
        return st.dataframe(data, **kwargs)
    with wide_hint(width, kwargs.get("key"), list(data.columns)):
        return st.dataframe(data, **kwargs)


def editor(data, **kwargs):
    """st.data_editor under the same rule as `grid`: no toolbar download or copy (an editable table of a
    roster's columns and values holds what the file holds)."""
    if st.get_option("client.disableDataExport") is not True:
        st.set_option("client.disableDataExport", True)
        st.rerun()
    return st.data_editor(data, **kwargs)


# A grid scrolls sideways when its columns are wider than the page: the cut-off columns give no sign of
# themselves, so a hint above the grid says so. The server does not know the screen's width; it estimates
# the grid's (text widths as st.dataframe sizes its columns) and puts grid and hint in a container keyed
# by the width rounded up to a step; ui/screen.css hides the hint where that container is at least as
# wide (a container query), so a wide screen showing the whole grid shows no hint.
WIDE_STEPS = (*range(300, 2000, 100), 2000, 2400, 3000)  # ui/screen.css has a rule for each
_COLUMN_MAX_PX, _COLUMN_MIN_PX = 500, 60


def text_px(text: str) -> float:
    """About how wide st.dataframe draws a text (14 px font): a CJK character 14 px, others 7.5 px."""
    return sum(14.0 if ord(c) >= 0x2E80 else 7.5 for c in text)


def estimated_width(data, column_config=None, column_order=None, *, index: bool = False) -> float:
    """The grid's width in pixels as st.dataframe sizes its columns (header or widest of the first
    rows' cells, with padding), a little over rather than under; 0 for data that is not a frame."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        return 0.0
    config = column_config or {}
    columns = [c for c in (column_order or data.columns) if c in data.columns]
    total = 2.0
    for column in columns:
        label = config.get(column, column)
        if isinstance(label, dict):
            if label.get("hidden"):
                continue
            label = label.get("label") or column
        widest = max([text_px("" if v is None else str(v)) for v in data[column].iloc[:100].tolist()], default=0.0)
        total += min(max(text_px(str(label)) + 34, widest + 24, _COLUMN_MIN_PX), _COLUMN_MAX_PX)
    if index:
        total += min(max([text_px(str(v)) + 24 for v in data.index[:100]], default=0.0), _COLUMN_MAX_PX)
    return total * 1.05


def wide_hint(width: float, key: str | None, columns) -> st.delta_generator.DeltaGenerator:
    """A container holding the hint and the grid drawn in it next; the hint hides on screens as wide as
    the grid (ui/screen.css, class st-key-wide<step>_…). Its key is the grid's, or made from the grid's
    columns (numbered when another grid of the run has the same columns), so it stays the same between
    runs."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    step = next((s for s in WIDE_STEPS if s >= width), 99999)  # wider than every rule: the hint stays
    base = f"wide{step}_" + (key if key is not None else
                             "g" + hashlib.sha1("\x1f".join(map(str, columns)).encode()).hexdigest()[:10])
    ctx, name, number = get_script_run_ctx(), base, 1
    while ctx is not None and name in ctx.shared.widget_user_keys_this_run:
        number += 1
        name = f"{base}_{number}"
    container = st.container(key=name)
    with container:
        st.caption(t("wide_table_hint"))
    return container


def column_config(table: Table) -> dict:
    config = {}
    for name, kind in zip(table.frame.columns, table.kinds, strict=True):
        if kind in NUMBER_FORMATS:
            config[name] = st.column_config.NumberColumn(name, format=NUMBER_FORMATS[kind])
        elif kind == "date":
            config[name] = st.column_config.DateColumn(name, format="YYYY-MM-DD")
        else:
            config[name] = st.column_config.TextColumn(name)
    return config


def show(table: Table, *, key: str, file_name: str | None = None) -> None:
    """The table (every row visible up to MAX_ROWS_SHOWN), empty cells as —, and its CSV download (the
    values as they are: ratios stay ratios)."""
    shown = table.frame.copy()
    for name, kind in zip(shown.columns, table.kinds, strict=True):
        if kind == "percent":
            shown[name] = shown[name].astype(float) * 100
    height = (min(len(shown), MAX_ROWS_SHOWN) + 1) * ROW_PX + 3
    grid(shown, hide_index=True, column_config=column_config(table), key=key, height=height, placeholder="—")
    charts.download(table.frame, file_name or table.title, key=f"download_{key}")
