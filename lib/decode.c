/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dumped libnftnl objects -> IR.  A rule is read as the sequence of
 * matches and statements the encoder writes, in the encoder's order; the
 * first expression that does not fit makes the whole rule raw (kept as
 * libnftnl prints it), so nothing in our table is ever dropped unseen.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
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
#include "encode.h"
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

/*
 * Every reader below checks each attribute libnftnl exposes for the
 * expression it accepts: the registers, the operation, the lengths, and
 * that nothing is set which would make it another thing (a meta or
 * payload with a source register is a write, a lookup with a destination
 * register a map).  What it does not check in full it does not accept.
 */

static bool is(const struct nftnl_expr *e, const char *name)
{
	return e && streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name);
}

static bool has(const struct nftnl_expr *e, uint16_t type)
{
	return nftnl_expr_is_set(e, type);
}

static bool u32_is(const struct nftnl_expr *e, uint16_t type, uint32_t v)
{
	return has(e, type) && nftnl_expr_get_u32(e, type) == v;
}

/* Absent, or the zero the kernel dumps for "none". */
static bool u32_none(const struct nftnl_expr *e, uint16_t type)
{
	return !has(e, type) || nftnl_expr_get_u32(e, type) == 0;
}

static struct nftnl_expr *peek(struct rule_reader *rr, size_t k)
{
	return rr->i + k < rr->n ? rr->e[rr->i + k] : NULL;
}

/* cmp on reg 1 with @op and exactly @len bytes of data. */
static const uint8_t *cmp_data(const struct nftnl_expr *e, uint32_t op,
			       uint32_t len)
{
	uint32_t got = 0;
	const void *data;

	if (!is(e, "cmp") || !u32_is(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1) ||
	    !u32_is(e, NFTNL_EXPR_CMP_OP, op))
		return NULL;
	data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &got);
	return data && got == len ? data : NULL;
}

/* A load of meta @key into reg 1 (with a source register: "meta set"). */
static bool meta_key(const struct nftnl_expr *e, uint32_t key)
{
	return is(e, "meta") && u32_is(e, NFTNL_EXPR_META_KEY, key) &&
	       u32_is(e, NFTNL_EXPR_META_DREG, NFT_REG_1) &&
	       !has(e, NFTNL_EXPR_META_SREG);
}

/* A load of @len bytes at @base + @off into reg 1; a source register or
 * checksum fields make it a write. */
static bool payload(const struct nftnl_expr *e, uint32_t base, uint32_t off,
		    uint32_t len)
{
	return is(e, "payload") &&
	       u32_is(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1) &&
	       u32_is(e, NFTNL_EXPR_PAYLOAD_BASE, base) &&
	       u32_is(e, NFTNL_EXPR_PAYLOAD_OFFSET, off) &&
	       u32_is(e, NFTNL_EXPR_PAYLOAD_LEN, len) &&
	       !has(e, NFTNL_EXPR_PAYLOAD_SREG) &&
	       u32_none(e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE) &&
	       u32_none(e, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET) &&
	       u32_none(e, NFTNL_EXPR_PAYLOAD_FLAGS);
}

/*
 * A membership test of reg 1 in a set: no destination register (that is
 * a map: "vmap", "dnat to ... map"), no flags ("!= @set").  The set it
 * names, from the dump, or NULL.
 */
static struct nftnl_set *lookup_set(const struct rule_reader *rr,
				    const struct nftnl_expr *e)
{
	const char *name;

	if (!is(e, "lookup") ||
	    !u32_is(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1) ||
	    has(e, NFTNL_EXPR_LOOKUP_DREG) ||
	    !u32_none(e, NFTNL_EXPR_LOOKUP_FLAGS) ||
	    !(name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET)))
		return NULL;
	return nftnl_set_list_lookup_byname(rr->d->sets, name);
}

static bool advance(struct rule_reader *rr, enum stage st, size_t used)
{
	if (st <= rr->stage)
		return false;
	rr->stage = st;
	rr->i += used;
	return true;
}

/*
 * Text nft 1.0.6 prints as it is and reads back as the same bytes:
 * printable ASCII without the quote (it cannot be written), the
 * backslash (nft turns a trailing "\*" into "*"), and, for @dollar, the
 * '$' that a log prefix expands as a variable.
 */
