#!/usr/bin/env bash
# ctest-labels: cli
# The report commands of the command line (issue 10): --markdown and --html
# beside --json and --junit, `acmespec report merge`, `acmespec diff` (exit 1
# on a regression, 0 otherwise, 2 on bad input) and `acmespec expect --from`
# (a draft whose empty reasons --expect refuses until filled in). Runs the
# server catalog's section 6.5 against the embedded mock CA.
#
#   bash tests/integration/cli_reports.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"
TL_LIMIT=300

tl_init cli_reports
W=$TL_WORK

# --markdown and --html, written with --json and --junit in one run
tl_expect_exit 0 "server --section 6.5 with four reports" \
  "$ACMESPEC" server --section 6.5 -j 4 --no-color --json "$W/a.json" --junit "$W/a.xml" \
  --markdown "$W/md/a.md" --html "$W/a.html"
n=$(jq '.results | length' "$W/a.json")
tl_check "the JSON report holds the cases ($n)" test "$n" -gt 1
tl_check "--markdown: a summary with its heading" grep -q '^## acmespec server run' "$W/md/a.md"
tl_check "--html: one HTML document" grep -q '^<!DOCTYPE html>' "$W/a.html"
tl_check "--html: no external asset" bash -c "! grep -qE '(src|href)=\"https?:' '$W/a.html'"
first=$(jq -r '.results[0].id' "$W/a.json")
tl_check "--html names the cases ($first)" grep -q "$first" "$W/a.html"
tl_expect_exit 0 "--markdown - writes to standard output" \
  "$ACMESPEC" server --case "$first" --no-color --markdown -
tl_check "the Markdown summary is on standard output" tl_out_has '^## acmespec server run'

# diff: exit 1 on a regression, 0 otherwise, 2 on bad input
jq '.results[0].verdict = "FAIL" | .results[0].raw_verdict = "FAIL"' "$W/a.json" >"$W/b.json"
tl_expect_exit 1 "diff: a PASS that became a FAIL" "$ACMESPEC" diff "$W/a.json" "$W/b.json"
tl_check "diff names the regression" tl_out_has "PASS -> FAIL +$first"
tl_check "diff says regression on its last line" \
  bash -c "tail -n 1 '$TL_WORK/last.out' | grep -q '^result: regression'"
tl_expect_exit 0 "diff: the FAIL fixed" "$ACMESPEC" diff "$W/b.json" "$W/a.json"
tl_check "diff names the fix" tl_out_has 'fixed \(1\)'
tl_expect_exit 0 "diff: the same run" "$ACMESPEC" diff "$W/a.json" "$W/a.json"
jq 'del(.results[1])' "$W/a.json" >"$W/less.json"
tl_expect_exit 1 "diff: a case that disappeared is a regression" \
  "$ACMESPEC" diff "$W/a.json" "$W/less.json"
tl_expect_exit 2 "diff: a report that does not exist" "$ACMESPEC" diff "$W/a.json" "$W/none.json"
tl_check "the message names the file" tl_out_has 'none\.json'
echo '{"results": [' >"$W/broken.json"
tl_expect_exit 2 "diff: a report that is not JSON" "$ACMESPEC" diff "$W/broken.json" "$W/a.json"
tl_expect_exit 2 "diff with one report" "$ACMESPEC" diff "$W/a.json"

# expect --from: a draft listing the FAIL with an empty reason
tl_expect_exit 0 "expect --from a run with a FAIL" "$ACMESPEC" expect --from "$W/b.json"
cp "$TL_WORK/last.out" "$W/draft-stdout.json"
tl_check "the draft lists the FAIL with an empty reason" \
  jq -e --arg id "$first" '.expectations | length == 1 and .[0].case == $id and .[0].verdict == "FAIL" and .[0].reason == ""' \
  "$W/draft-stdout.json"
tl_expect_exit 0 "expect --from -o FILE" "$ACMESPEC" expect --from "$W/b.json" -o "$W/draft.json"
tl_check "-o wrote the same draft" jq -e '.expectations | length == 1' "$W/draft.json"
tl_expect_exit 2 "the unfilled draft is refused by --expect" \
  "$ACMESPEC" server --case "$first" --no-color --expect "$W/draft.json"
tl_check "the refusal is about the reason" tl_out_has 'reason'
jq '.expectations[0].reason = "known: filled in by the test"' "$W/draft.json" >"$W/filled.json"
tl_expect_exit 1 "the filled-in draft is accepted (the case now passes: XPASS)" \
  "$ACMESPEC" server --case "$first" --no-color --expect "$W/filled.json"
tl_check "it is an XPASS" tl_out_has '1 xpass'
tl_expect_exit 2 "expect without --from" "$ACMESPEC" expect
tl_expect_exit 2 "expect --from a missing report" "$ACMESPEC" expect --from "$W/none.json"

# --quiet, -x/--fail-fast and --rerun-failed (with the filled-in draft: $first is an XPASS)
tl_expect_exit 0 "server --section 6.5 --quiet" "$ACMESPEC" server --section 6.5 -q --no-color
tl_check "--quiet prints no PASS line" bash -c "! grep -qE '^PASS ' '$TL_WORK/last.out'"
tl_check "--quiet still prints the summary" tl_out_has "^$n cases: $n passed \(exit 0\)"
tl_expect_exit 1 "-q: the XPASS is still shown" \
  "$ACMESPEC" server --section 6.5 -q --no-color --expect "$W/filled.json"
