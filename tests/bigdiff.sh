#!/bin/bash
# A 10,000-row catalog (20,000 rules) against the kernel, every apply under
# `ulimit -v` 256 MiB (the rule diff once needed 1.6 GB):
# - one port changed is a patch: 2 rule deletes and 2 inserts, and every
#   other rule keeps its handle;
# - the rows reversed are beyond the diff's bound: the table is replaced
#   whole, and holds the reversed plan.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
here=$(dirname "$0")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# catalog ROW PORT [reverse]: rows 0..9999 on ports 10000.., row ROW on PORT
catalog() {
	awk -v row="$1" -v port="$2" -v rev="${3:-}" 'BEGIN {
		for (n = 0; n < 10000; n++) {
			i = rev ? 9999 - n : n
			printf "[entry row%d]\nprotocol = tcp\nlisten-port = %d\n", i,
				i == row ? port : 10000 + i
			printf "remote = users\ndirection = inbound\n\n"
		}
	}'
}
catalog -1 0 > "$tmp/cat.ini"
catalog 5000 65000 > "$tmp/changed.ini"
catalog -1 0 reverse > "$tmp/reversed.ini"
printf '[cluster]\nnode = primary\n[group users]\naddress = 192.0.2.0/24\naddress = 2001:db8::/64\n' \
	> "$tmp/site.conf"

# AddressSanitizer reserves terabytes of shadow address space: under it
# the bound is left to the plain build's run of this test
limit=262144
if grep -qa __asan_init "$FNFT"; then
	limit=unlimited
	echo "an AddressSanitizer build: applies without the 256 MiB bound"
fi

in_netns bash -c '
	F=$1 t=$2 limit=$3
	unset SSH_CONNECTION
	apply() {	# apply CATALOG N: apply --json into $t/jN, in 256 MiB
		( ulimit -v "$limit"
		  exec "$F" --no-state --catalog "$1" -c "$t/site.conf" apply --json ) \
			> "$t/j$2" 2> "$t/e$2"
	}
	apply "$t/cat.ini" 1 || exit 1
	nft -a list chain inet finesse input > "$t/before" || exit 1
	apply "$t/changed.ini" 2 || exit 2
	nft -a list chain inet finesse input > "$t/after" || exit 2
	apply "$t/reversed.ini" 3 || exit 3
	nft list table inet finesse > "$t/reversed" || exit 3
' sh "$FNFT" "$tmp" "$limit" || { s=$?; fail "apply $s of 3 failed: $(cat "$tmp/e$s" 2>/dev/null)"; }

python3 - "$tmp" <<'PY' || fail "apply --json: $(cat "$tmp"/j[1-3])"
import json, sys
t = sys.argv[1]
j = [json.load(open("%s/j%d" % (t, n))) for n in (1, 2, 3)]
assert j[0]["incremental"] is False, j[0]
# the table's flags are not touched: 2 batch ends, 2 deletes, 2 inserts
assert j[1]["incremental"] is True and j[1]["messages"] == 6, j[1]
assert j[2]["incremental"] is False and j[2]["in_sync"] is False, j[2]
PY
echo "one port of 10,000 rows: a patch of $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["messages"])' "$tmp/j2") messages in 256 MiB"

# only row5000's two rules differ; every other rule kept its handle
rows=$(grep -c 'comment "row[0-9]*" # handle ' "$tmp/before")
[ "$rows" = 20000 ] || fail "not 20,000 row rules with handles: $rows"
diff "$tmp/before" "$tmp/after" | grep '^[<>]' > "$tmp/changed"
grep -v '"row5000"' "$tmp/changed" && fail "rules other than row5000 changed (above)"
[ "$(grep -c '^<.*dport 15000 .*"row5000"' "$tmp/changed")" = 2 ] &&
	[ "$(grep -c '^>.*dport 65000 .*"row5000"' "$tmp/changed")" = 2 ] ||
	fail "row5000 not moved from 15000 to 65000: $(cat "$tmp/changed")"
echo "the other 19,998 rules kept their handles"

# the reversed rows: replaced whole, and the table is the plan
"$FNFT" --catalog "$tmp/reversed.ini" -c "$tmp/site.conf" export 2>/dev/null |
	python3 "$here/nft-normalize.py" > "$tmp/want"
python3 "$here/nft-normalize.py" < "$tmp/reversed" > "$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || fail "the reversed table is not the plan: $(diff "$tmp/want" "$tmp/got" | head -20)"
echo "the rows reversed: beyond the diff's bound, replaced whole in 256 MiB"
echo "bigdiff ok"