static bool plain_text(const char *s, size_t n, bool dollar)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\' ||
		    (dollar && s[i] == '$'))
			return false;
	return true;
}

/* A name nft reads after '@': its identifier, and no keyword. */
static bool nft_identifier(const char *s)
{
	size_t i;

	if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '.') ||
	    fnft_nft_keyword(s))
		return false;
	for (i = 1; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("/-_.", s[i]))
			return false;
	return true;
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
			fnft_key_dec(k[i + 1].key, iv.hi, w);
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

static uint16_t port_of(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/*
 * A set of plain keys of @type and @len: no data (a map, an object map),
 * no concatenation, no timeouts and no expressions of its own.  A lookup
 * in it is a membership test and nothing else.
 */
static bool plain_set(struct nftnl_set *s, uint32_t type, uint32_t len)
{
	static const uint16_t none[] = {
		NFTNL_SET_DATA_TYPE, NFTNL_SET_DATA_LEN, NFTNL_SET_OBJ_TYPE,
		NFTNL_SET_TIMEOUT, NFTNL_SET_GC_INTERVAL, NFTNL_SET_DESC_CONCAT,
		NFTNL_SET_EXPR, NFTNL_SET_EXPRESSIONS,
	};
	size_t i;

	if (!set_is(s, type, len) ||
	    (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) &
	     (NFT_SET_MAP | NFT_SET_OBJECT | NFT_SET_CONCAT | NFT_SET_TIMEOUT)))
		return false;
	for (i = 0; i < ARRAY_SIZE(none); i++)
		if (nftnl_set_is_set(s, none[i]))
			return false;
	return true;
}

/*
 * A rule's anonymous set as nft makes it: constant, of plain keys, an
 * interval set only if @interval_ok; nothing else in its flags.
 */
static bool anon_set(struct nftnl_set *s, uint32_t type, uint32_t len,
		     bool interval_ok)
{
	uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	uint32_t want = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;

	return plain_set(s, type, len) &&
	       (flags == want ||
		(interval_ok && flags == (want | NFT_SET_INTERVAL)));
}

/*
 * An anonymous port set of a rule -> its port list, of two items or more:
 * the IR holds one item as the compare nft makes of it, and
 * "{ 22-25 }" (a lookup) printed as "22-25" (two compares) would read back
 * as another rule.
 */
static int anon_ports(const struct fnft_dump *d, struct nftnl_set *s,
		      struct fnft_portlist *ports)
{
	struct key_elem *k = NULL;
	struct fnft_ivlist l = { 0 };
	size_t n, i;
	int rc;

	if (!anon_set(s, FNFT_TYPE_INET_SERVICE, FNFT_TH_DPORT_LEN, true))
		return -EINVAL;
	if ((rc = set_keys(d, s, FNFT_TH_DPORT_LEN, &k, &n)))
		return rc;
	if (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL) {
		rc = keys_to_intervals(k, n, FNFT_TH_DPORT_LEN, &l);
		for (i = 0; !rc && i < l.n; i++)
			rc = fnft_portlist_add(ports, port_of(l.v[i].lo),
					       port_of(l.v[i].hi));
	} else {
		for (i = 0; !rc && i < n; i++)
			rc = k[i].end ? -EINVAL
				      : fnft_portlist_add(ports, port_of(k[i].key),
							  port_of(k[i].key));
	}
	if (!rc && ports->n < 2)
		rc = -EINVAL;
	free(k);
	fnft_ivlist_free(&l);
	return rc;
}

/* An anonymous set of two or more ICMP or ICMPv6 types -> @types (room
 * for 256); one would print as a compare, as above. */
static int anon_icmp(const struct fnft_dump *d, struct nftnl_set *s,
		     uint32_t type, uint8_t *types, size_t *n_types)
{
	struct key_elem *k = NULL;
	size_t n, i;
	int rc;

	if (!anon_set(s, type, FNFT_ICMP_TYPE_LEN, false))
		return -EINVAL;
	if ((rc = set_keys(d, s, FNFT_ICMP_TYPE_LEN, &k, &n)))
		return rc;
	for (i = 0; i < n && !rc; i++) {
		/* sorted: a repeat or an interval end is not a plain set */
		if (k[i].end || (i && k[i].key[0] == k[i - 1].key[0]))
			rc = -EINVAL;
		else
			types[i] = k[i].key[0];
	}
	if (!rc && n < 2)
		rc = -EINVAL;
	*n_types = rc ? 0 : n;
	free(k);
	return rc;
}

