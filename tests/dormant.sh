#!/bin/bash
# A dormant table is an open firewall: `nft add table inet finesse { flags
# dormant; }` unregisters our hooks, so everything the plan drops gets
# through.  It must never read as in sync: dry-run (also --verify) shows the
# flag and exits 1, and apply (with and without the state file) wakes the
# table in its one transaction, keeping the rules and their counters, and
# packets the plan drops are dropped again.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
site=$SRC/tests/golden/primary.conf

in_netns bash -c '
	F=$1; S=$2; t=$3
	"$F" -c "$S" apply 2>/dev/null || exit 10
	nft add table inet finesse "{ flags dormant; }"
	nft list table inet finesse | grep -q "flags dormant" || exit 12
	"$F" -c "$S" dry-run > "$t/dry"; echo $? > "$t/rc"
	"$F" -c "$S" dry-run --verify > "$t/verify"; echo $? >> "$t/rc"
	"$F" -c "$S" apply 2> "$t/apply.err"; echo $? >> "$t/rc"
	nft list table inet finesse > "$t/after"
	"$F" -c "$S" dry-run --verify > /dev/null; echo $? >> "$t/rc"
	# again without the state file, and with traffic to prove the drop
	nft add table inet finesse "{ flags dormant; }"
	"$F" --no-state -c "$S" apply 2> "$t/apply2.err"; echo $? >> "$t/rc"
	nft list table inet finesse > "$t/after2"
' sh "$FNFT" "$site" "$tmp" || fail "setup failed ($?)"
[ "$(tr '\n' ' ' < "$tmp/rc")" = "1 1 0 0 0 " ] ||
	fail "exit codes (dry-run, --verify, apply, verify after, apply --no-state): $(tr '\n' ' ' < "$tmp/rc")"
grep -qx -- '-	flags dormant' "$tmp/dry" || fail "dry-run does not show the dormant flag: $(head -12 "$tmp/dry")"
grep -qx -- '-	flags dormant' "$tmp/verify" || fail "dry-run --verify does not show the dormant flag"
grep -qP "^\tflags" "$tmp/after" && fail "apply left the table flagged"
grep -qP "^\tflags" "$tmp/after2" && fail "apply --no-state left the table flagged"
grep -q 'changes only' "$tmp/apply.err" || fail "waking the table replaced it whole: $(cat "$tmp/apply.err")"
grep -q 'in sync' "$tmp/apply.err" "$tmp/apply2.err" && fail "a dormant table was called in sync"
echo "a dormant table differs from the plan; apply wakes it in place"

# what the flag means on the wire: a stranger's connection to a port no
# row opens is refused only while the table is awake (veth peer, policy drop)
ns=fnft-dormant-$$
ip netns add "$ns-node" && ip netns add "$ns-peer" || no_netns "ip netns add"
trap 'kill $srv 2>/dev/null; ip netns del "$ns-node" 2>/dev/null; ip netns del "$ns-peer" 2>/dev/null; rm -rf "$tmp"' EXIT
ip link add veth-n netns "$ns-node" type veth peer name veth-p netns "$ns-peer"
ip -n "$ns-node" addr add 192.0.2.1/24 dev veth-n; ip -n "$ns-node" link set veth-n up
ip -n "$ns-peer" addr add 192.0.2.2/24 dev veth-p; ip -n "$ns-peer" link set veth-p up
ip -n "$ns-node" link set lo up
ip netns exec "$ns-node" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9999)); s.listen(16)
while True: s.accept()[0].close()' & srv=$!
reach() {
	ip netns exec "$ns-peer" python3 -c '
import socket, sys
try: socket.create_connection(("192.0.2.1", 9999), timeout=1)
except OSError: sys.exit(1)'
}
for i in 1 2 3 4 5 6 7 8 9 10; do reach && break; sleep 0.2; done
reach || fail "control: no connection without a table"
ip netns exec "$ns-node" "$FNFT" -c "$site" apply 2>/dev/null || fail "apply in $ns-node"
reach && fail "a stranger reached port 9999 through the awake table"
ip netns exec "$ns-node" nft add table inet finesse '{ flags dormant; }'
reach || fail "control: a dormant table still refused the stranger"
ip netns exec "$ns-node" "$FNFT" -c "$site" apply 2>/dev/null || fail "apply of the dormant table"
reach && fail "a stranger reached port 9999 after apply woke the table"
echo "dormant table: open while dormant, closed again after apply"
echo "dormant ok"
