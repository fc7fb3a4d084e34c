#!/bin/bash
# Safety for remote nodes:
# - the SSH lockout guard refuses a plan that would refuse the next login
#   (SSH_CONNECTION faked), names the rows that would admit it, and --force
#   overrides; nothing is sent when it refuses;
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
