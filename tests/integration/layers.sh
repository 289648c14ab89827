#!/usr/bin/env bash
# ctest-labels: lint
# The architecture as a test (docs/architecture.md): includes run only
# downward between the layers, no source file is over 1,500 lines and no
# function over 150 (measured with universal-ctags: end line - start line + 1).
#
#   bash tests/integration/layers.sh ACMESPEC_BINARY SOURCE_DIR
set -euo pipefail
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
tl_init layers
cd "$SRC"

# may_include FOLDER: the folders FOLDER's files may include from
may_include() {
  case $1 in
    harness) echo "harness" ;;
    mockclient | mockserver | reports) echo "harness $1" ;;
    cli) echo "harness mockclient mockserver reports cli" ;;
  esac
}
for layer in harness mockclient mockserver reports cli; do
  allowed=$(may_include "$layer")
  bad=""
  while IFS= read -r line; do
    inc=$(sed -E 's/.*#include "([a-z]+)\/.*/\1/' <<<"$line")
    case " $allowed " in *" $inc "*) ;; *) bad+="$line"$'\n' ;; esac
  done < <(grep -Hn '#include "[a-z]*/' "$layer"/*.[ch] 2>/dev/null || true)
  if [ -z "$bad" ]; then
    tl_pass "$layer/ includes only from: $allowed"
  else
    tl_fail "$layer/ includes only from: $allowed"
    printf '%s' "$bad" | sed 's/^/        /'
  fi
done

big=$(git ls-files '*.c' '*.h' | grep -v '^tests/' | xargs wc -l | awk '$2 != "total" && $1 > 1500 {print "        " $2 " (" $1 " lines)"}')
if [ -z "$big" ]; then tl_pass "no source file over 1,500 lines"; else
  tl_fail "no source file over 1,500 lines"; echo "$big"; fi

if ! ctags --version 2>/dev/null | grep -q Universal; then
  tl_fail "universal-ctags is installed (apt-get install universal-ctags)"
else
  long=$(git ls-files '*.c' | grep -v '^tests/' | xargs ctags --fields=+ne --c-kinds=f -o - |
    awk -F'\t' '{s=0; e=0; for (i = 4; i <= NF; i++) { if ($i ~ /^line:/) s = substr($i, 6); if ($i ~ /^end:/) e = substr($i, 5) }
                 if (e > 0 && e - s + 1 > 150) printf "        %s:%s %s (%d lines)\n", $2, s, $1, e - s + 1}')
  nfun=$(git ls-files '*.c' | grep -v '^tests/' | xargs ctags --fields=+ne --c-kinds=f -o - | wc -l)
  if [ -z "$long" ]; then tl_pass "no function over 150 lines ($nfun functions measured)"; else
    tl_fail "no function over 150 lines"; echo "$long"; fi
fi
tl_finish
