#!/usr/bin/env bash
# ctest-labels: clients
# ctest-netns: private
# The client scenarios against Debian's caddy 2.6.2, a daemon (a web server
# that gets its certificates itself), through the recipe `acmespec client
# --client caddy`: each scenario starts Caddy with its own Caddyfile, ends
# when the certificate was served, after 5 s without a request, or at the
# timeout, and stops Caddy (docs/daemons.md). Known violations:
# cases/expect/client-caddy-2.6.json. See tl_real_client in ci/testlib.sh.
#
#   bash tests/integration/clients_caddy26.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
export CLIENT_BIN=/usr/bin/caddy CLIENT_EXPECT=$SRC/cases/expect/client-caddy-2.6.json
CLIENT_VERSION="$(dpkg-query -W -f '${Package} ${Version}' caddy 2>/dev/null || echo 'caddy (no package)')"
export CLIENT_VERSION CLIENT_INSTALL="apt-get install -y caddy"
tl_real_client caddy
