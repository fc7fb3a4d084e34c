/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a live table holds beyond the shape of a plan, described so that
 * nothing is dropped: named stateful objects and flowtables (in nft-like
 * syntax, attribute by attribute), chains we do not make, and sets that
 * are not our address sets.  Every attribute libnftnl parsed is either
 * written out or, when this file does not know it, named by its number;
 * live-only attributes (handles, use counts) are left out, so that the
 * same object always reads the same.
 */
#include <errno.h>
#include <stdio.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_synproxy.h>
#include <linux/netfilter/nf_tables.h>

#include "decode.h"
#include "wire.h"

/* ---- pieces ---- */

/* A string from the kernel (any bytes) in double quotes: '"', '\' and
 * bytes outside printable ASCII as \xNN, so the line stays one line. */
static void put_quoted(struct fnft_buf *b, const char *s)
{
	fnft_buf_puts(b, "\"");
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			fnft_buf_printf(b, "\\x%02x", c);
		else
			fnft_buf_printf(b, "%c", c);
	}
	fnft_buf_puts(b, "\"");
}

/* Userdata: a lone comment TLV (type 0, NUL-terminated) as nft writes it;
 * anything else as hex. */
static void put_udata(struct fnft_buf *b, const void *data, uint32_t len)
{
	const uint8_t *d = data;
	uint32_t i;

	if (!d || !len)
		return;
	if (len >= 3 && d[0] == 0 && d[1] + 2u == len && d[len - 1] == '\0' &&
	    strlen((const char *)d + 2) + 1 == d[1]) {
		fnft_buf_puts(b, " comment ");
		put_quoted(b, (const char *)d + 2);
		return;
	}
	fnft_buf_puts(b, " userdata 0x");
	for (i = 0; i < len; i++)
		fnft_buf_printf(b, "%02x", d[i]);
}

/* @flags as names from @names (bit i), leftover bits as a number. */
static void put_flags(struct fnft_buf *b, uint32_t flags,
		      const char *const *names, size_t n)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < n && i < 32; i++)
		if (names[i] && (flags & (1u << i))) {
			fnft_buf_printf(b, "%s%s", sep, names[i]);
			flags &= ~(1u << i);
			sep = ",";
		}
	if (flags || !*sep)
		fnft_buf_printf(b, "%s0x%x", sep, flags);
}

static const char *l3_name(uint32_t p, char *buf, size_t len)
{
	switch (p) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	}
	snprintf(buf, len, "%u", p);
	return buf;
}

static const char *l4_name(uint32_t p, char *buf, size_t len)
{
	switch (p) {
	case 6: return "tcp";
	case 17: return "udp";
	case 33: return "dccp";
	case 132: return "sctp";
	case 136: return "udplite";
	}
	snprintf(buf, len, "%u", p);
	return buf;
}

/* An inet chain's hook (NF_INET_*), or with @netdev a flowtable's
 * (NF_NETDEV_*). */
static const char *hook_name(uint32_t hook, bool netdev, char *buf, size_t len)
{
	static const char *const inet[] = { "prerouting", "input", "forward",
					    "output", "postrouting", "ingress" };
	static const char *const dev[] = { "ingress", "egress" };

	if (!netdev && hook < ARRAY_SIZE(inet))
		return inet[hook];
	if (netdev && hook < ARRAY_SIZE(dev))
		return dev[hook];
	snprintf(buf, len, "%u", hook);
	return buf;
}

/* A devices array ("devices = { a, b }"); nothing when empty. */
static void put_devices(struct fnft_buf *b, const char *const *dev)
{
	size_t i;

	if (!dev || !dev[0])
		return;
	fnft_buf_puts(b, " devices = { ");
	for (i = 0; dev[i]; i++) {
		fnft_buf_puts(b, i ? ", " : "");
		put_quoted(b, dev[i]);
	}
	fnft_buf_puts(b, " };");
}

/* ---- stateful objects ---- */

struct obj_type {
	uint32_t type;			/* NFT_OBJECT_* */
	enum fnft_ir_kind kind;
	unsigned n_attrs;		/* NFTNL_OBJ_BASE + 0 .. n_attrs - 1 */
	void (*put)(struct nftnl_obj *o, struct fnft_buf *b);
};

