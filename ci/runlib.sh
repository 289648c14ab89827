#!/usr/bin/env bash
# What a conformance-run script does around acmespec (sourced by ci/main.sh
# and ci/run-pebble.sh; run from the project root):
#
#   run_prepare          installs what is missing (unless SKIP_DEPS=1), builds
#                        (unless SKIP_BUILD=1) into BUILD_DIR (default build/),
#                        and sets ACMESPEC and OUT (default out/, created)
#   run_acmespec ARGS... runs acmespec ARGS (with --no-color off a terminal),
#                        prints its exit code and time, validates the JUnit
#                        report OUT/acmespec-server.xml, and leaves the exit
#                        code in RUN_RC: a report that CI systems cannot read,
#                        or none at all, turns a clean run into 3
# Failures to prepare exit 3 (the harness could not run).

run_prepare() {
  [ "${SKIP_DEPS:-0}" = 1 ] || ci/install-deps.sh || { echo "main: installing dependencies failed" >&2; exit 3; }
  BUILD_DIR=${BUILD_DIR:-$PWD/build}
  export BUILD_DIR
  [ "${SKIP_BUILD:-0}" = 1 ] || ci/build.sh || { echo "main: build failed" >&2; exit 3; }
  ACMESPEC=$BUILD_DIR/acmespec
  [ -x "$ACMESPEC" ] || { echo "main: $ACMESPEC not built" >&2; exit 3; }
  OUT=${OUT:-$PWD/out}
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
}

run_acmespec() {
  local args=("$@") start xsd="" f junit=$OUT/acmespec-server.xml
  [ -t 1 ] || args+=(--no-color)
  echo "main: acmespec ${args[*]}"
  echo
  start=$SECONDS
  set +e
  "$ACMESPEC" "${args[@]}"
  RUN_RC=$?
  set -e
  echo
  echo "main: acmespec exited $RUN_RC after $((SECONDS - start))s"
  for f in tests/data/junit.xsd ../shared/reference/junit.xsd; do
    if [ -f "$f" ]; then xsd=$f; break; fi
  done
  if [ -f "$junit" ] && [ -n "$xsd" ]; then
    if xmllint --noout --schema "$xsd" "$junit"; then
      echo "main: JUnit report $junit validates against $xsd"
    else
      echo "main: JUnit report does not validate against $xsd" >&2
      [ "$RUN_RC" -ne 0 ] || RUN_RC=3
    fi
  elif [ "$RUN_RC" -ne 2 ]; then
    echo "main: no JUnit report written" >&2
    [ "$RUN_RC" -ne 0 ] || RUN_RC=3
  fi
}
