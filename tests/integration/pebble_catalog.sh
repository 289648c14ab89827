#!/usr/bin/env bash
# ctest-labels: pebble
# ctest-netns: private
# The whole server catalog against Debian's Pebble 2.4.0 with deterministic
# settings (no random nonce rejections, no validation sleeps, no authz reuse):
# nothing unexpected (exit 0), no FAIL and no ERROR in the JSON report, a
# JUnit report that validates, and at least MIN_CASES cases run.
#
#   bash tests/integration/pebble_catalog.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
JOBS=${JOBS:-4}
MIN_CASES=${MIN_CASES:-60}
EXPECT=$SRC/cases/expect/pebble-2.4.json
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"

tl_init pebble_catalog
tl_check_private_net
tl_check "expectations file $EXPECT exists" test -f "$EXPECT"
pebble_start "$TL_WORK/pebble"

tl_catalog_run "$PEBBLE_DIR_URL" "$PEBBLE_CA_BUNDLE" "$EXPECT" "$MIN_CASES"
if grep -qiE 'panic|fatal error' "$PEBBLE_LOG"; then
  tl_fail "Pebble log shows a panic"; grep -iE -A5 'panic|fatal error' "$PEBBLE_LOG" | head -20
else
  tl_pass "Pebble stayed healthy"
fi
tl_finish
