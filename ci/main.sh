#!/usr/bin/env bash
# The main job (README command 1): installs what is missing, builds, and
# runs the server catalog against the embedded mock CA (`acmespec server`
# with no URL), with the report on screen and in out/acmespec-server.xml
# (JUnit, validated against tests/data/junit.xsd) and .json. Exits with
# acmespec's exit code.
#
#   ci/main.sh [extra acmespec options...]     e.g. ci/main.sh --tag nonce
#
# JOBS (default 4) is acmespec's -j. SKIP_DEPS=1 / SKIP_BUILD=1 skip those
# steps; OUT (default out/) is where the reports go; BUILD_DIR (default
# build/) where acmespec is built. ci/run-pebble.sh does the same against a
# Pebble it starts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# shellcheck source=ci/runlib.sh
. ci/runlib.sh
run_prepare
run_acmespec server -j "${JOBS:-4}" --junit "$OUT/acmespec-server.xml" \
  --json "$OUT/acmespec-server.json" "$@"
echo "main: reports in $OUT (acmespec-server.xml, acmespec-server.json)"
exit "$RUN_RC"
