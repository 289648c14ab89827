#!/usr/bin/env bash
# ctest-labels: cli
# ctest-netns: private
# Issue 11, item 5: the mock CA's eight hostile switches against the mock
# client (hostile-nonce-invalid, hostile-redirect-loop,
# hostile-location-off-host, hostile-chain-huge, hostile-never-answer,
# hostile-trickle, hostile-body-huge, hostile-close-mid-body). Each run must
# end with exit 1 within its --timeout plus a margin for a loaded machine,
# with a message that names the fault; the off-host Location is never
# fetched (the private namespace has loopback only, and the run still ends
# at once). The mock CA must stop promptly after each, also while it holds
# a connection (never-answer, trickle); and the server catalog runner
# (`acmespec server`) against a hostile CA gets ERROR verdicts that say why,
# within its --timeout.
#
#   bash tests/integration/mockca_hostile_server.sh ACMESPEC_BINARY SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
tl_init mockca_hostile_server
tl_check_private_net

# serve_up SWITCH DIR: start `acmespec serve --misbehave SWITCH` in DIR; sets pid and dir
serve_up() {
  local mb=$1 wd=$2
  mkdir -p "$wd"
  "$ACMESPEC" serve --port 0 --workdir "$wd/ca" --http01-port 18099 --misbehave "$mb" \
    >"$wd/serve.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '^ca-bundle:' "$wd/serve.out" 2>/dev/null && break; sleep 0.1; done
  dir=$(awk '/^directory:/ {print $2}' "$wd/serve.out")
}

# serve_down WHAT: stop the mock CA (SIGTERM) and check that it stopped at once and cleanly
serve_down() {
  local what=$1 start ms rc=0
  start=$(date +%s%N)
  kill "$pid"
  wait "$pid" || rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  tl_check "$what: the mock CA stopped in ${ms} ms (bound 5 s)" test "$ms" -le 5000
  tl_check "$what: the mock CA exited 0 ($rc)" test "$rc" -eq 0
}

# hostile SWITCH REGEX: serve with SWITCH, run a whole mock-client flow
hostile() {
  local mb=$1 want=$2 wd=$TL_WORK/$1 start ms
  serve_up "$mb" "$wd"
  start=$(date +%s%N)
  tl_run "$ACMESPEC" mock-client --directory "$dir" --domain a.acmespec.test \
    --ca-bundle "$wd/ca/ca.pem" --http01-port 18099 --timeout 10
  ms=$((($(date +%s%N) - start) / 1000000))
  serve_down "$mb"
  tl_check "$mb: mock-client ended in ${ms} ms (bound 10 s + 5 s)" test "$ms" -le 15000
  tl_check "$mb: exit 1 ($TL_RC)" test "$TL_RC" -eq 1
  tl_check "$mb: the message names the fault ($want)" tl_out_has "$want"
  [ "$TL_RC" -eq 1 ] && tl_out_has "$want" || tl_show_out
}

hostile hostile-nonce-invalid 'no usable Replay-Nonce'
hostile hostile-redirect-loop 'directory failed: status 302'
hostile hostile-location-off-host 'accountDoesNotExist: no account at https://10\.1\.2\.3/'
hostile hostile-chain-huge 'pem chain: more than 100 certificates'
# the per-request bound (30 s) is cut to what is left of the flow's 10 s
hostile hostile-never-answer 'directory: timed out after [0-9]+ ms waiting for https://'
# a byte a second: no gap is long, only a bound on the whole request ends it
hostile hostile-trickle 'directory: timed out after [0-9]+ ms waiting for https://'
hostile hostile-body-huge 'exceeds the cap of 4194304 bytes'
hostile hostile-close-mid-body 'partial body, [0-9]+ of the [0-9]+ bytes its Content-Length announced'

# held: the mock CA stops at once while it holds a connection, and the held
# client sees the connection end (it does not wait out its own 60 s)
held() {
  local mb=$1 wd=$TL_WORK/held-$1 cpid start ms rc=0
  serve_up "$mb" "$wd"
  "$ACMESPEC" mock-client --directory "$dir" --domain a.acmespec.test \
    --ca-bundle "$wd/ca/ca.pem" --http01-port 18099 --timeout 60 >"$wd/client.out" 2>&1 &
  cpid=$!
  sleep 3
  start=$(date +%s%N)
  serve_down "$mb, a connection held"
  wait "$cpid" || rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  tl_check "$mb: the held client ended ${ms} ms after the stop (bound 10 s), exit 1 ($rc)" \
    test "$ms" -le 10000 -a "$rc" -eq 1
}
held hostile-never-answer
held hostile-trickle

# the server catalog runner: every case that reaches newAccount is ERROR,
# "timed out", inside --timeout; none is judged FAIL for the CA's hang
wd=$TL_WORK/catalog
serve_up hostile-trickle=new-account "$wd"
start=$SECONDS
tl_run "$ACMESPEC" server "$dir" --ca-bundle "$wd/ca/ca.pem" --timeout 3 --tag directory -j 4 \
  --no-color --json "$wd/report.json"
took=$((SECONDS - start))
serve_down "acmespec server against hostile-trickle=new-account"
tl_check "acmespec server: exit 3, errors ($TL_RC)" test "$TL_RC" -eq 3
tl_check "acmespec server ended in ${took} s (bound 30 s)" test "$took" -le 30
n_err=$(tl_count "$wd/report.json" ERROR)
n_fail=$(tl_count "$wd/report.json" FAIL)
n_bad=$(jq '[.results[] | select(.verdict == "ERROR") |
  select(.message | test("new-account.*timed out after 3000 ms") | not)] | length' "$wd/report.json")
tl_check "acmespec server: some ERROR verdicts ($n_err), no FAIL ($n_fail)" \
  test "$n_err" -ge 1 -a "$n_fail" -eq 0
tl_check "acmespec server: every ERROR says new-account timed out after 3000 ms ($n_bad do not)" \
  test "$n_bad" -eq 0
tl_finish
