#!/usr/bin/env bash
# ctest-labels: cli
# acmespec client --daemon against a fake daemon (the mock client, then a
# sleep that never ends) that first forks a helper into a session of its
# own which ignores SIGTERM: the kill of the process group never reaches
# it, so only the harness's descendant tracking (harness/proc.c) ends it.
#  1. the fake stores its certificate under {workdir}: PASS, exit 0;
#  2. negative control: it prints the certificate and stores nothing: the
#     scenario FAILs on "stored no issued certificate";
#  3. SIGINT and SIGTERM to acmespec client while the daemon runs: exit 130
#     and 143;
#  4. a daemon told Retry-After: 10 (order-processing-30s) is watched past
#     the 5 s quiet time until it comes back: PASS.
# After each run no process the harness started remains (the helper
# included) and no temporary folder is left.
#
#   bash tests/integration/client_daemon_hygiene.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"

tl_init client_daemon_hygiene
MARK=acmespec-daemon-helper-$$
CASE=client.8555.8_3.conformant-http01

# the fake daemon: FAKE STORE(0|1) WORKDIR MOCK-CLIENT-WORDS...
FAKE=$TL_WORK/fake-daemon.sh
cat >"$FAKE" <<'SH'
#!/bin/sh
store=$1 workdir=$2 mark=$3
shift 3
setsid sh -c 'trap "" TERM; while :; do sleep 1; done' "$mark" </dev/null >/dev/null 2>&1 &
if [ "$1" != none ]; then
  if [ "$store" = 1 ]; then "$@" --cert-out "$workdir/cert.pem"; else "$@"; fi
fi
while :; do sleep 1; done
SH
MOCK=("$ACMESPEC" mock-client --directory '{directory}' --ca-bundle '{ca_bundle}'
  --domains '{domains}' --challenge '{challenge}' --http01-port '{http01_port}'
  --webroot '{webroot}')

helper_left() { pgrep -f "^sh -c trap \"\" TERM; while :; do sleep 1; done $MARK" >/dev/null; }
helper_gone() { ! helper_left; }

# after NAME TMP: nothing of the harness is left
after() {
  tl_check "$1: the SIGTERM-ignoring helper in its own session is gone" helper_gone
  tl_check "$1: no fake daemon left" bash -c "! pgrep -f '^/bin/sh $FAKE' >/dev/null"
  tl_check "$1: no temporary folder left ($(ls -A "$2" | tr '\n' ' '))" test -z "$(ls -A "$2")"
  for p in $(pgrep -f "$MARK" || true); do tl_kill "$p"; done
}

# 1 and 2: stored, and the negative control
for store in 1 0; do
  tmp=$TL_WORK/tmp-$store; mkdir -p "$tmp"
  TMPDIR=$tmp tl_run "$ACMESPEC" client --no-color --daemon --timeout 60 --case "$CASE" \
    --json "$TL_WORK/store$store.json" -- /bin/sh "$FAKE" "$store" '{workdir}' "$MARK" "${MOCK[@]}"
  v=$(tl_verdicts "$TL_WORK/store$store.json" | awk -v id="$CASE" '$1 == id {print $2}')
  if [ "$store" = 1 ]; then
    tl_check "stored: exit 0 (got $TL_RC)" test "$TL_RC" -eq 0
    tl_check "stored: $CASE PASS (got ${v:-none})" test "$v" = PASS
  else
    tl_check "not stored: exit 1 (got $TL_RC)" test "$TL_RC" -eq 1
    tl_check "not stored: $CASE FAIL (got ${v:-none})" test "$v" = FAIL
    tl_check "not stored: the verdict says nothing was stored" \
      jq -e --arg id "$CASE" '.results[] | select(.id == $id) | .message | test("stored no issued certificate")' \
      "$TL_WORK/store$store.json"
  fi
  after "store=$store" "$tmp"
done

# 4: a daemon told to come back later is not "quiet" before then: the
# processing order's Retry-After: 10 outlasts the 5 s quiet time (before the
# fix the scenario ended after 5 s: NONSTRICT, stored no certificate)
CASE30=client.8555.7_4.order-processing-30s
tmp=$TL_WORK/tmp-ra; mkdir -p "$tmp"
TMPDIR=$tmp tl_run "$ACMESPEC" client --no-color --daemon --timeout 60 --case "$CASE30" \
  --json "$TL_WORK/ra.json" -- /bin/sh "$FAKE" 1 '{workdir}' "$MARK" "${MOCK[@]}"
v=$(tl_verdicts "$TL_WORK/ra.json" | awk -v id="$CASE30" '$1 == id {print $2}')
tl_check "Retry-After 10 on a processing order: $CASE30 PASS (got ${v:-none})" test "$v" = PASS
after "retry-after" "$tmp"

# 3: a signal while the daemon runs (it never reaches the CA: the run would last --timeout)
for pair in INT:130 TERM:143; do
  sig=${pair%%:*} want=${pair##*:} tmp=$TL_WORK/tmp-$sig
  mkdir -p "$tmp"
  TMPDIR=$tmp "$ACMESPEC" client --no-color --daemon --timeout 300 --case "$CASE" \
    --json "$TL_WORK/$sig.json" -- /bin/sh "$FAKE" 1 '{workdir}' "$MARK" none >"$TL_WORK/$sig.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do helper_left && break; sleep 0.2; done
  tl_check "$sig: the helper runs" helper_left
  kill -s "$sig" "$pid"
  set +e
  timeout 60 tail --pid="$pid" -f /dev/null
  wait "$pid"
  rc=$?
  set -e
  tl_check "$sig: acmespec exits $want (got $rc)" test "$rc" -eq "$want"
  after "$sig" "$tmp"
done
tl_finish
