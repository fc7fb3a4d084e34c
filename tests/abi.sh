#!/bin/bash
# The library exports exactly the symbols of its version script, all in the
# FNFT_ node, and each is declared in a public header.
LIB=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
map=$SRC/lib/libfinesse-nft.map
want=$(sed -n '/global:/,/local:/p' "$map" | grep -oE '^\s*fnft_[a-z0-9_]+;' | tr -d ' \t;' | sort)
got=$(nm -D --defined-only "$LIB" | awk '$2 == "T" || $2 == "D" || $2 == "R" {print $3}' |
	grep -v '^FNFT_' | sed 's/@.*//' | sort)
[ -n "$want" ] || fail "no symbols in $map"
diff <(echo "$want") <(echo "$got") || fail "exported symbols differ from $map"
for s in $want; do
	grep -q "\b$s(" "$SRC"/include/finesse-nft/*.h || fail "$s is not declared in a public header"
done
echo "$(echo "$want" | wc -l) symbols match the version script"
