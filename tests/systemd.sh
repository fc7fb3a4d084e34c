#!/bin/bash
# contrib/systemd/finesse-nft@.service as meson generated it:
#  - @bindir@ was substituted; ExecStart and ExecReload are `apply --node %i`;
#    oneshot, RemainAfterExit=yes, no ExecStop (stopping keeps the table),
#    DefaultDependencies=no, Wants= and Before=network-pre.target;
#  - `systemd-analyze verify` accepts the primary and secondary instances
#    with nothing to say (its Documentation= man pages found when built);
#  - `systemd-analyze security --offline` rates its exposure at most 2.0;
#  - in a throwaway network namespace, the unit's ExecStart and ExecReload
#    command lines work with no capability but the unit's
#    CapabilityBoundingSet, and (with strace) make no system call outside
#    its SystemCallFilter;
#  - a restart or reload of nftables.service (Debian's ruleset begins with
#    `flush ruleset`, its ExecStop= is `nft flush ruleset`) brings our table
#    back: the unit is After=, PartOf= and ReloadPropagatedFrom=
#    nftables.service, `systemd-analyze verify` accepts it next to
#    nftables.service, and in a network namespace the command lines of both
#    units run in the order systemd's jobs take from those lines.  systemd
#    itself does not run here: this part is a simulation (see below), with
#    a control that loses the table without the propagation lines.
# Usage: systemd.sh CLI SRC UNIT [MANDIR]
FNFT=$(realpath "$1"); SRC=$(realpath "$2"); UNIT=$3; MANDIR=${4-}
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

skip() {
	[ "${CI:-}" = true ] && fail "$* (CI requires it)"
	echo "SKIP: $*" >&2
	exit 77
}
[ -f "$UNIT" ] || fail "no generated unit $UNIT"
command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (apt-get install systemd)"

