#!/bin/bash
# Traffic test: real TCP connections through the planned table.
#
# A router namespace joins, by veth pairs, the two Finesse nodes (fina holds
# the primary's addresses, finb the secondary's), a browser, an agent
# desktop, a stranger, the AW DB, CTI sides A and B, an admin host and a
# gadget web server; every link is dual stack (documentation ranges only).
# Every host runs the same listener on every port used below.  The table is
# loaded into one node at a time, before it sends anything, and each check
# is one connection, IPv4 and IPv6, that must either pass -- and then carry
# 16 KiB each way, so the reply traffic is proven too -- or be blocked
# (a silent drop: timeout, or EPERM from the node's own output hook).
# A connection refused by a RST or an unreachable is neither: it fails.
#
# FNFT_APPLY=1 loads with `finesse-nft apply`, FNFT_APPLY=0 with
# `finesse-nft export | nft -f -`; unset: apply when the CLI has it.
FNFT=$1   # $2, the source root, is accepted for symmetry and not needed
. "$(dirname "$0")/lib.sh"
set -o pipefail

require_netns
command -v python3 >/dev/null || no_netns "python3 is not installed"
# the interpreter itself, not a wrapper (pyenv's shims cost 0.1 s a call)
PY=$(python3 -c 'import sys; print(sys.executable)') || fail "python3 does not run"

P=fnft$$
tmp=$(mktemp -d)
HOSTS="fina finb browser agent stranger awdb ctia ctib admin web"
ALL_NS=()
cleanup() {
	local ns pid
	for ns in "${ALL_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
	done
	for ns in "${ALL_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- topology
# link i: 198.51.100.(16i)/28 and 2001:db8:fe:i::/64; router .1 / ::1,
# host .2 / ::2
declare -A V4 V6 NSOF
i=0
for h in $HOSTS; do
	V4[$h]=198.51.100.$((16 * i + 2)); V6[$h]=2001:db8:fe:$i::2
	NSOF[$h]=$P-$h
	i=$((i + 1))
done
R=$P-router

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

mkns() {
	ip netns add "$1" 2>"$tmp/err" || no_netns "ip netns add $1: $(cat "$tmp/err")"
	ALL_NS+=("$1")
	nsx "$1" ip link set lo up || fail "$1: lo up"
	nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 ||
		fail "$1: IPv6 sysctls"
}

mkns "$R"
nsx "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
	fail "router: forwarding sysctls"
i=0
for h in $HOSTS; do
	ns=${NSOF[$h]}; rdev=r-$h
	mkns "$ns"
	# both ends are born in their namespaces: the host's sees nothing
	ip link add name "$rdev" netns "$R" type veth peer name eth0 netns "$ns" 2>"$tmp/err" ||
		no_netns "veth $rdev: $(cat "$tmp/err")"
	nsx "$R" sysctl -qw "net.ipv6.conf.$rdev.accept_dad=0" || fail "router: $rdev accept_dad"
	nsx "$ns" sysctl -qw net.ipv6.conf.eth0.accept_dad=0 || fail "$h: eth0 accept_dad"
	nsx "$R" ip addr add "198.51.100.$((16 * i + 1))/28" dev "$rdev" || fail "router: $rdev v4"
	nsx "$R" ip -6 addr add "2001:db8:fe:$i::1/64" dev "$rdev" nodad || fail "router: $rdev v6"
	nsx "$R" ip link set "$rdev" up || fail "router: $rdev up"
	nsx "$ns" ip addr add "${V4[$h]}/28" dev eth0 || fail "$h: v4"
	nsx "$ns" ip -6 addr add "${V6[$h]}/64" dev eth0 nodad || fail "$h: v6"
	nsx "$ns" ip link set eth0 up || fail "$h: eth0 up"
	nsx "$ns" ip route add default via "198.51.100.$((16 * i + 1))" || fail "$h: v4 route"
	nsx "$ns" ip -6 route add default via "2001:db8:fe:$i::1" || fail "$h: v6 route"
	i=$((i + 1))
done

# ---------------------------------------------------------------- servers
PORTS="22 80 443 1433 5222 5223 7071 7443 8082 8445 42027 42127 43027"
cat > "$tmp/server.py" <<'EOF'
import socket, sys, threading
# Dual-stack listener on every port; reads one line, answers it reversed.
def handle(c):
    try:
        c.settimeout(5)
        buf = b''
        while not buf.endswith(b'\n'):
            d = c.recv(65536)
            if not d:
                return
            buf += d
        c.sendall(buf[:-1][::-1] + b'\n')
    except OSError:
        pass
    finally:
        c.close()
def serve(s):
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()
socks = [socket.create_server(('::', int(p)), family=socket.AF_INET6,
                              dualstack_ipv6=True, backlog=128)
         for p in sys.argv[2:]]
for s in socks:
    threading.Thread(target=serve, args=(s,), daemon=True).start()
open(sys.argv[1], 'w').close()
threading.Event().wait()
EOF
for h in $HOSTS; do
	# shellcheck disable=SC2086
	nsx "${NSOF[$h]}" "$PY" "$tmp/server.py" "$tmp/ready.$h" $PORTS \
		>/dev/null 2>"$tmp/server.$h.err" &
done
for h in $HOSTS; do
	for _ in $(seq 50); do [ -e "$tmp/ready.$h" ] && break; sleep 0.1; done
	[ -e "$tmp/ready.$h" ] || fail "listener on $h did not start: $(cat "$tmp/server.$h.err")"
done

# ---------------------------------------------------------------- probes
# probe.py RESDIR ID HOST PORT [ID HOST PORT ...]: one connection per
# triple, all at once (one thread each), 2 s to connect, 2 s for the
# answer.  RESDIR/ID gets: "ok" (16 KiB out, 16 KiB back, verified);
# "blocked (...)" (timeout, or EPERM/EACCES from our own output hook);
# "error: ..." for anything else (refused, unreachable, no or wrong reply).
cat > "$tmp/probe.py" <<'EOF'
import errno, os, socket, sys, threading
def probe(host, port):
    s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET)
    s.settimeout(2)
    try:
        s.connect((host, port))
    except socket.timeout:
        return 'blocked (timeout)'
    except OSError as e:
        if e.errno in (errno.EPERM, errno.EACCES):
            return 'blocked (%s)' % errno.errorcode[e.errno]
        return 'error: %s' % errno.errorcode.get(e.errno, e)
    msg = os.urandom(8).hex().encode() + b'x' * 16384
    try:
        s.sendall(msg + b'\n')
        buf = b''
        while not buf.endswith(b'\n'):
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except OSError as e:
        return 'error: connected, then %s' % (e,)
    finally:
        s.close()
    if buf != msg[::-1] + b'\n':
        return 'error: connected, reply of %d bytes is wrong' % len(buf)
    return 'ok'
