# Sourced by the service scripts: finding and stopping exactly what their `start` recorded.
#
# recorded_pid COMM_REGEX: prints the pid in $PIDFILE when that process is alive and its
# command name matches COMM_REGEX (so a reused pid is never taken for the service).
#
# stop_recorded SECONDS: stops the process (group) whose leader the caller's `running_pid`
# prints -- SIGTERM, then SIGKILL after SECONDS -- and removes $PIDFILE; logs with the
# caller's `log`.  Idempotent.
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
