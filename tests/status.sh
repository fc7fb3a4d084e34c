#!/bin/bash
# status is about the live table (issue 15, point 4).  A node namespace and
# a client namespace joined by a veth pair; connection attempts from the
# client are refused by a RST (nothing listens), so each is one packet in
# conntrack state new through the row's rule.  In order:
# - in sync: the table line, the policies, exit 0; JSON exists/in_sync;
# - counters: three attempts on 443 show in tomcat.https, text and JSON,
#   equal to what nft reports; an incremental apply keeps them;
# - an edit not yet applied: not in sync, the drift by block, rows' live
#   state from the kernel (disabled but live, planned but not live); exit 1;
# - an element and two rules added by hand: drift, the rule with a row's
#   comment marks that row, the one with an unknown comment is a row of its
#   own, with its counter;
# - a site that cannot be loaded: the live rows alone, said, exit 2; and
#   explain --live still answers;
# - a dormant table: said, not in sync;
# - the table flushed away: said on stdout, "exists": false, exit 1;
# - a whole replace of an existing table says the counters restart, and
#   they do; one of no table does not say so.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
command -v python3 >/dev/null || no_netns "python3 is not installed"
py=$(python3 -c 'import sys; print(sys.executable)')
tmp=$(mktemp -d)
ns=fnftst$$
trap 'ip netns del "$ns-node" 2>/dev/null; ip netns del "$ns-cli" 2>/dev/null; rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
ip netns add "$ns-node" && ip netns add "$ns-cli" || no_netns "ip netns add failed"
ip -n "$ns-node" link add n0 type veth peer name c0 netns "$ns-cli"
ip -n "$ns-node" addr add 198.51.100.1/24 dev n0
ip -n "$ns-cli" addr add 198.51.100.2/24 dev c0
ip -n "$ns-node" link set lo up; ip -n "$ns-node" link set n0 up
ip -n "$ns-cli" link set lo up; ip -n "$ns-cli" link set c0 up

site=$tmp/site.conf
# the node, its peer, and the client as the one browser
printf '[cluster]\nprimary = 198.51.100.1\nsecondary = 198.51.100.9\nnode = primary\n[group browser]\naddress = 198.51.100.2\n' > "$site"
# knock PORT N: N connection attempts from the client, each refused by a RST
cat > "$tmp/knock.py" <<'PY'
import socket, sys
for _ in range(int(sys.argv[2])):
    try:
        socket.create_connection(("198.51.100.1", int(sys.argv[1])), timeout=3).close()
    except ConnectionRefusedError:
        pass
PY
knock() { ip netns exec "$ns-cli" "$py" "$tmp/knock.py" "$1" "$2" || fail "knock $1: not refused"; }
node() { ip netns exec "$ns-node" "$@"; }
# st NAME ARGS...: status and status --json into $tmp/NAME.{txt,json,err};
# both must exit alike, $RC holds the code
st() {
	local name=$1 rc2; shift
	node "$FNFT" "$@" status > "$tmp/$name.txt" 2> "$tmp/$name.err"; RC=$?
	node "$FNFT" "$@" status --json > "$tmp/$name.json" 2>> "$tmp/$name.err"; rc2=$?
	[ "$RC" = "$rc2" ] || fail "$name: status exits $RC, status --json $rc2"
}
# pyj NAME SCRIPT: run SCRIPT with j = the JSON of status NAME, rows by id
pyj() {
	"$py" - "$tmp/$1.json" "$2" <<'PY' || fail "$1: $(cat "$tmp/$1.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert isinstance(j, dict), "not an object"
rows = {r["id"]: r for r in j["rows"]}
exec(sys.argv[2])
PY
}
has() { grep -qE -- "$2" "$tmp/$1.txt" || fail "$1: no line /$2/ in: $(cat "$tmp/$1.txt")"; }

# ---- in sync ----
node "$FNFT" -c "$site" apply --json > "$tmp/apply0.json" 2> "$tmp/apply0.err" || fail "apply failed"
grep -q 'restart' "$tmp/apply0.err" && fail "the first apply says counters restart: $(cat "$tmp/apply0.err")"
grep -q '"counters_reset":false}' "$tmp/apply0.json" || fail "first apply --json: $(cat "$tmp/apply0.json")"
st sync -c "$site"
[ "$RC" = 0 ] || fail "in sync: exit $RC"
has sync '^table inet finesse: in sync with the plan$'
has sync '^policy: input drop, output accept$'
pyj sync '
assert j["table"] == "finesse" and j["exists"] is True and j["in_sync"] is True, j
assert j["site_loaded"] is True and j["site_error"] is None and j["drift"] == [], j
assert j["policies"] == {"input": "drop", "output": "accept"}, j["policies"]
r = rows["tomcat.https"]
assert r["live"] is True and r["enabled"] is True and r["in_sync"] is True, r
assert r["listen_ports"] == [443, 8445] and r["remote"] == ["browser"], r
assert rows["ucce.awdb"]["live"] is True and rows["ucce.awdb"]["direction"] == "bidirectional", rows["ucce.awdb"]
'
echo "in sync: the table line, the policies, exit 0"

