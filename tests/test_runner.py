"""The query runner: parameters bound and checked, allow-lists enforced, the CLI prints rows."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from queries import QueryError, catalog, macros_for, used_params
from tests.conftest import ROOT


def test_every_query_declares_exactly_the_params_it_uses():
    for query in catalog().values():
        assert {p.name for p in query.params} == used_params(query), query.name
        assert query.definition and query.grain, query.name


def test_unknown_parameter_and_bad_values_are_refused(tiny):
    with pytest.raises(QueryError, match="has no parameter"):
        tiny.query("registry_summary", as_off="2019-12-31")
    with pytest.raises(QueryError, match="invalid value for as_of"):
        tiny.query("registry_summary", as_of="2019-02-30")
    with pytest.raises(QueryError, match="no query named"):
        tiny.query("registry_summary; drop table regions")


def test_values_are_bound_not_spliced(tiny):
    hostile = "430101000000' or '1'='1"
    frame = tiny.query("registry_summary", as_of="2019-12-31", region=hostile)
    assert len(frame) == 0  # no region has that code; nothing was interpreted as SQL


def test_region_filter_and_empty_region_means_top(tiny):
    top = tiny.query("registry_summary", as_of="2019-12-31", region="").iloc[0]
    assert (top.region_code, top.households_registered, top.people_registered) == ("430101000000", 4, 10)
    village = tiny.query("registry_summary", as_of="2018-12-31", region="430101100001").iloc[0]
    # 一村 at 2018-12-31: H1 (4 people, exited), H2 (1 person after P6 left, poor again)
    assert (village.households_registered, village.people_registered, village.people_poor) == (2, 5, 1)
    assert village.incidence == pytest.approx(1 / 520)


def cli(*args, db):
    result = subprocess.run([sys.executable, "-m", "queries", *args, "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    return result


def test_cli_prints_rows_as_json_and_lists_the_catalog(tiny_db_path):
    result = cli("registry_summary", "--as_of", "2017-12-31", "--format", "json", db=tiny_db_path)
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert (row["households_poor"], row["people_poor"], row["households_exited"], row["people_exited"]) == (3, 5, 2, 6)
    listing = cli("--list", db=tiny_db_path)
    assert listing.returncode == 0
    for name in catalog():
        assert f"\n{name}\n" in "\n" + listing.stdout


def test_cli_reports_a_bad_parameter(tiny_db_path):
    result = cli("registry_summary", "--as_of", "yesterday", db=tiny_db_path)
    assert result.returncode == 2
    assert "invalid value for as_of" in result.stderr and "参数 as_of 的值无效" in result.stderr


def test_readme_documents_every_query():
    """README carries the catalog generated from the SQL headers, so it cannot fall behind."""
    from queries.__main__ import catalog_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("-->", readme.index("<!-- catalog")) + 3
    section = readme[start:readme.index("<!-- /catalog -->")].strip()
    assert section == catalog_markdown(), "README catalog is stale: run python scripts/update_readme_catalog.py"
    for name in catalog():
        assert f"`{name}`" in section


def test_a_query_defines_the_macros_it_calls_those_they_call_and_those_of_the_queries_it_reads():
    def defined(name):
        return re.findall(r"macro (\w+)", macros_for(catalog()[name]))

    # view_params calls region_in_view, which calls package_root; area_in_view calls area_under
    assert defined("monitoring_summary") == ["package_root", "region_in_view", "area_under", "view_params",
                                             "area_in_view", "monitoring_state_at"]
    # registry_by_category calls no macro itself: registry_by, which it reads, does
    assert defined("registry_by_category") == ["package_root", "region_in_view", "area_under", "view_params",
                                               "area_in_view", "registry_at"]
    assert defined("load_info") == []
