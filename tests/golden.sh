#!/bin/bash
# pfctl-style golden test: every tests/golden/NAME.conf exports to NAME.nft.
# FNFT_REGEN=1 rewrites the .nft files (review the diff before committing).
FNFT=$1; DIR=$2
. "$(dirname "$0")/lib.sh"
n=0
for conf in "$DIR"/*.conf; do
	want=${conf%.conf}.nft
	got=$("$FNFT" -c "$conf" export 2>/dev/null) || fail "$conf: export failed"
	if [ "${FNFT_REGEN:-}" = 1 ]; then
		printf '%s\n' "$got" > "$want"
	fi
	diff -u "$want" <(printf '%s\n' "$got") || fail "$conf: export differs from $(basename "$want")"
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n golden sites found in $DIR"
echo "$n golden sites match"
