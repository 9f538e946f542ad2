"""`python -m queries NAME --db PATH [--PARAM VALUE ...] [--format table|json|csv]` and `--list`."""

from __future__ import annotations

import argparse
import logging
import sys

import duckdb

from common.paths import default_db_path
from queries import Database, QueryError, catalog, get_query


def print_catalog() -> None:
    for query in catalog().values():
        print(f"{query.name}")
        print(f"    {query.definition}")
        print(f"    grain:  {query.grain}")
        print(f"    params: {query.params_text}")


def catalog_markdown() -> str:
    """The catalog as the Markdown table README.md carries between its <!-- catalog --> markers."""
    lines = ["| query | what it gives | grain | parameters |", "|---|---|---|---|"]
    for query in catalog().values():
        cells = [f"`{query.name}`", query.definition, query.grain, query.params_text]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m queries", description="Run a named Tuopin query / 运行指标查询",
        epilog="Parameters are passed as --NAME VALUE; --list shows each query's parameters.",
    )
    parser.add_argument("name", nargs="?", help="query name (see --list)")
    parser.add_argument("--db", default=str(default_db_path()),
                        help="database file (default $TUOPIN_DB, else data/tuopin.duckdb in the repository)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--list", action="store_true", help="print the catalog with parameters")
    parser.add_argument("--markdown", action="store_true", help="print the catalog as README's Markdown table")
    args, rest = parser.parse_known_args(argv)
    # failures are reported below in one line; the runner's log (SQL file + params) stays quiet here
    logging.getLogger("tuopin.queries").setLevel(logging.CRITICAL)
    if args.list:
        print_catalog()
        return 0
    if args.markdown:
        print(catalog_markdown())
        return 0
    if not args.name:
        parser.error("a query name or --list is required")
    params = {}
    it = iter(rest)
    for token in it:
        if not token.startswith("--"):
            parser.error(f"unexpected argument {token!r}")
        key, _, value = token[2:].partition("=")
        params[key.replace("-", "_")] = value if _ else next(it, "")
    try:
        query = get_query(args.name)
        with Database(args.db) as db:
            if any(p.name == "region" for p in query.params) and not str(params.get("region") or "").strip():
                # no --region: the region the dashboard opens on (query default_region), not the package's top
                params["region"] = db.default_region()
            frame = db.query(args.name, **params)
    except (QueryError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # e.g. an unknown rules preset, raised by the query itself
        print(str(exc).splitlines()[-1] if str(exc) else exc, file=sys.stderr)
        return 2
    if args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False, date_format="iso", indent=1))
    elif args.format == "csv":
        print(frame.to_csv(index=False), end="")
    else:
        with __import__("pandas").option_context("display.max_rows", 500, "display.width", 200,
                                                 "display.max_columns", 50):
            print(frame.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
