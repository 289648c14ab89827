#!/usr/bin/env bash
# Install the real peers that come as Go modules, pinned here, into
# /opt/acmespec-peers/bin (PEERS_BIN overrides). Idempotent: a peer whose
# binary already records the pinned module version is not rebuilt. Never
# builds from a copied source tree: `go install module/cmd/tool@version`
# fetches the pinned module through the Go module proxy. A peer with a
# folder of ours (ci/peers/NAME: go.mod and go.sum only, no source) is
# built with `go build` of its command inside that module instead: the
# go.sum pins every dependency's hash.
#
#   ci/install-peers.sh                 every peer below
#   ci/install-peers.sh pebble caddy    only these
#   ci/install-peers.sh --print-bin     the folder the binaries go to
set -euo pipefail

PEERS_BIN=${PEERS_BIN:-/opt/acmespec-peers/bin}

# name|module path of the command|version[|folder of our go.mod]
# lego: v5's command (at its module root) needs DNS-provider modules whose
# zips the module proxy refuses (github.com/ucloud/ucloud-sdk-go v0.22.141
# and others), so the current lego is v4.35.2, the last v4 release (v4's
# command is github.com/go-acme/lego/v4/cmd/lego). `go install ...@v4.35.2`
# fails only because the proxy refuses v4's version list, which go install
# reads for deprecation notices; `go build` inside ci/peers/lego, whose
# go.mod requires v4.35.2 and names the command as a tool, needs no list.
PINS=(
  "pebble|github.com/letsencrypt/pebble/v2/cmd/pebble|v2.10.1"
  "pebble-challtestsrv|github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv|v2.10.1"
  "caddy|github.com/caddyserver/caddy/v2/cmd/caddy|v2.11.9"
  "lego|github.com/go-acme/lego/v4/cmd/lego|v4.35.2|ci/peers/lego"
)

if [ "${1:-}" = --print-bin ]; then echo "$PEERS_BIN"; exit 0; fi
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi

command -v go >/dev/null || { echo "install-peers: go is not installed" >&2; exit 1; }
mkdir -p "$PEERS_BIN"

want=("$@")
installed=0
for pin in "${PINS[@]}"; do
  IFS='|' read -r name pkg version folder <<<"$pin"
  if [ "${#want[@]}" -gt 0 ] && [[ " ${want[*]} " != *" $name "* ]]; then
    continue
  fi
  bin=$PEERS_BIN/$name
  # the binary records the version of the module its command comes from
  # (its main module, or a dependency of ours): reuse it when it matches
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null |
    awk -v pkg="$pkg" '($1 == "mod" || $1 == "dep") && index(pkg "/", $2 "/") == 1 {print $3}' |
    grep -qx "$version"; then
    echo "install-peers: $name $version present"
    continue
  fi
  start=$SECONDS
  if [ -n "$folder" ]; then
    dir=$(cd "$(dirname "$0")/.." && pwd)/$folder
    grep -q "^tool $pkg\$" "$dir/go.mod" && grep -Eq "^[[:space:]]*${pkg%/cmd/*} $version( // indirect)?\$" "$dir/go.mod" || {
      echo "install-peers: $dir/go.mod does not pin $pkg at $version" >&2
      exit 1
    }
    echo "install-peers: go build $pkg in $folder ($version)"
    (cd "$dir" && GOFLAGS=-mod=readonly go build -o "$bin" "$pkg")
  else
    echo "install-peers: go install $pkg@$version"
    GOBIN=$PEERS_BIN GOFLAGS=-mod=mod go install "$pkg@$version"
  fi
  echo "install-peers: $name $version built in $((SECONDS - start))s"
  installed=$((installed + 1))
done
for w in "${want[@]}"; do
  printf '%s\n' "${PINS[@]}" | grep -q "^$w|" || { echo "install-peers: unknown peer $w" >&2; exit 2; }
done
echo "install-peers: done ($installed built) in $PEERS_BIN"
