#!/usr/bin/env bash
# The production configuration on this machine, without containers (README, "Production"):
# nginx terminating TLS on https://$PROD_HOST:$PROD_HTTPS_PORT/ in front of two gunicorn
# instances, a Celery worker and beat, all with ELAAS_ENV=production and DEBUG off.
#
#   scripts/prod.sh start    start everything in the background; prints the base URL
#   scripts/prod.sh stop     stop what `start` started (by the pids it wrote)
#   scripts/prod.sh run      start, then wait; Ctrl-C stops everything (`make prod`)
#   scripts/prod.sh status   which processes of this run folder are alive
#   scripts/prod.sh cert     make the self-signed certificate only (docker-compose.yml uses it)
#   scripts/prod.sh reload   new code without a refused request: each gunicorn instance in turn
#                            (HUP: new workers, the old finish their requests), then the Celery
#                            worker (warm shutdown: its tasks finish) and beat, then nginx
#   scripts/prod.sh upgrade  check --deploy, migrate, collectstatic, then reload
#   scripts/prod.sh backup DIR    manage.py backup: the database and the evidence in DIR/<date>/
#   scripts/prod.sh restore PATH  manage.py restore: into an empty database and evidence folder
#
# Required: SECRET_KEY, NATIONAL_ID_HASH_KEY, MFA_ENCRYPTION_KEY, DATABASE_URL (PostgreSQL),
# REDIS_URL: two instances share sessions, login limits and the cache only through them.
# Overridable (defaults in brackets): PROD_DIR [var/prod] (config, certificate, pids, logs),
# PROD_HOST [127.0.0.1], PROD_HTTPS_PORT [8443], PROD_WEB_PORTS ["8001 8002"] (one gunicorn
# instance per port), WEB_WORKERS [2] (sync workers per instance), PROD_QUEUE [WEB_WORKERS]
# (requests waiting in an instance's backlog before nginx answers "busy"), PROD_RETRY_AFTER
# [10], TLS_CERT and TLS_KEY [a self-signed pair made in $PROD_DIR/tls], PRIVATE_MEDIA_ROOT
# [var/private], ALLOWED_HOSTS [$PROD_HOST,localhost], PROD_CELERY [1], PROD_MIGRATE [1].
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

PROD_DIR=${PROD_DIR:-var/prod}
mkdir -p "$PROD_DIR"
PROD_DIR=$(cd "$PROD_DIR" && pwd)
PROD_HOST=${PROD_HOST:-127.0.0.1}
PROD_HTTPS_PORT=${PROD_HTTPS_PORT:-8443}
PROD_WEB_PORTS=${PROD_WEB_PORTS:-8001 8002}
WEB_WORKERS=${WEB_WORKERS:-2}
PROD_QUEUE=${PROD_QUEUE:-$WEB_WORKERS}
PROD_RETRY_AFTER=${PROD_RETRY_AFTER:-10}
PROD_CELERY=${PROD_CELERY:-1}
PROD_MIGRATE=${PROD_MIGRATE:-1}
bin=${PROD_BIN:-$root/.venv/bin}
run_dir=$PROD_DIR/run
logs=$PROD_DIR/logs
base_url="https://$PROD_HOST:$PROD_HTTPS_PORT"

