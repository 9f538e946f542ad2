"""Query results are shared by every session of a server process (ui/data.SharedResults), keyed by
the database generation, the query and the values it runs with under the session's scope: two
scopes asking for different regions never see each other's rows, two asking for the same region
share them, a region outside a scope is refused before any lookup, and a personal-data result never
reaches a masked scope."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from streamlit.testing.v1 import AppTest

from queries import REGION_PARAMS, Scope, ScopeError, catalog
from tests.conftest import ROOT
from tests.support import navigation_apptest_patch, signed_in
from ui import data

COUNTY, JIA, YI = "430101000000", "430101100000", "430101200000"
END_2019 = dt.date(2019, 12, 31)


@pytest.fixture
def tiny_served(tmp_path, monkeypatch, tiny_db_path):
    monkeypatch.setenv("TUOPIN_DB", str(tiny_db_path))
    monkeypatch.setenv("TUOPIN_ACCOUNTS", str(tmp_path / "accounts.sqlite"))
    data.clear_shared_results()
    with navigation_apptest_patch():
        yield
    data.clear_shared_results()


def registered(scope: Scope):
    frame = data.run("registry_summary", {"as_of": END_2019}, scope)
    return f"{frame.households_registered.iloc[0]}户{frame.people_registered.iloc[0]}人"


def test_two_scopes_asking_the_same_query_get_their_own_rows(tiny_served):
    # tests/fixtures/tiny/EXPECTED.md at 2019-12-31: the county 4户10人, 甲乡 3户8人 (H1 4, H2 1, H5 3), 乙镇 1户2人
    for _ in range(2):  # the second round is served from the shared results
        assert registered(Scope(COUNTY)) == "4户10人"
        assert registered(Scope(JIA)) == "3户8人"
        assert registered(Scope(YI)) == "1户2人"
    shared = data.shared_results()
    assert (shared.misses, shared.hits) == (3, 3)


def test_a_leader_and_the_townships_own_account_share_the_townships_rows(tiny_served):
    county, jia = Scope(COUNTY), Scope(JIA)
    leader = data.run("registry_summary", {"as_of": END_2019, "region": JIA}, county)  # the leader picks 甲乡
    own = data.run("registry_summary", {"as_of": END_2019}, jia)  # 甲乡's staff: their scope, no region named
    assert (leader.households_registered.iloc[0], leader.people_registered.iloc[0]) == (3, 8)
    assert own.equals(leader)
    shared = data.shared_results()
    assert (shared.misses, shared.hits) == (1, 1)
    # 乙镇's account asking for 甲乡 is refused, though 甲乡's rows are there to be handed out
    with pytest.raises(ScopeError):
        data.run("registry_summary", {"as_of": END_2019, "region": JIA}, Scope(YI))
    assert (shared.misses, shared.hits) == (1, 1)


def test_what_a_query_reads_takes_its_region_from_the_reading_query():
    """Why a scope's region is all of the scope a result depends on: a query read by another runs with
    the reader's region (already the scope's, or checked against it), never with one of its own that the
    scope would fill in (queries/__init__.py, _composed)."""
    queries = catalog()
    reads = [(query, read) for query in queries.values() for read in query.reads]
    assert len(reads) >= 10
    for query, read in reads:
        source = queries[read.name]
        fed = read.params(source, query)
        for name in (p.name for p in source.params if p.name in REGION_PARAMS):
            if name == "region":  # filled with the scope's when empty: must come from the reader's region
                assert fed.get(name) == "region", (query.name, read.name)
            else:  # a village named by the reader, or none (every village of the region)
                assert fed.get(name) in (None, "village"), (query.name, read.name)


def test_a_personal_result_is_never_served_to_a_masked_scope(tiny_served):
    village = "430101100001"  # 一村: H1 赵大山, H2 钱二妹, H3 孙老汉 (tests/fixtures/tiny/贫困户.csv)
    unmasked = data.run("household_identities", {"village": village}, Scope(COUNTY, personal=True))
    assert sorted(unmasked.head_name) == sorted(["赵大山", "钱二妹", "孙老汉"])
    with pytest.raises(ScopeError):  # the same query and parameters, a scope that may not unmask
        data.run("household_identities", {"village": village}, Scope(COUNTY, personal=False))


def test_a_session_changing_its_copy_leaves_the_shared_result_alone(tiny_served):
    first = data.run("regions", {}, Scope(COUNTY))
    first.loc[first.index[0], "name"] = "改过"
    first["extra"] = 1
    again = data.run("regions", {}, Scope(COUNTY))
    assert again.name.iloc[0] == "小试县" and "extra" not in again.columns


def test_one_computation_per_key_however_many_sessions_ask_at_once(tiny_served):
    calls, started = [], threading.Event()

    def slow():
        calls.append(1)
        started.wait(5)
        return data.run("regions", {}, None)

    shared, results = data.SharedResults(), []
    threads = [threading.Thread(target=lambda: results.append(shared.get(("v", "q", (), None), slow)))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and len(results) == 6 and all(len(r) == 6 for r in results)


def test_older_generations_are_dropped(tiny_served):
    shared = data.SharedResults(generations=2)
    frame = data.run("regions", {}, None)
    for version in ("g1", "g2", "g3"):
        shared.get((version, "regions", (), None), lambda: frame)
    assert len(shared) == 2
    shared.get(("g1", "regions", (), None), lambda: frame)  # a run still pinned to an old generation
    assert len(shared) == 2  # answered, but not kept


def test_the_results_kept_stay_within_their_memory_budget(tiny_served):
    regions = data.run("regions", {}, None)  # 6 rows
    size = int(regions.memory_usage(index=True).sum())
    shared = data.SharedResults(max_bytes=3 * size)
    for n in range(5):
        shared.get(("g1", "regions", (("n", n),), None), lambda: regions)
    assert len(shared) == 3 and shared.bytes == 3 * size  # the two least recently used went
    assert shared.get(("g1", "regions", (("n", 4),), None), lambda: regions[:0]).equals(regions)  # still kept


def overview(username: str, scope: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["as_of"] = END_2019.isoformat()
    return signed_in(at, role="leader" if scope == COUNTY else "township", scope=scope, username=username)


def tiles(at: AppTest) -> dict[str, str]:
    assert not at.exception
    return {m.label: m.value for m in at.metric}


def test_sessions_of_a_county_and_a_township_account_alternate_on_one_server(tiny_served):
    """Two sessions in one process (as on one server), run alternately: each sees its own scope's
    figures and regions, though the second is served from the results the first left."""
    county, jia = overview("lead", COUNTY), overview("jia", JIA)
    for _ in range(2):
        county.run()
        assert tiles(county)["建档立卡（现有）"] == "4户10人"
        assert set(county.selectbox(key="pick_1").options) == {"全部乡镇", "甲乡", "乙镇"}
        jia.run()
        assert tiles(jia)["建档立卡（现有）"] == "3户8人"
        assert set(jia.selectbox(key="pick_1").options) == {"全部村", "一村", "二村"}  # not 乙镇's 三村
    assert data.shared_results().hits > 0


def test_a_query_bound_for_later_keeps_its_scope_in_another_thread(tiny_served):
    """A download made when clicked (ui/data.bound) runs outside the script run, on a server thread: it
    reads under the scope it was bound with and shares the results; household lists are refused."""
    from ui import scoped

    later = data.bound(Scope(JIA))
    results = []
    worker = threading.Thread(target=lambda: results.append(later("registry_summary", as_of=END_2019)))
    worker.start()
    worker.join()
    assert (results[0].households_registered.iloc[0], results[0].people_registered.iloc[0]) == (3, 8)
    assert registered(Scope(JIA)) == "3户8人" and data.shared_results().hits == 1  # the same result, shared
    with pytest.raises(ValueError, match="lists households"):  # their audit belongs to the run showing them
        scoped.later()("village_households", village="430101100001", as_of=END_2019)
