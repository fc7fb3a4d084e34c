#!/bin/bash
# Offline diff: equal sites give exit 0 and no output; each kind of change
# gives exit 1 and exactly the expected changed lines.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
base=$SRC/tests/golden/primary.conf

# expect_change NAME EDIT-SED 'expected +/- lines' 'expected hunk headings'
#	[extra options]
# Each hunk header names the block it is in, as diff -p would.
expect_change() {
	local name=$1 edit=$2 want=$3 heads=$4; shift 4
	sed "$edit" "$base" > "$tmp/$name.conf"
	run diff "$@" "$base" "$tmp/$name.conf"; expect_rc 1 "diff $name"
	printf '%s\n' "$OUT" | head -2 | grep -q "^--- $base\$" || fail "$name: no --- label"
	got=$(printf '%s\n' "$OUT" | grep '^@@ ' | sed -E 's/^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@ ?//')
	[ "$got" = "$heads" ] || fail "$name: hunk headings differ:
--- got
$got
--- want
$heads"
	got=$(printf '%s\n' "$OUT" | grep -E '^[-+]' | grep -vE '^(---|\+\+\+) ')
	[ "$got" = "$want" ] || fail "$name: changed lines differ:
--- got
$got
--- want
$want"
}

run diff "$base" "$base"; expect_rc 0 "equal sites"
[ -z "$OUT" ] || fail "equal sites printed output"
sed 's/^# .*/# only a comment changed/' "$base" > "$tmp/same.conf"
run diff "$base" "$tmp/same.conf"; expect_rc 0 "comment-only change"