# ---- what the unit says ----
key() { sed -n "s/^$1=//p" "$UNIT"; }
grep -q '@[a-z]*@' "$UNIT" && fail "unsubstituted @...@ in $UNIT: $(grep '@[a-z]*@' "$UNIT")"
start=$(key ExecStart); reload=$(key ExecReload)
case $start in /*/finesse-nft" apply --node %i") ;; *) fail "ExecStart is '$start'";; esac
[ "$reload" = "$start" ] || fail "ExecReload '$reload' does not apply again like ExecStart '$start'"
[ "$(key Type)" = oneshot ] || fail "Type is not oneshot"
[ "$(key RemainAfterExit)" = yes ] || fail "RemainAfterExit is not yes"
[ -z "$(key ExecStop)$(key ExecStopPost)" ] || fail "the unit has an ExecStop: stopping must keep the table"
[ "$(key DefaultDependencies)" = no ] || fail "DefaultDependencies is not no"
for k in Wants Before; do
	key "$k" | grep -qw 'network-pre\.target' || fail "$k= lacks network-pre.target"
done
key WantedBy | grep -q . || fail "no [Install] WantedBy="
bindir=${start%/finesse-nft *}

# ---- systemd-analyze verify ----
# A copy whose binary is the one under test (verify wants it to exist).
mkdir -p "$tmp/units"
sed "s|^\(Exec[A-Za-z]*=\)$bindir/finesse-nft|\1$FNFT|" "$UNIT" > "$tmp/units/finesse-nft@.service"
grep -q "^ExecStart=$FNFT apply" "$tmp/units/finesse-nft@.service" || fail "cannot point the unit at $FNFT"
man=--man=no
if [ -n "$MANDIR" ] && [ -f "$MANDIR/finesse-nft.8" ] && [ -f "$MANDIR/finesse-nft.conf.5" ]; then
	mkdir -p "$tmp/man/man8" "$tmp/man/man5"
	cp "$MANDIR/finesse-nft.8" "$tmp/man/man8/"; cp "$MANDIR/finesse-nft.conf.5" "$tmp/man/man5/"
	command -v man >/dev/null && man=--man=yes
fi
[ "$man" = --man=no ] && echo "note: man pages not built or man missing; verify skips Documentation=" >&2
for role in primary secondary; do
	MANPATH=$tmp/man systemd-analyze verify "$man" "$tmp/units/finesse-nft@$role.service" \
		> "$tmp/verify.out" 2>&1 || fail "systemd-analyze verify ($role): $(cat "$tmp/verify.out")"
	[ -s "$tmp/verify.out" ] && fail "systemd-analyze verify ($role) complains: $(cat "$tmp/verify.out")"
done
echo "systemd-analyze verify: ok"
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	systemd-analyze security --offline=yes --threshold=20 "$tmp/units/finesse-nft@primary.service" \
		> "$tmp/security.out" 2>&1 ||
		fail "exposure above 2.0: $(grep -v '✓' "$tmp/security.out" | tail -20)"
	echo "systemd-analyze security: $(sed -n 's/.*Overall exposure level[^:]*: //p' "$tmp/security.out")"
fi

# ---- the commands, with the unit's capabilities and system calls ----
in_netns true 2>/dev/null || skip "cannot create a network namespace to run the unit's commands"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
caps=$(key CapabilityBoundingSet | tr ' ' '\n' | sed -n 's/^CAP_\(.*\)/+\L\1/p' | paste -sd, -)
[ -n "$caps" ] || fail "no CapabilityBoundingSet="
mkdir -m 0700 "$tmp/state"		# StateDirectory=, StateDirectoryMode=0700
cp "$SRC/tests/golden/primary.conf" "$tmp/site.conf"
cp "$SRC/examples/site.conf" "$tmp/site2.conf"	# the reload's
# the unit's command lines (of the copy that runs the CLI under test), %i
# the role, pointed at our site and state files
ustart=$(sed -n 's/^ExecStart=//p' "$tmp/units/finesse-nft@.service")
ureload=$(sed -n 's/^ExecReload=//p' "$tmp/units/finesse-nft@.service")
unit_cmd() {
	local line=${1//%i/primary}
	# shellcheck disable=SC2086
	set -- $line
	echo "$@" -c "$tmp/site.conf" --state-dir "$tmp/state"
}
tracer=()
if ldd "$FNFT" 2>/dev/null | grep -q 'lib[atm]san\|libubsan'; then
	# LeakSanitizer cannot run under ptrace, and the sanitizer runtime makes
	# system calls of its own: the plain build's run checks the filter
	echo "note: a sanitized build; the system call filter is checked on the plain build" >&2
elif command -v strace >/dev/null; then
	tracer=(strace -f -qq -o "$tmp/trace")
elif [ "${CI:-}" = true ]; then
	fail "strace is not installed; CI checks the system call filter"
else
	echo "note: strace is not installed; the system call filter is not checked" >&2
fi
in_netns bash -c '
	t=$1 caps=$2 start=$3 reload=$4; shift 4
	sandbox() { setpriv --bounding-set=-all,$caps --inh-caps=-all --no-new-privs "$@"; }
	sandbox "$@" $start 2> "$t/start.err"; echo $? > "$t/rc"
	sandbox sh -c "grep -q CapBnd:.0000000000001000 /proc/self/status" && echo bounded > "$t/bounded"
	nft list table inet finesse > "$t/started" 2>&1
	cp "$t/site2.conf" "$t/site.conf"
	[ -n "${1-}" ] && mv "$t/trace" "$t/trace.start"
	sandbox "$@" $reload 2> "$t/reload.err"; echo $? >> "$t/rc"
	nft list table inet finesse > "$t/reloaded" 2>&1
	true
' sh "$tmp" "$caps" "$(unit_cmd "$ustart")" "$(unit_cmd "$ureload")" "${tracer[@]}" < /dev/null ||
	fail "the namespace run failed"
[ "$(tr '\n' ' ' < "$tmp/rc")" = "0 0 " ] ||
	fail "ExecStart/ExecReload under the unit's capabilities: exit $(tr '\n' ' ' < "$tmp/rc"): $(cat "$tmp/start.err" "$tmp/reload.err")"
[ "$caps" != "+net_admin" ] || [ -f "$tmp/bounded" ] || fail "setpriv did not bound the capabilities to CAP_NET_ADMIN"
grep -q 'comment "finesse-nft primary"' "$tmp/started" || fail "ExecStart did not apply the table: $(head -5 "$tmp/started")"
grep -q 'comment "finesse-nft primary"' "$tmp/reloaded" || fail "ExecReload lost the %i role: $(head -5 "$tmp/reloaded")"
cmp -s "$tmp/started" "$tmp/reloaded" && fail "ExecReload did not apply the changed site"
ls "$tmp/state"/*.state > /dev/null 2>&1 || fail "no state file was written under the unit's capabilities"
echo "ExecStart and ExecReload work with $caps only"

if [ ${#tracer[@]} -gt 0 ]; then
	# SystemCallFilter= lines: allow lists, then ~deny lists; groups expanded
	expand() {
		local x
		case $1 in
		@*) systemd-analyze syscall-filter "$1" 2>/dev/null | awk 'NR > 1 && /^    [^#]/ { print $1 }' |
			while read -r x; do expand "$x"; done ;;
		*) echo "$1" ;;
		esac
	}
	: > "$tmp/allow"; : > "$tmp/deny"
	while read -r line; do
		case $line in
		"~"*) for g in ${line#\~}; do expand "$g"; done >> "$tmp/deny" ;;
		*) for g in $line; do expand "$g"; done >> "$tmp/allow" ;;
		esac
	done < <(key SystemCallFilter)
	[ "$(sort -u "$tmp/allow" | wc -l)" -gt 100 ] || fail "cannot expand SystemCallFilter= with systemd-analyze"
	sort -u "$tmp/allow" > "$tmp/allow.s"; sort -u "$tmp/deny" > "$tmp/deny.s"
	cat "$tmp/trace.start" "$tmp/trace" | sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' | sort -u > "$tmp/used"
	[ "$(wc -l < "$tmp/used")" -gt 10 ] || fail "strace saw no system calls"
	outside=$(comm -23 "$tmp/used" "$tmp/allow.s" | tr '\n' ' ')
	denied=$(comm -12 "$tmp/used" "$tmp/deny.s" | tr '\n' ' ')
	[ -z "$outside" ] || fail "system calls outside SystemCallFilter=: $outside"
	[ -z "$denied" ] || fail "system calls the unit denies: $denied"
	echo "system calls: $(wc -l < "$tmp/used") used, all allowed by SystemCallFilter="
fi
# ---- nftables.service restarts and reloads ----
# No systemd manager runs in the test environment, so what it would do is
# simulated from the unit files' own lines, the way systemd orders jobs:
#  - `systemctl restart nftables`: a unit PartOf= (or BindsTo=) it gets a
#    (try-)restart job in the same transaction; with After=nftables.service
#    that job waits for nftables' whole restart job (its ExecStop=, then
#    ExecStart=), so ours stops (no ExecStop=: nothing) and starts after;
#    without After= nothing orders them, and the simulation takes the worst
#    order, ours first;
#  - `systemctl reload nftables`: a unit ReloadPropagatedFrom= it gets a
#    reload job, ordered after nftables' reload by After= the same way.
# The nftables.service used is the installed one (Debian's), else a
# stand-in with its command lines; its /etc/nftables.conf is a temporary
# file that begins with `flush ruleset`, as Debian's does.
nft_unit=""
for d in /lib/systemd/system /usr/lib/systemd/system; do
	[ -f "$d/nftables.service" ] && { nft_unit=$d/nftables.service; break; }
done
if [ -z "$nft_unit" ]; then
	echo "note: nftables.service is not installed; a stand-in with Debian's command lines" >&2
	nft_unit=$tmp/nftables.service.debian
	printf '%s\n' '[Unit]' 'Description=nftables' 'DefaultDependencies=no' \
		'Wants=network-pre.target' 'Before=network-pre.target shutdown.target' \
		'Conflicts=shutdown.target' '[Service]' 'Type=oneshot' 'RemainAfterExit=yes' \
		'ExecStart=/usr/sbin/nft -f /etc/nftables.conf' \
		'ExecReload=/usr/sbin/nft -f /etc/nftables.conf' \
		'ExecStop=/usr/sbin/nft flush ruleset' '[Install]' 'WantedBy=sysinit.target' > "$nft_unit"
fi
sed "s|/etc/nftables.conf|$tmp/nftables.conf|g; s|^\(Exec[A-Za-z]*=\)[^ ]*/nft |\1$(command -v nft) |" \
	"$nft_unit" > "$tmp/units/nftables.service"
