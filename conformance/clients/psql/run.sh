#!/usr/bin/env bash
# psql client suite: drives the real psql binary against the gateway.
#   LAKEGATE_HOST/LAKEGATE_PORT (default 127.0.0.1:7432), LAKEGATE_USER/LAKEGATE_DB (default lakegate)
#   LAKEGATE_TARGET=gateway (default) | postgres   -- postgres skips the checks that need the tpch catalog
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOST="${LAKEGATE_HOST:-127.0.0.1}"
PORT="${LAKEGATE_PORT:-7432}"
USER_="${LAKEGATE_USER:-lakegate}"
DB="${LAKEGATE_DB:-lakegate}"
TARGET="${LAKEGATE_TARGET:-gateway}"
PSQL="${PSQL:-psql}"
export PGCONNECT_TIMEOUT=10 PGAPPNAME=lakegate-psql-suite
unset PGSERVICE PGOPTIONS PGHOSTADDR

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakegate-psql.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

pass=0 fail=0 skip=0
ok()   { pass=$((pass+1)); echo "  ok    $1"; }
bad()  { fail=$((fail+1)); echo "  FAIL  $1"; shift; for l in "$@"; do printf '        %s\n' "$l"; done; }
skipped() { skip=$((skip+1)); echo "  skip  $1 ($2)"; }
gateway_only() { [ "$TARGET" = postgres ] && { skipped "$1" "needs the tpch catalog; target is postgres"; return 1; }; return 0; }

# psql with explicit connection settings; -X ignores ~/.psqlrc, -A -t gives bare values
q() { timeout 60 "$PSQL" -X -A -t -h "$HOST" -p "$PORT" -U "$USER_" -d "$DB" "$@"; }

# expect NAME EXPECTED_STDOUT psql-args...
expect() {
  local name="$1" want="$2"; shift 2
  local out rc
  out="$(q "$@" 2>"$WORK/err")"; rc=$?
  if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then ok "$name"
  else bad "$name" "exit $rc" "expected: $(printf %q "$want")" "got:      $(printf %q "$out")" "stderr:   $(head -c 600 "$WORK/err")"; fi
}

echo "psql suite: $($PSQL --version) -> $HOST:$PORT user=$USER_ db=$DB target=$TARGET"

# 1. the headline check  (tpch text columns are char(n) as in the TPC-H spec, so
#    psql shows them blank-padded, exactly as PostgreSQL does)
if gateway_only "count(*) of tpch.tiny.lineitem is 60175"; then
  expect "count(*) of tpch.tiny.lineitem is 60175" "60175" -c "select count(*) from tpch.tiny.lineitem"
fi
expect "-c simple select" "2" -c "select 1 + 1"

# 2. -f with several statements (simple-query protocol, one result per statement)
expect "-f file with several statements" "$(cat "$HERE/expected/several.out")" -f "$HERE/sql/several.sql"
if gateway_only "-f file over tpch"; then
  expect "-f file over tpch" "$(cat "$HERE/expected/tpch.out")" -f "$HERE/sql/tpch.sql"
fi

# 3. \copy (query) to 'file' with csv  (COPY ... TO STDOUT on the wire)
copy_check() {
  local name="$1" query="$2" expected_file="$3" out="$WORK/copy-$RANDOM.csv"
  local msg rc
  msg="$(q -c "\\copy ($query) to '$out' with csv" 2>&1)"; rc=$?
  if [ $rc -ne 0 ]; then bad "$name" "exit $rc" "$msg"; return; fi
  if [ "$msg" != "COPY $(wc -l <"$expected_file" | tr -d ' ')" ] && [ -n "$msg" ]; then
    bad "$name" "unexpected command tag: $msg"; return
  fi
  if cmp -s "$out" "$expected_file"; then ok "$name"
  else bad "$name" "file differs from $expected_file:" "$(diff "$expected_file" "$out" | head -10)"; fi
}
copy_check "\\copy (select ...) to file with csv" \
  "select id, 'row ' || id::text as label, id * 1.5 as x, null::text as n, 'a,\"b' as quoted from (values (1), (2), (3), (4), (5)) as t(id) order by id" \
  "$HERE/expected/copy.csv"
if gateway_only "\\copy tpch.tiny.nation to file with csv"; then
  copy_check "\\copy tpch.tiny.nation to file with csv" \
    "select n_nationkey, n_name, n_regionkey from tpch.tiny.nation order by n_nationkey" \
    "$HERE/expected/nation.csv"
fi

# 4. ON_ERROR_STOP + VERBOSITY verbose: non-zero exit, SQLSTATE in the message, later statements not run
err_check() {
  local name="$1" sqlstate="$2" file="$3" out rc
  out="$(q -f "$file" 2>"$WORK/err")"; rc=$?
  local err; err="$(cat "$WORK/err")"
  if [ $rc -eq 0 ]; then bad "$name" "expected non-zero exit, got 0" "stdout: $out"; return; fi
  if ! grep -q "ERROR:  $sqlstate:" <<<"$err"; then bad "$name" "exit $rc, but no 'ERROR:  $sqlstate:' in stderr:" "$err"; return; fi
  if grep -q "not reached" <<<"$out"; then bad "$name" "statement after the error was executed" "stdout: $out"; return; fi
  if ! grep -q "before" <<<"$out"; then bad "$name" "statement before the error did not run" "stdout: $out"; return; fi
  ok "$name (exit $rc)"
}
err_check "ON_ERROR_STOP: division by zero -> 22012" 22012 "$HERE/sql/error-divzero.sql"
err_check "ON_ERROR_STOP: unknown table -> 42P01" 42P01 "$HERE/sql/error-undefined-table.sql"

# 5. no -U/-d: psql sends the OS user as both user and database
me="$(id -un)"
out="$(env -u PGUSER -u PGDATABASE -u PGPASSWORD timeout 60 "$PSQL" -X -A -t -h "$HOST" -p "$PORT" -c "select 'connected'" 2>"$WORK/err")"; rc=$?
if [ $rc -eq 0 ] && [ "$out" = "connected" ]; then ok "connect with no -U/-d (user=database=$me)"
else bad "connect with no -U/-d (user=database=$me)" "exit $rc" "stdout: $out" "stderr: $(cat "$WORK/err")"; fi

# 6. meta-commands over pg_catalog (\dn, \dt, \l, \du, \dv)
. "$HERE/meta-commands.sh"

echo "psql: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
