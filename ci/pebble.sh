#!/usr/bin/env bash
# Start and stop a Pebble on loopback for acmespec: Debian's pebble 2.4.0 by
# default, or another build with PEBBLE_BIN (e.g. 2.10.1 from
# ci/install-peers.sh: PEBBLE_BIN=/opt/acmespec-peers/bin/pebble).
#
# As a library (source it):
#   . ci/pebble.sh
#   pebble_start "$workdir"     # sets and exports the variables below
#   ... acmespec server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
#         --http01-port "$HTTP01_PORT" --tlsalpn01-port "$TLSALPN01_PORT" \
#         --dns-port "$DNS_PORT" ...
#   pebble_stop                 # also runs on exit (trap), with PEBBLE_EXIT_HOOKS
#
# As a command:
#   ci/pebble.sh start DIR   start, print `export ...` lines, leave it running
#   ci/pebble.sh stop DIR    stop the Pebble started in DIR
#   ci/pebble.sh run DIR     start and stay in the foreground until Ctrl-C
#
# Inputs (environment, all optional):
#   PEBBLE_PORT, PEBBLE_MGMT_PORT   ACME and management listen ports
#   HTTP01_PORT, TLSALPN01_PORT     where Pebble's VA connects (the harness's
#                                   responders): Pebble's httpPort / tlsPort
#   DNS_PORT                        the harness's DNS responder: -dnsserver
#       Unset ports are chosen free at random in PEBBLE_PORT_RANGE
#       (default 20000-32000), checked with `ss -ltnu`.
#   PEBBLE_EAB_KID, PEBBLE_EAB_HMAC set both: externalAccountBindingRequired
#                                   with that kid and base64url HMAC key
#   PEBBLE_KEEP_DEFAULTS=1          keep Pebble's own randomness (nonce
#                                   rejections, validation sleeps, authz reuse)
#                                   instead of the deterministic settings
#   PEBBLE_STRICT=1                 pass -strict
#   PEBBLE_BIN                      the pebble program (default: pebble on PATH)
#   PEBBLE_START_TIMEOUT            seconds to wait for /dir (default 20)
# Outputs (exported): PEBBLE_DIR_URL PEBBLE_CA_BUNDLE PEBBLE_PID PEBBLE_LOG
#   PEBBLE_CONFIG and the five ports above.

# shellcheck source=ci/proclib.sh
. "$(dirname "${BASH_SOURCE[0]}")/proclib.sh"

# ---------------------------------------------------------------- ports

PEBBLE_PORTS_TAKEN=${PEBBLE_PORTS_TAKEN:-}

# pebble_port_in_use PORT: true when something listens on PORT (tcp or udp)
pebble_port_in_use() {
  local port=$1
  [ -n "$(ss -Hltnu "( sport = :$port )" 2>/dev/null)" ]
}

# pebble_free_port VAR: store a free port in VAR (not in use, not handed out
# before by this shell, outside the ranges other local runs use by habit)
pebble_free_port() {
  local __var=$1 range=${PEBBLE_PORT_RANGE:-20000-32000} lo hi span port tries=0
  lo=${range%-*}; hi=${range#*-}; span=$((hi - lo + 1))
  while [ "$tries" -lt 200 ]; do
    tries=$((tries + 1))
    port=$((lo + (RANDOM * 32768 + RANDOM) % span))
    case " $PEBBLE_PORTS_TAKEN " in *" $port "*) continue ;; esac
    if ! pebble_port_in_use "$port"; then
      PEBBLE_PORTS_TAKEN="$PEBBLE_PORTS_TAKEN $port"
      printf -v "$__var" '%s' "$port"
      return 0
    fi
  done
  echo "pebble: no free port found in $range" >&2
  return 1
}

# ---------------------------------------------------------------- cleanup

PEBBLE_PID=${PEBBLE_PID:-}
PEBBLE_WATCHDOG_PID=
PEBBLE_EXIT_HOOKS=(${PEBBLE_EXIT_HOOKS[@]+"${PEBBLE_EXIT_HOOKS[@]}"})
_pebble_trap_set=

pebble_stop() {
  if [ -n "$PEBBLE_PID" ]; then
    proc_kill "$PEBBLE_PID"
    echo "pebble: stopped (pid $PEBBLE_PID)" >&2
    PEBBLE_PID=
  fi
  if [ -n "$PEBBLE_WATCHDOG_PID" ]; then
    proc_kill "$PEBBLE_WATCHDOG_PID"
    PEBBLE_WATCHDOG_PID=
  fi
}

