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
# a Chinese font for the PDF downloads (ui/pdf.py embeds the server's own); Word and Excel work without one
if ! fc-list 2>/dev/null | grep -qiE "Noto (Sans|Serif) CJK|WenQuanYi|Source Han"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "安装中文字体 fonts-noto-cjk（PDF 下载用）… / installing the Chinese font fonts-noto-cjk (for the PDF downloads) …"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; } >/dev/null 2>&1 \
            || say "未能安装中文字体：PDF 下载不可用，Word/Excel 照常 / could not install it: no PDF downloads, Word/Excel as usual"
    else
        say "未找到中文字体：PDF 下载不可用，Word/Excel 照常（sudo apt-get install fonts-noto-cjk）/ no Chinese font: no PDF downloads, Word/Excel as usual (sudo apt-get install fonts-noto-cjk)"
    fi
fi
say "安装/检查依赖（首次约 1–2 分钟）… / installing or checking dependencies (first time: 1–2 minutes) …"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
say "依赖就绪，启动看板（首次启动会生成演示数据库）… / dependencies ready; starting the dashboard (the first start builds the demo database) …"
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true --browser.gatherUsageStats false "$@"
