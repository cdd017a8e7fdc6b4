#!/usr/bin/env bash
# dbt-postgres against the gateway: a real dbt project (this folder) built twice in a row.
#
#   run 1: setup.sql (fresh sources in the lake and memory catalogs), dbt seed, dbt build,
#          dbt test, dbt docs generate
#   then:  more-orders.sql adds source rows
#   run 2: dbt build, dbt docs generate -- the incremental model takes the new rows through
#          dbt's temporary-table path, and the relation cache is filled from what run 1 left
#   checks: row counts of the models, and catalog.json lists every model, seed and source
#   teardown.sql: drops what the run made (other suites list the catalogs' schemas)
#
# Target from the same environment as the other client suites (LAKEGATE_HOST, LAKEGATE_PORT,
# LAKEGATE_USER, LAKEGATE_DB); dbt comes from the test venv (VENV, default .tmp/venv).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
VENV="${VENV:-$ROOT/.tmp/venv}"
WORK="$ROOT/.tmp/dbt"
rm -rf "$WORK"
export DBT_PROFILES_DIR="$HERE" DBT_TARGET_PATH="$WORK/target" DBT_LOG_PATH="$WORK/logs"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false DBT_USE_COLORS=false DBT_PARTIAL_PARSE=false
export PGHOST="${LAKEGATE_HOST:-127.0.0.1}" PGPORT="${LAKEGATE_PORT:-7432}" PGUSER="${LAKEGATE_USER:-lakegate}" PGDATABASE="${LAKEGATE_DB:-lakegate}"
[ -n "${LAKEGATE_PASSWORD:-}" ] && export PGPASSWORD="$LAKEGATE_PASSWORD"

failures=0
step() {
  echo "--- $*"
  if ! "$@"; then echo "FAILED: $*"; failures=$((failures + 1)); fi
}
dbt() { (cd "$HERE" && "$VENV/bin/dbt" --no-use-colors "$@"); }
sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
# expect NAME SQL VALUE: the query's single value must be VALUE
expect() {
  local got
  got="$(psql -X -A -t -v ON_ERROR_STOP=1 -c "$2" 2>&1)" || got="error: $got"
  if [ "$got" = "$3" ]; then echo "ok: $1 = $3"; else echo "FAILED: $1: expected $3, got $got"; failures=$((failures + 1)); fi
}
# catalog_lists NODE...: dbt docs generate's catalog.json has each node, with columns
catalog_lists() {
  "$VENV/bin/python" - "$WORK/target/catalog.json" "$@" <<'PY'
import json, sys
catalog = json.load(open(sys.argv[1]))
if catalog.get("errors"):
    sys.exit(f"catalog.json errors: {catalog['errors']}")
nodes = {**catalog["nodes"], **catalog["sources"]}
missing = [n for n in sys.argv[2:] if not nodes.get(n, {}).get("columns")]
if missing:
    sys.exit(f"catalog.json lacks {missing}; has {sorted(nodes)}")
print(f"catalog.json lists {len(sys.argv) - 2} nodes with their columns")
PY
}

step sql -f "$HERE/setup.sql"
echo "=== run 1"
step dbt seed
step dbt build
step dbt test
step dbt docs generate
expect "orders_incremental rows after run 1" "select count(*) from dbt.orders_incremental" 13654
expect "customer_orders rows" "select count(*) from dbt.customer_orders" 1500
step sql -f "$HERE/more-orders.sql"
echo "=== run 2"
step dbt build
step dbt docs generate
expect "orders_incremental rows after run 2" "select count(*) from dbt.orders_incremental" 15000
expect "customer_orders order total" "select sum(order_count) from dbt.customer_orders" 15000
expect "no temporary table left behind" "select count(*) from pg_class where relname like '%dbt_tmp%' or relname like '%dbt_backup%'" 0
step catalog_lists model.lakegate_conformance.stg_customers model.lakegate_conformance.stg_orders model.lakegate_conformance.stg_nations \
  model.lakegate_conformance.customer_orders model.lakegate_conformance.orders_incremental seed.lakegate_conformance.regions \
  source.lakegate_conformance.lake.customers source.lakegate_conformance.memory_src.orders source.lakegate_conformance.tpch.nation
step sql -f "$HERE/teardown.sql"

echo
if [ "$failures" -eq 0 ]; then echo "dbt: all steps passed"; else echo "dbt: $failures step(s) failed (logs in $WORK/logs)"; fi
[ "$failures" -eq 0 ]
