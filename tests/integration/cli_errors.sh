#!/usr/bin/env bash
# ctest-labels: cli
# The command line's contract (DESIGN.md "Exit codes"): --version, --help,
# --man, list, and the exit codes of the error paths: a bad option is
# reported in one format by every command and exits 2, a filter matching no
# case 2, an unreachable target 3 with a message naming it, a production
# directory refused (2) unless --allow-production.
#
#   bash tests/integration/cli_errors.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"
TL_LIMIT=120

tl_init cli_errors

tl_expect_exit 0 "acmespec --version" "$ACMESPEC" --version
tl_check "--version prints a version number" tl_out_has '[0-9]+\.[0-9]+\.[0-9]+'

tl_expect_exit 0 "acmespec --help" "$ACMESPEC" --help
tl_check "--help names the server command" tl_out_has 'server'
tl_check "--help names --expect" tl_out_has -- '--expect'

tl_expect_exit 0 "acmespec list" "$ACMESPEC" list
n=$(grep -cE 'server\.(8555|8737|8738|9773|v1v2|boulder)\.[0-9_]+\.[a-z0-9-]+' "$TL_WORK/last.out" || true)
tl_check "list prints server case IDs ($n)" test "$n" -gt 0
tl_expect_exit 0 "acmespec list --tag nonce" "$ACMESPEC" list --tag nonce
m=$(grep -cE 'server\.[a-z0-9]+\.[0-9_]+\.[a-z0-9-]+' "$TL_WORK/last.out" || true)
tl_check "list --tag nonce prints a non-empty subset ($m of $n)" test "$m" -gt 0 -a "$m" -le "$n"

# the whole output is exactly this one line
out_is() { [ "$(cat "$TL_WORK/last.out")" = "$1" ]; }

tl_expect_exit 0 "acmespec --man" "$ACMESPEC" --man
tl_check "--man prints roff" tl_out_has '^\.TH ACMESPEC 1'

tl_expect_exit 2 "unknown option" "$ACMESPEC" server --no-such-option
tl_check "the message names the option" tl_out_has 'no-such-option'
tl_expect_exit 2 "unknown command" "$ACMESPEC" no-such-command
tl_check "the message names the command" \
  out_is 'acmespec: unknown command "no-such-command" (see acmespec --help)'

# one format for a bad option, whatever the command
for cmd in server client serve list selftest mock-client dns-hook report diff expect; do
  tl_expect_exit 2 "$cmd --bogus" "$ACMESPEC" "$cmd" --bogus
  tl_check "$cmd: one message format" \
    out_is "acmespec $cmd: unknown option --bogus (see acmespec $cmd --help)"
  tl_expect_exit 0 "$cmd --help" "$ACMESPEC" "$cmd" --help
  tl_check "$cmd --help shows its usage" tl_out_has "^usage: acmespec $cmd"
done
tl_expect_exit 2 "an option of another command" "$ACMESPEC" serve --junit r.xml
tl_check "the message says whose option it is" \
  out_is 'acmespec serve: --junit is not an option of acmespec serve (see acmespec serve --help)'
tl_expect_exit 2 "a missing value" "$ACMESPEC" server --bind
tl_check "the message names the value" \
  out_is 'acmespec server: option --bind needs a value ADDR (see acmespec server --help)'
tl_expect_exit 2 "serve --port out of range" "$ACMESPEC" serve --port 70000
tl_check "the message gives the range" \
  out_is 'acmespec serve: option --port: expected a number from 0 to 65535, got "70000"'
tl_expect_exit 2 "mock-client without --directory" "$ACMESPEC" mock-client --domain a.test
tl_check "the message says what is required" tl_out_has '^acmespec mock-client: --directory'

tl_expect_exit 2 "--case matching no case" "$ACMESPEC" list --case 'nomatch*'
tl_check "the message says nothing matched" tl_out_has 'match|no case'
tl_expect_exit 2 "server --case matching no case" \
  "$ACMESPEC" server https://127.0.0.1:9/dir --case 'nomatch*'

# a closed port on loopback: nothing listens there
closed=
pebble_free_port closed
start=$SECONDS
tl_expect_exit 3 "server against closed port 127.0.0.1:$closed" \
  "$ACMESPEC" server "https://127.0.0.1:$closed/dir" --no-color --timeout 10
tl_check "the message names the target" tl_out_has "127\.0\.0\.1:$closed"
tl_check "the message says why (connect/refused/unreachable)" tl_out_has 'connect|refused|unreachable'
tl_check "it gave up quickly ($((SECONDS - start))s <= 60s)" test $((SECONDS - start)) -le 60

