#!/usr/bin/env bash
# ctest-labels: cli
# --shard I/N (issue 10): two shards of the server catalog, run separately
# against the embedded mock CA, give exactly the cases of one full run,
# neither shard is empty, they do not overlap, a case lands in the same
# shard every time, and `acmespec report merge` of the two is the whole run.
#
#   bash tests/integration/cli_shard.sh BUILD/acmespec SOURCE_DIR
set -euo pipefail
ACMESPEC=$(realpath "${1:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
SRC=$(realpath "${2:?usage: $0 ACMESPEC_BINARY SOURCE_DIR}")
# shellcheck source=ci/testlib.sh
. "$SRC/ci/testlib.sh"
cd "$SRC"
TL_LIMIT=600

tl_init cli_shard
W=$TL_WORK
ids() { jq -r '.results[].id' "$1" | sort; }

tl_expect_exit 0 "full server run" "$ACMESPEC" server -j 4 --no-color --json "$W/full.json"
tl_expect_exit 0 "server --shard 1/2" \
  "$ACMESPEC" server -j 4 --no-color --shard 1/2 --json "$W/s1.json"
tl_expect_exit 0 "server --shard 2/2" \
  "$ACMESPEC" server -j 4 --no-color --shard 2/2 --json "$W/s2.json"
ids "$W/full.json" >"$W/full.ids"
ids "$W/s1.json" >"$W/s1.ids"
ids "$W/s2.json" >"$W/s2.ids"
tl_info "full $(wc -l <"$W/full.ids"), shard 1 $(wc -l <"$W/s1.ids"), shard 2 $(wc -l <"$W/s2.ids")"
tl_check "neither shard is empty" test -s "$W/s1.ids" -a -s "$W/s2.ids"
tl_check "the shards do not overlap" test -z "$(comm -12 "$W/s1.ids" "$W/s2.ids")"
sort "$W/s1.ids" "$W/s2.ids" >"$W/both.ids"
tl_check "the two shards are exactly the full run" cmp -s "$W/both.ids" "$W/full.ids"

# deterministic: the listing of a shard is the same every time, and the same as the run's
"$ACMESPEC" list --side server --shard 1/2 --json | jq -r '.[].id' | sort >"$W/l1.ids"
"$ACMESPEC" list --side server --shard 1/2 --json | jq -r '.[].id' | sort >"$W/l1b.ids"
tl_check "list --shard 1/2 is the same twice" cmp -s "$W/l1.ids" "$W/l1b.ids"
tl_check "list --shard 1/2 names the cases server --shard 1/2 ran" cmp -s "$W/l1.ids" "$W/s1.ids"

tl_expect_exit 0 "report merge of the two shards" \
  "$ACMESPEC" report merge "$W/s1.json" "$W/s2.json" --json "$W/merged.json" --junit "$W/merged.xml"
ids "$W/merged.json" >"$W/merged.ids"
tl_check "the merge is the full run" cmp -s "$W/merged.ids" "$W/full.ids"
tl_check "the merged verdicts are the full run's" test \
  "$(jq -c '[.results[] | [.id, .verdict]] | sort' "$W/merged.json")" = \
  "$(jq -c '[.results[] | [.id, .verdict]] | sort' "$W/full.json")"

tl_expect_exit 2 "--shard 3/2 is refused" "$ACMESPEC" list --shard 3/2
tl_check "the message gives the form" tl_out_has 'expected I/N'
tl_finish
