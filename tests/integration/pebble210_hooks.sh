#!/usr/bin/env bash
# ctest-labels: pebble
# ctest-netns: private
# The server catalog against Pebble 2.10.1 run the way a user runs it
# against a public CA (docs/real-world.md): names under a zone of the user's
# (--domain-suffix), dns-01 through a hook that calls the DNS server's API
# (--dns-hook ci/challtestsrv-hook.sh: pebble-challtestsrv's /set-txt and
# /clear-txt), http-01 as files that a plain web server serves
# (--http01-webroot, python3 -m http.server on port 80), and the harness's
# own DNS and http-01 responders not started. Pebble resolves every name
# through challtestsrv on port 53, as a public CA resolves through the
# public DNS; tls-alpn-01 reaches the built-in responder on port 443.
#
# Checks: exit 0 with cases/expect/pebble-2.10.json, no FAIL, ERROR
# or XPASS, the dns-01 cases PASS through the hook (one clear per set, every
# name under the zone), no webroot file left behind, the IP cases SKIPPED;
# then a budgeted run (--tag public-ca --max-orders --max-accounts) sends
# Pebble no more newOrder and newAccount requests than allowed, and what did
# not fit is SKIPPED "budget".
#
#   bash tests/integration/pebble210_hooks.sh BUILD/acmespec SOURCE_DIR
#
# Needs: bash ci/install-peers.sh pebble (pebble, pebble-challtestsrv), python3, curl
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
JOBS=${JOBS:-4}
MIN_CASES=${MIN_CASES:-130}
ZONE=ci.acmespec-zone.test
EXPECT=$SRC/cases/expect/pebble-2.10.json
MAX_ORDERS=6
MAX_ACCOUNTS=12
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"

tl_init pebble210_hooks
tl_check_private_net
tl_check "expectations file $EXPECT exists" test -f "$EXPECT"
PEERS=$(bash "$SRC/ci/install-peers.sh" --print-bin)
PEBBLE_BIN=$PEERS/pebble
CTS_BIN=$PEERS/pebble-challtestsrv
export PEBBLE_BIN
for b in "$PEBBLE_BIN" "$CTS_BIN"; do
  if [ ! -x "$b" ]; then
    tl_fail "$b is installed (bash ci/install-peers.sh pebble)"; tl_finish; exit 1
  fi
done

# the namespace is private: the well-known ports of a public CA's validation
DNS_PORT=53 HTTP01_PORT=80 TLSALPN01_PORT=443
export DNS_PORT HTTP01_PORT TLSALPN01_PORT
pebble_free_port CTS_MGMT_PORT
export CHALLTESTSRV_MGMT=127.0.0.1:$CTS_MGMT_PORT
WEBROOT=$TL_WORK/webroot
HOOKLOG=$TL_WORK/hook.log
mkdir -p "$WEBROOT"

CTS_PID= WEB_PID=
stop_helpers() {
  [ -z "$CTS_PID" ] || tl_kill "$CTS_PID"
  [ -z "$WEB_PID" ] || tl_kill "$WEB_PID"
  CTS_PID= WEB_PID=
}
PEBBLE_EXIT_HOOKS+=(stop_helpers)

# challtestsrv: DNS only (its http-01, tls-alpn-01 and DoH servers off), an
# A record of 127.0.0.1 for every name and no AAAA (the web server is on IPv4)
"$CTS_BIN" -dnsserver "127.0.0.1:$DNS_PORT" -management "$CHALLTESTSRV_MGMT" \
  -http01 "" -https01 "" -tlsalpn01 "" -doh "" -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
  >"$TL_WORK/challtestsrv.log" 2>&1 &
CTS_PID=$!
# the user's web server: serves the webroot, nothing else
python3 -m http.server "$HTTP01_PORT" --bind 127.0.0.1 --directory "$WEBROOT" \
  >"$TL_WORK/webserver.log" 2>&1 &
