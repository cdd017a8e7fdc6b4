#!/usr/bin/env bash
# Real PostgreSQL 15 for tests (the oracle for wire scripts, client suites and
# differential checks).  Usage: scripts/services/postgres.sh start|stop|status
#
#   PG_TEST_PORT   listen port on 127.0.0.1 (default 54329)
#   PG_TEST_DIR    state dir (default <repo>/.tmp/services/postgres)
#
# start: installs postgresql-15 from Debian if missing, initdb's a throwaway
# cluster (trust auth for 127.0.0.1 only, fsync off), starts it, and creates
# the roles/databases tests use: lakegate/lakegate (client suites pointed at
# PostgreSQL), the OS user's role+database (psql with no -U/-d),
# lakegate_oracle (differential oracle) and lakegate_remote (the database the
# gateway's `pg` catalog reads in the client suites, scripts/services/gateway.sh:
# one fixture table public.warehouses, recreated on every start).  Idempotent.
# stop: stops exactly the postmaster recorded in the pid file.  Idempotent.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/service-lib.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${PG_TEST_PORT:-54329}"
STATE="${PG_TEST_DIR:-$ROOT/.tmp/services/postgres}"
PGBIN=/usr/lib/postgresql/15/bin
RUN_AS=postgres              # OS user the server runs as (postgres refuses root)
DATA="$STATE/data"
LOG="$STATE/postgres.log"
PIDFILE="$STATE/postgres.pid"

log() { echo "[postgres] $*" >&2; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

running_pid() { recorded_pid 'postgres'; }

ensure_installed() {
  [ -x "$PGBIN/postgres" ] && return 0
  log "installing postgresql-15 (Debian packages)"
  [ "$(id -u)" = 0 ] || { log "need root to apt-get install postgresql-15"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  # Debian's package creates and starts its own 'main' cluster on 5432; we
  # don't use it, but leave it to the package (we only manage ours).
}

ensure_user() {
  [ "$(id -u)" = 0 ] || { RUN_AS="$(id -un)"; return 0; }
  if ! id "$RUN_AS" >/dev/null 2>&1; then
    log "creating OS user $RUN_AS"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$RUN_AS"
  fi
}

start() {
  if already_running; then return 0; fi
  refuse_taken_port "$PORT" PG_TEST_PORT
  ensure_installed
  ensure_user
  mkdir -p "$STATE"
  if [ "$(id -u)" = 0 ]; then
    chown "$RUN_AS" "$STATE"
    if ! runuser -u "$RUN_AS" -- test -w "$STATE"; then
      log "OS user $RUN_AS cannot reach $STATE (a parent directory is not traversable); set PG_TEST_DIR"
      exit 1
    fi
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initdb $DATA"
    rm -rf "$DATA"
    as_owner "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
      || { cat "$STATE/initdb.log" >&2; exit 1; }
    cat >"$DATA/pg_hba.conf" <<HBA
# lakegate test cluster: trust, loopback TCP only
host all all 127.0.0.1/32 trust
HBA
  fi
  # settings are passed on the command line so a change of PORT needs no re-initdb
  : >"$LOG"; [ "$(id -u)" = 0 ] && chown "$RUN_AS" "$LOG"
  log "starting on 127.0.0.1:$PORT (log $LOG)"
  if ! as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start -o \
      "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c shared_buffers=128MB -c logging_collector=off" >/dev/null; then
    log "failed to start; log follows"; cat "$LOG" >&2; exit 1
  fi
  head -1 "$DATA/postmaster.pid" >"$PIDFILE"
  echo "$PORT" >"$STATE/port"
  local psql=("$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1)
  local me; me="$(id -un)"
  for role in lakegate "$me"; do
    "${psql[@]}" -d postgres -c "do \$\$ begin if not exists (select from pg_roles where rolname = '$role') then create role \"$role\" superuser login; end if; end \$\$"
  done
  for db in lakegate lakegate_oracle lakegate_remote "$me"; do
    if [ -z "$("${psql[@]}" -d postgres -Atc "select 1 from pg_database where datname = '$db'")" ]; then
      "${psql[@]}" -d postgres -c "create database \"$db\""
    fi
  done
  "${psql[@]}" -d lakegate_remote <<'SQL'
set client_min_messages = warning;
drop table if exists public.warehouses;
create table public.warehouses (id integer primary key, name varchar(30) not null, nation_key integer, capacity numeric(12,2), opened date);
insert into public.warehouses values (1, 'Rotterdam', 17, 12500.50, '2019-04-01'), (2, 'Osaka', 12, 8000.00, '2021-10-15'), (3, 'Santos', 2, null, null);
SQL
  log "ready (pid $(cat "$PIDFILE"))"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  log "stopping pid $pid"
  if [ -f "$DATA/postmaster.pid" ] && [ "$(head -1 "$DATA/postmaster.pid")" = "$pid" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null || kill -TERM "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && { log "pid $pid did not stop; sending SIGQUIT"; kill -QUIT "$pid" 2>/dev/null || true; }
  rm -f "$PIDFILE"
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
