"""Query benchmark: median latency of every catalog query, and the headline figures computed the way a
typical Streamlit app would (pandas on the raw tables) for comparison, in the same run.

    .venv/bin/python bench/bench_queries.py --db data/tuopin.duckdb
    .venv/bin/python bench/bench_queries.py --db bench/work/scale100.duckdb --repeat 5 --budget-ms 1000 \
        --trend-budget-ms 2000

Budgets (2-core machine): each query under 50 ms on the demo county, under 1 s at scale 100
(incidence_trend over 28 quarters under 2 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from common.paths import default_db_path  # noqa: E402
from queries import Database, catalog  # noqa: E402

AS_OF = "2018-12-31"
MONITORING_AS_OF = "2025-06-30"


def params_for(name: str, db: Database) -> dict:
    village = db.connection.execute(
        "select code from regions where level = '村' and is_poor_village order by code limit 1").fetchone()[0]
    common = {
        "registry_summary": {"as_of": AS_OF},
        "registry_by_category": {"as_of": AS_OF},
        "registry_by_cause": {"as_of": AS_OF},
        "poverty_incidence": {"as_of": AS_OF, "level": "村"},
        "incidence_trend": {"start": "2014-01-01", "end": "2020-12-31", "period": "quarter"},
        "flows": {"start": "2018-01-01", "end": "2018-12-31"},
        "exits_by_period": {"start": "2015-01-01", "end": "2020-12-31", "period": "year"},
        "funds_summary": {"as_of": AS_OF, "year": 2018},
        "funds_by": {"as_of": AS_OF, "year": 2018, "dimension": "township"},
        "funds_schedule": {"year": 2018, "as_of": AS_OF},
        "village_exit_check": {"as_of": AS_OF, "rules": "hunan"},
        "household_exit_check": {"year": 2018},
        "village_households": {"village": village, "as_of": AS_OF},
        "household_identities": {"village": village},
        "boundaries": {"level": "村"},
        "projects": {"as_of": AS_OF, "year": 2018},
        "quality_households_without_members": {"as_of": AS_OF},
        "quality_members_in_several_households": {"as_of": AS_OF},
        "quality_villages_without_year": {"year": 2018},
        "registry_by": {"as_of": AS_OF, "dimension": "cause"},
        "registry_change": {"as_of": AS_OF, "previous": "2018-09-30"},
        "township_progress": {"as_of": AS_OF, "level": "乡镇"},
        "township_progress_change": {"as_of": AS_OF, "previous": "2017-12-31", "level": "乡镇"},
        "flows_reconciliation": {"start": "2018-01-01", "end": "2018-12-31"},
        "village_exit_failures": {"as_of": AS_OF, "rules": "hunan"},
        "household_exit_risks_by": {"year": 2018, "as_of": AS_OF, "dimension": "village"},
        # monitoring (防返贫监测): the transition years, where the demo's episodes and incomes lie
        "monitoring_summary": {"as_of": MONITORING_AS_OF},
        "monitoring_by": {"as_of": MONITORING_AS_OF, "dimension": "risk"},
        "monitoring_flows": {"start": "2024-01-01", "end": "2024-12-31"},
        "monitoring_timeliness": {"start": "2021-01-01", "end": "2025-12-31"},
        "monitoring_gaps": {"year": 2024, "as_of": MONITORING_AS_OF},
        "monitoring_clearance_check": {"year": 2024, "as_of": MONITORING_AS_OF},
        "monitoring_threshold": {"year": 2024},
        "assistance_coverage": {"as_of": MONITORING_AS_OF},
        "monitoring_households": {"as_of": MONITORING_AS_OF},
        "monitoring_change": {"as_of": MONITORING_AS_OF, "previous": "2025-03-31"},
        # 部门数据比对: a year of department records up to the monitoring as-of date
        "department_warnings": {"start": "2024-07-01", "end": MONITORING_AS_OF, "rules": "city_fixed_10k_26k"},
        "department_warning_summary": {"start": "2024-07-01", "end": MONITORING_AS_OF},
        "department_warnings_overdue": {"as_of": MONITORING_AS_OF},
        "quality_department_records_unmatched": {"as_of": MONITORING_AS_OF},
    }
    return common.get(name, {})  # the rest take only $region (NULL: the whole package) or nothing


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up (first read of the file's blocks)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- the same headline figures the way a typical Streamlit app computes them: pandas on raw tables ---

def pandas_tables(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select * from {t}").df() for t in ("events", "members", "households",
                                                                      "village_year", "regions")}
    finally:
        con.close()


def pandas_status_at(t, day: pd.Timestamp) -> pd.DataFrame:
    events = t["events"][t["events"].event_date <= day].sort_values("event_date")
    last = events.groupby("household_id").tail(1)
    last = last[last.event_type.isin(["识别纳入", "标注脱贫", "返贫"])]
    last = last.assign(status=last.event_type.map({"识别纳入": "未脱贫", "返贫": "未脱贫", "标注脱贫": "已脱贫"}))
    first = t["events"][t["events"].event_type == "识别纳入"].groupby("household_id").event_date.min()
    members = t["members"].join(first.rename("first_on"), on="household_id")
    joined = members.joined_on.fillna(members.first_on)
    present = members[(joined <= day) & (members.left_on.isna() | (members.left_on > day))]
    people = present.merge(last[["household_id", "status"]], on="household_id")
    return last.merge(t["households"][["household_id", "village_code"]], on="household_id"), people.merge(
        t["households"][["household_id", "village_code"]], on="household_id")


def pandas_registry_summary(t, day):
    households, people = pandas_status_at(t, day)
    return {"households_registered": len(households), "people_registered": len(people),
            "households_poor": int((households.status == "未脱贫").sum()),
            "people_poor": int((people.status == "未脱贫").sum())}


def pandas_incidence_by_village(t, day):
    _, people = pandas_status_at(t, day)
    poor = people[people.status == "未脱贫"].groupby("village_code").size().rename("people_poor")
    vy = t["village_year"][t["village_year"].year <= day.year].sort_values("year").groupby("village_code").tail(1)
    out = vy.set_index("village_code").join(poor).fillna({"people_poor": 0})
    return out.assign(incidence=out.people_poor / out.rural_population)


def pandas_flows(t, start, end):
    opening, closing = start - pd.Timedelta(days=1), end
    h0, p0 = pandas_status_at(t, opening)
    h1, p1 = pandas_status_at(t, closing)
    window = t["events"][(t["events"].event_date >= start) & (t["events"].event_date <= end)]
    moves = window.groupby("event_type").household_id.nunique()
    return {"opening": (len(h0), len(p0)), "closing": (len(h1), len(p1)), "movements": moves.to_dict()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(default_db_path()))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--budget-ms", type=float, default=50, help="each query's budget (demo county: 50)")
    parser.add_argument("--trend-budget-ms", type=float, default=None,
                        help="incidence_trend's budget (default: --budget-ms; scale 100: 2000)")
    args = parser.parse_args()
    budgets = {"incidence_trend": args.trend_budget_ms or args.budget_ms}
    path = Path(args.db)
    print(f"database {path} ({path.stat().st_size / 2**20:,.1f} MiB); median of {args.repeat} runs")
    with Database(path) as db:
        results = {}
        for name in catalog():
            params = params_for(name, db)
            results[name] = median_ms(lambda n=name, p=params: db.query(n, **p), args.repeat)
            budget = budgets.get(name, args.budget_ms)
            verdict = "" if results[name] < budget else f"   OVER BUDGET ({budget:,.0f} ms)"
            print(f"  {name:<37} {results[name]:9.1f} ms{verdict}")
        over = [n for n, ms in results.items() if ms >= budgets.get(n, args.budget_ms)]
        print(f"  {len(results) - len(over)} of {len(results)} queries under budget"
              + (f"; over: {', '.join(over)}" if over else ""))

        tables = pandas_tables(path)
        day, start, end = pd.Timestamp(AS_OF), pd.Timestamp("2018-01-01"), pd.Timestamp("2018-12-31")
        tables["events"]["event_date"] = pd.to_datetime(tables["events"].event_date)
        for col in ("joined_on", "left_on"):
            tables["members"][col] = pd.to_datetime(tables["members"][col])
        comparisons = [
            ("registry_summary", lambda: pandas_registry_summary(tables, day)),
            ("poverty_incidence", lambda: pandas_incidence_by_village(tables, day)),
            ("flows", lambda: pandas_flows(tables, start, end)),
        ]
        print("pandas on raw tables (already in memory; a typical Streamlit app):")
        repeat = max(3, args.repeat // 5)
        for name, fn in comparisons:
            ms = median_ms(fn, repeat)
            print(f"  {name:<37} {ms:9.1f} ms   → tuopin is {ms / results[name]:.1f}x faster")
        ours = pandas_registry_summary(tables, day)
        sql = db.query("registry_summary", as_of=AS_OF).iloc[0]
        same = all(int(sql[k]) == v for k, v in ours.items())
        print(f"  (check: pandas and SQL registry_summary agree: {same})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
