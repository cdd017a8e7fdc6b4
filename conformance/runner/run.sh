#!/usr/bin/env bash
# Compiles the conformance tools (conformance/tsconfig.json -> .tmp/conformance-dist)
# and runs one of them:  conformance/runner/run.sh slt/cli.js ARGS...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/.tmp/conformance-dist"
if ! (cd "$ROOT" && npx --no-install tsc -p conformance/tsconfig.json) >&2; then
  echo "conformance: TypeScript build failed" >&2; exit 2
fi
main="$1"; shift
exec node --enable-source-maps "$OUT/$main" "$@"