say() { printf 'prod: %s\n' "$*"; }
die() { printf 'prod: %s\n' "$*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stop one process started by `launch` and its group. The Celery worker gets SIGTERM alone (its
# pool children are its to stop): a warm shutdown, where the tasks in hand finish and the others
# go back to Redis unacknowledged (acks late); after PROD_WORKER_GRACE seconds [60] it is killed,
# and Redis gives its unfinished task to another worker after the visibility timeout.
stop_one() {
  local name=$1 pidfile=$run_dir/$1.pid pid grace=5
  pid=$(cat "$pidfile" 2>/dev/null) || return 0
  if kill -0 "$pid" 2>/dev/null; then
    if [ "$name" = worker ] || [ "$name" = intake-worker ]; then
      grace=${PROD_WORKER_GRACE:-60}
      kill -TERM "$pid" 2>/dev/null || true
    else
      # Each was started as the leader of its own process group: the group is its workers.
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    say "stopped $name ($pid)"
  fi
  rm -f "$pidfile"
}

stop() {
  local pidfile
  [ -d "$run_dir" ] || return 0
  # Tells a waiting `run` (make prod) that the stop is wanted: it ends with status 0, and its
  # EXIT trap stops too. One stop at a time (flock): the second finds what the first left.
  # The lock's descriptor lives in a subshell only: `start` stops first, and a descriptor left
  # open in its shell would be inherited by every process it launches, holding the lock forever.
  touch "$run_dir/stopping"
  (
    flock 9
    for pidfile in "$run_dir"/*.pid; do
      [ -f "$pidfile" ] || continue
      stop_one "$(basename "$pidfile" .pid)"
    done
  ) 9>"$run_dir/stop.lock"
}

# 0 when every process started is alive; 1 when one is dead or none was started.
status() {
  local pidfile seen=0 dead=0
  for pidfile in "$run_dir"/*.pid; do
    [ -f "$pidfile" ] || continue
    seen=1
    if alive "$pidfile"; then echo "$(basename "$pidfile" .pid) $(cat "$pidfile") running"
    else echo "$(basename "$pidfile" .pid) dead"; dead=1; fi
  done
  [ $seen = 1 ] && [ $dead = 0 ]
}

any_alive() {
  local pidfile
  for pidfile in "$run_dir"/*.pid; do alive "$pidfile" && return 0; done
  return 1
}

# A process in its own group (setsid), so that `stop` ends it and its workers, nothing else.
launch() {
  local name=$1; shift
  setsid "$@" >"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
}

require() {
  local name
  for name in SECRET_KEY NATIONAL_ID_HASH_KEY MFA_ENCRYPTION_KEY DATABASE_URL REDIS_URL; do
    if [ -z "${!name:-}" ]; then
      case $name in
        DATABASE_URL) why="PostgreSQL shared by both instances: postgres://user@host:5432/db" ;;
        REDIS_URL) why="sessions, login limits and the cache shared by both instances: redis://host:6379/0" ;;
        MFA_ENCRYPTION_KEY) why="python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'" ;;
        *) why="a long random secret, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'" ;;
      esac
      die "$name is not set; the production configuration needs it ($why)."
    fi
  done
  case $DATABASE_URL in postgres://*|postgresql://*) ;; *)
    die "DATABASE_URL must be a PostgreSQL URL (two instances and a worker share it), not ${DATABASE_URL%%:*}://" ;;
  esac
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] ||
    die "nginx is not installed: apt-get install nginx (Debian's package)"
  command -v openssl >/dev/null || die "openssl is not installed: apt-get install openssl"
  command -v envsubst >/dev/null || die "envsubst is not installed: apt-get install gettext-base"
  command -v curl >/dev/null || die "curl is not installed: apt-get install curl (the readiness checks use it)"
}

certificate() {
  if [ -n "${TLS_CERT:-}" ] || [ -n "${TLS_KEY:-}" ]; then
    [ -r "${TLS_CERT:-}" ] || die "TLS_CERT=${TLS_CERT:-} is not a readable file (TLS_KEY is set: give both)"
    [ -r "${TLS_KEY:-}" ] || die "TLS_KEY=${TLS_KEY:-} is not a readable file (TLS_CERT is set: give both)"
    return
  fi
  TLS_CERT=$PROD_DIR/tls/cert.pem
  TLS_KEY=$PROD_DIR/tls/key.pem
  if [ ! -s "$TLS_CERT" ] || [ ! -s "$TLS_KEY" ]; then
    mkdir -p "$PROD_DIR/tls"
    (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:$PROD_HOST" \
      -keyout "$TLS_KEY" -out "$TLS_CERT" 2>"$logs/openssl.log") ||
      die "openssl could not make a certificate (see $logs/openssl.log)"
    say "made a self-signed certificate: $TLS_CERT"
  fi
}

nginx_config() {
  local servers="" port user_line=""
  for port in $PROD_WEB_PORTS; do
    servers+="server 127.0.0.1:$port max_conns=$((WEB_WORKERS + PROD_QUEUE)); "
  done
  local body_max=$(( ${REQUEST_BODY_MAX_BYTES:-$((5 * 1024 * 1024 * 10 + 1024 * 1024))} / 1048576 + 2 ))m
  mkdir -p "$PROD_DIR/nginx/tmp" "$PROD_DIR/nginx/cache"
  PORTAL_LISTEN="$PROD_HOST:$PROD_HTTPS_PORT" PORTAL_UPSTREAM_SERVERS="$servers" \
  PORTAL_TLS_CERT="$TLS_CERT" PORTAL_TLS_KEY="$TLS_KEY" PORTAL_STATIC_ROOT="$STATIC_ROOT" \
  PORTAL_BUSY_ROOT="$root/deploy/nginx" PORTAL_CACHE_DIR="$PROD_DIR/nginx/cache" \
  PORTAL_RETRY_AFTER="$PROD_RETRY_AFTER" PORTAL_BODY_MAX="$body_max" \
    envsubst '${PORTAL_LISTEN} ${PORTAL_UPSTREAM_SERVERS} ${PORTAL_TLS_CERT} ${PORTAL_TLS_KEY} ${PORTAL_STATIC_ROOT} ${PORTAL_BUSY_ROOT} ${PORTAL_CACHE_DIR} ${PORTAL_RETRY_AFTER} ${PORTAL_BODY_MAX}' \
    <deploy/nginx/portal.conf.template >"$PROD_DIR/nginx/portal.conf"
  # Run by the user who starts it; as root, its workers too stay that user.
  [ "$(id -u)" = 0 ] && user_line="user $(id -un) $(id -gn);"
  local t=$PROD_DIR/nginx/tmp
  cat >"$PROD_DIR/nginx/nginx.conf" <<CONF
# Rendered by scripts/prod.sh; edit deploy/nginx/portal.conf.template instead.
$user_line
worker_processes auto;
pid $run_dir/nginx.master-pid;
error_log $logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $logs/nginx-access.log;
    client_body_temp_path $t/body;
    proxy_temp_path $t/proxy;
    fastcgi_temp_path $t/fastcgi;
    uwsgi_temp_path $t/uwsgi;
    scgi_temp_path $t/scgi;
    include $PROD_DIR/nginx/portal.conf;
}
CONF
}

wait_ready() {
  local url=$1 what=$2
  for _ in $(seq 1 120); do
    if curl -skf -o /dev/null --max-time 2 "$url"; then return 0; fi
    sleep 0.5
  done
  die "$what did not answer at $url within 60 s (logs in $logs)"
}

# --- First run (issue 22): mail, the public address, the registry, circulars, first officer ---
# Production stops without EMAIL_URL (the settings say so too): say it here before anything, and
# say loudly where mail goes when EMAIL_URL=console was chosen on purpose.
require_mail_and_address() {
  if [ -z "${EMAIL_URL:-}" ] && [ -z "${EMAIL_HOST:-}" ] && [ -z "${EMAIL_BACKEND:-}" ]; then
    die "EMAIL_URL is not set: the mail server, e.g. smtp+tls://user:password@mail.example.go.th:587; or EMAIL_URL=console to write mail to the logs on purpose (nothing is sent)."
  fi
  if [ "${EMAIL_URL:-}" = console ]; then
    say "EMAIL_URL=console: mail is NOT sent, it is written to the logs in $logs (web*.log, worker.log)"
  fi
  # Every link in mail and the inbox starts with PORTAL_URL: this stack's address unless given.
  export PORTAL_URL=${PORTAL_URL:-$base_url}
}

# The national registry, the circulars and the first officer (scripts/first-run.sh, which the
# setup service of docker-compose.yml runs too): each idempotent, so every start runs them and
# the second changes nothing. PROD_FIRST_RUN=0 skips them (a database filled otherwise).
first_run() {
  [ "${PROD_FIRST_RUN:-1}" = 1 ] || return 0
  local began=$SECONDS
  PYTHON="$bin/python" REGISTRY_DATA_DIR="${REGISTRY_DATA_DIR:-$root/../shared/data/registry}" \
    sh scripts/first-run.sh || die "the first run failed (above): nothing started"
  say "first run done in $((SECONDS - began)) s (registry, circulars, first officer)"
}

start() {
  require_mail_and_address
  require
  mkdir -p "$run_dir" "$logs"
  if any_alive; then die "already running from $PROD_DIR (scripts/prod.sh stop first)"; fi
  stop >/dev/null 2>&1 || true
  rm -f "$run_dir/stopping" "$run_dir/reloading"
  export ELAAS_ENV=production DJANGO_SETTINGS_MODULE=elaas_portal.settings.production DEBUG=0
  export STATIC_ROOT=${STATIC_ROOT:-$PROD_DIR/static}
  export ALLOWED_HOSTS=${ALLOWED_HOSTS:-$PROD_HOST,localhost}
  export PRIVATE_MEDIA_ROOT=${PRIVATE_MEDIA_ROOT:-$root/var/private}
  # Settings name any malformed variable and stop here; every deploy check must pass.
  "$bin/python" manage.py check --deploy --fail-level WARNING ||
    die "manage.py check --deploy failed (above): nothing started"
  if [ "$PROD_MIGRATE" = 1 ]; then "$bin/python" manage.py migrate --no-input -v 0; fi
  first_run
  "$bin/python" manage.py collectstatic --no-input -v 0
  certificate
  nginx_config
  nginx -t -q -p "$PROD_DIR/nginx" -e "$logs/nginx-error.log" -c "$PROD_DIR/nginx/nginx.conf" ||
    die "nginx refused its configuration ($PROD_DIR/nginx/nginx.conf)"

  local port n=0
  for port in $PROD_WEB_PORTS; do
    n=$((n + 1))
    launch "web$n" "$bin/gunicorn" elaas_portal.wsgi --bind "127.0.0.1:$port" \
      --workers "$WEB_WORKERS" --timeout 60 --graceful-timeout 10 --backlog 64 \
      --forwarded-allow-ips 127.0.0.1 --access-logfile - --name "elaas-web$n"
  done
  if [ "$PROD_CELERY" = 1 ]; then
    launch_worker
    launch_beat
  fi
  launch nginx nginx -p "$PROD_DIR/nginx" -e "$logs/nginx-error.log" \
    -c "$PROD_DIR/nginx/nginx.conf" -g "daemon off;"
  n=0
  for port in $PROD_WEB_PORTS; do
    n=$((n + 1))
    wait_ready "http://127.0.0.1:$port/healthz/" "gunicorn web$n"
  done
  wait_ready "$base_url/healthz/" "nginx"
  say "serving $base_url/ (nginx, gunicorn on ports $PROD_WEB_PORTS; logs in $logs)"
}

# --- Upgrades: reload, upgrade (README, "Backup, restore and upgrades") ----------------------

# The pids of a process's children (a gunicorn master's workers), sorted, on one line.
children() { pgrep -P "$1" | sort | tr '\n' ' '; }

# One gunicorn instance gets new workers with the code on disk: HUP makes its master (which
# keeps the listening socket, so no connection is refused) fork new workers and stop the old
# ones gracefully, each after its request in hand. Done when none of the old workers is left
# and the instance answers /healthz/; meanwhile nginx's requests to it wait in its backlog.
reload_web() {
  local n=$1 port=$2 pidfile=$run_dir/web$1.pid pid old now left
  alive "$pidfile" || die "web$n is not running (scripts/prod.sh status)"
  pid=$(cat "$pidfile")
  old=$(children "$pid")
  local t0=$SECONDS
  kill -HUP "$pid"
  for _ in $(seq 1 600); do
    now=" $(children "$pid")"
    left=0
    for w in $old; do case $now in *" $w "*) left=1 ;; esac; done
    if [ $left = 0 ] && [ "$(echo $now | wc -w)" -ge "$WEB_WORKERS" ] &&
      curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$port/healthz/"; then
      say "reloaded web$n (workers $old-> $now) in $((SECONDS - t0)) s"
      return 0
    fi
    sleep 0.1
  done
  die "web$n did not come back within 60 s after HUP (logs in $logs/web$n.log)"
}

# Celery worker: warm shutdown (its tasks finish; acks late, so what it had not finished is
# given back), then a new one. Beat: restarted (its schedule is in a file). Rows of the outbox
# a worker held are given back by the sweep after the lease, never sent twice.
restart_celery() {
  [ -f "$run_dir/worker.pid" ] || return 0
  local t0=$SECONDS
  stop_one worker
  stop_one intake-worker
  launch_worker
  stop_one beat
  launch_beat
  say "restarted the Celery worker and beat in $((SECONDS - t0)) s"
}

launch_worker() {
  launch worker "$bin/celery" -A elaas_portal worker --loglevel=INFO \
    --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "elaas-worker@%h-$PROD_HTTPS_PORT"
  # Circular intake (OCR) on its own queue and worker: mail never waits behind it.
  launch intake-worker "$bin/celery" -A elaas_portal worker --loglevel=INFO -Q intake \
    --concurrency "${INTAKE_CONCURRENCY:-1}" --hostname "elaas-intake@%h-$PROD_HTTPS_PORT"
}

launch_beat() {
  launch beat "$bin/celery" -A elaas_portal beat --loglevel=INFO \
    --schedule "$run_dir/celerybeat-schedule"
}

reload() {
  local port n=0
  any_alive || die "nothing is running from $PROD_DIR (scripts/prod.sh start first)"
  require_mail_and_address  # the restarted Celery worker and beat need them as start gave them
  export ELAAS_ENV=production DJANGO_SETTINGS_MODULE=elaas_portal.settings.production DEBUG=0
  touch "$run_dir/reloading"  # a waiting `run` does not take a restarting worker for a crash
  trap 'rm -f "$run_dir/reloading"' EXIT
  for port in $PROD_WEB_PORTS; do
    n=$((n + 1))
    reload_web "$n" "$port"
  done
  restart_celery
  # nginx: the configuration rendered again from the template; only when it changed is it
  # tested and nginx told (HUP: new workers; the old close their idle keep-alive connections,
  # which a browser that had just sent a request on one retries).
  if alive "$run_dir/nginx.pid"; then
    local conf=$PROD_DIR/nginx
    export STATIC_ROOT=${STATIC_ROOT:-$PROD_DIR/static}
    cp "$conf/portal.conf" "$conf/portal.conf.running"
    cp "$conf/nginx.conf" "$conf/nginx.conf.running"
    certificate
    nginx_config
    if cmp -s "$conf/portal.conf" "$conf/portal.conf.running" &&
      cmp -s "$conf/nginx.conf" "$conf/nginx.conf.running"; then
      say "nginx: configuration unchanged, left running"
    elif nginx -t -q -p "$conf" -e "$logs/nginx-error.log" -c "$conf/nginx.conf"; then
      kill -HUP "$(cat "$run_dir/nginx.pid")"
      say "nginx: new configuration loaded"
    else
      mv "$conf/portal.conf.running" "$conf/portal.conf"
      mv "$conf/nginx.conf.running" "$conf/nginx.conf"
      die "nginx refused its new configuration (above): the old one still runs"
    fi
    rm -f "$conf/portal.conf.running" "$conf/nginx.conf.running"
  fi
  say "reloaded: $base_url/"
}

# Migrations first, while the old code still serves: a migration must suit the code before it
# and after it (add a column or table now, remove the old one in a later release).
upgrade() {
  require_mail_and_address
  require
  export ELAAS_ENV=production DJANGO_SETTINGS_MODULE=elaas_portal.settings.production DEBUG=0
  export STATIC_ROOT=${STATIC_ROOT:-$PROD_DIR/static}
  export ALLOWED_HOSTS=${ALLOWED_HOSTS:-$PROD_HOST,localhost}
  export PRIVATE_MEDIA_ROOT=${PRIVATE_MEDIA_ROOT:-$root/var/private}
  local t0=$SECONDS
  "$bin/python" manage.py check --deploy --fail-level WARNING ||
    die "manage.py check --deploy failed (above): nothing changed"
  "$bin/python" manage.py migrate --no-input -v 1 || die "migrate failed: the old code still runs"
  "$bin/python" manage.py collectstatic --no-input -v 0
  say "checked, migrated and collected the static files in $((SECONDS - t0)) s"
  reload
}

manage_production() {
  export ELAAS_ENV=production DJANGO_SETTINGS_MODULE=elaas_portal.settings.production DEBUG=0
  export PRIVATE_MEDIA_ROOT=${PRIVATE_MEDIA_ROOT:-$root/var/private}
  exec "$bin/python" manage.py "$@"
}

# `run` waits here. A process that dies ends it with status 1; `scripts/prod.sh stop` (make
# prod-stop) ends it with status 0; a reload's restarts are not deaths.
wait_running() {
  while true; do
    if [ -f "$run_dir/stopping" ]; then say "stopped by scripts/prod.sh stop"; exit 0; fi
    if [ ! -f "$run_dir/reloading" ] && ! status >/dev/null; then
      [ -f "$run_dir/stopping" ] && { say "stopped by scripts/prod.sh stop"; exit 0; }
      [ -f "$run_dir/reloading" ] && continue
      die "a process stopped: scripts/prod.sh status, logs in $logs"
    fi
    sleep 1
  done
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  cert) mkdir -p "$logs" && certificate && say "certificate: $TLS_CERT, key: $TLS_KEY" ;;
  reload) reload ;;
  upgrade) upgrade ;;
  backup) shift; manage_production backup "$@" ;;
  restore) shift; manage_production restore "$@" ;;
  run)
    trap stop EXIT
    trap 'exit 0' INT TERM  # Ctrl-C: the EXIT trap stops everything
    start
    say "Ctrl-C stops everything."
    wait_running
    ;;
  *) die "usage: scripts/prod.sh start|stop|run|status|cert|reload|upgrade|backup DIR|restore PATH" ;;
esac
