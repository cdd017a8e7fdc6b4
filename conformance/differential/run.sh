#!/usr/bin/env bash
# Differential check: the same query on the gateway and on a PostgreSQL loaded
# with the same rows must print byte-identical `psql -A -t` output (exactly, in
# order, when the query has ORDER BY; as a multiset of lines otherwise).
#
#   conformance/differential/run.sh [--no-load] [QUERY_NAME...]
#
# Queries live in queries/NAME.sql, written against the gateway (tpch.tiny.X).
# The oracle runs queries/NAME.oracle.sql if present, else the same text with
# tpch.tiny.X rewritten to tpch_tiny.X.  Before comparing, every tpch.tiny table
# the selected queries mention is reloaded: tpch-ddl.sql creates it in the
# oracle and the rows are streamed COPY (select * from tpch.tiny.X) TO STDOUT
# from the gateway into COPY tpch_tiny.X FROM STDIN.
#
# Gateway: LAKEGATE_HOST/LAKEGATE_PORT (127.0.0.1:7432), LAKEGATE_USER/LAKEGATE_DB (lakegate).
# Oracle:  ORACLE_HOST (127.0.0.1), ORACLE_PORT (PG_TEST_PORT or 54329), ORACLE_USER (postgres),
#          ORACLE_DB (lakegate_oracle).
# LAKEGATE_TARGET=postgres: the "gateway" is a PostgreSQL too; its source tables
# are read from schema tpch_tiny of LAKEGATE_DB (for testing the harness itself).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
G=(-h "${LAKEGATE_HOST:-127.0.0.1}" -p "${LAKEGATE_PORT:-7432}" -U "${LAKEGATE_USER:-lakegate}" -d "${LAKEGATE_DB:-lakegate}")
O=(-h "${ORACLE_HOST:-127.0.0.1}" -p "${ORACLE_PORT:-${PG_TEST_PORT:-54329}}" -U "${ORACLE_USER:-postgres}" -d "${ORACLE_DB:-lakegate_oracle}")
TARGET="${LAKEGATE_TARGET:-gateway}"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
export PGCONNECT_TIMEOUT=10 PGAPPNAME=lakegate-differential

load=1
names=()
for a in "$@"; do
  case "$a" in
    --no-load) load=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) names+=("$a") ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for f in "$HERE"/queries/*.sql; do
    case "$f" in *.oracle.sql) continue ;; esac
    names+=("$(basename "$f" .sql)")
  done
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakegate-diff.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

source_sql() { # gateway text of a query (rewritten when the source is PostgreSQL)
  if [ "$TARGET" = postgres ]; then sed -E 's/\btpch\.tiny\./tpch_tiny./g' "$1"; else cat "$1"; fi
}
oracle_sql() {
  local name="$1"
  if [ -f "$HERE/queries/$name.oracle.sql" ]; then cat "$HERE/queries/$name.oracle.sql"
  else sed -E 's/\btpch\.tiny\./tpch_tiny./g' "$HERE/queries/$name.sql"; fi
}
strip_comments() { sed -E 's/--.*$//' | tr '\n' ' ' | sed -E 's/[[:space:]]+$//; s/;[[:space:]]*$//'; }

pass=0 fail=0
ok()  { pass=$((pass+1)); echo "  ok    $1"; }
bad() { fail=$((fail+1)); echo "  FAIL  $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/        /'; done; }

for n in "${names[@]}"; do
  [ -f "$HERE/queries/$n.sql" ] || { bad "$n" "no such query file: queries/$n.sql"; }
done

# ---- load the referenced tables into the oracle --------------------------------
if [ $load -eq 1 ]; then
  tables=$(for n in "${names[@]}"; do [ -f "$HERE/queries/$n.sql" ] && cat "$HERE/queries/$n.sql"; done \
    | grep -oiE '\btpch\.tiny\.[a-z_]+' | sed 's/.*\.//' | tr 'A-Z' 'a-z' | sort -u) ; tables=$(echo $tables)
  echo "differential: loading into oracle ($(printf '%s ' "${O[@]}")): ${tables:-nothing}"
  if ! "${PSQL[@]}" "${O[@]}" -f "$HERE/tpch-ddl.sql" >"$WORK/ddl.log" 2>&1; then
    bad "oracle DDL" "$(cat "$WORK/ddl.log")"
    tables=""
  fi
  for t in $tables; do
    src="tpch.tiny.$t"; [ "$TARGET" = postgres ] && src="tpch_tiny.$t"
    start=$(date +%s%N)
    # stream gateway COPY TO STDOUT straight into oracle COPY FROM STDIN
    "${PSQL[@]}" "${G[@]}" -c "\\copy (select * from $src) to stdout" 2>"$WORK/src.err" \
      | "${PSQL[@]}" "${O[@]}" -c "\\copy tpch_tiny.$t from stdin" >"$WORK/dst.out" 2>"$WORK/dst.err"
    st=("${PIPESTATUS[@]}")
    if [ "${st[0]}" -ne 0 ] || [ "${st[1]}" -ne 0 ]; then
      bad "load $t" "gateway COPY exit ${st[0]}: $(head -c 800 "$WORK/src.err")" "oracle COPY exit ${st[1]}: $(head -c 800 "$WORK/dst.err")"
      continue
    fi
    gcount=$("${PSQL[@]}" "${G[@]}" -A -t -c "select count(*) from $src" 2>&1)
    ocount=$("${PSQL[@]}" "${O[@]}" -A -t -c "select count(*) from tpch_tiny.$t" 2>&1)
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ "$gcount" = "$ocount" ]; then ok "load $t ($ocount rows, ${ms} ms)"
    else bad "load $t" "row count: gateway $gcount, oracle $ocount"; fi
  done
  "${PSQL[@]}" "${O[@]}" -c "analyze" >/dev/null 2>&1 || true
fi

# ---- compare -------------------------------------------------------------------
for n in "${names[@]}"; do
  [ -f "$HERE/queries/$n.sql" ] || continue
  source_sql "$HERE/queries/$n.sql" >"$WORK/$n.gw.sql"
  oracle_sql "$n" >"$WORK/$n.pg.sql"
  if "${PSQL[@]}" "${G[@]}" -A -t -f "$WORK/$n.gw.sql" >"$WORK/$n.gw.out" 2>"$WORK/$n.gw.err"; then :; else
    bad "$n" "gateway error: $(cat "$WORK/$n.gw.err")"; continue
  fi
  if "${PSQL[@]}" "${O[@]}" -A -t -f "$WORK/$n.pg.sql" >"$WORK/$n.pg.out" 2>"$WORK/$n.pg.err"; then :; else
    bad "$n" "oracle error: $(cat "$WORK/$n.pg.err")"; continue
  fi
  if strip_comments <"$HERE/queries/$n.sql" | grep -qiE '\border[[:space:]]+by\b'; then
    mode=ordered
  else
    mode=multiset
    LC_ALL=C sort -o "$WORK/$n.gw.out" "$WORK/$n.gw.out"
    LC_ALL=C sort -o "$WORK/$n.pg.out" "$WORK/$n.pg.out"
  fi
  rows=$(wc -l <"$WORK/$n.pg.out" | tr -d ' ')
  if cmp -s "$WORK/$n.gw.out" "$WORK/$n.pg.out"; then ok "$n ($mode, $rows rows identical)"
  else
    bad "$n ($mode)" "--- oracle (PostgreSQL)  +++ gateway" "$(diff -u "$WORK/$n.pg.out" "$WORK/$n.gw.out" | tail -n +3 | head -40)"
  fi
done

echo "differential: $pass passed, $fail failed"
[ $fail -eq 0 ]
