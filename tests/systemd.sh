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
#    its SystemCallFilter.
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
echo "systemd unit ok"
