"""Data and link values are shown as plain text on every page (tests/hostile.py: region, project and
department names, the leading industry and a household head carry markdown links and images, raw HTML,
`javascript:` links, bare URLs and a spreadsheet formula), and no grid offers a download of its own.

Every element of every page, at the county, a township and a village, is walked: any text Streamlit
renders as markdown (bodies, titles, captions, alerts, metric labels and values, widget labels and help,
button and link labels, radio and pill options) must hold the hostile values only escaped; plotly
figures (whose text reads HTML tags: hover, axis ticks, legend) only with < > & escaped. Selectbox and
multiselect options are plain text in the browser (tests/test_browser.py checks the real DOM).
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.hostile import FORMULA, NAMES, OUTSIDE, make_hostile_package
from ui.navigation import PAGE_NAMES

COUNTY, JIA, YICUN = "430101000000", "430101100000", "430101100001"
PAGES = PAGE_NAMES  # every page of the navigation, a new one included

# unescaped markup from the data, in text Streamlit renders as markdown
MARKDOWN_LIVE = re.compile(
    r"\]\(|!\[|(?<!\\)<\s*/?\s*(a|img|script|b)\b|(?<!\\):red\[|\*\*粗\*\*|javascript:|https?://|www\." + re.escape(OUTSIDE),
    re.IGNORECASE)
# a tag from the data in plotly text (the figures' own <b> and <br> are fine)
PLOTLY_LIVE = re.compile(r"<\s*(a|img|script)\b|<b>农业局", re.IGNORECASE)
# fields holding plain text (not markdown) in these element types
PLAIN_FIELDS = {("selectbox", "options"), ("multiselect", "options"), ("selectbox", "raw_value"),
                ("multiselect", "raw_values"), ("text_input", "value"), ("date_input", "value")}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    from etl.load import load_package

    folder = tmp_path_factory.mktemp("hostile")
    package = make_hostile_package(folder / "package")
    load_package(package, folder / "hostile.duckdb")
    return folder / "hostile.duckdb"


def elements(node):
    """Every element under a node of AppTest's tree, with its type."""
    children = getattr(node, "children", None)
    if children is not None:
        if getattr(node, "proto", None) is not None:  # a block: tabs and expanders carry a label
            yield type(node).__name__.lower(), node.proto
        for child in children.values():
            yield from elements(child)
    elif getattr(node, "proto", None) is not None:
        yield getattr(node, "type", type(node).__name__), node.proto


def strings(message, kind: str, path: str = ""):
    """Every string of a proto message with its field path (bytes skipped: arrow data)."""
    for field, value in message.ListFields():
        if field.type == field.TYPE_BYTES:
            continue
        repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
        values = value if repeated else [value]
        for item in values:
            if field.type == field.TYPE_MESSAGE:
                yield from strings(item, kind, path + field.name + ".")
            elif field.type == field.TYPE_STRING and (kind, field.name) not in PLAIN_FIELDS:
                yield path + field.name, item


def live_markup(at) -> list[tuple[str, str, str]]:
    """(element type, field, text) of every text showing data markup unescaped."""
    found = []
    for kind, proto in elements(at._tree):
        if kind in ("arrow_data_frame", "arrow_table", "dataframe", "table"):
            continue  # cells are plain text in the grid
        if kind == "plotly_chart":
            spec = json.loads(proto.spec) if proto.spec else {}
            for trace in spec.get("data", []):  # a map's names: MapLibre draws them as plain text, tags and all
                if trace.get("type") == "scattermap":
                    trace.pop("text", None)
            text = json.dumps(spec, ensure_ascii=False)
            if PLOTLY_LIVE.search(text):
                found.append((kind, "spec", PLOTLY_LIVE.search(text).group(0)))
            continue
        if kind == "html":  # the dashboard's own static CSS
            continue
        for field, text in strings(proto, kind):
            if MARKDOWN_LIVE.search(text):
                found.append((kind, field, text))
    return found


