#!/usr/bin/env bash
# Serve the application on http://127.0.0.1:8000 with a background-task worker beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py demo_signins
$PY manage.py db_worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Digileap is running on http://127.0.0.1:8000 (stop with Ctrl-C)"
$PY manage.py runserver 127.0.0.1:8000 --noreload
