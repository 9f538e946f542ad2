"""Limits that keep a hostile package from exhausting the machine (README: "限制 Limits").

Generous for a real county: the scale-100 demo (5 million people, 10.2 million household_year rows,
1.9 GB of CSV) loads within all of them. The readers look each one up here when they run
(`limits.MAX_ROWS_PER_FILE`), so a test can lower one.
"""

from __future__ import annotations

MAX_PACKAGE_BYTES = 2 * 1024**3  # the package as uploaded: a .zip's own size (ui/importing.py: the uploads)
MAX_DECOMPRESSED_BYTES = 4 * 1024**3  # the files read: a zip's entries once decompressed, or a folder's files
MAX_ZIP_RATIO = 200  # decompressed / compressed, per zip (or xlsx) entry larger than ZIP_RATIO_FROM_BYTES
ZIP_RATIO_FROM_BYTES = 10 * 1024**2
MAX_ZIP_ENTRIES = 10_000  # entries of a zip (and of an xlsx, which is a zip)
MAX_ROWS_PER_FILE = 20_000_000
MAX_COLUMNS = 1_000  # header fields of one file
MAX_CELL_CHARS = 10_000  # characters of one text cell (checked in SQL: etl/checks/generic/value_too_long.sql)
CSV_BLOCK_BYTES = 16 * 1024**2
MAX_RECORD_BYTES = CSV_BLOCK_BYTES  # one CSV record (a line, or several when a quoted cell holds newlines)
MAX_XLSX_CELLS = 20_000_000  # the rectangle a worksheet spans (rows x columns); the reader holds it whole
# Disk: a zip is extracted only when the files it declares fit in the free space of the work folder's
# disk with this much left over (the database is built on the same disk), and extraction stops the
# moment it has written more than the zip declared.
MIN_FREE_BYTES = 1024**3


def size_text(n: int) -> str:
    """A byte count as the limits are stated: GiB or MiB."""
    return f"{n / 1024**3:g} GiB" if n >= 1024**3 else f"{n / 1024**2:g} MiB"
