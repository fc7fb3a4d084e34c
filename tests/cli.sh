#!/bin/bash
# The CLI contract: help, version, exit codes, one-line errors on stderr.
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

run --version; expect_rc 0 "--version"
[ "$OUT" = "finesse-nft 0.1.0" ] || fail "--version printed '$OUT'"
run --help; expect_rc 0 "--help"
for cmd in catalog check export diff; do
	run "$cmd" --help; expect_rc 0 "$cmd --help"
	case "$OUT" in "Usage: finesse-nft $cmd"*) ;; *) fail "$cmd --help: $OUT";; esac
done
run; expect_rc 2 "no command"
run frobnicate; expect_rc 2 "unknown command"
[ "$ERR" = "finesse-nft: unknown command 'frobnicate' (try --help)" ] || fail "unknown command: $ERR"
run -c "$SRC/examples/site.conf" export --node tertiary; expect_rc 2 "bad --node"
run -c "$SRC/examples/site.conf" export --format yaml; expect_rc 2 "unsupported format"
run -c "$SRC/examples/site.conf" export --bogus; expect_rc 2 "unknown option"
run -c "$SRC/examples/site.conf" --table 'no good' export; expect_rc 2 "bad table name"

# a site read from a pipe (no size to go by) and a big one (read straight
# into a buffer of its size) export as from a plain file
run -c "$SRC/examples/site.conf" export; expect_rc 0 "export"; want=$OUT
run -c <(cat "$SRC/examples/site.conf") export; expect_rc 0 "export from a pipe"
[ "$OUT" = "$want" ] || fail "a site from a pipe exports otherwise"
for i in $(seq 0 9999); do echo "address = 10.$((64 + i / 256)).$((i % 256)).0/24"; done > "$tmp/nets"
sed "/^\[group browser\]/r $tmp/nets" "$SRC/examples/site.conf" > "$tmp/big.conf"
run -c "$tmp/big.conf" export; expect_rc 0 "export of a 10,000-network site"
run -c <(cat "$tmp/big.conf") export; expect_rc 0 "export of a big site from a pipe"
[ "$OUT" = "$("$FNFT" -c "$tmp/big.conf" export 2>/dev/null)" ] || fail "a big site from a pipe exports otherwise"
printf '%s\n' "$OUT" | grep -qx '			10.64.0.0-10.103.15.255,' || fail "the 10,000 networks did not merge: $(printf '%s\n' "$OUT" | grep -m3 '10\.6')"
run -c "$tmp" check; expect_rc 2 "a directory as the site"
[ "$ERR" = "finesse-nft: $tmp: cannot read: Is a directory" ] || fail "directory: $ERR"

# a named FIFO as the site or as a drop-in: refused at once (exit 2), never
# waited on for a writer that may not come; a pipe (above) is still read
mkfifo "$tmp/fifo.conf"
RC=0; ERR=$(timeout 5 "$FNFT" -c "$tmp/fifo.conf" check 2>&1 >/dev/null) || RC=$?
expect_rc 2 "a FIFO as the site"
[ "$ERR" = "finesse-nft: $tmp/fifo.conf: cannot read: not a regular file" ] || fail "FIFO site: $ERR"
mkdir "$tmp/fifo-site" "$tmp/fifo-site/site.conf.d"
cp "$SRC/examples/site.conf" "$tmp/fifo-site/"
mkfifo "$tmp/fifo-site/site.conf.d/50-x.conf"
RC=0; ERR=$(timeout 5 "$FNFT" -c "$tmp/fifo-site/site.conf" check 2>&1 >/dev/null) || RC=$?
expect_rc 2 "a FIFO as a drop-in"
[ "$ERR" = "finesse-nft: $tmp/fifo-site/site.conf.d/50-x.conf: cannot read: not a regular file" ] ||
	fail "FIFO drop-in: $ERR"
