#!/usr/bin/env bash
# THE one command that runs every test (npm test).  On a fresh machine it
# installs what the tests need, starts a real PostgreSQL 15 and the gateway,
# runs every suite, stops what it started, and ends with `N passed, N failed`
# (counting suites).  Exit status is non-zero if anything failed.
#
#   scripts/test-all.sh [SUITE...]       run only these suites (names below)
#
# Suites: lint unit clients/node clients/psql clients/sign-in clients/python clients/jdbc clients/dbt clients/odbc lake federation slt slt/postgres differential differential/sf1
# (clients/dbt and clients/odbc need the gateway's catalogs: not run with LAKEGATE_TARGET=postgres;
#  clients/odbc installs unixODBC and psqlODBC from Debian)
# (lake: the S3 store and Iceberg REST catalog, started only for it)
# (federation: MariaDB, a Kafka broker and the S3 store beside PostgreSQL, started only for it)
# (differential/sf1: the 22 TPC-H queries at SF 1 against PostgreSQL, about 3 minutes)
#
#   PG_TEST_PORT=54329         the test PostgreSQL (scripts/services/postgres.sh)
#   LAKEGATE_PORT=7432         the gateway (scripts/services/gateway.sh; with catalog `pg` over
#                              the test PostgreSQL's database lakegate_remote when that is up)
#   LAKEGATE_HTTP_PORT=7080    the gateway's health port (0: none)
#   LAKEGATE_TARGET=postgres   point the client suites at the test PostgreSQL
#                              instead of the gateway (the gateway is not started
#                              and differential is not run) -- for developing suites
#   S3_TEST_PORT=9000          the test S3 store (scripts/services/s3.sh), bucket S3_TEST_BUCKET=lake
#   ICEBERG_REST_PORT=8181     the test Iceberg REST catalog (scripts/services/iceberg-rest.sh)
#   MYSQL_TEST_PORT=33069      the test MariaDB (scripts/services/mariadb.sh)
#   KAFKA_TEST_PORT=19092      the test Kafka broker (scripts/services/kafka.sh)
#   SUITE_TIMEOUT=900          seconds after which one suite is killed
#   SLT_CORPUS=../shared/slt   the sqllogictest corpus (select1-3.test) beside the checkout
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export PG_TEST_PORT="${PG_TEST_PORT:-54329}"
export LAKEGATE_HOST="${LAKEGATE_HOST:-127.0.0.1}"
export LAKEGATE_TARGET="${LAKEGATE_TARGET:-gateway}"
GATEWAY_PORT="${LAKEGATE_PORT:-7432}"
if [ "$LAKEGATE_TARGET" = postgres ]; then export LAKEGATE_PORT="$PG_TEST_PORT"; else export LAKEGATE_PORT="$GATEWAY_PORT"; fi
export LAKEGATE_USER="${LAKEGATE_USER:-lakegate}" LAKEGATE_DB="${LAKEGATE_DB:-lakegate}"
export PG_WIRE_URL="${PG_WIRE_URL:-postgresql://postgres@127.0.0.1:$PG_TEST_PORT/postgres}"
export ORACLE_PORT="${ORACLE_PORT:-$PG_TEST_PORT}"
# the lake services (scripts/services/s3.sh, iceberg-rest.sh): fixed test credentials
export S3_TEST_PORT="${S3_TEST_PORT:-9000}" S3_TEST_BUCKET="${S3_TEST_BUCKET:-lake}" S3_TEST_REGION="${S3_TEST_REGION:-us-east-1}"
export S3_TEST_ACCESS_KEY="${S3_TEST_ACCESS_KEY:-lakegate}" S3_TEST_SECRET_KEY="${S3_TEST_SECRET_KEY:-lakegate-secret}"
export S3_TEST_ENDPOINT="http://127.0.0.1:$S3_TEST_PORT"
export ICEBERG_REST_PORT="${ICEBERG_REST_PORT:-8181}"
export ICEBERG_REST_URI="http://127.0.0.1:$ICEBERG_REST_PORT"
export MYSQL_TEST_PORT="${MYSQL_TEST_PORT:-33069}" KAFKA_TEST_PORT="${KAFKA_TEST_PORT:-19092}"
export CI="${CI:-}" FORCE_COLOR=0 NO_COLOR=1
SUITE_TIMEOUT="${SUITE_TIMEOUT:-900}"
LOGS="$ROOT/.tmp/test-logs"
VENV="$ROOT/.tmp/venv"
mkdir -p "$LOGS"

