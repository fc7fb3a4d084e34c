#!/bin/bash
# The CLI under valgrind (memcheck), every command, in a fresh network
# namespace with its own state directory: catalog, check, export, diff
# (--summary, --json, --format markdown, both roles, drop-ins),
# explain (plan and --live), dry-run (--verify, --json, --summary,
# --format markdown), apply (replace,
# in sync, incremental, repair of drift, --confirm with confirm and with
# rollback, and one left to expire: the watchdog is checked too), status
# (--json), remove, and the error paths of bad input.
#
# Each run: valgrind --error-exitcode=1 --leak-check=full
# --errors-for-leak-kinds=definite,indirect, one log per process, the
# watchdog program that apply --confirm spawns followed (--trace-children).  A run
# fails when its exit code is not the expected one or any of its logs has
# an ERROR SUMMARY other than 0 (commands that exit 1 by design, diff and
# dry-run, are judged by the log alone).
#
#   valgrind.sh CLI SRC
FNFT=$1; SRC=$2
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
	[ "${CI:-}" = true ] && fail "valgrind is not installed; CI requires it"
	echo "SKIP: valgrind is not installed" >&2
	exit 77
fi

if [ "${FNFT_VALGRIND_INNER:-}" != 1 ]; then
	require_netns
	tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
	in_netns env FNFT_VALGRIND_INNER=1 FNFT_STATE_DIR="$tmp/state" \
		bash "$0" "$FNFT" "$SRC" "$tmp"
	exit $?
fi

# --- inside the namespace ----------------------------------------------------
tmp=$3
logs=$tmp/vg
mkdir -p "$logs" "$FNFT_STATE_DIR"
site=$SRC/examples/site.conf
golden=$SRC/tests/golden
n=0 bad=0

# vg RC NAME ARGS...: run the CLI under valgrind, expect exit RC
vg() {
	local want=$1 name=$2 rc f sum start=$SECONDS
	shift 2
	n=$((n + 1))
	local tag
	tag=$(printf '%02d-%s' "$n" "$name")
	valgrind --error-exitcode=1 --leak-check=full --trace-children=yes \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --track-origins=yes \
		--log-file="$logs/$tag.%p.log" \
		"$FNFT" "$@" > "$logs/$tag.out" 2> "$logs/$tag.err" < /dev/null
	rc=$?
	# VG_WAIT=1: wait (up to 120 s) for every process of the run to end,
	# a detached watchdog included
	if [ "${VG_WAIT:-0}" = 1 ]; then
		local i
		for i in $(seq 1 120); do
			grep -L 'ERROR SUMMARY:' "$logs/$tag".*.log | grep -q . || break
			sleep 1
		done
	fi
	for f in "$logs/$tag".*.log; do
		[ -f "$f" ] || continue
		sum=$(grep -h 'ERROR SUMMARY:' "$f" | tail -1)
		# a process killed by a signal (a watchdog SIGTERMed by confirm)
		# writes no summary: only errors shown before count
		if [ -z "$sum" ]; then
			grep -qE '== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and dest)' "$f" || continue
			sum="errors before the process was killed"
		fi
		case $sum in
		*"ERROR SUMMARY: 0 errors"*) ;;
		*)
			echo "FAIL: $name ($*): valgrind: $sum" >&2
			sed 's/^/    /' "$f" | head -80 >&2
			bad=$((bad + 1))
			return
			;;
		esac
	done
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $name ($*): exit $rc, expected $want: $(head -5 "$logs/$tag.err")" >&2
		bad=$((bad + 1))
		return
	fi
	echo "ok $n $name ($((SECONDS - start)) s)"
}

# offline
vg 0 catalog catalog
vg 0 catalog-json catalog --json
vg 0 check -c "$site" check
vg 0 check-both -c "$golden/entries.conf" check
vg 0 check-warnings -c "$golden/empty-group.conf" check
vg 0 export -c "$site" export
vg 0 export-secondary -c "$site" export --node secondary
vg 0 diff-same diff "$site" "$site"
vg 1 diff-changed diff "$golden/primary.conf" "$golden/entries.conf"
vg 1 diff-summary diff --summary "$golden/primary.conf" "$golden/ipv6-only.conf"
vg 1 diff-summary-json diff --summary --json "$golden/primary.conf" "$golden/entries.conf"
vg 1 diff-markdown diff --format markdown "$golden/primary.conf" "$golden/disable.conf"
sed '/^node = /d' "$golden/primary.conf" > "$tmp/shared.conf"
mkdir -p "$tmp/node/site.conf.d"
cp "$golden/primary.conf" "$tmp/node/site.conf"
printf '[group browser]\naddress = 10.50.0.0/16\n' > "$tmp/node/site.conf.d/50.conf"
# shared.conf is read with the node's drop-ins: no difference in either role
vg 0 diff-roles-dropins diff --json "$tmp/shared.conf" "$tmp/node"
vg 0 explain-accepted -c "$site" explain --from 10.20.0.5 --port 443
vg 1 explain-dropped -c "$site" explain --from 192.0.2.1 --port 22 --proto udp
vg 0 explain-outbound -c "$site" explain --to 10.0.1.21 --port 1433