RC=0; timeout 5 "$FNFT" -c /dev/zero check >/dev/null 2>&1 || RC=$?
expect_rc 2 "a device as the site"

# catalog --json: the 12 seed rows, ids in order, keys as documented
run catalog --json; expect_rc 0 "catalog --json"
printf '%s' "$OUT" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
ids = [r["id"] for r in rows]
assert ids == ["tomcat.http", "tomcat.https", "notification.xmpp", "notification.xmpps",
    "notification.bosh-http", "notification.bosh-https", "cluster.xmpp", "gadget.http",
    "gadget.https", "ucce.awdb", "ucce.cti-a", "ucce.cti-b"], ids
keys = {"id", "listener", "protocol", "listen_ports", "remote", "remote_ports", "direction", "note"}
assert all(set(r) == keys for r in rows)
assert rows[1]["listen_ports"] == [443, 8445] and rows[1]["remote"] == ["browser"]
assert rows[6]["listen_ports"] == [5222] and rows[6]["remote_ports"] == [5222]
assert rows[10]["remote_ports"] == [42027] and rows[10]["remote"] == ["cti-a"]
' || fail "catalog --json does not match the seed"
run catalog; expect_rc 0 "catalog"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 13 ] || fail "catalog table is not a header and 12 rows"

# check: ok, warnings, and one FILE:LINE error with exit 2
run -c "$SRC/examples/site.conf" check; expect_rc 0 "check example"
[ "$OUT" = "$SRC/examples/site.conf: ok" ] || fail "check said '$OUT'"
run -c "$SRC/tests/golden/empty-group.conf" check --json; expect_rc 0 "check --json"
printf '%s' "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["ok"] is True and r["node"] == "primary", r
assert any(":11: group \x27agent-desktop\x27 is empty" in w for w in r["warnings"]), r["warnings"]
' || fail "check --json: $OUT"
[ -z "$ERR" ] || fail "check --json still printed warnings on stderr: $ERR"
run -c "$SRC/tests/golden/empty-group.conf" check; expect_rc 0 "check with empty groups"
case "$ERR" in *"warning: $SRC/tests/golden/empty-group.conf:11: group 'agent-desktop' is empty"*) ;;
	*) fail "no empty-group warning: $ERR";; esac
printf '[group browser]\naddress = 10.0.0.1\n\naddress = 10.20.1.0/16\n' > "$tmp/bad.conf"
for cmd in check export; do
	run -c "$tmp/bad.conf" $cmd --node primary; expect_rc 2 "$cmd bad.conf"
	[ -z "$OUT" ] || fail "$cmd bad.conf printed data: $OUT"
	[ "$ERR" = "finesse-nft: $tmp/bad.conf:4: bad address: 10.20.1.0/16 has host bits set; did you mean 10.20.0.0/16?" ] ||
		fail "$cmd bad.conf: $ERR"
done
run -c "$tmp/missing.conf" check; expect_rc 2 "missing site file"
run --catalog "$tmp/missing.ini" catalog; expect_rc 2 "missing catalog file"

# --catalog loads another product's table
printf '[entry web]\nprotocol = tcp\nlisten-port = 443\nremote = users\ndirection = inbound\n' > "$tmp/cat.ini"
printf '[cluster]\nnode = primary\n[group users]\naddress = 192.0.2.0/24\n' > "$tmp/site.conf"
run --catalog "$tmp/cat.ini" -c "$tmp/site.conf" export; expect_rc 0 "export with --catalog"
case "$OUT" in *'ip saddr @users_v4 tcp dport 443 counter accept comment "web"'*) ;;
	*) fail "--catalog rows not exported";; esac
case "$OUT" in *tomcat*) fail "--catalog still exports the built-in rows";; esac
# --table renames the table
run -c "$SRC/examples/site.conf" --table fw export; expect_rc 0 "--table"
case "$OUT" in *"delete table inet fw"*"table inet fw {"*) ;; *) fail "--table not used";; esac
echo "cli ok"
