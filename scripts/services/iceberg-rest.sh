#!/usr/bin/env bash
# A real Iceberg REST catalog for tests: Apache Iceberg's own REST catalog
# implementation (RESTCatalogAdapter + RESTCatalogServlet from iceberg-core,
# the code behind Iceberg's REST fixture) served by Jetty, over a JdbcCatalog
# in a SQLite file, with S3FileIO writing table metadata to the test S3 store
# (scripts/services/s3.sh) under s3://BUCKET/warehouse.  The launcher is
# scripts/services/iceberg-rest/ (pom.xml + one Java file).
#
#   Usage: scripts/services/iceberg-rest.sh start|stop|status|env
#
#   ICEBERG_REST_PORT       listen port on 127.0.0.1 (default 8181)
#   ICEBERG_REST_WAREHOUSE  warehouse location (default s3://$S3_TEST_BUCKET/warehouse)
#   ICEBERG_REST_DIR        state dir (default <repo>/.tmp/services/iceberg-rest)
#   ICEBERG_REST_JAVA       the java to run it with (default: java on PATH, 17+)
#   S3_TEST_PORT, S3_TEST_BUCKET, S3_TEST_ACCESS_KEY, S3_TEST_SECRET_KEY,
#   S3_TEST_REGION          the S3 store, same defaults as scripts/services/s3.sh
#
# start: builds the launcher with Maven if the cached build
# (.tmp/cache/iceberg-rest/, keyed by a hash of its sources) is missing,
# checks that the S3 store answers (start scripts/services/s3.sh first), starts
# the server with an empty catalog (the SQLite file is recreated on each start;
# objects under the warehouse prefix are left alone) and waits until GET
# /v1/config answers.  Table load/create responses and the /v1/config defaults
# carry the s3.* settings (endpoint, path-style access, keys, region), so a
# client needs only the catalog URI.  Idempotent.
# stop: stops exactly the process start recorded.  Idempotent.
# env: prints the export line for ICEBERG_REST_URI.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/service-lib.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${ICEBERG_REST_PORT:-8181}"
S3_PORT="${S3_TEST_PORT:-9000}"
BUCKET="${S3_TEST_BUCKET:-lake}"
ACCESS_KEY="${S3_TEST_ACCESS_KEY:-lakegate}"
SECRET_KEY="${S3_TEST_SECRET_KEY:-lakegate-secret}"
REGION="${S3_TEST_REGION:-us-east-1}"
S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
WAREHOUSE="${ICEBERG_REST_WAREHOUSE:-s3://$BUCKET/warehouse}"
STATE="${ICEBERG_REST_DIR:-$ROOT/.tmp/services/iceberg-rest}"
SRC="$ROOT/scripts/services/iceberg-rest"
CACHE="$ROOT/.tmp/cache/iceberg-rest"
JAVA="${ICEBERG_REST_JAVA:-java}"
LOG="$STATE/iceberg-rest.log"
PIDFILE="$STATE/iceberg-rest.pid"
URI="http://127.0.0.1:$PORT"
START_TIMEOUT="${ICEBERG_REST_START_TIMEOUT:-60}"

log() { echo "[iceberg-rest] $*" >&2; }

running_pid() { recorded_pid 'java'; }


ensure_tools() {
  if command -v mvn >/dev/null && command -v javac >/dev/null && command -v curl >/dev/null; then return 0; fi
  log "installing maven, a JDK and curl (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless curl >/dev/null
}

# the build is cached under .tmp/cache/iceberg-rest/<hash of pom.xml + sources>
build_dir() {
  local hash; hash="$(cd "$SRC" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
  echo "$CACHE/$hash"
}

ensure_built() {
  local dir="$1"
  [ -f "$dir/iceberg-rest-server.jar" ] && [ -f "$dir/.complete" ] && return 0
  ensure_tools
  log "building the launcher (mvn package; cached in $dir)"
  local t=$SECONDS
  rm -rf "$dir"; mkdir -p "$dir"
  if ! mvn -q -B -f "$SRC/pom.xml" package -Dlakegate.build.dir="$dir" >"$dir/build.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$dir/build.log" >&2; log "build failed"; exit 1
  fi
  touch "$dir/.complete"
  log "built in $((SECONDS - t))s"
}

start() {
  if already_running; then return 0; fi
  refuse_taken_port "$PORT" ICEBERG_REST_PORT
  local dir; dir="$(build_dir)"
  ensure_built "$dir"
  case "$WAREHOUSE" in
    s3://*) port_open "$S3_PORT" || { log "the S3 store does not answer on $S3_ENDPOINT: start scripts/services/s3.sh first"; exit 1; } ;;
    *) log "ICEBERG_REST_WAREHOUSE must be an s3:// location (the server has S3FileIO only)"; exit 1 ;;
  esac
  mkdir -p "$STATE"
  rm -f "$STATE"/catalog.db*
  log "starting on $URI (warehouse $WAREHOUSE on $S3_ENDPOINT, log $LOG)"
  # catalog properties as CATALOG_* variables (Iceberg's fixture convention:
  # "__" -> "-", "_" -> "."); setsid: its own process group
  env CATALOG_CATALOG__IMPL=org.apache.iceberg.jdbc.JdbcCatalog \
      CATALOG_URI="jdbc:sqlite:$STATE/catalog.db" \
      CATALOG_JDBC_SCHEMA__VERSION=V1 \
      CATALOG_WAREHOUSE="$WAREHOUSE" \
      CATALOG_IO__IMPL=org.apache.iceberg.aws.s3.S3FileIO \
      CATALOG_S3_ENDPOINT="$S3_ENDPOINT" \
      CATALOG_S3_PATH__STYLE__ACCESS=true \
      CATALOG_S3_ACCESS__KEY__ID="$ACCESS_KEY" \
      CATALOG_S3_SECRET__ACCESS__KEY="$SECRET_KEY" \
      CATALOG_CLIENT_REGION="$REGION" \
      ICEBERG_REST_HOST=127.0.0.1 ICEBERG_REST_PORT="$PORT" AWS_REGION="$REGION" \
    setsid "$JAVA" -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -jar "$dir/iceberg-rest-server.jar" >"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  echo "$PORT" >"$STATE/port"
  await_ready "$START_TIMEOUT" "$pid" "answering GET $URI/v1/config" curl -sf -o /dev/null --max-time 2 "$URI/v1/config"
  log "ready: $URI (pid $pid)"
}

stop() {
  stop_recorded 10
}

status() {
  report_status "http://127.0.0.1:$(cat "$STATE/port" 2>/dev/null), warehouse $WAREHOUSE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export ICEBERG_REST_URI=$URI" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
