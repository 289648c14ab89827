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

tl_catalog_run "$CADDY_DIR_URL" "$CADDY_CA_BUNDLE" "$EXPECT" "$MIN_CASES" --timeout 10
[ -z "${CADDY_VERDICTS_OUT:-}" ] || cp "$TL_WORK/verdicts.txt" "$CADDY_VERDICTS_OUT"
[ -z "${CADDY_REPORT_OUT:-}" ] || cp "$TL_WORK/report.json" "$CADDY_REPORT_OUT"
if grep -qiE 'panic|fatal error' "$CADDY_LOG"; then
  tl_fail "Caddy log shows a panic"; grep -iE -A5 'panic|fatal error' "$CADDY_LOG" | head -20
else
  tl_pass "Caddy stayed healthy"
fi
tl_finish
