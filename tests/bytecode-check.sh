#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What does nft send for this?  A helper for work on lib/encode.c: runs nft
# on some nft text inside a fresh network namespace (never the host's
# ruleset) and prints the reference the encoder must match.
#
#   tests/bytecode-check.sh [MODE] -e 'RULE' ...   rules in "table inet t",
#                                                  chain c; sets s4
#                                                  (ipv4_addr) and s6
#                                                  (ipv6_addr) exist
#   tests/bytecode-check.sh [MODE] -f FILE         an nft script, e.g. the
#                                                  output of `finesse-nft export`
#
# MODE:
#   --netlink  (default) expressions, sets, elements: nft --debug=netlink;
#              compare with nftnl_rule_snprintf()
#   --mnl      every message byte by byte: nft --debug=mnl (libmnl's
#              mnl_nlmsg_fprintf(), the printer test-encode-live uses)
#   --flags    netlink header type and flags of each batch message (strace)
#
# The automated comparison of the encoder with all of this is
# tests/test-encode-live.c; this script is for looking before coding.
set -euo pipefail

usage() {
	sed -n '4,21p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

mode=netlink
rules=()
file=
while [ $# -gt 0 ]; do
	case $1 in
	--netlink|--mnl|--flags) mode=${1#--} ;;
	-e) [ $# -ge 2 ] || usage; rules+=("$2"); shift ;;
	-f) [ $# -ge 2 ] || usage; file=$2; shift ;;
	-h|--help) usage 0 ;;
	*) usage ;;
	esac
	shift
done
[ -n "$file" ] || [ ${#rules[@]} -gt 0 ] || usage

nft=${FNFT_NFT:-$(command -v nft || echo /usr/sbin/nft)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "$file" ]; then
	file=$tmp/rules.nft
	{
		echo 'table inet t {'
		echo '	set s4 { type ipv4_addr; flags interval; }'
		echo '	set s6 { type ipv6_addr; flags interval; }'
		echo '	chain c {'
		for r in "${rules[@]}"; do
			printf '\t\t%s\n' "$r"
		done
		echo '	}'
		echo '}'
	} > "$file"
fi

# root: a network namespace; otherwise a user namespace around it
if [ "$(id -u)" -eq 0 ]; then
	ns=(unshare --net)
else
	ns=(unshare --user --map-root-user --net)
fi

strip_colour() { sed 's/\x1b\[[0-9;]*m//g'; }

case $mode in
netlink)
	"${ns[@]}" "$nft" --debug=netlink -f "$file"
	;;
mnl)
	# only the batch: nft first sends its cache requests
	"${ns[@]}" "$nft" --debug=mnl -f "$file" | strip_colour |
		awk '/\| 00016 \|/ { batch = 1 } batch'
	;;
flags)
	command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }
	"${ns[@]}" strace -f -e trace=sendmsg -s 0 -v "$nft" -f "$file" 2>&1 >/dev/null |
		grep -o 'nlmsg_type=[^,]*, nlmsg_flags=[^,]*'
	;;
esac
