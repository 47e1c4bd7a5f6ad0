#!/usr/bin/env bash
# A cluster on this one machine, on loopback ports only: nginx in front of two gunicorn app
# servers, two job workers, and the cluster's own PostgreSQL and Redis (never the machine's).
#
#   deploy/local-cluster.sh up        start everything (creates the cluster on first use)
#   deploy/local-cluster.sh down      stop everything (the data stays for the next `up`)
#   deploy/local-cluster.sh destroy   stop everything and delete the cluster's folder
#   deploy/local-cluster.sh status    what runs, and /readyz through nginx
#   deploy/local-cluster.sh env       the environment the app runs with (for manage.py)
# Faults, for the tests in tests/cluster/:
#   deploy/local-cluster.sh kill9 web1|web2|worker1|worker2   kill -9 the process and its children
#   deploy/local-cluster.sh start web1|web2|worker1|worker2
#   deploy/local-cluster.sh restart postgres|redis
#
# Settings (environment): CLUSTER_DIR (default /tmp/annotate-cluster), CLUSTER_PORT (nginx,
# 8280; the app servers take the next two), CLUSTER_PG_PORT (5442), CLUSTER_REDIS_PORT (6389),
# CLUSTER_TASK_BACKEND (rq).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${CLUSTER_DIR:-/tmp/annotate-cluster}"
PORT="${CLUSTER_PORT:-8280}"
PG_PORT="${CLUSTER_PG_PORT:-5442}"
REDIS_PORT="${CLUSTER_REDIS_PORT:-6389}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}"  # the newest installed
VENV_BIN="${VENV_BIN:-$ROOT/.venv/bin}"
NGINX="${NGINX:-/usr/sbin/nginx}"
WEB_PORTS=([1]=$((PORT + 1)) [2]=$((PORT + 2)))

# initdb and postgres refuse to run as root: as root, run them as the postgres user.
if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); else AS_PG=(); fi