_pebble_on_exit() {
  local rc=$? hook
  pebble_stop
  for hook in ${PEBBLE_EXIT_HOOKS[@]+"${PEBBLE_EXIT_HOOKS[@]}"}; do
    "$hook" || true
  done
  return "$rc"
}

# one EXIT trap for this shell; callers add cleanup to PEBBLE_EXIT_HOOKS
# instead of setting their own EXIT trap
pebble_install_trap() {
  [ -z "$_pebble_trap_set" ] || return 0
  trap _pebble_on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  _pebble_trap_set=1
}

# ---------------------------------------------------------------- start

# pebble_cert DIR: self-signed P-256 certificate for localhost and 127.0.0.1
# (Debian ships none of Pebble's test certificates)
pebble_cert() {
  local dir=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 7 \
    -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "extendedKeyUsage=serverAuth" 2>/dev/null
}

_pebble_write_config() {
  local dir=$1 eab=false keys=""
  if [ -n "${PEBBLE_EAB_KID:-}" ] && [ -n "${PEBBLE_EAB_HMAC:-}" ]; then
    eab=true
    keys=$(printf ',\n    "externalAccountMACKeys": { "%s": "%s" }' \
      "$PEBBLE_EAB_KID" "$PEBBLE_EAB_HMAC")
  fi
  # profiles (branch profiles): the two of Pebble's own test/config/pebble-config.json,
  # so that 2.10.1 advertises more than its one built-in "default"; 2.4.0 ignores them
  cat >"$dir/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$PEBBLE_PORT",
    "managementListenAddress": "127.0.0.1:$PEBBLE_MGMT_PORT",
    "certificate": "$dir/cert.pem",
    "privateKey": "$dir/key.pem",
    "httpPort": $HTTP01_PORT,
    "tlsPort": $TLSALPN01_PORT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": $eab$keys,
    "profiles": {
      "default": { "description": "acmespec: Pebble's default", "validityPeriod": 7776000 },
      "shortlived": { "description": "acmespec: six days", "validityPeriod": 518400 }
    }
  }
}
EOF
}

