#!/bin/bash
# Every name we write loads back with the installed nft (issue 15): each
# candidate word, as --table and as a group name, is either refused by us
# (exit 2, one message, nothing sent) or exported, applied and then survives
# `nft list ruleset > f; nft flush ruleset; nft -f f`.
#
# The candidates are asked of nft itself, not of lib/keyword.c: every word of
# nft(8) and every quoted token of libnftables' grammar tables, plus the
# words of lib/keyword.c.
FNFT=$(realpath "$1"); SRC=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# ---- the candidate words ----
lib=$(ldd "$(command -v nft)" | awk '/libnftables/ { print $3 }')
{
	grep -o '"[a-z0-9_.-]*"' "$SRC/lib/keyword.c" | tr -d '"'
	[ -n "$lib" ] && strings "$lib" | grep -E '^"[a-z][a-z0-9_.-]*"$' | tr -d '"'
	MANWIDTH=200 man nft 2>/dev/null | col -b | grep -oE '[A-Za-z][A-Za-z0-9_-]*'
} | grep -E '^[A-Za-z][A-Za-z0-9_-]{0,63}$' | LC_ALL=C sort -u > "$tmp/words"
# the grammar's tokens alone: the words to apply for real
{
	grep -o '"[a-z0-9_.-]*"' "$SRC/lib/keyword.c" | tr -d '"'
	[ -n "$lib" ] && strings "$lib" | grep -E '^"[a-z][a-z0-9_-]*"$' | tr -d '"'
} | grep -E '^[a-z][a-z0-9_-]{0,63}$' | LC_ALL=C sort -u > "$tmp/tokens"
n=$(wc -l < "$tmp/words")
[ "$(wc -l < "$tmp/tokens")" -ge 140 ] || fail "only $(wc -l < "$tmp/tokens") nft tokens found"

printf '[cluster]\nprimary = 10.0.0.11\nsecondary = 10.0.0.12\nnode = primary\n' > "$tmp/site.conf"
printf '[entry probe]\nprotocol = tcp\nlisten-port = 9998\nremote = any\ndirection = inbound\n' > "$tmp/one.cat"

# ---- --table WORD: refused, or exported and loadable ----
mkdir "$tmp/ex"
in_netns bash -c '
	F=$1; T=$2
	while read -r w; do
		"$F" --no-state --catalog "$T/one.cat" -c "$T/site.conf" --table "$w" export \
			> "$T/out" 2> "$T/err"; rc=$?
		if [ $rc = 2 ]; then
			[ -s "$T/out" ] && echo "BAD $w: refused but printed something"
			grep -qxF "finesse-nft: bad table name '\''$w'\'': an nft keyword, which nft cannot load back as a name" "$T/err" ||
				echo "BAD $w: refused with: $(cat "$T/err")"
			echo "$w" >> "$T/refused"
		elif [ $rc = 0 ]; then
			mv "$T/out" "$T/ex/$w.nft"; echo "$w" >> "$T/accepted"
		else
			echo "BAD $w: exit $rc: $(cat "$T/err")"
		fi
	done < "$T/words"' sh "$FNFT" "$tmp" > "$tmp/bad"
[ -s "$tmp/bad" ] && fail "--table: $(head -5 "$tmp/bad")"
touch "$tmp/refused" "$tmp/accepted"

# every export we accept loads (one transaction per 500 tables: the kernel
# hooks at most 1024 chains), and reloads from a listing of the whole
# ruleset; `nft delete table inet WORD` works
split -l 500 "$tmp/accepted" "$tmp/chunk."
for c in "$tmp"/chunk.*; do
	sed "s|.*|$tmp/ex/&.nft|" "$c" | xargs cat > "$tmp/all.nft"
	sed 's/.*/delete table inet &/' "$c" > "$tmp/delete.nft"
	in_netns sh -c "nft -f '$tmp/all.nft' && nft list ruleset > '$tmp/listed' &&
		nft flush ruleset && nft -f '$tmp/listed' &&
		nft -f '$tmp/delete.nft' && test -z \"\$(nft list ruleset)\"" 2> "$tmp/err" && continue
	# name the words nft refuses, one by one
	while read -r w; do
		in_netns nft -c -f - <<< "table inet $w {}" 2>/dev/null || echo "$w"
	done < "$c" > "$tmp/nftbad"
	fail "we accept table names nft cannot load: $(tr '\n' ' ' < "$tmp/nftbad") ($(head -3 "$tmp/err"))"
done
# what we refuse, this nft refuses too (else the list is out of date)
while read -r w; do
	in_netns nft -c -f - <<< "table inet $w {}" >/dev/null 2>&1 && echo "$w"
done < "$tmp/refused" > "$tmp/overbroad"
[ -s "$tmp/overbroad" ] &&
	echo "note: this nft accepts table names lib/keyword.c refuses: $(tr '\n' ' ' < "$tmp/overbroad")"