ALL_SUITES=(lint unit clients/node clients/psql clients/sign-in clients/python clients/jdbc clients/dbt clients/odbc lake federation slt slt/postgres differential differential/sf1)
if [ $# -gt 0 ]; then SUITES=("$@"); else SUITES=("${ALL_SUITES[@]}"); fi
wants() { local s; for s in "${SUITES[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
for s in "${SUITES[@]}"; do
  case " ${ALL_SUITES[*]} " in *" $s "*) ;; *) echo "unknown suite: $s (one of: ${ALL_SUITES[*]})" >&2; exit 2 ;; esac
done
SLT_CORPUS="${SLT_CORPUS:-$ROOT/../shared/slt}"
# the sqllogictest files every slt suite runs: SQLite's corpus and the project's own
slt_files() { echo "$SLT_CORPUS/select1.test" "$SLT_CORPUS/select2.test" "$SLT_CORPUS/select3.test" conformance/slt/files; }

T0=$SECONDS
names=() results=() times=() notes=()
record() { names+=("$1"); results+=("$2"); times+=("$3"); notes+=("${4:-}"); }
banner() { printf '\n==> %s\n' "$*"; }

# run_step NAME COMMAND...: runs with a timeout, output to the console and to
# .tmp/test-logs/NAME.log; records PASS/FAIL and the time taken
run_step() {
  local name="$1"; shift
  local log="$LOGS/${name//\//-}.log" t=$SECONDS rc
  banner "$name: $*"
  # via bash -c so that exported shell functions can be steps too
  timeout --kill-after=15 "$SUITE_TIMEOUT" bash -c '"$@"' bash "$@" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local dt=$((SECONDS - t))
  if [ "$rc" -eq 0 ]; then record "$name" PASS "$dt"; echo "<== $name: PASS (${dt}s)"
  else
    local why="exit $rc"; [ "$rc" -eq 124 ] && why="timed out after ${SUITE_TIMEOUT}s"
    record "$name" FAIL "$dt" "$why; log $log"; echo "<== $name: FAIL ($why, ${dt}s)"
  fi
  return "$rc"
}
not_run() { record "$1" FAIL 0 "not run: $2"; echo "<== $1: FAIL (not run: $2)"; }

