"""Roster converter: the rosters (花名册) a county office exports, one or more monthly or quarterly
snapshots, to a contract package that `python -m etl load` loads as usual.

    python -m etl from-roster SNAPSHOT... --out PACKAGE_DIR [--mapping MAPPING] [--regions REGIONS]
                              [--date FILE=YYYY-MM-DD] [--save-mapping MAPPING]

etl/roster/sheet.py reads a roster (title rows, multi-row headers, totals rows), mapping.py proposes and
keeps the column and value mapping (TOML), regions.py matches region names to codes, convert.py turns
the snapshots into households, members, events and monitoring episodes.
"""

from etl.roster.convert import NOTES_FILE, Conversion, convert, preview
from etl.roster.mapping import Mapping, propose_mapping

__all__ = ["NOTES_FILE", "Conversion", "Mapping", "convert", "preview", "propose_mapping"]
