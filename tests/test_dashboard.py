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


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_overview_shows_hand_counted_headline(app):
    # Default view: the county at the last quarter end the data reaches (2019-12-20 → 2019-12-31).
    # EXPECTED.md, 2019-12-31: registered 4户10人, still poor 1户2人 (H6), incidence 2/1630 = 0.12%.
    # 2019-09-30 (previous quarter end): H2 exits that very day, so the same 4户10人 and 1户2人.
    # Exited in 2019: H2 (2019-09-30; 1人 — P6 left on 2018-12-01) against the 2019 plan 1户2人:
    # completion by people 1/2 = 50.00%.
    at = app.run()
    assert not at.exception
    shown = metrics(at)
    assert shown["建档立卡（现有）"] == ("4户10人", "0户0人（较2019-09-30）")
    assert shown["未脱贫"] == ("1户2人", "0户0人（较2019-09-30）")
    assert shown["2019年脱贫"] == ("1户1人", "计划1户2人，完成50.00%")
    assert shown["贫困发生率"] == ("0.12%", "0.00pp（较2019-09-30）")
    assert shown["本年数据勾稽"][0] == "已平衡 ✓"
    assert any("数据导入于" in caption.value for caption in at.caption)
    assert any("贫困村未出列 1 个（共 2 个）" in caption.value for caption in at.caption)


def test_changing_the_date_region_and_language_changes_the_figures(app):
    # 2018-12-31 (EXPECTED.md): 4户9人 registered, 2户3人 still poor, incidence 3/1620 = 0.19%.
    # 2018-09-30: H1 4人, H2 2人 (returned 06-01, P6 leaves 12-01), H5 2人 (exits 12-01), H6 2人:
    # 4户10人 registered, 3户6人 still poor, incidence 6/1620 = 0.37% → change −0.19pp.
    # Exited in 2018: H5 1户2人 against the county plan 2户4人 = 50.00%.
    # English from the link (AppTest keeps a selectbox's value as its shown label, so switching the
    # language after a run re-words labels it then cannot find; the browser test switches it live)
    app.query_params["lang"] = "en"
    at = app.run()
    at.selectbox(key="as_of_choice").set_value(dt.date(2018, 12, 31)).run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Registered (current)"] == ("4 households, 9 people", "0 households, -1 person since 2018-09-30")
    assert shown["Still poor"] == ("2 households, 3 people", "-1 household, -3 people since 2018-09-30")
    assert shown["Exited in 2018"] == ("1 household, 2 people", "plan 2 households, 4 people, 50.00% done")
    assert shown["Poverty incidence"] == ("0.19%", "-0.19pp since 2018-09-30")
    assert at.query_params["as_of"] == "2018-12-31" and at.query_params["lang"] == "en"

    # 甲乡 alone (一村 and 二村) at 2018-12-31: H1 4人 (exited), H2 1人 (poor again; P6 left 12-01),
    # H5 2人 (二村, exited 12-01); H3 and H4 are gone → 3户7人 registered, 1户1人 still poor (H2).
    # Exited in 甲乡 in 2018: H5 1户2人 against 甲乡's own 2018 plan 2户4人 = 50.00%.
    at.selectbox(key="pick_1").set_value("430101100000").run()
    shown = metrics(at)
    assert shown["Registered (current)"][0] == "3 households, 7 people"
    assert shown["Still poor"][0] == "1 household, 1 person"
    assert shown["Exited in 2018"] == ("1 household, 2 people", "plan 2 households, 4 people, 50.00% done")
    assert at.query_params["region"] == "430101100000"


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


def test_the_first_start_removes_what_a_killed_import_left(tiny_db_path, tmp_path, monkeypatch, navigation_apptest):
    import shutil

    db = tmp_path / "tuopin.duckdb"
    shutil.copy(tiny_db_path, db)
    stale = tmp_path / ".tuopin-load-4194303-killed"  # no such process (above the default pid_max)
    (stale / "spill").mkdir(parents=True)
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert not stale.exists()


def test_first_start_builds_the_demo_then_opens_the_overview_without_the_notices(tmp_path, monkeypatch,
                                                                                  navigation_apptest):
    """No database at the default path: the first run builds the demo on a screen of its own (progress
    shown), then runs again — the overview with its figures, a toast saying the database was built, and
    neither the build notice nor the pages/ file names left on screen."""
    from etl import service
    from ui import data

    monkeypatch.delenv("TUOPIN_DB", raising=False)
    default = tmp_path / "data" / "tuopin.duckdb"
    monkeypatch.setattr(data, "DEFAULT_DB", default)
    steps = []
    build = service.build_demo

    def watched(db_path, may_build, progress):  # the real build, its progress calls recorded on the way
        build(db_path, may_build, lambda fraction, message: (steps.append(fraction), progress(fraction, message)))

    monkeypatch.setattr(service, "build_demo", watched)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
    assert not at.exception
    assert default.exists() and service.is_demo_package(service.inspect(default).package)
    assert steps and steps == sorted(steps) and steps[-1] >= 0.99  # the bar moved forward to the end
    assert [toast.value for toast in at.toast] == ["数据库已建立"]
    assert "建档立卡（现有）" in metrics(at)  # the overview, in the same session
    assert not [i.value for i in at.info if "正在生成演示数据" in i.value]  # the build notice is gone
    assert len(at.get("progress")) == 0


def test_no_page_ends_without_its_footer():
    """A page that ends early ends through state.stop_page, which draws the footer (when and from which
    package the data was loaded) first: a bare st.stop() would leave the view without it."""
    import ast

    bare = [f"{path.name}:{node.lineno}" for path in sorted((ROOT / "pages").glob("*.py"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "stop"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"]
    assert bare == []
