#!/bin/bash
# rollback, and the watchdog's revert, bring back a table whose rules use
# named stateful objects (here a counter, with its values, and a quota
# used through a map): the snapshot holds the objects, not only the rules
# naming them.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
A=$SRC/tests/golden/primary.conf
cat > "$tmp/objects.nft" <<'NFT'
table inet finesse {
	counter c1 { packets 5 bytes 500 }
	quota q1 { over 10 mbytes used 1 mbytes }
	map qm { type ipv4_addr : quota; elements = { 192.0.2.1 : "q1" } }
	chain input {
		type filter hook input priority 0;
		counter name c1
		quota name ip saddr map @qm
	}
}
NFT
norm() { nft list table inet finesse 2>/dev/null; }

# rollback at once
in_netns bash -c '
	F=$1 A=$2 t=$3; '"$(declare -f norm)"'
	nft -f "$t/objects.nft" || exit 9
	norm > "$t/before"
	"$F" -c "$A" apply --confirm 30 2> "$t/apply.err"; echo $? > "$t/rc"
	norm > "$t/during"
	"$F" rollback 2> "$t/rollback.err"; echo $? >> "$t/rc"
	norm > "$t/after"
' sh "$FNFT" "$A" "$tmp" || fail "nft cannot build the table with objects"
[ "$(tr '\n' ' ' < "$tmp/rc")" = "0 0 " ] ||
	fail "apply --confirm / rollback: exit codes $(tr '\n' ' ' < "$tmp/rc"): $(cat "$tmp/apply.err" "$tmp/rollback.err")"
grep -q 'finesse-nft primary' "$tmp/during" || fail "apply --confirm did not apply"
grep -q "rolled back: table inet finesse restored" "$tmp/rollback.err" || fail "rollback: $(cat "$tmp/rollback.err")"
cmp -s "$tmp/before" "$tmp/after" || fail "rollback did not restore the table: $(diff "$tmp/before" "$tmp/after" | head -20)"
echo "rollback restores a table with named objects, counter values included"

# the watchdog's revert on time
in_netns bash -c '
	F=$1 A=$2 t=$3; '"$(declare -f norm)"'
	nft -f "$t/objects.nft" || exit 9
	norm > "$t/before"
	"$F" -c "$A" apply --confirm 1 2> "$t/apply.err" || exit 8
	sleep 2.5
	norm > "$t/after"
	"$F" confirm 2> "$t/late-confirm"
' sh "$FNFT" "$A" "$tmp"
cmp -s "$tmp/before" "$tmp/after" || fail "the watchdog did not restore the table: $(diff "$tmp/before" "$tmp/after" | head -20) $(cat "$tmp/late-confirm")"
grep -q "table inet finesse was restored to what it was" "$tmp/late-confirm" ||
	fail "the late confirm does not say the table was restored: $(cat "$tmp/late-confirm")"
echo "the confirm watchdog restores a table with named objects"
echo "confirm-objects ok"
