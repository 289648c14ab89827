#!/usr/bin/env bash
# ctest-labels: cli
# `cmake --install` to a prefix gives a working acmespec: the program, the
# catalog under share/acmespec and the man page acmespec(1); run from
# another directory, the installed program finds its catalog and passes the
# embedded run of a section.
#
#   bash tests/integration/install.sh ACMESPEC_BINARY SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
tl_init install

prefix=$TL_WORK/prefix
tl_expect_exit 0 "cmake --install to $prefix" cmake --install "$(dirname "$ACMESPEC")" --prefix "$prefix"
tl_check "bin/acmespec installed" test -x "$prefix/bin/acmespec"
tl_check "the catalog under share/acmespec/cases" test -d "$prefix/share/acmespec/cases/server"
tl_check "the man page share/man/man1/acmespec.1" test -s "$prefix/share/man/man1/acmespec.1"

# from a directory with no catalog, and without $ACMESPEC_CASES
cd "$TL_WORK"
tl_expect_exit 0 "installed acmespec list from $TL_WORK" env -u ACMESPEC_CASES "$prefix/bin/acmespec" list
tl_check "it lists the installed catalog" \
  bash -c "tail -n 1 '$TL_WORK/last.out' | grep -qE '^[0-9]{3,} cases'"
tl_expect_exit 0 "installed acmespec server (embedded, section 6.5)" \
  env -u ACMESPEC_CASES "$prefix/bin/acmespec" server --section 6.5 -j 2 --no-color
tl_check "the embedded run passed" \
  bash -c "grep -qE '^[0-9]+ cases: [0-9]+ passed \(exit 0\)' '$TL_WORK/last.out'"
# the installed catalog, not the source tree the program was built from:
# one case fewer there is one case fewer in the listing
full=$(env -u ACMESPEC_CASES "$prefix/bin/acmespec" list | tail -n 1 | grep -oE '^[0-9]+')
rm "$prefix/share/acmespec/cases/server/directory-meta-object.json"
less=$(env -u ACMESPEC_CASES "$prefix/bin/acmespec" list | tail -n 1 | grep -oE '^[0-9]+')
tl_check "the listing comes from the installed catalog ($full, then $less without one file)" \
  test "$less" -eq $((full - 1))
if command -v man >/dev/null; then
  tl_expect_exit 0 "man -l renders acmespec(1)" env MANWIDTH=80 man -l "$prefix/share/man/man1/acmespec.1"
  tl_check "the page names the commands and their options" \
    bash -c "grep -q 'acmespec server' '$TL_WORK/last.out' && grep -q -- '--allow-production' '$TL_WORK/last.out'"
else
  tl_expect_exit 0 "groff renders acmespec(1)" groff -man -Tutf8 "$prefix/share/man/man1/acmespec.1"
fi
tl_finish