grep -q "^ExecStop=.*nft flush ruleset" "$tmp/units/nftables.service" ||
	fail "nftables.service's ExecStop= is not 'nft flush ruleset': $(grep ^Exec "$tmp/units/nftables.service")"
printf '%s\n' 'flush ruleset' '' 'table inet filter {' '	chain input {' \
	'		type filter hook input priority filter; policy accept;' '	}' '}' > "$tmp/nftables.conf"
systemd-analyze verify --man=no "$tmp/units/nftables.service" "$tmp/units/finesse-nft@primary.service" \
	> "$tmp/verify2.out" 2>&1 || fail "systemd-analyze verify with nftables.service: $(cat "$tmp/verify2.out")"
[ -s "$tmp/verify2.out" ] && fail "systemd-analyze verify with nftables.service complains: $(cat "$tmp/verify2.out")"

# simulate UNIT EVENT: the command lines systemd would run, in its order
simulate() {
	local unit=$1 event=$2 after=no joined=no reloads=no
	ukey() { sed -n "s/^$1=//p" "$unit" | tr ' ' '\n' | grep -qx nftables.service; }
	nkey() { sed -n "s/^$1=//p" "$tmp/units/nftables.service"; }
	ours() {	# ours ExecX: those command lines of our unit, as it runs them
		local l
		while read -r l; do unit_cmd "$l"; done < <(sed -n "s/^$1=//p" "$unit")
	}
	ukey After && after=yes
	{ ukey PartOf || ukey BindsTo; } && joined=yes
	ukey ReloadPropagatedFrom && reloads=yes
	case $event in
	restart)
		if [ $joined = yes ] && [ $after = no ]; then ours ExecStop; ours ExecStart; fi
		nkey ExecStop; nkey ExecStart
		if [ $joined = yes ] && [ $after = yes ]; then ours ExecStop; ours ExecStart; fi
		;;
	reload)
		if [ $reloads = yes ] && [ $after = no ]; then ours ExecReload; fi
		nkey ExecReload
		if [ $reloads = yes ] && [ $after = yes ]; then ours ExecReload; fi
		;;
	esac
}
# the control: the same unit without the lines that tie it to nftables.service
sed -e '/^PartOf=/d' -e '/^BindsTo=/d' -e '/^ReloadPropagatedFrom=/d' \
	"$tmp/units/finesse-nft@.service" > "$tmp/unbound.service"
