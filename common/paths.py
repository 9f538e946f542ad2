"""The default database: data/tuopin.duckdb in the repository (the bundled demo's place), unless the
environment variable TUOPIN_DB names another file. The one definition the dashboard, `python -m etl`,
`python -m queries`, `python -m access` and the query benchmark use."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DB = ROOT / "data" / "tuopin.duckdb"


def default_db_path(bundled: Path | None = None) -> Path:
    """TUOPIN_DB when set (and not empty), else the bundled database (`bundled`, by default
    data/tuopin.duckdb in the repository); absolute."""
    return Path(os.environ.get("TUOPIN_DB") or bundled or BUNDLED_DB).resolve()
