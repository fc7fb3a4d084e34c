/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IR -> nf_tables netlink batch.
 *
 * The target is byte-for-byte what nft 1.0.6 sends for the script
 * fnft_ruleset_render() prints (netlink header flags included), so that the
 * kernel holds exactly what nft would have loaded and `nft list` prints our
 * table as the renderer does.
 * Facts below were read off `nft --debug=netlink` / `--debug=mnl` (and
 * tests/test-encode.c keeps checking them against the installed nft):
 *
 *  - message order: table, delete, table, chains, named sets with their
 *    elements, then rules, each preceded by its anonymous set;
 *  - nft puts the object names first with mnl_attr_put_strz() and lets
 *    libnftnl add the rest, so chain TYPE and POLICY come before the HOOK
 *    nest; we do the same;
 *  - set ids count from 1 over named sets in declaration order, then go on
 *    over anonymous sets in rule order; lookups of named sets carry the id
 *    too;
 *  - interval sets: a leading interval-end element at key 0 unless the first
 *    interval starts at 0; an interval reaching the type's maximum has no
 *    end element but the SET_ELEM_F_INTERVAL_OPEN flag in its userdata;
 *  - anonymous sets carry typeof userdata (the payload field of the key),
 *    interval ones also the automerge flag, and a DESC_SIZE that counts
 *    2 per interval plus the leading element.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "batch.h"
#include "encode.h"
#include "internal.h"
#include "wire.h"

#define LOG_PREFIX_MAX		127	/* NF_LOG_PREFIXLEN - 1 */
#define USERDATA_MAX		256	/* NFT_USERDATA_MAXLEN */

/* Bound of a name: keeps every message but NEWSETELEM small (batch.c). */
#define NAME_LEN_BOUND		1024

/* ------------------------------------------------------------------ */
/* small helpers */

static bool bytes_zero(const uint8_t *b, size_t w)
{
	size_t i;

	for (i = 0; i < w; i++)
		if (b[i])
			return false;
	return true;
}

bool fnft_key_is_max(const uint8_t *b, size_t w)
{
	size_t i;

	for (i = 0; i < w; i++)
		if (b[i] != 0xff)
			return false;
	return true;
}

void fnft_key_dec(const uint8_t *b, uint8_t *out, size_t w)
{
	memcpy(out, b, w);
	while (w-- > 0)
		if (out[w]-- != 0)
			return;
}

void fnft_key_inc(uint8_t *b, size_t w)
{
	while (w-- > 0)
		if (++b[w] != 0)
			return;
}

/*
 * A name we can put into a message: non-empty and of bounded length, which
 * keeps every message but NEWSETELEM under batch.c's MSG_SMALL_MAX.  The bound is
 * above the kernel's own (NFT_NAME_MAXLEN): a name between the two is sent,
 * and the kernel's refusal, whose extended ACK points at the attribute, is
 * the better error.
 */
static bool name_ok(const char *s)
{
	return s && s[0] && strlen(s) < NAME_LEN_BOUND;
}

/* ------------------------------------------------------------------ */
/* expressions */

static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int put_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return add_expr(r, e);
}

static int put_cmp(struct nftnl_rule *r, enum nft_cmp_ops op,
		   const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return add_expr(r, e);
}

/* meta KEY == one byte: nft's dependency matches (nfproto, l4proto) */
static int put_meta_u8(struct nftnl_rule *r, uint32_t key, uint8_t value)
{
	int rc = put_meta(r, key);

	return rc ? rc : put_cmp(r, NFT_CMP_EQ, &value, 1);
}

static int put_payload(struct nftnl_rule *r, enum nft_payload_bases base,
		       uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return add_expr(r, e);
}

/* @id 0: no SET_ID (the set is known only by name) */
static int put_lookup(struct nftnl_rule *r, const char *set, uint32_t id)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set) < 0) {
		nftnl_expr_free(e);
		return -ENOMEM;
	}
	if (id)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	return add_expr(r, e);
}

