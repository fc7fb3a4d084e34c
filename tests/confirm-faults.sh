#!/bin/bash
# apply --confirm under the faults it exists for, each case in its own
# network namespace and mount namespace with a private tmpfs on /run (the
# pending record lives in /run/finesse-nft):
# - the CLI killed (SIGKILL, SIGHUP) at each step of apply --confirm: once
#   the deadline has passed, the previous table is live, whatever the step;
# - the watchdog is known by the lock it holds, not a pid: a stale record
#   naming a live unrelated pid is never signalled;
# - confirm says what the kernel holds: after a rollback whose record was
#   not cleared it says the old table is back (exit 2); after a foreign
#   change, exit 4;
# - the deadline counts from apply's return on a monotonic clock: no
#   rollback before SECS, a confirm at 1.5 s of --confirm 2 is taken;
# - a change by someone else between snapshot and commit: exit 4, nothing
#   applied, nothing pending;
# - plain apply and remove are refused while a confirm is pending, --force
#   says the rollback stays armed, and it does;
# - apply --confirm in sync arms nothing;
# - a held lock: one line after a second, and --wait gives up with exit 4.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
command -v strace >/dev/null || fail "strace is not installed (scripts/test installs it)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
A=$SRC/tests/golden/primary.conf
B=$SRC/tests/golden/secondary.conf

common='
F=$1; A=$2; B=$3; t=$4
which() { nft list table inet finesse 2>/dev/null | grep -o "finesse-nft [a-z]*" | head -1; }
# LeakSanitizer cannot run under ptrace: no leak check for a traced CLI
st() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"; }
# the watchdogs of this network namespace only: other steps (and other
# tests) leave theirs counting down in theirs, and are none of our business
watchdogs() {
	me=$(readlink /proc/self/ns/net)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$me" ] || continue
		ls -l "$p/fd" 2>/dev/null | grep -q "/run/finesse-nft/pending.*/info" && echo "${p#/proc/}"
	done
}
'

# 1. killed at each step: find the steps in a clean run, then kill there
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	st -qq -o "$t/trace" -e trace=clone3,sendmsg,recvmsg,recvfrom,write,read "$F" -c "$B" apply --confirm 1 2>/dev/null
	"$F" rollback 2>/dev/null
' "$FNFT" "$A" "$B" "$tmp"
# the steps: the spawn of the watchdog (posix_spawn(), which glibc makes
# a clone3), the batch, its ack, the first and last dump reply (snapshot; read-back after the commit), and the write of
# "C<generation>" that tells the watchdog, by its count among the writes,
# and the read of the watchdog's acknowledgement (a SIGHUP there lands
# after the word was sent, before the answer)
cw=$(grep -E '^write' "$tmp/trace" | grep -n 'write([0-9]*, "C' | cut -d: -f1 | head -1)
ca=$(grep -E '^read' "$tmp/trace" | grep -n 'read([0-9]*, "2", 1)' | cut -d: -f1 | head -1)
rm=$(grep -c '^recvmsg' "$tmp/trace")
steps="clone3:1 sendmsg:1 recvfrom:1 recvmsg:1 recvmsg:$rm write:$cw read:$ca"
[ -n "$cw" ] && [ -n "$ca" ] && [ "$rm" -gt 1 ] && grep -q '^sendmsg' "$tmp/trace" ||
	fail "could not find the steps of apply --confirm: $steps"
