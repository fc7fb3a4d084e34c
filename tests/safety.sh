#!/bin/bash
# Safety for remote nodes:
# - the SSH lockout guard refuses a plan that would refuse the next login
#   (SSH_CONNECTION faked), names the rows that would admit it, and --force
#   overrides; nothing is sent when it refuses;
# - without SSH_CONNECTION (env -i), it finds the sessions in the kernel:
#   established connections to 22 and to the ports an sshd listens on, in
#   a node namespace with real clients over a veth;
# - the role check refuses a plan for the other node's role;
# - explain's answers and exit codes, on the plan and on the live table;
# - the drop log: limit before log, prefix "finesse-nft drop: ", only on
#   drop chains, absent with log = off.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
site=$SRC/examples/site.conf

# explain on the plan
run -c "$site" explain --from 10.20.3.4 --port 8445; expect_rc 0 "explain browser 8445"
[ "$OUT" = "accept by row tomcat.https (chain input, rule 24)" ] || fail "explain: $OUT"
run -c "$site" explain --from 192.0.2.1 --port 8445; expect_rc 1 "explain stranger"
[ "$OUT" = "drop by the policy of chain input" ] || fail "explain stranger: $OUT"
run -c "$site" explain --to 10.0.2.31 --port 42027; expect_rc 0 "explain outbound cti-a"
[ "$OUT" = "accept by row ucce.cti-a (chain output, rule 13)" ] || fail "explain outbound: $OUT"
run -c "$site" explain --from 2001:db8:20::5 --port 443; expect_rc 0 "explain IPv6"
run -c "$site" explain --from 10.0.0.12 --port 5222 --node primary; expect_rc 0 "explain peer"
[ "$OUT" = "accept by row cluster.xmpp (chain input, rule 42)" ] || fail "explain peer: $OUT"
run -c "$site" explain --from 10.0.0.12 --port 5222 --node secondary; expect_rc 1 "explain peer as itself"
run -c "$site" explain --from 10.20.3.4 --port 443 --proto udp; expect_rc 1 "explain udp"
run -c "$site" explain --from nowhere --port 443; expect_rc 2 "explain bad address"
run -c "$site" explain --from 10.0.0.1 --port 0; expect_rc 2 "explain port 0"
run -c "$site" explain --port 22; expect_rc 2 "explain without an address"
echo "explain answers on the plan"

# the SSH lockout guard, and explain --live, in a namespace
in_netns bash -c '
	F=$1; site=$2; t=$3
	# from a stranger: refused, nothing sent
	SSH_CONNECTION="192.0.2.7 50000 10.0.0.11 22" "$F" -c "$site" apply 2> "$t/guard.err"
	echo $? > "$t/rc"
	nft list tables > "$t/tables"
	# from the admin group: allowed
	SSH_CONNECTION="10.0.9.5 50000 10.0.0.11 22" "$F" -c "$site" apply 2>/dev/null; echo $? >> "$t/rc"
	"$F" -c "$site" explain --live --from 10.0.9.5 --port 22 > "$t/live"; echo $? >> "$t/rc"
	# a second SSH port nobody admits: refused, then forced
	SSH_CONNECTION="10.0.9.5 50000 10.0.0.11 2222" "$F" -c "$site" apply 2> "$t/guard2.err"; echo $? >> "$t/rc"
	SSH_CONNECTION="192.0.2.7 50000 10.0.0.11 22" "$F" -c "$site" apply --force 2>/dev/null; echo $? >> "$t/rc"
' sh "$FNFT" "$site" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/rc")" = "2 0 0 2 0 " ] || fail "guard exit codes: $(tr '\n' ' ' < "$tmp/rc")"
[ -s "$tmp/tables" ] && fail "a refused apply wrote: $(cat "$tmp/tables")"
grep -q "refusing to apply: the plan would refuse a new SSH connection from 192.0.2.7 to port 22" "$tmp/guard.err" ||
	fail "guard message: $(cat "$tmp/guard.err")"
grep -q "rows admitting tcp/22: ssh (admin); add 192.0.2.7 to one of their groups, or pass --force" "$tmp/guard.err" ||
	fail "guard does not name the row: $(cat "$tmp/guard.err")"
[ "$(cat "$tmp/live")" = "accept by row ssh (chain input, rule 44)" ] || fail "explain --live: $(cat "$tmp/live")"
grep -q "no row admits tcp/2222: add an \[entry\] with listen-port = 2222 whose group holds 10.0.9.5, or pass --force" \
	"$tmp/guard2.err" || fail "guard on an unlisted port: $(cat "$tmp/guard2.err")"
echo "the SSH lockout guard refuses, names the row, and --force overrides"