# bad input: exit 2, and still no leak
printf '[cluster]\nprimary = 10.0.0.1\n[group browser]\naddress = 10.20.1.0/16\n' > "$tmp/bad.conf"
printf '[entry x]\nprotocol = tcp\n' > "$tmp/bad.ini"
vg 2 check-bad-site -c "$tmp/bad.conf" check
vg 2 check-missing-site -c "$tmp/nonexistent.conf" check
vg 2 check-bad-catalog --catalog "$tmp/bad.ini" -c "$site" check
vg 2 bad-node -c "$site" export --node tertiary
vg 2 bad-command -c "$site" frobnicate
vg 2 bad-option -c "$site" apply --bogus

# the kernel
vg 1 dry-run-no-table -c "$site" dry-run
vg 1 status-no-table -c "$site" status
vg 0 apply -c "$site" apply
vg 0 apply-in-sync -c "$site" apply
vg 0 dry-run-in-sync -c "$site" dry-run
vg 0 dry-run-verify -c "$site" dry-run --verify
vg 0 dry-run-json -c "$site" dry-run --json
vg 0 status -c "$site" status
vg 0 status-json -c "$site" status --json
# the live table alone when the site or the catalog cannot be loaded
vg 2 status-bad-site -c "$tmp/bad.conf" status --json
vg 2 status-bad-catalog --catalog "$tmp/bad.ini" -c "$site" status
vg 0 explain-live-bad-site -c "$tmp/bad.conf" explain --from 10.20.0.5 --port 443 --live
vg 0 explain-live -c "$site" explain --from 10.20.0.5 --port 443 --live
vg 1 dry-run-other-site -c "$golden/entries.conf" dry-run
vg 0 apply-incremental -c "$golden/entries.conf" apply
vg 0 apply-no-state -c "$site" --no-state apply

# drift: someone else's rule and element in our table; and rules the
# decoder only half reads: two address matches (D7 in docs/hardening.md,
# a leak in read_addr()), a comment that is not UTF-8 (D5)
nft add rule inet finesse input tcp dport 9999 counter accept
nft add element inet finesse browser_v4 '{ 10.99.0.0/16 }'
nft add rule inet finesse output meta nfproto ipv4 ip daddr @browser_v4 \
	meta nfproto ipv4 ip saddr @browser_v4 accept
printf 'add rule inet finesse input tcp dport 9 accept comment "bad\377"\n' | nft -f -
vg 1 dry-run-drift -c "$site" dry-run
vg 1 dry-run-drift-json -c "$site" dry-run --json
vg 1 dry-run-drift-summary -c "$site" dry-run --summary --json
vg 1 dry-run-drift-markdown -c "$site" dry-run --format markdown
vg 1 status-drift -c "$site" status
vg 0 apply-repair -c "$site" apply

# confirm or roll back
vg 0 apply-confirm -c "$golden/entries.conf" apply --confirm 60
vg 0 confirm -c "$golden/entries.conf" confirm
vg 0 apply-confirm-2 -c "$site" apply --confirm 60
vg 0 rollback -c "$site" rollback
# no confirm: the watchdog itself puts the confirmed table back
VG_WAIT=1 vg 0 apply-confirm-expires -c "$site" apply --confirm 3
if "$FNFT" -c "$golden/entries.conf" dry-run > "$logs/after-expiry" 2>&1; then
	echo "ok $n the expired confirm restored the previous table"
else
	echo "FAIL: the watchdog did not restore the previous table: $(head -20 "$logs/after-expiry")" >&2
	bad=$((bad + 1))
fi

vg 0 remove -c "$site" remove
vg 0 remove-missing -c "$site" remove

echo "$n runs under valgrind, $bad failed"
[ "$bad" = 0 ]