WEB_PID=$!
up=0
for _ in $(seq 1 100); do
  if curl -s -o /dev/null --max-time 1 -X POST -d '{"host":"probe.","value":"x"}' \
       "http://$CHALLTESTSRV_MGMT/set-txt" &&
     curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$HTTP01_PORT/"; then
    up=1; break
  fi
  sleep 0.1
done
tl_check "challtestsrv (DNS :$DNS_PORT, API $CHALLTESTSRV_MGMT) and the web server (:$HTTP01_PORT) are up" test "$up" = 1
curl -s -o /dev/null -X POST -d '{"host":"probe."}' "http://$CHALLTESTSRV_MGMT/clear-txt" || true

pebble_start "$TL_WORK/pebble"

# the hook the user writes: here it logs each call, then calls challtestsrv
cat >"$TL_WORK/hook" <<HOOK
#!/bin/sh
echo "\$*" >>"$HOOKLOG"
exec "$SRC/ci/challtestsrv-hook.sh" "\$@"
HOOK
chmod +x "$TL_WORK/hook"

tl_catalog_run_hooks() {
  local json=$TL_WORK/report.json junit=$TL_WORK/report.xml start
  start=$SECONDS
  tl_run "$ACMESPEC" server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
    --domain-suffix "$ZONE" --dns-hook "$TL_WORK/hook" --http01-webroot "$WEBROOT" \
    --tlsalpn01-port "$TLSALPN01_PORT" \
    -j "$JOBS" --expect "$EXPECT" --no-color --json "$json" --junit "$junit"
  tl_info "hook-mode catalog at -j $JOBS took $((SECONDS - start))s"
}
tl_catalog_run_hooks
json=$TL_WORK/report.json
tail -n 5 "$TL_WORK/last.out" | sed 's/^/  | /'
if [ "$TL_RC" -eq 0 ]; then tl_pass "acmespec exit 0"; else tl_fail "acmespec exit $TL_RC, wanted 0"; tl_show_out; fi
tl_check "the run says it is a real-world run" tl_out_has "real-world target: names under $ZONE; dns-01 through --dns-hook"
if [ -s "$json" ] && jq empty "$json" 2>/dev/null; then
  tl_info "verdicts: $(tl_counts "$json")"
  for v in FAIL ERROR XPASS; do
    n=$(tl_count "$json" "$v")
    if [ "$n" -eq 0 ]; then tl_pass "no $v"; else tl_fail "$n $v:"; tl_list "$json" "$v"; fi
  done
  ran=$(( $(tl_total "$json") - $(tl_count "$json" SKIPPED) ))
  tl_check "$ran cases ran (>= $MIN_CASES)" test "$ran" -ge "$MIN_CASES"
  verdict_of() { jq -r --arg id "$1" "$TL_JQ_RESULTS | .[] | select((.id // .case) == \$id) | .verdict" "$json"; }
  for c in server.8555.8_4.dns01-valid server.8555.8_4.dns01-wrong-digest-invalid \
           server.8555.8_4.dns01-decoy-txt-values server.8555.8_3.http01-trailing-newline-tolerated; do
    v=$(verdict_of "$c")
    tl_check "$c PASS through the hook or webroot (got ${v:-none})" test "$v" = PASS
  done
  for c in server.8738.4.ip-issued-http01 server.8555.11_2.dns01-over-tcp \
           server.8555.8_3.http01-redirect-followed; do
    v=$(verdict_of "$c")
    tl_check "$c SKIPPED with its reason (got ${v:-none})" test "$v" = SKIPPED
  done
else
  tl_fail "JSON report missing or not JSON: $json"
fi
tl_check "JUnit report validates against junit.xsd" tl_junit_valid "$SRC" "$TL_WORK/report.xml"