def run(ident, host, port):
    try:
        r = probe(host, int(port))
    except Exception as e:
        r = 'error: %r' % (e,)
    with open(os.path.join(sys.argv[1], ident), 'w') as f:
        f.write(r + '\n')
a = sys.argv[2:]
ts = [threading.Thread(target=run, args=a[i:i + 3]) for i in range(0, len(a), 3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
EOF

# expect SRC DST PORT pass|block WHAT: queue one check per family
QUEUE=$tmp/queue; : > "$QUEUE"
NQ=0
# explain_of SRC DST ADDR SRCADDR PORT: what `finesse-nft explain` says of
# the check (pass, block, or - when the node is neither end)
explain_of() {
	local src=$1 dst=$2 addr=$3 srcaddr=$4 port=$5 dir
	if [ "$dst" = "$EX_NODE" ]; then dir=(--from "$srcaddr")
	elif [ "$src" = "$EX_NODE" ]; then dir=(--to "$addr")
	else echo -; return; fi
	if "$FNFT" -c "$EX_SITE" explain --node "$EX_ROLE" "${dir[@]}" --port "$port" >/dev/null 2>&1
	then echo pass; else echo block; fi
}

expect() {
	local src=$1 dst=$2 port=$3 want=$4 what=$5 fam addr srcaddr ex
	for fam in IPv4 IPv6; do
		if [ $fam = IPv4 ]; then addr=${V4[$dst]} srcaddr=${V4[$src]}
		else addr=${V6[$dst]} srcaddr=${V6[$src]}; fi
		ex=$(explain_of "$src" "$dst" "$addr" "$srcaddr" "$port")
		NQ=$((NQ + 1))
		printf '%s %s %s %s %s %s %s %s %s\n' "$NQ" "${NSOF[$src]}" "$addr" "$port" \
			"$want" "$fam" "$ex" "$src->$dst" "$what" >> "$QUEUE"
	done
}

TOTAL=0; FAILED=0; EXPLAINED=0
# run the queued checks in parallel, then judge them in queue order
run_checks() {
	local scen=$1 id ns addr port want fam path what got
	local pids=() srcns
	mkdir -p "$tmp/res"; rm -f "$tmp/res/"*
	# one probe process per source namespace, all namespaces at once
	# shellcheck disable=SC2013
	for srcns in $(cut -d' ' -f2 "$QUEUE" | sort -u); do
		# shellcheck disable=SC2046
		nsx "$srcns" "$PY" "$tmp/probe.py" "$tmp/res" \
			$(awk -v ns="$srcns" '$2 == ns { print $1, $3, $4 }' "$QUEUE") \
			2>"$tmp/probe.$srcns.err" &
		pids+=($!)
	done
	wait "${pids[@]}"
	while read -r id ns addr port want fam ex path what; do
		read -r got < "$tmp/res/$id" ||
			got="error: no result ($(cat "$tmp/probe.$ns.err" 2>/dev/null))"
		TOTAL=$((TOTAL + 1))
		case "$want:$got" in
		pass:ok|block:blocked*) ;;
		*)
			FAILED=$((FAILED + 1))
			echo "FAIL: [$scen] $what tcp/$port $fam $path ($addr): expected $want, got $got" >&2
			;;
		esac
		# explain must agree with what the kernel did
		[ "$ex" = - ] && continue
		EXPLAINED=$((EXPLAINED + 1))
		case "$ex:$got" in
		pass:ok|block:blocked*) ;;
		*)
			FAILED=$((FAILED + 1))
			echo "FAIL: [$scen] explain says $ex for $what tcp/$port $fam $path ($addr), the kernel: $got" >&2
			;;
		esac
	done < "$QUEUE"
	: > "$QUEUE"
}

