#!/usr/bin/env bash
# ctest-labels: cli
# ctest-netns: private
# Issue 11, item 4 (the part built so far): the mock CA's hostile switches
# (hostile-nonce-invalid, hostile-redirect-loop, hostile-location-off-host,
# hostile-chain-huge) against the mock client. Each run must end with exit 1
# within its --timeout plus a margin for a loaded machine, with a message
# that names the fault; the off-host Location is never fetched (the private
# namespace has loopback only, and the run still ends at once).
#
#   bash tests/integration/mockca_hostile_server.sh ACMESPEC_BINARY SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
tl_init mockca_hostile_server
tl_check_private_net

# hostile SWITCH REGEX: serve with SWITCH, run a whole mock-client flow
hostile() {
  local mb=$1 want=$2 wd pid dir start ms
  wd=$TL_WORK/$mb
  mkdir -p "$wd"
  "$ACMESPEC" serve --port 0 --workdir "$wd/ca" --http01-port 18099 --misbehave "$mb" \
    >"$wd/serve.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '^ca-bundle:' "$wd/serve.out" 2>/dev/null && break; sleep 0.1; done
  dir=$(awk '/^directory:/ {print $2}' "$wd/serve.out")
  start=$(date +%s%N)
  tl_run "$ACMESPEC" mock-client --directory "$dir" --domain a.acmespec.test \
    --ca-bundle "$wd/ca/ca.pem" --http01-port 18099 --timeout 10
  ms=$((($(date +%s%N) - start) / 1000000))
  kill "$pid"
  wait "$pid" || true
  tl_check "$mb: mock-client ended in ${ms} ms (bound 10 s + 5 s)" test "$ms" -le 15000
  tl_check "$mb: exit 1 ($TL_RC)" test "$TL_RC" -eq 1
  tl_check "$mb: the message names the fault ($want)" tl_out_has "$want"
}

hostile hostile-nonce-invalid 'no usable Replay-Nonce'
hostile hostile-redirect-loop 'directory failed: status 302'
hostile hostile-location-off-host 'accountDoesNotExist: no account at https://10\.1\.2\.3/'
hostile hostile-chain-huge 'pem chain: more than 100 certificates'
tl_finish
