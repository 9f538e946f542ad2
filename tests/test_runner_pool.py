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
