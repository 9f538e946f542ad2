"""The house chart style (ui/charts.style): the house font, colours, margins and horizontal legend over any
figure, merged with what the page set itself, as plotly's update_layout would merge them."""

from __future__ import annotations

import plotly.graph_objects as go

from ui import charts


def figure() -> go.Figure:
    return go.Figure([go.Bar(x=["2019", "2020"], y=[1, 2], name="甲"), go.Scatter(x=["2019", "2020"], y=[1, 2])])


def test_the_house_style_is_applied():
    layout = charts.style(figure(), height=340).to_dict()["layout"]
    assert layout["font"] == {"family": charts.FONT_FAMILY}
    assert layout["colorway"] == charts.SEQUENCE
    assert layout["margin"] == {"l": 10, "r": 10, "t": 40, "b": 10}
    assert layout["legend"] == {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0}
    assert (layout["separators"], layout["height"]) == (".,", 340)
    assert "height" not in charts.style(figure()).to_dict()["layout"]


def test_the_page_settings_that_the_house_style_does_not_name_stay():
    fig = figure().update_layout(margin=dict(pad=3, t=5), legend=dict(title_text="图例", orientation="v"),
                                 font=dict(size=13, color="#333333"), height=200)
    layout = charts.style(fig).to_dict()["layout"]
    assert layout["font"] == {"family": charts.FONT_FAMILY, "size": 13, "color": "#333333"}
    assert layout["margin"] == {"pad": 3, "l": 10, "r": 10, "t": 40, "b": 10}  # the house top margin wins
    assert layout["legend"]["title"] == {"text": "图例"} and layout["legend"]["orientation"] == "h"
    assert layout["height"] == 200  # no height asked for: the page's stays
    # exactly what update_layout with the same values makes
    expected = figure().update_layout(margin=dict(pad=3, t=5), legend=dict(title_text="图例", orientation="v"),
                                      font=dict(size=13, color="#333333"), height=200)
    expected.update_layout(font_family=charts.FONT_FAMILY, colorway=charts.SEQUENCE, margin=charts.HOUSE_MARGIN,
                           legend=charts.HOUSE_LEGEND, separators=".,")
    assert layout == expected.to_dict()["layout"]


def test_a_column_becomes_a_plain_list_for_a_trace():
    import datetime as dt

    import pandas as pd

    assert charts.values(pd.Series([1, 2], dtype="int64")) == [1.0, 2.0]
    with_gap = charts.values(pd.Series([1, None], dtype="Int64"))  # a year without a plan: a gap, not an error
    assert with_gap[0] == 1.0 and with_gap[1] != with_gap[1]  # NaN
    assert charts.values(pd.Series([0.5, float("nan")]))[0] == 0.5
    assert charts.values(pd.Series(["甲乡", "<b>"])) == ["甲乡", "<b>"]
    days = charts.values(pd.Series(pd.to_datetime(["2020-03-31", "2020-06-30"])))
    assert [day.date() for day in days] == [dt.date(2020, 3, 31), dt.date(2020, 6, 30)]
    assert charts.values(pd.Series([True, False])) == [True, False]
    # a figure built from them serialises the gap as null, as plotly.js draws a gap
    fig = go.Figure(go.Scatter(x=["2019", "2020"], y=with_gap))
    assert fig.to_plotly_json()["data"][0]["y"][0] == 1.0
    assert '"y":[1.0,null]' in fig.to_json().replace(" ", "")


def test_an_axis_break_adds_what_add_shape_and_add_annotation_would():
    from ui.i18n import t

    fig = figure()
    fig.add_hline(y=1.5)  # a shape of the page's own stays first
    expected = go.Figure(fig)
    for lift in (0.0, 0.035):
        expected.add_shape(type="line", xref="paper", yref="paper", x0=-0.018, x1=0.018, y0=0.005 + lift,
                           y1=0.035 + lift, line=dict(color="#555555", width=1.5))
    expected.add_annotation(xref="paper", yref="paper", x=0.01, y=0.0, xanchor="left", yanchor="bottom",
                            showarrow=False, text=t("axis_starts_at", v="14,600"),
                            font=dict(size=11, color="#555555"), bgcolor="rgba(255,255,255,0.85)")
    layout = charts.axis_break(fig, 14600.4).to_dict()["layout"]
    assert layout == expected.to_dict()["layout"]
    assert len(layout["shapes"]) == 3 and "14,600" in layout["annotations"][0]["text"]
