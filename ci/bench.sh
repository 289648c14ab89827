#!/usr/bin/env bash
# Benchmarks. Prints measurements; asserts nothing about speed (no
# threshold fails anything). Needs a build in build/ (or ACMESPEC_BINARY and
# ACMESPEC_BENCH_DIR).
#
#   ci/bench.sh [core|servers|catalog|all] [--short]
#
#   core     the core's hot paths (tests/bench/bench_core.c)
#   servers  Pebble 2.4.0 (Debian), Pebble 2.10.1 (/opt/acmespec-peers/bin)
#            and `acmespec serve`, one after the other in one run, in a
#            private network namespace (ci/netns.sh), driven by the same
#            load generator (tests/bench/bench_load.c, the mock-client
#            engine): CPU per issuance flow and per newNonce (utime+stime of
#            the server from /proc), RSS after the nonces, start-up time to
#            the first directory answer, and the ratios to the mock CA
#   catalog  whole server-catalog runs against the embedded mock CA, -j 1 and 4
#   all      (default) all three
#
# Sizes (environment): BENCH_FLOWS (default 300; --short 40), BENCH_THREADS
# (4), BENCH_NONCES (1000000; --short 50000). A server that is not installed
# is skipped with a note.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
what=all short=0
inside=0
[ "${1:-}" = _servers-inside ] && { inside=1; shift; }
for a in "$@"; do
  case "$a" in
    --short) short=1 ;;
    core | servers | catalog | all) what=$a ;;
    *) echo "usage: ci/bench.sh [core|servers|catalog|all] [--short]" >&2; exit 2 ;;
  esac
done
bin=$(realpath -m "${ACMESPEC_BINARY:-build/acmespec}")
bdir=$(realpath -m "${ACMESPEC_BENCH_DIR:-build/tests}")
[ -x "$bin" ] && [ -x "$bdir/bench_core" ] && [ -x "$bdir/bench_load" ] ||
  { echo "bench: build first (bash ci/build.sh)" >&2; exit 2; }
export ACMESPEC_BINARY=$bin ACMESPEC_BENCH_DIR=$bdir
if [ "$short" = 1 ]; then
  : "${BENCH_FLOWS:=40}" "${BENCH_NONCES:=50000}"
fi
export BENCH_FLOWS=${BENCH_FLOWS:-300} BENCH_THREADS=${BENCH_THREADS:-4}
export BENCH_NONCES=${BENCH_NONCES:-1000000}

# ---------------------------------------------------------------- servers
# (runs inside the namespace: ci/bench.sh _servers-inside)

# bench_field LINE KEY: the value of KEY=... in a bench_load line
bench_field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# one server: NAME DIR_URL CA PID, then START_CMD... for the start-up time
# (after the server of PID has been stopped by STOP_FN)
declare -A R_FLOW R_NONCE R_RSS R_START
bench_one() {
  local name=$1 dir=$2 ca=$3 pid=$4 stop=$5; shift 5
  local f n s
  echo "-- $name: $BENCH_FLOWS flows on $BENCH_THREADS threads" >&2
  f=$("$bdir/bench_load" flows "$dir" "$ca" "$pid" "$BENCH_FLOWS" "$BENCH_THREADS" \
        "$HTTP01_PORT" "$DNS_PORT") || true
  echo "   $f" >&2
  echo "-- $name: $BENCH_NONCES HEAD newNonce on $BENCH_THREADS connections" >&2
  n=$("$bdir/bench_load" nonces "$dir" "$ca" "$pid" "$BENCH_NONCES" "$BENCH_THREADS") || true
  echo "   $n" >&2
  "$stop"
  s=$("$bdir/bench_load" startup "$dir" "$ca" -- "$@") || true
  echo "   $s" >&2
  R_FLOW[$name]=$(bench_field "$f" cpu_per_op_us)
  R_NONCE[$name]=$(bench_field "$n" cpu_per_op_us)
  R_RSS[$name]=$(bench_field "$n" rss_kib)
  R_START[$name]=$(bench_field "$s" first_answer_ms)
}

pebble_env() {
  env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
    PEBBLE_ALTERNATE_ROOTS=1 "$@"
}

