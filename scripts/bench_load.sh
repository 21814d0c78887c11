#!/usr/bin/env bash
# `make bench-load`: see bench/load.py. Needs PostgreSQL on 127.0.0.1:5432, redis-server and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: sudo apt-get install -y wrk"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing: sudo apt-get install -y redis-server"; exit 1; }
exec "${PY:-.venv/bin/python}" -m bench.load
