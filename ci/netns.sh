#!/usr/bin/env bash
# Run a command in a private network namespace: only loopback (127.0.0.1,
# ::1), no route anywhere else, and a resolv.conf that names 127.0.0.1, where
# the harness's DNS responder (or a peer's, e.g. pebble-challtestsrv) can
# listen on port 53. Every real peer of the project's tests runs this way, so
# none can reach past the machine, and ports 53, 80 and 443 are free for the
# responders. Needs root (ip netns).
#
#   ci/netns.sh run [--keep-dns] -- COMMAND [ARGS...]
#       a fresh namespace for COMMAND (and everything it starts); removed
#       afterwards, also on failure, SIGINT or SIGTERM; exits with COMMAND's
#       exit code (125 when the namespace cannot be made)
#   ci/netns.sh check      shows that a namespace has loopback and no route out
#   ci/netns.sh gc         removes namespaces of earlier runs whose owner died
#
# --keep-dns keeps the machine's resolv.conf (for a peer that must resolve
# through its own resolver flags only). The namespace is named
# acmespec-<pid>; /etc/netns/<name>/ holds its resolv.conf while it lives.
set -euo pipefail

PREFIX=acmespec-
NS_NAME=

die() { echo "netns: $*" >&2; exit 125; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "needs root to make a network namespace (ip netns add)"
  command -v ip >/dev/null || die "ip is not installed (apt-get install iproute2)"
}

# ns_remove NAME: stop every process left in NAME, then remove it and its files
ns_remove() {
  local name=$1 pids
  pids=$(ip netns pids "$name" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    sleep 0.5
    pids=$(ip netns pids "$name" 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  fi
  ip netns del "$name" 2>/dev/null || true
  rm -rf "/etc/netns/$name"
}

ns_make() {
  local name=$1 keep_dns=$2
  ip netns add "$name" || die "cannot make namespace $name"
  ip -n "$name" link set lo up || { ns_remove "$name"; die "cannot bring up lo in $name"; }
  mkdir -p "/etc/netns/$name"
  if [ "$keep_dns" = 0 ]; then
    # short timeouts: a resolver with no answer must not stall a test
    printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n' >"/etc/netns/$name/resolv.conf"
  fi
}

cmd_run() {
  local keep_dns=0 rc
  while [ $# -gt 0 ]; do
    case $1 in
      --keep-dns) keep_dns=1; shift ;;
      --) shift; break ;;
      *) die "run: unknown option $1 (usage: ci/netns.sh run [--keep-dns] -- COMMAND...)" ;;
    esac
  done
  [ $# -gt 0 ] || die "run: no command (usage: ci/netns.sh run [--keep-dns] -- COMMAND...)"
  need_root
  cmd_gc quiet
  NS_NAME=$PREFIX$$
  ns_make "$NS_NAME" "$keep_dns"
  # removed on every way out; a signal is passed on as the usual exit code
  trap 'ns_remove "$NS_NAME"' EXIT
  trap 'ns_remove "$NS_NAME"; trap - EXIT; exit 130' INT
  trap 'ns_remove "$NS_NAME"; trap - EXIT; exit 143' TERM
  set +e
  ACMESPEC_NETNS=$NS_NAME ip netns exec "$NS_NAME" "$@" &
  wait $!
  rc=$?
  set -e
  exit "$rc"
}

cmd_check() {
  need_root
  local name=${PREFIX}check-$$ ok=0
  NS_NAME=$name
  ns_make "$name" 0
  trap 'ns_remove "$NS_NAME"' EXIT
  echo "netns: interfaces in $name:"
  ip -n "$name" -brief addr
  if ip netns exec "$name" ip route get 1.1.1.1 >/dev/null 2>&1; then
    echo "netns: FAIL: $name has a route to 1.1.1.1"; ok=1
  else
    echo "netns: ok: no route past loopback"
  fi
  if ip netns exec "$name" grep -q '^nameserver 127.0.0.1$' /etc/resolv.conf; then
    echo "netns: ok: resolv.conf names 127.0.0.1"
  else
    echo "netns: FAIL: resolv.conf does not name 127.0.0.1"; ok=1
  fi
  return "$ok"
}

# gc [quiet]: remove acmespec-<pid> namespaces whose pid is gone
cmd_gc() {
  local name pid
  for name in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX" || true); do
    pid=${name#"$PREFIX"}
    pid=${pid#check-}
    if [[ $pid =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null; then
      [ "${1:-}" = quiet ] || echo "netns: removing stale $name"
      ns_remove "$name"
    fi
  done
}

case ${1:-} in
  run) shift; cmd_run "$@" ;;
  check) cmd_check ;;
  gc) need_root; cmd_gc ;;
  -h | --help | "") sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ] ;;
  *) die "unknown command $1 (run, check, gc)" ;;
esac