/* ct state is a bit mask: nft tests "state & bits != 0" */
static int put_ct_state(struct nftnl_rule *r, uint32_t bits)
{
	struct nftnl_expr *ct = nftnl_expr_alloc("ct");
	struct nftnl_expr *bw;
	uint32_t zero = 0;
	int rc;

	if (ct) {
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	if ((rc = add_expr(r, ct)))
		return rc;
	bw = nftnl_expr_alloc("bitwise");
	if (bw) {
		nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, sizeof(bits));
		nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_MASK, &bits, sizeof(bits));
		nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	}
	if ((rc = add_expr(r, bw)))
		return rc;
	return put_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/*
 * iifname/oifname: the name NUL-padded to IFNAMSIZ; a trailing '*' is
 * nft's wildcard and compares only the bytes before it.
 */
static int put_ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	char buf[FNFT_IFNAME_MAX] = { 0 };
	size_t len = strnlen(name, FNFT_IFNAME_MAX);
	int rc;

	if (len >= FNFT_IFNAME_MAX || strpbrk(name, "\"\\"))
		return -EINVAL;
	memcpy(buf, name, len);
	if (len && name[len - 1] == '*') {
		if (len == 1)
			return -EINVAL;	/* an empty prefix cannot be compared */
		len--;
	} else {
		len = sizeof(buf);
	}
	if ((rc = put_meta(r, key)))
		return rc;
	return put_cmp(r, NFT_CMP_EQ, buf, len);
}

static int put_addr(struct nftnl_rule *r, const struct fnft_ir_rule *ir,
		    uint32_t set_id)
{
	bool v4 = ir->family == FNFT_V4;
	uint32_t off = fnft_addr_offset(ir->family, ir->addr == FNFT_MATCH_SADDR);
	int rc;

	if ((rc = put_meta_u8(r, NFT_META_NFPROTO, v4 ? NFPROTO_IPV4
						       : NFPROTO_IPV6)) ||
	    (rc = put_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off,
			      fnft_family_key_len(ir->family))))
		return rc;
	return put_lookup(r, ir->set, set_id);
}

static int put_counter(struct nftnl_rule *r)
{
	/* nft sends an empty counter: the kernel starts it at zero */
	return add_expr(r, nftnl_expr_alloc("counter"));
}

static int put_limit(struct nftnl_rule *r, unsigned per_minute)
{
	struct nftnl_expr *e = nftnl_expr_alloc("limit");

	if (e) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, per_minute);
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, FNFT_LOG_LIMIT_UNIT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, FNFT_LOG_LIMIT_BURST);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	}
	return add_expr(r, e);
}

static int put_log(struct nftnl_rule *r, const char *prefix)
{
	struct nftnl_expr *e;

	if (strlen(prefix) > LOG_PREFIX_MAX || strpbrk(prefix, "\"\\"))
		return -EINVAL;
	e = nftnl_expr_alloc("log");
	if (e && nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix) < 0) {
		nftnl_expr_free(e);
		e = NULL;
	}
	return add_expr(r, e);
}

static int put_verdict(struct nftnl_rule *r, enum fnft_verdict v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT,
				   v == FNFT_VERDICT_ACCEPT ? NF_ACCEPT : NF_DROP);
	}
	return add_expr(r, e);
}

/* ------------------------------------------------------------------ */
/* sets and elements */

/*
 * Elements are produced by one generator (fnft_interval_elems, encode.h)
 * and consumed by a sink: a libnftnl set for the small anonymous sets and
 * for fnft_encode_set(), or the batch itself for named sets, whose tens of
 * thousands of elements are written straight into the NEWSETELEM messages
 * without an object each (batch.c's element writer).  The patch (patch.c)
 * writes its element messages with the same two.
 */

