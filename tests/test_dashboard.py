"""The dashboard on a fixture database (AppTest runs the real scripts against the real file)."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture
def app(tiny_db_path, monkeypatch, navigation_apptest):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_hand_counted_headline(app):
    at = app.run()
    assert not at.exception
    assert metrics(at) == {
        "建档立卡（现有）": "4户10人",
        "未脱贫": "1户2人",
        "已脱贫": "3户8人",
        "贫困发生率": "0.12%",
        "未出列贫困村": "1 / 2个",
    }
    assert any("数据导入于" in caption.value for caption in at.caption)


def test_changing_the_date_and_language_changes_the_figures(app):
    at = app.run()
    at.selectbox(key="as_of_choice").set_value(dt.date(2017, 12, 31)).run()
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception
    assert metrics(at) == {
        "Registered (current)": "5 households, 11 people",
        "Still poor": "3 households, 5 people",
        "Exited": "2 households, 6 people",
        "Poverty incidence": "0.31%",
        "Poor villages not yet exited": "2 of 2",
    }


def test_a_database_built_by_older_code_is_refused_with_instructions(tmp_path, monkeypatch, navigation_apptest):
    import duckdb

    from etl.load import load_package
    from tests.conftest import TINY

    db = tmp_path / "old.duckdb"
    load_package(TINY, db)
    con = duckdb.connect(str(db))
    con.execute("update load_info set tuopin_version = '0.0.1+oldschema'")
    con.close()
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error[0].value.startswith("该数据库由旧版本建立")
    assert len(at.metric) == 0
