# Sourced by the service scripts: finding, starting beside and stopping exactly what their
# `start` recorded.  They define `log`, $PIDFILE, $STATE and $PORT before calling these.
#
# port_open PORT: true when something listens on 127.0.0.1:PORT.
#
# already_running: true (and logged) when the recorded process is up on $PORT; exits when it
# runs on another port.
#
# refuse_taken_port PORT VARIABLE: exits naming VARIABLE when another process holds PORT.
#
# recorded_pid COMM_REGEX: prints the pid in $PIDFILE when that process is alive and its
# command name matches COMM_REGEX (so a reused pid is never taken for the service).
#
# stop_recorded SECONDS: stops the process (group) whose leader the caller's `running_pid`
# prints -- SIGTERM, then SIGKILL after SECONDS -- and removes $PIDFILE; logs with the
# caller's `log`.  Idempotent.
#
# await_ready SECONDS PID WHAT CMD...: polls CMD until it succeeds.  If PID exits first, logs
# "exited before WHAT" with $LOG and exits 1; after SECONDS, logs "not WHAT after SECONDS s"
# with $LOG, calls the caller's `stop` and exits 1.
#
# report_status DETAIL: prints "running (pid N, DETAIL)", or "stopped" and returns 3.
stop_recorded() {
  local wait_s="$1" pid
  if ! pid="$(running_pid)"; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  log "stopping pid $pid"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait_s * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop in ${wait_s}s; SIGKILL"; kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

recorded_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  grep -Eq "$1" "/proc/$pid/comm" 2>/dev/null || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

already_running() {
  local pid was
  pid="$(running_pid)" || return 1
  was="$(cat "$STATE/port" 2>/dev/null || echo '?')"
  [ "$was" = "$PORT" ] || { log "already running on port $was (pid $pid), not $PORT; stop it first"; exit 1; }
  log "already running (pid $pid, port $PORT)"
}

refuse_taken_port() {
  if port_open "$1"; then log "127.0.0.1:$1 is already in use by another process (not ours); set $2"; exit 1; fi
}

await_ready() {
  local timeout="$1" pid="$2" what="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "exited before $what; log follows"; cat "$LOG" >&2; rm -f "$PIDFILE"; exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "not $what after ${timeout}s; log follows"; cat "$LOG" >&2; stop; exit 1
    fi
    sleep 0.1
  done
}

report_status() {
  local pid
  if pid="$(running_pid)"; then echo "running (pid $pid, $1)"; else echo "stopped"; return 3; fi
}
