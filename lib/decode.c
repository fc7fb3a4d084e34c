/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dumped libnftnl objects -> IR.  A rule is read as the sequence of
 * matches and statements the encoder writes, in the encoder's order; the
 * first expression that does not fit makes the whole rule raw (kept as
 * libnftnl prints it), so nothing in our table is ever dropped unseen.
 */
#include <errno.h>
#include <stdio.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "decode.h"
#include "wire.h"

/* The order matches come in; each may appear once, in this order. */
enum stage {
	ST_NONE, ST_CT, ST_IIF, ST_OIF, ST_ADDR, ST_L4, ST_COUNTER, ST_LIMIT,
	ST_LOG, ST_VERDICT,
};

struct rule_reader {
	const struct fnft_dump *d;
	struct nftnl_expr **e;		/* the rule's expressions */
	size_t n, i;
	enum stage stage;
	int nfproto;			/* pending meta nfproto, or 0 */
	struct fnft_ir_rule *r;
	uint8_t icmp[256];
};

/* ---- helpers ---- */

static bool is(const struct nftnl_expr *e, const char *name)
{
	return e && streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name);
}

static struct nftnl_expr *peek(struct rule_reader *rr, size_t k)
{
	return rr->i + k < rr->n ? rr->e[rr->i + k] : NULL;
}

/* cmp on reg 1 with @op and exactly @len bytes of data. */
static const uint8_t *cmp_data(const struct nftnl_expr *e, uint32_t op,
			       uint32_t len)
{
	uint32_t got;
	const void *data;

	if (!is(e, "cmp") || nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) != NFT_REG_1 ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) != op)
		return NULL;
	data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &got);
	return data && got == len ? data : NULL;
}

static bool meta_key(const struct nftnl_expr *e, uint32_t key)
{
	return is(e, "meta") && nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG) &&
	       nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) == key &&
	       nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG) == NFT_REG_1;
}

static bool payload(const struct nftnl_expr *e, uint32_t base, uint32_t off,
		    uint32_t len)
{
	return is(e, "payload") &&
	       nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG) == NFT_REG_1 &&
	       nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE) == base &&
	       nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET) == off &&
	       nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN) == len;
}

static const char *lookup_set(const struct nftnl_expr *e)
{
	if (!is(e, "lookup") ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG) != NFT_REG_1 ||
	    (nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS)))
		return NULL;	/* "!= @set" is not ours */
	return nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
}

static bool advance(struct rule_reader *rr, enum stage st, size_t used)
{
	if (st <= rr->stage)
		return false;
	rr->stage = st;
	rr->i += used;
	return true;
}

static struct nftnl_set *find_set(const struct fnft_dump *d, const char *name)
{
	return nftnl_set_list_lookup_byname(d->sets, name);
}

/* ---- set elements ---- */

struct key_elem {
	uint8_t key[16];
	bool end;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(((const struct key_elem *)a)->key,
		      ((const struct key_elem *)b)->key, 16);
}

/*
 * The set's elements as (key, interval-end) pairs sorted by key.  The
 * kernel hands an interval set out in descending order: reversed, not
 * sorted, when it is (a full sort of 200,000 keys was most of a decode).
 */
static int set_keys(const struct fnft_dump *d, struct nftnl_set *s, size_t w,
		    struct key_elem **out, size_t *n)
{
	const struct fnft_dump_keys *dk = fnft_dump_keys(d, s);
	struct key_elem *v;
	size_t i, up = 0, down = 0;

	*n = dk ? dk->n : 0;
	v = calloc(*n ? *n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < *n; i++) {
		if (dk->v[i].len != w) {
			free(v);
			return -EINVAL;
		}
		memcpy(v[i].key, dk->v[i].key, w);
		v[i].end = dk->v[i].end;
		if (i) {
			int c = key_cmp(&v[i - 1], &v[i]);

			up += c < 0;
			down += c > 0;
		}
	}
	if (down && !up) {
		for (i = 0; i < *n / 2; i++) {
			struct key_elem t = v[i];

			v[i] = v[*n - 1 - i];
			v[*n - 1 - i] = t;
		}
	} else if (down) {
		qsort(v, *n, sizeof(*v), key_cmp);
	}
	*out = v;
	return 0;
}

