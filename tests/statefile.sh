#!/bin/bash
# The state file is an optimisation only, and provably so: one that anyone
# but root could have written, or that is not a plain file of sane size, is
# never believed, never written through, never waited on.
# - a forged "in sync" file in a directory (or as a file) of another user,
#   or writable by others: dry-run shows the kernel's real difference, with
#   one warning line, and apply repairs the table;
# - a symlink planted at the temporary file's name: its target untouched;
# - a FIFO as the state file: dry-run, explain --live and apply finish;
# - a symlink to /dev/zero, a 100 MiB and a 1 GiB sparse file: dry-run
#   succeeds in bounded memory (ulimit -v 200 MiB, peak RSS under 64 MiB);
# - a lock file of another user under /run/finesse-nft: not written to.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
site=$SRC/examples/site.conf
hand='192.0.2.99'	# an element added by hand, in no plan

# Each case: a fresh namespace, the site applied with state dir $S, then
# "$@" run there with F, S, SITE, T and HAND set.
in_case() {
	local s=$tmp/state.$1; shift
	rm -rf "$s"
	in_netns env F="$FNFT" S="$s" SITE="$site" T="$tmp" HAND="$hand" bash -c '
		set -u
		"$F" -c "$SITE" --state-dir "$S" apply 2>/dev/null || { echo "first apply failed"; exit 1; }
		STATE=$(ls "$S"/*.state) || exit 1
		add_by_hand() { nft add element inet finesse admin_v4 "{ $HAND }"; }
		has_hand() { nft list set inet finesse admin_v4 | grep -q "$HAND"; }
		# the generation our own commit would have had, in the header
		forge() {
			local g; g=$(head -1 "$STATE" | grep -o "\"genid\":[0-9]*" | cut -d: -f2)
			sed -i "1s/\"genid\":$g,/\"genid\":$((g + 1)),/" "$STATE"
		}
		'"$1"
}

# forged: the kernel differs by one element, the file claims our commit
for how in "chown -R 65534 \$S" "chown 65534 \$STATE" "chmod 0620 \$STATE" "chmod 0757 \$S"; do
	in_case forged "
		add_by_hand; forge; $how
		\"\$F\" -c \"\$SITE\" --state-dir \"\$S\" dry-run > \$T/out 2> \$T/err; echo \$? > \$T/rc
		\"\$F\" -c \"\$SITE\" --state-dir \"\$S\" apply 2>/dev/null || exit 1
		has_hand && echo 'apply left the element added by hand'
		true" > "$tmp/msg" || fail "$how: setup failed: $(cat "$tmp/msg")"
	[ -s "$tmp/msg" ] && fail "$how: $(cat "$tmp/msg")"
	[ "$(cat "$tmp/rc")" = 1 ] || fail "$how: dry-run over a forged state file exit $(cat "$tmp/rc"), expected 1"
	grep -q "$hand" "$tmp/out" || fail "$how: dry-run does not show the element added by hand"
	[ "$(grep -c 'warning: state file' "$tmp/err")" = 1 ] ||
		fail "$how: expected one warning line: $(cat "$tmp/err")"
done
echo "a forged state file not ours alone: dry-run shows the kernel, one warning, apply repairs"

# the same forgery in our own directory is believed: the check is ownership
in_case own "add_by_hand; forge
	\"\$F\" -c \"\$SITE\" --state-dir \"\$S\" dry-run >/dev/null 2> \$T/err; echo \$? > \$T/rc" ||
	fail "own forgery: setup failed"
[ "$(cat "$tmp/rc")" = 0 ] || fail "a state file of ours is not used (exit $(cat "$tmp/rc"))"
[ -s "$tmp/err" ] && fail "a state file of ours warns: $(cat "$tmp/err")"

# a symlink at the temporary file's name
echo precious > "$tmp/target"
in_case symlink "ln -s \$T/target \"\$STATE.tmp\"; add_by_hand
	\"\$F\" -c \"\$SITE\" --state-dir \"\$S\" apply 2>/dev/null || exit 1
	[ -f \"\$STATE\" ] && [ ! -L \"\$STATE\" ] || echo 'no state file after the apply'" > "$tmp/msg" ||
	fail "symlink: apply failed: $(cat "$tmp/msg")"
[ -s "$tmp/msg" ] && fail "symlink: $(cat "$tmp/msg")"
[ "$(cat "$tmp/target")" = precious ] || fail "the apply wrote through a symlink at the temporary name"
echo "a symlink at the temporary name: its target untouched"

# a FIFO as the state file: nothing waits on it
in_case fifo "rm \"\$STATE\"; mkfifo \"\$STATE\"; add_by_hand
	timeout 10 \"\$F\" -c \"\$SITE\" --state-dir \"\$S\" dry-run >/dev/null 2>&1; echo \"dry-run \$?\"
	timeout 10 \"\$F\" -c \"\$SITE\" --state-dir \"\$S\" explain --live --from 192.0.2.1 --port 22 >/dev/null 2>&1; echo \"explain \$?\"
	timeout 10 \"\$F\" -c \"\$SITE\" --state-dir \"\$S\" apply >/dev/null 2>&1; echo \"apply \$?\"" > "$tmp/codes" ||
	fail "fifo: setup failed: $(cat "$tmp/codes")"
grep -q ' 124$' "$tmp/codes" && fail "a FIFO as the state file hangs: $(tr '\n' ' ' < "$tmp/codes")"
grep -qx 'dry-run 1' "$tmp/codes" && grep -qxE 'explain [01]' "$tmp/codes" &&
	grep -qx 'apply 0' "$tmp/codes" || fail "a FIFO as the state file: $(tr '\n' ' ' < "$tmp/codes")"
echo "a FIFO as the state file: dry-run, explain --live, apply finish"

# what is not a small plain file is not read: bounded memory.  The limit
# catches a read without end; the peak RSS a read of a large file.  Under
# AddressSanitizer (terabytes of shadow address space, more RSS) the limit
# is time instead and the RSS bound 256 MiB: a read of 1 GiB still shows.
vlimit=204800 rss_max=65536
if grep -qa __asan_init "$FNFT"; then
	vlimit=unlimited rss_max=262144
fi
for kind in zero sparse100 sparse1g; do
	case $kind in
	zero) make='rm "$STATE"; ln -s /dev/zero "$STATE"' ;;
	sparse100) make='truncate -s 100M "$STATE"' ;;
	sparse1g) make='truncate -s 1G "$STATE"' ;;
	esac
	in_case "$kind" "$make
		( ulimit -v $vlimit; timeout 60 /usr/bin/time -f %M -o \$T/rss \
			\"\$F\" -c \"\$SITE\" --state-dir \"\$S\" dry-run >/dev/null 2>&1; echo \$? > \$T/rc )" ||
		fail "$kind: setup failed"
	[ "$(cat "$tmp/rc")" = 0 ] || fail "$kind as the state file: dry-run exit $(cat "$tmp/rc")"
	[ "$(tail -1 "$tmp/rss")" -lt $rss_max ] || fail "$kind as the state file: peak RSS $(tail -1 "$tmp/rss") KiB"
done
echo "/dev/zero, 100 MiB and 1 GiB as the state file: dry-run in bounded memory"

# the same rule under /run/finesse-nft: a lock file of another user is not
# ours to write our pid into; apply goes on without it (the generation id
# still guards) and leaves the file as it was
in_ns '
	F=$1; SITE=$2; S=$3/state.run
	"$F" -c "$SITE" --state-dir "$S" apply 2>/dev/null || { echo "first apply failed"; exit 1; }
	cookie=$(basename "$S"/*.state .finesse.state)
	echo planted > /run/finesse-nft/lock.$cookie.finesse
	chown 65534 /run/finesse-nft/lock.$cookie.finesse
	nft add element inet finesse admin_v4 "{ 192.0.2.99 }"
	"$F" -c "$SITE" --state-dir "$S" apply 2>/dev/null || { echo "apply failed"; exit 1; }
	[ "$(cat /run/finesse-nft/lock.$cookie.finesse)" = planted ] || echo "our pid went into a lock file of another user"
' "$FNFT" "$site" "$tmp" > "$tmp/msg" 2>&1 || fail "lock file of another user: $(cat "$tmp/msg")"
[ -s "$tmp/msg" ] && fail "$(cat "$tmp/msg")"
echo "a lock file of another user under /run: left as it was"
