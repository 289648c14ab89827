#!/usr/bin/env bash
# Configure and build acmespec with warnings as errors.
#
#   ci/build.sh              -> build/       (RelWithDebInfo)
#   ci/build.sh --sanitize   -> build-asan/  (AddressSanitizer + UBSan)
#
# BUILD_DIR overrides the folder; JOBS the parallelism (default: nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sanitize=OFF
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=ON ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [ "$sanitize" = ON ]; then
  dir=${BUILD_DIR:-$ROOT/build-asan}
else
  dir=${BUILD_DIR:-$ROOT/build}
fi
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

echo "build: configuring $dir (sanitize=$sanitize)"
cmake -S "$ROOT" -B "$dir" -DACMESPEC_WERROR=ON -DACMESPEC_SANITIZE="$sanitize"
echo "build: compiling with $jobs jobs"
cmake --build "$dir" -j "$jobs"
echo "build: $dir/acmespec ready"
