#!/bin/bash
# ctest-labels: cli
# Issue 11, item 5: 64 kinds of hostile input to `acmespec serve` (garbage,
# bad encodings, deep nesting, huge bodies and headers, wrong media types,
# bad JWS and base64url, TLS garbage, slowloris; tests/tools/hostile_client.py):
# each gets the right status and problem type or a closed connection, the CA
# keeps serving after each, and its RSS stays bounded over 10 rounds.
set -euo pipefail
bin=${1:?acmespec binary}
src=${2:?source directory}
exec timeout 600 python3 "$src/tests/tools/hostile_client.py" "$bin"
