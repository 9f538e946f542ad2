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
