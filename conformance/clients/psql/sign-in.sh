#!/usr/bin/env bash
# psql sign-in suite: starts its own gateway (dist/server/main.js, so `npm run build` first) on a
# free port with a password file, pg_hba-style rules and a self-signed TLS certificate, and checks
# with the real psql: SCRAM-SHA-256 over plaintext, SCRAM-SHA-256-PLUS with channel_binding=require,
# the same FATAL 28P01 for a wrong password and an unknown user, a missing pg_hba entry (28000),
# and max_connections (53300). Stops exactly the process it started.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
PSQL="${PSQL:-psql}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakegate-sign-in.XXXXXX")"
GW_PID=""
HOLD_PID=""
cleanup() {
  [ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
  [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export PGCONNECT_TIMEOUT=10
unset PGSERVICE PGOPTIONS PGHOSTADDR PGPASSWORD PGSSLMODE PGCHANNELBINDING

pass=0 fail=0
ok()  { pass=$((pass+1)); echo "  ok    $1"; }
bad() { fail=$((fail+1)); echo "  FAIL  $1"; shift; for l in "$@"; do printf '        %s\n' "$l"; done; }

[ -f "$ROOT/dist/server/main.js" ] || { echo "dist/ is missing: run npm run build" >&2; exit 2; }
LAKEGATE_NEW_PASSWORD='s3cret pw' node "$ROOT/dist/auth/cli/add-user.js" "$WORK/passwords" alice >/dev/null || exit 2
cat >"$WORK/hba.conf" <<'HBA'
host all alice 127.0.0.1/32 scram-sha-256
host all ghost all          scram-sha-256
HBA
echo '{"hba":"hba.conf","passwords":"passwords","maxConnections":1}' >"$WORK/auth.json"

node "$ROOT/dist/server/main.js" --port 0 --http-port 0 --auth-config "$WORK/auth.json" >"$WORK/log" 2>&1 &
GW_PID=$!
PORT=""
for _ in $(seq 100); do
  PORT="$(sed -n 's/^Lakegate listening on .*:\([0-9][0-9]*\) .*/\1/p' "$WORK/log")"
  [ -n "$PORT" ] && break
  kill -0 "$GW_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "gateway did not start:"; cat "$WORK/log"; exit 2; }
echo "psql sign-in suite: $($PSQL --version) -> 127.0.0.1:$PORT"

conn() { echo "host=127.0.0.1 port=$PORT dbname=lakegate user=$1 ${2:-sslmode=disable}"; }
# check NAME WANT(stdout or stderr substring) PASSWORD CONNINFO
check() {
  local name="$1" want="$2" out
  out="$(PGPASSWORD="$3" timeout 30 "$PSQL" -X -A -t "$4" -c 'select 1 + 1' 2>&1)"
  case "$out" in *"$want"*) ok "$name" ;; *) bad "$name" "expected: $want" "got: $out" ;; esac
}

check "SCRAM-SHA-256 over plaintext" "2" 's3cret pw' "$(conn alice)"
check "SCRAM-SHA-256-PLUS, channel_binding=require" "2" 's3cret pw' "$(conn alice 'sslmode=require channel_binding=require')"
check "wrong password -> 28P01" 'FATAL:  password authentication failed for user "alice"' 'nope' "$(conn alice)"
check "unknown user -> the same 28P01" 'FATAL:  password authentication failed for user "ghost"' 'nope' "$(conn ghost)"
check "no pg_hba entry -> 28000" 'FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "bob", database "lakegate", no encryption' 'x' "$(conn bob)"

# max_connections=1: hold one session open, the next gets 53300, then a slot is free again
mkfifo "$WORK/hold"
(PGPASSWORD='s3cret pw' "$PSQL" -X -q "$(conn alice)" <"$WORK/hold" >/dev/null 2>&1) &
HOLD_PID=$!
exec 3>"$WORK/hold"
echo 'select 1;' >&3
sleep 1
check "max_connections reached -> 53300" 'FATAL:  sorry, too many clients already' 's3cret pw' "$(conn alice)"
exec 3>&-
wait "$HOLD_PID" 2>/dev/null
HOLD_PID=""
sleep 0.3
check "the slot is free after the disconnect" "2" 's3cret pw' "$(conn alice)"

echo "psql sign-in: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