# ---- counters ----
knock 443 3
st counted -c "$site"
[ "$RC" = 0 ] || fail "counted: exit $RC"
grep -qE '^tomcat.https .* [3-9] +[1-9][0-9]*$' "$tmp/counted.txt" ||
	fail "three attempts do not show in the text: $(grep tomcat.https "$tmp/counted.txt")"
node nft -j list table inet finesse > "$tmp/nft.json"
pyj counted '
sums = {}
rules = [i["rule"] for i in json.load(open("'"$tmp"'/nft.json"))["nftables"] if "rule" in i]
for rule in rules:
    for e in rule["expr"] if "comment" in rule else []:
        if "counter" in e:
            p, b = sums.get(rule["comment"], (0, 0))
            sums[rule["comment"]] = (p + e["counter"]["packets"], b + e["counter"]["bytes"])
assert sums["tomcat.https"][0] >= 3, sums
assert rows["tomcat.https"]["packets"] >= 3, rows["tomcat.https"]
for rid, r in rows.items():
    assert (r["packets"], r["bytes"]) == sums.get(rid, (0, 0)), (rid, r, sums.get(rid))
'
sed '/^\[group browser\]/a address = 198.51.100.3' "$site" > "$tmp/more.conf"
node "$FNFT" -c "$tmp/more.conf" apply --json > "$tmp/apply1.json" 2> "$tmp/apply1.err" || fail "incremental apply failed"
grep -q 'changes only' "$tmp/apply1.err" || fail "not incremental: $(cat "$tmp/apply1.err")"
grep -q 'restart' "$tmp/apply1.err" && fail "an incremental apply says counters restart"
grep -q '"counters_reset":false}' "$tmp/apply1.json" || fail "incremental apply --json: $(cat "$tmp/apply1.json")"
st kept -c "$tmp/more.conf"
pyj kept 'assert rows["tomcat.https"]["packets"] >= 3, rows["tomcat.https"]'
node "$FNFT" -c "$site" apply 2>/dev/null || fail "apply back failed"
echo "counters: connection attempts show per row, as nft counts them; a patch keeps them"

# ---- an edit not applied yet ----
{
	sed '/^\[group browser\]/a address = 198.51.100.77' "$site"
	printf '[disable]\nentry = notification.xmpps\n'
	printf '[entry site.new]\nprotocol = tcp\nlisten-port = 2222\nremote = browser\ndirection = inbound\n'
} > "$tmp/edited.conf"
st edited -c "$tmp/edited.conf"
[ "$RC" = 1 ] || fail "an unapplied edit: exit $RC, expected 1"
has edited '^table inet finesse: differs from the plan: set browser_v4 \+1, chain input \+2 -4$'
has edited '^notification.xmpps .*disabled, but live$'
has edited '^site.new .*not live$'
pyj edited '
assert j["exists"] is True and j["in_sync"] is False, j
assert {"in": "set browser_v4", "add": 1, "remove": 0} in j["drift"], j["drift"]
r = rows["notification.xmpps"]
assert r["enabled"] is False and r["live"] is True and r["in_sync"] is False, r
r = rows["site.new"]
assert r["enabled"] is True and r["live"] is False and r["in_sync"] is False, r
assert rows["tomcat.https"]["live"] is True and rows["tomcat.https"]["in_sync"] is True
assert rows["tomcat.https"]["packets"] >= 3, rows["tomcat.https"]
'
echo "an unapplied edit: not in sync, its drift, each row's live state from the kernel"

# ---- by hand: an element, a rule with a row's comment, one with another ----
node nft add element inet finesse browser_v4 '{ 10.99.0.0/16 }' || fail "nft add element"
node nft add rule inet finesse input tcp dport 9998 counter accept comment '"tomcat.https"' || fail "nft add rule"
node nft add rule inet finesse input tcp dport 9999 counter accept comment '"hand.made"' || fail "nft add rule"
knock 9999 2
st hand -c "$site"
[ "$RC" = 1 ] || fail "hand-made drift: exit $RC, expected 1"
has hand '^table inet finesse: differs from the plan: set browser_v4 -1, chain input -2$'
has hand '^tomcat.https .*differs from the plan$'
has hand '^hand.made +tcp +9999 .* 2 +[1-9][0-9]*  live, in no row of the catalog or site$'
pyj hand '
assert {"in": "set browser_v4", "add": 0, "remove": 1} in j["drift"], j["drift"]
assert {"in": "chain input", "add": 0, "remove": 2} in j["drift"], j["drift"]
r = rows["hand.made"]
assert r["live"] is True and r["enabled"] is False and r["listen_ports"] == [9999], r
assert r["packets"] == 2 and r["remote"] == ["any"] and r["direction"] == "inbound", r
assert rows["tomcat.https"]["in_sync"] is False and rows["tomcat.https"]["live"] is True
'
echo "by hand: the element and rules show as drift, the unknown comment as a row"

