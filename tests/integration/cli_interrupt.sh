#!/usr/bin/env bash
# ctest-labels: cli
# SIGINT and SIGTERM during `acmespec client` (issue 10, bug 6): the
# client's process group is stopped, a partial report marked interrupted
# is written, the temporary folders are removed, and acmespec exits 130
# (SIGINT) or 143 (SIGTERM).
#
#   bash tests/integration/cli_interrupt.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"

tl_init cli_interrupt

# interrupt SIG: a slow fake client, the signal once the client runs, then
# the checks. The client is found by pgrep -f '^sh -c sleep ...': anchored,
# so that it does not match acmespec, whose command line holds the client's
# words too (and '[s]h' where a shell running pgrep holds the pattern).
interrupt() {
  local sig=$1 want=$2 marker="acmespec-slow-client-$$-$1" tmp="$TL_WORK/tmp-$1" pid rc i
  mkdir -p "$tmp"
  TMPDIR=$tmp "$ACMESPEC" client --no-color -j 2 --case 'client.8555.8_3*' \
    --json "$TL_WORK/$sig.json" -- sh -c "sleep 120; : $marker" >"$TL_WORK/$sig.out" 2>&1 &
  pid=$!
  for i in $(seq 1 100); do
    pgrep -f "^sh -c sleep 120; : $marker" >/dev/null && break
    sleep 0.2
  done
  tl_check "$sig: the slow client runs" bash -c "pgrep -f '^[s]h -c sleep 120; : $marker' >/dev/null"
  kill -s "$sig" "$pid"
  set +e
  timeout 60 tail --pid="$pid" -f /dev/null
  wait "$pid"
  rc=$?
  set -e
  tl_check "$sig: acmespec exits $want (got $rc)" test "$rc" -eq "$want"
  tl_check "$sig: the last line says it was interrupted" \
    bash -c "tail -n 1 '$TL_WORK/$sig.out' | grep -q '^interrupted by SIG$sig: .*(exit $want)'"
  tl_check "$sig: a partial JSON report marked interrupted" \
    jq -e ".interrupted == \"SIG$sig\" and .exit_code == $want and (.results | length) > 0" \
    "$TL_WORK/$sig.json"
  tl_check "$sig: no process of the client is left" bash -c "! pgrep -f '^[s]h -c sleep 120; : $marker' >/dev/null"
  tl_check "$sig: no temporary folder is left ($(ls "$tmp" | tr '\n' ' '))" \
    test -z "$(ls -A "$tmp")"
  # a failed check must not leave the slow client behind
  for p in $(pgrep -f "$marker" || true); do tl_kill "$p"; done
}

interrupt INT 130
interrupt TERM 143
tl_finish
