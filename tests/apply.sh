#!/bin/bash
# apply and remove against the kernel, each case in fresh network namespaces:
# - every golden site applied equals `nft -f` of its own export (nft -j, handles ignored);
# - foreign tables, `ip6 finesse` included, are byte-identical through apply,
#   re-apply and remove; remove of a missing table is fine;
# - two applies racing in one namespace exit 0 or 4 and leave one whole plan;
# - without CAP_NET_ADMIN the message says so, exit 3;
# - apply --json prints one object on stdout: replaced, in sync, patched,
#   and the timer --confirm armed, with the change set of dry-run --json;
#   nothing on stdout when apply fails;
# - a refusal by the kernel is exit 3 from apply, apply --confirm, rollback
#   and remove, EINVAL too (the library's errno for bad input as well), and
#   a bad --table stays exit 2 for the commands that open the kernel.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
here=$(dirname "$0")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
strip() { python3 "$here/nft-json-strip.py"; }

n=0
for conf in "$SRC"/tests/golden/*.conf; do
	in_netns sh -c '"$1" -c "$2" apply 2>/dev/null && nft -j list ruleset' sh "$FNFT" "$conf" |
		strip > "$tmp/applied" || fail "$conf: apply failed"
	"$FNFT" -c "$conf" export > "$tmp/export.nft" || fail "$conf: export failed"
	in_netns sh -c 'nft -f "$1" && nft -j list ruleset' sh "$tmp/export.nft" |
		strip > "$tmp/loaded" || fail "$conf: nft -f failed"
	diff -u "$tmp/loaded" "$tmp/applied" > "$tmp/d" ||
		fail "$conf: applied table differs from nft -f of the export: $(head -40 "$tmp/d")"
	n=$((n + 1))
done
echo "$n golden sites: apply == nft -f export"

# coexistence
site=$SRC/examples/site.conf
in_netns sh -c '
	set -e
	nft add table ip6 finesse
	nft add chain ip6 finesse c "{ type filter hook input priority 10; policy accept; }"
	nft add rule ip6 finesse c tcp dport 1 counter accept
	nft add table ip other
	nft add set ip other s "{ type ipv4_addr; flags interval; }"
	nft add element ip other s "{ 192.0.2.0/24 }"
	nft add table inet finesse2
	foreign() { nft list table ip6 finesse; nft list table ip other; nft list table inet finesse2; }
	foreign > "$3/before"
	"$1" -c "$2" apply 2>/dev/null; foreign > "$3/after-apply"
	"$1" -c "$2" apply --node secondary 2>/dev/null; foreign > "$3/after-reapply"
	"$1" remove; foreign > "$3/after-remove"
	nft list table inet finesse >/dev/null 2>&1 && echo "inet finesse still there" > "$3/after-remove"
	"$1" remove || echo "remove of a missing table failed" >> "$3/after-remove"
' sh "$FNFT" "$site" "$tmp" || fail "coexistence setup failed"
for step in after-apply after-reapply after-remove; do
	cmp -s "$tmp/before" "$tmp/$step" || fail "foreign tables changed ($step): $(diff "$tmp/before" "$tmp/$step")"
done
echo "foreign tables untouched through apply, re-apply, remove"

# racing applies: exit codes 0 or 4, and the table is one whole plan
"$FNFT" -c "$site" export --node primary | python3 "$here/nft-normalize.py" > "$tmp/want-primary"
"$FNFT" -c "$site" export --node secondary | python3 "$here/nft-normalize.py" > "$tmp/want-secondary"
in_netns bash -c '
	for round in $(seq 1 25); do
		"$1" -c "$2" apply --node primary 2>/dev/null & a=$!
		"$1" -c "$2" apply --node secondary 2>/dev/null & b=$!
		wait $a; ra=$?; wait $b; rb=$?
		echo "$ra $rb" >> "$3/codes"
		nft list table inet finesse | python3 "$4" > "$3/got"
		cmp -s "$3/got" "$3/want-primary" || cmp -s "$3/got" "$3/want-secondary" ||
			{ echo "round $round: mixed table"; exit 1; }
	done
' sh "$FNFT" "$site" "$tmp" "$here/nft-normalize.py" || fail "racing applies left a mixed table"
grep -qvE '^[04] [04]$' "$tmp/codes" && fail "racing applies exited with $(grep -vE '^[04] [04]$' "$tmp/codes" | head -1)"
echo "25 rounds of racing applies: exit codes $(sort -u "$tmp/codes" | tr '\n' ' ')and whole tables only"

# no privilege: root without capabilities, and an unprivileged user.  The
# checkout may sit where others cannot enter (root's home), so the user runs
# a copy of the CLI and its library from a directory it can read.
if command -v setpriv >/dev/null; then
	in_netns setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all \
		"$FNFT" -c "$site" apply > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc = 3 ] || fail "apply as root without capabilities: exit $rc, expected 3 ($(cat "$tmp/err"))"
	grep -q "needs CAP_NET_ADMIN" "$tmp/err" || fail "no CAP_NET_ADMIN message: $(cat "$tmp/err")"
	pub=$(mktemp -d /tmp/fnft-pub.XXXXXX); chmod 755 "$pub"
	mkdir "$pub/tools" "$pub/lib"
	cp "$FNFT" "$pub/tools/"
	cp -L "$(dirname "$FNFT")/../lib/libfinesse-nft.so.0" "$pub/lib/"
	cp "$site" "$pub/site.conf"
	chmod -R a+rX "$pub"
	in_netns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$pub/tools/$(basename "$FNFT")" -c "$pub/site.conf" apply > "$tmp/out" 2> "$tmp/err"
	rc=$?
	rm -rf "$pub"
	[ $rc = 3 ] || fail "apply as uid 65534: exit $rc, expected 3 ($(cat "$tmp/err"))"
	grep -q "needs CAP_NET_ADMIN" "$tmp/err" || fail "no CAP_NET_ADMIN message as uid 65534: $(cat "$tmp/err")"
	echo "without CAP_NET_ADMIN (root without capabilities, uid 65534): exit 3 and says so"
fi
# apply --json: what was done, as data, for fleet tools
in_netns bash -c '
	F=$1 site=$2 t=$3
	sed "/^\[group browser\]/a address = 10.41.0.0/16" "$site" > "$t/more.conf"
	"$F" --no-state -c "$site" apply --node primary --json > "$t/j1" 2>/dev/null || exit 1
	"$F" --no-state -c "$site" apply --node primary --json > "$t/j2" 2>/dev/null || exit 2
	"$F" --no-state -c "$t/more.conf" apply --node primary --json > "$t/j3" 2>/dev/null || exit 3
	"$F" --no-state --table other -c "$site" apply --node primary --json --confirm 60 > "$t/j4" 2>/dev/null || exit 4
	"$F" --no-state --table other confirm 2>/dev/null || exit 5
	SSH_CONNECTION="192.0.2.250 4000 10.0.0.11 22" "$F" --no-state -c "$site" apply --node primary --json > "$t/j5" 2>/dev/null
	[ $? = 2 ] || exit 6
' sh "$FNFT" "$site" "$tmp" || fail "apply --json: step $? failed"
python3 - "$tmp" <<'PY' || fail "apply --json printed: $(cat "$tmp"/j[1-4])"
import json, sys
t = sys.argv[1]
def obj(n):
    text = open("%s/j%d" % (t, n)).read()
    assert text.count("\n") == 1 and text.endswith("}\n"), "j%d: not one line: %r" % (n, text)
    o = json.loads(text)
    assert list(o) == ["table", "in_sync", "incremental", "messages", "changes", "diff", "confirm_seconds", "counters_reset"], o
    # diff: the change set of dry-run --json, live -> plan, as read before
    assert list(o["diff"]) == ["table", "in_sync", "changes"], o
    assert o["diff"]["table"] == o["table"] and o["diff"]["in_sync"] == o["in_sync"], o
    for ch in o["diff"]["changes"]:
        assert list(ch) == ["op", "in", "line", "group", "row"], ch
    return o
o = obj(1); assert o["table"] == "finesse" and o["in_sync"] is False and o["incremental"] is False and o["messages"] > 2 and o["confirm_seconds"] is None and o["counters_reset"] is False, o
o = obj(2); assert o["in_sync"] is True and o["incremental"] is False and o["messages"] == 0 and o["confirm_seconds"] is None, o
o = obj(3); assert o["in_sync"] is False and o["incremental"] is True and 0 < o["messages"] < obj(1)["messages"] and o["confirm_seconds"] is None, o
o = obj(4); assert o["table"] == "other" and o["in_sync"] is False and o["confirm_seconds"] == 60, o
# the apply report: replaced whole, nothing, the one network, armed
c = obj(1)["changes"]; assert c[0] == {"change": "table_replaced", "table": "finesse"}, c
assert {"change": "rule_added", "chain": "input", "row": "tomcat.https"} in c, c
assert any(i["change"] == "elements_added" and i["set"] == "browser_v4" and i["elements"] for i in c), c
assert obj(2)["changes"] == [], obj(2)
assert obj(3)["changes"] == [{"change": "elements_added", "set": "browser_v4", "elements": ["10.41.0.0/16"]}], obj(3)
assert obj(4)["changes"][0] == {"change": "table_replaced", "table": "other"}, obj(4)
# the change set: the one network, tagged; nothing when in sync; all new
assert obj(3)["diff"]["changes"] == [{"op": "add", "in": "set browser_v4", "line": "10.41.0.0/16", "group": "browser", "row": None}], obj(3)
assert obj(2)["diff"]["changes"] == [], obj(2)
d = obj(1)["diff"]["changes"]; assert d and all(ch["op"] == "add" for ch in d), d
assert {"op": "add", "in": "chain input", "group": "browser", "row": "tomcat.https"} in [{k: ch[k] for k in ("op", "in", "group", "row")} for ch in d], d
PY
[ -s "$tmp/j5" ] && fail "a refused apply --json printed on stdout: $(cat "$tmp/j5")"
echo "apply --json: replaced, in sync, patched and armed, as data; nothing when refused"

# the kernel refuses: the batch's sendmsg() fails with EINVAL (strace's
# fault injection), and a snapshot whose chains have a policy the kernel
# does not know is refused by the kernel itself
command -v strace >/dev/null || fail "strace is not installed (scripts/test installs it)"
in_ns '
	F=$1 site=$2 t=$3 bad=$4
	# LeakSanitizer cannot run under ptrace: no leak check for a traced CLI
	einval() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -qq -o /dev/null -e trace=sendmsg -e inject=sendmsg:error=EINVAL "$F" --no-state "$@"; }
	code() { echo "$1 $2" >> "$t/refusal-codes"; }
	"$F" --no-state -c "$site" apply --node secondary 2>/dev/null || exit 1
	einval -c "$site" apply --node primary 2>> "$t/refused"; code apply $?
	einval -c "$site" apply --node primary --confirm 60 2>> "$t/refused"; code apply--confirm $?
	[ -e /run/finesse-nft/pending.*/info ] && exit 2
	"$F" --no-state -c "$site" apply --node primary --confirm 60 2>/dev/null || exit 3
	einval rollback 2>> "$t/refused"; code rollback $?
	einval remove --force 2>> "$t/refused"; code remove $?
	python3 "$bad" /run/finesse-nft/pending.*/snapshot || exit 4
	"$F" --no-state rollback 2> "$t/policy"; code rollback-refused $?
	for cmd in apply confirm rollback remove dry-run; do
		"$F" --no-state -c "$site" --table "no good" $cmd 2>/dev/null; code "$cmd--table" $?
	done
	"$F" --no-state confirm 2>/dev/null || exit 5
	nft list table inet finesse | grep -q "finesse-nft primary" || exit 6
' "$FNFT" "$site" "$tmp" "$here/snapshot-bad-policy.py" || fail "kernel refusals: step $? failed"
want="apply 3 apply--confirm 3 rollback 3 remove 3 rollback-refused 3 apply--table 2 confirm--table 2 rollback--table 2 remove--table 2 dry-run--table 2 "
got=$(tr '\n' ' ' < "$tmp/refusal-codes")
[ "$got" = "$want" ] || fail "kernel refusals: exit codes $got, expected $want"
[ "$(grep -c 'cannot send the batch.*: Invalid argument' "$tmp/refused")" = 4 ] ||
	fail "kernel refusals do not say so: $(cat "$tmp/refused")"
grep -q "the kernel refused chain .*: Invalid argument" "$tmp/policy" || fail "refused restore: $(cat "$tmp/policy")"
echo "kernel refusals (EINVAL): exit 3 from apply, apply --confirm, rollback, remove; a bad --table exit 2"
echo "apply ok"
