#!/usr/bin/env bash
# ctest-labels: pebble
# ctest-netns: private
# External account binding: Pebble with externalAccountBindingRequired and a
# known kid / HMAC key; the cases tagged eab run with --eab-kid/--eab-hmac and
# must leave nothing unexpected (exit 0) with the expectations file, and at
# least one of them must PASS (the feature is there, so not all UNSUPPORTED).
# Then the whole catalog runs against the same server: every account the
# cases make carries the binding ("eab": "auto"), and nothing may be
# judged FAIL, ERROR or XPASS (exit 0). EAB_FULL=0 skips that second run.
#
#   bash tests/integration/pebble_eab.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
JOBS=${JOBS:-4}
EXPECT=$SRC/cases/expect/pebble-2.4.json
# a test-only key: 32 bytes, base64url without padding
EAB_KID=acmespec-test-kid
EAB_HMAC=YWNtZXNwZWMtdGVzdC1vbmx5LWVhYi1obWFjLWtleSE
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"

tl_init pebble_eab
tl_check_private_net
PEBBLE_EAB_KID=$EAB_KID PEBBLE_EAB_HMAC=$EAB_HMAC pebble_start "$TL_WORK/pebble"
tl_check "directory says externalAccountRequired" \
  bash -c "curl -sf --cacert '$PEBBLE_CA_BUNDLE' '$PEBBLE_DIR_URL' | jq -e '.meta.externalAccountRequired == true' >/dev/null"

json=$TL_WORK/report.json
junit=$TL_WORK/report.xml
tl_run "$ACMESPEC" server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
  --http01-port "$HTTP01_PORT" --tlsalpn01-port "$TLSALPN01_PORT" --dns-port "$DNS_PORT" \
  -j "$JOBS" --tag eab --eab-kid "$EAB_KID" --eab-hmac "$EAB_HMAC" \
  --expect "$EXPECT" --no-color --json "$json" --junit "$junit"
tail -n 5 "$TL_WORK/last.out" | sed 's/^/  | /'
if [ "$TL_RC" -eq 0 ]; then tl_pass "acmespec --tag eab exit 0"; else tl_fail "acmespec --tag eab exit $TL_RC, wanted 0"; tl_show_out; fi
if [ -s "$json" ] && jq empty "$json" 2>/dev/null; then
  tl_info "verdicts: $(tl_counts "$json")"
  for v in FAIL ERROR XPASS; do
    n=$(tl_count "$json" "$v")
    if [ "$n" -eq 0 ]; then tl_pass "no $v"; else tl_fail "$n $v:"; tl_list "$json" "$v"; fi
  done
  n_pass=$(tl_count "$json" PASS)
  tl_check "$n_pass eab cases PASS (> 0)" test "$n_pass" -gt 0
  n_uns=$(tl_count "$json" UNSUPPORTED)
  if [ "$n_uns" -gt 0 ]; then tl_info "UNSUPPORTED despite EAB being required:"; tl_list "$json" UNSUPPORTED; fi
else
  tl_fail "JSON report missing or not JSON: $json"
fi
tl_check "JUnit report validates against junit.xsd" tl_junit_valid "$SRC" "$junit"

if [ "${EAB_FULL:-1}" = 1 ]; then
  json=$TL_WORK/full.json
  start=$SECONDS
  tl_run "$ACMESPEC" server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
    --http01-port "$HTTP01_PORT" --tlsalpn01-port "$TLSALPN01_PORT" --dns-port "$DNS_PORT" \
    -j "$JOBS" --eab-kid "$EAB_KID" --eab-hmac "$EAB_HMAC" \
    --expect "$EXPECT" --no-color --json "$json"
  tl_info "whole catalog against the EAB-only Pebble took $((SECONDS - start))s"
  tail -n 3 "$TL_WORK/last.out" | sed 's/^/  | /'
  if [ "$TL_RC" -eq 0 ]; then tl_pass "whole catalog with EAB: exit 0"; else tl_fail "whole catalog with EAB: exit $TL_RC, wanted 0"; tl_show_out; fi
  if [ -s "$json" ] && jq empty "$json" 2>/dev/null; then
    for v in FAIL ERROR XPASS; do
      n=$(tl_count "$json" "$v")
      if [ "$n" -eq 0 ]; then tl_pass "whole catalog with EAB: no $v"; else tl_fail "whole catalog with EAB: $n $v:"; tl_list "$json" "$v"; fi
    done
  else
    tl_fail "JSON report missing or not JSON: $json"
  fi
fi

tl_finish
