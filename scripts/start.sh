#!/usr/bin/env bash
# Install and start the dashboard on the bundled demo data (first start builds data/tuopin.duckdb).
# Usage: bash scripts/start.sh [--server.port 8501 ...]   (TUOPIN_DB=/path/file.duckdb to use another database)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true --browser.gatherUsageStats false "$@"