# The guard without SSH_CONNECTION (sudo, systemd, Ansible's become): the
# sessions come from the kernel.  A node namespace (the primary's 10.0.0.11)
# and a client namespace joined by a veth; in the node, a plain listener on
# 22, a fake sshd (comm "sshd") on 2222 (dual-stack: IPv4 clients show as
# ::ffff:...), a listener on 8080 that is no sshd, and a loopback session.
P=fnftg$$
NODE=$P-node CLIENT=$P-cli
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NODE" 2>/dev/null; ip netns del "$CLIENT" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
hold() {	# hold NS NAME ARGS...: tests/tcp-hold.py in NS, until ready
	local ns=$1 name=$2 i; shift 2
	ip netns exec "$ns" python3 "$SRC/tests/tcp-hold.py" "$tmp/$name.ready" "$@" 2> "$tmp/$name.err" &
	PIDS+=($!)
	for i in $(seq 100); do [ -e "$tmp/$name.ready" ] && return; sleep 0.05; done
	fail "$name did not get ready: $(cat "$tmp/$name.err")"
}
for ns in "$NODE" "$CLIENT"; do
	ip netns add "$ns" 2> "$tmp/err" || no_netns "ip netns add $ns: $(cat "$tmp/err")"
	nsx "$ns" ip link set lo up
done
ip link add name "${P}n" netns "$NODE" type veth peer name "${P}c" netns "$CLIENT" ||
	fail "veth pair"
nsx "$NODE" ip addr add 10.0.0.11/8 dev "${P}n"
nsx "$NODE" ip addr add 192.0.2.1/24 dev "${P}n"
nsx "$NODE" ip addr add 2001:db8:0:1::11/64 dev "${P}n" nodad
nsx "$CLIENT" ip addr add 10.0.9.5/8 dev "${P}c"
nsx "$CLIENT" ip addr add 192.0.2.7/24 dev "${P}c"
nsx "$CLIENT" ip addr add 2001:db8:0:1::99/64 dev "${P}c" nodad
nsx "$NODE" ip link set "${P}n" up; nsx "$CLIENT" ip link set "${P}c" up
hold "$NODE" listen22 listen 0.0.0.0 22 listen 2001:db8:0:1::11 22 listen 0.0.0.0 8080
hold "$NODE" sshd --comm sshd listen :: 2222
[ "$(cat /proc/"${PIDS[1]}"/comm)" = sshd ] || fail "the fake sshd is named $(cat /proc/"${PIDS[1]}"/comm)"
hold "$CLIENT" clients connect 192.0.2.7 192.0.2.1 22 connect 192.0.2.7 192.0.2.1 8080 \
	connect 2001:db8:0:1::99 2001:db8:0:1::11 22 connect 10.0.9.5 10.0.0.11 2222 \
	connect 10.0.9.5 10.0.0.11 22
hold "$NODE" loopback connect 127.0.0.1 127.0.0.1 22
F=$(realpath "$FNFT")
sed -e '/^\[group admin\]/a address = 192.0.2.7\naddress = 2001:db8:0:1::99' \
	-e 's/^listen-port = 22$/listen-port = 22, 2222/' "$site" > "$tmp/admits.conf"
genv() { nsx "$NODE" env -i FNFT_STATE_DIR="$FNFT_STATE_DIR" "$@"; }

genv "$F" -c "$site" apply 2> "$tmp/k.err"; rc=$?
[ $rc = 2 ] || fail "env -i apply with SSH sessions the plan refuses: exit $rc ($(cat "$tmp/k.err"))"
[ -z "$(nsx "$NODE" nft list tables)" ] || fail "a refused apply wrote: $(nsx "$NODE" nft list tables)"
for want in \
	"refusing to apply: the plan would refuse a new SSH connection from 192.0.2.7 to port 22 (a session from it is open now): drop by the policy of chain input" \
	"refusing to apply: the plan would refuse a new SSH connection from 2001:db8:0:1::99 to port 22 (a session from it is open now)" \
	"rows admitting tcp/22: ssh (admin); add 192.0.2.7, 2001:db8:0:1::99 to one of their groups, or pass --force" \
	"refusing to apply: the plan would refuse a new SSH connection from 10.0.9.5 to port 2222" \
	"no row admits tcp/2222: add an [entry] with listen-port = 2222 whose group holds 10.0.9.5, or pass --force"; do
	grep -qF "$want" "$tmp/k.err" || fail "kernel sessions: no '$want' in: $(cat "$tmp/k.err")"
done
grep -qE "port 8080|127\.0\.0\.1|10\.0\.9\.5 to port 22 " "$tmp/k.err" &&
	fail "the guard asked about a session it should not: $(cat "$tmp/k.err")"