static void put_counter(struct nftnl_obj *o, struct fnft_buf *b)
{
	fnft_buf_printf(b, " packets %llu bytes %llu",
			(unsigned long long)nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS),
			(unsigned long long)nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES));
}

static void put_quota(struct nftnl_obj *o, struct fnft_buf *b)
{
	uint32_t flags = nftnl_obj_get_u32(o, NFTNL_OBJ_QUOTA_FLAGS);

	fnft_buf_printf(b, " %s%llu bytes used %llu bytes",
			flags & NFT_QUOTA_F_INV ? "over " : "",
			(unsigned long long)nftnl_obj_get_u64(o, NFTNL_OBJ_QUOTA_BYTES),
			(unsigned long long)nftnl_obj_get_u64(o, NFTNL_OBJ_QUOTA_CONSUMED));
	/* depleted is the kernel's state of it, not part of the object */
	flags &= ~(uint32_t)(NFT_QUOTA_F_INV | NFT_QUOTA_F_DEPLETED);
	if (flags)
		fnft_buf_printf(b, " flags 0x%x", flags);
}

static void put_limit(struct nftnl_obj *o, struct fnft_buf *b)
{
	static const struct { uint64_t s; const char *name; } units[] = {
		{ 1, "second" }, { 60, "minute" }, { 3600, "hour" },
		{ 86400, "day" }, { 604800, "week" },
	};
	uint64_t unit = nftnl_obj_get_u64(o, NFTNL_OBJ_LIMIT_UNIT);
	uint32_t type = nftnl_obj_get_u32(o, NFTNL_OBJ_LIMIT_TYPE);
	uint32_t flags = nftnl_obj_get_u32(o, NFTNL_OBJ_LIMIT_FLAGS);
	const char *what = type == NFT_LIMIT_PKTS ? "packets" :
			   type == NFT_LIMIT_PKT_BYTES ? "bytes" : NULL;
	size_t i;

	fnft_buf_printf(b, " rate %s%llu", flags & NFT_LIMIT_F_INV ? "over " : "",
			(unsigned long long)nftnl_obj_get_u64(o, NFTNL_OBJ_LIMIT_RATE));
	if (what && type == NFT_LIMIT_PKT_BYTES)
		fnft_buf_puts(b, " bytes");
	for (i = 0; i < ARRAY_SIZE(units) && units[i].s != unit; i++)
		;
	if (i < ARRAY_SIZE(units))
		fnft_buf_printf(b, "/%s", units[i].name);
	else
		fnft_buf_printf(b, "/%llus", (unsigned long long)unit);
	fnft_buf_printf(b, " burst %u", nftnl_obj_get_u32(o, NFTNL_OBJ_LIMIT_BURST));
	if (what)
		fnft_buf_printf(b, " %s", what);
	else
		fnft_buf_printf(b, " type %u", type);
	flags &= ~(uint32_t)NFT_LIMIT_F_INV;
	if (flags)
		fnft_buf_printf(b, " flags 0x%x", flags);
}

static void put_ct_helper(struct nftnl_obj *o, struct fnft_buf *b)
{
	char n3[16], n4[16];

	fnft_buf_puts(b, " type ");
	put_quoted(b, nftnl_obj_get_str(o, NFTNL_OBJ_CT_HELPER_NAME));
	fnft_buf_printf(b, " protocol %s; l3proto %s;",
			l4_name(nftnl_obj_get_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO), n4, sizeof(n4)),
			l3_name(nftnl_obj_get_u16(o, NFTNL_OBJ_CT_HELPER_L3PROTO), n3, sizeof(n3)));
}

