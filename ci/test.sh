#!/usr/bin/env bash
# All of the project's tests: installs what is missing (with the ACME clients
# for the client-side tests), builds twice (plain in build/, AddressSanitizer
# + UBSan in build-asan/) and runs ctest in both.
# Fails when anything fails; ends with one line "tests: N passed, N failed".
#
#   ci/test.sh
#
# ASAN_LABELS: what the sanitizer build runs: "noclients" (default: every
# label but the real ACME clients, whose runs take minutes each and exercise
# no code the self-test does not), "all", "nopebble", or a label regex.
# CTEST_JOBS (default 2): ctest -j. PLAIN_BUILD_DIR / ASAN_BUILD_DIR: the
# build folders (default build/ and build-asan/).
# FUZZ_TIME (default 20): seconds ci/fuzz.sh fuzzes each target (about
# 9 targets x 20 s plus a clang build into build-fuzz/: ~4 minutes on
# 2 cores; 0 builds and replays the corpora only; "skip" leaves it out).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
t0=$SECONDS

PLAIN_DIR=${PLAIN_BUILD_DIR:-$ROOT/build}
ASAN_DIR=${ASAN_BUILD_DIR:-$ROOT/build-asan}

ci/install-deps.sh --clients
# peers that come as pinned Go modules (Pebble 2.10.1, challtestsrv, Caddy v2.11.9, lego 4.35.2)
ci/install-peers.sh pebble pebble-challtestsrv caddy lego
BUILD_DIR=$PLAIN_DIR ci/build.sh
BUILD_DIR=$ASAN_DIR ci/build.sh --sanitize

passed=0
failed=0
status=0

# style: the committed .clang-format is the law (counted as one test)
echo
echo "== format check"
if ci/format-check.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi

# fuzzing: libFuzzer build, corpus replay and a short run per target, one
# pass or fail per target from its summary "fuzz: N passed, N failed" (the
# corpora also replay as fuzz.* entries in both ctest runs below)
if [ "${FUZZ_TIME:-20}" != skip ]; then
  echo
  echo "== fuzz (ci/fuzz.sh, ${FUZZ_TIME:-20}s per target)"
  log=$(mktemp)
  set +e
  FUZZ_TIME=${FUZZ_TIME:-20} ci/fuzz.sh 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
  if [ -n "$line" ]; then
    passed=$((passed + $(sed -E 's/^fuzz: ([0-9]+) passed.*/\1/' <<<"$line")))
    failed=$((failed + $(sed -E 's/.*passed, ([0-9]+) failed$/\1/' <<<"$line")))
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  rm -f "$log"
  [ "$rc" -eq 0 ] || status=1
fi

# run_ctest DIR TITLE CTEST-ARGS...: adds to the counts from ctest's summary
run_ctest() {
  local dir=$1 title=$2 log rc line total nfail
  shift 2
  log=$(mktemp)
  echo
  echo "== ctest: $title"
  set +e
  (cd "$dir" && ctest --output-on-failure --no-tests=error "$@") 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  # "100% tests passed, 0 tests failed out of 12"
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [ -n "$line" ]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    nfail=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  rm -f "$log"
  if [ "$rc" -ne 0 ]; then
    echo "== ctest: $title FAILED (exit $rc)"
    status=1
  fi
}

# the plain build runs everything: unit, cli, pebble, clients
run_ctest "$PLAIN_DIR" "plain build, all labels" -j "${CTEST_JOBS:-2}"

# the sanitizer build: leaks are errors, UBSan stops at the first report
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
case "${ASAN_LABELS:-noclients}" in
  all) run_ctest "$ASAN_DIR" "sanitizer build, all labels" -j "${CTEST_JOBS:-2}" ;;
  noclients) run_ctest "$ASAN_DIR" "sanitizer build, all but the real clients" -LE '^clients$' -j "${CTEST_JOBS:-2}" ;;
  nopebble) run_ctest "$ASAN_DIR" "sanitizer build, all but pebble" -LE pebble -j "${CTEST_JOBS:-2}" ;;
  *) run_ctest "$ASAN_DIR" "sanitizer build, labels $ASAN_LABELS" -L "$ASAN_LABELS" -j "${CTEST_JOBS:-2}" ;;
esac

echo
echo "test: took $((SECONDS - t0))s"
echo "tests: $passed passed, $failed failed"
exit "$status"
