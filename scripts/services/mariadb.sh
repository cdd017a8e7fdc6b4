#!/usr/bin/env bash
# Real MariaDB for the mysql connector's tests.  Usage: scripts/services/mariadb.sh start|stop|status
#
#   MYSQL_TEST_PORT   listen port on 127.0.0.1 (default 33069)
#   MYSQL_TEST_DIR    state dir (default <repo>/.tmp/services/mariadb)
#
# start: installs mariadb-server from Debian if missing, creates a throwaway datadir
# (mariadb-install-db), starts mariadbd bound to 127.0.0.1 with its socket and pid file in
# the state dir, waits until it answers, and creates the user lakegate/lakegate (all
# privileges, from 127.0.0.1 and localhost) and the database `lakegate`.  Idempotent.
# stop: stops exactly the mariadbd recorded in the pid file.  Idempotent.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/service-lib.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${MYSQL_TEST_PORT:-33069}"
STATE="${MYSQL_TEST_DIR:-$ROOT/.tmp/services/mariadb}"
DATA="$STATE/data"
LOG="$STATE/mariadb.log"
PIDFILE="$STATE/mariadb.pid"
SOCKET="$STATE/mariadb.sock"

log() { echo "[mariadb] $*" >&2; }

running_pid() { recorded_pid 'mariadbd|mysqld'; }

ensure_installed() {
  command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 && return 0
  log "installing mariadb-server (Debian packages)"
  [ "$(id -u)" = 0 ] || { log "need root to apt-get install mariadb-server"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
  # the package may start its own server on the default socket/port; we only manage ours
}

client() {
  # the server's own client over our socket, as the OS user: mariadb-install-db gives root
  # and the user running it unix_socket authentication with all privileges
  mariadb --no-defaults --protocol=socket --socket="$SOCKET" -u "$(id -un)" "$@"
}

start() {
  if already_running; then return 0; fi
  refuse_taken_port "$PORT" MYSQL_TEST_PORT
  ensure_installed
  mkdir -p "$STATE"
  local user_opt=(); [ "$(id -u)" = 0 ] && user_opt=(--user=root)
  if [ ! -d "$DATA/mysql" ]; then
    log "mariadb-install-db $DATA"
    rm -rf "$DATA"
    mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$DATA" --auth-root-authentication-method=socket \
      --skip-test-db >"$STATE/install-db.log" 2>&1 || { cat "$STATE/install-db.log" >&2; exit 1; }
  fi
  rm -f "$SOCKET"
  : >"$LOG"
  log "starting on 127.0.0.1:$PORT (log $LOG)"
  # settings on the command line (no my.cnf is read), so a change of PORT needs no new datadir
  mariadbd --no-defaults "${user_opt[@]}" --datadir="$DATA" --bind-address=127.0.0.1 --port="$PORT" \
    --socket="$SOCKET" --pid-file="$STATE/mariadbd.pid" --log-error="$LOG" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 --skip-name-resolve \
    --max-connections=200 >/dev/null 2>&1 &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  echo "$PORT" >"$STATE/port"
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then log "mariadbd exited; log follows"; cat "$LOG" >&2; rm -f "$PIDFILE"; exit 1; fi
    client -e 'select 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  client -e 'select 1' >/dev/null 2>&1 || { log "not ready after 60 s; log follows"; cat "$LOG" >&2; stop; exit 1; }
  client <<'SQL'
CREATE USER IF NOT EXISTS 'lakegate'@'127.0.0.1' IDENTIFIED BY 'lakegate';
CREATE USER IF NOT EXISTS 'lakegate'@'localhost' IDENTIFIED BY 'lakegate';
GRANT ALL PRIVILEGES ON *.* TO 'lakegate'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'lakegate'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS lakegate CHARACTER SET utf8mb4;
SQL
  log "ready (pid $pid)"
}

stop() {
  stop_recorded 30
}

status() {
  report_status "127.0.0.1:$(cat "$STATE/port" 2>/dev/null), data $DATA"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