expect_change address-added '/^\[group browser\]/a address = 10.40.0.0/16' \
'+			10.40.0.0/16,' \
'set browser_v4 {'
expect_change address-removed '/address = 2001:db8:20::\/48/d' \
'-		elements = {
-			2001:db8:20::/48,
-		}' \
'set browser_v6 {'
expect_change port-moved '$a [port]\nucce.awdb = 1533' \
'-		ip daddr @awdb_v4 tcp dport 1433 counter accept comment "ucce.awdb"
-		ip6 daddr @awdb_v6 tcp dport 1433 counter accept comment "ucce.awdb"
+		ip daddr @awdb_v4 tcp dport 1533 counter accept comment "ucce.awdb"
+		ip6 daddr @awdb_v6 tcp dport 1533 counter accept comment "ucce.awdb"' \
'chain output {'
expect_change row-disabled '$a [disable]\nentry = notification.xmpps' \
'-		ip saddr @browser_v4 tcp dport 5223 counter accept comment "notification.xmpps"
-		ip6 saddr @browser_v6 tcp dport 5223 counter accept comment "notification.xmpps"
-		ip saddr @agent-desktop_v4 tcp dport 5223 counter accept comment "notification.xmpps"
-		ip6 saddr @agent-desktop_v6 tcp dport 5223 counter accept comment "notification.xmpps"' \
'chain input {'
expect_change policy-changed '$a [policy]\noutput = drop' \
'-		type filter hook output priority filter; policy accept;
+		type filter hook output priority filter; policy drop;' \
'chain output {'
expect_change insecure-toggled '$a [policy]\ninsecure = deny' \
'-		ip saddr @browser_v4 tcp dport { 80, 8082 } counter accept comment "tomcat.http"
-		ip6 saddr @browser_v6 tcp dport { 80, 8082 } counter accept comment "tomcat.http"
-		ip saddr @browser_v4 tcp dport 5222 counter accept comment "notification.xmpp"
-		ip6 saddr @browser_v6 tcp dport 5222 counter accept comment "notification.xmpp"
-		ip saddr @agent-desktop_v4 tcp dport 5222 counter accept comment "notification.xmpp"
-		ip6 saddr @agent-desktop_v6 tcp dport 5222 counter accept comment "notification.xmpp"
-		ip saddr @browser_v4 tcp dport 7071 counter accept comment "notification.bosh-http"
-		ip6 saddr @browser_v6 tcp dport 7071 counter accept comment "notification.bosh-http"
-		ip saddr @agent-desktop_v4 tcp dport 7071 counter accept comment "notification.bosh-http"
-		ip6 saddr @agent-desktop_v6 tcp dport 7071 counter accept comment "notification.bosh-http"' \
'chain input {'
expect_change role-switched 's/^node = primary/node = secondary/' \
'-	comment "finesse-nft primary"
+	comment "finesse-nft secondary"
-			10.0.0.12,
+			10.0.0.11,
-			2001:db8:0:1::12,
+			2001:db8:0:1::11,' \
'table inet finesse {
set peer_v4 {
set peer_v6 {'

# the same network in two groups: two hunks alike but for their headings
expect_change address-added-twice $'/^\\[group browser\\]/a address = 10.40.0.0/16\n/^\\[group agent-desktop\\]/a address = 10.40.0.0/16' \
'+			10.40.0.0/16,
+			10.40.0.0/16,' \
'set agent-desktop_v4 {
set browser_v4 {'

# a site without node = (one file for both nodes): both roles, labelled;
# only the roles whose tables differ are shown
sed '/^node = /d' "$base" > "$tmp/shared.conf"
sed '/^\[group browser\]/a address = 10.40.0.0/16' "$tmp/shared.conf" > "$tmp/shared-new.conf"
run diff "$tmp/shared.conf" "$tmp/shared-new.conf"; expect_rc 1 "diff, no role"
got=$(printf '%s\n' "$OUT" | grep -E '^(---|\+\+\+|@@|[-+])')
want="--- $tmp/shared.conf (primary)
+++ $tmp/shared-new.conf (primary)
@@ -32,6 +32,7 @@ set browser_v4 {
+			10.40.0.0/16,
--- $tmp/shared.conf (secondary)
+++ $tmp/shared-new.conf (secondary)
@@ -32,6 +32,7 @@ set browser_v4 {
+			10.40.0.0/16,"
[ "$got" = "$want" ] || fail "diff, no role: got
$got"
sed 's/^primary   = 10.0.0.11/primary   = 10.0.0.13/' "$tmp/shared.conf" > "$tmp/shared-moved.conf"
run diff "$tmp/shared.conf" "$tmp/shared-moved.conf"; expect_rc 1 "diff, no role, one role differs"
got=$(printf '%s\n' "$OUT" | grep -E '^(---|\+\+\+|[-+])')
want="--- $tmp/shared.conf (secondary)
+++ $tmp/shared-moved.conf (secondary)
-			10.0.0.11,
+			10.0.0.13,"
[ "$got" = "$want" ] || fail "diff, no role, one role differs: got
$got"
run diff "$tmp/shared.conf" "$tmp/shared.conf"; expect_rc 0 "diff, no role, equal"
[ -z "$OUT" ] || fail "diff, no role, equal: printed output"
# one side naming its role is not enough: both roles, both planned as each
run diff "$base" "$tmp/shared-new.conf"; expect_rc 1 "diff, one role"
[ "$(printf '%s\n' "$OUT" | grep -c '^--- .* (\(primary\|secondary\))$')" = 2 ] ||
	fail "diff, one role: not both roles: $OUT"
# --node: one diff, labels as given
run diff --node secondary "$tmp/shared.conf" "$tmp/shared-new.conf"; expect_rc 1 "diff --node, no role"
printf '%s\n' "$OUT" | head -1 | grep -qx -- "--- $tmp/shared.conf" || fail "diff --node: labels: $OUT"

# drop-ins: a directory is a node's /etc/finesse-nft (site.conf and
# site.conf.d/); a file is read with FILE.d/, or, having none, with the
# other side's, so that a new main file is reviewed as deployed
mkdir -p "$tmp/node1/site.conf.d" "$tmp/node2/site.conf.d"
cp "$base" "$tmp/node1/site.conf"; cp "$base" "$tmp/node2/site.conf"
printf '[group browser]\naddress = 10.50.0.0/16\n' > "$tmp/node1/site.conf.d/50-agents.conf"
printf '[group browser]\naddress = 10.50.0.0/16\naddress = 10.60.0.0/16\n' \
	> "$tmp/node2/site.conf.d/50-agents.conf"
changed() { printf '%s\n' "$OUT" | grep -E '^[-+]' | grep -vE '^(---|\+\+\+) '; }
run diff "$tmp/node1" "$tmp/node2"; expect_rc 1 "diff of two directories"
[ "$(changed)" = "+			10.60.0.0/16," ] || fail "diff of two directories: $OUT"
printf '%s\n' "$OUT" | head -1 | grep -qx -- "--- $tmp/node1" || fail "directory label: $OUT"
run diff "$tmp/node1" "$tmp/node1/site.conf"; expect_rc 0 "a directory and its site.conf"
sed '/^\[group browser\]/a address = 10.40.0.0/16' "$base" > "$tmp/new.conf"
for old in "$tmp/node1" "$tmp/node1/site.conf"; do
	run diff "$old" "$tmp/new.conf"; expect_rc 1 "diff $old new.conf"
	[ "$(changed)" = "+			10.40.0.0/16," ] || fail "new.conf not read with the node's drop-ins: $OUT"
	printf '%s\n' "$ERR" | grep -qF "note: $tmp/new.conf has no drop-ins of its own; read with those of $tmp/node1/site.conf.d/" ||
		fail "no note of the borrowed drop-ins: $ERR"
done
# an empty NEW.d/ says: no drop-ins (so the node's show as removed)
mkdir "$tmp/new.conf.d"
run diff "$tmp/node1" "$tmp/new.conf"; expect_rc 1 "diff with an empty new.conf.d"
[ "$(changed)" = "-			10.50.0.0/16,
+			10.40.0.0/16," ] || fail "empty new.conf.d: $OUT"
# a directory without site.conf is bad input
mkdir "$tmp/empty"
run diff "$tmp/empty" "$base"; expect_rc 2 "a directory without site.conf"
printf '%s\n' "$ERR" | grep -qF "$tmp/empty/site.conf" || fail "no site.conf named: $ERR"
# a bad drop-in is named
printf '[group browser]\naddress = 10.70.1.0/16\n' > "$tmp/node2/site.conf.d/60-bad.conf"
run diff "$tmp/node1" "$tmp/node2"; expect_rc 2 "a bad drop-in"
printf '%s\n' "$ERR" | grep -qF "$tmp/node2/site.conf.d/60-bad.conf:2:" || fail "bad drop-in not named: $ERR"

# --json: an array, one object per role planned, in sync or not
run diff --json "$tmp/shared.conf" "$tmp/shared-moved.conf"; expect_rc 1 "diff --json, no role"
[ "$(printf '%s\n' "$OUT" | grep -c '"in_sync": ')" = 2 ] &&
printf '%s\n' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [o["in_sync"] for o in d] == [True, False], d' ||
	fail "diff --json, no role: $OUT"
run diff --summary --json "$base" "$base"; expect_rc 0 "diff --summary --json, equal"
printf '%s\n' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) == 1 and d[0]["in_sync"] and d[0]["role"] == "primary" and not d[0]["groups"], d' ||
	fail "diff --summary --json, equal: $OUT"
# --format: text or markdown, and markdown is no JSON
run diff --format text "$base" "$base"; expect_rc 0 "diff --format text"
run diff --format html "$base" "$base"; expect_rc 2 "diff --format html"
run diff --format markdown --json "$base" "$base"; expect_rc 2 "diff --format markdown --json"
[ -z "$OUT" ] || fail "a refused --format printed: $OUT"

# --node applies to both sides
run diff --node secondary "$base" "$base"; expect_rc 0 "--node on both sides"
# bad input on either side is exit 2 and no diff
printf '[policy]\ninput = maybe\n' > "$tmp/bad.conf"
run diff "$base" "$tmp/bad.conf"; expect_rc 2 "diff with a bad site"
[ -z "$OUT" ] || fail "diff with a bad site printed output"
run diff "$base"; expect_rc 2 "diff with one file"
echo "diff ok"