# rule_counters NODE SCEN ROW...: after the traffic, each ROW has a counted
# rule per family in the node's table, and every counted rule of the table
# has matched packets: the connections passed by their row's rule, and no
# row's rule is shadowed by another
rule_counters() {
	local node=$1 scen=$2 line; shift 2
	nsx "${NSOF[$node]}" nft -j list table inet finesse > "$tmp/live.json" 2>"$tmp/err" ||
		fail "[$scen] nft -j list table inet finesse: $(cat "$tmp/err")"
	while read -r line; do
		TOTAL=$((TOTAL + 1))
		case $line in
		ok*) ;;
		*) FAILED=$((FAILED + 1)); echo "FAIL: [$scen] $line" >&2;;
		esac
	done < <("$PY" - "$tmp/live.json" "$@" <<'EOF'
import json, sys
hits = {}
for o in json.load(open(sys.argv[1]))['nftables']:
    r = o.get('rule')
    if not r or 'comment' not in r:
        continue
    fam, peer, pk = None, 'any', None
    for e in r['expr']:
        m = e.get('match')
        if m and isinstance(m['left'], dict) and 'payload' in m['left']:
            pl = m['left']['payload']
            if pl.get('protocol') in ('ip', 'ip6'):
                fam = 'IPv4' if pl['protocol'] == 'ip' else 'IPv6'
                peer = str(m['right'])
        if 'counter' in e:
            pk = e['counter']['packets']
    if pk is None:
        continue
    key = (r['comment'], fam, '%s %s' % (r['chain'], peer))
    hits[key] = hits.get(key, 0) + pk
for row in sys.argv[2:]:
    for fam in ('IPv4', 'IPv6'):
        if not any(k[0] == row and k[1] == fam for k in hits):
            print('%s %s: no counted rule in the table' % (row, fam))
for (row, fam, where), pk in sorted(hits.items()):
    if pk:
        print('ok %s %s %s %d' % (row, fam, where, pk))
    else:
        print('%s %s (%s): its counter is 0 after the traffic' % (row, fam, where))
EOF
	)
}

# ---------------------------------------------------------------- loading
if [ -n "${FNFT_APPLY:-}" ]; then
	USE_APPLY=$FNFT_APPLY
elif "$FNFT" apply --help >/dev/null 2>&1; then
	USE_APPLY=1
else
	USE_APPLY=0
fi

