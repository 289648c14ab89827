#!/usr/bin/env bash
# D9's proof (issue 11): the five real clients' catalogs
# (tests/integration/clients_*.sh, each at -j 4) ROUNDS times in a row, each
# in its own private network namespace, counting port collisions: a line
# of a run that says a port was taken ("address already in use", "cannot
# bind", EADDRINUSE), and runs that did not pass. Ends with one line
# "port-race: R rounds, N runs, C collisions, F failed runs".
#
#   ci/port_race.sh BUILD/acmespec [ROUNDS]      (default 10 rounds)
#
# CLIENTS: the clients to run (default: acme_tiny certbot dehydrated lego
# uacme). Logs go to PORT_RACE_DIR (default build-port-race/). Long: about
# 10 minutes a round on 2 cores; run it with nice on a shared machine.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(realpath "${1:?usage: $0 ACMESPEC_BINARY [ROUNDS]}")
rounds=${2:-10}
clients=${CLIENTS:-acme_tiny certbot dehydrated lego uacme}
dir=${PORT_RACE_DIR:-$ROOT/build-port-race}
mkdir -p "$dir"
pattern='address already in use|EADDRINUSE|cannot bind|could not bind|bind: '
runs=0 collisions=0 failed=0 done_rounds=0
for r in $(seq 1 "$rounds"); do
  for c in $clients; do
    log=$dir/round$r-$c.log
    start=$SECONDS
    bash "$ROOT/ci/netns.sh" run -- bash "$ROOT/tests/integration/clients_$c.sh" "$bin" "$ROOT" \
      >"$log" 2>&1
    rc=$?
    runs=$((runs + 1))
    n=$(grep -Eic "$pattern" "$log")
    collisions=$((collisions + n))
    [ "$rc" -eq 0 ] || failed=$((failed + 1))
    echo "port-race: round $r $c: exit $rc, $n collision lines, $((SECONDS - start))s"
    [ "$n" -eq 0 ] || grep -Ei "$pattern" "$log" | head -n 5 | sed 's/^/  | /'
  done
  done_rounds=$r
  echo "port-race: after round $r: $runs runs, $collisions collisions, $failed failed runs"
done
echo "port-race: $done_rounds rounds, $runs runs, $collisions collisions, $failed failed runs"
[ "$collisions" -eq 0 ] && [ "$failed" -eq 0 ]