for step in $steps; do
	for sig in KILL HUP; do
		sc=${step%%:*}; n=${step##*:}
		in_ns "$common"'
			sc=$5; n=$6; sig=$7
			"$F" -c "$A" apply 2>/dev/null
			st -qq -o /dev/null -e trace=$sc -e inject=$sc:signal=$sig:when=$n \
				"$F" -c "$B" apply --confirm 1 2>/dev/null
			echo "$? $(which)" > "$t/killed"
			# the deadline is 1 s; a loaded machine may take longer
			for i in $(seq 1 100); do
				[ "$(which)" = "finesse-nft primary" ] && break
				sleep 0.1
			done
			echo "$(which)" > "$t/after"
			{ ls -l /run/finesse-nft /run/finesse-nft/pending.*; cat /run/finesse-nft/pending.*/info /run/finesse-nft/rolled-back.*; } > "$t/debris" 2>&1
			"$F" confirm 2>/dev/null; echo $? >> "$t/after"
		' "$FNFT" "$A" "$B" "$tmp" "$sc" "$n" "$sig" 2>/dev/null	# bash's "Killed"
		grep -q "finesse-nft primary" "$tmp/after" ||
			fail "killed by SIG$sig at $sc #$n ($(cat "$tmp/killed")): after the deadline the table is $(head -1 "$tmp/after"), not the previous one; /run/finesse-nft: $(cat "$tmp/debris")"
	done
done
echo "apply --confirm killed (KILL, HUP) at each of $(echo $steps | wc -w) steps: the previous table is back after the deadline"

# the issue's repro: SIGHUP right after the commit, then rollback works
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	st -qq -o /dev/null -e trace=recvfrom -e inject=recvfrom:signal=HUP:when=1 "$F" -c "$B" apply --confirm 30 2>/dev/null
	which > "$t/hup"
	"$F" rollback 2> "$t/hup.err"; echo $? >> "$t/hup"
	which >> "$t/hup"
' "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/hup")" = "finesse-nft secondary 0 finesse-nft primary " ] ||
	fail "SIGHUP after the commit: $(tr '\n' ' ' < "$tmp/hup") $(cat "$tmp/hup.err")"
echo "SIGHUP after the commit: the rollback is armed and works"

# 2. a stale record naming a live, unrelated pid is never signalled
in_ns "$common"'
	"$F" -c "$A" apply --confirm 30 2>/dev/null
	w=$(watchdogs); [ -n "$w" ] || exit 20
	kill -9 $w; sleep 0.2
	sleep 300 & victim=$!
	info=$(ls /run/finesse-nft/pending.*/info)
	echo "$victim $(( $(date +%s) + 30 ))" > "$info"	# the old format, a reused pid
	"$F" confirm 2>/dev/null; echo $? > "$t/stale"
	kill -0 $victim && echo alive >> "$t/stale"
	"$F" rollback 2>/dev/null; echo $? >> "$t/stale"
	kill -0 $victim && echo alive >> "$t/stale"
	"$F" -c "$B" apply --confirm 30 2> "$t/stale.err"; echo $? >> "$t/stale"
	kill $victim
' "$FNFT" "$A" "$B" "$tmp" || fail "stale record setup ($?)"
[ "$(tr '\n' ' ' < "$tmp/stale")" = "2 alive 2 alive 0 " ] ||
	fail "a stale record with a reused pid: $(tr '\n' ' ' < "$tmp/stale") $(cat "$tmp/stale.err")"
# a real record whose watchdog died: pending, but said to be unguarded
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	"$F" -c "$B" apply --confirm 30 2>/dev/null
	kill -9 $(watchdogs); sleep 0.2
	"$F" -c "$A" apply --confirm 30 2> "$t/dead.err"; echo $? > "$t/dead"
	"$F" rollback 2>/dev/null; echo $? >> "$t/dead"; which >> "$t/dead"
' "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/dead")" = "2 0 finesse-nft primary " ] || fail "dead watchdog: $(tr '\n' ' ' < "$tmp/dead")"
grep -q "watchdog is gone" "$tmp/dead.err" || fail "a dead watchdog is not named: $(cat "$tmp/dead.err")"
echo "the watchdog is known by its lock: no pid is ever signalled; a dead one is named"

# 3. confirm says what the kernel holds
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	"$F" -c "$B" apply --confirm 30 2>/dev/null
	# the watchdog restored and died before it cleared its record
	kill -9 $(watchdogs); sleep 0.2
	nft -f <("$F" -c "$A" export)
	"$F" confirm 2> "$t/truth1.err"; echo $? > "$t/truth"
	# a foreign change after the apply
	"$F" -c "$B" apply --confirm 30 2>/dev/null
	nft add rule inet finesse input tcp dport 9 accept
	"$F" confirm 2> "$t/truth2.err"; echo $? >> "$t/truth"
	sleep 0.3; [ -z "$(watchdogs)" ] && echo gone >> "$t/truth"
	# untouched: confirmed
	"$F" -c "$A" apply 2>/dev/null
	"$F" -c "$B" apply --confirm 30 2>/dev/null
	"$F" confirm 2> "$t/truth3.err"; echo $? >> "$t/truth"; which >> "$t/truth"
' "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/truth")" = "2 4 gone 0 finesse-nft secondary " ] ||
	fail "confirm: $(tr '\n' ' ' < "$tmp/truth"): $(cat "$tmp"/truth*.err)"
grep -q "already what it was before the apply" "$tmp/truth1.err" || fail "confirm after a rollback: $(cat "$tmp/truth1.err")"
grep -q "changed since" "$tmp/truth2.err" || fail "confirm after a foreign change: $(cat "$tmp/truth2.err")"
grep -q "confirmed: table inet finesse stays" "$tmp/truth3.err" || fail "confirm: $(cat "$tmp/truth3.err")"
echo "confirm reports what the kernel holds"

# 4. the deadline: no rollback before SECS after apply returns
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	"$F" -c "$B" apply --confirm 1 2>/dev/null
	start=$(date +%s%N)
	while [ "$(which)" = "finesse-nft secondary" ]; do
		[ $(( $(date +%s%N) - start )) -gt 5000000000 ] && break
		sleep 0.02
	done
	echo $(( ($(date +%s%N) - start) / 1000000 )) > "$t/deadline"
	"$F" -c "$B" apply --confirm 2 2>/dev/null
	sleep 1.5
	"$F" confirm 2>/dev/null; echo $? >> "$t/deadline"
	which >> "$t/deadline"
' "$FNFT" "$A" "$B" "$tmp"
ms=$(head -1 "$tmp/deadline")
# the watchdog's clock starts as the CLI exits, which the shell sees a
# moment later: a few ms of slack, far from the 300-700 ms of old
[ "$ms" -ge 980 ] || fail "--confirm 1 rolled back after $ms ms, before its second was up"
[ "$ms" -le 3000 ] || fail "--confirm 1 rolled back after $ms ms"
[ "$(sed -n 2,3p "$tmp/deadline" | tr '\n' ' ')" = "0 finesse-nft secondary " ] ||
	fail "a confirm 1.5 s into --confirm 2: $(sed -n 2,3p "$tmp/deadline" | tr '\n' ' ')"
echo "the deadline: --confirm 1 rolled back after $ms ms; a confirm at 1.5 s of 2 s is taken"

# 5. a change between the snapshot and the commit: exit 4, nothing applied
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	st -qq -o /dev/null -e trace=clone3 -e inject=clone3:delay_enter=1500000:when=1 \
		"$F" -c "$B" apply --confirm 30 2> "$t/gen.err" & cli=$!
	sleep 0.7
	nft add table inet someone-else
	wait $cli; echo $? > "$t/gen"
	which >> "$t/gen"
	"$F" confirm 2>/dev/null; echo $? >> "$t/gen"
	nft list table inet someone-else >/dev/null && echo kept >> "$t/gen"
' "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/gen")" = "4 finesse-nft primary 2 kept " ] ||
	fail "a change between snapshot and commit: $(tr '\n' ' ' < "$tmp/gen") $(cat "$tmp/gen.err")"
echo "a change between snapshot and commit: exit 4, nothing applied, nothing pending"

# 7. plain apply and remove while a confirm is pending
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	"$F" -c "$B" apply --confirm 2 2>/dev/null
	"$F" -c "$A" apply 2> "$t/plain.err"; echo $? > "$t/plain"
	"$F" remove 2>> "$t/plain.err"; echo $? >> "$t/plain"
	which >> "$t/plain"
	nft add rule inet finesse input tcp dport 9 accept
	"$F" -c "$B" apply --force 2> "$t/force.err"; echo $? >> "$t/plain"
	sleep 3
	which >> "$t/plain"
' "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/plain")" = "2 2 finesse-nft secondary 0 finesse-nft primary " ] ||
	fail "apply/remove while pending: $(tr '\n' ' ' < "$tmp/plain") $(cat "$tmp/plain.err" "$tmp/force.err")"
grep -q "run 'finesse-nft confirm' or 'finesse-nft rollback' first" "$tmp/plain.err" || fail "refusal message: $(cat "$tmp/plain.err")"
grep -q "undoing this apply too" "$tmp/force.err" || fail "--force does not say what it does: $(cat "$tmp/force.err")"
echo "apply and remove refused while a confirm is pending; --force says the rollback stays, and it does"

# 15. in sync: no watchdog, nothing to confirm
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	"$F" -c "$A" apply --confirm 30 2> "$t/sync.err"; echo $? > "$t/sync"
	[ -z "$(watchdogs)" ] && echo none >> "$t/sync"
	"$F" confirm 2>/dev/null; echo $? >> "$t/sync"
' "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/sync")" = "0 none 2 " ] || fail "apply --confirm in sync: $(tr '\n' ' ' < "$tmp/sync")"
grep -q "in sync" "$tmp/sync.err" || fail "apply --confirm in sync says: $(cat "$tmp/sync.err")"
echo "apply --confirm in sync arms nothing"

# 11. a held lock: a line after a second; --wait gives up with exit 4
in_ns "$common"'
	"$F" -c "$A" apply 2>/dev/null
	lock=$(ls /run/finesse-nft/lock.*.finesse)
	flock "$lock" sleep 4 & holder=$!	# room for --wait 1 and the 1 s before the waiting line, under load
	sleep 0.3
	"$F" -c "$B" apply --wait 1 2> "$t/wait.err"; echo $? > "$t/wait"
	which >> "$t/wait"
	"$F" -c "$B" apply 2> "$t/block.err"; echo $? >> "$t/wait"
	which >> "$t/wait"
	wait $holder
' "$FNFT" "$A" "$B" "$tmp"
[ "$(tr '\n' ' ' < "$tmp/wait")" = "4 finesse-nft primary 0 finesse-nft secondary " ] ||
	fail "the lock: $(tr '\n' ' ' < "$tmp/wait") $(cat "$tmp/wait.err" "$tmp/block.err")"
grep -q "locked by another finesse-nft" "$tmp/wait.err" || fail "--wait message: $(cat "$tmp/wait.err")"
grep -q "waiting for the lock of table inet finesse" "$tmp/block.err" || fail "no waiting line: $(cat "$tmp/block.err")"
[ "$(grep -c waiting "$tmp/block.err")" = 1 ] || fail "more than one waiting line"
echo "a held lock: one waiting line; --wait 1 gives up with exit 4"
echo "confirm-faults ok"
