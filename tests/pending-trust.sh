#!/bin/bash
# The pending record of apply --confirm (/run/finesse-nft/pending.ID/) is
# trusted as the state file is: its files and directories must be ours
# alone, never symlinks or FIFOs.  A forged record — the snapshot of an
# older table, planted where a rollback would find it — is never restored
# by `rollback` nor acted on by `confirm`; a FIFO does not hang; a symlink
# planted at the snapshot's temporary name is not followed.
#
# The control case proves the forgery would work if it were trusted: the
# same files, ours alone, are rolled back to.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
A=$SRC/tests/golden/primary.conf
B=$SRC/tests/golden/secondary.conf

# In a fresh namespace: A applied, then B with --confirm and confirmed, the
# pending record of B's apply (A's snapshot) kept in $t/saved, and $P the
# path a pending record of this table has.  Then $1 plants a record and
# the result of rollback, confirm and a plain apply is written to $t.
case_() {
	in_ns '
	F=$1; A=$2; B=$3; t=$4; how=$5
	which() { nft list table inet finesse 2>/dev/null | grep -o "finesse-nft [a-z]*" | head -1; }
	"$F" -c "$A" apply 2>/dev/null || exit 10
	"$F" -c "$B" apply --confirm 60 2>/dev/null || exit 11
	P=$(ls -d /run/finesse-nft/pending.* | grep -v "\.lock$")
	rm -rf "$t/saved"; cp -a "$P" "$t/saved" || exit 12
	"$F" confirm 2>/dev/null || exit 13
	[ ! -e "$P" ] || exit 14
	[ "$(which)" = "finesse-nft secondary" ] || exit 15
	eval "$how" || exit 16
	timeout 20 "$F" rollback > /dev/null 2> "$t/rollback.err"; echo $? > "$t/rc"
	echo "$(which)" > "$t/after-rollback"
	timeout 20 "$F" confirm 2> "$t/confirm.err"; echo $? >> "$t/rc"
	timeout 20 "$F" -c "$B" apply 2> "$t/apply.err"; echo $? >> "$t/rc"
	echo "$(which)" > "$t/after"
	' "$FNFT" "$A" "$B" "$tmp" "$1" || fail "$2: setup failed ($?)"
}

# control: the saved record, ours alone, is what a rollback goes back to
case_ 'mkdir "$P" && cp -a "$t/saved/." "$P/"' "control"
[ "$(cat "$tmp/after-rollback")" = "finesse-nft primary" ] ||
	fail "control: a record of ours was not rolled back to ($(cat "$tmp/rollback.err"))"
echo "control: a pending record of ours alone is rolled back to"

forged() {
	case_ "$1" "$2"
	rcs=$(tr '\n' ' ' < "$tmp/rc")
	[ "$(cat "$tmp/after-rollback")" = "finesse-nft secondary" ] ||
		fail "$2: rollback restored a forged record (exit codes $rcs)"
	[ "$(cat "$tmp/after")" = "finesse-nft secondary" ] || fail "$2: the table changed"
	read -r r_rollback r_confirm r_apply <<< "$rcs"
	[ "$r_rollback" != 0 ] || fail "$2: rollback of a forged record exit 0"
	# a trusted record with an untrusted snapshot may be confirmed: that
	# only clears the record and leaves the table
	[ "$r_confirm" != 0 ] || [ "${3:-}" = snapshot-only ] || fail "$2: confirm of a forged record exit 0: $(cat "$tmp/confirm.err")"
	[ "$r_apply" = 0 ] || fail "$2: apply refused over a forged record: $(cat "$tmp/apply.err")"
	grep -q "confirm is pending" "$tmp/apply.err" && fail "$2: apply believed the forged record: $(cat "$tmp/apply.err")"
}

forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && chown -R 65534 "$P"' "a record of another user"
forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && chown 65534 "$P"/*' "files of another user"
forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && chmod 0777 "$P"' "a directory others can write"
forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && chmod 0666 "$P/snapshot"' "a snapshot others can write" snapshot-only
forged 'mkdir -m 0700 "$t/elsewhere" && cp -a "$t/saved/." "$t/elsewhere/" && ln -s "$t/elsewhere" "$P"' "the record dir a symlink"
forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && rm "$P/snapshot" && ln -s "$t/saved/snapshot" "$P/snapshot"' "the snapshot a symlink" snapshot-only
forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && rm "$P/snapshot" && mkfifo "$P/snapshot"' "the snapshot a FIFO" snapshot-only
forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && rm "$P/info" && mkfifo "$P/info"' "the record a FIFO"
forged 'mkdir "$P" && cp -a "$t/saved/." "$P/" && chown 65534 /run/finesse-nft' "the run directory of another user"
grep -q "writable by it alone" "$tmp/rollback.err" "$tmp/confirm.err" ||
	grep -q "not permitted" "$tmp/rollback.err" ||
	fail "the run directory of another user: no reason given: $(cat "$tmp/rollback.err")"
echo "forged pending records (another user's, writable by others, symlinks, FIFOs): never rolled back to, no hang"

# a symlink at the snapshot's temporary name: replaced, its target untouched
in_ns '
	F=$1; A=$2; B=$3; t=$4
	"$F" -c "$A" apply 2>/dev/null || exit 10
	"$F" -c "$B" apply --confirm 60 2>/dev/null || exit 11
	P=$(ls -d /run/finesse-nft/pending.* | grep -v "\.lock$")
	"$F" rollback 2>/dev/null || exit 12
	echo victim > "$t/victim"
	mkdir -m 0700 "$P" && ln -s "$t/victim" "$P/snapshot.tmp" || exit 13
	"$F" -c "$B" apply --confirm 60 2>/dev/null || exit 14
	"$F" rollback 2>/dev/null || exit 15
	nft list table inet finesse | grep -q "finesse-nft primary" || exit 16
' "$FNFT" "$A" "$B" "$tmp" || fail "symlink at the temporary name: step $?"
[ "$(cat "$tmp/victim")" = victim ] || fail "apply --confirm wrote through a planted symlink"
echo "a symlink planted at the snapshot's temporary name: not followed"
