"""The default database: data/tuopin.duckdb in the repository (the bundled demo's place), unless the
environment variable TUOPIN_DB names another file. The one definition the dashboard, `python -m etl`,
`python -m queries`, `python -m access` and the query benchmark use."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DB = ROOT / "data" / "tuopin.duckdb"
# beside a database: the dashboard's links to the generations it serves (ui/data.py) and its counts of
# the views asked for, which the next import computes ahead (queries/ready.py)
SERVING_DIR = ".tuopin-serving"


def default_db_path(bundled: Path | None = None) -> Path:
    """TUOPIN_DB when set (and not empty), else the bundled database (`bundled`, by default
    data/tuopin.duckdb in the repository); absolute."""
    return _absolute(str(os.environ.get("TUOPIN_DB") or bundled or BUNDLED_DB), os.getcwd())


@lru_cache(maxsize=64)
def _absolute(path: str, cwd: str) -> Path:
    """Path.resolve, remembered (the dashboard asks on every query; resolving walks the file system).
    A symbolic link changed while the process runs is not followed anew."""
    return Path(path).resolve()