/* An element as a libnftnl object added to the set @ctx. */
static int elem_add(void *ctx, const uint8_t *key, size_t w,
		    uint32_t flags, bool open)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	int rc = -ENOMEM;

	if (!e)
		return -ENOMEM;
	if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, w) < 0)
		goto fail;
	/* nft leaves the flags out when there are none */
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	if (open) {
		struct nftnl_udata_buf *ub = nftnl_udata_buf_alloc(USERDATA_MAX);
		bool ok = ub && nftnl_udata_put_u32(ub, NFTNL_UDATA_SET_ELEM_FLAGS,
						    NFTNL_SET_ELEM_F_INTERVAL_OPEN) &&
			  nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA,
					     nftnl_udata_buf_data(ub),
					     nftnl_udata_buf_len(ub)) >= 0;

		nftnl_udata_buf_free(ub);
		if (!ok)
			goto fail;
	}
	nftnl_set_elem_add(ctx, e);
	return 0;
fail:
	nftnl_set_elem_free(e);
	return rc;
}

/* Intervals must be ascending, each lo <= hi, and neither overlap nor touch
 * (the kernel refuses overlaps; the IR merges touching ones). */
static int check_intervals(const struct fnft_iv *v, size_t n, size_t w)
{
	uint8_t next[16];
	size_t i;

	for (i = 0; i < n; i++) {
		if (memcmp(v[i].lo, v[i].hi, w) > 0)
			return -EINVAL;
		if (!i)
			continue;
		if (fnft_key_is_max(v[i - 1].hi, w))
			return -EINVAL;
		memcpy(next, v[i - 1].hi, w);
		fnft_key_inc(next, w);
		if (memcmp(next, v[i].lo, w) >= 0)
			return -EINVAL;
	}
	return 0;
}

int fnft_interval_elems(const struct fnft_iv *v, size_t n, size_t w,
			bool leading, fnft_elem_sink sink, void *ctx,
			uint32_t *count)
{
	static const uint8_t zero[16];
	uint8_t end[16];
	size_t i;
	int rc;

	*count = 0;
	if (leading && n && !bytes_zero(v[0].lo, w)) {
		if ((rc = sink(ctx, zero, w, NFT_SET_ELEM_INTERVAL_END, false)))
			return rc;
		(*count)++;
	}
	for (i = 0; i < n; i++) {
		bool open = fnft_key_is_max(v[i].hi, w);

		if ((rc = sink(ctx, v[i].lo, w, 0, open)))
			return rc;
		*count += 2;
		if (open)
			continue;
		memcpy(end, v[i].hi, w);
		fnft_key_inc(end, w);
		if ((rc = sink(ctx, end, w, NFT_SET_ELEM_INTERVAL_END, false)))
			return rc;
	}
	return 0;
}

struct typeof_key {
	uint32_t desc;
	uint32_t field;
};

static int set_udata(struct nftnl_set *s, bool merge,
		     const struct typeof_key *tk)
{
	struct nftnl_udata_buf *ub = nftnl_udata_buf_alloc(USERDATA_MAX);
	struct nftnl_udata *n1, *n2;
	bool ok;
	int rc;

	if (!ub)
		return -ENOMEM;
	ok = nftnl_udata_put_u32(ub, NFTNL_UDATA_SET_KEYBYTEORDER,
				 FNFT_BYTEORDER_BIG_ENDIAN);
	if (ok && merge)
		ok = nftnl_udata_put_u32(ub, NFTNL_UDATA_SET_MERGE_ELEMENTS, 1);
	if (ok && tk) {
		ok = (n1 = nftnl_udata_nest_start(ub, NFTNL_UDATA_SET_KEY_TYPEOF)) &&
		     nftnl_udata_put_u32(ub, NFTNL_UDATA_SET_TYPEOF_EXPR,
					 FNFT_UDATA_EXPR_PAYLOAD) &&
		     (n2 = nftnl_udata_nest_start(ub, NFTNL_UDATA_SET_TYPEOF_DATA)) &&
		     nftnl_udata_put_u32(ub, FNFT_UDATA_PAYLOAD_DESC, tk->desc) &&
		     nftnl_udata_put_u32(ub, FNFT_UDATA_PAYLOAD_TYPE, tk->field);
		if (ok) {
			nftnl_udata_nest_end(ub, n2);
			nftnl_udata_nest_end(ub, n1);
		}
	}
	rc = ok && nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				      nftnl_udata_buf_data(ub),
				      nftnl_udata_buf_len(ub)) >= 0 ? 0 : -ENOMEM;
	nftnl_udata_buf_free(ub);
	return rc;
}