def open_page(db, monkeypatch, page: str, region: str | None = None, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    if region:
        at.query_params["region"] = region
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_hostile_names_as_plain_text(hostile_db, monkeypatch, navigation_apptest, page):
    for region in (COUNTY, JIA, YICUN):
        at = open_page(hostile_db, monkeypatch, page, region)
        assert at.query_params["region"] == region
        assert live_markup(at) == [], (page, region)
        if page == "map":  # every metric: its hover, legend, title and notes
            for metric in ("people_poor", "exit", "spending"):
                at.button_group(key="map_metric").set_value(metric).run()
                assert not at.exception
                assert live_markup(at) == [], (page, region, metric)
        if page == "funds" and region == COUNTY:  # the money by township: the names on the axis and hover
            at.button_group(key="funds_dimension").set_value("township").run()
            assert not at.exception
            specs = [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]
            assert any('甲乡&lt;a href=\\"http://evil.example/a\\"&gt;' in spec for spec in specs)  # escaped
            assert live_markup(at) == [], (page, region)


def test_the_hostile_names_are_shown_as_their_own_text(hostile_db, monkeypatch, navigation_apptest):
    """Escaped, not dropped: the village profile's subheader reads the names themselves."""
    at = open_page(hostile_db, monkeypatch, "village_exit", YICUN)
    shown = [re.sub(r"\\(.)", r"\1", h.value).replace("\u2060", "") for h in at.subheader]  # joiners: ui/plain.md
    assert any(NAMES[YICUN] in text and NAMES[JIA] in text for text in shown)
    at = open_page(hostile_db, monkeypatch, "map", COUNTY)
    [chart] = at.get("plotly_chart")
    hover = [h for trace in json.loads(chart.proto.spec)["data"] for h in trace.get("hovertext") or []]
    assert any("甲乡&lt;a href=\"http://evil.example/a\"&gt;点此&lt;/a&gt;" in h for h in hover), hover
    # the names drawn on the areas: as they are (MapLibre shows text as text; escaped, it would show "&lt;")
    labels = [label for trace in json.loads(chart.proto.spec)["data"] if trace["type"] == "scattermap"
              for label in trace["text"]]
    assert NAMES[JIA] in labels and not any("&lt;" in label for label in labels), labels


def test_the_unmasked_household_list_shows_plain_text(hostile_db, monkeypatch, navigation_apptest):
    at = open_page(hostile_db, monkeypatch, "village_exit", YICUN)
    at.toggle(key=f"ve_unmask_{YICUN}").set_value(True).run()
    assert not at.exception
    assert FORMULA in at.dataframe[-1].value.to_string()  # the admin's screen: the name as it is
    assert live_markup(at) == []


def test_link_values_are_refused_without_being_echoed(hostile_db, monkeypatch, navigation_apptest):
    hostile = f"**x** [重新登录](http://{OUTSIDE}/login) ![t](http://{OUTSIDE}/t.png)"
    monkeypatch.setenv("TUOPIN_DB", str(hostile_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for name in ("rules", "region", "as_of", "lang"):
        at.query_params[name] = hostile
    at.run()  # the overview (the default page) with the refusals, once
    assert not at.exception
    assert live_markup(at) == []
    warnings = " ".join(w.value for w in at.warning)
    assert "重新登录" not in warnings and OUTSIDE not in warnings
    for name in ("rules", "region", "as_of", "lang"):
        assert name in warnings  # the parameter is named, its value is not repeated
    assert at.query_params["rules"] == "hunan" and at.query_params["lang"] == "zh"
    assert at.query_params["region"] == COUNTY


@pytest.mark.parametrize("as_of", ["1900-01-01", "2999-12-31", "2019-02-30", "<b>x</b>"])
def test_a_link_date_outside_the_pickers_range_is_refused(hostile_db, monkeypatch, navigation_apptest, as_of):
    monkeypatch.setenv("TUOPIN_DB", str(hostile_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["as_of"] = as_of
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["链接参数 as_of 的值无效，已使用默认值。"]
    assert at.query_params["as_of"] == "2019-12-31"  # the data's last quarter end


def test_an_unknown_page_in_the_link_is_ignored(hostile_db, monkeypatch, navigation_apptest):
    at = open_page(hostile_db, monkeypatch, "overview", None, {"page": f"[x](http://{OUTSIDE})"})
    assert live_markup(at) == [] and "page" not in at.query_params


# ---- grid downloads ---------------------------------------------------------------------------


def test_every_grid_goes_through_the_table_helper():
    """ui/tables.py is the one place a grid is drawn (and its toolbar download is refused)."""
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"),
                                                              ROOT / "dashboard.py"]
                 if path.name != "tables.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\bst\.(dataframe|data_editor)\(", line)]
    assert offenders == []


def test_every_download_goes_through_the_audited_export_button():
    """ui/charts.export_button: the export permission and the audit log, for every file."""
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"),
                                                              ROOT / "dashboard.py"]
                 if path.name != "charts.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\bst\.download_button\(", line)]
    assert offenders == []