static void put_ct_timeout(struct nftnl_obj *o, struct fnft_buf *b)
{
	static const char *const tcp[] = {
		"syn_sent", "syn_recv", "established", "fin_wait", "close_wait",
		"last_ack", "time_wait", "close", "syn_sent2", "retrans", "unack",
	};
	static const char *const udp[] = { "unreplied", "replied" };
	uint8_t l4 = nftnl_obj_get_u8(o, NFTNL_OBJ_CT_TIMEOUT_L4PROTO);
	const char *const *names = l4 == 6 ? tcp : l4 == 17 ? udp : NULL;
	size_t n_names = l4 == 6 ? ARRAY_SIZE(tcp) : l4 == 17 ? ARRAY_SIZE(udp) : 0;
	uint32_t len = 0;
	const uint32_t *v = nftnl_obj_get_data(o, NFTNL_OBJ_CT_TIMEOUT_ARRAY, &len);
	const char *sep = "";
	char n3[16], n4[16];
	size_t i;

	fnft_buf_printf(b, " protocol %s; l3proto %s; policy = {",
			l4_name(l4, n4, sizeof(n4)),
			l3_name(nftnl_obj_get_u16(o, NFTNL_OBJ_CT_TIMEOUT_L3PROTO), n3, sizeof(n3)));
	for (i = 0; v && i < len / sizeof(*v); i++) {
		if (i < n_names)
			fnft_buf_printf(b, "%s %s : %u", sep, names[i], v[i]);
		else if (v[i])
			fnft_buf_printf(b, "%s %zu : %u", sep, i, v[i]);
		else
			continue;
		sep = ",";
	}
	fnft_buf_puts(b, " }");
}

static void put_ct_expect(struct nftnl_obj *o, struct fnft_buf *b)
{
	char n3[16], n4[16];

	fnft_buf_printf(b, " protocol %s; dport %u; timeout %ums; size %u; l3proto %s;",
			l4_name(nftnl_obj_get_u8(o, NFTNL_OBJ_CT_EXPECT_L4PROTO), n4, sizeof(n4)),
			nftnl_obj_get_u16(o, NFTNL_OBJ_CT_EXPECT_DPORT),
			nftnl_obj_get_u32(o, NFTNL_OBJ_CT_EXPECT_TIMEOUT),
			nftnl_obj_get_u8(o, NFTNL_OBJ_CT_EXPECT_SIZE),
			l3_name(nftnl_obj_get_u16(o, NFTNL_OBJ_CT_EXPECT_L3PROTO), n3, sizeof(n3)));
}

static void put_synproxy(struct nftnl_obj *o, struct fnft_buf *b)
{
	static const char *const names[] = { "mss", "wscale", "sack-perm",
					     "timestamp", "ecn" };

	fnft_buf_printf(b, " mss %u wscale %u flags ",
			nftnl_obj_get_u16(o, NFTNL_OBJ_SYNPROXY_MSS),
			nftnl_obj_get_u8(o, NFTNL_OBJ_SYNPROXY_WSCALE));
	put_flags(b, nftnl_obj_get_u32(o, NFTNL_OBJ_SYNPROXY_FLAGS), names,
		  ARRAY_SIZE(names));
}

static void put_secmark(struct nftnl_obj *o, struct fnft_buf *b)
{
	fnft_buf_puts(b, " ");
	put_quoted(b, nftnl_obj_get_str(o, NFTNL_OBJ_SECMARK_CTX));
}

static const struct obj_type obj_types[] = {
	{ NFT_OBJECT_COUNTER, FNFT_IR_COUNTER, 2, put_counter },
	{ NFT_OBJECT_QUOTA, FNFT_IR_QUOTA, 3, put_quota },
	{ NFT_OBJECT_LIMIT, FNFT_IR_LIMIT, 5, put_limit },
	{ NFT_OBJECT_CT_HELPER, FNFT_IR_CT_HELPER, 3, put_ct_helper },
	{ NFT_OBJECT_CT_TIMEOUT, FNFT_IR_CT_TIMEOUT, 3, put_ct_timeout },
	{ NFT_OBJECT_CT_EXPECT, FNFT_IR_CT_EXPECT, 5, put_ct_expect },
	{ NFT_OBJECT_SYNPROXY, FNFT_IR_SYNPROXY, 3, put_synproxy },
	{ NFT_OBJECT_SECMARK, FNFT_IR_SECMARK, 1, put_secmark },
};

/* Any type-specific attribute past the ones @t renders, by number. */
static void put_unknown_attrs(struct nftnl_obj *o, unsigned from,
			      struct fnft_buf *b)
{
	unsigned a;

