#!/usr/bin/env bash
# Serve the dashboard with N Streamlit processes behind nginx, sticky sessions (scripts/serve.py).
# Usage: bash scripts/serve.sh --workers 2 [--port 8501] [--address 0.0.0.0] [streamlit options ...]
# Needs nginx (Debian: apt-get install nginx). TUOPIN_DB / TUOPIN_ACCOUNTS as for scripts/start.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
fi
exec .venv/bin/python scripts/serve.py "$@"
