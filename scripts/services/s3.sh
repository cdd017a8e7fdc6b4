#!/usr/bin/env bash
# A real S3-compatible object store for tests: Versity S3 Gateway (versitygw,
# Apache-2.0) with its POSIX backend -- each bucket a directory, each object a
# file, metadata and ETags in extended attributes.  It implements the S3 REST
# API with SigV4, path-style addressing, ranged GET, MD5 ETags, multipart
# upload and ListObjectsV2 (conformance/lake/services.test.ts checks these).
#
#   Usage: scripts/services/s3.sh start|stop|status|env
#
#   S3_TEST_PORT        listen port on 127.0.0.1 (default 9000)
#   S3_TEST_BUCKET      bucket created at start (default lake)
#   S3_TEST_ACCESS_KEY  the (root) access key (default lakegate)
#   S3_TEST_SECRET_KEY  its secret (default lakegate-secret)
#   S3_TEST_REGION      region clients sign for (default us-east-1)
#   S3_TEST_DIR         state dir (default <repo>/.tmp/services/s3)
#   VERSITYGW_VERSION   the Go module version built (default v1.8.0)
#
# start: builds versitygw with `go install` from the Go module proxy if the
# cached binary (.tmp/cache/bin/versitygw-VERSION) is missing (about 2 minutes
# on 2 cores, once), starts it on 127.0.0.1:PORT with the data under
# S3_TEST_DIR/data (kept across restarts, like the test PostgreSQL), waits
# until it answers and creates the bucket.  Idempotent.
# stop: stops exactly the process start recorded.  Idempotent.
# env: prints the export lines for the variables above and S3_TEST_ENDPOINT.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/service-lib.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${S3_TEST_PORT:-9000}"
BUCKET="${S3_TEST_BUCKET:-lake}"
ACCESS_KEY="${S3_TEST_ACCESS_KEY:-lakegate}"
SECRET_KEY="${S3_TEST_SECRET_KEY:-lakegate-secret}"
REGION="${S3_TEST_REGION:-us-east-1}"
STATE="${S3_TEST_DIR:-$ROOT/.tmp/services/s3}"
VERSION="${VERSITYGW_VERSION:-v1.8.0}"
MODULE=github.com/versity/versitygw/cmd/versitygw
BIN="$ROOT/.tmp/cache/bin/versitygw-$VERSION"
DATA="$STATE/data"
LOG="$STATE/versitygw.log"
PIDFILE="$STATE/versitygw.pid"
ENDPOINT="http://127.0.0.1:$PORT"
START_TIMEOUT="${S3_TEST_START_TIMEOUT:-30}"

log() { echo "[s3] $*" >&2; }

running_pid() { recorded_pid 'versitygw'; }


# s3_curl METHOD PATH [curl args...]: a SigV4-signed request (empty body)
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
s3_curl() {
  local method="$1" path="$2"; shift 2
  curl -sS --max-time 10 --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: $EMPTY_SHA256" -X "$method" "$@" "$ENDPOINT$path"
}

ensure_tools() {
  command -v curl >/dev/null && return 0
  log "installing curl (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
}

ensure_installed() {
  [ -x "$BIN" ] && return 0
  command -v go >/dev/null || { log "go is needed to build versitygw ($MODULE@$VERSION)"; exit 1; }
  log "building $MODULE@$VERSION (go install; cached as $BIN)"
  mkdir -p "$(dirname "$BIN")"
  local t=$SECONDS tmp; tmp="$(mktemp -d "$(dirname "$BIN")/.versitygw-build.XXXXXX")"
  if ! GOBIN="$tmp" go install "$MODULE@$VERSION" >"$tmp/build.log" 2>&1; then
    log "build failed:"; cat "$tmp/build.log" >&2; rm -rf "$tmp"; exit 1
  fi
  mv "$tmp/versitygw" "$BIN"; rm -rf "$tmp"
  log "built in $((SECONDS - t))s"
}

# versitygw keeps object metadata in user.* extended attributes; where the
# filesystem has none, it is told to keep them in a sidecar directory instead
backend_args() {
  local probe="$DATA/.xattr-probe"
  : >"$probe"
  if command -v python3 >/dev/null && ! python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.lakegate", b"1")' "$probe" 2>/dev/null; then
    mkdir -p "$STATE/meta"; echo --sidecar "$STATE/meta"
  fi
  rm -f "$probe"
}

start() {
  if ! already_running; then
    refuse_taken_port "$PORT" S3_TEST_PORT
    ensure_tools
    ensure_installed
    mkdir -p "$DATA"
    local extra; extra="$(backend_args)"
    log "starting versitygw $VERSION on $ENDPOINT (data $DATA, log $LOG)"
    # credentials through the environment, not the command line; setsid: its own process group
    # shellcheck disable=SC2086
    ROOT_ACCESS_KEY="$ACCESS_KEY" ROOT_SECRET_KEY="$SECRET_KEY" VGW_REGION="$REGION" \
      setsid "$BIN" --port "127.0.0.1:$PORT" --quiet posix $extra "$DATA" >"$LOG" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$PIDFILE"
    echo "$PORT" >"$STATE/port"
    await_ready "$START_TIMEOUT" "$pid" "listening on $ENDPOINT" port_open "$PORT"
  fi
  # the bucket: 200 when created, 409 BucketAlreadyOwnedByYou when it is there
  local out code
  out="$(s3_curl PUT "/$BUCKET" -w '\n%{http_code}')" || { log "CreateBucket $BUCKET failed: $out"; exit 1; }
  code="${out##*$'\n'}"
  if [ "$code" != 200 ] && ! { [ "$code" = 409 ] && grep -q BucketAlreadyOwnedByYou <<<"$out"; }; then
    log "CreateBucket $BUCKET answered $code: ${out%$'\n'*}"; exit 1
  fi
  code="$(s3_curl HEAD "/$BUCKET" -o /dev/null -I -w '%{http_code}')" || true
  [ "$code" = 200 ] || { log "HeadBucket $BUCKET answered $code"; exit 1; }
  log "ready: $ENDPOINT bucket $BUCKET (pid $(cat "$PIDFILE"))"
}

stop() {
  stop_recorded 5
}

status() {
  report_status "http://127.0.0.1:$(cat "$STATE/port" 2>/dev/null), data $DATA"
}

print_env() {
  cat <<ENV
export S3_TEST_ENDPOINT=$ENDPOINT
export S3_TEST_PORT=$PORT
export S3_TEST_BUCKET=$BUCKET
export S3_TEST_ACCESS_KEY=$ACCESS_KEY
export S3_TEST_SECRET_KEY=$SECRET_KEY
export S3_TEST_REGION=$REGION
ENV
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
