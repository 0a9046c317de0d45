#!/usr/bin/env bash
# Serve the portal; with REDIS_URL set, also a Celery worker and beat, stopped with it.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
bin=.venv/bin
pids=()
cleanup() { for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  mkdir -p var
  "$bin/celery" -A elaas_portal worker --loglevel=INFO --concurrency=2 >var/celery-worker.log 2>&1 &
  pids+=($!)
  "$bin/celery" -A elaas_portal beat --loglevel=INFO --schedule var/celerybeat-schedule >var/celery-beat.log 2>&1 &
  pids+=($!)
  echo "Celery worker and beat started (logs in var/celery-*.log)."
fi
echo "Serving the portal at http://$host:$port/"
"$bin/python" manage.py runserver "$host:$port"
