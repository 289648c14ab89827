#!/bin/sh
# A --dns-hook for acmespec server that puts dns-01 TXT records into
# pebble-challtestsrv through its management API, the way a hook for a real
# DNS provider would call the provider's API.
#
#   acmespec server URL --dns-hook 'ci/challtestsrv-hook.sh' ...
#   ci/challtestsrv-hook.sh set|clear NAME VALUE
#
# CHALLTESTSRV_MGMT: the management API's address (default 127.0.0.1:8055).
# set adds VALUE to the TXT records of NAME (/set-txt); clear removes the
# records of NAME (/clear-txt). Exit 0 only when challtestsrv answered 2xx.
set -eu
mgmt=${CHALLTESTSRV_MGMT:-127.0.0.1:8055}
op=${1:?usage: $0 set|clear NAME VALUE}
name=${2:?usage: $0 set|clear NAME VALUE}
value=${3:-}
case $name in *.) ;; *) name=$name. ;; esac
case $op in
  set | present) path=set-txt body=$(printf '{"host":"%s","value":"%s"}' "$name" "$value") ;;
  clear | cleanup) path=clear-txt body=$(printf '{"host":"%s"}' "$name") ;;
  *) echo "$0: unknown operation \"$op\": expected set or clear" >&2; exit 2 ;;
esac
curl -sS -f --max-time 10 -X POST -d "$body" "http://$mgmt/$path" >/dev/null
