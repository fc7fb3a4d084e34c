#!/bin/bash
# examples/daemon.c, the provisioning daemon of issue 17, as its author
# would run it, in a namespace of its own (with a private /run):
#
#   1. under valgrind (memcheck, leaks definite and indirect are errors):
#      a site built from data, applied with a confirm deadline and
#      confirmed, one network added and applied as a patch, the apply
#      report and the per-row counters printed, everything freed;
#   2. with its second batch held back 5 s by strace while nft commits
#      another table: the apply meets -EAGAIN, says so, and retries.
#
#   daemon.sh DAEMON WATCHDOG
DAEMON=$1 WATCHDOG=$2
. "$(dirname "$0")/lib.sh"
require_netns
command -v valgrind > /dev/null || fail "valgrind is not installed"
command -v strace > /dev/null || fail "strace is not installed"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

in_ns '
	D=$1 W=$2 T=$3
	set -o pipefail
	args=(--table fnft_daemon --state-dir "$T/state" --run-dir "$T/run" --watchdog "$W")

	# ---- 1. under valgrind ----
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --log-file="$T/vg.log" \
		"$D" "${args[@]}" > "$T/out" 2> "$T/err"
	rc=$?
	[ $rc = 0 ] || { echo "FAIL: the daemon exited $rc under valgrind: $(cat "$T/err" "$T/vg.log")"; exit 1; }
	[ -s "$T/vg.log" ] && { echo "FAIL: valgrind: $(head -30 "$T/vg.log")"; exit 1; }
	grep -qx "confirmed" "$T/out" || { echo "FAIL: not confirmed: $(cat "$T/out")"; exit 1; }
	grep -q "^applied: replaced whole" "$T/out" || { echo "FAIL: no first apply"; exit 1; }
	grep -qx "applied: changes only, 3 messages, generation [0-9]*" "$T/out" &&
		grep -qx "  elements added browser_v4 10.40.0.0/16" "$T/out" ||
		{ echo "FAIL: the one-network apply was not one element: $(cat "$T/out")"; exit 1; }
	grep -qE "^  ssh +admin +in  IPv4: 0 packets, 0 bytes$" "$T/out" ||
		{ echo "FAIL: no counter of row ssh: $(cat "$T/out")"; exit 1; }
	nft list table inet fnft_daemon > "$T/table" || { echo "FAIL: no table fnft_daemon"; exit 1; }
	grep -q "10.40.0.0/16" "$T/table" || { echo "FAIL: 10.40.0.0/16 is not in the table"; exit 1; }
	[ -z "$(find "$T/run" -name info)" ] || { echo "FAIL: still pending: $(ls -R "$T/run")"; exit 1; }
	echo "under valgrind: built from data, applied with a deadline, confirmed, one network patched, counters read; no errors"

	# ---- 2. a conflict, retried ----
	nft delete table inet fnft_daemon
	rm -rf "$T/state" "$T/run"
	# sendmsg() carries batches only (requests go by sendto()): the
	# second is the one-network apply
	strace -o /dev/null -e trace=sendmsg -e inject=sendmsg:delay_enter=5000000:when=2 \
		"$D" "${args[@]}" > "$T/out2" 2> "$T/err2" &
	pid=$!
	for i in $(seq 100); do grep -qx confirmed "$T/out2" && break; sleep 0.1; done
	grep -qx confirmed "$T/out2" || { echo "FAIL: no confirm within 10 s: $(cat "$T/out2" "$T/err2")"; exit 1; }
	sleep 2			# the batch is held back now
	nft add table inet someone_else
	wait $pid; rc=$?
	[ $rc = 0 ] || { echo "FAIL: the daemon exited $rc after a conflict: $(cat "$T/err2")"; exit 1; }
	grep -qx "daemon: the ruleset changed under us; again" "$T/err2" ||
		{ echo "FAIL: no conflict was met: $(cat "$T/err2")"; exit 1; }
	grep -qx "  elements added browser_v4 10.40.0.0/16" "$T/out2" ||
		{ echo "FAIL: the retried apply did not add the network: $(cat "$T/out2")"; exit 1; }
	nft list table inet fnft_daemon > "$T/table2" && grep -q "10.40.0.0/16" "$T/table2" ||
		{ echo "FAIL: not in the table after the retry"; exit 1; }
	echo "a commit by nft between its read and its batch: -EAGAIN, retried, applied"
' "$DAEMON" "$WATCHDOG" "$tmp" || fail "see above"