/* ---- one match or statement at a time ---- */

/* ct state bits nft has a name for; the renderer names each */
#define CT_STATE_KNOWN (FNFT_CT_INVALID | FNFT_CT_ESTABLISHED | \
			FNFT_CT_RELATED | FNFT_CT_NEW | FNFT_CT_UNTRACKED)

/* ct load state -> reg 1; reg 1 = (reg 1 & mask) ^ 0; reg 1 != 0 */
static bool read_ct(struct rule_reader *rr)
{
	struct nftnl_expr *ct = peek(rr, 0), *bw = peek(rr, 1);
	static const uint32_t zero;
	const uint8_t *ne = cmp_data(peek(rr, 2), NFT_CMP_NEQ, sizeof(zero));
	uint32_t len = 0, xlen = 0, mask;
	const void *m, *x;

	if (!is(ct, "ct") || !u32_is(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATE) ||
	    !u32_is(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1) ||
	    has(ct, NFTNL_EXPR_CT_SREG) || has(ct, NFTNL_EXPR_CT_DIR) ||
	    !is(bw, "bitwise") ||
	    !u32_is(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1) ||
	    !u32_is(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1) ||
	    !u32_is(bw, NFTNL_EXPR_BITWISE_LEN, sizeof(mask)) ||
	    !u32_none(bw, NFTNL_EXPR_BITWISE_OP) ||	/* NFT_BITWISE_BOOL */
	    has(bw, NFTNL_EXPR_BITWISE_DATA) ||	/* a shift's */
	    !ne || memcmp(ne, &zero, sizeof(zero)))
		return false;
	m = nftnl_expr_get(bw, NFTNL_EXPR_BITWISE_MASK, &len);
	x = nftnl_expr_get(bw, NFTNL_EXPR_BITWISE_XOR, &xlen);
	if (!m || len != sizeof(mask) || !x || xlen != sizeof(zero) ||
	    memcmp(x, &zero, sizeof(zero)))
		return false;
	memcpy(&mask, m, sizeof(mask));
	if (!mask || (mask & ~CT_STATE_KNOWN))
		return false;
	rr->r->ct_state = mask;
	return advance(rr, ST_CT, 3);
}

/*
 * iifname/oifname: a compare of all IFNAMSIZ bytes is the name ("eth0"),
 * of fewer bytes a prefix, nft's wildcard ("eth*", in the IR as the
 * encoder reads it).  Only names nft prints as they are: a whole name
 * ending in '*' is nft's "eth\*", a literal star the IR cannot hold.
 */
static bool read_ifname(struct rule_reader *rr)
{
	struct nftnl_expr *m = peek(rr, 0), *c = peek(rr, 1);
	bool in = meta_key(m, NFT_META_IIFNAME);
	char *dst = in ? rr->r->iifname : rr->r->oifname;
	const uint8_t *name;
	uint32_t len = 0;
	size_t n, i;

	if (!in && !meta_key(m, NFT_META_OIFNAME))
		return false;
	if (!is(c, "cmp") || !nftnl_expr_get(c, NFTNL_EXPR_CMP_DATA, &len) ||
	    !len || len > FNFT_IFNAME_MAX ||
	    !(name = cmp_data(c, NFT_CMP_EQ, len)))
		return false;
	n = strnlen((const char *)name, len);
	for (i = n; i < len; i++)
		if (name[i])
			return false;	/* bytes after the end: no name */
	if (!n || !plain_text((const char *)name, n, false) ||
	    name[n - 1] == '*')
		return false;
	if (len == FNFT_IFNAME_MAX) {
		if (n == len)
			return false;	/* no room for the NUL: no name */
		memcpy(dst, name, len);
	} else {
		/* a prefix: every byte of it a character, and room for '*' */
		if (n != len || n + 2 > FNFT_IFNAME_MAX)
			return false;
		memset(dst, 0, FNFT_IFNAME_MAX);
		memcpy(dst, name, n);
		dst[n] = '*';
	}
	return advance(rr, in ? ST_IIF : ST_OIF, 2);
}

