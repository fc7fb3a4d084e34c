#!/bin/bash
# export --format json loads with `nft -j -f` into the same ruleset as the
# nft-syntax export loads with `nft -f`, for every golden site, and
# replaces only our table.  (nftables 1.0.6 drops a table comment given in
# JSON, so the table's comment line is left out of the comparison.)
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
require_netns
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
strip() { python3 "$(dirname "$0")/nft-json-strip.py" | grep -v '"comment": "finesse-nft '; }
n=0
for conf in "$SRC"/tests/golden/*.conf; do
	"$FNFT" -c "$conf" export > "$tmp/x.nft" 2>/dev/null || fail "$conf: export"
	"$FNFT" -c "$conf" export --format json > "$tmp/x.json" 2>/dev/null || fail "$conf: export --format json"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/x.json" || fail "$conf: not JSON"
	in_netns sh -c 'nft -f "$1" && nft -j list ruleset' sh "$tmp/x.nft" | strip > "$tmp/want" ||
		fail "$conf: nft -f"
	in_netns sh -c 'nft add table ip bystander && nft -j -f "$1" && nft -j -f "$1" && nft -j list ruleset' sh \
		"$tmp/x.json" > "$tmp/got.raw" 2> "$tmp/err" || fail "$conf: nft -j -f: $(cat "$tmp/err")"
	grep -q '"name": "bystander"' "$tmp/got.raw" || fail "$conf: the JSON load touched another table"
	python3 - "$tmp/got.raw" <<'PY' > "$tmp/got.json"
import json, sys
doc = json.load(open(sys.argv[1]))
doc["nftables"] = [i for i in doc["nftables"] if i.get("table", {}).get("name") != "bystander"]
print(json.dumps(doc))
PY
	strip < "$tmp/got.json" > "$tmp/got"
	diff -u "$tmp/want" "$tmp/got" > "$tmp/d" || fail "$conf: nft -j -f differs: $(head -30 "$tmp/d")"
	n=$((n + 1))
done
echo "$n golden sites: nft -j -f of the JSON export == nft -f of the text export"
