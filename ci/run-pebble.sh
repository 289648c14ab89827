#!/usr/bin/env bash
# A conformance run of the server catalog against a Pebble
# that this script starts on loopback. Installs what is missing, builds,
# runs, shows the console report, writes out/acmespec-server.{xml,json}
# (JUnit validated against junit.xsd), and exits with acmespec's exit code.
#
#   ci/run-pebble.sh [extra acmespec options...]     e.g. ci/run-pebble.sh --tag nonce
#
# JOBS (default 4) is acmespec's -j. SKIP_DEPS=1 / SKIP_BUILD=1 skip those
# steps. OUT (default out/) is where the reports go; BUILD_DIR (default
# build/) where acmespec is built. It runs in a private network namespace
# (ci/netns.sh, needs root); ACMESPEC_NO_NETNS=1 runs it in this one.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# Pebble is a real peer: it runs, with the harness, in a private network
# namespace of its own (loopback only; ci/netns.sh), unless already in one
if [ -z "${ACMESPEC_NETNS:-}" ] && [ "${ACMESPEC_NO_NETNS:-0}" != 1 ]; then
  exec bash "$ROOT/ci/netns.sh" run -- bash "$ROOT/ci/run-pebble.sh" "$@"
fi

# shellcheck source=ci/runlib.sh
. ci/runlib.sh
run_prepare
work=$(mktemp -d "${TMPDIR:-/tmp}/acmespec-main.XXXXXX")
# shellcheck disable=SC2317  # called from the exit trap
_main_cleanup() {
  # keep Pebble's log beside the reports, for the CI artefacts
  if [ -f "$work/pebble/pebble.log" ]; then
    cp "$work/pebble/pebble.log" "$OUT/pebble.log"
  fi
  rm -rf "$work"
}
# shellcheck source=ci/pebble.sh
. ci/pebble.sh
PEBBLE_EXIT_HOOKS+=(_main_cleanup)
pebble_start "$work/pebble"

args=(server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE"
      --http01-port "$HTTP01_PORT" --tlsalpn01-port "$TLSALPN01_PORT" --dns-port "$DNS_PORT"
      -j "${JOBS:-4}" --junit "$OUT/acmespec-server.xml" --json "$OUT/acmespec-server.json")
if [ -f cases/expect/pebble-2.4.json ]; then
  args+=(--expect cases/expect/pebble-2.4.json)
else
  echo "main: cases/expect/pebble-2.4.json missing: running without expectations" >&2
fi
run_acmespec "${args[@]}" "$@"
echo "main: reports in $OUT (acmespec-server.xml, acmespec-server.json, pebble.log)"
exit "$RUN_RC"
