#!/bin/bash
# Golden change reviews: for each golden site NAME (and each review/NAME),
# diff from primary.conf (or the base a review site names) as text, as summary, as summary JSON, as
# markdown and as the change set in JSON must equal review/NAME.diff,
# .summary, .json, .md and .changes.json.  FNFT_REGEN=1 rewrites
# them (review every changed line before committing).
FNFT=$(realpath "$1"); DIR=$2
. "$(dirname "$0")/lib.sh"
cd "$DIR" || fail "no $DIR"
n=0
check() {	# check WANT-FILE ARGS...: the output of diff ARGS
	local want=$1 got; shift
	got=$("$FNFT" diff "$@" 2>/dev/null); rc=$?
	[ "$rc" = 1 ] || fail "diff $*: exit $rc, expected 1"
	if [ "${FNFT_REGEN:-}" = 1 ]; then
		printf '%s\n' "$got" > "$want"
	fi
	diff -u "$want" <(printf '%s\n' "$got") || fail "diff $* differs from $want"
	n=$((n + 1))
}
for conf in *.conf review/*.conf; do
	[ "$conf" = primary.conf ] && continue
	name=review/$(basename "${conf%.conf}")
	# a review site may name its base: "# from FILE: ..." on line 1
	base=$(sed -n '1s/^# from \([^:]*\):.*/\1/p' "$conf")
	base=${base:-primary.conf}
	check "$name.diff" "$base" "$conf"
	check "$name.summary" --summary "$base" "$conf"
	check "$name.json" --summary --json "$base" "$conf"
	check "$name.md" --format markdown "$base" "$conf"
	check "$name.changes.json" --json "$base" "$conf"
done
[ "$n" -ge 50 ] || fail "only $n golden reviews in $DIR"
echo "$n golden reviews match"
