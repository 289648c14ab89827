#!/usr/bin/env bash
# Install what acmespec needs on Debian 12: build dependencies, the tools the
# CI scripts use, and the real peers (Pebble, Caddy; with --clients also the
# ACME clients used on the client side). Idempotent: apt is not touched when every
# package is already installed.
#
#   ci/install-deps.sh            build deps + tools + pebble + caddy
#   ci/install-deps.sh --clients  ... + certbot lego uacme dehydrated acme-tiny
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config libssl-dev libcurl4-openssl-dev
            libjansson-dev libmicrohttpd-dev libcunit1-dev)
TOOL_PKGS=(libxml2-utils jq curl openssl iproute2 ca-certificates clang-format git universal-ctags
           clang libclang-rt-14-dev
           chromium)
# caddy: Debian's 2.6.2, an ACME server through acme_server (ci/caddy.sh)
PEER_PKGS=(pebble caddy)
CLIENT_PKGS=(certbot lego uacme dehydrated acme-tiny)

want=("${BUILD_PKGS[@]}" "${TOOL_PKGS[@]}" "${PEER_PKGS[@]}")
for arg in "$@"; do
  case "$arg" in
    --clients) want+=("${CLIENT_PKGS[@]}") ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-deps: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present, apt skipped"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "install-deps: not root and no sudo; install these yourself: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# apt's lists may be stale or absent on a fresh machine: update once, retry once
# on a transient mirror failure
"${SUDO[@]}" apt-get update -qq || { sleep 5; "${SUDO[@]}" apt-get update -qq; }
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
echo "install-deps: done"
