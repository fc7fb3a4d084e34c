#!/bin/bash
# The live table, each case in a fresh network namespace with its own state
# directory:
# - dry-run shows exactly the offline diff for every kind of change, exit 1,
#   and nothing (exit 0) once applied;
# - dry-run (also --verify, --json) writes nothing: no nft monitor event;
# - an apply of an unchanged plan writes nothing: no event, no new generation;
# - a rule and an element added by hand show in dry-run (and --verify) and
#   apply removes them; a table edited behind the state file's back is
#   read back and repaired.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FNFT_STATE_DIR=$tmp/state
base=$SRC/tests/golden/primary.conf

changed() { grep -E '^[-+]' | grep -vE '^(---|\+\+\+) '; }

# variant NAME SED: a changed copy of the base site
variant() { sed "$2" "$base" > "$tmp/$1.conf"; }
variant address-added '/^\[group browser\]/a address = 10.40.0.0/16'
variant address-removed '/address = 2001:db8:20::\/48/d'
variant port-moved '$a [port]\nucce.cti-a = 42127'
variant row-disabled '$a [disable]\nentry = notification.xmpps'
variant policy-changed '$a [policy]\noutput = drop'
variant role-switched 's/^node = primary/node = secondary/'
variant insecure-toggled '$a [policy]\ninsecure = deny'

for v in address-added address-removed port-moved row-disabled policy-changed role-switched insecure-toggled; do
	"$FNFT" diff "$base" "$tmp/$v.conf" | changed > "$tmp/want"
	[ -s "$tmp/want" ] || fail "$v: the offline diff is empty"
	"$FNFT" diff --summary "$base" "$tmp/$v.conf" | sed 1d > "$tmp/want.sum"
	in_netns bash -c '
		F=$1; base=$2; new=$3; out=$4
		"$F" -c "$base" apply 2>/dev/null || exit 10
		"$F" -c "$new" dry-run > "$out.dry"; echo $? > "$out.rc"
		"$F" -c "$new" dry-run --verify > "$out.verify"; echo $? >> "$out.rc"
		"$F" -c "$new" dry-run --summary > "$out.sum"; echo $? >> "$out.rc"
		"$F" -c "$new" dry-run --format markdown > "$out.md"; echo $? >> "$out.rc"
		"$F" -c "$new" apply 2>/dev/null || exit 11
		"$F" -c "$new" dry-run > "$out.after"; echo $? >> "$out.rc"
	' sh "$FNFT" "$base" "$tmp/$v.conf" "$tmp/$v" || fail "$v: apply failed ($?)"
	[ "$(tr '\n' ' ' < "$tmp/$v.rc")" = "1 1 1 1 0 " ] ||
		fail "$v: dry-run exit codes $(tr '\n' ' ' < "$tmp/$v.rc"), expected 1 1 1 1 0"
	# markdown: the summary's lines as table rows, the diff fenced
	sed -n '/^```diff$/,/^```$/p' "$tmp/$v.md" | sed '1d;$d' | diff -u "$tmp/$v.dry" - ||
		fail "$v: the markdown's diff is not dry-run's"
	[ "$(grep -c '^| ' "$tmp/$v.md")" = "$(wc -l < "$tmp/$v.sum")" ] ||
		fail "$v: the markdown's table is not the summary: $(cat "$tmp/$v.md")"
	# the summary of the live table is the offline one, less what only
	# the old site knows: the networks written out, the [policy] words
	head -1 "$tmp/$v.sum" | grep -qx "# live table inet finesse -> plan $tmp/$v.conf" ||
		fail "$v: dry-run --summary header: $(head -1 "$tmp/$v.sum")"
	case $v in
	address-removed) sed -i '/^group browser: -2001:db8:20::\/48 (/d' "$tmp/want.sum" ;;
	insecure-toggled) sed -i '/^policy insecure:/d' "$tmp/want.sum" ;;
	esac
	sed 1d "$tmp/$v.sum" | diff -u "$tmp/want.sum" - || fail "$v: dry-run --summary differs"
	changed < "$tmp/$v.dry" | diff -u "$tmp/want" - || fail "$v: dry-run differs from the offline diff"
	changed < "$tmp/$v.verify" | diff -u "$tmp/want" - || fail "$v: dry-run --verify differs"
	[ -s "$tmp/$v.after" ] && fail "$v: dry-run after apply still shows: $(cat "$tmp/$v.after")"
	head -2 "$tmp/$v.dry" | grep -q '^--- live table inet finesse$' || fail "$v: no live label"
