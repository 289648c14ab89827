#!/usr/bin/env bash
# Fuzz every target of fuzz/ for a short fixed time (docs/fuzzing.md):
# builds them with clang and libFuzzer (+ ASan, UBSan) in build-fuzz/,
# replays each committed corpus (fuzz/corpus/<target>/), then fuzzes each
# target for FUZZ_TIME seconds. Fails when a replay or a fuzz run crashes,
# leaks, times out or breaks a property, and prints the reproducer's path.
# Ends with one line "fuzz: N passed, N failed".
#
#   ci/fuzz.sh [TARGET...]        (default: every fuzz/*_fuzzer.c)
#
# FUZZ_TIME: seconds of fuzzing per target (default 20; 0 replays only).
# FUZZ_RSS_MB: memory limit per target (default 2048). FUZZ_TIMEOUT:
# seconds one input may take (default 10). FUZZ_BUILD_DIR: the build folder
# (default build-fuzz/). JOBS: build parallelism (default: nproc).
# New inputs found go to FUZZ_BUILD_DIR/work/<target>/ (never into the
# committed corpus); crashes to FUZZ_BUILD_DIR/artifacts/<target>/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
t0=$SECONDS

dir=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
fuzz_time=${FUZZ_TIME:-20}
rss_mb=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# clang and its libFuzzer runtime (Debian 12: clang, libclang-rt-14-dev)
command -v clang >/dev/null || { echo "fuzz: clang is not installed (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
if ! ls "$(clang -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
  echo "fuzz: clang's libFuzzer runtime is missing (apt-get install libclang-rt-14-dev)" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/*_fuzzer.c; do
    t=$(basename "$f" _fuzzer.c)
    targets+=("$t")
  done
fi

echo "fuzz: configuring $dir (clang, libFuzzer, ASan, UBSan)"
# warnings as errors is the gcc builds' rule (ci/build.sh); clang's extra
# warnings (-Wformat-nonliteral on the core's printf wrappers) are not
CC=clang cmake -S "$ROOT" -B "$dir" -DACMESPEC_FUZZ=ON -DACMESPEC_WERROR=OFF >/dev/null
echo "fuzz: compiling ${#targets[@]} targets with $jobs jobs"
cmake --build "$dir" -j "$jobs" --target "${targets[@]/%/_fuzzer}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
# report TARGET STAGE LOG: the reproducer libFuzzer wrote, and how to rerun it
report() {
  local t=$1 stage=$2 log=$3 unit
  unit=$(grep -Eo 'Test unit written to [^ ]+' "$log" |
         sed -E 's/.*Test unit written to //' | tail -n 1 || true)
  echo "fuzz: $t: $stage FAILED"
  tail -n 40 "$log" | sed 's/^/  | /'
  if [ -n "$unit" ]; then
    echo "fuzz: $t: reproducer: $unit"
    echo "fuzz: $t: rerun with: $dir/fuzz/${t}_fuzzer $unit"
  else
    echo "fuzz: $t: no reproducer written (see the log above)"
  fi
}

for t in "${targets[@]}"; do
  exe=$dir/fuzz/${t}_fuzzer
  corpus=$ROOT/fuzz/corpus/$t
  work=$dir/work/$t
  art=$dir/artifacts/$t/
  log=$dir/logs/$t.log
  mkdir -p "$work" "$art" "$(dirname "$log")"
  echo
  echo "== fuzz: $t"
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    echo "fuzz: $t: no seed corpus in fuzz/corpus/$t"
    failed=$((failed + 1))
    continue
  fi
  # 1. replay: every committed input once, no mutation
  if ! "$exe" -runs=0 -rss_limit_mb="$rss_mb" -timeout="$timeout" \
       -artifact_prefix="$art" "$corpus" >"$log" 2>&1; then
    report "$t" replay "$log"
    failed=$((failed + 1))
    continue
  fi
  echo "fuzz: $t: replayed $(ls -A "$corpus" | wc -l) corpus inputs"
  # 2. fuzz for a fixed time: new inputs into work/, the corpus read only
  if [ "$fuzz_time" -gt 0 ]; then
    if ! "$exe" -max_total_time="$fuzz_time" -rss_limit_mb="$rss_mb" -timeout="$timeout" \
         -print_final_stats=1 -artifact_prefix="$art" "$work" "$corpus" >"$log" 2>&1; then
      report "$t" "fuzzing (${fuzz_time}s)" "$log"
      failed=$((failed + 1))
      continue
    fi
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    cov=$(grep -Eo '^#[0-9]+[[:space:]]+DONE[[:space:]]+cov: [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    echo "fuzz: $t: ${fuzz_time}s, $runs runs, cov $cov, no crash"
  fi
  passed=$((passed + 1))
done

echo
echo "fuzz: took $((SECONDS - t0))s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