	for (a = NFTNL_OBJ_BASE + from; a < 32; a++)
		if (nftnl_obj_is_set(o, (uint16_t)a))
			fnft_buf_printf(b, " attribute %u not understood", a);
}

static int decode_obj(struct nftnl_obj *o, void *data)
{
	struct fnft_ruleset *rs = data;
	const struct obj_type *t = NULL;
	struct fnft_buf b = { 0 };
	uint32_t type = 0, len = 0;
	const void *ud;
	char *desc = NULL;
	size_t i;
	int rc;

	if (nftnl_obj_is_set(o, NFTNL_OBJ_TYPE))
		type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);
	for (i = 0; i < ARRAY_SIZE(obj_types); i++)
		if (obj_types[i].type == type)
			t = &obj_types[i];
	fnft_buf_puts(&b, "{");
	if (t) {
		t->put(o, &b);
		put_unknown_attrs(o, t->n_attrs, &b);
	} else if (type) {
		fnft_buf_printf(&b, " type %u not understood", type);
		put_unknown_attrs(o, 0, &b);
	} else {
		/* libnftnl reads neither type nor data of a kind it does not
		 * know (connlimit, in 1.2.4) */
		fnft_buf_puts(&b, " of a type libnftnl cannot read");
	}
	ud = nftnl_obj_is_set(o, NFTNL_OBJ_USERDATA) ?
	     nftnl_obj_get_data(o, NFTNL_OBJ_USERDATA, &len) : NULL;
	put_udata(&b, ud, len);
	fnft_buf_puts(&b, " }");
	if ((rc = fnft_buf_steal(&b, &desc)))
		return rc;
	rc = fnft_ruleset_add_object(rs, t ? t->kind : FNFT_IR_UNKNOWN,
				     nftnl_obj_get_str(o, NFTNL_OBJ_NAME), desc);
	free(desc);
	return rc;
}

/* ---- flowtables ---- */

static int decode_flowtable(struct nftnl_flowtable *f, void *data)
{
	static const char *const flag_names[] = { "offload", "counter" };
	struct fnft_ruleset *rs = data;
	struct fnft_buf b = { 0 };
	char *desc = NULL, hook[16];
	int rc;

	fnft_buf_printf(&b, "{ hook %s priority %d;",
			hook_name(nftnl_flowtable_get_u32(f, NFTNL_FLOWTABLE_HOOKNUM),
				  true, hook, sizeof(hook)),
			nftnl_flowtable_get_s32(f, NFTNL_FLOWTABLE_PRIO));
	if (nftnl_flowtable_is_set(f, NFTNL_FLOWTABLE_DEVICES))
		put_devices(&b, nftnl_flowtable_get_array(f, NFTNL_FLOWTABLE_DEVICES));
	if (nftnl_flowtable_is_set(f, NFTNL_FLOWTABLE_FLAGS) &&
	    nftnl_flowtable_get_u32(f, NFTNL_FLOWTABLE_FLAGS)) {
		fnft_buf_puts(&b, " flags ");
		put_flags(&b, nftnl_flowtable_get_u32(f, NFTNL_FLOWTABLE_FLAGS),
			  flag_names, ARRAY_SIZE(flag_names));
		fnft_buf_puts(&b, ";");
	}
	if (nftnl_flowtable_is_set(f, NFTNL_FLOWTABLE_SIZE))
		fnft_buf_printf(&b, " size %u;",
				nftnl_flowtable_get_u32(f, NFTNL_FLOWTABLE_SIZE));
	fnft_buf_puts(&b, " }");
	if ((rc = fnft_buf_steal(&b, &desc)))
		return rc;
	rc = fnft_ruleset_add_object(rs, FNFT_IR_FLOWTABLE,
				     nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_NAME),
				     desc);
	free(desc);
	return rc;
}

int fnft_decode_objects(const struct fnft_dump *d, struct fnft_ruleset *rs)
{
	int rc = 0;

	if (d->objs)
		rc = nftnl_obj_list_foreach(d->objs, decode_obj, rs);
	if (!rc && d->flowtables)
		rc = nftnl_flowtable_list_foreach(d->flowtables, decode_flowtable, rs);
	fnft_ruleset_sort_objects(rs);
	return rc;
}

