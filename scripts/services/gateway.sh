#!/usr/bin/env bash
# The Lakegate gateway for tests.  Usage: scripts/services/gateway.sh start|stop|status
#
#   LAKEGATE_PORT            PG wire port on 127.0.0.1 (default 7432)
#   GATEWAY_START_TIMEOUT    seconds to wait for it to accept connections (default 60)
#   GATEWAY_SKIP_BUILD=1     don't run `npm run build` first
#   PG_TEST_PORT             the test PostgreSQL (scripts/services/postgres.sh, default 54329)
#   (the server itself also reads LAKEGATE_HTTP_PORT, default 7080, 0 = off, from the environment)
#
# When the test PostgreSQL accepts connections at start, the gateway also gets catalog `pg`
# (connector postgresql, database lakegate_remote as user postgres) through
# `--catalog-dir .tmp/test-catalogs`, written here; the client suites list and join its tables.
#
# start: npm run build, then `node dist/server/main.js --port PORT` in the
# background (log .tmp/services/gateway/gateway.log), waits until the port
# accepts PostgreSQL connections; prints the log and fails on timeout or exit.
# stop: stops exactly the process start recorded.  Both idempotent.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/service-lib.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${LAKEGATE_PORT:-7432}"
PG_PORT="${PG_TEST_PORT:-54329}"
CATALOGS="$ROOT/.tmp/test-catalogs"
STATE="$ROOT/.tmp/services/gateway"
LOG="$STATE/gateway.log"
PIDFILE="$STATE/gateway.pid"
TIMEOUT="${GATEWAY_START_TIMEOUT:-60}"

log() { echo "[gateway] $*" >&2; }

running_pid() { recorded_pid 'node'; }


accepting() {
  if command -v pg_isready >/dev/null 2>&1; then
    PGSSLMODE=disable PGCONNECT_TIMEOUT=2 pg_isready -q -h 127.0.0.1 -p "$PORT" -U lakegate -d lakegate -t 2
  else
    port_open "$PORT"
  fi
}

start() {
  if pid="$(running_pid)"; then log "already running (pid $pid)"; return 0; fi
  refuse_taken_port "$PORT" LAKEGATE_PORT
  mkdir -p "$STATE"
  cd "$ROOT"
  if [ "${GATEWAY_SKIP_BUILD:-0}" != 1 ]; then
    log "npm run build"
    if ! npm run --silent build >"$STATE/build.log" 2>&1; then
      log "build failed:"; cat "$STATE/build.log" >&2; exit 1
    fi
  fi
  [ -f dist/server/main.js ] || { log "dist/server/main.js missing after build"; exit 1; }
  local args=(--port "$PORT")
  if PGSSLMODE=disable PGCONNECT_TIMEOUT=2 pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d lakegate_remote -t 2 2>/dev/null; then
    mkdir -p "$CATALOGS"
    printf '%s\n' '# written by scripts/services/gateway.sh: the test PostgreSQL' 'connector.name=postgresql' \
      "connection-url=jdbc:postgresql://127.0.0.1:$PG_PORT/lakegate_remote" 'connection-user=postgres' >"$CATALOGS/pg.properties"
    args+=(--catalog-dir "$CATALOGS")
  fi
  log "starting node dist/server/main.js ${args[*]} (log $LOG)"
  # setsid: its own process group, so stop can take down anything it spawns
  setsid node --enable-source-maps dist/server/main.js "${args[@]}" >"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  await_ready "$TIMEOUT" "$pid" "accepting connections on 127.0.0.1:$PORT" accepting
  log "ready on 127.0.0.1:$PORT (pid $pid)"
}

stop() {
  stop_recorded 10
}

status() {
  report_status "127.0.0.1:$PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