done
echo "dry-run: 7 kinds of change match the offline diff and summary, and vanish after apply"

# read-only dry-run and a silent no-op apply, watched by nft monitor
in_netns bash -c '
	F=$1; site=$2; t=$3
	"$F" -c "$site" apply 2>/dev/null || exit 10
	nft monitor > "$t/monitor" 2>&1 & mon=$!
	sleep 0.5
	"$F" -c "$site" dry-run > /dev/null; r1=$?
	"$F" -c "$site" dry-run --verify > /dev/null; r2=$?
	"$F" -c "$site" dry-run --json > "$t/json"; r3=$?
	"$F" -c "$site" dry-run --summary --json > "$t/sumjson" || r3=7
	"$F" -c "$site" dry-run --summary > "$t/sum" || r3=8
	"$F" -c "$site" status > /dev/null; r4=$?
	"$F" -c "$site" apply 2> "$t/apply.err"; r5=$?
	FNFT_STATE_DIR= "$F" --no-state -c "$site" apply 2>> "$t/apply.err"; r6=$?
	sleep 0.5
	kill $mon
	echo "$r1 $r2 $r3 $r4 $r5 $r6" > "$t/codes"
' sh "$FNFT" "$base" "$tmp" || fail "monitor setup failed"
[ "$(cat "$tmp/codes")" = "0 0 0 0 0 0" ] || fail "in-sync exit codes: $(cat "$tmp/codes")"
[ -s "$tmp/monitor" ] && fail "a read-only command or a no-op apply wrote: $(cat "$tmp/monitor")"
grep -q '"in_sync": true' "$tmp/json" || fail "dry-run --json in sync: $(cat "$tmp/json")"
grep -q '"in_sync": true' "$tmp/sumjson" || fail "dry-run --summary --json in sync: $(cat "$tmp/sumjson")"
[ -s "$tmp/sum" ] && fail "dry-run --summary in sync printed: $(cat "$tmp/sum")"
[ "$(grep -c 'in sync; nothing to do' "$tmp/apply.err")" = 2 ] || fail "no-op apply did not say in sync: $(cat "$tmp/apply.err")"
echo "dry-run, status and an unchanged apply wrote nothing (nft monitor silent)"

# another tool's change elsewhere moves the generation on: the next apply
# reads our table back, finds it in sync, and records it, so the one after
# needs nothing but the generation id (LeakSanitizer cannot run under
# ptrace, hence no leak check for the traced run)
in_netns bash -c '
	F=$1; site=$2; t=$3
	"$F" -c "$site" apply 2>/dev/null || exit 10
	nft add table inet other || exit 11
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	strace -f -e trace=sendto,sendmsg -o "$t/readback.trace" \
		"$F" -c "$site" apply 2> "$t/foreign.err" || exit 12
	strace -f -e trace=sendto,sendmsg -o "$t/foreign.trace" \
		"$F" -c "$site" apply 2>> "$t/foreign.err" || exit 13
' sh "$FNFT" "$base" "$tmp" || fail "foreign change setup failed ($?)"
[ "$(grep -c 'in sync; nothing to do' "$tmp/foreign.err")" = 2 ] ||
	fail "after a foreign change: $(cat "$tmp/foreign.err")"
# one read: the dump that found it in sync brought the handles too
[ "$(grep -c 'NFT_MSG_GETTABLE' "$tmp/readback.trace")" = 1 ] ||
	fail "the table was read back more than once: $(grep -oE 'NFT_MSG_GET[A-Z]+' "$tmp/readback.trace" | sort | uniq -c)"