# load_table NODE_NS SITE ROLE
load_table() {
	local ns=$1 site=$2 role=$3
	# a fresh start for neighbour discovery: it must work through the table
	nsx "$ns" ip neigh flush all 2>/dev/null
	nsx "$R" ip neigh flush all 2>/dev/null
	if [ "$USE_APPLY" = 1 ]; then
		nsx "$ns" "$FNFT" -c "$site" apply --node "$role" 2>"$tmp/err" ||
			fail "apply --node $role in $ns: $(cat "$tmp/err")"
	else
		# shellcheck disable=SC2016
		nsx "$ns" bash -o pipefail -c '"$0" -c "$1" export --node "$2" | nft -f -' \
			"$FNFT" "$site" "$role" 2>"$tmp/err" ||
			fail "export --node $role | nft -f - in $ns: $(cat "$tmp/err")"
	fi
	nsx "$ns" nft list chain inet finesse input >/dev/null 2>&1 ||
		fail "no table inet finesse in $ns after loading it"
}

unload_table() {
	nsx "$1" nft delete table inet finesse 2>/dev/null || true
}

# ---------------------------------------------------------------- sites
# site_file NAME [extra lines for [policy]] -- the cluster is always
# primary = fina, secondary = finb; extra sections follow on stdin
site_file() {
	local f=$tmp/$1.conf
	{
		cat <<EOF
# generated by tests/traffic.sh
[cluster]
primary   = ${V4[fina]}
primary   = ${V6[fina]}
secondary = ${V4[finb]}
secondary = ${V6[finb]}
node      = primary

[policy]
input  = drop
output = drop
EOF
		shift; printf '%s\n' "$@"
		cat <<EOF

[group browser]
address = ${V4[browser]%.*}.$(( ${V4[browser]##*.} - 2 ))/28
address = ${V6[browser]%::*}::/64

[group agent-desktop]
address = ${V4[agent]}
address = ${V6[agent]}

[group web-server]
address = ${V4[web]}
address = ${V6[web]}

[group awdb]
address = ${V4[awdb]}
address = ${V6[awdb]}

[group cti-a]
address = ${V4[ctia]}
address = ${V6[ctia]}

[group cti-b]
address = ${V4[ctib]}
address = ${V6[ctib]}

[group admin]
address = ${V4[admin]}
address = ${V6[admin]}

[entry ssh]
listener    = SSH
protocol    = tcp
listen-port = 22
remote      = admin
direction   = inbound
note        = platform administration
EOF
		cat
	} > "$f"
	"$FNFT" -c "$f" check >/dev/null 2>"$tmp/err" || fail "$f does not check: $(cat "$tmp/err")"
	echo "$f"
}

MAIN=$(site_file main < /dev/null) || exit 1
DENY=$(site_file insecure-deny "insecure = deny" < /dev/null) || exit 1
MOVED=$(site_file moved-port <<'EOF'

[port]
ucce.cti-a = 42127
EOF
) || exit 1

# ---------------------------------------------------------------- checks
# every catalog row and the site row, from inside and outside their groups
full_checks() {
	local node=$1 peer=$2 p
	# inbound rows
	for p in 80 8082; do expect browser "$node" $p pass tomcat.http; done
	for p in 443 8445; do expect browser "$node" $p pass tomcat.https; done
	expect browser "$node" 5222 pass notification.xmpp
	expect browser "$node" 5223 pass notification.xmpps
	expect browser "$node" 7071 pass notification.bosh-http
	expect browser "$node" 7443 pass notification.bosh-https
	expect browser "$node" 22 block "ssh (admin only)"
	expect agent "$node" 5222 pass notification.xmpp
	expect agent "$node" 5223 pass notification.xmpps
	expect agent "$node" 7071 pass notification.bosh-http
	expect agent "$node" 7443 pass notification.bosh-https
	expect agent "$node" 80 block "tomcat.http (browser only)"
	expect agent "$node" 443 block "tomcat.https (browser only)"
	expect "$peer" "$node" 5222 pass cluster.xmpp
	expect "$peer" "$node" 5223 block "notification.xmpps (not the peer)"
	expect "$peer" "$node" 443 block "tomcat.https (not the peer)"
	expect admin "$node" 22 pass "ssh (site entry)"
	expect admin "$node" 443 block "tomcat.https (not admin)"
	expect web "$node" 80 block "tomcat.http (web-server is outbound only)"
	for p in 22 80 8082 443 8445 5222 5223 7071 7443; do
		expect stranger "$node" $p block "stranger inbound"
	done
	# outbound rows, [policy] output = drop
	for p in 80 8082; do expect "$node" web $p pass gadget.http; done
	for p in 443 8445; do expect "$node" web $p pass gadget.https; done
	expect "$node" web 5222 block "gadget.* (other port)"
	expect "$node" web 1433 block "gadget.* (other port)"
	expect "$node" awdb 1433 pass ucce.awdb
	expect "$node" awdb 80 block "ucce.awdb (other port)"
	expect "$node" awdb 42027 block "ucce.awdb (other port)"
	expect "$node" ctia 42027 pass ucce.cti-a
	expect "$node" ctia 43027 block "ucce.cti-a (cti-b's port)"
	expect "$node" ctia 1433 block "ucce.cti-a (other port)"
	expect "$node" ctib 43027 pass ucce.cti-b
	expect "$node" ctib 42027 block "ucce.cti-b (cti-a's port)"
	expect "$node" "$peer" 5222 pass cluster.xmpp
	expect "$node" "$peer" 5223 block "cluster.xmpp (other port)"
	expect "$node" "$peer" 443 block "cluster.xmpp (other port)"
	expect "$node" admin 22 block "ssh (inbound only)"
	expect "$node" browser 443 block "browser (inbound only)"
	for p in 80 443 1433 5222 42027 43027; do
		expect "$node" stranger $p block "stranger outbound"
	done
}

start=$SECONDS
echo "loading with: $([ "$USE_APPLY" = 1 ] && echo "finesse-nft apply" || echo "finesse-nft export | nft -f -")"

# 1. the node as primary (fina), then as secondary (finb): the peer flips
for role in primary secondary; do
	if [ $role = primary ]; then node=fina; peer=finb; else node=finb; peer=fina; fi
	unload_table "${NSOF[$peer]}"
	EX_NODE=$node EX_SITE=$MAIN EX_ROLE=$role
	load_table "${NSOF[$node]}" "$MAIN" $role
	full_checks $node $peer
	run_checks "main, $node as $role"
	rule_counters $node "main, $node as $role counters" tomcat.http tomcat.https \
		notification.xmpp notification.xmpps notification.bosh-http \
		notification.bosh-https cluster.xmpp gadget.http gadget.https \
		ucce.awdb ucce.cti-a ucce.cti-b ssh
done
unload_table "${NSOF[finb]}"

# 2. insecure = deny: the insecure rows close for browsers and agents,
#    5222 stays open to the peer (cluster.xmpp)
EX_NODE=fina EX_SITE=$DENY EX_ROLE=primary
load_table "${NSOF[fina]}" "$DENY" primary
for p in 80 8082; do expect browser fina $p block "tomcat.http (insecure = deny)"; done
expect browser fina 5222 block "notification.xmpp (insecure = deny)"
expect browser fina 7071 block "notification.bosh-http (insecure = deny)"
expect agent fina 5222 block "notification.xmpp (insecure = deny)"
expect agent fina 7071 block "notification.bosh-http (insecure = deny)"
for p in 443 8445; do expect browser fina $p pass tomcat.https; done
expect browser fina 5223 pass notification.xmpps
expect browser fina 7443 pass notification.bosh-https
expect agent fina 5223 pass notification.xmpps
expect agent fina 7443 pass notification.bosh-https
expect finb fina 5222 pass "cluster.xmpp (insecure = deny)"
expect fina finb 5222 pass "cluster.xmpp (insecure = deny)"
expect stranger fina 443 block "stranger inbound"
run_checks "insecure = deny, fina as primary"

# 3. [port] ucce.cti-a = 42127: the row moves, the others stay
EX_NODE=fina EX_SITE=$MOVED EX_ROLE=primary
load_table "${NSOF[fina]}" "$MOVED" primary
expect fina ctia 42127 pass "ucce.cti-a (moved to 42127)"
expect fina ctia 42027 block "ucce.cti-a (old port 42027)"
expect fina ctib 43027 pass ucce.cti-b
expect fina awdb 1433 pass ucce.awdb
expect fina stranger 42127 block "stranger outbound"
expect browser fina 443 pass tomcat.https
run_checks "moved cti-a port, fina as primary"

[ "$FAILED" = 0 ] || fail "traffic: $FAILED of $TOTAL checks failed"
[ "$EXPLAINED" -ge 200 ] || fail "explain was compared with the kernel only $EXPLAINED times"
echo "traffic: $TOTAL checks passed, explain agreed with the kernel on $EXPLAINED ($((SECONDS - start)) s)"