/* Big-endian -1 of @b (not zero) into @out. */
static void key_dec(const uint8_t *b, uint8_t *out, size_t w)
{
	memcpy(out, b, w);
	while (w-- > 0)
		if (out[w]-- != 0)
			return;
}

/*
 * Interval elements -> inclusive intervals: a start key opens, the next
 * end key closes at key-1; a start with no end runs to the top.
 */
static int keys_to_intervals(const struct key_elem *k, size_t n, size_t w,
			     struct fnft_ivlist *l)
{
	struct fnft_iv iv;
	size_t i;

	for (i = 0; i < n; i++) {
		if (k[i].end)
			continue;	/* nft's leading end at 0, or stray */
		memset(&iv, 0, sizeof(iv));
		memcpy(iv.lo, k[i].key, w);
		if (i + 1 < n && k[i + 1].end) {
			key_dec(k[i + 1].key, iv.hi, w);
			i++;
		} else if (i + 1 < n) {
			return -EINVAL;	/* two starts in a row */
		} else {
			memset(iv.hi, 0xff, w);
		}
		if (fnft_ivlist_add(l, &iv) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool set_is(struct nftnl_set *s, uint32_t type, uint32_t len)
{
	return nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE) == type &&
	       nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN) == len;
}

/* A named set of addresses of @fam, as the encoder makes them. */
static bool addr_set_is(struct nftnl_set *s, enum fnft_family fam)
{
	return set_is(s, fnft_family_key_type(fam), fnft_family_key_len(fam));
}

/* An anonymous port set of a rule -> its port list. */
static int anon_ports(const struct fnft_dump *d, struct nftnl_set *s,
		      struct fnft_portlist *ports)
{
	struct key_elem *k = NULL;
	struct fnft_ivlist l = { 0 };
	size_t n, i;
	int rc;

