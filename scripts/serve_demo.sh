#!/usr/bin/env bash
# The demo's two processes: a background worker for doyak's jobs (assignment, portfolio solves,
# settlement runs) and the web server. Ctrl+C stops both.
set -euo pipefail
doyak="${1:-.venv/bin/doyak}"
mkdir -p var
"$doyak" db_worker --queue-name '*' --no-reload --no-startup-delay -v 0 > var/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
"$doyak" runserver 127.0.0.1:8000 --noreload