tl_expect_exit 2 "--ca-bundle that does not exist" \
  "$ACMESPEC" server "https://127.0.0.1:$closed/dir" --ca-bundle "$TL_WORK/none.pem"
tl_expect_exit 2 "-j 0" "$ACMESPEC" server "https://127.0.0.1:$closed/dir" -j 0
tl_check "-j 0: the range" \
  out_is 'acmespec server: option --jobs: expected a number from 1 to 64, got "0"'
tl_expect_exit 2 "-j abc" "$ACMESPEC" server "https://127.0.0.1:$closed/dir" -j abc
tl_check "-j abc: the same range message" \
  out_is 'acmespec server: option --jobs: expected a number from 1 to 64, got "abc"'
tl_expect_exit 2 "--expect file that does not exist" \
  "$ACMESPEC" server "https://127.0.0.1:$closed/dir" --expect "$TL_WORK/none.json"

# bug 4: report paths are made (parent folders too) or refused before the run
one='server.8555.6_5.nonce-reused*'
tl_expect_exit 0 "--junit in a folder that does not exist yet" \
  "$ACMESPEC" server --case "$one" --no-color --junit "$TL_WORK/fresh/sub/r.xml"
tl_check "the report was written in the new folder" test -s "$TL_WORK/fresh/sub/r.xml"
tl_expect_exit 2 "--junit under an unwritable path" \
  "$ACMESPEC" server --case "$one" --no-color --junit /proc/acmespec-none/r.xml
tl_check "the message names the report option and path" tl_out_has -- '--junit.*/proc/acmespec-none/r\.xml'
tl_check "refused before any traffic (no mock CA started)" \
  bash -c "! grep -q 'embedded mock CA' '$TL_WORK/last.out'"
tl_check "no case ran (no summary line)" bash -c "! grep -q '(exit 0)' '$TL_WORK/last.out'"

# bug 9: "-" is standard output; one path for two reports is refused
(cd "$TL_WORK" && "$ACMESPEC" server --case "$one" --no-color --json - \
  >"$TL_WORK/stdout.json" 2>"$TL_WORK/stderr.txt")
tl_check "--json - writes JSON to standard output" jq -e '.results | length == 1' "$TL_WORK/stdout.json"
tl_check "--json - makes no file named -" test ! -e "$TL_WORK/-"
tl_check "--json -: the console goes to standard error" grep -q 'exit 0' "$TL_WORK/stderr.txt"
tl_expect_exit 2 "the same path for --junit and --json" \
  "$ACMESPEC" server --case "$one" --junit "$TL_WORK/same" --json "$TL_WORK/./same"
tl_check "the message names both options" tl_out_has -- '--junit.*--json|--json.*--junit'
tl_expect_exit 2 "--junit - and --json -" \
  "$ACMESPEC" server --case "$one" --junit - --json -

# bug 7: a missing catalog is named, not "no case matches"
tl_expect_exit 2 "list --cases /nonexistent" "$ACMESPEC" list --cases /nonexistent-acmespec
tl_check "the message names the missing folder" tl_out_has '/nonexistent-acmespec'
tl_check "the message does not blame the filters" bash -c "! grep -qi 'no case matches' '$TL_WORK/last.out'"

# bug 2: list shows the mock CA's request checks with the client side
tl_expect_exit 0 "list --side client --section 6.1" "$ACMESPEC" list --side client --section 6.1
tl_check "it lists the request check accept-language" tl_out_has '^client\.8555\.6_1\.accept-language '
tl_expect_exit 0 "list" "$ACMESPEC" list
tl_check "a plain list shows the request checks too" tl_out_has '^client\.8555\.6_1\.accept-language '

# bug 8: configuration errors are usage errors (2), found before any traffic
echo "not a certificate" >"$TL_WORK/garbage.pem"
tl_expect_exit 2 "--ca-bundle that holds no certificate" \
  "$ACMESPEC" server "https://127.0.0.1:$closed/dir" --ca-bundle "$TL_WORK/garbage.pem"
tl_check "the message names the bundle" tl_out_has 'ca-bundle.*garbage\.pem'
tl_expect_exit 2 "--ca-bundle that is a folder" \
  "$ACMESPEC" server "https://127.0.0.1:$closed/dir" --ca-bundle "$TL_WORK"
tl_expect_exit 2 "server https:// (no host)" "$ACMESPEC" server https://
tl_check "the message says the host is missing" tl_out_has 'host'
tl_expect_exit 2 "server https:///dir (no host)" "$ACMESPEC" server https:///dir

