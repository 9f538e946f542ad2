#!/usr/bin/env bash
# Install and start the dashboard on the bundled demo data (first start builds data/tuopin.duckdb).
# Usage: bash scripts/start.sh [--server.port 8501 ...]   (TUOPIN_DB=/path/file.duckdb to use another database)
# Says what it is doing: the first install takes a minute or two (pip prints nothing with --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[start] %s\n' "$*"; }
if [ ! -x .venv/bin/python ]; then
    say "创建 Python 环境 .venv … / creating the Python environment .venv …"
    python3 -m venv .venv
fi
say "安装/检查依赖（首次约 1–2 分钟）… / installing or checking dependencies (first time: 1–2 minutes) …"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
say "依赖就绪，启动看板（首次启动会生成演示数据库）… / dependencies ready; starting the dashboard (the first start builds the demo database) …"
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true --browser.gatherUsageStats false "$@"