grep -qE 'NFT_MSG_GET(TABLE|CHAIN|SET|RULE|SETELEM)' "$tmp/foreign.trace" &&
	fail "the table read back in sync was not recorded: the next apply dumped it again"
grep -q 'NFT_MSG_GETGEN' "$tmp/foreign.trace" || fail "no generation check traced"
echo "a table read back in sync after a foreign change is recorded; the next apply reads nothing"

# drift: added by hand, shown, removed
in_netns bash -c '
	F=$1; site=$2; t=$3
	"$F" -c "$site" apply 2>/dev/null || exit 10
	nft add rule inet finesse input tcp dport 9999 accept
	nft add element inet finesse browser_v4 "{ 192.0.2.0/24 }"
	"$F" -c "$site" dry-run > "$t/drift"; echo $? > "$t/drift.rc"
	"$F" -c "$site" dry-run --verify > "$t/drift.verify"
	"$F" -c "$site" dry-run --json > "$t/drift.json"
	"$F" -c "$site" dry-run --verify --summary > "$t/drift.sum"
	"$F" -c "$site" apply 2>/dev/null || exit 11
	"$F" -c "$site" dry-run --verify > "$t/drift.after"; echo $? >> "$t/drift.rc"
	nft list table inet finesse > "$t/drift.table"
' sh "$FNFT" "$base" "$tmp" || fail "drift setup failed ($?)"
[ "$(tr '\n' ' ' < "$tmp/drift.rc")" = "1 0 " ] || fail "drift exit codes: $(cat "$tmp/drift.rc")"
for f in drift drift.verify; do
	grep -qx -- '-		tcp dport 9999 accept' "$tmp/$f" || fail "$f: hand-added rule not shown: $(cat "$tmp/$f")"
	grep -qx -- '-			192.0.2.0/24,' "$tmp/$f" || fail "$f: hand-added element not shown"
	[ "$(changed < "$tmp/$f" | wc -l)" = 2 ] || fail "$f: more than the drift: $(cat "$tmp/$f")"
done
grep -q '"line": "tcp dport 9999 accept"' "$tmp/drift.json" || fail "drift not in --json"
# the summary: the element as a change of the kernel's set, closing the
# rows of browser to it; the hand-made rule as one thing not of ours
grep -qx 'group browser: kernel browser_v4 -192.0.2.0/24' "$tmp/drift.sum" &&
grep -q '^browser -192.0.2.0/24: closes tomcat.http, tomcat.https, .* inbound from 192.0.2.0/24$' "$tmp/drift.sum" &&
grep -qx 'other: 1 rules, sets, chains or objects finesse-nft did not make are removed (see the diff)' \
	"$tmp/drift.sum" || fail "drift in --summary: $(cat "$tmp/drift.sum")"
grep -qE '9999|192\.0\.2\.0' "$tmp/drift.table" && fail "apply left the drift in place"
echo "drift added by hand shows in dry-run and is removed by apply"

# a table edited behind the state file's back (a rule deleted by handle) is repaired
in_netns bash -c '
	F=$1; site=$2; t=$3
	"$F" -c "$site" apply 2>/dev/null || exit 10
	h=$(nft -a list chain inet finesse input | sed -n "s/.*comment \"tomcat.https\" # handle \([0-9]*\)$/\1/p" | head -1)
	nft delete rule inet finesse input handle "$h" || exit 11
	"$F" -c "$site" dry-run > "$t/edit"; echo $? > "$t/edit.rc"
	"$F" -c "$site" apply 2>/dev/null || exit 12
	"$F" -c "$site" dry-run > /dev/null; echo $? >> "$t/edit.rc"
' sh "$FNFT" "$base" "$tmp" || fail "edit setup failed ($?)"
[ "$(tr '\n' ' ' < "$tmp/edit.rc")" = "1 0 " ] || fail "edited table: exit codes $(cat "$tmp/edit.rc")"
grep -qx -- '+		ip saddr @browser_v4 tcp dport { 443, 8445 } counter accept comment "tomcat.https"' "$tmp/edit" ||
	fail "the deleted rule is not shown: $(cat "$tmp/edit")"
