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

import streamlit as st

from ui import charts
from ui.exports import Table

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
    cells read — unless the caller says otherwise."""
    if st.get_option("client.disableDataExport") is not True:
        st.set_option("client.disableDataExport", True)
        st.rerun()
    kwargs.setdefault("placeholder", "—")
    return st.dataframe(data, **kwargs)


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
