#!/bin/bash
# Everything in our table is seen and owned.  For each kind of thing an
# inet table can hold (each named object type, a flowtable, maps, sets of
# other types or attributes, regular chains (ten of them too), chains of
# another priority, type or hook, objects used by a foreign rule), added by
# hand next to the applied plan: dry-run exits 1 and shows it as removed,
# dry-run --verify exits 1, dry-run --json names it, apply exits 0 without
# "in sync", and afterwards nft lists none of it and dry-run --verify exits
# 0.  A kind this kernel cannot build (no NF_FLOW_TABLE, no LSM for secmark
# contexts: tests/test-decode.c reads both from a dump) is reported as not
# tested; the 20 others must all run.  Last, a table another process holds
# with the owner flag is refused by name.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
site=$SRC/tests/golden/primary.conf

# name|nft commands|fixed text of the removed line (dry-run and --json)|
# fixed text nft must no longer list
cat > "$tmp/cases" <<'CASES'
counter|nft add counter inet finesse xc|counter xc { packets 0 bytes 0 }|counter xc
quota|nft add quota inet finesse xq '{ over 100 mbytes }'|quota xq { over 104857600 bytes used 0 bytes }|quota xq
limit|nft add limit inet finesse xl '{ rate 10/second burst 5 packets }'|limit xl { rate 10/second burst 5 packets }|limit xl
ct helper|nft add ct helper inet finesse xh '{ type "ftp" protocol tcp; l3proto inet; }'|ct helper xh { type "ftp" protocol tcp; l3proto inet; }|ct helper xh
ct timeout|nft add ct timeout inet finesse xto '{ protocol udp; l3proto ip; policy = { unreplied: 10, replied: 20 }; }'|ct timeout xto { protocol udp; l3proto ip; policy = { unreplied : 10, replied : 20 } }|ct timeout xto
ct expectation|nft add ct expectation inet finesse xe '{ protocol tcp; dport 21; timeout 1m; size 8; l3proto ip; }'|ct expectation xe { protocol tcp; dport 21; timeout 60000ms; size 8; l3proto ip; }|ct expectation xe
synproxy|nft add synproxy inet finesse xs '{ mss 1460; wscale 7; timestamp; }'|synproxy xs { mss 1460 wscale 7 flags mss,wscale,timestamp }|synproxy xs
secmark|nft add secmark inet finesse xm '{ "system_u:object_r:ssh_server_packet_t:s0" }'|secmark xm {|secmark xm
flowtable|nft add flowtable inet finesse xf '{ hook ingress priority 0; devices = { lo }; }'|flowtable xf { hook ingress priority 0; devices = { "lo" }; }|flowtable xf
map|nft add map inet finesse xmap '{ type ipv4_addr : ipv4_addr; elements = { 192.0.2.1 : 192.0.2.2 } }'|set xmap { key type 7 (ipv4_addr) length 4; data type 7 (ipv4_addr) length 4; flags map;|xmap
vmap|nft add map inet finesse xvmap '{ type inet_service : verdict; elements = { 22 : drop } }'|set xvmap { key type 13 (inet_service) length 2; data type 4294967040 (verdict) length 16; flags map;|xvmap
set of ports|nft add set inet finesse xports '{ type inet_service; flags interval; }'|set xports { key type 13 (inet_service) length 2; flags interval;|xports
address set with a timeout|nft add set inet finesse x_v4 '{ type ipv4_addr; flags interval,timeout; timeout 1h; }'|set x_v4 { key type 7 (ipv4_addr) length 4; flags interval,timeout; timeout 3600000ms;|x_v4
address set with a size|nft add set inet finesse y_v4 '{ type ipv4_addr; flags interval; size 64; }'|set y_v4 { key type 7 (ipv4_addr) length 4; flags interval; size 64;|y_v4
address set with a comment|nft add set inet finesse z_v4 '{ type ipv4_addr; flags interval; comment "by hand"; }'|set z_v4 {|z_v4
set with a counter|nft add set inet finesse xcnt '{ type ipv4_addr; counter; }'|[ counter|xcnt
regular chain|nft add chain inet finesse xreg|chain xreg {|xreg
ten regular chains|for i in 1 2 3 4 5 6 7 8 9 10; do nft add chain inet finesse many$i; done|chain many10 {|many
chain of another priority|nft add chain inet finesse xprio '{ type filter hook input priority 10; policy accept; }'|type filter hook input priority filter + 10; policy accept;|xprio
chain of another type|nft add chain inet finesse xnat '{ type nat hook prerouting priority -100; policy accept; }'|# not understood: type "nat" hook prerouting priority -100; policy accept; flags base;|xnat
chain on another hook|nft add chain inet finesse xfwd '{ type filter hook forward priority 0; policy drop; }'|# not understood: type "filter" hook forward priority 0; policy drop; flags base;|xfwd
objects used by a foreign rule|nft add counter inet finesse xrc; nft add quota inet finesse xrq '{ 1000 mbytes }'; nft add rule inet finesse input counter name xrc quota name xrq|counter xrc { packets|xr
CASES

in_netns bash -c '
	F=$1; S=$2; t=$3
	"$F" -c "$S" apply 2>/dev/null || exit 10
	n=0
	while IFS="|" read -r name cmds shown gone; do
		n=$((n + 1)); c=$t/$n
		"$F" -c "$S" dry-run --verify > /dev/null || { echo "$name: not in sync before" > $c.why; continue; }
		if ! eval "$cmds" 2> $c.nft; then
			echo "$name" >> $t/untested; continue
		fi
		"$F" -c "$S" dry-run > $c.dry; r1=$?
		"$F" -c "$S" dry-run --verify > $c.verify; r2=$?
		"$F" -c "$S" dry-run --json > $c.json; r3=$?
		"$F" -c "$S" apply 2> $c.apply; r4=$?
		nft list table inet finesse > $c.after
		"$F" -c "$S" dry-run --verify > $c.verify2; r5=$?
		echo "$r1 $r2 $r3 $r4 $r5" > $c.rc
		echo "$name" >> $t/tested
	done < $t/cases
' sh "$FNFT" "$site" "$tmp" || fail "setup failed ($?)"

n=0 errors=0
bad() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }
while IFS='|' read -r name cmds shown gone; do
	n=$((n + 1)); c=$tmp/$n
	[ -e "$c.why" ] && { bad "$(cat "$c.why")"; continue; }
	[ -e "$c.rc" ] || { echo "not tested: $name (nft: $(head -1 "$c.nft"))"; continue; }
	rc=$(cat "$c.rc")
	[ "$rc" = "1 1 1 0 0" ] ||
		bad "$name: exit codes (dry-run, --verify, --json, apply, --verify after) $rc, expected 1 1 1 0 0: $(cat "$c.apply")"
	grep '^-' "$c.dry" | grep -qF -- "$shown" ||
		bad "$name: dry-run does not show it as removed ('$shown'): $(grep '^[-+]' "$c.dry" | head -8)"
	grep '^-' "$c.verify" | grep -qF -- "$shown" || bad "$name: dry-run --verify does not show it"
	grep -F '"remove"' -A2 "$c.json" | grep -qF -- "$(sed 's/\\/\\\\/g; s/"/\\"/g' <<<"$shown")" ||
		bad "$name: dry-run --json does not name it: $(head -c 600 "$c.json")"
	grep -q 'in sync' "$c.apply" && bad "$name: apply says in sync: $(cat "$c.apply")"
	grep -qF -- "$gone" "$c.after" && bad "$name: apply left it: $(grep -F -- "$gone" "$c.after")"
done < "$tmp/cases"
[ "$errors" = 0 ] || fail "$errors failures"
tested=$(wc -l < "$tmp/tested")
[ "$tested" -ge 20 ] || fail "only $tested kinds could be built here: $(tr '\n' ',' < "$tmp/tested")"
echo "objects: $tested kinds seen, shown and removed by apply"

# a table held by another process's socket (the owner flag) is not ours to
# change: apply refuses, naming the table and the flag, and changes nothing
in_netns bash -c '
	F=$1; S=$2; t=$3; H=$4
	mkfifo $t/hold
	python3 "$H" finesse < $t/hold > $t/held & holder=$!
	exec 3> $t/hold
	for i in $(seq 50); do [ -s $t/held ] && break; sleep 0.1; done
	"$F" -c "$S" dry-run --verify > $t/owner.dry; echo $? > $t/owner.rc
	"$F" -c "$S" apply 2> $t/owner.apply; echo $? >> $t/owner.rc
	nft list table inet finesse > $t/owner.after
	exec 3>&-; wait $holder
	"$F" -c "$S" apply 2> /dev/null; echo $? >> $t/owner.rc
' sh "$FNFT" "$site" "$tmp" "$SRC/tests/owner-hold.py" || fail "owner setup failed ($?)"
grep -q held "$tmp/held" || fail "the owner holder did not take the table"
[ "$(tr '\n' ' ' < "$tmp/owner.rc")" = "1 3 0 " ] ||
	fail "owner-held table: exit codes (--verify, apply, apply after) $(tr '\n' ' ' < "$tmp/owner.rc"): $(cat "$tmp/owner.apply")"
grep -qx -- '-	flags owner' "$tmp/owner.dry" || fail "dry-run does not show the owner flag"
grep -q 'table inet finesse is owned by another process' "$tmp/owner.apply" ||
	fail "the refusal does not name the owned table: $(cat "$tmp/owner.apply")"
grep -q 'finesse-nft primary' "$tmp/owner.after" && fail "apply changed the owner-held table"
echo "objects: an owner-held table is refused by name"
echo "objects ok"
