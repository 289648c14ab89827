#!/usr/bin/env bash
# ctest-labels: browser
# The HTML report in a real browser: renders tests/data/reports/after.json
# (a trimmed Pebble run with a FAIL whose evidence carries <script>) with
# the report_fixture helper, loads it in headless Chromium with and
# without JavaScript, and checks the DOM (summary counts, the FAIL's
# evidence as text, the target's script inert, the filters working only
# with JS) and that a screenshot is a non-empty PNG. Installs nothing:
# without chromium it fails and says how to install it.
#
#   bash tests/integration/report_html_browser.sh BUILD/acmespec SOURCE_DIR
#   (report_fixture: $ACMESPEC_REPORT_FIXTURE, else BUILD/tests/report_fixture)
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
FIXTURE=${ACMESPEC_REPORT_FIXTURE:-$(dirname "$ACMESPEC")/tests/report_fixture}
TL_LIMIT=120

tl_init report_html_browser

if ! command -v chromium >/dev/null; then
  tl_fail "chromium is installed (apt-get install chromium)"
  tl_finish
  exit 1
fi
tl_info "$(chromium --version 2>/dev/null | head -n 1)"
tl_check "report_fixture is built ($FIXTURE)" test -x "$FIXTURE"

html=$TL_WORK/report.html
tl_expect_exit 0 "report_fixture html after.json" \
  "$FIXTURE" html "$SRC/tests/data/reports/after.json" "$html"
tl_check "the report is one file with no external asset" \
  bash -c "! grep -qiE '<link|<img| src=\"| href=\"' '$html'"

# chromium: its own profile in the work folder, no sandbox (containers), bounded
browse() {
  timeout --kill-after=10 "$TL_LIMIT" chromium --headless --no-sandbox --disable-gpu \
    --user-data-dir="$TL_WORK/profile" --no-first-run --window-size=1280,1000 "$@" \
    "file://$html" 2>>"$TL_WORK/chromium.log"
}

dom=$TL_WORK/dom.html
browse --dump-dom >"$dom" || true
tl_check "chromium dumped the DOM ($(wc -c <"$dom") bytes)" test -s "$dom"
has() { grep -qF -- "$1" "$dom"; }
tl_check "summary: 9 cases" has 'id="count-total"><b>9</b>cases'
tl_check "summary: 1 FAIL, 1 XPASS, 1 ERROR, 4 PASS" bash -c "grep -qF 'id=\"count-FAIL\"><b>1</b>FAIL' '$dom' &&
  grep -qF 'id=\"count-XPASS\"><b>1</b>XPASS' '$dom' && grep -qF 'id=\"count-ERROR\"><b>1</b>ERROR' '$dom' &&
  grep -qF 'id=\"count-PASS\"><b>4</b>PASS' '$dom'"
tl_check "the FAIL's evidence is there: its message" has 'expected status 200, got 500'
tl_check "the FAIL's evidence is there: expected vs actual" \
  has '<h4>actual</h4><pre>status 500 | `rm -rf` **bold** [link](javascript:alert(1)) &amp; &lt;img src=x onerror=alert(1)&gt;</pre>'
tl_check "the FAIL's evidence is there: the rerun command" \
  has "acmespec server https://127.0.0.1:26158/dir --case 'server.8555.10_5.unpredictable-urls'"
tl_check "the target's <script> is text" has '&lt;script&gt;document.body.setAttribute("data-pwned","1")&lt;/script&gt;'
tl_check "the target's <script> did not run (no data-pwned)" bash -c "! grep -q 'data-pwned=\"1\"' '$dom'"
tl_check "the report's own script ran (filters shown)" has '<form id="filters">'
tl_check "the report's own script ran (9 of 9 cases shown)" has '9 of 9 cases shown'

# Without JS: headless Chromium runs page scripts whatever the flags, so a
# copy of the report without its <script> element stands for a browser
# with JS off: filters hidden, every row visible.
nojs_html=$TL_WORK/report-nojs.html
sed 's|<script>.*</script>||' "$html" >"$nojs_html"
tl_check "the copy without JS has no script left" bash -c "! grep -q '<script' '$nojs_html'"
nojs=$TL_WORK/dom-nojs.html
html=$nojs_html browse --dump-dom >"$nojs" || true
tl_check "without JS: the filters stay hidden" grep -qF '<form id="filters" hidden="">' "$nojs"
rows=$(grep -o '<tr class="case"[^>]*>' "$nojs" | grep -vc 'hidden' || true)
tl_check "without JS: every case row is visible ($rows of 9)" test "$rows" -eq 9

png=$TL_WORK/report.png
browse --screenshot="$png" >/dev/null || true
size=$(stat -c %s "$png" 2>/dev/null || echo 0)
tl_check "the screenshot is a non-empty PNG ($size bytes)" \
  bash -c "[ '$size' -gt 10000 ] && [ \"\$(head -c 8 '$png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
[ "$TL_FAILED" -eq 0 ] || { echo "  ---- chromium log ----"; tail -n 20 "$TL_WORK/chromium.log" | sed 's/^/  | /'; }
tl_finish