[ "$(grep -c refusing "$tmp/k.err")" = 3 ] || fail "not three refusals: $(cat "$tmp/k.err")"
# SSH_CONNECTION is one more source, deduplicated with the kernel's
genv SSH_CONNECTION="192.0.2.7 50000 192.0.2.1 22" "$F" -c "$site" apply 2> "$tmp/k2.err"; rc=$?
[ $rc = 2 ] || fail "apply with SSH_CONNECTION and kernel sessions: exit $rc"
[ "$(grep -c 'from 192.0.2.7 to port 22 ' "$tmp/k2.err")" = 1 ] ||
	fail "192.0.2.7 not named once: $(cat "$tmp/k2.err")"
grep -qF "from 192.0.2.7 to port 22 (your next login)" "$tmp/k2.err" ||
	fail "SSH_CONNECTION's client is not 'your next login': $(cat "$tmp/k2.err")"
genv "$F" -c "$site" apply --force 2>/dev/null || fail "apply --force with refused sessions"
nsx "$NODE" nft list table inet finesse >/dev/null || fail "apply --force wrote no table"
nsx "$NODE" "$F" remove || fail "remove"
# a plan that admits every remote client; 8080 and the loopback session are no matter
genv "$F" -c "$tmp/admits.conf" apply 2> "$tmp/k3.err" ||
	fail "a plan admitting the SSH clients was refused: $(cat "$tmp/k3.err")"
echo "the SSH lockout guard reads the sessions from the kernel: without SSH_CONNECTION, dual-stack, sshd's own ports"

# The role check: a namespace holding the secondary's address, planned as
# the primary (node = primary), is refused unless --force or --node secondary.
in_netns bash -c '
	F=$1; site=$2; t=$3
	ip addr add 10.0.0.12/32 dev lo
	"$F" -c "$site" apply 2> "$t/role.err"; echo $? > "$t/rc"
	"$F" -c "$site" apply --node primary 2> "$t/role2.err"; echo $? >> "$t/rc"
	nft list tables > "$t/tables"
	"$F" -c "$site" apply --node secondary 2>/dev/null; echo $? >> "$t/rc"
	nft list table inet finesse | grep -c "finesse-nft secondary" >> "$t/rc"
	"$F" -c "$site" apply --force 2>/dev/null; echo $? >> "$t/rc"
	ip addr add 10.0.0.11/32 dev lo	# both: a lab, not a mistake
	"$F" -c "$site" apply 2>/dev/null; echo $? >> "$t/rc"
' sh "$F" "$site" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/rc")" = "2 2 0 1 0 0 " ] || fail "role check exit codes: $(tr '\n' ' ' < "$tmp/rc")"
[ -s "$tmp/tables" ] && fail "a refused apply (role) wrote: $(cat "$tmp/tables")"
grep -qF "refusing to apply: planned as the primary (node = primary), but this host holds 10.0.0.12, the secondary's [cluster] address, and none of the primary's (10.0.0.11, 2001:db8:0:1::11)" \
	"$tmp/role.err" || fail "role message: $(cat "$tmp/role.err")"
grep -qF "pass --node secondary or fix node = in [cluster], or pass --force" "$tmp/role.err" ||
	fail "role advice: $(cat "$tmp/role.err")"
grep -qF "planned as the primary (--node primary)" "$tmp/role2.err" ||
	fail "role message with --node: $(cat "$tmp/role2.err")"
echo "the role check refuses the other node's table, --node and --force as documented"

# the drop log
for log in on off; do
	sed "s/^log *=.*/log = $log/; s/^output *=.*/output = drop/" "$site" > "$tmp/log-$log.conf"
	in_netns sh -c '"$1" -c "$2" apply 2>/dev/null && nft list table inet finesse' sh \
		"$FNFT" "$tmp/log-$log.conf" > "$tmp/list-$log" || fail "apply log=$log"
done
[ "$(grep -c 'limit rate 5/minute log prefix "finesse-nft drop: "$' "$tmp/list-on")" = 2 ] ||
	fail "log = on: not one limit-then-log rule per drop chain: $(grep -n log "$tmp/list-on")"
for chain in input output; do
	last=$(sed -n "/chain $chain {/,/^	}/p" "$tmp/list-on" | grep -v '^	}' | tail -1)
	[ "$last" = '		limit rate 5/minute log prefix "finesse-nft drop: "' ] ||
		fail "log = on: the log rule is not last in $chain: $last"
done
grep -q 'log prefix' "$tmp/list-off" && fail "log = off still logs"
sed 's/^log *=.*/log = on/; s/^input *=.*/input = accept/' "$site" > "$tmp/log-accept.conf"
"$FNFT" -c "$tmp/log-accept.conf" export | grep -c 'log prefix' | grep -qx 0 ||
	fail "log on an accept-policy chain"
echo "drop log: limit then log, last in each drop chain, absent when off"
echo "safety ok"
