"""The hint over a grid wider than the screen (ui/tables.wide_hint): the grid's width estimated as
st.dataframe sizes its columns, and a rule of ui/screen.css for every width step it may be filed under
(the browser test checks the hint shows exactly where a grid scrolls sideways)."""

from __future__ import annotations

import re

import pandas as pd

from tests.conftest import ROOT
from ui import tables


def test_every_width_step_has_its_rule_in_screen_css():
    css = (ROOT / "ui" / "screen.css").read_text(encoding="utf-8")
    rules = {int(width): int(step) for width, step in re.findall(
        r'@container \(min-width: (\d+)px\) \{ \[class\*="st-key-wide(\d+)_"\] \[data-testid="stCaptionContainer"\] '
        r'\{ display: none; \} \}', css)}
    assert rules == {step: step for step in tables.WIDE_STEPS}


def test_the_estimate_follows_headers_and_cells():
    frame = pd.DataFrame({"乡镇": ["牛坳镇", "古阳乡"], "people": [3894, 100]})
    # 乡镇: header 2×14 + 34 = 62, cells 3×14 + 24 = 66 → 66; people: header 6×7.5 + 34 = 79,
    # cells 4×7.5 + 24 = 54 → 79; (2 + 66 + 79) × 1.05 = 154.35
    assert round(tables.estimated_width(frame), 2) == 154.35
    # a column's label from its config, a hidden column left out, the order followed
    config = {"people": {"label": "现有建档人数"}, "乡镇": {"hidden": True}}
    assert round(tables.estimated_width(frame, config, ["people"]), 2) == round((2 + 6 * 14 + 34) * 1.05, 2)
    # a long text column counts at most 500 px
    wide = pd.DataFrame({"reason": ["x" * 400]})
    assert round(tables.estimated_width(wide), 2) == round((2 + 500) * 1.05, 2)
    assert tables.estimated_width([1, 2, 3]) == 0.0  # not a frame: no hint
