/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_WIRE_H
#define FNFT_WIRE_H

/*
 * The nf_tables wire as nft 1.0.6 writes it for the rules we make: the
 * numbers the encoder puts into a batch and the decoder expects back.  One
 * place for each, so that the two (and the renderers that print the same
 * statement) cannot drift apart.  What the kernel's uapi headers already
 * name (NFT_PAYLOAD_*_HEADER, NFT_SET_*, NFPROTO_*) is used from there;
 * this holds what they do not: nft's own ids, which it keeps in set
 * userdata and key types, and header offsets.
 *
 * Internal to finesse-nft; not part of the public API.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* ---- key types (NFTA_SET_KEY_TYPE): nft's enum datatypes, datatype.h */

#define FNFT_TYPE_IPADDR	7	/* TYPE_IPADDR, "ipv4_addr" */
#define FNFT_TYPE_IP6ADDR	8	/* TYPE_IP6ADDR, "ipv6_addr" */
#define FNFT_TYPE_INET_SERVICE	13	/* TYPE_INET_SERVICE: th dport */
#define FNFT_TYPE_ICMP_TYPE	14	/* TYPE_ICMP_TYPE */
#define FNFT_TYPE_ICMPV6_TYPE	29	/* TYPE_ICMPV6_TYPE */

/* ---- byte order of a set key (NFTNL_UDATA_SET_KEYBYTEORDER): nft's
 * enum byteorder, datatype.h.  Every key we make is in network order. */

#define FNFT_BYTEORDER_BIG_ENDIAN	2	/* BYTEORDER_BIG_ENDIAN */

/* ---- payload fields: byte offset from their base and length */

/* NFT_PAYLOAD_NETWORK_HEADER: the IPv4 header, RFC 791 */
#define FNFT_IP_SADDR_OFFSET	12
#define FNFT_IP_DADDR_OFFSET	16
/* NFT_PAYLOAD_NETWORK_HEADER: the IPv6 header, RFC 8200 */
#define FNFT_IP6_SADDR_OFFSET	8
#define FNFT_IP6_DADDR_OFFSET	24
/* NFT_PAYLOAD_TRANSPORT_HEADER: the destination port of TCP (RFC 9293)
 * and UDP (RFC 768), nft's "th dport" */
#define FNFT_TH_DPORT_OFFSET	2
#define FNFT_TH_DPORT_LEN	2
/* NFT_PAYLOAD_TRANSPORT_HEADER: the type of ICMP (RFC 792) and ICMPv6
 * (RFC 4443) */
#define FNFT_ICMP_TYPE_OFFSET	0
#define FNFT_ICMP_TYPE_LEN	1

/* ---- typeof userdata of an anonymous set (NFTNL_UDATA_SET_KEY_TYPEOF):
 * the key's expression type, then a nest of the payload's protocol and
 * field, as nft's payload_expr_build_udata() writes them */

#define FNFT_UDATA_EXPR_PAYLOAD	7	/* EXPR_PAYLOAD, nft's enum expr_types, expression.h */
/* attribute types inside the NFTNL_UDATA_SET_TYPEOF_DATA nest, nft's payload.c */
#define FNFT_UDATA_PAYLOAD_DESC	0	/* NFTNL_UDATA_SET_KEY_PAYLOAD_DESC */
#define FNFT_UDATA_PAYLOAD_TYPE	1	/* NFTNL_UDATA_SET_KEY_PAYLOAD_TYPE */
/* protocol descriptions: nft's enum proto_desc_id, proto.h */
#define FNFT_PROTO_DESC_ICMP	4	/* PROTO_DESC_ICMP */
#define FNFT_PROTO_DESC_UDP	6	/* PROTO_DESC_UDP */
#define FNFT_PROTO_DESC_TCP	8	/* PROTO_DESC_TCP */
#define FNFT_PROTO_DESC_ICMPV6	14	/* PROTO_DESC_ICMPV6 */
/* fields: the index of the header template, nft's enum *_hdr_fields, proto.h */
#define FNFT_FIELD_TH_DPORT	2	/* TCPHDR_DPORT == UDPHDR_DPORT */
#define FNFT_FIELD_ICMP_TYPE	1	/* ICMPHDR_TYPE == ICMP6HDR_TYPE */

/* ---- the limit in front of the log statement ("limit rate N/minute");
 * the rate N itself is the planner's (plan.c) */

#define FNFT_LOG_LIMIT_UNIT	60	/* NFTA_LIMIT_UNIT in seconds: nft's "minute" */
#define FNFT_LOG_LIMIT_UNIT_NAME "minute"	/* how nft spells that unit */
#define FNFT_LOG_LIMIT_BURST	5	/* nft's default burst of a packet limit */

/* ---- anonymous sets */

/* The name nft sends for an anonymous set: the kernel fills in %d. */
#define FNFT_ANON_SET_NAME	"__set%d"

/* ---- address families */

/* The width of an address of @fam (that of struct in_addr or in6_addr),
 * which is also the key length (NFTA_SET_KEY_LEN) of a set of them.  Not
 * sizeof() of those: <netinet/in.h> cannot follow the uapi headers that
 * users of this one include first. */
static inline size_t fnft_family_key_len(enum fnft_family fam)
{
	return fam == FNFT_V4 ? 4 : 16;
}

/* The key type of a set of addresses of @fam. */
static inline uint32_t fnft_family_key_type(enum fnft_family fam)
{
	return fam == FNFT_V4 ? FNFT_TYPE_IPADDR : FNFT_TYPE_IP6ADDR;
}

/* nft's name of that key type, as `nft list` prints it. */
static inline const char *fnft_family_type_name(enum fnft_family fam)
{
	return fam == FNFT_V4 ? "ipv4_addr" : "ipv6_addr";
}

/* Where the source (@saddr) or destination address of @fam is in the
 * network header. */
static inline uint32_t fnft_addr_offset(enum fnft_family fam, bool saddr)
{
	if (fam == FNFT_V4)
		return saddr ? FNFT_IP_SADDR_OFFSET : FNFT_IP_DADDR_OFFSET;
	return saddr ? FNFT_IP6_SADDR_OFFSET : FNFT_IP6_DADDR_OFFSET;
}

#endif
