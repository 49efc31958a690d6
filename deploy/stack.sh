#!/usr/bin/env bash
# Xiaobao as it runs when one machine is not enough, on one machine for testing: Debian's
# PostgreSQL and redis-server, two gunicorn instances of the app on their own ports, and nginx in
# front of both, like a real deployment (see README, "Several app servers").
#
#   deploy/stack.sh start    # prints the address; state, logs and config under $STACK_DIR
#   deploy/stack.sh stop
#   deploy/stack.sh status
#
# Settings (environment): STACK_DIR (default /tmp/xiaobao-stack), STACK_HTTP_PORT (8080),
# STACK_APP_PORTS ("8001 8002"), STACK_PG_PORT (55450), STACK_REDIS_PORT (6390). Any other variable
# the app reads (FLASK_PUBLIC_PLAY_RATE_LIMIT, ...) is passed to both instances.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${STACK_DIR:-/tmp/xiaobao-stack}"
HTTP_PORT="${STACK_HTTP_PORT:-8080}"
APP_PORTS="${STACK_APP_PORTS:-8001 8002}"
PG_PORT="${STACK_PG_PORT:-55450}"
REDIS_PORT="${STACK_REDIS_PORT:-6390}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
VENV="$ROOT/.venv/bin"

as_postgres() {  # PostgreSQL refuses to run as root
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "stack: $tool is missing (apt-get install postgresql redis-server nginx)" >&2; exit 1; }
  done
  [ -n "$PG_BIN" ] || { echo "stack: PostgreSQL is missing (apt-get install postgresql)" >&2; exit 1; }
  [ -x "$VENV/gunicorn" ] || { echo "stack: run make install first (gunicorn comes with the server extra)" >&2; exit 1; }
}

app_env() {
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/xiaobao"
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  export SECRET_KEY="$(cat "$DIR/secret_key")"
  export TRUSTED_PROXIES=1 FLASK_APP=wsgi
}

start_postgres() {
  mkdir -p "$DIR/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres "$DIR/pg"; fi
  [ -f "$DIR/pg/data/PG_VERSION" ] || as_postgres "$PG_BIN/initdb -D $DIR/pg/data -A trust -U postgres -E UTF8 --locale=C.UTF-8 >$DIR/pg/initdb.log"
  as_postgres "$PG_BIN/pg_ctl -D $DIR/pg/data -l $DIR/pg/log -w -o '-p $PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1' start >/dev/null"
  as_postgres "$PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname = 'xiaobao'\"" | grep -q 1 \
    || as_postgres "$PG_BIN/createdb -h 127.0.0.1 -p $PG_PORT -U postgres xiaobao"
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR"
}

start_apps() {
  app_env
  (cd "$ROOT" && "$VENV/flask" db upgrade >"$DIR/migrate.log" 2>&1 && "$VENV/flask" content sync >>"$DIR/migrate.log" 2>&1)
  for port in $APP_PORTS; do
    (cd "$ROOT" && "$VENV/gunicorn" -w 2 -k sync -b "127.0.0.1:$port" --daemon --pid "$DIR/app-$port.pid" \
      --access-logfile "$DIR/app-$port.access.log" --error-logfile "$DIR/app-$port.log" wsgi:app)
  done
}

start_nginx() {
  local servers="" user=""
  for port in $APP_PORTS; do servers="$servers    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'; done
  if [ "$(id -u)" = 0 ]; then user="user root;"; fi
  mkdir -p "$DIR/nginx"
  cat >"$DIR/nginx/nginx.conf" <<EOF
$user
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log $DIR/nginx/access.log;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  client_max_body_size 16m;
  upstream xiaobao {
$servers    keepalive 32;
  }
  server {
    listen 127.0.0.1:$HTTP_PORT;
    location / {
      proxy_pass http://xiaobao;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      # a request that reached an instance is never sent to the other one: an answer must not
      # count twice. Only a connection refused (the instance is down) moves it on.
      proxy_next_upstream error;
    }
  }
}
EOF
  nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx"
}

stop_all() {
  [ -f "$DIR/nginx/nginx.pid" ] && nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -s stop 2>/dev/null || true
  for pid in "$DIR"/app-*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; rm -f "$pid"; done
  [ -f "$DIR/redis.pid" ] && kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
  [ -n "$PG_BIN" ] && [ -f "$DIR/pg/data/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl -D $DIR/pg/data -m fast stop >/dev/null" || true
}

case "${1:-}" in
  start)
    need redis-server nginx
    mkdir -p "$DIR"
    [ -f "$DIR/secret_key" ] || "$VENV/python" -c "import secrets; print(secrets.token_hex(32))" >"$DIR/secret_key"
    start_postgres
    start_redis
    start_apps
    start_nginx
    echo "Xiaobao stack: http://127.0.0.1:$HTTP_PORT (nginx) → app instances on $APP_PORTS; PostgreSQL :$PG_PORT, Redis :$REDIS_PORT; logs in $DIR"
    ;;
  stop) stop_all; echo "Xiaobao stack stopped" ;;
  status)
    for port in $HTTP_PORT $APP_PORTS; do
      printf '%s ' "$port"; curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$port/healthz" || echo down
    done
    ;;
  *) echo "usage: deploy/stack.sh start|stop|status" >&2; exit 2 ;;
esac