# ---- the site cannot be loaded ----
printf '[cluster\nprimary = 198.51.100.1\n' > "$tmp/bad.conf"
st bad -c "$tmp/bad.conf"
[ "$RC" = 2 ] || fail "a broken site: exit $RC, expected 2"
head -1 "$tmp/bad.txt" | grep -qE "^site file $tmp/bad.conf cannot be loaded: .*; showing the live table only$" ||
	fail "a broken site is not said: $(head -1 "$tmp/bad.txt")"
has bad '^table inet finesse: live; no plan to compare it with$'
has bad '^policy: input drop, output accept$'
has bad '^tomcat.https +tcp +443, 8445, 9998 '
grep -q "bad.conf:1" "$tmp/bad.err" || fail "the site's error is not on stderr: $(cat "$tmp/bad.err")"
pyj bad '
assert j["site_loaded"] is False and "cannot be loaded" in j["site_error"], j
assert j["exists"] is True and j["in_sync"] is None and j["drift"] is None, j
assert j["policies"] == {"input": "drop", "output": "accept"}, j
assert rows["tomcat.https"]["packets"] >= 3 and rows["tomcat.https"]["enabled"] is None, rows["tomcat.https"]
assert rows["hand.made"]["packets"] == 2, rows["hand.made"]
assert all(r["live"] for r in j["rows"]), "a row that is not live"
assert "site.new" not in rows
'
st missing -c "$tmp/nonexistent.conf"
[ "$RC" = 2 ] || fail "a missing site: exit $RC, expected 2"
has missing 'showing the live table only$'
node "$FNFT" -c "$tmp/bad.conf" explain --live --from 198.51.100.2 --port 443 > "$tmp/explain.out" 2> "$tmp/explain.err"
RC=$?
[ "$RC" = 0 ] || fail "explain --live with a broken site: exit $RC ($(cat "$tmp/explain.err"))"
grep -q 'accept by row tomcat.https' "$tmp/explain.out" || fail "explain --live: $(cat "$tmp/explain.out")"
grep -q 'warning: explain --live answers from the live table alone' "$tmp/explain.err" ||
	fail "explain --live does not say the site failed: $(cat "$tmp/explain.err")"
echo "a site that cannot be loaded: the live rows alone, said, exit 2; explain --live answers"

# ---- switched off: a dormant table is not in sync, and says so ----
node nft add table inet finesse '{ flags dormant; }' || fail "nft: dormant"
st dormant -c "$site"
[ "$RC" = 1 ] || fail "a dormant table: exit $RC, expected 1"
has dormant '^table inet finesse is dormant: it filters nothing$'
pyj dormant 'assert j["dormant"] is True and j["in_sync"] is False, j'
echo "a dormant table: said, not in sync"

# ---- no table ----
node nft flush ruleset
st absent -c "$site"
[ "$RC" = 1 ] || fail "no table: exit $RC, expected 1"
has absent '^table inet finesse does not exist: '
has absent '^tomcat.https .* 0 +0  not live$'
pyj absent '
assert j["exists"] is False and j["in_sync"] is False and j["policies"] == {}, j
assert not any(r["live"] for r in j["rows"]), "a row is live"
assert all(r["packets"] == 0 for r in j["rows"])
'
st absent-bad -c "$tmp/bad.conf"
[ "$RC" = 2 ] || fail "no table, broken site: exit $RC, expected 2"
has absent-bad '^table inet finesse does not exist: '
pyj absent-bad 'assert j["exists"] is False and j["site_loaded"] is False and j["rows"] == [], j'
echo "no table: said on stdout and in JSON, exit 1 (2 with a broken site)"

# ---- a whole replace restarts the counters, and says so ----
node "$FNFT" -c "$site" apply --json > "$tmp/apply2.json" 2> "$tmp/apply2.err" || fail "apply after flush failed"
grep -q 'restart' "$tmp/apply2.err" && fail "creating the table says counters restart"
grep -q '"counters_reset":false}' "$tmp/apply2.json" || fail "apply of no table --json: $(cat "$tmp/apply2.json")"
knock 443 2
printf '[policy]\noutput = drop\n' | cat "$site" - > "$tmp/outdrop.conf"
node "$FNFT" -c "$tmp/outdrop.conf" apply --json > "$tmp/apply3.json" 2> "$tmp/apply3.err" || fail "apply output=drop failed"
grep -qx 'finesse-nft: applied table inet finesse (replaced whole, [0-9]* messages; per-row counters restart from 0)' "$tmp/apply3.err" ||
	fail "a whole replace does not say the counters restart: $(cat "$tmp/apply3.err")"
grep -q '"incremental":false,.*"counters_reset":true}' "$tmp/apply3.json" || fail "whole replace --json: $(cat "$tmp/apply3.json")"
st reset -c "$tmp/outdrop.conf"
[ "$RC" = 0 ] || fail "after the replace: exit $RC"
has reset '^policy: input drop, output drop$'
pyj reset 'assert rows["tomcat.https"]["packets"] == 0, rows["tomcat.https"]; assert j["policies"]["output"] == "drop"'
echo "a whole replace says the per-row counters restart from 0, and they do"
echo "status ok"
