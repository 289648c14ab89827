#!/usr/bin/env bash
# ctest-labels: cli
# The real-world options of acmespec server (docs/real-world.md): bad values
# of --domain-suffix, --dns-hook, --http01-webroot, --max-orders and
# --max-accounts refused with exit 2 and one clear line before any traffic;
# a hook that fails or hangs gives ERROR with its output as evidence within
# the --timeout bound, and leaves no webroot file behind; production
# directories stay refused with the new options unless --allow-production,
# and Let's Encrypt staging is not refused.
#
#   bash tests/integration/cli_realworld.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"
TL_LIMIT=120

tl_init cli_realworld
URL=https://127.0.0.1:9/dir
out_is() { [ "$(cat "$TL_WORK/last.out")" = "$1" ]; }

# --domain-suffix: a DNS zone, checked by the parser
for z in -bad.example a..example example.com. 10.0.0.1 '*.example.com' 'bad_label.example' ''; do
  tl_expect_exit 2 "--domain-suffix '$z' refused" "$ACMESPEC" server "$URL" --domain-suffix "$z"
  tl_check "the message names --domain-suffix and the zone" tl_out_has "option --domain-suffix: \"$(printf '%s' "$z" | sed 's/[.*]/\\&/g')\" is not a DNS zone"
done
long=$(printf 'a%.0s' $(seq 1 64)).example
tl_expect_exit 2 "--domain-suffix with a 64-character label refused" "$ACMESPEC" server "$URL" --domain-suffix "$long"
tl_check "the message gives the label rule" tl_out_has '1 to 63 allowed'

# --max-orders / --max-accounts: whole numbers from 0
tl_expect_exit 2 "--max-orders -1 refused" "$ACMESPEC" server "$URL" --max-orders -1
tl_check "the message gives the range" \
  out_is 'acmespec server: option --max-orders: expected a number from 0 to 1000000, got "-1"'
tl_expect_exit 2 "--max-accounts abc refused" "$ACMESPEC" server "$URL" --max-accounts abc

# --dns-hook: a program that exists and runs
tl_expect_exit 2 "--dns-hook '' refused" "$ACMESPEC" server "$URL" --dns-hook ''
tl_expect_exit 2 "--dns-hook naming no file" "$ACMESPEC" server "$URL" --dns-hook /nonexistent/hook
tl_check "the message names the hook" tl_out_has 'dns-hook: cannot run /nonexistent/hook'
printf '#!/bin/sh\nexit 0\n' >"$TL_WORK/noexec-hook"
chmod 644 "$TL_WORK/noexec-hook"
tl_expect_exit 2 "--dns-hook not executable" "$ACMESPEC" server "$URL" --dns-hook "$TL_WORK/noexec-hook"
tl_check "the message says it is not executable" tl_out_has 'not an executable file'
tl_expect_exit 2 "--dns-hook not in PATH" "$ACMESPEC" server "$URL" --dns-hook 'no-such-hook-acmespec set'
tl_check "the message says so" tl_out_has 'no-such-hook-acmespec: no such program in \$PATH'
tl_expect_exit 2 "--dns-hook without a directory URL" "$ACMESPEC" server --dns-hook true
tl_check "the message says why" tl_out_has 'needs a DIRECTORY_URL'
tl_expect_exit 2 "--dns-hook with --dns-port" "$ACMESPEC" server "$URL" --dns-hook true --dns-port 5353

# --http01-webroot: a writable directory
tl_expect_exit 2 "--http01-webroot that does not exist" \
  "$ACMESPEC" server "$URL" --http01-webroot "$TL_WORK/no-such-dir"
tl_check "the message names the folder" tl_out_has "cannot use --http01-webroot $TL_WORK/no-such-dir"
tl_expect_exit 2 "--http01-webroot that is a file" \
  "$ACMESPEC" server "$URL" --http01-webroot "$TL_WORK/noexec-hook"
tl_check "the message says it is not a directory" tl_out_has 'not a directory'
tl_expect_exit 2 "--http01-webroot with --http01-port" \
  "$ACMESPEC" server "$URL" --http01-webroot "$TL_WORK" --http01-port 8080
if [ "$(id -u)" -ne 0 ]; then
  mkdir -p "$TL_WORK/ro"; chmod 555 "$TL_WORK/ro"
  tl_expect_exit 2 "--http01-webroot not writable" "$ACMESPEC" server "$URL" --http01-webroot "$TL_WORK/ro"
