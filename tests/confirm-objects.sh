#!/bin/bash
# rollback, and the watchdog's revert, bring back a table holding every
# kind of thing an inet table can: named objects of each type this kernel
# builds (a counter with its values, a quota used through a map, limit, ct
# helper, ct timeout, ct expectation, synproxy), each used by a rule, a
# verdict map jumping to a regular chain, a set with timeouts, a nat chain
# and a binding chain (nft's "jump { }", whose rules must be restored
# before the jump binds it): the snapshot holds the objects, not only the
# rules naming them, in an order the kernel takes.  (Flowtables and
# secmarks: this test kernel has no NF_FLOW_TABLE and no LSM for secmark
# contexts; the snapshot sends them like the other objects, right after
# the table; tests/test-decode.c reads both from a dump.)
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
	limit l1 { rate 10/second burst 5 packets }
	ct helper h1 { type "ftp" protocol tcp; l3proto inet; }
	ct timeout t1 { protocol tcp; l3proto ip; policy = { established: 100, close: 4 }; }
	ct expectation e1 { protocol tcp; dport 22; timeout 1m; size 12; l3proto ip; }
	synproxy sp1 { mss 1460; wscale 7; timestamp sack-perm; }
	map qm { type ipv4_addr : quota; elements = { 192.0.2.1 : "q1" } }
	map vm { type inet_service : verdict; elements = { 22 : jump reg, 23 : drop } }
	set tm { type ipv4_addr; flags timeout; timeout 1h; elements = { 192.0.2.9 } }
	chain reg {
		counter
	}
	chain pre {
		type nat hook prerouting priority -100; policy accept;
	}
	chain input {
		type filter hook input priority 0;
		counter name c1
		quota name ip saddr map @qm
		limit name l1
		tcp dport vmap @vm
		tcp dport 21 ct helper set "h1"
		ct timeout set "t1"
		ct expectation set "e1"
		tcp dport 80 synproxy name sp1
		jump { counter accept; }
	}
}
NFT
# an element's time left runs on: not part of the comparison
norm() { nft list table inet finesse 2>/dev/null | sed 's/ expires [0-9hms]*//'; }

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