	if (!set_is(s, FNFT_TYPE_INET_SERVICE, FNFT_TH_DPORT_LEN))
		return -EINVAL;
	if ((rc = set_keys(d, s, FNFT_TH_DPORT_LEN, &k, &n)))
		return rc;
	if (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL) {
		rc = keys_to_intervals(k, n, FNFT_TH_DPORT_LEN, &l);
		for (i = 0; !rc && i < l.n; i++)
			rc = fnft_portlist_add(ports,
					       (uint16_t)(l.v[i].lo[0] << 8 | l.v[i].lo[1]),
					       (uint16_t)(l.v[i].hi[0] << 8 | l.v[i].hi[1]));
	} else {
		for (i = 0; !rc && i < n; i++) {
			uint16_t p = (uint16_t)(k[i].key[0] << 8 | k[i].key[1]);

			rc = k[i].end ? -EINVAL : fnft_portlist_add(ports, p, p);
		}
	}
	free(k);
	fnft_ivlist_free(&l);
	return rc;
}

static int anon_icmp(const struct fnft_dump *d, struct nftnl_set *s,
		     uint32_t type, uint8_t *types, size_t *n_types)
{
	struct key_elem *k = NULL;
	size_t n, i;
	int rc;

	if (!set_is(s, type, FNFT_ICMP_TYPE_LEN) ||
	    (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL))
		return -EINVAL;
	if ((rc = set_keys(d, s, FNFT_ICMP_TYPE_LEN, &k, &n)))
		return rc;
	for (i = 0; i < n; i++)
		types[i] = k[i].key[0];
	*n_types = n;
	free(k);
	return 0;
}

/* ---- one match or statement at a time ---- */

static bool read_ct(struct rule_reader *rr)
{
	struct nftnl_expr *ct = peek(rr, 0), *bw = peek(rr, 1);
	static const uint32_t zero;
	uint32_t len = 0;
	const uint32_t *mask;

	if (!is(ct, "ct") || nftnl_expr_get_u32(ct, NFTNL_EXPR_CT_KEY) != NFT_CT_STATE ||
	    !is(bw, "bitwise") ||
	    nftnl_expr_get_u32(bw, NFTNL_EXPR_BITWISE_LEN) != 4 ||
	    !cmp_data(peek(rr, 2), NFT_CMP_NEQ, 4) ||
	    memcmp(cmp_data(peek(rr, 2), NFT_CMP_NEQ, 4), &zero, 4))
		return false;
	mask = nftnl_expr_get(bw, NFTNL_EXPR_BITWISE_MASK, &len);
	if (!mask || len != 4 || !*mask)
		return false;
	rr->r->ct_state = *mask;
	return advance(rr, ST_CT, 3);
}

static bool read_ifname(struct rule_reader *rr)
{
	struct nftnl_expr *m = peek(rr, 0);
	bool in = meta_key(m, NFT_META_IIFNAME);
	const uint8_t *name;

	if (!in && !meta_key(m, NFT_META_OIFNAME))
		return false;
	name = cmp_data(peek(rr, 1), NFT_CMP_EQ, FNFT_IFNAME_MAX);
	if (!name || name[FNFT_IFNAME_MAX - 1] || !name[0])
		return false;
	memcpy(in ? rr->r->iifname : rr->r->oifname, name, FNFT_IFNAME_MAX);
	return advance(rr, in ? ST_IIF : ST_OIF, 2);
}

/* meta nfproto == ipv4|ipv6: remembered for the match it guards. */
static bool read_nfproto(struct rule_reader *rr)
{
	const uint8_t *v;

	if (rr->nfproto || rr->stage >= ST_L4 ||
	    !meta_key(peek(rr, 0), NFT_META_NFPROTO) ||
	    !(v = cmp_data(peek(rr, 1), NFT_CMP_EQ, 1)) ||
	    (v[0] != NFPROTO_IPV4 && v[0] != NFPROTO_IPV6))
		return false;
	rr->nfproto = v[0];
	rr->i += 2;
	return true;
}

static bool read_addr(struct rule_reader *rr)
{
	enum fnft_family fam = rr->nfproto == NFPROTO_IPV4 ? FNFT_V4 : FNFT_V6;
	uint32_t len = fnft_family_key_len(fam);
	struct nftnl_expr *p = peek(rr, 0);
	bool src = payload(p, NFT_PAYLOAD_NETWORK_HEADER,
			   fnft_addr_offset(fam, true), len);
	const char *set;

	/* one address match per rule: check the order before allocating */
	if (!rr->nfproto || rr->stage >= ST_ADDR ||
	    (!src && !payload(p, NFT_PAYLOAD_NETWORK_HEADER,
			      fnft_addr_offset(fam, false), len)))
		return false;
	set = lookup_set(peek(rr, 1));
	if (!set || set[0] == '_')
		return false;
	rr->r->addr = src ? FNFT_MATCH_SADDR : FNFT_MATCH_DADDR;
	rr->r->family = fam;
	rr->r->set = strdup(set);
	rr->nfproto = 0;
	return rr->r->set && advance(rr, ST_ADDR, 2);
}

/* After "payload -> reg 1": one value, a range, or an anonymous set. */
static int read_l4_value(struct rule_reader *rr, size_t w, bool ports,
			 uint32_t icmp_type)
{
	struct nftnl_expr *e = peek(rr, 0);
	const uint8_t *lo, *hi;
	const char *name;
	struct nftnl_set *s;

	if ((lo = cmp_data(e, NFT_CMP_EQ, (uint32_t)w))) {
		rr->i += 1;
		if (!ports) {
			rr->icmp[0] = lo[0];
			rr->r->n_icmp_types = 1;
			return 0;
		}
		return fnft_portlist_add(&rr->r->dports,
					 (uint16_t)(lo[0] << 8 | lo[1]),
					 (uint16_t)(lo[0] << 8 | lo[1]));
	}
	if (ports && (lo = cmp_data(e, NFT_CMP_GTE, FNFT_TH_DPORT_LEN)) &&
	    (hi = cmp_data(peek(rr, 1), NFT_CMP_LTE, FNFT_TH_DPORT_LEN))) {
		rr->i += 2;
		return fnft_portlist_add(&rr->r->dports,
					 (uint16_t)(lo[0] << 8 | lo[1]),
					 (uint16_t)(hi[0] << 8 | hi[1]));
	}
	name = lookup_set(e);
	if (!name || !(s = find_set(rr->d, name)) ||
	    !(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS))
		return -EINVAL;
	rr->i += 1;
	if (ports)
		return anon_ports(rr->d, s, &rr->r->dports);
	return anon_icmp(rr->d, s, icmp_type, rr->icmp, &rr->r->n_icmp_types);
}

static bool read_l4(struct rule_reader *rr)
{
	const uint8_t *proto;
	bool icmp4, icmp6, ports;
	size_t save = rr->i;

	if (rr->stage >= ST_L4 || !meta_key(peek(rr, 0), NFT_META_L4PROTO) ||
	    !(proto = cmp_data(peek(rr, 1), NFT_CMP_EQ, 1)))
		return false;
	icmp4 = proto[0] == FNFT_L4_ICMP;
	icmp6 = proto[0] == FNFT_L4_ICMPV6;
	ports = proto[0] == FNFT_L4_TCP || proto[0] == FNFT_L4_UDP;
	/* icmp needs its network protocol: pending, or from the address */
	if ((icmp4 || icmp6) &&
	    !(rr->nfproto == (icmp4 ? NFPROTO_IPV4 : NFPROTO_IPV6) ||
	      (!rr->nfproto && rr->r->addr &&
	       rr->r->family == (icmp4 ? FNFT_V4 : FNFT_V6))))
		return false;
	if (ports && rr->nfproto)
		return false;
	if (!ports && !icmp4 && !icmp6)
		return false;
	rr->i += 2;
	if (!payload(peek(rr, 0), NFT_PAYLOAD_TRANSPORT_HEADER,
		     ports ? FNFT_TH_DPORT_OFFSET : FNFT_ICMP_TYPE_OFFSET,
		     ports ? FNFT_TH_DPORT_LEN : FNFT_ICMP_TYPE_LEN))
		goto undo;
	rr->i += 1;
	if (read_l4_value(rr, ports ? FNFT_TH_DPORT_LEN : FNFT_ICMP_TYPE_LEN,
			  ports, icmp4 ? FNFT_TYPE_ICMP_TYPE : FNFT_TYPE_ICMPV6_TYPE))
		goto undo;
	rr->r->l4 = (enum fnft_l4)proto[0];
	rr->nfproto = 0;
	if (!ports) {
		rr->r->icmp_types = malloc(rr->r->n_icmp_types);
		if (!rr->r->icmp_types)
			goto undo;
		memcpy(rr->r->icmp_types, rr->icmp, rr->r->n_icmp_types);
	}
	rr->stage = ST_L4;
	return true;
undo:
	rr->i = save;
	return false;
}

static bool read_statement(struct rule_reader *rr)
{
	struct nftnl_expr *e = peek(rr, 0);

	if (is(e, "counter")) {
		rr->r->counter = true;
		rr->r->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		rr->r->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
		return advance(rr, ST_COUNTER, 1);
	}
	if (is(e, "limit")) {
		if (nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT) != FNFT_LOG_LIMIT_UNIT ||
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) != NFT_LIMIT_PKTS ||
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS) ||
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST) != FNFT_LOG_LIMIT_BURST ||
		    !nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE))
			return false;
		rr->r->limit_per_minute = (unsigned)nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE);
		return advance(rr, ST_LIMIT, 1);
	}
	if (is(e, "log")) {
		const char *p = nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX);

		/* the kernel reports its default level (warning) back */
		if (!p || nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) ||
		    (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_LEVEL) &&
		     nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_LEVEL) != NFT_LOGLEVEL_WARNING) ||
		    !(rr->r->log_prefix = strdup(p)))
			return false;
		return advance(rr, ST_LOG, 1);
	}
	if (is(e, "immediate") &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) == NFT_REG_VERDICT) {
		uint32_t v = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

		if (v != NF_ACCEPT && v != NF_DROP)
			return false;
		rr->r->verdict = v == NF_ACCEPT ? FNFT_VERDICT_ACCEPT
						: FNFT_VERDICT_DROP;
		return advance(rr, ST_VERDICT, 1);
	}
	return false;
}

