#!/usr/bin/env bash
# ctest-labels: clients
# ctest-netns: private
# The client scenarios against acme-tiny (Debian package `acme-tiny`) through the
# harness's ready-made recipe, with the known violations of
# cases/expect/client-acme-tiny.json: see tl_real_client in ci/testlib.sh.
#
#   bash tests/integration/clients_acme_tiny.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
tl_real_client acme-tiny
