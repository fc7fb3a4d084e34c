#!/bin/bash
# Each golden .nft loads with `nft -f` in a fresh network namespace, and
# `nft list table` then shows every set element and rule the export holds.
FNFT=$1; DIR=$2
. "$(dirname "$0")/lib.sh"
require_netns
norm="python3 $(dirname "$0")/nft-normalize.py"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
for nftf in "$DIR"/*.nft; do
	# another table in the namespace must survive the load untouched
	in_netns sh -c "nft add table ip bystander && nft add chain ip bystander c &&
		nft -f '$nftf' && nft -f '$nftf' && nft list table inet finesse &&
		nft list table ip bystander >/dev/null" > "$tmp/list" 2> "$tmp/err" ||
		fail "$nftf: nft -f failed: $(cat "$tmp/err")"
	$norm "$nftf" > "$tmp/want"
	$norm "$tmp/list" > "$tmp/got"
	diff -u "$tmp/want" "$tmp/got" || fail "$nftf: nft lists something else"
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n golden files"
echo "$n golden files load and list back identically"