# bug 5: the rerun line keeps what changes a verdict (--strict, --timeout, --profile, --expect)
cat >"$TL_WORK/xpass.json" <<'EOF'
{"target": "t", "expectations": [{"case": "server.8555.6_5.nonce-reused-badnonce",
  "verdict": "FAIL", "clause": "c", "reason": "an XPASS to get a rerun line"}]}
EOF
tl_expect_exit 1 "an XPASS with --strict --timeout 7 --profile rfc8555" \
  "$ACMESPEC" server --case server.8555.6_5.nonce-reused-badnonce --no-color \
  --expect "$TL_WORK/xpass.json" --strict --timeout 7 --profile rfc8555
tl_check "the rerun line keeps --strict" tl_out_has '^  rerun: .* --strict'
tl_check "the rerun line keeps --timeout 7" tl_out_has '^  rerun: .* --timeout 7( |$)'
tl_check "the rerun line keeps --profile and --expect" \
  tl_out_has '^  rerun: .* --profile rfc8555 .*--expect '

# bug 10: TERM=dumb gets no colour (on a terminal, through script(1))
if command -v script >/dev/null 2>&1; then
  esc=$(printf '\033')
  TERM=xterm script -qec "'$ACMESPEC' server --case server.8555.6_5.nonce-reused-badnonce" /dev/null \
    >"$TL_WORK/tty-xterm.out" 2>&1 || true
  tl_check "control: TERM=xterm on a terminal gets colour" grep -q "$esc\[" "$TL_WORK/tty-xterm.out"
  TERM=dumb script -qec "'$ACMESPEC' server --case server.8555.6_5.nonce-reused-badnonce" /dev/null \
    >"$TL_WORK/tty-dumb.out" 2>&1 || true
  tl_check "TERM=dumb on a terminal gets no colour" bash -c "! grep -q '$esc\[' '$TL_WORK/tty-dumb.out'"
  tl_check "TERM=dumb: the run itself happened" grep -q 'exit 0' "$TL_WORK/tty-dumb.out"
else
  tl_info "skipped the TERM=dumb check: no script(1) here"
fi
# bug 10: system error texts start in lower case, like every message
tl_expect_exit 2 "server --cases /nonexistent" "$ACMESPEC" server --cases /nonexistent-acmespec
tl_check "the system's error text is in lower case" tl_out_has ': no such file or directory'
tl_check "no capitalised system error text" bash -c "! grep -q 'No such file' '$TL_WORK/last.out'"
# bug 10: -j abc and -j 0 give the same range, --bogus names acmespec once (checked above too)
tl_expect_exit 2 "acmespec --bogus" "$ACMESPEC" --bogus
tl_check "--bogus: one acmespec in the pointer to --help" \
  out_is 'acmespec: unknown option --bogus (see acmespec --help)'
tl_expect_exit 0 "list --help" "$ACMESPEC" list --help
tl_check "list --help offers -v, which list uses (requirement, file, control)" \
  tl_out_has -- '-v, --verbose .*requirement'

# bug 3: a client command that never reaches the mock CA fails the gate (3), loudly
tl_expect_exit 3 "a client wrapper whose program is missing (exit 127 everywhere)" \
  "$ACMESPEC" client --no-color -j 4 --case client.8555.7_3.tos-agreed-when-required \
  -- sh -c 'exec /nonexistent-acmespec-client'
tl_check "it says the client never reached the mock CA" \
  tl_out_has 'never reached the mock CA'
tl_check "the last line says exit 3" bash -c "tail -n 1 '$TL_WORK/last.out' | grep -q '(exit 3)'"
tl_expect_exit 3 "the same over every scenario and check" \
  "$ACMESPEC" client --no-color -j 4 -- sh -c 'exec /nonexistent-acmespec-client'
tl_check "it says so once, loudly" tl_out_has '^acmespec: the client never reached the mock CA'

# bug 1: a filter naming request checks runs only the scenarios they need,
# prints only the selected verdicts, and says why it ran what it ran
mc=("$ACMESPEC" mock-client --directory '{directory}' --ca-bundle '{ca_bundle}'
  --domains '{domains}' --challenge '{challenge}' --http01-port '{http01_port}'
  --tlsalpn01-port '{tlsalpn01_port}' --dns-hook '{dns_hook}' --webroot '{webroot}')
tl_expect_exit 0 "client --section 6.1 with the mock client" \
  "$ACMESPEC" client --no-color -j 4 --section 6.1 --json "$TL_WORK/checks.json" -- "${mc[@]}"