static bool read_one(struct rule_reader *rr)
{
	return read_ct(rr) || read_ifname(rr) || read_nfproto(rr) ||
	       read_addr(rr) || read_l4(rr) || read_statement(rr);
}

/* ---- rules ---- */

/*
 * The comment (TLV type 0, NUL-terminated) of table or rule userdata.  The
 * bytes come from the kernel as anyone stored them: every TLV is checked
 * to fit before it is read (libnftnl's parser does not).
 */
static const char *udata_comment(const void *data, uint32_t len)
{
	const uint8_t *d = data;
	uint32_t off = 0;

	while (d && off + 2 <= len) {
		uint8_t type = d[off], n = d[off + 1];

		if (off + 2 + n > len)
			return NULL;
		if (type == 0 && n && d[off + 2 + n - 1] == '\0')
			return (const char *)d + off + 2;
		off += 2 + n;
	}
	return NULL;
}

/*
 * The expressions as libnftnl prints them, on one line, without the
 * "family table chain handle position" prefix that changes on every apply.
 */
static int raw_rule(struct nftnl_rule *nr, struct fnft_ir_rule *r)
{
	char buf[4096], *p, *q, *start;

	fnft_rule_clear(r);
	nftnl_rule_snprintf(buf, sizeof(buf), nr, NFTNL_OUTPUT_DEFAULT, 0);
	start = strchr(buf, '[');
	if (!start)
		start = buf;
	for (p = q = start; *p; p++) {
		char c = (*p == '\n' || *p == '\t') ? ' ' : *p;

		if (c == ' ' && (q == start || q[-1] == ' '))
			continue;
		*q++ = c;
	}
	while (q > start && q[-1] == ' ')
		q--;
	*q = '\0';
	r->raw = strdup(start);
	r->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
	return r->raw ? 0 : -ENOMEM;
}