echo "a table edited behind the state file is read back and repaired"
# status: the counters nft reports, summed per row, after real traffic
ns=fnft$$
ip netns add "$ns-node" && ip netns add "$ns-cli" || no_netns "ip netns add failed"
trap 'ip netns del "$ns-node" 2>/dev/null; ip netns del "$ns-cli" 2>/dev/null; rm -rf "$tmp"' EXIT
ip -n "$ns-node" link add n0 type veth peer name c0 netns "$ns-cli"
ip -n "$ns-node" addr add 198.51.100.1/24 dev n0
ip -n "$ns-cli" addr add 198.51.100.2/24 dev c0
for n in node cli; do
	ip -n "$ns-$n" link set lo up
	ip -n "$ns-$n" link set "$([ $n = node ] && echo n0 || echo c0)" up
done
cat > "$tmp/status.conf" <<'CONF'
[cluster]
primary   = 198.51.100.1
secondary = 198.51.100.9
node      = primary
[group browser]
address = 198.51.100.2
[group awdb]
address = 198.51.100.2
CONF
cat > "$tmp/serve.py" <<'PY'
import socket, sys, threading
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(8)
    while True:
        c, _ = s.accept(); c.sendall(c.recv(100)); c.close()
for p in sys.argv[1:]:
    threading.Thread(target=serve, args=(int(p),), daemon=True).start()
threading.Event().wait(20)
PY
cat > "$tmp/hit.py" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(b"ping"); assert s.recv(100) == b"ping"
PY
py=$(python3 -c 'import sys; print(sys.executable)')
ip netns exec "$ns-node" "$FNFT" -c "$tmp/status.conf" apply 2>/dev/null || fail "status: apply failed"
ip netns exec "$ns-node" "$py" "$tmp/serve.py" 443 8445 & srv1=$!
ip netns exec "$ns-cli" "$py" "$tmp/serve.py" 1433 & srv2=$!
sleep 1
for p in 443 443 443 8445; do
	ip netns exec "$ns-cli" "$py" "$tmp/hit.py" 198.51.100.1 $p || fail "status: connection to $p failed"
done
ip netns exec "$ns-node" "$py" "$tmp/hit.py" 198.51.100.2 1433 || fail "status: connection to 1433 failed"
kill $srv1 $srv2 2>/dev/null
ip netns exec "$ns-node" "$FNFT" -c "$tmp/status.conf" status --json > "$tmp/status.json" 2>/dev/null ||
	fail "status --json failed"
ip netns exec "$ns-node" nft -j list table inet finesse > "$tmp/nft.json"
python3 - "$tmp/status.json" "$tmp/nft.json" <<'PY' || fail "status does not match nft's counters"
import json, sys
status = {r["id"]: r for r in json.load(open(sys.argv[1]))["rows"]}
sums = {}
for item in json.load(open(sys.argv[2]))["nftables"]:
    rule = item.get("rule")
    if not rule or "comment" not in rule:
        continue
    for e in rule["expr"]:
        if "counter" in e:
            p, b = sums.get(rule["comment"], (0, 0))
            sums[rule["comment"]] = (p + e["counter"]["packets"], b + e["counter"]["bytes"])
for rid in ("tomcat.https", "ucce.awdb"):
    assert sums[rid][0] > 0, (rid, sums[rid])
for rid, r in status.items():
    want = sums.get(rid, (0, 0))
    assert (r["packets"], r["bytes"]) == want, (rid, r["packets"], r["bytes"], want)