/* ---- chains ---- */

/* Whether @c is a chain as we make them: a filter base chain on input or
 * output with an accept or drop policy, or a plain regular chain. */
static bool chain_is_plain(struct nftnl_chain *c)
{
	bool base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	uint32_t hook = base ? nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) : 0;
	uint32_t flags = nftnl_chain_is_set(c, NFTNL_CHAIN_FLAGS) ?
			 nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS) : 0;

	if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEV) ||
	    nftnl_chain_is_set(c, NFTNL_CHAIN_DEVICES) ||
	    nftnl_chain_is_set(c, NFTNL_CHAIN_USERDATA))
		return false;
	if (!base)
		return !flags && !nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) &&
		       !nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY);
	if (flags != NFT_CHAIN_BASE ||
	    (hook != FNFT_HOOK_INPUT && hook != FNFT_HOOK_OUTPUT) ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ||
	    !streq(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "filter"))
		return false;
	if (!nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
		return true;
	return nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_ACCEPT ||
	       nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
}

int fnft_describe_chain(struct nftnl_chain *c, char **out)
{
	static const char *const flag_names[] = { "base", "offload", "binding" };
	struct fnft_buf b = { 0 };
	uint32_t len = 0;
	char hook[16];

	*out = NULL;
	if (chain_is_plain(c))
		return 0;
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE)) {
		fnft_buf_puts(&b, "type ");
		put_quoted(&b, nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE));
	} else {
		fnft_buf_puts(&b, "no type");
	}
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
		fnft_buf_printf(&b, " hook %s",
				hook_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
					  false, hook, sizeof(hook)));
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEV)) {
		fnft_buf_puts(&b, " device ");
		put_quoted(&b, nftnl_chain_get_str(c, NFTNL_CHAIN_DEV));
	}
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_PRIO))
		fnft_buf_printf(&b, " priority %d",
				nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO));
	fnft_buf_puts(&b, ";");
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEVICES))
		put_devices(&b, nftnl_chain_get_array(c, NFTNL_CHAIN_DEVICES));
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY)) {
		uint32_t p = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY);

		if (p == NF_ACCEPT || p == NF_DROP)
			fnft_buf_printf(&b, " policy %s;", p == NF_ACCEPT ? "accept" : "drop");
		else
			fnft_buf_printf(&b, " policy %u;", p);
	}
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_FLAGS)) {
		fnft_buf_puts(&b, " flags ");
		put_flags(&b, nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS),
			  flag_names, ARRAY_SIZE(flag_names));
		fnft_buf_puts(&b, ";");
	}
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_USERDATA))
		put_udata(&b, nftnl_chain_get_data(c, NFTNL_CHAIN_USERDATA, &len), len);
	return fnft_buf_steal(&b, out);
}

/* ---- sets ---- */

static const char *type_name(uint32_t type)
{
	switch (type) {
	case NFT_DATA_VERDICT: return "verdict";
	case 9: return "ether_addr";		/* nft's TYPE_ETHERADDR */
	case FNFT_TYPE_IPADDR: return "ipv4_addr";
	case FNFT_TYPE_IP6ADDR: return "ipv6_addr";
	case 12: return "inet_proto";		/* TYPE_INET_PROTOCOL */
	case FNFT_TYPE_INET_SERVICE: return "inet_service";
	case FNFT_TYPE_ICMP_TYPE: return "icmp_type";
	case 19: return "mark";			/* TYPE_MARK */
	case FNFT_TYPE_ICMPV6_TYPE: return "icmpv6_type";
	}
	return NULL;
}

static void put_type(struct fnft_buf *b, const char *what, uint32_t type,
		     uint32_t len)
{
	const char *name = type_name(type);

	fnft_buf_printf(b, "%s type %u", what, type);
	if (name)
		fnft_buf_printf(b, " (%s)", name);
	fnft_buf_printf(b, " length %u", len);
}

static int put_set_expr(struct nftnl_expr *e, void *data)
{
	char buf[512];

	nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0);
	fnft_buf_printf(data, " [ %s %s ]", nftnl_expr_get_str(e, NFTNL_EXPR_NAME),
			buf);
	return 0;
}