def test_grids_never_offer_their_own_download(hostile_db, monkeypatch, navigation_apptest):
    import streamlit as st

    at = open_page(hostile_db, monkeypatch, "village_exit", YICUN)
    assert at.dataframe  # the village's grids were drawn ...
    assert st.get_option("client.disableDataExport") is True  # ... with the toolbar's CSV and copy off


def test_a_server_started_without_the_config_still_offers_no_grid_download(hostile_db, monkeypatch,
                                                                          navigation_apptest):
    """ui/tables.grid switches the option on (and runs again, so the browser is told) before a grid."""
    from streamlit import config

    monkeypatch.setattr(config, "_config_options", None)  # config read afresh, then forced off
    config.get_config_options(force_reparse=True)
    config.set_option("client.disableDataExport", False)
    at = open_page(hostile_db, monkeypatch, "village_exit", YICUN)
    assert at.dataframe
    assert config.get_option("client.disableDataExport") is True


def test_the_audited_csv_neutralises_formulas_in_cells_and_headers():
    from ui.charts import csv_bytes

    frame = pd.DataFrame({FORMULA: [FORMULA, "+1+2", "-3", "@SUM(A1)", "一村"], "n": [1, 2, 3, 4, 5]})
    read = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", dtype=str)
    assert list(read.columns) == ["'" + FORMULA, "n"]
    assert list(read.iloc[:, 0]) == ["'" + FORMULA, "'+1+2", "-3", "'@SUM(A1)", "一村"]


def test_an_archived_report_of_a_hostile_region_with_a_hostile_note_stays_plain_text(hostile_db, monkeypatch,
                                                                                    navigation_apptest, tmp_path):
    """已报送存档 (pages/archive.py): the region's name, the report's title and the note typed when it was
    saved are data, shown as text in the list, the picker, the title and the captions."""
    import datetime as dt

    from access.archive import Archive
    from queries import Database
    from ui import archive as archives
    from ui import report as reports

    archive = Archive(tmp_path / "hostile.archive.sqlite")
    with Database(hostile_db) as db:
        report = reports.build_report(db, dt.date(2019, 12, 31), JIA, "hunan", "zh")
        number = archives.save(archive, db, report, as_of=dt.date(2019, 12, 31), region=JIA, rules="hunan",
                               language="zh", saved_by="tester", saved_role="admin", recipient="other",
                               note=NAMES[JIA])
    monkeypatch.setenv("TUOPIN_ARCHIVE", str(archive.path))
    at = open_page(hostile_db, monkeypatch, "archive", COUNTY, {"archive": str(number)})
    assert at.selectbox(key="arc_pick").value == number
    assert NAMES[JIA] in at.selectbox(key="arc_pick").options[0]  # an option is plain text
    assert live_markup(at) == []
