/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The words nft refuses where it expects a name.
 *
 * A table name is written bare (nft 1.0.6, Debian 12, accepts no quotes
 * there: "table inet \"counter\" {}" is a syntax error), so a keyword can
 * neither be exported, nor listed and reloaded, nor deleted by hand.
 *
 * The list is what the installed nft 1.0.6 answered, not a guess: every
 * token of its grammar (the quoted words in libnftables' bison tables) and
 * every word of nft(8), each tried as "table inet WORD {}" with nft -c; these
 * are the ones it refused.  Newer nft scopes more keywords, so it refuses
 * fewer.  Case matters: nft's scanner is case-sensitive.  tests/names.sh
 * repeats the experiment against whatever nft is installed.
 *
 * Sorted (C locale), for bsearch.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const nft_keywords[] = {
	"accept", "add", "ah", "all", "and", "arp",
	"auto-merge", "bridge", "cgroup", "chain", "comment", "comp",
	"constant", "continue", "counter", "cpu", "create", "ct",
	"day", "dccp", "define", "delete", "describe", "device",
	"devices", "dnat", "drop", "dst", "dup", "dynamic",
	"ecn", "element", "elements", "esp", "ether", "exists",
	"expires", "export", "exthdr", "fib", "flags", "flow",
	"flowtable", "flush", "frag", "fwd", "gc-interval", "get",
	"goto", "handle", "hbh", "hook", "hour", "ibriport",
	"ibrname", "icmp", "icmpv6", "igmp", "iif", "iifgroup",
	"iifname", "iiftype", "import", "include", "index", "inet",
	"insert", "interval", "ip", "ip6", "ipsec", "jhash",
	"jump", "limit", "list", "log", "lt", "map",
	"mark", "masquerade", "meta", "meter", "mh", "missing",
	"monitor", "netdev", "nftrace", "not", "notrack", "numgen",
	"obriport", "obrname", "offload", "oif", "oifgroup", "oifname",
	"oiftype", "or", "osf", "pkttype", "policy", "position",
	"priority", "queue", "quota", "random", "redefine", "redirect",
	"reject", "rename", "replace", "reset", "return", "rt",
	"rt0", "rt2", "rtclassid", "rule", "ruleset", "sctp",
	"secmark", "set", "size", "skgid", "skuid", "snat",
	"socket", "srh", "symhash", "synproxy", "table", "tcp",
	"th", "time", "timeout", "tproxy", "type", "typeof",
	"udp", "udplite", "undefine", "update", "vlan", "vmap",
	"xt",
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool fnft_nft_keyword(const char *word)
{
	return bsearch(word, nft_keywords, ARRAY_SIZE(nft_keywords),
		       sizeof(nft_keywords[0]), cmp_word) != NULL;
}