# pebble_start DIR
pebble_start() {
  local dir=$1 timeout=${PEBBLE_START_TIMEOUT:-20} deadline flags=()
  local -a envs=()
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local bin=${PEBBLE_BIN:-pebble}
  command -v "$bin" >/dev/null || { echo "pebble: $bin is not installed (ci/install-deps.sh for Debian's 2.4.0, ci/install-peers.sh pebble for 2.10.1)" >&2; return 1; }

  # ports already given are kept; the others are picked free
  local v
  for v in PEBBLE_PORT PEBBLE_MGMT_PORT HTTP01_PORT TLSALPN01_PORT DNS_PORT; do
    if [ -n "${!v:-}" ]; then
      PEBBLE_PORTS_TAKEN="$PEBBLE_PORTS_TAKEN ${!v}"
    fi
  done
  for v in PEBBLE_PORT PEBBLE_MGMT_PORT HTTP01_PORT TLSALPN01_PORT DNS_PORT; do
    if [ -z "${!v:-}" ]; then
      pebble_free_port "$v" || return 1
    fi
  done
  export PEBBLE_PORT PEBBLE_MGMT_PORT HTTP01_PORT TLSALPN01_PORT DNS_PORT

  pebble_cert "$dir" || { echo "pebble: cannot make a certificate in $dir" >&2; return 1; }
  _pebble_write_config "$dir"
  export PEBBLE_CONFIG="$dir/pebble-config.json"
  export PEBBLE_CA_BUNDLE="$dir/cert.pem"
  export PEBBLE_LOG="$dir/pebble.log"
  export PEBBLE_DIR_URL="https://127.0.0.1:$PEBBLE_PORT/dir"

  if [ "${PEBBLE_KEEP_DEFAULTS:-0}" = 1 ]; then
    # Pebble's defaults (2.4.0 and 2.10.1 alike): 5% of good nonces refused,
    # a random 0-4 s sleep before each validation (PEBBLE_VA_SLEEPTIME, default
    # 5, bounds it), valid authorizations reused half of the time
    envs=(-u PEBBLE_VA_NOSLEEP -u PEBBLE_WFE_NONCEREJECT -u PEBBLE_AUTHZREUSE)
    echo "pebble: keeping Pebble's defaults (random nonce rejections, validation sleeps, authz reuse)" >&2
  else
    # Read by Pebble 2.4.0 and 2.10.1 alike. AUTHZREUSE=0 still leaves 1%:
    # Pebble makes a new authz when rand.Intn(100) > percent, so a roll of 0
    # reuses a valid one (no value turns reuse off; only
    # server.8555.7_1_3.authz-reuse-listed orders an identifier again after
    # validating it, and would then PASS instead of UNSUPPORTED).
    envs=(PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0
          PEBBLE_AUTHZREUSE="${PEBBLE_AUTHZREUSE:-0}")
  fi
  envs+=(PEBBLE_ALTERNATE_ROOTS="${PEBBLE_ALTERNATE_ROOTS:-1}")
  [ "${PEBBLE_STRICT:-0}" = 1 ] && flags+=(-strict)

  [ "${PEBBLE_NO_TRAP:-0}" = 1 ] || pebble_install_trap
  env "${envs[@]}" "$bin" -config "$PEBBLE_CONFIG" -dnsserver "127.0.0.1:$DNS_PORT" \
    ${flags[@]+"${flags[@]}"} </dev/null >"$PEBBLE_LOG" 2>&1 &
  PEBBLE_PID=$!
  export PEBBLE_PID
  echo "$PEBBLE_PID" >"$dir/pebble.pid"
  if [ "${PEBBLE_NO_TRAP:-0}" != 1 ]; then
    proc_watchdog "$BASHPID" "$PEBBLE_PID"
    PEBBLE_WATCHDOG_PID=$PROC_WATCHDOG_PID
  fi

  deadline=$((SECONDS + timeout))
  while :; do
    if ! kill -0 "$PEBBLE_PID" 2>/dev/null; then
      echo "pebble: exited during start-up; its log:" >&2
      sed 's/^/  | /' "$PEBBLE_LOG" >&2
      PEBBLE_PID=
      return 1
    fi
    if curl -sf --max-time 2 --cacert "$PEBBLE_CA_BUNDLE" "$PEBBLE_DIR_URL" >/dev/null 2>&1; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "pebble: $PEBBLE_DIR_URL did not answer within ${timeout}s; its log:" >&2
      sed 's/^/  | /' "$PEBBLE_LOG" >&2
      pebble_stop
      return 1
    fi
    sleep 0.2
  done
  {
    printf 'export PEBBLE_DIR_URL=%q PEBBLE_CA_BUNDLE=%q PEBBLE_PID=%q PEBBLE_LOG=%q\n' \
      "$PEBBLE_DIR_URL" "$PEBBLE_CA_BUNDLE" "$PEBBLE_PID" "$PEBBLE_LOG"
    printf 'export PEBBLE_PORT=%q PEBBLE_MGMT_PORT=%q HTTP01_PORT=%q TLSALPN01_PORT=%q DNS_PORT=%q\n' \
      "$PEBBLE_PORT" "$PEBBLE_MGMT_PORT" "$HTTP01_PORT" "$TLSALPN01_PORT" "$DNS_PORT"
  } >"$dir/env"
  echo "pebble: up at $PEBBLE_DIR_URL (pid $PEBBLE_PID; http-01 $HTTP01_PORT," \
       "tls-alpn-01 $TLSALPN01_PORT, dns $DNS_PORT; eab ${PEBBLE_EAB_KID:+required, kid }${PEBBLE_EAB_KID:-off})" >&2
}

# ---------------------------------------------------------------- CLI

_pebble_main() {
  set -euo pipefail
  local cmd=${1:-} dir=${2:-}
  if [ -z "$cmd" ] || [ -z "$dir" ]; then
    sed -n '2,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
  fi
  case "$cmd" in
    start)
      PEBBLE_NO_TRAP=1 pebble_start "$dir"
      cat "$dir/env"
      ;;
    stop)
      if [ -f "$dir/pebble.pid" ]; then
        PEBBLE_PID=$(cat "$dir/pebble.pid")
        # only stop it if that pid is still a pebble
        if [ "$(ps -o comm= -p "$PEBBLE_PID" 2>/dev/null)" = pebble ]; then
          pebble_stop
        fi
        rm -f "$dir/pebble.pid"
      fi
      ;;
    run)
      pebble_start "$dir"
      cat "$dir/env"
      echo "pebble: running; Ctrl-C stops it" >&2
      wait "$PEBBLE_PID" || true
      ;;
    *) echo "pebble: unknown command: $cmd (start|stop|run)" >&2; exit 2 ;;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _pebble_main "$@"
fi