log() { printf '[cluster] %s\n' "$*"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
  local limit=$1 what=$2; shift 2
  for _ in $(seq 1 $((limit * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "gave up waiting for $what"; return 1
}

write_env() {
  [ -f "$DIR/secret_key" ] || "$VENV_BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$DIR/secret_key"
  cat >"$DIR/cluster.env" <<EOF
ANNOTATE_ENV=production
SECRET_KEY=$(cat "$DIR/secret_key")
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$PORT,http://localhost:$PORT
# Plain HTTP on loopback: no TLS to redirect to.
SECURE_SSL_REDIRECT=false
SECURE_HSTS_SECONDS=0
SESSION_COOKIE_SECURE=false
CSRF_COOKIE_SECURE=false
TRUSTED_PROXIES=127.0.0.1/32
# nginx appends the client's address to X-Forwarded-For (rate limits and sign-in lockout).
TRUSTED_PROXY_COUNT=1
DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/annotate
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
# The queue too, whatever RQ_REDIS_URL the caller has (CI exports its own for the job tests).
RQ_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
TASK_BACKEND=${CLUSTER_TASK_BACKEND:-rq}
SESSION_STORE=cached_db
ANNOTATE_VAR_DIR=$DIR/shared
# Static files straight from the checkout (whitenoise's finders): compressing every file for
# collectstatic takes minutes on a busy 2-core machine and tells the tests nothing.
STATIC_COLLECTED=false
LOG_FORMAT=json
LOG_LEVEL=INFO
# A short lease: a killed worker's job is taken over within seconds (the fault tests).
JOBS_LEASE_SECONDS=${CLUSTER_JOBS_LEASE_SECONDS:-12}
JOBS_HEARTBEAT_SECONDS=2
WEB_CONCURRENCY=${CLUSTER_WEB_CONCURRENCY:-2}
WEB_THREADS=${CLUSTER_WEB_THREADS:-4}
EOF
}

load_env() { set -a; . "$DIR/cluster.env"; set +a; export PATH="$VENV_BIN:$PATH"; }

# --- PostgreSQL -------------------------------------------------------------------------------
pg_up() {
  if [ ! -f "$DIR/pg/PG_VERSION" ]; then
    log "initdb $DIR/pg"
    mkdir -p "$DIR/pg"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR/pg"
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$DIR/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log"
  fi
  if ! "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
    log "postgres on 127.0.0.1:$PG_PORT"
    touch "$DIR/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres: "$DIR/postgres.log"
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg" -l "$DIR/postgres.log" -w -t 60 start \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DIR/pg -c max_connections=200" >/dev/null
  fi
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='annotate'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres annotate
}

pg_down() {
  if [ -f "$DIR/pg/postmaster.pid" ]; then
    log "stop postgres"
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null || true
  fi
}

# --- Redis ------------------------------------------------------------------------------------
redis_up() {
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "redis on 127.0.0.1:$REDIS_PORT"
    # Append-only file: queued jobs survive a Redis restart.
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$DIR" \
      --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --save "" --appendonly yes --appendfsync everysec
    wait_for 20 redis redis-cli -p "$REDIS_PORT" ping
  fi
}

redis_down() {
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "stop redis"
    redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    wait_for 20 "redis to stop" bash -c "! redis-cli -p $REDIS_PORT ping"
  fi
}

# --- app servers and workers ------------------------------------------------------------------
web_up() {  # web_up N
  local n=$1
  pid_alive "$DIR/web$n.pid" && return 0
  log "app server web$n on 127.0.0.1:${WEB_PORTS[$n]}"
  ( load_env; cd "$ROOT"
    GUNICORN_BIND="127.0.0.1:${WEB_PORTS[$n]}" GUNICORN_PROC_NAME="annotate-web$n" \
      PROMETHEUS_MULTIPROC_DIR="$DIR/prometheus/web$n" \
      setsid gunicorn --config deploy/gunicorn.conf.py --pid "$DIR/web$n.pid" annotate.wsgi \
      >>"$DIR/web$n.log" 2>&1 </dev/null & )
  wait_for 60 "web$n" curl -sf "http://127.0.0.1:${WEB_PORTS[$n]}/healthz"
}

worker_command() {  # the Procfile's worker line: one definition of how jobs are run
  sed -n 's/^worker:[[:space:]]*//p' "$ROOT/Procfile"
}

worker_up() {  # worker_up N
  local n=$1
  pid_alive "$DIR/worker$n.pid" && return 0
  log "job worker worker$n: $(worker_command)"
  ( load_env; cd "$ROOT"
    setsid bash -c "echo \$\$ >'$DIR/worker$n.pid'; exec $(worker_command)" >>"$DIR/worker$n.log" 2>&1 </dev/null & )
  wait_for 10 "worker$n pid file" test -s "$DIR/worker$n.pid"
}

descendants() {  # descendants PID: its children, theirs, and so on
  local child
  for child in $(pgrep -P "$1" || true); do echo "$child"; descendants "$child"; done
}

stop_pidfile() {  # stop_pidfile NAME SIGNAL: the process group the pid file names
  local file="$DIR/$1.pid" signal=${2:-TERM}
  if pid_alive "$file"; then
    local pid; pid=$(cat "$file")
    # Its descendants by id as well: RQ's work horse runs in a session of its own (setsid), so
    # a kill -9 of the group alone would leave the job running, unlike a machine that dies.
    local children; children=$( [ "$signal" = KILL ] && descendants "$pid" || true)
    kill -"$signal" -- "-$pid" 2>/dev/null || kill -"$signal" "$pid" 2>/dev/null || true
    [ -n "$children" ] && kill -"$signal" $children 2>/dev/null || true
    if [ "$signal" = TERM ]; then
      wait_for 30 "$1 to stop" bash -c "! kill -0 $pid" || kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

# --- nginx ------------------------------------------------------------------------------------
nginx_conf() {
  mkdir -p "$DIR/nginx/tmp"
  cat >"$DIR/nginx/nginx.conf" <<EOF
# Written by deploy/local-cluster.sh; docs/deploy.md explains each choice.
worker_processes 2;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  log_format timed '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                   'rt=\$request_time upstream=\$upstream_addr ust=\$upstream_status id=\$request_id';
  access_log $DIR/nginx/access.log timed;
  client_body_temp_path $DIR/nginx/tmp/body;
  proxy_temp_path $DIR/nginx/tmp/proxy;
  fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
  uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
  scgi_temp_path $DIR/nginx/tmp/scgi;
  client_max_body_size 64m;

  upstream annotate {
    server 127.0.0.1:${WEB_PORTS[1]} max_fails=1 fail_timeout=5s;
    server 127.0.0.1:${WEB_PORTS[2]} max_fails=1 fail_timeout=5s;
    keepalive 32;
  }

  server {
    listen 127.0.0.1:$PORT;
    # Metrics are scraped from each app server directly, never through the public proxy.
    location = /metrics { return 404; }
    location / {
      proxy_pass http://annotate;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-ID \$request_id;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      # A server that refuses the connection or times out is skipped for the next one. A POST
      # (or PATCH, DELETE) already sent is never re-sent blindly (nginx leaves out
      # non_idempotent on purpose): the client retries it with its Idempotency-Key.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 2;
    }
  }
}
EOF
}

nginx_up() {
  nginx_conf
  if pid_alive "$DIR/nginx/nginx.pid"; then
    "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" -s reload
  else
    log "nginx on http://127.0.0.1:$PORT"
    "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log"
  fi
  wait_for 20 nginx curl -sf "http://127.0.0.1:$PORT/healthz"
}

nginx_down() {
  if pid_alive "$DIR/nginx/nginx.pid"; then
    log "stop nginx"
    "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" -s quit || true
    wait_for 20 "nginx to stop" bash -c "! test -f '$DIR/nginx/nginx.pid'" || true
  fi
}

# --- commands ---------------------------------------------------------------------------------
up() {
  [ -x "$NGINX" ] || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 1; }
  mkdir -p "$DIR/shared"
  write_env
  pg_up
  redis_up
  ( load_env; cd "$ROOT"
    python manage.py migrate --no-input -v 0 )
  web_up 1; web_up 2
  worker_up 1; worker_up 2
  nginx_up
  log "up: http://127.0.0.1:$PORT (env: $DIR/cluster.env)"
}

down() {
  nginx_down
  for name in worker1 worker2 web1 web2; do stop_pidfile "$name" TERM; done
  redis_down
  pg_down
  log "down"
}

status() {
  local state=0
  for name in web1 web2 worker1 worker2 nginx/nginx; do
    if pid_alive "$DIR/$name.pid"; then echo "$name: up (pid $(cat "$DIR/$name.pid"))"; else echo "$name: down"; state=1; fi
  done
  if "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then echo "postgres: up (127.0.0.1:$PG_PORT)"; else echo "postgres: down"; state=1; fi
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then echo "redis: up (127.0.0.1:$REDIS_PORT)"; else echo "redis: down"; state=1; fi
  echo "readyz: $(curl -s "http://127.0.0.1:$PORT/readyz" || echo unreachable)"
  return $state
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  destroy) down; rm -rf "$DIR"; log "removed $DIR" ;;
  status) status ;;
  env) cat "$DIR/cluster.env" ;;
  kill9) stop_pidfile "$2" KILL ;;
  start)
    case "$2" in
      web1|web2) web_up "${2#web}" ;;
      worker1|worker2) worker_up "${2#worker}" ;;
      *) echo "start web1|web2|worker1|worker2" >&2; exit 2 ;;
    esac ;;
  restart)
    case "$2" in
      postgres) log "restart postgres"; "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w restart >/dev/null ;;
      redis) redis_down; redis_up ;;
      *) echo "restart postgres|redis" >&2; exit 2 ;;
    esac ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
