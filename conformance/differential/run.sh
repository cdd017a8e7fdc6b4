#!/usr/bin/env bash
# Differential check, gateway vs PostgreSQL loaded with the same rows (see README.md):
#   conformance/differential/run.sh [--scale tiny,sf1] [--no-load] [--jobs N] [QUERY...]
exec "$(dirname "${BASH_SOURCE[0]}")/../runner/run.sh" differential/cli.js "$@"
