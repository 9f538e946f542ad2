"""Command line: `python -m etl load PACKAGE --db PATH`, `python -m etl demo --out DIR` and
`python -m etl from-roster SNAPSHOT... --out DIR` (roster snapshots to a package, etl/roster/)."""

from __future__ import annotations

import argparse
import sys

from common.paths import default_db_path


def _print_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:6.1%}] {message}", file=sys.stderr, flush=True)


def cmd_load(args) -> int:
    from etl.load import LoadFailed, load_package
    from etl.problems import masked

    try:
        budget = {} if args.ready_seconds is None else {"ready_seconds": args.ready_seconds}
        result = load_package(args.package, args.db, progress=None if args.quiet else _print_progress, **budget)
    except LoadFailed as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        print(f"导入失败，数据库未改动 / import failed, the database was not changed: {len(errors)} error(s)")
        for problem in exc.problems:
            print(masked(problem).describe())
        if exc.rejects:
            print(f"问题清单 rejects report: {exc.rejects[0]} , {exc.rejects[1]}")
        return 1
    warnings = [p for p in result.problems if p.severity == "warning"]
    print(f"导入成功 loaded {result.total_rows:,} rows into {result.db_path} in {result.seconds:.1f} s"
          f" ({len(warnings)} warning(s))")
    for table, n in result.rows.items():
        print(f"  {table:<16} {n:>12,}")
    if result.ready is not None and result.ready.asked:
        ready = result.ready
        print(f"预先计算 computed ahead {ready.stored} of {ready.asked} view(s) (the landing views' "
              f"{ready.landing}, then those asked for most recently), in {ready.seconds:.1f} s"
              + ("（时间用完 out of time）" if ready.out_of_time else ""))
    for problem in warnings[: args.show_warnings]:
        print(masked(problem).describe())
    if len(warnings) > args.show_warnings:  # kept in the database (load_problems), no report file
        print(f"  … {len(warnings) - args.show_warnings} more warning(s) / 其余警告: "
              f"python -m queries quality_load_problems --db {result.db_path}")
    return 0


def cmd_demo(args) -> int:
    from etl.demo import write_demo_package

    counts = write_demo_package(args.out, scale=args.scale, seed=args.seed,
                                progress=None if args.quiet else _print_progress)
    print(f"演示数据 demo package written to {args.out}")
    for name, n in counts.items():
        print(f"  {name:<16} {n:>12,}")
    return 0


def cmd_from_roster(args) -> int:
    import datetime as dt
    from pathlib import Path

    from etl.problems import PackageError, masked
    from etl.roster import NOTES_FILE, Mapping, convert, propose_mapping

    dates = {}
    for item in args.date:
        name, _, day = item.rpartition("=")
        try:
            dates[Path(name)] = dt.date.fromisoformat(day)
        except ValueError:
            print(f"--date {item}: 应为 文件=YYYY-MM-DD / expected FILE=YYYY-MM-DD", file=sys.stderr)
            return 2
    try:
        mapping = Mapping.load(Path(args.mapping)) if args.mapping else None
        if args.save_mapping:
            proposed = mapping or propose_mapping(Path(args.snapshots[0]))
            proposed.save(Path(args.save_mapping))
            print(f"映射已保存 mapping saved: {args.save_mapping}")
            if proposed.unplaced:
                print("未能识别的列 columns not placed: " + ", ".join(proposed.unplaced))
        result = convert([Path(p) for p in args.snapshots], Path(args.out), mapping=mapping,
                         regions=Path(args.regions) if args.regions else None, dates=dates,
                         progress=None if args.quiet else _print_progress)
    except PackageError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        print(f"转换失败 / conversion failed: {len(errors)} error(s)")
        for problem in exc.problems:
            print(masked(problem).describe())
        return 1
    print(f"转换完成 converted into {result.package}")
    for name, n in result.counts.items():
        print(f"  {name:<16} {n:>12,}")
    for note in result.notes:
        print(note)
    for problem in result.warnings[: args.show_warnings]:
        print(masked(problem).describe())
    if len(result.warnings) > args.show_warnings:
        print(f"  … {len(result.warnings) - args.show_warnings} more warning(s) / 其余警告: "
              f"{result.package / NOTES_FILE}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Tuopin import / 导入")
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="validate an import package and load it into a DuckDB file")
    load.add_argument("package", help="folder or .zip holding the contract's files")
    load.add_argument("--db", default=str(default_db_path()),
                      help="database file (default $TUOPIN_DB, else data/tuopin.duckdb in the repository)")
    load.add_argument("--quiet", action="store_true", help="no progress lines")
    load.add_argument("--show-warnings", type=int, default=20, metavar="N", help="warnings to print (default 20)")
    load.add_argument("--ready-seconds", type=float, metavar="S",
                      help="seconds for computing ahead the views people land on when they sign in and those "
                           "the dashboard was asked for most recently (default 15, queries/ready.py; 0: none)")
    load.set_defaults(func=cmd_load)
    demo = sub.add_parser("demo", help="write the demo county's import package (演示数据)")
    demo.add_argument("--out", required=True, help="folder to write the package into")
    demo.add_argument("--scale", type=int, default=1, help="multiply the county (100 ≈ 5 million people)")
    demo.add_argument("--seed", type=int, default=2014)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)
    roster = sub.add_parser("from-roster", help="convert roster snapshots (花名册) into an import package")
    roster.add_argument("snapshots", nargs="+", help="roster files (.xlsx/.xls/.csv), folders or .zip of them")
    roster.add_argument("--out", required=True, help="folder to write the package into")
    roster.add_argument("--mapping", help="the mapping (TOML); default: proposed from each file's headers")
    roster.add_argument("--regions", help="the contract's regions file (区划.csv) to match region names against")
    roster.add_argument("--date", action="append", default=[], metavar="FILE=YYYY-MM-DD",
                        help="a snapshot's date, when neither a column nor its file name gives it")
    roster.add_argument("--save-mapping", metavar="PATH", help="save the mapping used (or proposed) as TOML")
    roster.add_argument("--quiet", action="store_true")
    roster.add_argument("--show-warnings", type=int, default=20, metavar="N", help="warnings to print (default 20)")
    roster.set_defaults(func=cmd_from_roster)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
