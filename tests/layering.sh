#!/bin/bash
# The kernel side's layering, as README's Layout states it, checked on the
# sources so that it cannot quietly stop holding:
#  1. only lib/netlink.c calls the socket (libmnl's socket calls, sendmsg,
#     recv...);
#  2. only lib/batch.c starts or fills an nf_tables message (message
#     headers, attribute puts, libnftnl's payload builders);
#  3. nothing that builds or parses messages includes the socket header
#     lib/netlink.h, and no header includes it: whoever talks to the socket
#     (netlink.c itself, kernel.c's orchestration) neither builds nor parses.
# lib/fake.c, the fake kernel, is the far end of the socket: netlink.c hands
# it datagrams; it parses batches and writes the kernel's replies (attribute
# by attribute, as the kernel does, not with libnftnl's builders), and it
# includes no socket header, so rules 1 and 3 hold for it as for the rest.
SRC=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
cd "$SRC/lib" || fail "no lib/ under $SRC"
errors=0
bad() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }

# C sources without comments and strings, so that prose does not count
code() { sed -e 's://.*$::' "$1" | perl -0pe 's:/\*.*?\*/::gs; s/"(\\.|[^"\\])*"/""/g'; }

socket='\b(mnl_socket_[a-z_]+|sendmsg|sendto|recvmsg|recvfrom|recv|setsockopt|getsockopt|socket)[[:space:]]*\('
build='\b(nftnl_nlmsg_build_hdr|nftnl_batch_begin|nftnl_batch_end|mnl_nlmsg_put_header|mnl_nlmsg_put_extra_header|nftnl_[a-z_]+_nlmsg_build_payload|nftnl_set_elem_nlmsg_build|mnl_attr_put[a-z0-9_]*|mnl_attr_nest_start)[[:space:]]*\('
parse='\b(nftnl_[a-z_]+_nlmsg_parse|mnl_attr_for_each[a-z_]*|mnl_attr_parse[a-z_]*|mnl_cb_run[0-9]*|mnl_nlmsg_get_payload)\b'

for f in *.c; do
	text=$(code "$f")
	if [ "$f" != netlink.c ] && grep -Eq "$socket" <<<"$text"; then
		bad "$f calls the socket: $(grep -Eo "$socket" <<<"$text" | sort -u | tr '\n' ' ')"
	fi
	if [ "$f" != batch.c ] && grep -Eq "$build" <<<"$text"; then
		bad "$f builds messages: $(grep -Eo "$build" <<<"$text" | sort -u | tr '\n' ' ')"
	fi
done
for f in *.c *.h; do
	[ "$f" = netlink.c ] || [ "$f" = netlink.h ] && continue
	grep -q '#include "netlink.h"' "$f" || continue
	case $f in *.h) bad "header $f includes the socket header"; continue ;; esac
	text=$(code "$f")
	if grep -Eq "$build|$parse" <<<"$text"; then
		bad "$f includes netlink.h and builds or parses messages: $(grep -Eo "$build|$parse" <<<"$text" | sort -u | tr '\n' ' ')"
	fi
done
# the checks must see something: the socket calls are where we say
grep -Eq "$socket" <(code netlink.c) || bad "no socket call found in netlink.c: is the pattern stale?"
grep -Eq "$build" <(code batch.c) || bad "no message building found in batch.c: is the pattern stale?"
[ "$errors" = 0 ] || fail "$errors layering violations"
echo "layering: only netlink.c calls the socket, only batch.c builds messages"
