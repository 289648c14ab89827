#!/usr/bin/env bash
# ctest-labels: pebble
# ctest-netns: private
# shellcheck disable=SC2030,SC2031  # the reference run sets its ports in a subshell on purpose
# The server catalog against Pebble with its own defaults left on: 5% of good
# nonces refused with badNonce, random 0-15 s sleeps before validations, valid
# authorizations reused half of the time. A conformant client (the harness's
# mock client) must cope: nothing may be judged FAIL, ERROR or XPASS under
# the defaults that a deterministic Pebble (started beside it, same catalog,
# same expectations file) did not judge the same way.
#
#   bash tests/integration/pebble_defaults.sh BUILD/acmespec SOURCE_DIR
# DEFAULTS_FILTER: extra acmespec filter options (e.g. "--tag nonce") to run a
# subset; default: the whole catalog.
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
JOBS=${JOBS:-4}
EXPECT=$SRC/cases/expect/pebble-2.4.json
read -r -a FILTER <<<"${DEFAULTS_FILTER:-}"
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"

tl_init pebble_defaults
tl_check_private_net

# the deterministic reference, in a subshell with its own Pebble and ports,
# running in the background while the defaults run goes on
ref_json=$TL_WORK/reference.json
# its ports are picked here, so that the Pebble below cannot pick them too
for v in PEBBLE_PORT PEBBLE_MGMT_PORT HTTP01_PORT TLSALPN01_PORT DNS_PORT; do
  pebble_free_port "ref_$v"
done
(
  # shellcheck disable=SC2154  # set by pebble_free_port
  PEBBLE_PORT=$ref_PEBBLE_PORT PEBBLE_MGMT_PORT=$ref_PEBBLE_MGMT_PORT
  # shellcheck disable=SC2154
  HTTP01_PORT=$ref_HTTP01_PORT TLSALPN01_PORT=$ref_TLSALPN01_PORT DNS_PORT=$ref_DNS_PORT
  # this subshell's own exit trap stops only its own Pebble
  _pebble_trap_set=
  PEBBLE_EXIT_HOOKS=()
  pebble_start "$TL_WORK/pebble-ref" 2>"$TL_WORK/pebble-ref.err"
  timeout --kill-after=10 "${TL_LIMIT:-900}" "$ACMESPEC" server "$PEBBLE_DIR_URL" \
    --ca-bundle "$PEBBLE_CA_BUNDLE" --http01-port "$HTTP01_PORT" \
    --tlsalpn01-port "$TLSALPN01_PORT" --dns-port "$DNS_PORT" -j "$JOBS" \
    --expect "$EXPECT" --no-color --json "$ref_json" \
    ${FILTER[@]+"${FILTER[@]}"} >"$TL_WORK/reference.out" 2>&1 || true
) &
ref_pid=$!

PEBBLE_KEEP_DEFAULTS=1 pebble_start "$TL_WORK/pebble"
json=$TL_WORK/report.json
junit=$TL_WORK/report.xml
start=$SECONDS
# validations may sleep up to 15 s each: a generous bound on each wait
tl_run "$ACMESPEC" server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
  --http01-port "$HTTP01_PORT" --tlsalpn01-port "$TLSALPN01_PORT" --dns-port "$DNS_PORT" \
  -j "$JOBS" --timeout 90 --expect "$EXPECT" --no-color --json "$json" --junit "$junit" \
  ${FILTER[@]+"${FILTER[@]}"}
tl_info "catalog under Pebble's defaults at -j $JOBS took $((SECONDS - start))s"
tail -n 3 "$TL_WORK/last.out" | sed 's/^/  | /'
tl_info "Pebble slept before $(grep -c 'Sleeping for' "$PEBBLE_LOG" || true) validations"
wait "$ref_pid" || true
tl_info "deterministic reference: $(tail -n 1 "$TL_WORK/reference.out")"

if [ "$TL_RC" -le 1 ]; then
  tl_pass "acmespec exit $TL_RC (0 or 1: judged everything)"
else
  tl_fail "acmespec exit $TL_RC"; tl_show_out
fi
if [ -s "$json" ] && jq empty "$json" 2>/dev/null && [ -s "$ref_json" ]; then
  tl_info "verdicts (defaults):      $(tl_counts "$json")"
  tl_info "verdicts (deterministic): $(tl_counts "$ref_json")"
  tl_verdicts "$ref_json" >"$TL_WORK/ref.txt"
  tl_verdicts "$json" >"$TL_WORK/defaults.txt"
  # cases judged FAIL/ERROR/XPASS under the defaults but not so in the reference
  new_bad=$(LC_ALL=C join -a 1 -e NONE -o 0,1.2,2.2 "$TL_WORK/defaults.txt" "$TL_WORK/ref.txt" |
            awk '($2=="FAIL"||$2=="ERROR"||$2=="XPASS") && $2!=$3 {print $1" "$3" -> "$2}')
  if [ -z "$new_bad" ]; then
    tl_pass "nothing FAIL/ERROR/XPASS under the defaults that the deterministic run did not judge so"
  else
    tl_fail "judged worse under Pebble's defaults (deterministic -> defaults):"
    while read -r id change; do
      printf '      %s (%s): %s\n' "$id" "$change" \
        "$(jq -r --arg id "$id" '.results[] | select(.id == $id) | .message // ""' "$json")"
    done <<<"$new_bad"
  fi
  changed=$(LC_ALL=C join -o 0,2.2,1.2 "$TL_WORK/defaults.txt" "$TL_WORK/ref.txt" |
            awk '$2!=$3 {print $1" "$2" -> "$3}')
  tl_info "$(grep -c . <<<"$changed" || true) cases changed verdict (deterministic -> defaults)"
  if [ -n "$changed" ]; then
    while read -r line; do echo "      $line"; done <<<"$changed"
  fi
  ran=$(( $(tl_total "$json") - $(tl_count "$json" SKIPPED) ))
  tl_check "cases ran ($ran)" test "$ran" -gt 0
else
  tl_fail "a JSON report is missing or not JSON: $json $ref_json"
  tail -n 20 "$TL_WORK/reference.out" "$TL_WORK/pebble-ref.err" 2>/dev/null | sed 's/^/  | /'
fi
tl_check "JUnit report validates against junit.xsd" tl_junit_valid "$SRC" "$junit"
tl_finish
