#!/usr/bin/env bash
# Start and stop Debian's Caddy (2.6.2, package caddy) as an ACME server for
# acmespec: its acme_server directive, which is smallstep's certificates
# library (Debian builds Caddy 2.6.2 with golang-github-smallstep-certificates
# 0.19.0), with a local CA made on first start.
#
# Caddy validates challenges on the standard ports (http-01 to 80, tls-alpn-01
# to 443) and resolves names through the system resolver, none of which it
# lets one configure. So it must run in a private network namespace
# (ci/netns.sh run -- ...), where the harness's responders take ports 80, 443
# and 53 and resolv.conf names 127.0.0.1. Outside one (ACMESPEC_NETNS unset)
# it refuses to start unless CADDY_ALLOW_HOST_NET=1.
#
# As a library (source it):
#   . ci/caddy.sh
#   caddy_start "$workdir"     # sets and exports the variables below
#   ... acmespec server "$CADDY_DIR_URL" --ca-bundle "$CADDY_CA_BUNDLE" \
#         --http01-port 80 --tlsalpn01-port 443 --dns-port 53 ...
#   caddy_stop                 # also runs on exit (trap), with CADDY_EXIT_HOOKS
#
# As a command:
#   ci/caddy.sh start DIR   start, print `export ...` lines, leave it running
#   ci/caddy.sh stop DIR    stop the Caddy started in DIR
#   ci/caddy.sh run DIR     start and stay in the foreground until Ctrl-C
#
# Inputs (environment, all optional):
#   CADDY_HTTPS_PORT      the ACME server's port (default 8443)
#   CADDY_HTTP_PORT       Caddy's own http port (default 8080; never 80,
#                         which the harness's http-01 responder needs)
#   CADDY_CA_NAME         the local CA's common name (default acmespec-test)
#   CADDY_PROTOCOLS       what Caddy serves (default "h1"; "h1 h2" also offers
#                         HTTP/2). HTTP/1.1 by default because over HTTP/2
#                         Caddy (Go's http2 server) answers a request whose
#                         body it does not read with the response and then
#                         RST_STREAM(NO_ERROR), as RFC 9113 8.1 allows, and
#                         libcurl 7.88.1 (Debian 12) then reports about one
#                         such request in three as "Stream error in the HTTP/2
#                         framing layer" instead of the response: the POST to
#                         the directory of server.8555.6_3.get-directory-
#                         newnonce-allowed was an ERROR in 5 of 30 runs over
#                         HTTP/2 and a 405 in every run over HTTP/1.1.
#   CADDY_BIN             the caddy program (default: caddy on PATH)
#   CADDY_START_TIMEOUT   seconds to wait for the directory (default 30)
#   CADDY_ALLOW_HOST_NET  1: start even outside a private namespace
# Outputs (exported): CADDY_DIR_URL CADDY_CA_BUNDLE CADDY_PID CADDY_LOG
#   CADDY_CONFIG, and HTTP01_PORT=80 TLSALPN01_PORT=443 DNS_PORT=53 (where
#   Caddy validates and resolves: the harness's responders must listen there).
# Caddy's HOME, XDG_DATA_HOME, XDG_CONFIG_HOME and storage are all under DIR,
# so it writes nothing elsewhere (skip_install_trust: no system trust store).

# shellcheck source=ci/proclib.sh
. "$(dirname "${BASH_SOURCE[0]}")/proclib.sh"

CADDY_PID=${CADDY_PID:-}
CADDY_WATCHDOG_PID=
CADDY_EXIT_HOOKS=(${CADDY_EXIT_HOOKS[@]+"${CADDY_EXIT_HOOKS[@]}"})
_caddy_trap_set=

# ---------------------------------------------------------------- cleanup

caddy_stop() {
  if [ -n "$CADDY_PID" ]; then
    proc_kill "$CADDY_PID"
    echo "caddy: stopped (pid $CADDY_PID)" >&2
    CADDY_PID=
  fi
  if [ -n "$CADDY_WATCHDOG_PID" ]; then
    proc_kill "$CADDY_WATCHDOG_PID"
    CADDY_WATCHDOG_PID=
  fi
}

_caddy_on_exit() {
  local rc=$? hook
  caddy_stop
  for hook in ${CADDY_EXIT_HOOKS[@]+"${CADDY_EXIT_HOOKS[@]}"}; do
    "$hook" || true
  done
  return "$rc"
}

# one EXIT trap for this shell. When ci/pebble.sh's trap is already set (a
# test that sourced ci/testlib.sh), caddy_stop joins its PEBBLE_EXIT_HOOKS
# instead of replacing that trap; otherwise callers add to CADDY_EXIT_HOOKS.
caddy_install_trap() {
  [ -z "$_caddy_trap_set" ] || return 0
  if [ -n "${_pebble_trap_set:-}" ]; then
    PEBBLE_EXIT_HOOKS=(caddy_stop ${PEBBLE_EXIT_HOOKS[@]+"${PEBBLE_EXIT_HOOKS[@]}"})
  else
    trap _caddy_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
  _caddy_trap_set=1
}

# ---------------------------------------------------------------- start

# caddy_private_net: true inside ci/netns.sh run (loopback only)
caddy_private_net() {
  [ -n "${ACMESPEC_NETNS:-}" ] && ! ip route get 1.1.1.1 >/dev/null 2>&1
}