# the hook: every record under the zone, each one cleared again
sets=$(grep -c '^set ' "$HOOKLOG" || true)
clears=$(grep -c '^clear ' "$HOOKLOG" || true)
tl_info "hook calls: $sets set, $clears clear"
tl_check "the hook set records ($sets)" test "$sets" -gt 0
tl_check "the hook cleared as many as it set ($clears = $sets)" test "$clears" -eq "$sets"
# dns-01 names _acme-challenge.<name>, dns-account-01 prefixes the account
# label (_<label>._acme-challenge.<name>), dns-persist-01 uses
# _validation-persist.<name>; every name is one of the run's, under the zone
tl_check "every hook name is a challenge name of one of the run's names under $ZONE" \
  test "$(grep -cvE "^(set|clear) (_[a-z0-9]{1,63}\._acme-challenge|_acme-challenge|_validation-persist)\.(\*\.)?[a-z0-9]{10}\.${ZONE//./\\.} " "$HOOKLOG" || true)" -eq 0
tl_check "the hook served dns-01 records" \
  grep -qE "^set _acme-challenge\.[a-z0-9]{10}\.${ZONE//./\\.} " "$HOOKLOG"
tl_check "the hook served dns-account-01 records" \
  grep -qE "^set _[a-z0-9]{1,63}\._acme-challenge\.[a-z0-9]{10}\.${ZONE//./\\.} " "$HOOKLOG"
tl_check "the hook served dns-persist-01 records" \
  grep -qE "^set _validation-persist\.[a-z0-9]{10}\.${ZONE//./\\.} " "$HOOKLOG"
left=$(find "$WEBROOT" -type f | wc -l)
tl_check "no file left in the webroot ($left)" test "$left" -eq 0
served=$(grep -c 'GET /.well-known/acme-challenge/' "$TL_WORK/webserver.log" || true)
tl_check "Pebble fetched http-01 files from the web server ($served)" test "$served" -gt 0

# a budgeted run: the subset for public CAs, within MAX_ORDERS and MAX_ACCOUNTS
orders_before=$(grep -c 'POST /order-plz' "$PEBBLE_LOG" || true)
accounts_before=$(grep -c 'POST /sign-me-up' "$PEBBLE_LOG" || true)
json=$TL_WORK/budget.json
tl_run "$ACMESPEC" server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" \
  --domain-suffix "$ZONE" --dns-hook "$TL_WORK/hook" --http01-webroot "$WEBROOT" \
  --tag public-ca --max-orders "$MAX_ORDERS" --max-accounts "$MAX_ACCOUNTS" \
  --expect "$EXPECT" --no-color --json "$json"
tl_check "budgeted run exit 0 (got $TL_RC)" test "$TL_RC" -eq 0
orders=$(( $(grep -c 'POST /order-plz' "$PEBBLE_LOG" || true) - orders_before ))
accounts=$(( $(grep -c 'POST /sign-me-up' "$PEBBLE_LOG" || true) - accounts_before ))
tl_info "budgeted run: $orders newOrder and $accounts newAccount requests reached Pebble"
tl_check "at most --max-orders $MAX_ORDERS newOrder requests ($orders), at least one" \
  test "$orders" -le "$MAX_ORDERS" -a "$orders" -gt 0
tl_check "at most --max-accounts $MAX_ACCOUNTS newAccount requests ($accounts)" \
  test "$accounts" -le "$MAX_ACCOUNTS"
if [ -s "$json" ]; then
  tl_info "budgeted verdicts: $(tl_counts "$json")"
  tl_check "budgeted run: no FAIL, ERROR or XPASS" \
    test "$(( $(tl_count "$json" FAIL) + $(tl_count "$json" ERROR) + $(tl_count "$json" XPASS) ))" -eq 0
  budget_skips=$(jq -r "$TL_JQ_RESULTS | .[] | select(.verdict == \"SKIPPED\") | .message // \"\"" "$json" | grep -c '^budget:' || true)
  tl_check "cases past the budget are SKIPPED \"budget\" ($budget_skips)" test "$budget_skips" -gt 0
  tl_check "no case of the budgeted run is outside the public-ca tag" \
    test "$(tl_total "$json")" -eq "$("$ACMESPEC" list --tag public-ca --side server --json | jq length)"
else
  tl_fail "budgeted run wrote no JSON report"
fi
stop_helpers
tl_finish