for u in bound unbound; do
	f=$tmp/units/finesse-nft@.service; [ $u = unbound ] && f=$tmp/unbound.service
	{
		echo 'set -e; t=$1'
		echo 'snap() { nft list tables > "$t/$1.tables"; }'
		# boot: nftables.service, then ours (After=)
		sed -n 's/^ExecStart=//p' "$tmp/units/nftables.service"
		unit_cmd "$ustart"
		echo "snap $u.boot"
		simulate "$f" restart; echo "snap $u.restart"
		simulate "$f" reload; echo "snap $u.reload"
	} > "$tmp/$u.sim"
	in_netns bash "$tmp/$u.sim" "$tmp" > "$tmp/$u.sim.out" 2>&1 < /dev/null ||
		fail "the $u simulation failed: $(cat "$tmp/$u.sim.out"); ran: $(cat "$tmp/$u.sim")"
done
for ev in boot restart reload; do
	grep -qx 'table inet filter' "$tmp/bound.$ev.tables" ||
		fail "$ev: nftables.conf's table is missing: $(cat "$tmp/bound.$ev.tables")"
	grep -qx 'table inet finesse' "$tmp/bound.$ev.tables" ||
		fail "after a $ev of nftables.service our table is gone: $(cat "$tmp/bound.$ev.tables"); ran: $(cat "$tmp/bound.sim")"
done
grep -qx 'table inet finesse' "$tmp/unbound.boot.tables" || fail "the control did not apply at boot"
for ev in restart reload; do
	grep -qx 'table inet finesse' "$tmp/unbound.$ev.tables" &&
		fail "control: without PartOf=/ReloadPropagatedFrom= a $ev of nftables.service kept our table; the simulation proves nothing"
done
echo "nftables.service restart and reload (simulated from both units' lines, in a netns; no systemd runs here): our table comes back, after theirs"

echo "systemd unit ok"
