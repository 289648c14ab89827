#!/usr/bin/env bash
# ctest-labels: clients
# ctest-netns: private
# The client scenarios against the current Caddy (v2.11.9, the pinned Go
# module of ci/install-peers.sh), a daemon, through the recipe `acmespec
# client --client caddy-current` (docs/daemons.md). Known violations:
# cases/expect/client-caddy-2.11.json. See tl_real_client in ci/testlib.sh.
#
#   bash tests/integration/clients_caddy_current.sh BUILD/acmespec SOURCE_DIR
#
# Needs the binary: bash ci/install-peers.sh caddy
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
CLIENT_BIN=$(bash "$SRC/ci/install-peers.sh" --print-bin)/caddy
export CLIENT_BIN CLIENT_EXPECT=$SRC/cases/expect/client-caddy-2.11.json
export CADDY_BIN=$CLIENT_BIN CLIENT_INSTALL="bash ci/install-peers.sh caddy"
CLIENT_VERSION="caddy $(go version -m "$CLIENT_BIN" 2>/dev/null | awk '$1 == "mod" {print $3; exit}')"
export CLIENT_VERSION
tl_real_client caddy-current
