"""The workers of one server share their query results through files (ui/result_files.py, switched on by
scripts/serve.py): a result computed by one process is read by another instead of asking DuckDB, for the
same generation, query, parameters and scope only; personal data never goes to a file; a newer
generation removes the older one's files; a damaged file is computed again."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat

import pandas as pd
import pytest

from queries import Database, Scope
from ui import data, result_files

COUNTY, JIA = "430101000000", "430101100000"
END_2019 = dt.date(2019, 12, 31)


@pytest.fixture
def shared(tmp_path, monkeypatch, tiny_db_path):
    """The tiny county in a folder of its own, served with result files switched on."""
    db = tmp_path / "tuopin.duckdb"
    shutil.copy(tiny_db_path, db)
    monkeypatch.setenv("TUOPIN_DB", str(db))
    monkeypatch.setenv(result_files.ENV, "1")
    data.clear_shared_results()
    data._FILES.clear()
    yield db
    data.clear_shared_results()
    data._FILES.clear()


def another_process() -> None:
    """What a second worker has: none of this process's results in memory."""
    data.clear_shared_results()
    data._FILES.clear()


def files(db) -> list:
    return sorted((db.parent / data.SERVING_DIR).glob(f"{result_files.PREFIX}*/*.pickle"))


def no_duckdb(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("asked DuckDB for a result another worker had written")

    monkeypatch.setattr(Database, "query", refuse)


def test_a_result_one_worker_computed_is_read_by_another(shared, monkeypatch):
    first = data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    assert first.households_registered.iloc[0] == 4 and first.people_registered.iloc[0] == 10
    written = files(shared)
    assert len(written) == 1
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(written[0].parent.stat().st_mode) == 0o700
    another_process()
    no_duckdb(monkeypatch)
    again = data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    pd.testing.assert_frame_equal(again, first)


def test_each_scope_and_parameter_has_its_own_file(shared, monkeypatch):
    # tests/fixtures/tiny/EXPECTED.md at 2019-12-31: the county 4户10人, 甲乡 3户8人
    county = data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    township = data.run("registry_summary", {"as_of": END_2019}, Scope(JIA))
    earlier = data.run("registry_summary", {"as_of": dt.date(2014, 12, 31)}, Scope(COUNTY))
    assert len(files(shared)) == 3
    another_process()
    no_duckdb(monkeypatch)
    assert data.run("registry_summary", {"as_of": END_2019}, Scope(JIA)).people_registered.iloc[0] == 8
    pd.testing.assert_frame_equal(data.run("registry_summary", {"as_of": END_2019}, Scope(JIA)), township)
    pd.testing.assert_frame_equal(data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY)), county)
    pd.testing.assert_frame_equal(data.run("registry_summary", {"as_of": dt.date(2014, 12, 31)}, Scope(COUNTY)),
                                  earlier)


def test_personal_data_never_goes_to_a_file(shared):
    unmasked = Scope(COUNTY, personal=True)
    data.run("registry_summary", {"as_of": END_2019}, unmasked)  # a scope that sees names: nothing shared
    identities = data.run("household_identities", {"village": "430101100001"}, unmasked)  # a personal query
    assert len(identities) > 0
    data.run("household_identities", {"village": "430101100001"}, None)  # unscoped (the CLI's way): not either
    assert files(shared) == []
    data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))  # the masked scope's result is shared
    assert len(files(shared)) == 1


def test_only_plain_parameters_name_a_file(tmp_path):
    shared = result_files.ResultFiles(tmp_path / "results")
    assert shared.path("q", (("as_of", END_2019), ("townships", ("甲乡", None))), Scope(COUNTY)) is not None
    assert shared.path("q", (("as_of", pd.Timestamp(END_2019)),), Scope(COUNTY)) is None  # a subclass of datetime
    assert shared.path("q", (("n", __import__("numpy").int64(3)),), None) is None
    assert shared.path("q", (("as_of", END_2019),), Scope(COUNTY, personal=True)) is None
    assert (shared.path("q", (("as_of", END_2019),), Scope(COUNTY))
            != shared.path("q", (("as_of", END_2019),), Scope(JIA))
            != shared.path("q", (("as_of", dt.date(2019, 12, 30)),), Scope(JIA)))


def test_a_damaged_file_is_computed_again(shared):
    first = data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    (written,) = files(shared)
    written.write_bytes(b"not a pickle")
    another_process()
    again = data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    pd.testing.assert_frame_equal(again, first)
    assert files(shared) == [written] and written.read_bytes() != b"not a pickle"  # written anew


def test_a_new_generation_removes_the_older_ones_files(shared, tiny_db_path):
    data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    (old,) = files(shared)
    replacement = shared.with_name("replacement.duckdb")  # an import swaps a new file in (a new inode)
    shutil.copy(tiny_db_path, replacement)
    os.replace(replacement, shared)
    data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    (new,) = files(shared)
    assert not old.parent.exists() and new.parent != old.parent


def test_off_unless_the_server_switches_it_on(shared, monkeypatch):
    monkeypatch.delenv(result_files.ENV)
    data.run("registry_summary", {"as_of": END_2019}, Scope(COUNTY))
    assert files(shared) == []


def test_serve_switches_it_on_for_its_workers():
    from scripts import serve

    assert serve.SHARED_RESULT_FILES == result_files.ENV
