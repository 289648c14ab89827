#!/usr/bin/env bash
# Style gate: every C source and header must be as clang-format makes it
# with the committed .clang-format. Lists the files that differ; exit 1
# when any does. `ci/format-check.sh --fix` rewrites them in place.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "format-check: clang-format is not installed" >&2; exit 2; }
bad=0
while IFS= read -r f; do
  if [ "${1:-}" = --fix ]; then
    clang-format -i "$f"
  elif ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format-check: $f differs from clang-format's output"
    bad=1
  fi
done < <(git ls-files '*.c' '*.h')
[ "$bad" -eq 0 ] && echo "format-check: all C files formatted"
exit "$bad"
