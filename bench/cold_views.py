"""What a view nobody has asked for costs: the overview's catalog queries (queries/landing.py, as the page
asks them) at quarter ends and regions no session has asked for in the database's generation, as a click
to another date or township finds them after an import. Prints, per view, the statements it runs (those
asked for before in the same run of this script are shared, as the dashboard shares them) and the CPU of
the thread asking (DuckDB plans there and runs part of the query; its worker threads are not counted).
The queries are those the overview declares for the view (landing.overview_queries), which
tests/test_ready_results.py checks against what the page asks when signed in.

    .venv/bin/python bench/cold_views.py --db data/tuopin.duckdb
    .venv/bin/python bench/cold_views.py --db data/tuopin.duckdb --dates 8 --townships 3

The first view of a run pays for what every view shares (the trend and the exits of every quarter to the
last quarter end, the exit line, the warning rules) and is left out of the figures. No budget is asserted:
the issue's goal is CPU per interaction under the load test (bench/load_test.py); this isolates the query
part of it from the host's other work.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from common.paths import default_db_path  # noqa: E402
from queries import Database, landing  # noqa: E402


def views(db: Database, dates: int, townships: int) -> list[landing.OverviewView]:
    """The top region and `townships` regions below it, each at the last `dates` quarter ends, as the
    overview would show them (compared with the quarter end before, the province's exit rules)."""
    top = str(db.query("default_region").region_code.iloc[0])
    tree = db.query("regions", region=top)
    span = db.query("data_span").iloc[0]
    ends = landing.quarter_ends(span)
    rules = landing.default_preset(top, sorted(db.query("exit_rules").preset.unique()))
    warnings = landing.warning_rule_set(db.query("warning_rules"))
    below = tree[tree.parent_code == top].head(townships)
    regions = [(top, str(tree.level.iloc[0])), *zip(below.code.astype(str), below.level.astype(str), strict=True)]
    first_day = span.first_date.date() if pd.notna(span.first_date) else ends[0]
    return [landing.OverviewView(as_of=day, previous=landing.previous_quarter_end(day), region=code,
                                 region_level=level, rules=rules, first_day=first_day, last_quarter_end=ends[0],
                                 has_monitoring=bool(span.has_monitoring), warning_rule_set=warnings)
            for day in ends[:dates] for code, level in regions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=default_db_path())
    parser.add_argument("--dates", type=int, default=6, help="the last N quarter ends")
    parser.add_argument("--townships", type=int, default=2, help="regions one level below the top")
    args = parser.parse_args()
    with Database(args.db) as db:
        asked: set[str] = set()
        costs: list[tuple[float, int]] = []
        for number, view in enumerate(views(db, args.dates, args.townships)):
            statements = 0
            started = time.thread_time()
            for name, params in landing.overview_queries(view).values():  # what the page asks (the declaration)
                key = repr((name, sorted(params.items())))
                if key not in asked:  # shared by the dashboard once computed in the generation
                    asked.add(key)
                    statements += 1
                    db.query(name, **params)
            if number:
                costs.append(((time.thread_time() - started) * 1000, statements))
        cpu = [ms for ms, _ in costs]
        print(f"{args.db}: {len(costs)} views nobody had asked for (the last {args.dates} quarter ends × the top "
              f"and {args.townships} regions below it, after a first one)")
        print(f"statements per view   {statistics.median(n for _, n in costs):.0f} "
              f"(min {min(n for _, n in costs)}, max {max(n for _, n in costs)})")
        print(f"thread CPU per view   median {statistics.median(cpu):.1f} ms, mean {statistics.mean(cpu):.1f} ms")


if __name__ == "__main__":
    main()