assert status["tomcat.https"]["packets"] >= 4
assert status["notification.xmpp"]["empty_groups"] == ["agent-desktop"], status["notification.xmpp"]
assert status["tomcat.https"]["empty_groups"] == []
PY
ip netns exec "$ns-node" "$FNFT" -c "$tmp/status.conf" status > "$tmp/status.txt" 2>/dev/null
grep -qE '^tomcat.https .* [1-9][0-9]* +[1-9][0-9]*$' "$tmp/status.txt" || fail "status text: $(cat "$tmp/status.txt")"
grep -qE '^notification.xmpp .*empty: agent-desktop$' "$tmp/status.txt" || fail "status does not mark the empty group"
echo "status equals the counters nft reports after real traffic"

# incremental: one more address after that traffic is one message, and the
# untouched rules keep their counters; a moved port swaps just its rules
sed '/^\[group browser\]/a address = 198.51.100.77' "$tmp/status.conf" > "$tmp/status2.conf"
# the netlink requests, by strace (LeakSanitizer cannot run under ptrace)
traced() {
	local out=$1; shift
	ip netns exec "$ns-node" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=sendto,sendmsg -o "$out" "$@"
}
traced "$tmp/inc.trace" "$FNFT" -c "$tmp/status2.conf" apply 2> "$tmp/inc.err" ||
	fail "incremental apply failed"
grep -qx 'finesse-nft: applied table inet finesse (changes only, 3 messages)' "$tmp/inc.err" ||
	fail "one address is not one element message: $(cat "$tmp/inc.err")"
# elements alone: the rules and handles are known, so no dump before or after
grep -qE 'NFT_MSG_GET(TABLE|CHAIN|SET|RULE|SETELEM)' "$tmp/inc.trace" &&
	fail "an elements-only apply dumped the table: $(grep -oE 'NFT_MSG_GET[A-Z]+' "$tmp/inc.trace" | sort | uniq -c)"
# and it asks for the generation once: the batch carries it, so no second look
[ "$(grep -c 'NFT_MSG_GETGEN' "$tmp/inc.trace")" = 1 ] ||
	fail "an elements-only apply read the generation $(grep -c 'NFT_MSG_GETGEN' "$tmp/inc.trace") times"
ip netns exec "$ns-node" "$FNFT" -c "$tmp/status2.conf" status --json > "$tmp/status2.json" 2>/dev/null
printf '[port]\nucce.awdb = 1533\n' >> "$tmp/status2.conf"
traced "$tmp/inc2.trace" "$FNFT" -c "$tmp/status2.conf" apply 2> "$tmp/inc2.err" ||
	fail "port move apply failed"
grep -qx 'finesse-nft: applied table inet finesse (changes only, 6 messages)' "$tmp/inc2.err" ||
	fail "a moved port is not 2 deletes and 2 inserts: $(cat "$tmp/inc2.err")"
# inserted rules get handles from the kernel: those are read back (control)
grep -q 'NFT_MSG_GETRULE' "$tmp/inc2.trace" || fail "the handles of inserted rules were not read back"
ip netns exec "$ns-node" "$FNFT" -c "$tmp/status2.conf" status --json > "$tmp/status3.json" 2>/dev/null
ip netns exec "$ns-node" "$FNFT" -c "$tmp/status2.conf" dry-run --verify > "$tmp/inc.dry" ||
	fail "after incremental applies the table is not the plan: $(cat "$tmp/inc.dry")"
python3 - "$tmp/status.json" "$tmp/status2.json" "$tmp/status3.json" <<'PY' || fail "counters did not survive the incremental apply"
import json, sys
before, after, moved = ({r["id"]: r for r in json.load(open(f))["rows"]} for f in sys.argv[1:])
assert before["tomcat.https"]["packets"] > 0
for rid, r in before.items():
    assert (after[rid]["packets"], after[rid]["bytes"]) == (r["packets"], r["bytes"]), rid
    if rid != "ucce.awdb":
        assert (moved[rid]["packets"], moved[rid]["bytes"]) == (r["packets"], r["bytes"]), rid
assert moved["ucce.awdb"]["packets"] == 0 and moved["ucce.awdb"]["remote_ports"] == [1533]
PY
echo "incremental apply: one address is one message; untouched rules keep their counters"
echo "live ok"
