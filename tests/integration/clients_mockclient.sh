#!/usr/bin/env bash
# ctest-labels: clients
# ctest-netns: private
# Self-test of the client side: the client scenarios and the mock CA's
# request checks judged against the harness's own conformant client,
# `acmespec mock-client`. Every scenario must pass; then every scenario is
# run again with its negative control (the mock-client misbehaviour named by
# its "control") and must fail (FAIL or NONSTRICT); then every request check
# of cases/client-checks.json is run with the misbehaviour that must make it
# fire.
#
#   bash tests/integration/clients_mockclient.sh BUILD/acmespec SOURCE_DIR
# CLIENTS_JOBS: parallel runs (default 4). CLIENTS_FILTER: a --case glob to
# self-test a subset (default: every scenario).
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
JOBS=${CLIENTS_JOBS:-4}
FILTER=${CLIENTS_FILTER:-client.*}
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
tl_init clients_mockclient
tl_check_private_net

# the client under test: placeholders are filled in by acmespec client
MOCK=("$ACMESPEC" mock-client --directory '{directory}' --ca-bundle '{ca_bundle}'
  --domains '{domains}' --challenge '{challenge}' --http01-port '{http01_port}'
  --tlsalpn01-port '{tlsalpn01_port}' --dns-hook '{dns_hook}' --webroot '{webroot}')

# verdict_of JSON ID: the verdict of one result
verdict_of() { tl_verdicts "$1" | awk -v id="$2" '$1 == id {print $2}'; }

# 1. conformant: every scenario passes, nothing is judged FAIL, NONSTRICT or ERROR
json=$TL_WORK/conformant.json
start=$SECONDS
tl_run "$ACMESPEC" client --cases "$SRC/cases" --case "$FILTER" --strict -j "$JOBS" --no-color \
  --json "$json" --junit "$TL_WORK/conformant.xml" -- "${MOCK[@]}"
tl_info "conformant run took $((SECONDS - start))s: $(tl_counts "$json" 2>/dev/null || echo no report)"
if [ "$TL_RC" -eq 0 ]; then tl_pass "conformant mock client: exit 0 under --strict"; else
  tl_fail "conformant mock client: exit $TL_RC under --strict"
  for v in FAIL NONSTRICT ERROR; do tl_list "$json" "$v" 2>/dev/null || true; done
fi
tl_check "conformant JUnit report validates" tl_junit_valid "$SRC" "$TL_WORK/conformant.xml"

# 1b. the timing scenarios ("daemon": true; UNSUPPORTED above) with the mock client as a daemon
DAEMON_IDS=" $(jq -r 'select(.scenario.daemon == true) | .id' "$SRC"/cases/client/*.json | tr '\n' ' ')"
dsel=()
for id in $DAEMON_IDS; do
  # shellcheck disable=SC2254  # FILTER is a glob on purpose
  case "$id" in $FILTER) dsel+=(--case "$id") ;; esac
done
if [ "${#dsel[@]}" -gt 0 ]; then
  json=$TL_WORK/daemons.json
  tl_run "$ACMESPEC" client --daemon --cases "$SRC/cases" "${dsel[@]}" --strict -j "$JOBS" \
    --no-color --json "$json" -- "${MOCK[@]}" --daemon
  if [ "$TL_RC" -eq 0 ]; then tl_pass "conformant mock client as a daemon: exit 0 under --strict"
  else
    tl_fail "conformant mock client as a daemon: exit $TL_RC under --strict"
    for v in FAIL NONSTRICT ERROR UNSUPPORTED; do tl_list "$json" "$v" 2>/dev/null || true; done
  fi
fi
# one_control ID CASEGLOB... -- MISBEHAVIOURS...: run and print "ID VERDICT"
one_control() {
  local id=$1; shift
  local globs=() mis=() out dm=()
  while [ "$1" != -- ]; do globs+=(--case "$1"); shift; done
  shift
  for m in "$@"; do mis+=(--misbehave "$m"); done
  case "$DAEMON_IDS" in *" $id "*) dm=(--daemon) ;; esac
  out=$(mktemp "$TL_WORK/ctl.XXXXXX")
  timeout --kill-after=10 "${TL_LIMIT:-900}" "$ACMESPEC" client "${dm[@]}" --cases "$SRC/cases" \
    "${globs[@]}" --no-color --json "$out.json" -- "${MOCK[@]}" "${dm[@]}" "${mis[@]}" \
    >"$out.log" 2>&1 || true
  echo "$id $(verdict_of "$out.json" "$id" 2>/dev/null || echo none) $*" >"$out.res"
}

# run_all: the queued control runs, JOBS at a time
QUEUE=()
run_all() {
  local running=0 q
  for q in "${QUEUE[@]}"; do
    eval "one_control $q" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
  done
  wait || true
  QUEUE=()
}

# 2. every scenario with its control
start=$SECONDS
for f in "$SRC"/cases/client/*.json; do
  id=$(jq -r .id "$f")
  # shellcheck disable=SC2254  # FILTER is a glob on purpose
  case "$id" in $FILTER) ;; *) continue ;; esac
  ctl=$(jq -r '.control | if type == "array" then join(" ") else (. // "") end' "$f")
  if [ -z "$ctl" ]; then tl_fail "$id has a control"; continue; fi
  QUEUE+=("$id $id -- $ctl")
done
# 3. request checks: each with the scenario that exercises it and the misbehaviour(s)
# that must make it fire, from cases/client-checks.json (the self-test's own list);
# an entry marked "blocked" cannot fire yet (the reason says why)
if [ "$FILTER" = "client.*" ]; then
  while IFS=$'\t' read -r cid scn mis blocked; do
    if [ -n "$blocked" ]; then tl_info "$cid: control $mis blocked: $blocked"; continue; fi
    QUEUE+=("$cid $cid $scn -- $mis")
  done < <(jq -r '.checks[] | [.check, .scenario, (.control | join(" ")), (.blocked // "")] | @tsv' \
    "$SRC/cases/client-checks.json")
fi
run_all
tl_info "control runs took $((SECONDS - start))s"
for r in "$TL_WORK"/ctl.*.res; do
  [ -e "$r" ] || continue
  read -r id verdict ctl <"$r"
  case "$verdict" in
  FAIL | NONSTRICT) tl_pass "$id fails under its control $ctl ($verdict)" ;;
  *) tl_fail "$id fails under its control $ctl (got ${verdict:-no verdict})"
     tail -n 5 "${r%.res}.log" | sed 's/^/  | /' ;;
  esac
done
tl_finish
