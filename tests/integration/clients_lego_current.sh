#!/usr/bin/env bash
# ctest-labels: clients
# ctest-netns: private
# The client scenarios against the current lego (v4.35.2, the last v4
# release, built by ci/install-peers.sh from the pinned module of
# ci/peers/lego) through the recipe `acmespec client --client lego-current`,
# with the known violations of cases/expect/client-lego-4.35.json. See
# tl_real_client in ci/testlib.sh and docs/peers.md.
#
#   bash tests/integration/clients_lego_current.sh BUILD/acmespec SOURCE_DIR
#
# Needs the binary: bash ci/install-peers.sh lego
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
CLIENT_BIN=$(bash "$SRC/ci/install-peers.sh" --print-bin)/lego
export CLIENT_BIN CLIENT_EXPECT=$SRC/cases/expect/client-lego-4.35.json
export LEGO_BIN=$CLIENT_BIN CLIENT_INSTALL="bash ci/install-peers.sh lego"
CLIENT_VERSION="lego $(go version -m "$CLIENT_BIN" 2>/dev/null |
  awk '($1 == "mod" || $1 == "dep") && $2 == "github.com/go-acme/lego/v4" {print $3; exit}')"
export CLIENT_VERSION
tl_real_client lego-current
