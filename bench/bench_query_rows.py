"""A year's quarter ends in one statement against one statement a quarter end: for each catalog query
that takes a date, the CPU of computing the four quarter ends of a year with queries.run_query_rows and
with four run_query calls, and whether they agree. queries/ready.BATCHED_QUERIES lists the queries an
import computing views ahead computes for several dates at once, and BATCH_MAX_REGISTRY the registry size
up to which it does; this prints what decides both, for the database it is given (the demo county, or a
larger one written by bench/bench_load.py --scale 10).

    .venv/bin/python bench/bench_query_rows.py --db data/tuopin.duckdb
    .venv/bin/python bench/bench_query_rows.py --db /tmp/scale10/scale10.duckdb --year 2019 --rounds 3

CPU is the asking thread's (DuckDB runs each query on one thread, queries.QUERY_THREADS), the lowest of
the rounds, the two ways alternately. No budget is asserted; the figures are for the README.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.paths import default_db_path  # noqa: E402
from queries import Database, catalog, landing  # noqa: E402
from queries.ready import BATCHED_QUERIES  # noqa: E402


def rows_for(name: str, year: int, region: str, village: str) -> list[dict]:
    declared = {p.name for p in catalog()[name].params}
    rows = []
    for day in landing.quarter_ends_of_year(year):
        row = {"as_of": day, "region": region} if "region" in declared else {"as_of": day}
        if "year" in declared:
            row["year"] = day.year
        if "previous" in declared:
            row["previous"] = landing.previous_quarter_end(day)
        if "village" in declared:
            row["village"] = village
        rows.append(row)
    return rows


def cpu_ms(work) -> tuple[float, object]:
    started = time.thread_time()
    result = work()
    return (time.thread_time() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=default_db_path())
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with Database(args.db) as db:
        top = str(db.query("default_region").region_code.iloc[0])
        villages = db.query("regions", region=top)
        village = str(villages[villages.level == "村"].code.iloc[0])
        print(f"{db.path}: {db.registry_rows():,} person status spans; the quarter ends of {args.year}")
        print(f"  {'query':40s}{'one statement':>15}{'four':>9}{'ratio':>8}  agree  batched")
        names = sorted(n for n, q in catalog().items() if any(p.name == "as_of" for p in q.params) and not q.personal)
        for name in names:
            rows = rows_for(name, args.year, top, village)
            together, alone = [], []
            for _ in range(args.rounds):
                ms, batched = cpu_ms(lambda rows=rows, name=name: db.query_rows(name, rows))
                together.append(ms)
                ms, singles = cpu_ms(lambda rows=rows, name=name: [db.query(name, **row) for row in rows])
                alone.append(ms)
            agree = all(a.equals(b) and list(a.dtypes) == list(b.dtypes)
                        for a, b in zip(batched, singles, strict=True))
            print(f"  {name:40s}{min(together):>12.0f} ms{min(alone):>6.0f} ms{min(together) / min(alone):>8.2f}"
                  f"  {'yes' if agree else 'NO':5s}  {'yes' if name in BATCHED_QUERIES else ''}")


if __name__ == "__main__":
    main()
