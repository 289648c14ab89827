#!/usr/bin/env bash
# Install the real peers that come as Go modules, pinned here, into
# /opt/acmespec-peers/bin (PEERS_BIN overrides). Idempotent: a peer whose
# binary already records the pinned module version is not rebuilt. Never
# builds from a copied source tree: `go install module/cmd/tool@version`
# fetches the pinned module through the Go module proxy.
#
#   ci/install-peers.sh                 every peer below
#   ci/install-peers.sh pebble caddy    only these
#   ci/install-peers.sh --print-bin     the folder the binaries go to
set -euo pipefail

PEERS_BIN=${PEERS_BIN:-/opt/acmespec-peers/bin}

# name|module path of the command|version
# (a current lego is not here: the module proxy refuses lego v4's version
# list, and v5.6.0 needs two modules it refuses, github.com/yandex-cloud/
# go-sdk/services/dns v0.0.106 and gitlab.com/greyxor/slogor v1.7.1; the
# client side uses Debian's lego 4.9.1)
PINS=(
  "pebble|github.com/letsencrypt/pebble/v2/cmd/pebble|v2.10.1"
  "pebble-challtestsrv|github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv|v2.10.1"
  "caddy|github.com/caddyserver/caddy/v2/cmd/caddy|v2.11.9"
)

if [ "${1:-}" = --print-bin ]; then echo "$PEERS_BIN"; exit 0; fi
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi

command -v go >/dev/null || { echo "install-peers: go is not installed" >&2; exit 1; }
mkdir -p "$PEERS_BIN"

want=("$@")
installed=0
for pin in "${PINS[@]}"; do
  IFS='|' read -r name pkg version <<<"$pin"
  if [ "${#want[@]}" -gt 0 ] && [[ " ${want[*]} " != *" $name "* ]]; then
    continue
  fi
  bin=$PEERS_BIN/$name
  # the binary records its main module's version: reuse it when it matches
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | awk '$1 == "mod" {print $3; exit}' | grep -qx "$version"; then
    echo "install-peers: $name $version present"
    continue
  fi
  echo "install-peers: go install $pkg@$version"
  start=$SECONDS
  GOBIN=$PEERS_BIN GOFLAGS=-mod=mod go install "$pkg@$version"
  echo "install-peers: $name $version built in $((SECONDS - start))s"
  installed=$((installed + 1))
done
for w in "${want[@]}"; do
  printf '%s\n' "${PINS[@]}" | grep -q "^$w|" || { echo "install-peers: unknown peer $w" >&2; exit 2; }
done
echo "install-peers: done ($installed built) in $PEERS_BIN"