tl_check "-q shows the case that did not pass" tl_out_has "^XPASS +$first"
tl_expect_exit 1 "server --section 6.5 -j 1 -x with an XPASS first" \
  "$ACMESPEC" server --section 6.5 -j 1 -x --no-color --expect "$W/filled.json" --json "$W/ff.json"
tl_check "-x: every case after the failure is SKIPPED, saying why" \
  jq -e --argjson k "$((n - 1))" \
  '[.results[] | select(.verdict == "SKIPPED" and (.message // "" | test("--fail-fast stopped the run after")))] | length == $k' \
  "$W/ff.json"
tl_check "-x says so before the summary" tl_out_has '^--fail-fast: stopped after'
tl_expect_exit 1 "--rerun-failed the -x run" \
  "$ACMESPEC" server --rerun-failed "$W/ff.json" --no-color --expect "$W/filled.json"
tl_check "--rerun-failed ran only the failed case" tl_out_has '^1 case: 1 xpass \(exit 1\)'
tl_expect_exit 0 "--rerun-failed a run without failures" \
  "$ACMESPEC" server --rerun-failed "$W/a.json" --no-color
tl_check "it says there is nothing to rerun" tl_out_has 'nothing to rerun'
tl_expect_exit 2 "--rerun-failed with --case" \
  "$ACMESPEC" server --rerun-failed "$W/ff.json" --case "$first"
tl_expect_exit 2 "--rerun-failed a missing report" "$ACMESPEC" server --rerun-failed "$W/none.json"

# acmespec demo: a real FAIL with its evidence, from a misbehaving embedded mock CA
tl_expect_exit 1 "demo --section 6.5 (accept-reused-nonce by default)" \
  "$ACMESPEC" demo --section 6.5 -j 4 --no-color
tl_check "demo: the reused nonce FAILs" tl_out_has '^FAIL +server\.8555\.6_5\.nonce-reused-badnonce'
tl_check "demo: the evidence: the RFC's words" tl_out_has 'requirement \(RFC 8555 .6\.5, MUST\)'
tl_check "demo: the evidence: expected against actual" \
  bash -c "grep -q '^  expected: status 400' '$TL_WORK/last.out' && grep -q '^  actual: status 20' '$TL_WORK/last.out'"
tl_check "demo: the evidence: the transcript" tl_out_has '^  transcript:'
rerun=$(grep -E '^  rerun: ' "$TL_WORK/last.out" | head -n 1 | sed 's/^  rerun: //')
tl_check "demo: the rerun line keeps the misbehaviour ($rerun)" \
  bash -c "echo '$rerun' | grep -q ' demo --misbehave accept-reused-nonce .*--case server\.8555\.6_5\.nonce-reused-badnonce'"
tl_expect_exit 1 "demo: the rerun line reproduces the FAIL" bash -c "$rerun --no-color"
tl_check "the rerun FAILs the same case" tl_out_has '^1 case: 1 failed \(exit 1\)'
# --brief: the same evidence without the transcript, which the reports keep
tl_expect_exit 1 "demo --brief" "$ACMESPEC" demo --section 6.5 -j 4 --brief --no-color \
  --json "$W/brief.json"
tl_check "--brief: expected against actual and the rerun line are there" \
  bash -c "grep -q '^  expected: status 400' '$TL_WORK/last.out' && grep -q '^  rerun: ' '$TL_WORK/last.out'"
tl_check "--brief: no transcript on the console" bash -c "! grep -q '^  transcript:' '$TL_WORK/last.out'"
tl_check "--brief: the console says where the transcript is" tl_out_has 'left out by --brief'
tl_check "--brief: the JSON report keeps the transcript" \
  jq -e '[.results[] | select(.verdict == "FAIL") | .transcript | length > 0] | all' "$W/brief.json"
tl_expect_exit 0 "demo with a misbehaviour no 6.5 case sees" \
  "$ACMESPEC" demo --section 6.5 --misbehave no-cors --no-color

# report merge: two halves of a run give back the whole run
jq '.results |= .[0:3]' "$W/a.json" >"$W/p1.json"
jq '.results |= .[3:]' "$W/a.json" >"$W/p2.json"
tl_expect_exit 0 "report merge of two halves" "$ACMESPEC" report merge "$W/p1.json" "$W/p2.json" \
  --json "$W/m.json" --junit "$W/m.xml" --markdown "$W/m.md" --html "$W/m.html"
tl_check "the merged report has every case of the run" \
  test "$(jq -r '[.results[].id] | sort | join(" ")' "$W/m.json")" = \
  "$(jq -r '[.results[].id] | sort | join(" ")' "$W/a.json")"
tl_check "the merge wrote JUnit, Markdown and HTML too" \
  test -s "$W/m.xml" -a -s "$W/m.md" -a -s "$W/m.html"
tl_expect_exit 2 "report merge refuses a case in two parts" \
  "$ACMESPEC" report merge "$W/a.json" "$W/p1.json" --json "$W/x.json"
tl_check "the message names the case" tl_out_has 'in both'
tl_expect_exit 2 "report merge of a missing report" "$ACMESPEC" report merge "$W/none.json"
tl_expect_exit 2 "report with an unknown subcommand" "$ACMESPEC" report split "$W/a.json"
tl_finish
