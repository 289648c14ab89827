#!/bin/bash
# ctest-labels: cli
# Issue 11, D3: the mock CA's connection limits hold against slow clients
# (tests/tools/slow_clients.py): ~1,000 trickling connections from other
# loopback addresses do not lock out a normal client, one address past the
# per-IP limit is cut, and a request trickled a byte at a time is closed
# at --request-timeout.
set -euo pipefail
bin=${1:?acmespec binary}
src=${2:?source directory}
exec timeout 300 python3 "$src/tests/tools/slow_clients.py" "$bin"
