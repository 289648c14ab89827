#!/usr/bin/env bash
# ctest-labels: clients
# Self-test of the client side: the client scenarios and the mock CA's
# request checks judged against the harness's own conformant client,
# `acmespec mock-client`. Every scenario must pass; then every scenario is
# run again with its negative control (the mock-client misbehaviour named by
# its "control") and must fail (FAIL or NONSTRICT); then every request check
# listed below is run with the misbehaviour that must make it fire.
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

# one_control ID CASEGLOB... -- MISBEHAVIOURS...: run and print "ID VERDICT"
one_control() {
  local id=$1; shift
  local globs=() mis=() out
  while [ "$1" != -- ]; do globs+=(--case "$1"); shift; done
  shift
  for m in "$@"; do mis+=(--misbehave "$m"); done
  out=$(mktemp "$TL_WORK/ctl.XXXXXX")
  timeout --kill-after=10 "${TL_LIMIT:-900}" "$ACMESPEC" client --cases "$SRC/cases" \
    "${globs[@]}" --no-color --json "$out.json" -- "${MOCK[@]}" "${mis[@]}" >"$out.log" 2>&1 || true
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
# 3. request checks: ID, the scenario that exercises it, the misbehaviour that must fire it
S=client.8555.8_3.conformant-http01
CHECKS=(
  "client.8555.6_1.user-agent $S no-user-agent"
  "client.8555.6_1.accept-language $S no-accept-language"
  "client.8555.6_1.b64url-no-padding $S b64-padded"
  "client.8555.6_2.flattened-jws $S compact"
  "client.8555.6_2.no-unprotected-header $S unprotected-header"
  "client.8555.6_2.payload-present $S payload-omit"
  "client.8555.6_2.alg-asymmetric $S alg-none"
  "client.8555.6_2.alg-matches-key $S alg-mismatch"
  "client.8555.6_2.signature-verifies $S sig-corrupt"
  "client.8555.6_2.jwk-where-required $S kid-not-jwk"
  "client.8555.6_2.kid-where-required $S jwk-not-kid"
  "client.8555.6_2.jwk-xor-kid $S jwk-and-kid"
  "client.8555.6_2.content-type-jose $S content-type-json"
  "client.8555.6_3.post-as-get $S get-resources"
  "client.8555.6_4_1.url-present $S url-omit"
  "client.8555.6_4.url-header-matches $S url-mismatch"
  "client.8555.6_5.nonce-present $S nonce-omit"
  "client.8555.6_5_2.nonce-b64url $S nonce-invalid-b64"
  "client.8555.6_5.nonce-fresh $S nonce-forge"
  "client.8555.6_5_1.no-replay-nonce-request $S replay-nonce-header"
  "client.8555.7_3.mailto-contact $S mailto-hfields"
  "client.8555.7_4.csr-matches-order $S csr-missing-name"
  "client.8555.11_1.csr-key-not-account-key $S csr-account-key"
  "client.8555.8_3.http01-keyauth $S keyauth-wrong"
  "client.8555.8_3.http01-no-trailing-space $S http01-trailing-newline"
  "client.8555.8_4.dns01-txt client.8555.8_4.conformant-dns01 keyauth-wrong"
  "client.8737.3.alpn-single-san client.8737.3.conformant-tls-alpn01 alpn-extra-san"
  "client.8737.3.alpn-acme-identifier client.8737.3.conformant-tls-alpn01 keyauth-wrong"
  "client.8737.3.alpn-critical client.8737.3.conformant-tls-alpn01 alpn-noncritical"
)
if [ "$FILTER" = "client.*" ]; then
  for c in "${CHECKS[@]}"; do
    read -r cid scn mis <<<"$c"
    QUEUE+=("$cid $cid $scn -- $mis")
  done
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
