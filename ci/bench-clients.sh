#!/usr/bin/env bash
# The client's own time, to set beside its whole catalog run
# (tests/integration/clients_NAME.sh; docs/performance.md): N certificates
# for one ACME client straight from `acmespec serve` (the baseline, no
# misbehaviour), one after the other, each for a fresh scenario, name and
# work directory, with the very script `acmespec client --client NAME` runs
# (printed by build/tests/bench_recipe). http-01 only: the standalone clients
# (lego, certbot) bind the http-01 port themselves; for the webroot ones
# (acme-tiny, dehydrated, uacme) a static server serves the webroot there.
# Runs itself in a private network namespace (ci/netns.sh). Prints the
# total and the mean per certificate; asserts nothing. BENCH_KEEP=1 keeps the
# work folder (each run's output in runN/out).
#
#   ci/bench-clients.sh NAME N
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
name=${1:?usage: ci/bench-clients.sh NAME N}
n=${2:?usage: ci/bench-clients.sh NAME N}
bin=$(realpath -m "${ACMESPEC_BINARY:-build/acmespec}")
bdir=$(realpath -m "${ACMESPEC_BENCH_DIR:-build/tests}")
[ -x "$bin" ] && [ -x "$bdir/bench_recipe" ] ||
  { echo "bench-clients: build first (bash ci/build.sh)" >&2; exit 2; }
if [ "${BENCH_CLIENTS_INSIDE:-0}" != 1 ]; then
  export ACMESPEC_BINARY=$bin ACMESPEC_BENCH_DIR=$bdir BENCH_CLIENTS_INSIDE=1
  exec bash ci/netns.sh run -- bash "$0" "$@"
fi

script=$("$bdir/bench_recipe" "$name")
work=$(mktemp -d "${TMPDIR:-/tmp}/acmespec-bench-clients-XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${BENCH_KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
"$bin" serve --http01-port 80 --workdir "$work/ca" >"$work/serve.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^ca-bundle: ' "$work/serve.out" && break; sleep 0.1; done
base=$(sed -n 's|^directory: \(.*\)/s/[^/]*/directory$|\1|p' "$work/serve.out")
bundle=$(sed -n 's/^ca-bundle: //p' "$work/serve.out")
[ -n "$base" ] && [ -n "$bundle" ] || { echo "bench-clients: acmespec serve did not start" >&2; cat "$work/serve.out" >&2; exit 1; }
mkdir -p "$work/webroot/.well-known/acme-challenge"
case "$name" in
  lego | lego-current | certbot) ;;
  *)
    python3 -m http.server 80 --bind 127.0.0.1 --directory "$work/webroot" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null && break; sleep 0.1; done
    ;;
esac

ok=0
t0=$(date +%s.%N)
for i in $(seq "$n"); do
  d=$work/run$i
  mkdir -p "$d"
  if env ACMESPEC_DIRECTORY="$base/s/direct$i/directory" ACMESPEC_CA_BUNDLE="$bundle" \
    ACMESPEC_DOMAIN="direct$i.acmespec.test" ACMESPEC_DOMAINS="direct$i.acmespec.test" \
    ACMESPEC_CHALLENGE=http-01 ACMESPEC_HTTP01_PORT=80 ACMESPEC_TLSALPN01_PORT=443 \
    ACMESPEC_WEBROOT="$work/webroot" ACMESPEC_ACME_DIR="$work/webroot/.well-known/acme-challenge" \
    ACMESPEC_WORKDIR="$d" ACMESPEC_RUN=1 ACMESPEC_RENEW=0 ACMESPEC_CASE=direct \
    sh -c "$script" "acmespec-$name" >"$d/out" 2>&1; then
    ok=$((ok + 1))
  else
    echo "bench-clients: run $i failed:" >&2
    tail -n 5 "$d/out" >&2
  fi
done
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$n" -v ok="$ok" -v c="$name" \
  'BEGIN { printf "%s: %d certificates in %.1f s (%.2f s each), %d of %d runs succeeded\n", c, ok, b - a, (b - a) / n, ok, n }'