# real applies of every grammar token as --table: refused ones send nothing
in_ns '
	F=$1; T=$2
	while read -r w; do
		"$F" --no-state --catalog "$T/one.cat" -c "$T/site.conf" --table "$w" apply \
			> /dev/null 2> "$T/err"; rc=$?
		if grep -qxF "$w" "$T/refused"; then
			[ $rc = 2 ] || echo "BAD $w: apply exit $rc, expected 2"
			nft list table inet "$w" > /dev/null 2>&1 && echo "BAD $w: refused but created"
		else
			[ $rc = 0 ] || echo "BAD $w: apply exit $rc: $(cat "$T/err")"
		fi
	done < "$T/tokens"
	nft list ruleset > "$T/host" && nft flush ruleset && nft -f "$T/host" ||
		echo "BAD: the applied ruleset does not reload"
	nft list ruleset > "$T/host2"; cmp -s "$T/host" "$T/host2" ||
		echo "BAD: the reloaded ruleset lists differently"
' "$FNFT" "$tmp" > "$tmp/bad" 2>&1
[ -s "$tmp/bad" ] && fail "--table apply: $(head -5 "$tmp/bad")"

# ---- [group WORD]: every lower-case word is a group; all load ----
tr 'A-Z' 'a-z' < "$tmp/words" | grep -E '^[a-z][a-z0-9._-]{0,47}$' |
	grep -vxE 'any|peer' | LC_ALL=C sort -u > "$tmp/groups"
{
	cat "$tmp/site.conf"
	while read -r w; do
		printf '[group %s]\naddress = 10.1.0.1\naddress = 2001:db8::1\n' "$w"
		printf '[entry g.%s]\nprotocol = tcp\nlisten-port = 9999\nremote = %s\ndirection = inbound\n' "$w" "$w"
	done < "$tmp/groups"
} > "$tmp/groups.conf"
in_ns '
	F=$1; T=$2
	"$F" --no-state --catalog "$T/one.cat" -c "$T/groups.conf" export 2>/dev/null > "$T/g.nft" ||
		{ echo "BAD: export refused: $("$F" --no-state --catalog "$T/one.cat" -c "$T/groups.conf" export 2>&1 >/dev/null | head -3)"; exit; }
	nft -c -f "$T/g.nft" 2>&1 | head -3 | sed "s/^/BAD export: /"
	"$F" --no-state --catalog "$T/one.cat" -c "$T/groups.conf" apply > /dev/null 2> "$T/err" ||
		echo "BAD: apply: $(head -3 "$T/err")"
	nft list ruleset > "$T/host" && nft flush ruleset && nft -f "$T/host" ||
		echo "BAD: the applied ruleset does not reload"
' "$FNFT" "$tmp" > "$tmp/bad" 2>&1
[ -s "$tmp/bad" ] && fail "groups: $(head -5 "$tmp/bad")"
grep -c '^	set .*_v4 {' "$tmp/g.nft" > "$tmp/nsets"
[ "$(cat "$tmp/nsets")" = "$(wc -l < "$tmp/groups")" ] ||
	fail "$(cat "$tmp/nsets") v4 sets for $(wc -l < "$tmp/groups") groups"

# a group name must start with a letter: refused at its file:line, nothing sent
{ cat "$tmp/site.conf"; printf '[group 1abc]\naddress = 10.1.0.1\n'; } > "$tmp/digit.conf"
in_ns '"$1" --no-state --catalog "$2/one.cat" -c "$2/digit.conf" apply > /dev/null 2> "$2/err"
	echo "rc=$?"; nft list ruleset' "$FNFT" "$tmp" > "$tmp/out" 2>&1
[ "$(cat "$tmp/out")" = "rc=2" ] || fail "group 1abc: $(cat "$tmp/out")"
grep -qxF "finesse-nft: $tmp/digit.conf:5: '1abc' is not a valid group name (a lower-case letter, then lower-case letters, digits, '.', '-', '_')" "$tmp/err" ||
	fail "group 1abc: message: $(cat "$tmp/err")"

# ... and so must a group a row names that no [group] defines
{ cat "$tmp/site.conf"; printf '[entry x]\nprotocol = tcp\nlisten-port = 9999\ndirection = inbound\nremote = 1abc\n'; } > "$tmp/digit2.conf"
in_netns "$FNFT" --no-state --catalog "$tmp/one.cat" -c "$tmp/digit2.conf" export > "$tmp/out" 2> "$tmp/err"
[ $? = 2 ] && [ ! -s "$tmp/out" ] || fail "remote = 1abc: accepted"
grep -qF "digit2.conf:" "$tmp/err" && grep -qF "'1abc' is not a valid group name" "$tmp/err" ||
	fail "remote = 1abc: message: $(cat "$tmp/err")"

# a keyword table an older version made (here by JSON, as nft's text cannot)
# can still be removed by us: only planning refuses the name
in_ns 'echo "{\"nftables\":[{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"counter\"}}}]}" | nft -j -f - || exit 1
	"$1" --no-state --table counter remove > /dev/null || exit 2
	nft list tables | grep -q . && exit 3; exit 0' "$FNFT" > "$tmp/out" 2>&1 ||
	fail "remove --table counter of an existing table (exit $?): $(cat "$tmp/out")"

echo "$n words: $(wc -l < "$tmp/refused") refused as --table, $(wc -l < "$tmp/accepted") load; $(wc -l < "$tmp/groups") group names load"