static int collect_exprs(struct nftnl_rule *nr, struct nftnl_expr ***out,
			 size_t *n)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(nr);
	struct nftnl_expr *e, **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!it)
		return -ENOMEM;
	while ((e = nftnl_expr_iter_next(it))) {
		if (fnft_grow(&v, &cap, *n + 1, sizeof(*v)) < 0) {
			nftnl_expr_iter_destroy(it);
			free(v);
			return -ENOMEM;
		}
		v[(*n)++] = e;
	}
	nftnl_expr_iter_destroy(it);
	*out = v;
	return 0;
}

static int decode_rule(const struct fnft_dump *d, struct nftnl_rule *nr,
		       struct fnft_ir_chain *chain)
{
	struct fnft_ir_rule r = { 0 };
	struct rule_reader rr = { .d = d, .r = &r };
	uint32_t len = 0;
	const void *ud;
	const char *comment;
	int rc;

	if ((rc = collect_exprs(nr, &rr.e, &rr.n)))
		return rc;
	while (rr.i < rr.n && read_one(&rr))
		;
	ud = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &len);
	comment = udata_comment(ud, len);
	if (rr.i < rr.n || rr.nfproto || (ud && len && !comment)) {
		rc = raw_rule(nr, &r);
	} else {
		r.handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
		if (comment && !(r.comment = strdup(comment)))
			rc = -ENOMEM;
	}
	free(rr.e);
	if (!rc)
		rc = fnft_chain_add_rule(chain, &r);
	fnft_rule_clear(&r);
	return rc;
}

/* ---- sets, chains, table ---- */

static int decode_set(const struct fnft_dump *d, struct nftnl_set *s,
		      struct fnft_ruleset *rs)
{
	const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	bool v4 = addr_set_is(s, FNFT_V4), v6 = addr_set_is(s, FNFT_V6);
	struct key_elem *k = NULL;
	struct fnft_ir_set *set;
	size_t n;
	int rc = 0;

	if (flags & NFT_SET_ANONYMOUS)
		return 0;	/* part of the rule that uses it */
	if (!name || !*name)
		return -EINVAL;	/* no kernel sends that: a damaged dump */
	set = fnft_ruleset_add_set(rs, name, v6 ? FNFT_V6 : FNFT_V4);
	if (!set)
		return -ENOMEM;
	/* not one of our address sets: every attribute, described */
	if ((!v4 && !v6) || flags != NFT_SET_INTERVAL || !fnft_set_is_plain(s))
		return fnft_describe_set(s, &set->raw);
	if (!d->elements)
		return 0;
	rc = set_keys(d, s, fnft_family_key_len(set->family), &k, &n);
	if (!rc)
		rc = keys_to_intervals(k, n, fnft_family_key_len(set->family),
				       &set->elems);
	free(k);
	if (rc == -EINVAL) {
		/* elements we cannot read as intervals: say so */
		fnft_ivlist_free(&set->elems);
		set->raw = strdup("elements not understood");
		return set->raw ? 0 : -ENOMEM;
	}
	fnft_ivlist_normalize(&set->elems, set->family);
	return rc;
}

