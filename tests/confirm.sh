#!/bin/bash
# apply --confirm SECS / confirm / rollback, each case in its own network
# namespace: an unconfirmed apply reverts on time to the previous table or
# to no table; a confirmed one stays; rollback reverts at once; a second
# apply --confirm while one is pending is refused; two namespaces with
# pending confirms do not interfere; a revert says what it overwrote.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
A=$SRC/tests/golden/primary.conf
B=$SRC/tests/golden/secondary.conf
norm() { nft list table inet finesse 2>/dev/null; }

# reverts to the previous table, and to no table
in_netns bash -c '
	F=$1 A=$2 B=$3 t=$4; '"$(declare -f norm)"'
	"$F" -c "$A" apply 2>/dev/null
	norm > "$t/before"
	"$F" -c "$B" apply --confirm 1 2> "$t/apply.err"; echo $? > "$t/rc"
	norm > "$t/during"
	sleep 2.5
	norm > "$t/after"
	"$F" confirm 2> "$t/late-confirm"; echo $? >> "$t/rc"
	"$F" remove
	"$F" -c "$A" apply --confirm 1 2>/dev/null; echo $? >> "$t/rc"
	sleep 2.5
	norm > "$t/after-none"
' sh "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/rc")" = "0 2 0 " ] || fail "revert: exit codes $(tr '\n' ' ' < "$tmp/rc")"
grep -q 'finesse-nft secondary' "$tmp/during" || fail "apply --confirm did not apply"
cmp -s "$tmp/before" "$tmp/after" || fail "not reverted to the previous table: $(diff "$tmp/before" "$tmp/after" | head)"
[ -s "$tmp/after-none" ] && fail "not reverted to no table: $(head -3 "$tmp/after-none")"
grep -q "within 1 s, or the previous table comes back" "$tmp/apply.err" || fail "apply --confirm message: $(cat "$tmp/apply.err")"
grep -q "nothing to confirm: .*not confirmed in time; table inet finesse was restored to what it was" "$tmp/late-confirm" ||
	fail "a late confirm does not say what happened: $(cat "$tmp/late-confirm")"
echo "unconfirmed applies revert on time, to the previous table and to no table"

# confirmed stays; rollback reverts at once; the double confirm is refused
in_netns bash -c '
	F=$1 A=$2 B=$3 t=$4; '"$(declare -f norm)"'
	"$F" -c "$A" apply 2>/dev/null
	norm > "$t/before"
	"$F" -c "$B" apply --confirm 1 2>/dev/null; echo $? > "$t/rc"
	"$F" -c "$A" apply --confirm 5 2> "$t/double.err"; echo $? >> "$t/rc"
	"$F" confirm 2> "$t/confirm.err"; echo $? >> "$t/rc"
	sleep 2
	norm > "$t/kept"
	"$F" -c "$A" apply --confirm 30 2>/dev/null; echo $? >> "$t/rc"
	"$F" rollback 2> "$t/rollback.err"; echo $? >> "$t/rc"
	norm > "$t/rolled"
	"$F" rollback 2>/dev/null; echo $? >> "$t/rc"
	"$F" confirm 2>/dev/null; echo $? >> "$t/rc"
' sh "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/rc")" = "0 2 0 0 0 2 2 " ] || fail "confirm/rollback: exit codes $(tr '\n' ' ' < "$tmp/rc")"
grep -q "already pending for table inet finesse" "$tmp/double.err" || fail "double confirm: $(cat "$tmp/double.err")"
grep -q "finesse-nft secondary" "$tmp/kept" || fail "a confirmed apply did not stay"
grep -q "rolled back: table inet finesse restored" "$tmp/rollback.err" || fail "rollback: $(cat "$tmp/rollback.err")"
grep -q "finesse-nft secondary" "$tmp/rolled" || fail "rollback did not restore the confirmed table"
echo "confirm keeps, rollback reverts at once, a second pending confirm is refused"

# two namespaces at once: one confirms, the other reverts
run_ns() {
	in_netns bash -c '
		F=$1 conf=$2 t=$3 confirm=$4
		"$F" -c "$conf" apply --confirm 2 2>/dev/null || exit 9
		[ "$confirm" = yes ] && { sleep 0.5; "$F" confirm 2>/dev/null || exit 8; }
		sleep 3
		nft list tables > "$t"
	' sh "$FNFT" "$A" "$1" "$2"
}
run_ns "$tmp/ns1" yes & p1=$!
run_ns "$tmp/ns2" no & p2=$!
wait $p1 || fail "namespace 1 failed"
wait $p2 || fail "namespace 2 failed"
grep -q "table inet finesse" "$tmp/ns1" || fail "the confirmed namespace lost its table"
[ -s "$tmp/ns2" ] && fail "the unconfirmed namespace kept its table: $(cat "$tmp/ns2")"
echo "two namespaces with pending confirms do not interfere"

# a revert after someone changed the table says what it overwrote
in_netns bash -c '
	F=$1 A=$2 B=$3 t=$4
	"$F" -c "$A" apply 2>/dev/null
	"$F" -c "$B" apply --confirm 1 2>/dev/null
	nft add rule inet finesse input tcp dport 9999 accept
	sleep 2.5
	"$F" confirm 2> "$t/overwrote"
' sh "$FNFT" "$A" "$B" "$tmp"
grep -qx -- '+		tcp dport 9999 accept' "$tmp/overwrote" || fail "the revert does not say what it overwrote: $(cat "$tmp/overwrote")"
echo "a revert over a changed table says what it overwrote"
echo "confirm ok"
