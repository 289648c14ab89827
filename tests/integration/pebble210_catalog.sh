#!/usr/bin/env bash
# ctest-labels: pebble
# ctest-netns: private
# The whole server catalog against Pebble 2.10.1, the pinned Go module that
# ci/install-peers.sh puts in its folder (not Debian's 2.4.0), with the
# deterministic settings of ci/pebble.sh (no random nonce rejections, no
# validation sleeps, authz reuse off) and the known results of
# cases/expect/pebble-2.10.json: nothing unexpected (exit 0), no FAIL, ERROR
# or XPASS in the JSON report, a JUnit report that validates, and at least
# MIN_CASES cases run.
#
#   bash tests/integration/pebble210_catalog.sh BUILD/acmespec SOURCE_DIR
#
# Needs the binary: bash ci/install-peers.sh pebble
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
JOBS=${JOBS:-4}
MIN_CASES=${MIN_CASES:-150}
WANT_VERSION=v2.10.1
EXPECT=$SRC/cases/expect/pebble-2.10.json
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"

tl_init pebble210_catalog
tl_check_private_net
tl_check "expectations file $EXPECT exists" test -f "$EXPECT"

PEBBLE_BIN=$(bash "$SRC/ci/install-peers.sh" --print-bin)/pebble
export PEBBLE_BIN
if [ ! -x "$PEBBLE_BIN" ]; then
  tl_fail "Pebble $WANT_VERSION is installed at $PEBBLE_BIN (install it with: bash ci/install-peers.sh pebble)"
  tl_finish
  exit 1
fi
# the expectations are for this one version: check what the binary records
if command -v go >/dev/null; then
  have=$(go version -m "$PEBBLE_BIN" 2>/dev/null | awk '$1 == "mod" {print $3; exit}')
  tl_check "$PEBBLE_BIN is Pebble $WANT_VERSION (${have:-unknown}; bash ci/install-peers.sh pebble)" \
    test "$have" = "$WANT_VERSION"
else
  tl_info "go is not installed: the version of $PEBBLE_BIN is not checked"
fi

pebble_start "$TL_WORK/pebble"

tl_catalog_run "$PEBBLE_DIR_URL" "$PEBBLE_CA_BUNDLE" "$EXPECT" "$MIN_CASES"
if grep -qiE 'panic|fatal error' "$PEBBLE_LOG"; then
  tl_fail "Pebble log shows a panic"; grep -iE -A5 'panic|fatal error' "$PEBBLE_LOG" | head -20
else
  tl_pass "Pebble stayed healthy"
fi
tl_finish
