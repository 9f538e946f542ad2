"""Load benchmark: time, rows/s and peak memory of `python -m etl load`, against the obvious
alternative (pandas.read_csv of every file + DataFrame insert into DuckDB, no validation at all).

    .venv/bin/python bench/bench_load.py                 # demo county (scale 1)
    .venv/bin/python bench/bench_load.py --scale 100     # ≈ 5 million people

Each measurement runs in its own process; peak memory is that process's max RSS (os.wait4).
Budgets (2-core machine): scale 1 under 10 s; scale 100 under 5 minutes and 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

PANDAS_BASELINE = r"""
import sys, duckdb, pandas as pd
from pathlib import Path
package, db = Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect(db)
rows = 0
for path in sorted(package.glob("*.csv")):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows += len(frame)
    con.execute(f'create table "{path.stem}" as select * from frame')
con.close()
print(rows)
"""


def run_with_peak(args: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".out", delete=False) as out_file:
        out_path = Path(out_file.name)
        proc = subprocess.Popen(args, cwd=ROOT, stdout=out_file, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = out_path.read_text()
    out_path.unlink()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(args)}\n{out}")
    return seconds, usage.ru_maxrss * 1024, out  # ru_maxrss is in KiB on Linux


def package_rows(package: Path) -> int:
    total = 0
    for path in package.glob("*.csv"):
        with open(path, "rb") as f:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"), help="where packages and databases go")
    parser.add_argument("--no-baseline", action="store_true", help="skip the pandas comparison")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    package = work / f"demo-scale{args.scale}-seed{args.seed}"
    if not (package / "区划.csv").exists():
        seconds, peak, _ = run_with_peak([PYTHON, "-m", "etl", "demo", "--out", str(package), "--scale",
                                          str(args.scale), "--seed", str(args.seed), "--quiet"])
        print(f"generated demo package scale={args.scale}: {seconds:.1f} s, peak {peak / 2**20:,.0f} MiB")
    size = sum(p.stat().st_size for p in package.iterdir())
    rows = package_rows(package)
    print(f"package: {package} — {rows:,} rows, {size / 2**20:,.1f} MiB")

    db = work / f"scale{args.scale}.duckdb"
    seconds, peak, _ = run_with_peak([PYTHON, "-m", "etl", "load", str(package), "--db", str(db), "--quiet"])
    figures = {
        "scale": args.scale, "rows": rows, "package_mib": round(size / 2**20, 1),
        "load_seconds": round(seconds, 2), "rows_per_second": round(rows / seconds),
        "load_peak_mib": round(peak / 2**20), "db_mib": round(db.stat().st_size / 2**20, 1),
    }
    print(f"tuopin load (read + validate all checks + derive + atomic swap): {seconds:.2f} s, "
          f"{rows / seconds:,.0f} rows/s, peak {peak / 2**20:,.0f} MiB, database {figures['db_mib']} MiB")

    if not args.no_baseline:
        baseline_db = work / f"scale{args.scale}-pandas.duckdb"
        baseline_db.unlink(missing_ok=True)
        b_seconds, b_peak, _ = run_with_peak([PYTHON, "-c", PANDAS_BASELINE, str(package), str(baseline_db)])
        baseline_db.unlink(missing_ok=True)
        figures.update(pandas_seconds=round(b_seconds, 2), pandas_peak_mib=round(b_peak / 2**20),
                       speed_ratio=round(b_seconds / seconds, 2))
        print(f"pandas read_csv + DataFrame insert (no validation, no derived tables): {b_seconds:.2f} s, "
              f"{rows / b_seconds:,.0f} rows/s, peak {b_peak / 2**20:,.0f} MiB")
        print(f"ratio pandas time / tuopin time = {b_seconds / seconds:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
