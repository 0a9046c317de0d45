#!/usr/bin/env bash
# Serve the portal; with REDIS_URL set, also a Celery worker and beat, stopped with it. Without a
# real ThaID (THAID_SERVER_URL unset), also the development stand-in for ThaID (devidp/) on the
# next port: NOT ThaID, for development only.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
bin=.venv/bin
pids=()
# Every link in mail and the inbox starts with PORTAL_URL: this server's own address unless given.
case $host in 0.0.0.0 | "::" | "[::]") link_host=127.0.0.1 ;; *) link_host=$host ;; esac
export PORTAL_URL="${PORTAL_URL:-http://$link_host:$port}"
cleanup() { for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  mkdir -p var
  # One worker for both queues in development: the default one and circular intake's.
  "$bin/celery" -A elaas_portal worker --loglevel=INFO --concurrency=2 -Q celery,intake >var/celery-worker.log 2>&1 &
  pids+=($!)
  "$bin/celery" -A elaas_portal beat --loglevel=INFO --schedule var/celerybeat-schedule >var/celery-beat.log 2>&1 &
  pids+=($!)
  echo "Celery worker and beat started (logs in var/celery-*.log)."
fi
if [ -z "${THAID_SERVER_URL:-}" ] && [ "${ELAAS_ENV:-development}" != "production" ] \
  && "$bin/python" -c 'import oauth2_provider' 2>/dev/null; then
  idp_port=$((port + 1))
  mkdir -p var
  idp_env=(env DJANGO_SETTINGS_MODULE=devidp.settings DEVIDP_DB=var/devidp.sqlite3)
  "${idp_env[@]}" "$bin/python" manage.py migrate --no-input -v 0
  "${idp_env[@]}" "$bin/python" manage.py devidp_setup \
    --redirect-uri "http://$host:$port/accounts/oidc/thaid/login/callback/" \
    --redirect-uri "http://localhost:$port/accounts/oidc/thaid/login/callback/"
  "${idp_env[@]}" "$bin/python" manage.py runserver "$host:$idp_port" --noreload \
    >var/devidp.log 2>&1 &
  pids+=($!)
  export THAID_SERVER_URL="http://$host:$idp_port/o"
  export THAID_CLIENT_ID="${DEVIDP_CLIENT_ID:-elaas-portal-dev}"
  export THAID_CLIENT_SECRET="${DEVIDP_CLIENT_SECRET:-elaas-portal-dev-secret}"
  echo "ThaID development stand-in (not ThaID) at $THAID_SERVER_URL (log in var/devidp.log)."
fi
echo "Serving the portal at http://$host:$port/ (links in mail: $PORTAL_URL)"
"$bin/python" manage.py runserver "$host:$port"