static struct nftnl_set *set_new(const char *table, const char *name,
				 uint32_t id, uint32_t flags,
				 uint32_t key_type, uint32_t key_len)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	return s;
}

/* A named IR set without its elements: the NEWSET part. */
static int named_set_new(const char *table, const struct fnft_ir_set *set,
			 uint32_t id, struct nftnl_set **out)
{
	size_t w = fnft_family_key_len(set->family);
	struct nftnl_set *s;
	int rc;

	if (!name_ok(table) || !name_ok(set->name))
		return -EINVAL;
	if ((rc = check_intervals(set->elems.v, set->elems.n, w)))
		return rc;
	s = set_new(table, set->name, id, NFT_SET_INTERVAL,
		    fnft_family_key_type(set->family), w);
	if (!s)
		return -ENOMEM;
	if ((rc = set_udata(s, false, NULL))) {
		nftnl_set_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int fnft_encode_set(const char *table, const struct fnft_ir_set *set,
		    uint32_t id, struct nftnl_set **out)
{
	struct nftnl_set *s;
	uint32_t count;
	int rc;

	if (!set || !out)
		return -EINVAL;
	if ((rc = named_set_new(table, set, id, &s)))
		return rc;
	if ((rc = fnft_interval_elems(set->elems.v, set->elems.n,
				      fnft_family_key_len(set->family), true,
				      elem_add, s, &count))) {
		nftnl_set_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* ---- anonymous sets ---- */

/* The keys of an anonymous set as intervals of @w bytes (singles: lo == hi). */
struct keylist {
	struct fnft_iv *v;
	size_t n;
	size_t w;
	bool interval;		/* some key is a real range */
};

static int iv_cmp(const void *a, const void *b)
{
	const struct fnft_iv *x = a, *y = b;

	return memcmp(x->lo, y->lo, sizeof(x->lo));
}

/*
 * Ports: singles only make a plain set (sorted, duplicates dropped); with a
 * range it is an interval set, merged as nft's automerge does.
 */
static int port_keys(const struct fnft_portlist *ports, struct keylist *kl)
{
	size_t i, k;

	kl->w = FNFT_TH_DPORT_LEN;
	kl->v = calloc(ports->n, sizeof(*kl->v));
	if (!kl->v)
		return -ENOMEM;
	for (i = 0; i < ports->n; i++) {
		const struct fnft_port_range *p = &ports->v[i];

		if (p->first > p->last)
			return -EINVAL;
		kl->interval |= p->first != p->last;
		kl->v[i].lo[0] = p->first >> 8;
		kl->v[i].lo[1] = p->first & 0xff;
		kl->v[i].hi[0] = p->last >> 8;
		kl->v[i].hi[1] = p->last & 0xff;
	}
	qsort(kl->v, ports->n, sizeof(*kl->v), iv_cmp);
	for (i = 0, k = 0; i < ports->n; i++) {
		struct fnft_iv *prev = k ? &kl->v[k - 1] : NULL;
		uint8_t next[2];

		if (prev) {
			memcpy(next, prev->hi, 2);
			if (!fnft_key_is_max(next, 2))
				fnft_key_inc(next, 2);
		}
		if (prev && !kl->interval && !memcmp(prev->lo, kl->v[i].lo, 2))
			continue;	/* a repeated single */
		if (prev && kl->interval && memcmp(next, kl->v[i].lo, 2) >= 0) {
			if (memcmp(kl->v[i].hi, prev->hi, 2) > 0)
				memcpy(prev->hi, kl->v[i].hi, 2);
			continue;	/* overlapping or touching: merge */
		}
		kl->v[k++] = kl->v[i];
	}
	kl->n = k;
	return 0;
}

static int icmp_keys(const uint8_t *types, size_t n, struct keylist *kl)
{
	size_t i, k;

	kl->w = FNFT_ICMP_TYPE_LEN;
	kl->v = calloc(n, sizeof(*kl->v));
	if (!kl->v)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		kl->v[i].lo[0] = kl->v[i].hi[0] = types[i];
	qsort(kl->v, n, sizeof(*kl->v), iv_cmp);
	for (i = 0, k = 0; i < n; i++)
		if (!k || kl->v[k - 1].lo[0] != kl->v[i].lo[0])
			kl->v[k++] = kl->v[i];
	kl->n = k;
	return 0;
}

static int anon_set_new(const char *table, uint32_t id, uint32_t key_type,
			const struct typeof_key *tk, const struct keylist *kl,
			struct nftnl_set **out)
{
	uint32_t flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	struct nftnl_set *s;
	uint32_t count = 0;
	size_t i;
	int rc = 0;

	if (kl->interval)
		flags |= NFT_SET_INTERVAL;
	s = set_new(table, FNFT_ANON_SET_NAME, id, flags, key_type, kl->w);
	if (!s)
		return -ENOMEM;
	if (kl->interval) {
		rc = fnft_interval_elems(kl->v, kl->n, kl->w, true, elem_add, s, &count);
	} else {
		for (i = 0; i < kl->n && !rc; i++)
			rc = elem_add(s, kl->v[i].lo, kl->w, 0, false);
		count = kl->n;
	}
	if (!rc) {
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, count);
		rc = set_udata(s, kl->interval, tk);
	}
	if (rc) {
		nftnl_set_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* ------------------------------------------------------------------ */
/* rules */

struct rule_ctx {
	const char *table;
	const struct fnft_ir_rule *ir;
	const struct fnft_ruleset *rs;	/* may be NULL */
	uint32_t *set_id;
	struct nftnl_rule *rule;
	struct nftnl_set *anon;
};

/*
 * The value side of an l4 match, as nft emits it for what the renderer
 * prints: one item is a compare (a range two: >= and <=), several are a
 * lookup in a new anonymous set.
 */
/* put_l4_value() makes a set of more than one item */
bool fnft_rule_has_anon_set(const struct fnft_ir_rule *r)
{
	switch (r->l4) {
	case FNFT_L4_TCP:
	case FNFT_L4_UDP:
		return r->dports.n > 1;
	case FNFT_L4_ICMP:
	case FNFT_L4_ICMPV6:
		return r->n_icmp_types > 1;
	default:
		return false;
	}
}

static int put_l4_value(struct rule_ctx *c, const struct keylist *kl,
			uint32_t key_type, const struct typeof_key *tk,
			size_t n_items)
{
	int rc;

	if (n_items == 1 && kl->n == 1) {
		const struct fnft_iv *iv = &kl->v[0];

		if (!memcmp(iv->lo, iv->hi, kl->w))
			return put_cmp(c->rule, NFT_CMP_EQ, iv->lo, kl->w);
		/* a single range: two compares, as nft emits it */
		if ((rc = put_cmp(c->rule, NFT_CMP_GTE, iv->lo, kl->w)))
			return rc;
		return put_cmp(c->rule, NFT_CMP_LTE, iv->hi, kl->w);
	}
	if ((rc = anon_set_new(c->table, ++*c->set_id, key_type, tk, kl,
			       &c->anon)))
		return rc;
	return put_lookup(c->rule, FNFT_ANON_SET_NAME, *c->set_id);
}

static int put_ports(struct rule_ctx *c)
{
	const struct fnft_ir_rule *ir = c->ir;
	bool tcp = ir->l4 == FNFT_L4_TCP;
	const struct typeof_key tk = {
		tcp ? FNFT_PROTO_DESC_TCP : FNFT_PROTO_DESC_UDP,
		FNFT_FIELD_TH_DPORT };
	struct keylist kl = { 0 };
	int rc;

	if (!ir->dports.n)
		return -EINVAL;	/* "tcp dport { }" is no valid nft */
	if ((rc = put_meta_u8(c->rule, NFT_META_L4PROTO, ir->l4)) ||
	    (rc = put_payload(c->rule, NFT_PAYLOAD_TRANSPORT_HEADER,
			      FNFT_TH_DPORT_OFFSET, FNFT_TH_DPORT_LEN)) ||
	    (rc = port_keys(&ir->dports, &kl)))
		goto out;
	rc = put_l4_value(c, &kl, FNFT_TYPE_INET_SERVICE, &tk, ir->dports.n);
out:
	free(kl.v);
	return rc;
}

static int put_icmp(struct rule_ctx *c)
{
	const struct fnft_ir_rule *ir = c->ir;
	bool v4 = ir->l4 == FNFT_L4_ICMP;
	enum fnft_family fam = v4 ? FNFT_V4 : FNFT_V6;
	const struct typeof_key tk = {
		v4 ? FNFT_PROTO_DESC_ICMP : FNFT_PROTO_DESC_ICMPV6,
		FNFT_FIELD_ICMP_TYPE };
	struct keylist kl = { 0 };
	int rc;

	if (!ir->n_icmp_types || !ir->icmp_types)
		return -EINVAL;
	/* an address match of the other family would contradict it */
	if (ir->addr != FNFT_MATCH_NONE && ir->family != fam)
		return -EINVAL;
	/* icmp/icmpv6 need the network protocol first, unless the address
	 * match already established it */
	if (ir->addr == FNFT_MATCH_NONE &&
	    (rc = put_meta_u8(c->rule, NFT_META_NFPROTO,
			      v4 ? NFPROTO_IPV4 : NFPROTO_IPV6)))
		return rc;
	if ((rc = put_meta_u8(c->rule, NFT_META_L4PROTO, ir->l4)) ||
	    (rc = put_payload(c->rule, NFT_PAYLOAD_TRANSPORT_HEADER,
			      FNFT_ICMP_TYPE_OFFSET, FNFT_ICMP_TYPE_LEN)) ||
	    (rc = icmp_keys(ir->icmp_types, ir->n_icmp_types, &kl)))
		goto out;
	rc = put_l4_value(c, &kl, v4 ? FNFT_TYPE_ICMP_TYPE : FNFT_TYPE_ICMPV6_TYPE,
			  &tk, ir->n_icmp_types);
out:
	free(kl.v);
	return rc;
}

static int put_l4(struct rule_ctx *c)
{
	switch (c->ir->l4) {
	case FNFT_L4_NONE:
		return 0;
	case FNFT_L4_TCP:
	case FNFT_L4_UDP:
		return put_ports(c);
	case FNFT_L4_ICMP:
	case FNFT_L4_ICMPV6:
		return put_icmp(c);
	}
	return -EINVAL;
}

/* The SET_ID nft gives the named set: its 1-based declaration position. */
static int named_set_id(const struct rule_ctx *c, uint32_t *id)
{
	size_t i;

	*id = 0;
	if (!c->rs)
		return 0;
	for (i = 0; i < c->rs->n_sets; i++)
		if (streq(c->rs->sets[i].name, c->ir->set)) {
			if (c->rs->sets[i].family != c->ir->family)
				return -EINVAL;
			*id = i + 1;
			return 0;
		}
	return -EINVAL;
}

static int put_matches(struct rule_ctx *c)
{
	const struct fnft_ir_rule *ir = c->ir;
	uint32_t id;
	int rc;

	/* the renderer names only these four bits */
	if (ir->ct_state & ~(FNFT_CT_INVALID | FNFT_CT_ESTABLISHED |
			     FNFT_CT_RELATED | FNFT_CT_NEW))
		return -EINVAL;
	if (ir->ct_state && (rc = put_ct_state(c->rule, ir->ct_state)))
		return rc;
	if (ir->iifname[0] &&
	    (rc = put_ifname(c->rule, NFT_META_IIFNAME, ir->iifname)))
		return rc;
	if (ir->oifname[0] &&
	    (rc = put_ifname(c->rule, NFT_META_OIFNAME, ir->oifname)))
		return rc;
	if (ir->addr != FNFT_MATCH_NONE) {
		if ((ir->addr != FNFT_MATCH_SADDR && ir->addr != FNFT_MATCH_DADDR) ||
		    !name_ok(ir->set))
			return -EINVAL;
		if ((rc = named_set_id(c, &id)) || (rc = put_addr(c->rule, ir, id)))
			return rc;
	}
	return put_l4(c);
}

static int put_statements(struct rule_ctx *c)
{
	const struct fnft_ir_rule *ir = c->ir;
	int rc;

	if (ir->counter && (rc = put_counter(c->rule)))
		return rc;
	if (ir->limit_per_minute && (rc = put_limit(c->rule, ir->limit_per_minute)))
		return rc;
	if (ir->log_prefix && (rc = put_log(c->rule, ir->log_prefix)))
		return rc;
	switch (ir->verdict) {
	case FNFT_VERDICT_NONE:
		break;
	case FNFT_VERDICT_ACCEPT:
	case FNFT_VERDICT_DROP:
		if ((rc = put_verdict(c->rule, ir->verdict)))
			return rc;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int put_rule_comment(struct nftnl_rule *r, const char *comment)
{
	struct nftnl_udata_buf *ub;
	int rc;

	if ((rc = fnft_comment_udata(comment, NFTNL_UDATA_RULE_COMMENT, &ub)))
		return rc;
	rc = nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ub),
				 nftnl_udata_buf_len(ub)) < 0 ? -ENOMEM : 0;
	nftnl_udata_buf_free(ub);
	return rc;
}

int fnft_encode_rule(const char *table, const char *chain,
		     const struct fnft_ir_rule *r,
		     const struct fnft_ruleset *rs, uint32_t *set_id,
		     struct nftnl_rule **rule, struct nftnl_set **anon)
{
	struct rule_ctx c = { .table = table, .ir = r, .rs = rs,
			      .set_id = set_id };
	uint32_t first_id;
	int rc;

	if (!name_ok(table) || !name_ok(chain) || !r || !set_id || !rule)
		return -EINVAL;
	first_id = *set_id;
	c.rule = nftnl_rule_alloc();
	if (!c.rule)
		return -ENOMEM;
	nftnl_rule_set_u32(c.rule, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (nftnl_rule_set_str(c.rule, NFTNL_RULE_TABLE, table) < 0 ||
	    nftnl_rule_set_str(c.rule, NFTNL_RULE_CHAIN, chain) < 0)
		rc = -ENOMEM;
	else if (!(rc = put_matches(&c)) && !(rc = put_statements(&c)) &&
		 r->comment)
		rc = put_rule_comment(c.rule, r->comment);
	if (rc) {
		nftnl_rule_free(c.rule);
		if (c.anon)
			nftnl_set_free(c.anon);
		*set_id = first_id;
		return rc;
	}
	*rule = c.rule;
	if (anon)
		*anon = c.anon;
	else if (c.anon)
		nftnl_set_free(c.anon);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the batch: what the encoder sends, written by batch.c */

static int put_named_sets(struct fnft_batch *b, const struct fnft_ruleset *rs)
{
	size_t i;
	int rc;

	for (i = 0; i < rs->n_sets; i++) {
		struct fnft_msg_ref owner = { .name = rs->sets[i].name,
					      .rule_index = FNFT_NO_RULE };
		const struct fnft_ir_set *set = &rs->sets[i];
		struct fnft_elems w;
		struct nftnl_set *s;
		uint32_t count;

		if ((rc = named_set_new(rs->table, set, i + 1, &s)))
			return rc;
		rc = fnft_batch_set_add(b, s, &owner);
		nftnl_set_free(s);
		if (rc)
			return rc;
		fnft_elems_init(&w, b, NFT_MSG_NEWSETELEM, rs->table, set->name,
				i + 1, &owner);
		if ((rc = fnft_interval_elems(set->elems.v, set->elems.n,
					      fnft_family_key_len(set->family), true,
					      fnft_elems_key, &w, &count)) ||
		    (rc = fnft_elems_close(&w)))
			return rc;
	}
	return 0;
}

int fnft_encode_rule_msgs(struct fnft_batch *b, const char *table,
			  const char *chain, const struct fnft_ir_rule *r,
			  const struct fnft_ruleset *rs, uint32_t *set_id,
			  const struct fnft_msg_ref *owner, uint64_t position,
			  bool append)
{
	struct nftnl_set *anon = NULL;
	struct nftnl_rule *nr;
	int rc;

	if ((rc = fnft_encode_rule(table, chain, r, rs, set_id, &nr, &anon)))
		return rc;
	if (anon) {
		struct fnft_msg_ref aref = *owner;

		aref.anonymous = true;
		rc = fnft_batch_set_add_with_elems(b, anon, &aref);
		nftnl_set_free(anon);
	}
	if (position)
		nftnl_rule_set_u64(nr, NFTNL_RULE_POSITION, position);
	if (!rc)
		rc = fnft_batch_rule_add(b, nr, append, owner);
	nftnl_rule_free(nr);
	return rc;
}

static int put_rules(struct fnft_batch *b, const struct fnft_ruleset *rs,
		     const struct fnft_ir_chain *c, uint32_t *set_id)
{
	size_t i;
	int rc;

	for (i = 0; i < c->n_rules; i++) {
		struct fnft_msg_ref owner = { .name = c->rules[i].comment,
					      .chain = c->name, .rule_index = i,
					      .rule = &c->rules[i] };

		if ((rc = fnft_encode_rule_msgs(b, rs->table, c->name, &c->rules[i],
						rs, set_id, &owner, 0, true)))
			return rc;
	}
	return 0;
}

static int check_chain(const struct fnft_ir_chain *c)
{
	if (!name_ok(c->name) ||
	    (c->hook != FNFT_HOOK_INPUT && c->hook != FNFT_HOOK_OUTPUT) ||
	    (c->policy != FNFT_VERDICT_ACCEPT && c->policy != FNFT_VERDICT_DROP))
		return -EINVAL;
	return 0;
}

static int encode_replace(struct fnft_batch *b, const struct fnft_ruleset *rs,
			  uint32_t genid)
{
	uint32_t set_id = rs->n_sets;
	size_t i;
	int rc;

	/* the first NEWTABLE makes the DELTABLE safe on a missing table */
	if ((rc = fnft_batch_begin(b, genid)) ||
	    (rc = fnft_batch_table_add(b, rs->table, NULL)) ||
	    (rc = fnft_batch_table_del(b, rs->table)) ||
	    (rc = fnft_batch_table_add(b, rs->table, rs->comment)))
		return rc;
	for (i = 0; i < rs->n_chains; i++)
		if ((rc = check_chain(&rs->chains[i])) ||
		    (rc = fnft_batch_chain_add(b, rs->table, &rs->chains[i])))
			return rc;
	if ((rc = put_named_sets(b, rs)))
		return rc;
	for (i = 0; i < rs->n_chains; i++)
		if ((rc = put_rules(b, rs, &rs->chains[i], &set_id)))
			return rc;
	return fnft_batch_end(b);
}

int fnft_encode_replace(const struct fnft_ruleset *rs, uint32_t genid,
			uint32_t seq_start, struct fnft_batch **out)
{
	struct fnft_batch *b;
	int rc;

	if (!rs || !out || !name_ok(rs->table))
		return -EINVAL;
	b = fnft_batch_new(seq_start);
	if (!b)
		return -ENOMEM;
	rc = encode_replace(b, rs, genid);
	if (rc) {
		fnft_batch_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int fnft_encode_remove(const char *table, uint32_t genid, uint32_t seq_start,
		       struct fnft_batch **out)
{
	struct fnft_batch *b;
	int rc;

	if (!out || !name_ok(table))
		return -EINVAL;
	b = fnft_batch_new(seq_start);
	if (!b)
		return -ENOMEM;
	if ((rc = fnft_batch_begin(b, genid)) ||
	    (rc = fnft_batch_table_add(b, table, NULL)) ||
	    (rc = fnft_batch_table_del(b, table)) || (rc = fnft_batch_end(b))) {
		fnft_batch_free(b);
		return rc;
	}
	*out = b;
	return 0;
}