static int count_expr(struct nftnl_expr *e, void *data)
{
	(void)e;
	++*(int *)data;
	return 0;
}

bool fnft_set_is_plain(const struct nftnl_set *s)
{
	uint32_t len = 0, off;
	const uint8_t *ud;
	int n_expr = 0;

	if (nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE) ||
	    nftnl_set_is_set(s, NFTNL_SET_DATA_LEN) ||
	    nftnl_set_is_set(s, NFTNL_SET_OBJ_TYPE) ||
	    nftnl_set_is_set(s, NFTNL_SET_TIMEOUT) ||
	    nftnl_set_is_set(s, NFTNL_SET_GC_INTERVAL) ||
	    nftnl_set_is_set(s, NFTNL_SET_DESC_SIZE) ||
	    nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT) ||
	    (nftnl_set_is_set(s, NFTNL_SET_POLICY) &&
	     nftnl_set_get_u32(s, NFTNL_SET_POLICY) != NFT_SET_POL_PERFORMANCE))
		return false;
	nftnl_set_expr_foreach(s, count_expr, &n_expr);
	if (n_expr)
		return false;
	/* userdata: the byte order and merge hints nft and we write; a
	 * comment or anything else is not ours */
	if (!nftnl_set_is_set(s, NFTNL_SET_USERDATA))
		return true;
	ud = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
	for (off = 0; ud && off + 2 <= len; off += 2u + ud[off + 1])
		if (ud[off] != NFTNL_UDATA_SET_KEYBYTEORDER &&
		    ud[off] != NFTNL_UDATA_SET_MERGE_ELEMENTS)
			return false;
	return off == len;
}

int fnft_describe_set(const struct nftnl_set *s, char **out)
{
	static const char *const flag_names[] = {
		"anonymous", "constant", "interval", "map", "timeout",
		"dynamic", "object", "concat", "expr",
	};
	struct fnft_buf b = { 0 };
	uint32_t len = 0, i;
	const uint8_t *concat;

	put_type(&b, "key", nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
		 nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN));
	if (nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE) ||
	    nftnl_set_is_set(s, NFTNL_SET_DATA_LEN)) {
		fnft_buf_puts(&b, "; ");
		put_type(&b, "data", nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE),
			 nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN));
	}
	if (nftnl_set_is_set(s, NFTNL_SET_OBJ_TYPE))
		fnft_buf_printf(&b, "; object type %u",
				nftnl_set_get_u32(s, NFTNL_SET_OBJ_TYPE));
	fnft_buf_puts(&b, "; flags ");
	put_flags(&b, nftnl_set_get_u32(s, NFTNL_SET_FLAGS), flag_names,
		  ARRAY_SIZE(flag_names));
	if (nftnl_set_is_set(s, NFTNL_SET_POLICY))
		fnft_buf_printf(&b, "; policy %s",
				nftnl_set_get_u32(s, NFTNL_SET_POLICY) == NFT_SET_POL_MEMORY ?
				"memory" : "performance");
	if (nftnl_set_is_set(s, NFTNL_SET_TIMEOUT))
		fnft_buf_printf(&b, "; timeout %llums",
				(unsigned long long)nftnl_set_get_u64(s, NFTNL_SET_TIMEOUT));
	if (nftnl_set_is_set(s, NFTNL_SET_GC_INTERVAL))
		fnft_buf_printf(&b, "; gc-interval %ums",
				nftnl_set_get_u32(s, NFTNL_SET_GC_INTERVAL));
	if (nftnl_set_is_set(s, NFTNL_SET_DESC_SIZE))
		fnft_buf_printf(&b, "; size %u", nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE));
	if (nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT)) {
		concat = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &len);
		fnft_buf_puts(&b, "; concat lengths");
		for (i = 0; concat && i < len; i++)
			fnft_buf_printf(&b, "%s%u", i ? "," : " ", concat[i]);
	}
	nftnl_set_expr_foreach(s, put_set_expr, &b);
	if (nftnl_set_is_set(s, NFTNL_SET_USERDATA)) {
		const void *ud = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);

		fnft_buf_puts(&b, ";");
		put_udata(&b, ud, len);
	}
	return fnft_buf_steal(&b, out);
}