fi

# --help and the manual page carry the new options (made from the option table)
tl_expect_exit 0 "server --help" "$ACMESPEC" server --help
for o in domain-suffix dns-hook http01-webroot max-orders max-accounts; do
  tl_check "server --help lists --$o" tl_out_has -- "--$o "
done

# a hook that fails, and one that hangs: ERROR (the harness's set-up), with
# the hook's own words, within the bound; no webroot file left
SERVE_PID=
stop_serve() { [ -z "$SERVE_PID" ] || tl_kill "$SERVE_PID"; SERVE_PID=; }
PEBBLE_EXIT_HOOKS+=(stop_serve)
"$ACMESPEC" serve --port 0 --workdir "$TL_WORK/ca" </dev/null >"$TL_WORK/serve.out" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 100); do
  grep -q '^ca-bundle:' "$TL_WORK/serve.out" 2>/dev/null && break
  sleep 0.1
done
DIR=$(awk '/^directory:/ {print $2}' "$TL_WORK/serve.out")
BUNDLE=$(awk '/^ca-bundle:/ {print $2}' "$TL_WORK/serve.out")
tl_check "acmespec serve started ($DIR)" test -n "$DIR" -a -n "$BUNDLE"
printf '#!/bin/sh\necho "provider says: zone example.test is not yours" >&2\nexit 7\n' >"$TL_WORK/fail-hook"
printf '#!/bin/sh\nexec sleep 600\n' >"$TL_WORK/hang-hook"
chmod +x "$TL_WORK/fail-hook" "$TL_WORK/hang-hook"
mkdir -p "$TL_WORK/webroot"
tl_expect_exit 3 "a failing hook: exit 3" "$ACMESPEC" server "$DIR" --ca-bundle "$BUNDLE" \
  --case server.8555.8_4.dns01-valid --dns-hook "$TL_WORK/fail-hook" --no-color \
  --http01-webroot "$TL_WORK/webroot" --domain-suffix example.test
tl_check "the case is ERROR" tl_out_has '^ERROR +server\.8555\.8_4\.dns01-valid'
tl_check "the evidence carries the hook's output and status" \
  tl_out_has 'provider says: zone example.test is not yours|exit status 7'
tl_check "the hook's output is there verbatim" tl_out_has 'provider says: zone example.test is not yours'
start=$SECONDS
tl_expect_exit 3 "a hanging hook: exit 3" "$ACMESPEC" server "$DIR" --ca-bundle "$BUNDLE" \
  --case server.8555.8_4.dns01-valid --dns-hook "$TL_WORK/hang-hook" --timeout 2 --no-color
took=$((SECONDS - start))
tl_check "the hook is bounded by --timeout ($took s)" test "$took" -lt 60
tl_check "the message says it did not finish" tl_out_has 'did not finish within 2 s'
tl_check "no sleep of the hook is left" bash -c "! pgrep -f '[s]leep 600' >/dev/null"
tl_expect_exit 0 "http-01 from a webroot nobody serves: not an ERROR" "$ACMESPEC" server "$DIR" \
  --ca-bundle "$BUNDLE" --case server.8555.6_5.nonce-missing-badnonce --http01-webroot "$TL_WORK/webroot" --no-color
left=$(find "$TL_WORK/webroot" -type f | wc -l)
tl_check "no file left in the webroot ($left)" test "$left" -eq 0
stop_serve

# production directories stay refused with the new options; staging is not
# production. In an empty network namespace, so nothing could leave.
if unshare -n true 2>/dev/null; then
  tl_expect_exit 2 "production refused with the real-world options" \
    unshare -n "$ACMESPEC" server https://acme-v02.api.letsencrypt.org/directory \
    --domain-suffix example.test --dns-hook true --http01-webroot "$TL_WORK/webroot" --max-orders 5 --no-color
  tl_check "the message points at --allow-production" tl_out_has 'allow-production'
  tl_expect_exit 3 "Let's Encrypt staging is not refused (no network here: exit 3)" \
    unshare -n "$ACMESPEC" server https://acme-staging-v02.api.letsencrypt.org/directory \
    --domain-suffix example.test --dns-hook true --http01-webroot "$TL_WORK/webroot" --max-orders 5 \
    --timeout 2 --no-color
  tl_check "not refused as production" bash -c "! grep -q 'refusing production' '$TL_WORK/last.out'"
else
  tl_info "skipped the production-directory checks: no network namespace here"
fi
tl_finish
