#!/bin/bash
# Regenerate the seed corpus of fuzz-decode: real kernel dumps of table
# inet finesse, one file per case, each taken in a fresh network namespace
# (never the host's).
#
#   tests/fuzz/make-decode-corpus.sh FINESSE_NFT [SRC]
#
# FINESSE_NFT is the built CLI (build/tools/finesse-nft), SRC the source
# root (default: two levels above this script).  Writes
# SRC/tests/fuzz/corpus/decode/seed-*.bin, replacing earlier seeds (crash
# reproducers, crash-*, are left alone).  Needs root, unshare, nft, cc and
# libmnl-dev.
set -eu
FNFT=$(realpath "$1")
SRC=$(realpath "${2:-$(dirname "$0")/../..}")
out=$SRC/tests/fuzz/corpus/decode
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

cc -O1 -o "$tmp/capture-dump" "$SRC/tests/fuzz/capture-dump.c" \
	$(pkg-config --cflags --libs libmnl)
unshare -n true || { echo "cannot create a network namespace" >&2; exit 1; }
rm -f "$out"/seed-*.bin
mkdir -p "$out"

# capture NAME SITE SETUP: apply SITE (unless "-"), run the nft commands of
# SETUP (a shell snippet), dump table inet finesse into seed-NAME.bin
capture() {
	local name=$1 site=$2 setup=$3
	unshare -n bash -c '
		set -e
		ip link set lo up
		[ "$2" = - ] || "$1" -c "$2" apply --state-dir "$5/state" >/dev/null 2>&1
		eval "$3"
		"$4" "$6"
	' sh "$FNFT" "$site" "$setup" "$tmp/capture-dump" "$tmp" "$out/seed-$name.bin"
	echo "seed-$name.bin: $(stat -c %s "$out/seed-$name.bin") bytes"
}

for conf in "$SRC"/tests/golden/*.conf; do
	capture "golden-$(basename "$conf" .conf)" "$conf" :
done
capture example "$SRC/examples/site.conf" :
# small seeds fuzz faster: one row, one set with an element
cat > "$tmp/minimal.conf" <<'CONF'
[cluster]
primary = 10.0.0.11
secondary = 10.0.0.12
node = primary
[policy]
ping = none
insecure = deny
[group browser]
address = 10.20.0.0/16
[disable]
entry = notification.xmpps
entry = notification.bosh-https
entry = cluster.xmpp
entry = gadget.http
entry = gadget.https
entry = ucce.awdb
entry = ucce.cti-a
entry = ucce.cti-b
CONF
capture minimal "$tmp/minimal.conf" :
capture minimal-drift "$tmp/minimal.conf" '
	nft add rule inet finesse output tcp dport 25 drop
	nft add element inet finesse browser_v6 "{ 2001:db8::/32 }"'

g=$SRC/tests/golden/primary.conf
# an empty table of our name, and no table at all (other tables only)
capture empty-table - 'nft add table inet finesse'
capture no-table - 'nft add table inet other; nft add chain inet other c'
# drift: what others may put into our table
capture drift-rule "$g" 'nft add rule inet finesse input tcp dport 9999 counter accept'
capture drift-element "$g" 'nft add element inet finesse browser_v4 "{ 10.99.0.0/16 }"'
capture drift-insert "$g" 'nft insert rule inet finesse input meta mark 0x2a drop'
capture drift-exotic "$g" '
	nft add rule inet finesse input ip saddr 10.0.0.0/8 tcp dport { 1-1024, 8080 } ct state new limit rate 3/second burst 7 packets log prefix \"x \" level warn counter accept comment \"hand\"
	nft add rule inet finesse output udp sport 53 meta l4proto udp oifname "eth0" reject
	nft add rule inet finesse input icmpv6 type { echo-request, nd-router-advert } accept
	nft add rule inet finesse input tcp flags syn tcp option maxseg size set 1400
	nft add rule inet finesse input ip6 daddr ::1 ip6 nexthdr tcp drop
	nft add rule inet finesse input meta nfproto ipv4 ip ttl 1 counter packets 5 bytes 600 accept
	nft add rule inet finesse output meta skuid 0 quota 10 mbytes accept'
capture drift-chain "$g" '
	nft add chain inet finesse extra
	nft add rule inet finesse extra accept
	nft add rule inet finesse input jump extra
	nft add chain inet finesse forward2 "{ type filter hook forward priority 0; policy drop; }"
	nft add chain inet finesse pre "{ type nat hook prerouting priority -100; }"'
capture drift-sets "$g" '
	nft add set inet finesse svc "{ type inet_service; flags interval; elements = { 22, 80-90 }; }"
	nft add set inet finesse tmo "{ type ipv4_addr; flags timeout; timeout 1h; elements = { 10.1.1.1 } ; }"
	nft add set inet finesse cat "{ type ipv4_addr . inet_service; elements = { 10.2.2.2 . 22 }; }"
	nft add map inet finesse m "{ type ipv4_addr : verdict; elements = { 10.3.3.3 : accept }; }"
	nft add set inet finesse browser_vX "{ type ipv6_addr; }"
	nft add rule inet finesse input ip saddr . tcp dport @cat accept
	nft add rule inet finesse input ip saddr vmap @m'
capture drift-policy "$g" '
	nft add chain inet finesse input "{ policy accept; }"
	nft delete rule inet finesse output handle $(nft -a list chain inet finesse output | awk "/ct state/ {print \$NF; exit}")'
capture foreign-tables "$g" '
	nft add table ip finesse
	nft add chain ip finesse c "{ type filter hook input priority 10; }"
	nft add rule ip finesse c tcp dport 1 accept
	nft add table inet finesse2
	nft add set inet finesse2 browser_v4 "{ type ipv4_addr; flags interval; elements = { 10.0.0.0/8 }; }"
	nft add chain inet finesse2 input "{ type filter hook input priority 0; }"
	nft add rule inet finesse2 input ip saddr @browser_v4 accept'
