#!/usr/bin/env bash
# ctest-labels: clients
# ctest-netns: private
# A real client against the mock CA: lego (Debian package `lego`) obtains
# certificates from `acmespec serve` with its own http-01 server and its own
# tls-alpn-01 server, copes with scripted faults (badNonce, an order that
# stays processing), and revokes. Every certificate must chain to the mock
# CA's root and name what was asked.
#
#   bash tests/integration/mockca_lego.sh BUILD/acmespec SOURCE_DIR
# ACMESPEC_SERVE: a command to use instead of "BUILD/acmespec serve".
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
read -r -a SERVE <<<"${ACMESPEC_SERVE:-$ACMESPEC serve}"
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"

tl_init mockca_lego
tl_check_private_net
if ! command -v lego >/dev/null; then
  tl_fail "lego is installed (apt-get install -y lego)"
  tl_finish
fi
tl_info "$(lego --version 2>&1 | head -n 1)"

SERVE_PIDS=()
_stop_serves() {
  local p
  for p in ${SERVE_PIDS[@]+"${SERVE_PIDS[@]}"}; do proc_kill "$p"; done
}
PEBBLE_EXIT_HOOKS+=(_stop_serves)

# serve_start NAME ARGS...: start a mock CA, set DIR_BASE (https://.../s) and BUNDLE
serve_start() {
  local name=$1; shift
  local out=$TL_WORK/$name.serve.out
  "${SERVE[@]}" --port 0 --workdir "$TL_WORK/$name.ca" "$@" </dev/null >"$out" 2>&1 &
  SERVE_PID=$!
  SERVE_PIDS+=("$SERVE_PID")
  for _ in $(seq 1 100); do
    grep -q '^ca-bundle:' "$out" 2>/dev/null && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^ca-bundle:' "$out"; then
    tl_fail "$name: acmespec serve started"
    sed 's/^/  | /' "$out"
    return 1
  fi
  DIR_BASE=$(awk '/^directory:/ {print $2}' "$out" | sed 's#/s/default/directory$#/s#')
  BUNDLE=$(awk '/^ca-bundle:/ {print $2}' "$out")
  tl_pass "$name: acmespec serve started ($DIR_BASE)"
}

# serve_stop: SIGTERM must stop it cleanly with exit 0
serve_stop() {
  local rc=0
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" || rc=$?
  tl_check "acmespec serve stopped cleanly on SIGTERM (exit $rc)" test "$rc" -eq 0
}

# check_cert PATHDIR DOMAIN: the certificate lego saved chains to the root and names DOMAIN
check_cert() {
  local dir=$1 domain=$2
  local crt=$dir/certificates/$domain.crt issuer=$dir/certificates/$domain.issuer.crt
  tl_check "$domain: lego saved a certificate" test -s "$crt"
  [ -s "$crt" ] || return 0
  tl_check "$domain: the chain verifies against the mock root" \
    bash -c "openssl verify -CAfile '$BUNDLE' -untrusted '$issuer' '$crt' >/dev/null"
  tl_check "$domain: the certificate names $domain" \
    bash -c "openssl x509 -in '$crt' -noout -ext subjectAltName | grep -q 'DNS:$domain'"
}

# lego_run NAME SCENARIO DOMAIN ARGS...: lego run against the scenario
lego_run() {
  local name=$1 scenario=$2 domain=$3; shift 3
  tl_run env LEGO_CA_CERTIFICATES="$BUNDLE" lego --server "$DIR_BASE/$scenario/directory" \
    --email a@b.test --domains "$domain" --accept-tos --path "$TL_WORK/$name.lego" "$@" run
  if [ "$TL_RC" -eq 0 ]; then tl_pass "$name: lego run exit 0"; else
    tl_fail "$name: lego run exit $TL_RC"; tl_show_out; fi
}

pebble_free_port HTTP01
pebble_free_port TLSALPN01

# 1. the conformant CA: http-01, then tls-alpn-01, then revocation
serve_start plain --http01-port "$HTTP01" --tlsalpn01-port "$TLSALPN01"
lego_run http01 http01 x.acmespec.test --http --http.port "127.0.0.1:$HTTP01"
check_cert "$TL_WORK/http01.lego" x.acmespec.test
lego_run alpn alpn y.acmespec.test --tls --tls.port "127.0.0.1:$TLSALPN01"
check_cert "$TL_WORK/alpn.lego" y.acmespec.test
tl_run env LEGO_CA_CERTIFICATES="$BUNDLE" lego --server "$DIR_BASE/http01/directory" \
  --email a@b.test --domains x.acmespec.test --path "$TL_WORK/http01.lego" revoke
if [ "$TL_RC" -eq 0 ]; then tl_pass "lego revoke exit 0"; else tl_fail "lego revoke exit $TL_RC"; tl_show_out; fi
serve_stop

# 2. scripted faults a client must cope with: two badNonce answers, an order
#    that stays processing for three polls
serve_start faults --http01-port "$HTTP01" --tlsalpn01-port "$TLSALPN01" \
  --misbehave bad-nonce=2 --misbehave order-processing=3
lego_run faults faults z.acmespec.test --http --http.port "127.0.0.1:$HTTP01"
check_cert "$TL_WORK/faults.lego" z.acmespec.test
serve_stop

tl_finish