bench_pebble() {
  local name=$1 pbin=$2 work
  if ! command -v "$pbin" >/dev/null 2>&1; then
    echo "-- $name: $pbin is not installed: skipped" >&2
    return 0
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/acmespec-bench-XXXXXX")
  (
    PEBBLE_BIN=$pbin
    # shellcheck source=ci/pebble.sh
    . ci/pebble.sh
    pebble_start "$work"
    bench_one "$name" "$PEBBLE_DIR_URL" "$PEBBLE_CA_BUNDLE" "$PEBBLE_PID" pebble_stop \
      env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
      "$pbin" -config "$PEBBLE_CONFIG" -dnsserver "127.0.0.1:$DNS_PORT"
    declare -p R_FLOW R_NONCE R_RSS R_START | sed 's/^declare -A/declare -gA/' >"$work/results"
  )
  # shellcheck disable=SC1091
  . "$work/results" && rm -rf "$work"
}

mockca_stop() { kill -TERM "$MOCKCA_PID" 2>/dev/null || true; wait "$MOCKCA_PID" 2>/dev/null || true; }

bench_mockca() {
  local work port=14000
  work=$(mktemp -d "${TMPDIR:-/tmp}/acmespec-bench-XXXXXX")
  "$bin" serve --port "$port" --http01-port "$HTTP01_PORT" --workdir "$work" \
    >"$work/out" 2>&1 &
  MOCKCA_PID=$!
  for _ in $(seq 1 100); do
    [ -s "$work/ca.pem" ] && grep -q directory: "$work/out" && break
    sleep 0.05
  done
  bench_one "acmespec serve" "https://127.0.0.1:$port/s/default/directory" "$work/ca.pem" \
    "$MOCKCA_PID" mockca_stop \
    "$bin" serve --port "$port" --http01-port "$HTTP01_PORT" --workdir "$work"
  rm -rf "$work"
}

# ratio A B: "B/A" to one decimal (how many times the mock CA's A beats B)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1f", b / a; else printf "-" }'; }

servers_inside() {
  export HTTP01_PORT=5002 DNS_PORT=5053
  bench_pebble "Pebble 2.4.0" pebble
  bench_pebble "Pebble 2.10.1" /opt/acmespec-peers/bin/pebble
  bench_mockca
  local m="acmespec serve" p
  echo
  printf '| measure | %s |' "$m"
  for p in "Pebble 2.4.0" "Pebble 2.10.1"; do [ -n "${R_FLOW[$p]:-}" ] && printf ' %s | ratio |' "$p"; done
  echo
  printf '|---|---|'
  for p in "Pebble 2.4.0" "Pebble 2.10.1"; do [ -n "${R_FLOW[$p]:-}" ] && printf -- '---|---|'; done
  echo
  row() {
    local label=$1 unit=$2 arr=$3 scale=$4 mv pv
    local -n a=$arr
    mv=${a[$m]:-}
    printf '| %s | %s %s |' "$label" "$(awk -v v="$mv" -v s="$scale" 'BEGIN { printf "%.1f", v / s }')" "$unit"
    for p in "Pebble 2.4.0" "Pebble 2.10.1"; do
      [ -n "${R_FLOW[$p]:-}" ] || continue
      pv=${a[$p]:-}
      printf ' %s %s | %s× |' "$(awk -v v="$pv" -v s="$scale" 'BEGIN { printf "%.1f", v / s }')" "$unit" \
        "$(ratio "$mv" "$pv")"
    done
    echo
  }
  row "CPU per issuance flow" ms R_FLOW 1000
  row "CPU per HEAD newNonce" µs R_NONCE 1
  row "RSS after $BENCH_NONCES unused nonces" MiB R_RSS 1024
  row "start-up to the first directory answer" ms R_START 1
  echo
  echo "ratio: the Pebble's figure divided by the mock CA's (above 1: the mock CA needs less)."
}

if [ "$inside" = 1 ]; then
  servers_inside
  exit 0
fi

if [ "$what" = core ] || [ "$what" = all ]; then
  echo "== core hot paths"
  "$bdir/bench_core" "$([ "$short" = 1 ] && echo 0.2 || echo 1)"
fi

if [ "$what" = servers ] || [ "$what" = all ]; then
  echo "== servers: one run, same load generator ($BENCH_FLOWS flows, $BENCH_THREADS threads, $BENCH_NONCES nonces)"
  bash ci/netns.sh run -- bash "$0" _servers-inside
fi

if [ "$what" = catalog ] || [ "$what" = all ]; then
  for j in 1 4; do
    start=$(date +%s.%N)
    "$bin" server -j "$j" --no-color >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    printf '== server catalog against the embedded mock CA, -j %s: %.1f s\n' "$j" \
      "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
  done
fi
