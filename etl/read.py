"""Extract: find the files of an import package and read each one into an all-text Arrow table.

Nothing is typed here: every cell stays text (codes keep their leading zeros) and every row keeps the
row number the user sees in Excel (`_row`, the header being row 1). Typing and validation happen in
SQL (etl/validate.py) so that all problems are collected in one pass.

The work is split along its seams: etl/zipsafe.py (opening and extracting zips safely),
etl/package.py (which file is which table), etl/tabular.py (headers and text batches),
etl/read_csv.py, etl/read_xlsx.py, and the limits in etl/limits.py. This module is the entry point
the loader uses.
"""

from __future__ import annotations

from etl.contract import FileSpec
from etl.limits import MAX_PACKAGE_BYTES  # the upload limit, read by the import page
from etl.package import Package, PackageFile, open_package
from etl.problems import PackageError
from etl.read_csv import detect_encoding, read_csv
from etl.read_xlsx import read_excel
from etl.tabular import RawTable, match_headers

__all__ = ["MAX_PACKAGE_BYTES", "Package", "PackageError", "PackageFile", "RawTable", "detect_encoding", "match_headers",
           "open_package", "read_csv", "read_excel", "read_table"]


def read_table(spec: FileSpec, file: PackageFile) -> RawTable:
    if file.path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        return read_excel(spec, file.path, file.display_name)
    return read_csv(spec, file.path, file.display_name)