static int decode_chain(struct nftnl_chain *c, struct fnft_ruleset *rs)
{
	bool base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	uint32_t policy = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) ?
			  nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) : NF_ACCEPT;
	const char *name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	struct fnft_ir_chain *chain;

	if (!name || !*name)
		return -EINVAL;	/* no kernel sends that: a damaged dump */
	chain = fnft_ruleset_add_chain(rs, name,
				       base ? (enum fnft_hook)nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) : 0,
				       base ? nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO) : 0,
				       policy == NF_DROP ? FNFT_VERDICT_DROP
							 : FNFT_VERDICT_ACCEPT);
	if (!chain)
		return -ENOMEM;
	/* another type, hook, flags, a device...: described in full */
	return fnft_describe_chain(c, &chain->raw);
}

static int chain_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fnft_ir_chain *)a)->name,
		      ((const struct fnft_ir_chain *)b)->name);
}

static struct fnft_ir_chain *chain_named(struct fnft_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_chains; i++)
		if (streq(rs->chains[i].name, name))
			return &rs->chains[i];
	return NULL;
}

/* The foreach callbacks of decode_all(); errors are negative errnos. */
struct decode_ctx {
	const struct fnft_dump *d;
	struct fnft_ruleset *rs;
};

static int chain_cb(struct nftnl_chain *c, void *data)
{
	return decode_chain(c, ((struct decode_ctx *)data)->rs);
}

static int set_cb(struct nftnl_set *s, void *data)
{
	struct decode_ctx *x = data;

	return decode_set(x->d, s, x->rs);
}

static int rule_cb(struct nftnl_rule *r, void *data)
{
	struct decode_ctx *x = data;
	const char *cname = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	struct fnft_ir_chain *chain = cname ? chain_named(x->rs, cname) : NULL;

	return chain ? decode_rule(x->d, r, chain) : -EINVAL;
}

static int decode_all(const struct fnft_dump *d, struct fnft_ruleset *rs)
{
	struct decode_ctx x = { d, rs };
	int rc;

	rc = nftnl_chain_list_foreach(d->chains, chain_cb, &x);
	if (!rc && rs->n_chains)
		qsort(rs->chains, rs->n_chains, sizeof(*rs->chains), chain_cmp);
	if (!rc)
		rc = nftnl_set_list_foreach(d->sets, set_cb, &x);
	if (!rc)
		rc = nftnl_rule_list_foreach(d->rules, rule_cb, &x);
	if (!rc)
		rc = fnft_decode_objects(d, rs);
	fnft_ruleset_sort_sets(rs);
	return rc;
}

int fnft_decode(const struct fnft_dump *d, struct fnft_ruleset **out,
		struct fnft_error *err)
{
	const char *name = nftnl_table_get_str(d->table, NFTNL_TABLE_NAME);
	uint32_t len = 0;
	const void *ud = nftnl_table_get_data(d->table, NFTNL_TABLE_USERDATA, &len);
	struct fnft_ruleset *rs;
	int rc;

	if (!name)
		return fnft_err(err, -EINVAL, NULL, NULL, "a table without a name in the dump");
	rs = fnft_ruleset_new(name, udata_comment(ud, len));
	if (!rs)
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	if (nftnl_table_is_set(d->table, NFTNL_TABLE_FLAGS))
		rs->flags = nftnl_table_get_u32(d->table, NFTNL_TABLE_FLAGS);
	rc = decode_all(d, rs);
	if (rc) {
		fnft_ruleset_free(rs);
		return fnft_err(err, rc, NULL, name,
				rc == -ENOMEM ? "out of memory" :
				"table inet %s holds what finesse-nft cannot read (an object without a name, or a rule of no chain)",
				name);
	}
	*out = rs;
	return 0;
}
