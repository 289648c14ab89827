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

[ "${SKIP_DEPS:-0}" = 1 ] || ci/install-deps.sh || { echo "main: installing dependencies failed" >&2; exit 3; }
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
export BUILD_DIR
[ "${SKIP_BUILD:-0}" = 1 ] || ci/build.sh || { echo "main: build failed" >&2; exit 3; }
ACMESPEC=$BUILD_DIR/acmespec
[ -x "$ACMESPEC" ] || { echo "main: $ACMESPEC not built" >&2; exit 3; }

OUT=${OUT:-$ROOT/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

args=(server -j "${JOBS:-4}" --junit "$OUT/acmespec-server.xml" --json "$OUT/acmespec-server.json")
[ -t 1 ] || args+=(--no-color)
args+=("$@")

echo "main: acmespec ${args[*]}"
echo
start=$SECONDS
set +e
"$ACMESPEC" "${args[@]}"
rc=$?
set -e
echo
echo "main: acmespec exited $rc after $((SECONDS - start))s"

if [ -f "$OUT/acmespec-server.xml" ]; then
  if xmllint --noout --schema tests/data/junit.xsd "$OUT/acmespec-server.xml"; then
    echo "main: JUnit report $OUT/acmespec-server.xml validates against tests/data/junit.xsd"
  else
    echo "main: JUnit report does not validate against tests/data/junit.xsd" >&2
    # a report that CI systems cannot read is a harness failure
    [ "$rc" -ne 0 ] || rc=3
  fi
elif [ "$rc" -ne 2 ]; then
  echo "main: no JUnit report written" >&2
  [ "$rc" -ne 0 ] || rc=3
fi
echo "main: reports in $OUT (acmespec-server.xml, acmespec-server.json)"
exit "$rc"
