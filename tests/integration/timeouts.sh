#!/usr/bin/env bash
# ctest-labels: cli
# ctest-netns: private
# --timeout holds (hardening issue, D5 and D6): against a server that
# accepts connections and never answers, and a DNS server that swallows
# every query, `mock-client --timeout 3` (the bound on the whole flow) and
# `server --timeout 3` end within the bound plus a margin, with a message
# naming what timed out. Before the fix they took 10 s: mock-client gave
# each request 30 s, and curl waited for its resolver thread at clean-up.
# The margin (2 s) is slack for a loaded machine, not a speed target.
#
#   bash tests/integration/timeouts.sh ACMESPEC_BINARY SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
tl_init timeouts
tl_check_private_net

# the resolver's own defaults (5 s, 2 tries): the harness, not resolv.conf, must bound the wait
printf 'nameserver 127.0.0.1\n' >/etc/resolv.conf

# a TCP port that accepts and never answers, and a DNS port that never answers
python3 - "$TL_WORK/ready" <<'PY' &
import socket, sys, threading
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", 18443)); t.listen(64)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 53))
threading.Thread(target=lambda: [u.recvfrom(4096) for _ in iter(int, 1)], daemon=True).start()
open(sys.argv[1], "w").close()
held = []
while True:
    c, _ = t.accept(); held.append(c)
PY
sink=$!
PEBBLE_EXIT_HOOKS+=("tl_kill $sink")
for _ in $(seq 50); do [ -f "$TL_WORK/ready" ] && break; sleep 0.1; done

# bounded NAME LIMIT CMD...: run CMD, check it ended within LIMIT seconds
bounded() {
  local what=$1 limit=$2 start end ms
  shift 2
  start=$(date +%s%N)
  tl_run "$@"
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  tl_check "$what ended in ${ms} ms (bound ${limit} s)" test "$ms" -le $((limit * 1000))
}

bounded "mock-client --timeout 3 against a server that never answers" 5 \
  "$ACMESPEC" mock-client --directory https://127.0.0.1:18443/dir --domain a.test --timeout 3
tl_check "mock-client: exit 1 (the flow failed), not 0 ($TL_RC)" test "$TL_RC" -eq 1
tl_check "mock-client: the message says it timed out" tl_out_has 'timed out after [0-9]+ ms'

bounded "server --timeout 3 when DNS never answers" 5 \
  "$ACMESPEC" server https://hang.acmespec.test/dir --timeout 3 --no-color
tl_check "server: exit 3 (could not reach the target) ($TL_RC)" test "$TL_RC" -eq 3
tl_check "server: the message names the URL and the bound" \
  tl_out_has 'timed out after 3000 ms waiting for https://hang.acmespec.test/dir'
tl_finish