/*
 * meta nfproto == ipv4|ipv6: remembered for the match it guards, an
 * address or an ICMP type; before it, so never after an address.
 */
static bool read_nfproto(struct rule_reader *rr)
{
	const uint8_t *v;

	if (rr->nfproto || rr->stage >= ST_ADDR ||
	    !meta_key(peek(rr, 0), NFT_META_NFPROTO) ||
	    !(v = cmp_data(peek(rr, 1), NFT_CMP_EQ, 1)) ||
	    (v[0] != NFPROTO_IPV4 && v[0] != NFPROTO_IPV6))
		return false;
	rr->nfproto = v[0];
	rr->i += 2;
	return true;
}

/* ip/ip6 saddr/daddr @set: a named set of addresses of that family. */
static bool read_addr(struct rule_reader *rr)
{
	enum fnft_family fam = rr->nfproto == NFPROTO_IPV4 ? FNFT_V4 : FNFT_V6;
	uint32_t len = fnft_family_key_len(fam);
	struct nftnl_expr *p = peek(rr, 0);
	bool src = payload(p, NFT_PAYLOAD_NETWORK_HEADER,
			   fnft_addr_offset(fam, true), len);
	struct nftnl_set *s;
	const char *name;

	/* one address match per rule: check the order before allocating */
	if (!rr->nfproto || rr->stage >= ST_ADDR ||
	    (!src && !payload(p, NFT_PAYLOAD_NETWORK_HEADER,
			      fnft_addr_offset(fam, false), len)))
		return false;
	s = lookup_set(rr, peek(rr, 1));
	if (!s || (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS) ||
	    !plain_set(s, fnft_family_key_type(fam), len) ||
	    !nft_identifier(name = nftnl_set_get_str(s, NFTNL_SET_NAME)))
		return false;
	rr->r->addr = src ? FNFT_MATCH_SADDR : FNFT_MATCH_DADDR;
	rr->r->family = fam;
	rr->r->set = strdup(name);
	rr->nfproto = 0;
	return rr->r->set && advance(rr, ST_ADDR, 2);
}

/* After "payload -> reg 1": one value, a range, or an anonymous set. */
static int read_l4_value(struct rule_reader *rr, size_t w, bool ports,
			 uint32_t icmp_type)
{
	struct nftnl_expr *e = peek(rr, 0);
	const uint8_t *lo, *hi;
	struct nftnl_set *s;

	if ((lo = cmp_data(e, NFT_CMP_EQ, (uint32_t)w))) {
		rr->i += 1;
		if (!ports) {
			rr->icmp[0] = lo[0];
			rr->r->n_icmp_types = 1;
			return 0;
		}
		return fnft_portlist_add(&rr->r->dports, port_of(lo), port_of(lo));
	}
	/* a range "a-b" as nft writes it: a < b, else it is another thing */
	if (ports && (lo = cmp_data(e, NFT_CMP_GTE, FNFT_TH_DPORT_LEN)) &&
	    (hi = cmp_data(peek(rr, 1), NFT_CMP_LTE, FNFT_TH_DPORT_LEN))) {
		if (port_of(lo) >= port_of(hi))
			return -EINVAL;
		rr->i += 2;
		return fnft_portlist_add(&rr->r->dports, port_of(lo), port_of(hi));
	}
	s = lookup_set(rr, e);
	if (!s || !(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS))
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

/* counter: nothing but its two numbers */
static bool read_counter(struct rule_reader *rr)
{
	struct nftnl_expr *e = peek(rr, 0);

	if (!is(e, "counter"))
		return false;
	rr->r->counter = true;
	rr->r->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
	rr->r->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
	return advance(rr, ST_COUNTER, 1);
}

/* limit rate N/minute: packets, nft's default burst, not "over" */
static bool read_limit(struct rule_reader *rr)
{
	struct nftnl_expr *e = peek(rr, 0);
	uint64_t rate;

	if (!is(e, "limit") || !has(e, NFTNL_EXPR_LIMIT_RATE) ||
	    !has(e, NFTNL_EXPR_LIMIT_UNIT) ||
	    nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT) != FNFT_LOG_LIMIT_UNIT ||
	    !u32_is(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS) ||
	    !u32_none(e, NFTNL_EXPR_LIMIT_FLAGS) ||
	    !u32_is(e, NFTNL_EXPR_LIMIT_BURST, FNFT_LOG_LIMIT_BURST))
		return false;
	rate = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE);
	if (!rate || rate > UINT_MAX)
		return false;
	rr->r->limit_per_minute = (unsigned)rate;
	return advance(rr, ST_LIMIT, 1);
}

