#!/usr/bin/env bash
# ctest-labels: caddy
# ctest-netns: private
# The whole server catalog against Debian's Caddy 2.6.2 (acme_server, i.e.
# smallstep certificates 0.19.0 as Debian builds it), started by ci/caddy.sh
# in this private network namespace, with the known results of
# cases/expect/caddy-2.6.json: nothing unexpected (exit 0), no FAIL, ERROR or
# XPASS in the JSON report, a JUnit report that validates, and at least
# MIN_CASES cases run. Caddy validates on ports 80 and 443 and resolves
# through resolv.conf (127.0.0.1 here), so the harness's responders take 80,
# 443 and 53: the namespace is what makes that possible and safe.
#
#   bash ci/netns.sh run -- bash tests/integration/caddy_catalog.sh BUILD/acmespec SOURCE_DIR
#
# Needs Debian's caddy (ci/install-deps.sh).
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
JOBS=${JOBS:-2}
MIN_CASES=${MIN_CASES:-150}
WANT_VERSION=2.6.2
EXPECT=$SRC/cases/expect/caddy-2.6.json
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
# shellcheck source=ci/caddy.sh
. "$SRC/ci/caddy.sh"
cd "$SRC"

tl_init caddy_catalog
tl_check_private_net
tl_check "expectations file $EXPECT exists" test -f "$EXPECT"

if ! command -v "${CADDY_BIN:-caddy}" >/dev/null; then
  tl_fail "caddy is installed (ci/install-deps.sh installs Debian's caddy)"
  tl_finish
  exit 1
fi
# the expectations are for this one version
have=$("${CADDY_BIN:-caddy}" version 2>/dev/null | awk '{print $1; exit}')
tl_check "caddy is $WANT_VERSION (${have:-unknown})" test "${have#v}" = "$WANT_VERSION"

if ! caddy_start "$TL_WORK/caddy"; then
  tl_fail "Caddy starts and serves its ACME directory (see the caddy: lines above)"
  tl_finish
  exit 1
fi

json=$TL_WORK/report.json
junit=$TL_WORK/report.xml
start=$SECONDS
tl_run "$ACMESPEC" server "$CADDY_DIR_URL" --ca-bundle "$CADDY_CA_BUNDLE" \
  --http01-port "$HTTP01_PORT" --tlsalpn01-port "$TLSALPN01_PORT" --dns-port "$DNS_PORT" \
  -j "$JOBS" --timeout 10 --expect "$EXPECT" --no-color --json "$json" --junit "$junit"
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
  [ -z "${CADDY_VERDICTS_OUT:-}" ] || cp "$TL_WORK/verdicts.txt" "$CADDY_VERDICTS_OUT"
  [ -z "${CADDY_REPORT_OUT:-}" ] || cp "$json" "$CADDY_REPORT_OUT"
else
  tl_fail "JSON report missing or not JSON: $json"
fi
tl_check "JUnit report validates against junit.xsd" tl_junit_valid "$SRC" "$junit"
if [ -s "$junit" ] && [ -s "$json" ]; then
  tc=$(grep -o '<testcase ' "$junit" | wc -l)
  total=$(tl_total "$json")
  tl_check "JUnit has one testcase per result ($tc = $total)" test "$tc" -eq "$total"
fi
if grep -qiE 'panic|fatal error' "$CADDY_LOG"; then
  tl_fail "Caddy log shows a panic"; grep -iE -A5 'panic|fatal error' "$CADDY_LOG" | head -20
else
  tl_pass "Caddy stayed healthy"
fi
tl_finish
