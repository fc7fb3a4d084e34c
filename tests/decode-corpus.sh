#!/bin/bash
# Faithful or "not understood", never wrong (issue 15):
# - the differential corpus: every rule of tests/decode-corpus.nft, added by
#   nft to the input chain of an applied table, is rendered by finesse-nft
#   either as `nft list` prints it, or as text that nft turns into the same
#   bytecode, or as "# not understood: ..." (tests/decode-corpus.py);
# - explain --live says "uncertain" when a rule it cannot read or judge
#   comes before the deciding one, and only then.
# decode-corpus.sh FNFT SRC DECODE_PRINT
FNFT=$1; SRC=$2; PRINT=$3
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
here=$(cd "$(dirname "$0")" && pwd)

# the objects the corpus names, beside what the plan made
cat > "$tmp/objects.nft" <<'EOF'
add set inet finesse ts4 { type ipv4_addr; flags interval; elements = { 10.0.0.0/8 } }
add set inet finesse ts6 { type ipv6_addr; flags interval; elements = { 2001:db8::/32 } }
add set inet finesse tports { type inet_service; elements = { 22, 80 } }
add set inet finesse tdyn { type ipv4_addr; flags dynamic,timeout; size 1024; }
add map inet finesse tvmap4 { type ipv4_addr : verdict; elements = { 10.0.0.1 : accept } }
add map inet finesse tmap4 { type ipv4_addr : mark; }
add map inet finesse tcvmap { type ipv4_addr . inet_service : verdict; }
add map inet finesse tportvmap { type inet_service : verdict; elements = { 22 : accept } }
add chain inet finesse tother
add chain inet finesse tother2
add counter inet finesse tc1
add quota inet finesse tq1 { over 10 mbytes }
add ct helper inet finesse ftp-std { type "ftp" protocol tcp; }
EOF

in_ns '
	F=$1; site=$2; t=$3; here=$4; print=$5
	"$F" -c "$site" apply 2> "$t/apply.err" || { cat "$t/apply.err"; exit 10; }
	nft -f "$t/objects.nft" || exit 11
	python3 "$here/decode-corpus.py" "$here/decode-corpus.nft" "$print" || exit 1
	# the CLI on that table (under ASan too): the rules show
	"$F" -c "$site" dry-run > "$t/dry" 2>&1; echo "dry-run $?" > "$t/codes"
	"$F" -c "$site" dry-run --json > "$t/dry.json" 2>&1; echo "dry-run --json $?" >> "$t/codes"
	"$F" -c "$site" explain --live --from 192.0.2.1 --port 443 > "$t/explain" 2>&1
	echo "explain $?" >> "$t/codes"
' "$FNFT" "$SRC/tests/golden/primary.conf" "$tmp" "$here" "$PRINT" > "$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
[ $rc = 0 ] || fail "the differential corpus (exit $rc)"
[ "$(tr '\n' ' ' < "$tmp/codes")" = "dry-run 1 dry-run --json 1 explain 0 " ] ||
	fail "the CLI on the corpus table: $(cat "$tmp/codes") $(head -5 "$tmp/dry" "$tmp/explain")"
grep -qxF -- '-		tcp dport vmap { 22 : accept, 23 : drop }' "$tmp/dry" &&
	fail "dry-run renders the vmap as nft syntax"
grep -qxF -- '-		ip saddr @ts4 tcp dport 22 counter accept comment "ssh"' "$tmp/dry" ||
	fail "dry-run does not show an understood rule"
[ "$(grep -c '^-		# not understood: ' "$tmp/dry")" -ge 200 ] || fail "dry-run shows too few raw rules"
# the stranger is let in by the corpus's "ct state new accept", read as such
grep -qx 'accept by rule [0-9]* of chain input' "$tmp/explain" ||
	fail "explain on the corpus table: $(cat "$tmp/explain")"
counts=$(tail -1 "$tmp/out")
n=$(echo "$counts" | sed -n 's/^\([0-9]*\) rules, \([0-9]*\) understood.*/\1 \2/p')
[ -n "$n" ] || fail "no counts: $counts"
set -- $n
# the corpus is a few hundred rules, and a good share of them is ours
[ "$1" -ge 250 ] || fail "only $1 rules in the corpus"
[ "$2" -ge 60 ] || fail "only $2 rules understood: the decoder lost our shapes"

# explain --live: uncertain when a rule it cannot judge comes first
site=$SRC/examples/site.conf
in_ns '
	F=$1; site=$2; t=$3
	ask() { "$F" -c "$site" explain --live --from 10.0.9.5 --port 22; echo "exit $?"; }
	"$F" -c "$site" apply 2>/dev/null || exit 10
	ask > "$t/ex.plain"
	nft add rule inet finesse input meta mark 0x2a drop	# after: no matter
	ask > "$t/ex.after"
	nft insert rule inet finesse input meta mark 0x2a drop	# raw, first
	ask > "$t/ex.raw"
	"$F" -c "$site" apply 2>/dev/null || exit 11
	nft insert rule inet finesse input iifname "eth0" drop	# read, cannot tell
	ask > "$t/ex.iif"
	"$F" -c "$site" apply 2>/dev/null || exit 12
	nft insert rule inet finesse input iifname "lo" drop	# read, does not match
	ask > "$t/ex.lo"
	"$F" -c "$site" apply 2>/dev/null || exit 13
	nft insert rule inet finesse input ip daddr @admin_v4 drop	# our own address
	ask > "$t/ex.daddr"
	"$F" -c "$site" apply 2>/dev/null || exit 14
	nft insert rule inet finesse input tcp dport 22 limit rate 5/minute drop
	ask > "$t/ex.limit"
' "$FNFT" "$site" "$tmp" || fail "explain setup ($?)"
sure="accept by row ssh (chain input, rule 44)"
unsure="accept by row ssh (chain input, rule 45) (uncertain: a rule came first that finesse-nft cannot read or judge)"
[ "$(cat "$tmp/ex.plain")" = "$sure"$'\n'"exit 0" ] || fail "explain: $(cat "$tmp/ex.plain")"
[ "$(cat "$tmp/ex.after")" = "$sure"$'\n'"exit 0" ] || fail "explain, raw rule after: $(cat "$tmp/ex.after")"
[ "$(cat "$tmp/ex.raw")" = "$unsure"$'\n'"exit 0" ] || fail "explain, raw rule first: $(cat "$tmp/ex.raw")"
[ "$(cat "$tmp/ex.iif")" = "$unsure"$'\n'"exit 0" ] || fail "explain, iifname eth0 first: $(cat "$tmp/ex.iif")"
[ "$(cat "$tmp/ex.lo")" = "accept by row ssh (chain input, rule 45)"$'\n'"exit 0" ] ||
	fail "explain, iifname lo first: $(cat "$tmp/ex.lo")"
[ "$(cat "$tmp/ex.daddr")" = "$unsure"$'\n'"exit 0" ] || fail "explain, ip daddr first: $(cat "$tmp/ex.daddr")"
[ "$(cat "$tmp/ex.limit")" = "$unsure"$'\n'"exit 0" ] || fail "explain, a limit first: $(cat "$tmp/ex.limit")"
echo "explain --live is uncertain exactly when a rule it cannot judge comes first"