/*
 * log prefix "...": to syslog at nft's default level (the kernel reports
 * it back), no flags; a group, snaplen or queue threshold is nflog.
 */
static bool read_log(struct rule_reader *rr)
{
	struct nftnl_expr *e = peek(rr, 0);
	const char *p;

	/* the order first: a second log would leak the first prefix */
	if (rr->stage >= ST_LOG || !is(e, "log") || has(e, NFTNL_EXPR_LOG_GROUP) ||
	    has(e, NFTNL_EXPR_LOG_SNAPLEN) || has(e, NFTNL_EXPR_LOG_QTHRESHOLD) ||
	    !u32_none(e, NFTNL_EXPR_LOG_FLAGS) ||
	    (has(e, NFTNL_EXPR_LOG_LEVEL) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_LEVEL) != NFT_LOGLEVEL_WARNING) ||
	    !(p = nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX)) || !*p ||
	    !plain_text(p, strlen(p), true) ||
	    !(rr->r->log_prefix = strdup(p)))
		return false;
	return advance(rr, ST_LOG, 1);
}

/* accept or drop: no jump, goto, return, continue, queue */
static bool read_verdict(struct rule_reader *rr)
{
	struct nftnl_expr *e = peek(rr, 0);
	uint32_t v;

	if (!is(e, "immediate") ||
	    !u32_is(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT) ||
	    !has(e, NFTNL_EXPR_IMM_VERDICT) || has(e, NFTNL_EXPR_IMM_CHAIN) ||
	    has(e, NFTNL_EXPR_IMM_CHAIN_ID))
		return false;
	v = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	if (v != NF_ACCEPT && v != NF_DROP)
		return false;
	rr->r->verdict = v == NF_ACCEPT ? FNFT_VERDICT_ACCEPT : FNFT_VERDICT_DROP;
	return advance(rr, ST_VERDICT, 1);
}

/*
 * The next match or statement, each once and in the IR's order (advance()
 * refuses one out of it: a log after the verdict is no fall-through log,
 * a counter before a match counts other packets).
 */
static bool read_one(struct rule_reader *rr)
{
	return read_ct(rr) || read_ifname(rr) || read_nfproto(rr) ||
	       read_addr(rr) || read_l4(rr) || read_counter(rr) ||
	       read_limit(rr) || read_log(rr) || read_verdict(rr);
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

/*
 * A rule's userdata as nft writes it: none, or one comment TLV
 * (NFTNL_UDATA_RULE_COMMENT, NUL-terminated) that nft prints as it is.
 * False for anything else: other TLVs are not ours to drop unseen.
 */
static bool rule_comment(struct nftnl_rule *nr, const char **comment)
{
	uint32_t len = 0;
	const uint8_t *d = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &len);

	*comment = NULL;
	if (!d || !len)
		return true;
	if (len < 4 || d[0] != 0 || d[1] + 2u != len || d[len - 1] ||
	    strlen((const char *)d + 2) != len - 3 ||
	    !plain_text((const char *)d + 2, len - 3, false))
		return false;
	*comment = (const char *)d + 2;
	return true;
}

static int decode_rule(const struct fnft_dump *d, struct nftnl_rule *nr,
		       struct fnft_ir_chain *chain)
{
	struct fnft_ir_rule r = { 0 };
	struct rule_reader rr = { .d = d, .r = &r };
	const char *comment;
	bool whole;
	int rc;

	if ((rc = collect_exprs(nr, &rr.e, &rr.n)))
		return rc;
	while (rr.i < rr.n && read_one(&rr))
		;
	/* every expression read, none pending; an xtables rule's compat
	 * attributes are not ours either */
	whole = rr.n && rr.i == rr.n && !rr.nfproto &&
		!nftnl_rule_is_set(nr, NFTNL_RULE_COMPAT_PROTO) &&
		!nftnl_rule_is_set(nr, NFTNL_RULE_COMPAT_FLAGS) &&
		rule_comment(nr, &comment);
	if (!whole) {
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
	rs->counters_read = true;
	*out = rs;
	return 0;
}
