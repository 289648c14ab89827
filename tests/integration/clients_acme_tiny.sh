#!/usr/bin/env bash
# ctest-labels: clients
# The client scenarios against acme-tiny (Debian package `acme-tiny`), through the
# harness's ready-made recipe: `acmespec client --client acme-tiny` with the
# known violations of cases/expect/client-acme-tiny.json. The run must exit 0
# (nothing unexpected), judge nothing ERROR, write a JUnit report that
# validates, and the conformant http-01 scenario must pass.
#
#   bash tests/integration/clients_acme-tiny.sh BUILD/acmespec SOURCE_DIR
# CLIENTS_JOBS: parallel scenarios (default 4); CLIENTS_TIMEOUT: bound on
# each client run and wait, seconds (default 120: hooks can be slow).
# ACMESPEC_CLIENT_SEL: replaces "--client acme-tiny" (e.g. "-- wrapper-script").
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
NAME=acme-tiny
EXPECT=$SRC/cases/expect/client-$NAME.json
read -r -a SEL <<<"${ACMESPEC_CLIENT_SEL:---client $NAME}"
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"

tl_init "clients_$NAME"
if ! command -v acme-tiny >/dev/null; then
  tl_fail "acme-tiny is installed (apt-get install -y acme-tiny)"
  tl_finish
fi
tl_info "$(dpkg-query -W -f '${Package} ${Version}' acme-tiny 2>/dev/null || echo "acme-tiny (version unknown)")"

json=$TL_WORK/report.json
junit=$TL_WORK/report.xml
start=$SECONDS
tl_run "$ACMESPEC" client --cases "$SRC/cases" --expect "$EXPECT" -j "${CLIENTS_JOBS:-4}" \
  --timeout "${CLIENTS_TIMEOUT:-120}" --no-color --json "$json" --junit "$junit" "${SEL[@]}"
tl_info "$NAME: all client scenarios and checks took $((SECONDS - start))s"
if [ "$TL_RC" -eq 0 ]; then tl_pass "acmespec client --client $NAME: exit 0"; else
  tl_fail "acmespec client --client $NAME: exit $TL_RC, wanted 0"; tl_show_out; fi
if [ -s "$json" ]; then
  tl_info "$(tl_counts "$json")"
  errors=$(tl_count "$json" ERROR)
  tl_check "no ERROR verdict ($errors)" test "$errors" -eq 0
  [ "$errors" -eq 0 ] || tl_list "$json" ERROR
  for v in FAIL XPASS; do
    [ "$(tl_count "$json" "$v")" -eq 0 ] || { echo "  ..    unexpected $v:"; tl_list "$json" "$v"; }
  done
  conf=$(tl_verdicts "$json" | awk '$1 == "client.8555.8_3.conformant-http01" {print $2}')
  tl_check "the conformant http-01 scenario passed (${conf:-missing})" test "$conf" = PASS
else
  tl_fail "JSON report written"
fi
tl_check "JUnit report validates against junit.xsd" tl_junit_valid "$SRC" "$junit"
tl_finish
