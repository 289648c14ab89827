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

json=$TL_WORK/report.json
junit=$TL_WORK/report.xml
start=$SECONDS
tl_run "$ACMESPEC" server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
  --http01-port "$HTTP01_PORT" --tlsalpn01-port "$TLSALPN01_PORT" --dns-port "$DNS_PORT" \
  -j "$JOBS" --expect "$EXPECT" --no-color --json "$json" --junit "$junit"
tl_info "catalog at -j $JOBS took $((SECONDS - start))s"
tail -n 5 "$TL_WORK/last.out" | sed 's/^/  | /'

if [ "$TL_RC" -eq 0 ]; then tl_pass "acmespec exit 0"; else tl_fail "acmespec exit $TL_RC, wanted 0"; tl_show_out; fi
if [ -s "$json" ] && jq empty "$json" 2>/dev/null; then
  tl_pass "JSON report is JSON"
  tl_info "verdicts: $(tl_counts "$json")"
  n_fail=$(tl_count "$json" FAIL); n_err=$(tl_count "$json" ERROR); n_xpass=$(tl_count "$json" XPASS)
  if [ "$n_fail" -eq 0 ]; then tl_pass "no FAIL"; else tl_fail "$n_fail FAIL (not in $EXPECT):"; tl_list "$json" FAIL; fi
  if [ "$n_err" -eq 0 ]; then tl_pass "no ERROR"; else tl_fail "$n_err ERROR:"; tl_list "$json" ERROR; fi
  if [ "$n_xpass" -eq 0 ]; then tl_pass "no XPASS"; else tl_fail "$n_xpass XPASS (update $EXPECT):"; tl_list "$json" XPASS; fi
  ran=$(( $(tl_total "$json") - $(tl_count "$json" SKIPPED) ))
  if [ "$ran" -ge "$MIN_CASES" ]; then tl_pass "$ran cases ran (>= $MIN_CASES)"; else tl_fail "only $ran cases ran, wanted >= $MIN_CASES"; fi
  n_pass=$(tl_count "$json" PASS)
  if [ "$n_pass" -gt 0 ]; then tl_pass "$n_pass cases PASS"; else tl_fail "no case PASS"; fi
  tl_verdicts "$json" >"$TL_WORK/verdicts.txt"
else
  tl_fail "JSON report missing or not JSON: $json"
fi
tl_check "JUnit report validates against junit.xsd" tl_junit_valid "$SRC" "$junit"
if [ -s "$junit" ] && [ -s "$json" ]; then
  tc=$(grep -o '<testcase ' "$junit" | wc -l)
  total=$(tl_total "$json")
  tl_check "JUnit has one testcase per result ($tc = $total)" test "$tc" -eq "$total"
fi
if grep -qiE 'panic|fatal error' "$PEBBLE_LOG"; then
  tl_fail "Pebble log shows a panic"; grep -iE -A5 'panic|fatal error' "$PEBBLE_LOG" | head -20
else
  tl_pass "Pebble stayed healthy"
fi
tl_finish
