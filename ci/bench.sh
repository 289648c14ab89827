#!/usr/bin/env bash
# Benchmarks: the core's hot paths (tests/bench/bench_core.c), then whole
# catalog runs against the embedded mock CA at -j 1 and -j 4. Prints
# measurements; asserts nothing about speed. Needs a build in build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${ACMESPEC_BINARY:-build/acmespec}
bench=${ACMESPEC_BENCH:-build/tests/bench_core}
[ -x "$bin" ] && [ -x "$bench" ] || { echo "bench: build first (bash ci/build.sh)" >&2; exit 2; }

echo "== core hot paths"
"$bench" "${1:-1}"

for j in 1 4; do
  start=$(date +%s.%N)
  "$bin" server -j "$j" --no-color >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  printf '== server catalog against the embedded mock CA, -j %s: %.1f s\n' "$j" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
done
