#!/usr/bin/env bash
# Install everything the tests need (Python packages; Chromium and CJK fonts for the browser test;
# nginx for the several-workers load test, tests/test_load_workers.py) and run the whole test suite.
# .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
        || ! { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk nginx >/dev/null
    else
        echo "note: chromium / fonts-noto-cjk / nginx missing and cannot be installed here; browser tests and" \
             "the several-workers load test will be skipped" >&2
    fi
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
.venv/bin/python -m ruff check .
# Two worker processes (TUOPIN_TEST_WORKERS; 0 runs every test in this one), each given whole test
# files, so a file's fixtures are built once. Much of the suite waits on servers, browsers and think
# time: on two cores the suite took 1,128 s this way against 2,058 s in one process.
exec .venv/bin/python -m pytest -n "${TUOPIN_TEST_WORKERS:-2}" --dist loadfile "$@"
