"""Database.query runs on pooled cursors (every shared macro defined once; the queries a query reads
inlined as common table expressions of one statement): the same rows as a fresh cursor, and nothing
of one query left for the next."""

import pandas as pd

from queries import run_query


def test_pooled_cursor_gives_the_rows_of_a_fresh_cursor_and_keeps_no_read_tables(tiny):
    params = {"as_of": "2018-12-31", "previous": "2018-09-30"}
    fresh = run_query(tiny.connection, "registry_change", **params)  # a new cursor, closed after
    first = tiny.query("registry_change", **params)
    again = tiny.query("registry_change", **params)  # on a reused cursor
    pd.testing.assert_frame_equal(first, fresh)
    pd.testing.assert_frame_equal(again, fresh)
    tiny.query("village_exit_failures", as_of="2018-12-31", rules="hunan")
    assert tiny._idle, "the cursor went back to the pool"
    for cursor in tiny._idle:
        left = cursor.execute("select table_name from duckdb_tables() where temporary").fetchall()
        assert left == []  # no table of current, previous or village_exit_check is left on the cursor


def test_a_query_is_parsed_once_and_runs_as_its_text_does(tiny):
    """Each query's SQL is parsed once per process (queries.parsed): the text holds no values, so the next
    execution, on another cursor and at other dates, runs a copy of the same parsed statement and gives
    the rows the text itself gives."""
    import queries

    queries._PARSED.clear()
    days = ["2016-12-31", "2017-12-31", "2018-12-31"]
    results = [tiny.query("registry_change", as_of=day, previous="2016-06-30") for day in days]
    assert len(queries._PARSED) == 1  # one text, three executions
    [(text, statement)] = queries._PARSED.items()
    for day, frame in zip(days, results, strict=True):
        with tiny.connection.cursor() as cursor:
            cursor.execute(";".join(queries.MACROS.values()))
            as_text = cursor.execute(text, {k: v for k, v in queries._composed(
                cursor, queries.get_query("registry_change"),
                queries.bind(queries.get_query("registry_change"), {"as_of": day, "previous": "2016-06-30"}),
                None)[1].items()}).df()
        pd.testing.assert_frame_equal(frame, as_text, check_exact=True)
    assert results[0].households_registered.iloc[0] != results[2].households_registered.iloc[0]  # the dates were not mixed up
    assert queries._PARSED[text] is statement


def test_threads_sharing_one_parsed_statement_get_their_own_rows(tiny):
    """Sessions run the same query at once, each on its own cursor, from the one parsed statement."""
    from concurrent.futures import ThreadPoolExecutor

    days = [f"{year}-{month:02d}-28" for year in (2015, 2016, 2017, 2018, 2019) for month in (2, 5, 8, 11)]
    alone = {day: tiny.query("registry_summary", as_of=day) for day in days}
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda day: (day, tiny.query("registry_summary", as_of=day)), days * 3))
    for day, frame in together:
        pd.testing.assert_frame_equal(frame, alone[day], check_exact=True)
    assert len({int(frame.households_registered.iloc[0]) for frame in alone.values()}) > 1


def _temp_macros(cursor) -> set[str]:
    return {name for (name,) in cursor.execute(
        "select function_name from duckdb_functions() where database_name = 'temp' and not internal").fetchall()}


def test_the_file_the_loader_builds_holds_the_shared_macros_so_its_cursors_define_none(tiny):
    """The import writes macros.sql's macros into the file, with their digest (queries.persist_macros), so
    a pooled cursor defines nothing (it defined all 22 on every new cursor: 33 ms of CPU each). The rows
    are those of the temp macros that run_query defines on a fresh cursor, masking included."""
    import queries

    assert tiny.macros_in_file
    stored = {name for (name,) in tiny.connection.execute(
        "select function_name from duckdb_functions() where database_name <> 'temp' and not internal "
        "and function_type in ('macro', 'table_macro')").fetchall()}
    assert set(queries.MACROS) | {"tuopin_macros_digest"} == stored
    asked = [("registry_change", {"as_of": "2018-12-31", "previous": "2017-12-31"}),
             ("village_households", {"village": "430101100001", "as_of": "2018-12-31"}),
             ("village_exit_check", {"as_of": "2018-12-31", "rules": "hunan"}),
             ("default_region", {})]
    for name, params in asked:
        pd.testing.assert_frame_equal(tiny.query(name, **params), run_query(tiny.connection, name, **params),
                                      check_exact=True)
    assert tiny._idle and all(_temp_macros(cursor) == set() for cursor in tiny._idle)
    masked = tiny.query("village_households", village="430101100001", as_of="2018-12-31")
    assert masked.head_name_masked.str.contains("*", regex=False).all()


def test_a_file_with_other_macros_gets_this_versions_macros_on_every_cursor(tiny_db_path, tmp_path):
    """A file whose macros are not this macros.sql's (an older build, a backup, a file another program
    wrote: the digest differs) is served with the temp macros on every cursor, as before the import wrote
    them: a stale macro in the file, here one that leaves names unmasked, is never used."""
    import shutil

    import duckdb

    import queries

    copy = tmp_path / "older.duckdb"
    shutil.copy(tiny_db_path, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("create or replace macro mask_name(name) as name")
        connection.execute("create or replace macro tuopin_macros_digest() as 'an older one'")
    with queries.Database(copy) as older:
        assert not older.macros_in_file
        frame = older.query("village_households", village="430101100001", as_of="2018-12-31")
        assert frame.head_name_masked.str.contains("*", regex=False).all()
        assert older._idle and all(_temp_macros(cursor) == set(queries.MACROS) for cursor in older._idle)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("drop macro tuopin_macros_digest")
    with queries.Database(copy) as unmarked:
        assert not unmarked.macros_in_file
        frame = unmarked.query("village_households", village="430101100001", as_of="2018-12-31")
        assert frame.head_name_masked.str.contains("*", regex=False).all()