shown=$(grep -cE '^(PASS|FAIL|NONSTRICT|UNSUPPORTED|SKIPPED|XFAIL|XPASS|ERROR) ' "$TL_WORK/last.out" || true)
tl_check "only the 3 selected verdicts are printed ($shown)" test "$shown" -eq 3
tl_check "the summary agrees: 3 cases" tl_out_has '^3 cases: 3 passed \(exit 0\)'
tl_check "it says which scenario it ran for the checks, and why" \
  tl_out_has 'client\.8555\.8_3\.conformant-http01.*request check|request check.*client\.8555\.8_3\.conformant-http01'
tl_check "the report holds the 3 selected checks" \
  test "$(jq '.results | length' "$TL_WORK/checks.json")" = 3

# list --json: the catalog as data; list --tags: the tags in use
tl_expect_exit 0 "list" "$ACMESPEC" list
total=$(tail -n 1 "$TL_WORK/last.out" | grep -oE '^[0-9]+')
"$ACMESPEC" list --json >"$TL_WORK/list.json"
tl_check "list --json holds every case list counts ($total)" \
  jq -e --argjson n "$total" 'length == $n' "$TL_WORK/list.json"
tl_check "list --json: every entry has id, side, rfc, section, level, tags, title, control" \
  jq -e 'all(.[]; has("id") and has("side") and has("rfc") and has("section") and has("level")
    and (.tags | type == "array") and has("title") and has("control"))' "$TL_WORK/list.json"
tl_check "list --json: a case's negative control is there" \
  jq -e '.[] | select(.id == "server.8555.6_1.cors-allow-origin") | .control == ["no-cors"]' \
  "$TL_WORK/list.json"
"$ACMESPEC" list --json --side client --section 6.1 >"$TL_WORK/list61.json"
tl_check "list --json --side client --section 6.1: the 3 request checks" \
  jq -e 'length == 3 and all(.[]; .side == "client" and .section == "6.1")' "$TL_WORK/list61.json"
tl_expect_exit 0 "list --tags" "$ACMESPEC" list --tags
nonce=$(grep -E '^nonce ' "$TL_WORK/last.out" | awk '{print $2}')
tl_expect_exit 0 "list --tag nonce" "$ACMESPEC" list --tag nonce
tl_check "list --tags counts nonce as list --tag nonce does ($nonce)" \
  test "$nonce" = "$(tail -n 1 "$TL_WORK/last.out" | grep -oE '^[0-9]+')"
tl_expect_exit 0 "list --help" "$ACMESPEC" list --help
tl_check "list --help offers --json and --tags" bash -c \
  "grep -qE -- '--json +the catalog as JSON' '$TL_WORK/last.out' && grep -qE -- '--tags ' '$TL_WORK/last.out'"

# a responder port another run holds (issue 10, bug 11): exit 3, and the
# message says which options give this run other ports
python3 - "$TL_WORK/held" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(60)
PY
holder=$!
for _ in $(seq 50); do [ -s "$TL_WORK/held" ] && break; sleep 0.1; done
tl_expect_exit 3 "server with its http-01 port held by another process" \
  "$ACMESPEC" server https://127.0.0.1:1/dir --http01-port "$(cat "$TL_WORK/held")" --no-color
tl_check "the message suggests --http01-port, --tlsalpn01-port and --dns-port" \
  tl_out_has 'give this one others with --http01-port, --tlsalpn01-port and --dns-port'
proc_kill "$holder"

# production directories are refused before any traffic; run it in an empty
# network namespace so that nothing could leave even if the refusal broke
if unshare -n true 2>/dev/null; then
  tl_expect_exit 2 "production Let's Encrypt directory refused" \
    unshare -n "$ACMESPEC" server https://acme-v02.api.letsencrypt.org/directory --no-color
  tl_check "the message points at --allow-production" tl_out_has 'allow-production'
  # --allow-production lifts the refusal for every request, the first probe
  # included: here it gets as far as the resolver, which has no network
  tl_expect_exit 3 "production directory with --allow-production is tried" \
    unshare -n "$ACMESPEC" server https://acme-v02.api.letsencrypt.org/directory \
    --allow-production --timeout 2 --no-color
  tl_check "not refused by the network policy" bash -c "! grep -q 'not followed' '$TL_WORK/last.out'"
  # disguised the way a resolver still understands (hardening issue, D1)
  tl_expect_exit 2 "production directory with a percent-encoded dot refused" \
    unshare -n "$ACMESPEC" server 'https://u@ACME-V02.api.letsencrypt%2Eorg.:443/directory' --no-color
  tl_check "the message points at --allow-production" tl_out_has 'allow-production'
else
  tl_info "skipped the production-directory check: no network namespace here"
fi
tl_finish
