#!/usr/bin/env bash
# Serve the application on http://127.0.0.1:8000 with a background-task worker beside it.
# The server is uvicorn with the ASGI application (config/asgi.py): Django for the pages and the
# installation's own ndt7 endpoint (/ndt/v7/) for the browser speed test. Static files come from
# WhiteNoise (`make run` collects them first; with DEBUG on it also finds them in the apps).
# PORT and DJANGO_SETTINGS_MODULE may be set (default 8000 and the development settings).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"
$PY manage.py demo_signins
$PY manage.py db_worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Digileap is running on http://127.0.0.1:${PORT} (stop with Ctrl-C)"
# Per-message deflate off: compressing the speed test's random bytes would only cost time.
$PY -m uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT" \
  --ws-per-message-deflate false --ws-max-size 16777216 --no-access-log