_caddy_write_config() {
  local dir=$1
  cat >"$dir/Caddyfile" <<EOF
{
	admin off
	http_port $CADDY_HTTP_PORT
	https_port $CADDY_HTTPS_PORT
	auto_https disable_redirects
	skip_install_trust
	servers {
		protocols $CADDY_PROTOCOLS
	}
	storage file_system $dir/storage
	pki {
		ca local {
			name $CADDY_CA_NAME
		}
	}
}
https://localhost:$CADDY_HTTPS_PORT {
	tls internal
	acme_server
}
EOF
}

# caddy_start DIR
caddy_start() {
  local dir=$1 timeout=${CADDY_START_TIMEOUT:-30} deadline
  local bin=${CADDY_BIN:-caddy}
  if ! caddy_private_net && [ "${CADDY_ALLOW_HOST_NET:-0}" != 1 ]; then
    echo "caddy: refusing to start outside a private network namespace: Caddy validates on ports 80 and 443 and resolves through the system resolver, so the harness's responders need ports 80, 443 and 53 of a namespace of their own (bash ci/netns.sh run -- ...; CADDY_ALLOW_HOST_NET=1 overrides)" >&2
    return 1
  fi
  command -v "$bin" >/dev/null || { echo "caddy: $bin is not installed (ci/install-deps.sh installs Debian's caddy)" >&2; return 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  mkdir -p "$dir/storage" "$dir/home" "$dir/data" "$dir/config"

  CADDY_HTTPS_PORT=${CADDY_HTTPS_PORT:-8443}
  CADDY_HTTP_PORT=${CADDY_HTTP_PORT:-8080}
  CADDY_CA_NAME=${CADDY_CA_NAME:-acmespec-test}
  CADDY_PROTOCOLS=${CADDY_PROTOCOLS:-h1}
  export CADDY_HTTPS_PORT CADDY_HTTP_PORT CADDY_CA_NAME CADDY_PROTOCOLS
  # fixed by Caddy (its validator knows no other ports; it asks resolv.conf)
  export HTTP01_PORT=80 TLSALPN01_PORT=443 DNS_PORT=53

  _caddy_write_config "$dir"
  export CADDY_CONFIG="$dir/Caddyfile"
  export CADDY_CA_BUNDLE="$dir/storage/pki/authorities/local/root.crt"
  export CADDY_LOG="$dir/caddy.log"
  export CADDY_DIR_URL="https://localhost:$CADDY_HTTPS_PORT/acme/local/directory"

  [ "${CADDY_NO_TRAP:-0}" = 1 ] || caddy_install_trap
  HOME="$dir/home" XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" \
    "$bin" run --config "$CADDY_CONFIG" --adapter caddyfile </dev/null >"$CADDY_LOG" 2>&1 &
  CADDY_PID=$!
  export CADDY_PID
  echo "$CADDY_PID" >"$dir/caddy.pid"
  if [ "${CADDY_NO_TRAP:-0}" != 1 ]; then
    proc_watchdog "$BASHPID" "$CADDY_PID"
    CADDY_WATCHDOG_PID=$PROC_WATCHDOG_PID
  fi

  deadline=$((SECONDS + timeout))
  while :; do
    if ! kill -0 "$CADDY_PID" 2>/dev/null; then
      echo "caddy: exited during start-up; its log:" >&2
      sed 's/^/  | /' "$CADDY_LOG" >&2
      CADDY_PID=
      return 1
    fi
    if [ -s "$CADDY_CA_BUNDLE" ] &&
      curl -sf --max-time 2 --cacert "$CADDY_CA_BUNDLE" "$CADDY_DIR_URL" >/dev/null 2>&1; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "caddy: $CADDY_DIR_URL did not answer within ${timeout}s; its log:" >&2
      sed 's/^/  | /' "$CADDY_LOG" >&2
      caddy_stop
      return 1
    fi
    sleep 0.2
  done
  {
    printf 'export CADDY_DIR_URL=%q CADDY_CA_BUNDLE=%q CADDY_PID=%q CADDY_LOG=%q\n' \
      "$CADDY_DIR_URL" "$CADDY_CA_BUNDLE" "$CADDY_PID" "$CADDY_LOG"
    printf 'export HTTP01_PORT=%q TLSALPN01_PORT=%q DNS_PORT=%q\n' \
      "$HTTP01_PORT" "$TLSALPN01_PORT" "$DNS_PORT"
  } >"$dir/env"
  echo "caddy: up at $CADDY_DIR_URL (pid $CADDY_PID; validates http-01 on 80," \
       "tls-alpn-01 on 443, resolves through 127.0.0.1:53; serves $CADDY_PROTOCOLS; namespace ${ACMESPEC_NETNS:-none})" >&2
}

# ---------------------------------------------------------------- CLI

_caddy_main() {
  set -euo pipefail
  local cmd=${1:-} dir=${2:-}
  if [ -z "$cmd" ] || [ -z "$dir" ]; then
    sed -n '2,52p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
  fi
  case "$cmd" in
    start)
      CADDY_NO_TRAP=1 caddy_start "$dir"
      cat "$dir/env"
      ;;
    stop)
      if [ -f "$dir/caddy.pid" ]; then
        CADDY_PID=$(cat "$dir/caddy.pid")
        # only stop it if that pid is still a caddy
        if [ "$(ps -o comm= -p "$CADDY_PID" 2>/dev/null)" = caddy ]; then
          caddy_stop
        fi
        rm -f "$dir/caddy.pid"
      fi
      ;;
    run)
      caddy_start "$dir"
      cat "$dir/env"
      echo "caddy: running; Ctrl-C stops it" >&2
      wait "$CADDY_PID" || true
      ;;
    *) echo "caddy: unknown command: $cmd (start|stop|run)" >&2; exit 2 ;;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _caddy_main "$@"
fi