# ---- services: always stopped on exit ----------------------------------------
started_pg=0 started_gw=0 started_s3=0 started_ice=0 started_my=0 started_kafka=0
# True when the service is not running yet: this run starts it, so this run stops it. One that is
# already running (another run's, or a developer's) is used as it is and left running.
not_running() { bash "scripts/services/$1.sh" status >/dev/null 2>&1; [ $? -eq 3 ]; }
stop_services() {
  if [ $started_kafka -eq 1 ]; then bash scripts/services/kafka.sh stop || true; started_kafka=0; fi
  if [ $started_my -eq 1 ]; then bash scripts/services/mariadb.sh stop || true; started_my=0; fi
  if [ $started_ice -eq 1 ]; then bash scripts/services/iceberg-rest.sh stop || true; started_ice=0; fi
  if [ $started_s3 -eq 1 ]; then bash scripts/services/s3.sh stop || true; started_s3=0; fi
  if [ $started_gw -eq 1 ]; then LAKEGATE_PORT="$GATEWAY_PORT" bash scripts/services/gateway.sh stop || true; started_gw=0; fi
  if [ $started_pg -eq 1 ]; then bash scripts/services/postgres.sh stop || true; started_pg=0; fi
}
cleanup() {
  local rc=$?
  stop_services
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- what the suites need ------------------------------------------------------
need_pg=0 need_gw=0 need_py=0 need_java=0 need_lake=0 need_fed=0 need_odbc=0
for s in "${SUITES[@]}"; do
  case "$s" in
    unit) need_pg=1; need_py=1 ;;  # the Parquet writer tests read files back with pyarrow and duckdb
    # on the gateway too: its catalog `pg` reads the test PostgreSQL (scripts/services/gateway.sh)
    clients/*) need_pg=1; [ "$LAKEGATE_TARGET" = postgres ] || need_gw=1 ;;
    differential|differential/sf1) need_pg=1; need_gw=1 ;;
    slt) [ "$LAKEGATE_TARGET" = postgres ] && need_pg=1 || need_gw=1 ;;
    slt/postgres) need_pg=1 ;;
    lake) need_lake=1; need_py=1 ;;
    federation) need_fed=1; need_pg=1 ;;
  esac
  case "$s" in clients/python|clients/dbt|clients/odbc) need_py=1 ;; esac
  [ "$s" = clients/odbc ] && need_odbc=1
  [ "$s" = clients/jdbc ] && need_java=1
done
[ "$LAKEGATE_TARGET" = postgres ] && need_gw=0

setup_node() {
  if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
}
setup_python() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import psycopg, pytest, pyiceberg, pyarrow, s3fs, duckdb, sqlalchemy, pyiceberg_core, dbt.adapters.postgres' 2>/dev/null; then return 0; fi
  local py; py="$(command -v python3 || true)"
  if [ -z "$py" ] || ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "installing python3-venv (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    py=/usr/bin/python3
  fi
  rm -rf "$VENV"
  "$py" -m venv "$VENV" && "$VENV/bin/pip" install -q --disable-pip-version-check 'psycopg[binary]>=3.1,<4' 'pytest>=8' 'pyiceberg[s3fs,pyarrow,sql-sqlite,pyiceberg-core]>=0.12,<0.13' 'pyarrow' 'duckdb' \
    'dbt-core>=1.9,<1.10' 'dbt-postgres>=1.9,<1.10'
}
setup_java() {
  if command -v mvn >/dev/null && command -v javac >/dev/null; then return 0; fi
  echo "installing maven and a JDK (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
}
setup_odbc() { # unixODBC with the psqlODBC driver (Debian), and pyodbc in the venv
  if ! odbcinst -q -d -n 'PostgreSQL Unicode' >/dev/null 2>&1; then
    echo "installing unixodbc and odbc-postgresql (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unixodbc odbc-postgresql >/dev/null || return 1
  fi
  "$VENV/bin/python" -c 'import pyodbc' 2>/dev/null || "$VENV/bin/pip" install -q --disable-pip-version-check 'pyodbc>=5'
}
setup_psql() {
  command -v psql >/dev/null && command -v pg_isready >/dev/null && return 0
  echo "installing postgresql-client (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client-15 >/dev/null
}

jdbc_suite() {
  # Maven 3.8 with -q still prints bare ESC[0m resets: strip them
  (cd conformance/clients/jdbc && mvn -q -B test 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g'; exit "${PIPESTATUS[0]}"); local rc=$?
  cat conformance/clients/jdbc/target/surefire-reports/*.txt 2>/dev/null | grep -E '^Tests run:' || true
  return $rc
}
slt_postgres_suite() { # the runner's own unit tests, then every slt file on the real PostgreSQL
  npx vitest run --config conformance/vitest.config.ts || return 1
  bash conformance/slt/run.sh --target postgres "$@"
}
export VENV
export -f setup_node setup_python setup_java setup_odbc jdbc_suite slt_postgres_suite

pg_ok=1 gw_ok=1 py_ok=1 java_ok=1 lake_ok=1 fed_ok=1 odbc_ok=1
run_step setup/node setup_node || { echo "node dependencies missing; nothing can run"; exit 1; }
if [ $need_py -eq 1 ]; then run_step setup/python setup_python || py_ok=0; fi
if [ $need_java -eq 1 ]; then run_step setup/java setup_java || java_ok=0; fi
if [ $need_odbc -eq 1 ]; then
  if [ $py_ok -eq 1 ]; then run_step setup/odbc setup_odbc || odbc_ok=0; else odbc_ok=0; fi
fi
if [ $need_pg -eq 1 ]; then
  not_running postgres && started_pg=1
  run_step service/postgres bash scripts/services/postgres.sh start || pg_ok=0
fi
if [ $need_lake -eq 1 ]; then
  not_running s3 && started_s3=1
  run_step service/s3 bash scripts/services/s3.sh start || lake_ok=0
  if [ $lake_ok -eq 1 ]; then
    not_running iceberg-rest && started_ice=1
    run_step service/iceberg bash scripts/services/iceberg-rest.sh start || lake_ok=0
  fi
fi
if [ $need_fed -eq 1 ]; then
  not_running mariadb && started_my=1
  run_step service/mariadb bash scripts/services/mariadb.sh start || fed_ok=0
  not_running kafka && started_kafka=1
  run_step service/kafka bash scripts/services/kafka.sh start || fed_ok=0
  if [ $started_s3 -eq 0 ]; then
    not_running s3 && started_s3=1
    run_step service/s3 bash scripts/services/s3.sh start || fed_ok=0
  fi
fi
setup_psql >/dev/null 2>&1 || true
if [ $need_gw -eq 1 ]; then
  LAKEGATE_PORT="$GATEWAY_PORT" not_running gateway && started_gw=1
  LAKEGATE_PORT="$GATEWAY_PORT" run_step service/gateway bash scripts/services/gateway.sh start || gw_ok=0
fi

# ---- suites ----------------------------------------------------------------------
client_ready() { # suite name -> 0 if its target is up
  if [ "$LAKEGATE_TARGET" = postgres ]; then [ $pg_ok -eq 1 ] || { not_run "$1" "PostgreSQL did not start"; return 1; }
  else [ $gw_ok -eq 1 ] || { not_run "$1" "the gateway did not start"; return 1; }; fi
}
for s in "${SUITES[@]}"; do
  case "$s" in
    lint) run_step lint npm run --silent lint ;;
    unit)
      if [ $pg_ok -eq 1 ]; then run_step unit npx vitest run
      else not_run unit "PostgreSQL did not start (needed for PG_WIRE_URL)"; fi ;;
    clients/node) client_ready "$s" && run_step "$s" npx vitest run --config conformance/clients/node/vitest.config.ts ;;
    clients/psql) client_ready "$s" && run_step "$s" bash conformance/clients/psql/run.sh ;;
    clients/sign-in) run_step "$s" bash conformance/clients/psql/sign-in.sh ;;
    clients/python)
      if [ $py_ok -eq 0 ]; then not_run "$s" "python deps failed to install"
      elif client_ready "$s"; then run_step "$s" "$VENV/bin/python" -m pytest -q -p no:cacheprovider conformance/clients/python; fi ;;
    clients/jdbc)
      if [ $java_ok -eq 0 ]; then not_run "$s" "java/maven failed to install"
      elif client_ready "$s"; then run_step "$s" jdbc_suite; fi ;;
    clients/dbt)
      if [ "$LAKEGATE_TARGET" = postgres ]; then echo "<== $s: not run (the dbt project's sources live in the gateway's lake and tpch catalogs)"
      elif [ $py_ok -eq 0 ]; then not_run "$s" "python deps (dbt-postgres) failed to install"
      elif client_ready "$s"; then run_step "$s" bash conformance/clients/dbt/run.sh; fi ;;
    clients/odbc)
      if [ "$LAKEGATE_TARGET" = postgres ]; then echo "<== $s: not run (it reads the gateway's tpch and lake catalogs)"
      elif [ $odbc_ok -eq 0 ]; then not_run "$s" "unixODBC, psqlODBC or pyodbc failed to install"
      elif client_ready "$s"; then run_step "$s" "$VENV/bin/python" -m pytest -q -p no:cacheprovider conformance/clients/odbc; fi ;;
    lake)
      if [ $lake_ok -eq 0 ]; then not_run "$s" "the S3 store or the Iceberg REST catalog did not start"
      elif [ $py_ok -eq 0 ]; then not_run "$s" "python deps (pyiceberg) failed to install"
      else run_step "$s" npx vitest run --config conformance/lake/vitest.config.ts; fi ;;
    federation)
      if [ $fed_ok -eq 0 ] || [ $pg_ok -eq 0 ]; then not_run "$s" "PostgreSQL, MariaDB, the Kafka broker or the S3 store did not start"
      else run_step "$s" npx vitest run --config conformance/federation/vitest.config.ts; fi ;;
    slt)
      if [ "$LAKEGATE_TARGET" = postgres ]; then
        if client_ready "$s"; then run_step "$s" bash conformance/slt/run.sh --target postgres $(slt_files); fi
      elif client_ready "$s"; then run_step "$s" bash conformance/slt/run.sh --target gateway $(slt_files); fi ;;
    slt/postgres)
      if [ $pg_ok -eq 1 ]; then run_step "$s" slt_postgres_suite $(slt_files)
      else not_run "$s" "PostgreSQL did not start"; fi ;;
    differential|differential/sf1)
      scale=tiny; [ "$s" = differential/sf1 ] && scale=sf1
      if [ "$LAKEGATE_TARGET" = postgres ]; then echo "<== $s: not run (LAKEGATE_TARGET=postgres has no gateway to compare)"
      elif [ $pg_ok -eq 0 ]; then not_run "$s" "PostgreSQL did not start"
      elif [ $gw_ok -eq 1 ]; then run_step "$s" bash conformance/differential/run.sh --scale "$scale"
      else not_run "$s" "the gateway did not start"; fi ;;
  esac
done

# ---- summary ---------------------------------------------------------------------
echo
stop_services 2>&1
passed=0 failed=0
printf '\nSummary (%ss, target %s)\n' "$((SECONDS - T0))" "$LAKEGATE_TARGET"
for i in "${!names[@]}"; do
  printf '  %-4s  %-18s %5ss  %s\n' "${results[$i]}" "${names[$i]}" "${times[$i]}" "${notes[$i]}"
  if [ "${results[$i]}" = PASS ]; then passed=$((passed+1)); else failed=$((failed+1)); fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
