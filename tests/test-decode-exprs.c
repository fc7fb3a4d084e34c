/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder on expressions nft does not write, but the kernel holds
 * when another tool sends them (issue 15): each case is a rule the decoder
 * understands, and the same rule with one attribute changed, which it must
 * then keep raw ("# not understood"), never render as the first.  The
 * rules are libnftnl objects built into the netlink messages a dump would
 * carry and read with fnft_dump_parse(): no kernel needed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "testlib.h"

#include "decode.h"
#include "dump.h"
#include "wire.h"

/* ---- a dump as messages ---- */

struct msgs {
	char buf[65536];
	size_t len;
	uint32_t seq;
};

static struct nlmsghdr *msg(struct msgs *m, uint16_t type)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(m->buf + m->len, type,
						     NFPROTO_INET, NLM_F_MULTI,
						     ++m->seq);
	return nlh;
}

static void done(struct msgs *m, struct nlmsghdr *nlh)
{
	m->len += NLMSG_ALIGN(nlh->nlmsg_len);
	ck_assert_uint_lt(m->len, sizeof(m->buf) - 4096);
}

static void add_table_chain(struct msgs *m)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "t");
	nlh = msg(m, NFT_MSG_NEWTABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	done(m, nlh);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "t");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "input");
	nlh = msg(m, NFT_MSG_NEWCHAIN);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	done(m, nlh);
	nftnl_table_free(t);
	nftnl_chain_free(c);
}

/* A set and its elements (2-byte keys, or 1-byte when @w is 1). */
static void add_set(struct msgs *m, const char *name, uint32_t flags,
		    uint32_t type, uint32_t w, const unsigned *keys, size_t n,
		    bool map)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	size_t i;

	nftnl_set_set_str(s, NFTNL_SET_TABLE, "t");
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, w);
	if (map) {
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 0);
	}
	nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
	nlh = msg(m, NFT_MSG_NEWSET);
	nftnl_set_nlmsg_build_payload(nlh, s);
	done(m, nlh);
	for (i = 0; i < n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		uint8_t k[4] = { (uint8_t)(keys[i] >> 8), (uint8_t)keys[i] };

		if (w == 1)
			k[0] = (uint8_t)keys[i];
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, k, w);
		nftnl_set_elem_add(s, e);
	}
	if (n) {
		nlh = msg(m, NFT_MSG_NEWSETELEM);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		done(m, nlh);
	}
	nftnl_set_free(s);
}

/* ---- expressions ---- */

static struct nftnl_expr *ex(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	ck_assert_ptr_nonnull(e);
	nftnl_rule_add_expr(r, e);
	return e;
}

/* An expression with two u32 attributes set. */
static struct nftnl_expr *ex2(struct nftnl_rule *r, const char *name,
			      uint16_t a, uint32_t va, uint16_t b, uint32_t vb)
{
	struct nftnl_expr *e = ex(r, name);

	nftnl_expr_set_u32(e, a, va);
	nftnl_expr_set_u32(e, b, vb);
	return e;
}

static struct nftnl_expr *meta(struct nftnl_rule *r, uint32_t key)
{
	return ex2(r, "meta", NFTNL_EXPR_META_KEY, key, NFTNL_EXPR_META_DREG,
		   NFT_REG_1);
}

static struct nftnl_expr *cmp(struct nftnl_rule *r, uint32_t op,
			      const void *data, uint32_t len)
{
	struct nftnl_expr *e = ex(r, "cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return e;
}

static struct nftnl_expr *payload(struct nftnl_rule *r, uint32_t base,
				  uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = ex(r, "payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return e;
}

static struct nftnl_expr *lookup(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = ex(r, "lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	return e;
}

static struct nftnl_expr *verdict(struct nftnl_rule *r, uint32_t v)
{
	return ex2(r, "immediate", NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT,
		   NFTNL_EXPR_IMM_VERDICT, v);
}

/* ct load state; bitwise & @mask ^ 0; cmp neq 0 (the expressions back) */
struct ct_exprs {
	struct nftnl_expr *ct, *bw, *cmp;
};

static struct ct_exprs ct_state(struct nftnl_rule *r, uint32_t mask)
{
	static const uint32_t zero;
	struct ct_exprs c = { ex(r, "ct"), ex(r, "bitwise"), NULL };

	nftnl_expr_set_u32(c.ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(c.ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nftnl_expr_set_u32(c.bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c.bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(c.bw, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(c.bw, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set(c.bw, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
	c.cmp = cmp(r, NFT_CMP_NEQ, &zero, 4);
	return c;
}

static void ifname(struct nftnl_rule *r, const char *name, uint32_t len)
{
	char buf[16] = { 0 };

	memcpy(buf, name, strnlen(name, sizeof(buf)));
	meta(r, NFT_META_IIFNAME);
	cmp(r, NFT_CMP_EQ, buf, len);
}

static void tcp_dport(struct nftnl_rule *r)
{
	uint8_t tcp = FNFT_L4_TCP;

	meta(r, NFT_META_L4PROTO);
	cmp(r, NFT_CMP_EQ, &tcp, 1);
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, FNFT_TH_DPORT_OFFSET,
		FNFT_TH_DPORT_LEN);
}

static struct nftnl_expr *log_prefix(struct nftnl_rule *r, const char *prefix)
{
	struct nftnl_expr *e = ex(r, "log");

	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
	return e;
}

/* ---- decode one rule ---- */

static struct nftnl_rule *rule(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "t");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "input");
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 7);
	return r;
}

/*
 * Decode @r (freed) in a table with the sets @m already holds; the
 * rendering into @out.
 */
static void decode_in(struct msgs *m, struct nftnl_rule *r, char *out,
		      size_t size)
{
	struct fnft_error err = { 0 };
	struct fnft_ruleset *rs = NULL;
	struct fnft_buf b = { 0 };
	struct fnft_dump *d = NULL;
	struct nlmsghdr *nlh = msg(m, NFT_MSG_NEWRULE);

	nftnl_rule_nlmsg_build_payload(nlh, r);
	done(m, nlh);
	nftnl_rule_free(r);
	ck_assert_int_eq(fnft_dump_parse(m->buf, m->len, "t", &d), 0);
	ck_assert_msg(fnft_decode(d, &rs, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(rs->n_chains, 1);
	ck_assert_uint_eq(rs->chains[0].n_rules, 1);
	fnft_render_rule(&rs->chains[0].rules[0], &b);
	ck_assert(!b.oom);
	snprintf(out, size, "%s", b.s);
	fnft_buf_free(&b);
	fnft_ruleset_free(rs);
	fnft_dump_free(d);
}

static struct msgs *table(void)
{
	struct msgs *m = calloc(1, sizeof(*m));

	ck_assert_ptr_nonnull(m);
	add_table_chain(m);
	return m;
}

static void expect(struct msgs *m, struct nftnl_rule *r, const char *want)
{
	char got[1024];

	decode_in(m, r, got, sizeof(got));
	free(m);
	if (want)
		ck_assert_str_eq(got, want);
	else
		ck_assert_msg(!strncmp(got, "# not understood: ", 18),
			      "rendered as \"%s\", not understood expected", got);
}

#define RAW NULL

/* ---- ct state ---- */

enum ct_change {
	CT_NONE, CT_XOR, CT_BW_SREG, CT_BW_DREG, CT_CT_DREG, CT_CMP_SREG,
	CT_DIR, CT_CT_SREG, CT_OP_SHIFT, CT_BW_LEN, CT_EQ, CT_UNKNOWN_BIT,
	CT_N
};

START_TEST(ct_state_in_full)
{
	struct nftnl_rule *r = rule();
	struct ct_exprs c = ct_state(r, _i == CT_UNKNOWN_BIT ? 0x16 : 0x4e);
	static const uint32_t one = 1;

	switch (_i) {
	case CT_XOR: nftnl_expr_set(c.bw, NFTNL_EXPR_BITWISE_XOR, &one, 4); break;
	case CT_BW_SREG: nftnl_expr_set_u32(c.bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_2); break;
	case CT_BW_DREG: nftnl_expr_set_u32(c.bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_2); break;
	case CT_CT_DREG: nftnl_expr_set_u32(c.ct, NFTNL_EXPR_CT_DREG, NFT_REG_2); break;
	case CT_CMP_SREG: nftnl_expr_set_u32(c.cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_2); break;
	case CT_DIR: nftnl_expr_set_u8(c.ct, NFTNL_EXPR_CT_DIR, 0); break;
	case CT_CT_SREG: nftnl_expr_set_u32(c.ct, NFTNL_EXPR_CT_SREG, NFT_REG_2); break;
	case CT_OP_SHIFT: nftnl_expr_set_u32(c.bw, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_LSHIFT); break;
	case CT_BW_LEN: nftnl_expr_set_u32(c.bw, NFTNL_EXPR_BITWISE_LEN, 2); break;
	case CT_EQ: nftnl_expr_set_u32(c.cmp, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ); break;
	}
	verdict(r, NF_ACCEPT);
	expect(table(), r, _i == CT_NONE ?
	       "ct state established,related,new,untracked accept" : RAW);
}
END_TEST

/* ---- interface names ---- */

static const struct {
	const char *name;
	uint32_t len;
	const char *want;
} ifnames[] = {
	{ "eth0", 16, "iifname \"eth0\" accept" },
	{ "eth", 3, "iifname \"eth*\" accept" },
	{ "du*my", 16, "iifname \"du*my\" accept" },
	{ "abcdefghijklmno", 16, "iifname \"abcdefghijklmno\" accept" },
	{ "abcdefghijklmn", 14, "iifname \"abcdefghijklmn*\" accept" },
	{ "dummy*", 16, RAW },		/* nft's "dummy\*": a literal star */
	{ "dummy*", 6, RAW },		/* a prefix ending in a star */
	{ "abcdefghijklmno", 15, RAW },	/* no room for the '*' in the IR */
	{ "abcdefghijklmnop", 16, RAW },	/* no NUL: no name */
	{ "a\"b", 16, RAW },
	{ "a\\b", 16, RAW },
	{ "a\tb", 16, RAW },
	{ "caf\xc3\xa9", 16, RAW },
	{ "", 16, RAW },
	{ "eth0", 8, RAW },		/* a prefix with NULs */
	{ "eth0", 4 + 16, RAW },	/* longer than IFNAMSIZ (cut below) */
};

START_TEST(ifname_as_nft_prints_it)
{
	struct nftnl_rule *r = rule();

	if (ifnames[_i].len > 16) {
		char buf[20] = "eth0";

		meta(r, NFT_META_IIFNAME);
		cmp(r, NFT_CMP_EQ, buf, sizeof(buf));
	} else {
		ifname(r, ifnames[_i].name, ifnames[_i].len);
	}
	verdict(r, NF_ACCEPT);
	expect(table(), r, ifnames[_i].want);
}
END_TEST

/* bytes after the name's NUL: no interface has that name */
START_TEST(ifname_bytes_after_nul)
{
	struct nftnl_rule *r = rule();
	char buf[16] = "ab\0cd";

	meta(r, NFT_META_IIFNAME);
	cmp(r, NFT_CMP_EQ, buf, sizeof(buf));
	verdict(r, NF_ACCEPT);
	expect(table(), r, RAW);
}
END_TEST

START_TEST(meta_write_is_not_a_load)
{
	struct nftnl_rule *r = rule();
	char buf[16] = "eth0";

	/* with a source register too: the kernel would set iifname */
	nftnl_expr_set_u32(meta(r, NFT_META_IIFNAME), NFTNL_EXPR_META_SREG, NFT_REG_2);
	cmp(r, NFT_CMP_EQ, buf, sizeof(buf));
	verdict(r, NF_ACCEPT);
	expect(table(), r, RAW);
}
END_TEST

/* ---- sets and maps ---- */

enum set_change {
	SET_NONE, SET_DREG, SET_INV, SET_MAP, SET_TIMEOUT, SET_KEYTYPE,
	SET_ONE, SET_NOT_ANON, SET_DYNAMIC, SET_N
};

START_TEST(anon_set_in_full)
{
	static const unsigned two[] = { 22, 23 };
	uint32_t flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	struct msgs *m = table();
	struct nftnl_rule *r = rule();
	struct nftnl_expr *l;

	if (_i == SET_MAP)
		flags |= NFT_SET_MAP;
	if (_i == SET_TIMEOUT)
		flags |= NFT_SET_TIMEOUT;
	if (_i == SET_NOT_ANON)
		flags &= ~NFT_SET_CONSTANT;
	if (_i == SET_DYNAMIC)
		flags |= NFT_SET_EVAL;
	add_set(m, "__set0", flags,
		_i == SET_KEYTYPE ? FNFT_TYPE_ICMP_TYPE : FNFT_TYPE_INET_SERVICE, 2,
		two, _i == SET_ONE ? 1 : 2, _i == SET_MAP);
	tcp_dport(r);
	l = lookup(r, "__set0");
	if (_i == SET_DREG)
		nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	if (_i == SET_INV)
		nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	if (_i != SET_DREG && _i != SET_MAP)
		verdict(r, NF_ACCEPT);
	expect(m, r, _i == SET_NONE ? "tcp dport { 22, 23 } accept" : RAW);
}
END_TEST

enum addr_change { ADDR_NONE, ADDR_MAP, ADDR_TYPE, ADDR_NAME, ADDR_KEYWORD, ADDR_NFPROTO_AFTER, ADDR_N };

START_TEST(named_set_in_full)
{
	struct msgs *m = table();
	struct nftnl_rule *r = rule();
	const char *name = _i == ADDR_NAME ? "a b" : _i == ADDR_KEYWORD ? "counter" : "s4";
	uint8_t v4 = NFPROTO_IPV4;

	add_set(m, name, NFT_SET_INTERVAL | (_i == ADDR_MAP ? NFT_SET_MAP : 0),
		_i == ADDR_TYPE ? 19 /* mark */ : FNFT_TYPE_IPADDR, 4, NULL, 0,
		_i == ADDR_MAP);
	meta(r, NFT_META_NFPROTO);
	cmp(r, NFT_CMP_EQ, &v4, 1);
	payload(r, NFT_PAYLOAD_NETWORK_HEADER, FNFT_IP_SADDR_OFFSET, 4);
	lookup(r, name);
	if (_i == ADDR_NFPROTO_AFTER) {
		meta(r, NFT_META_NFPROTO);
		cmp(r, NFT_CMP_EQ, &v4, 1);
	}
	verdict(r, NF_DROP);
	expect(m, r, _i == ADDR_NONE ? "ip saddr @s4 drop" : RAW);
}
END_TEST

/* ---- payload ---- */

enum pl_change { PL_NONE, PL_SREG, PL_CSUM, PL_RANGE_EQ, PL_RANGE_DOWN, PL_N };

START_TEST(payload_in_full)
{
	struct nftnl_rule *r = rule();
	uint8_t lo[2] = { 0, 22 }, hi[2] = { 0, 25 };
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	tcp_dport(r);
	if (_i == PL_RANGE_EQ)
		hi[1] = 22;
	if (_i == PL_RANGE_DOWN)
		hi[1] = 21;
	cmp(r, NFT_CMP_GTE, lo, 2);
	cmp(r, NFT_CMP_LTE, hi, 2);
	verdict(r, NF_ACCEPT);
	it = nftnl_expr_iter_create(r);
	nftnl_expr_iter_next(it);
	nftnl_expr_iter_next(it);
	e = nftnl_expr_iter_next(it);	/* the payload */
	if (_i == PL_SREG)
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_SREG, NFT_REG_2);
	if (_i == PL_CSUM)
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, NFT_PAYLOAD_CSUM_INET);
	nftnl_expr_iter_destroy(it);
	expect(table(), r, _i == PL_NONE ? "tcp dport 22-25 accept" : RAW);
}
END_TEST

/* ---- statements ---- */

enum st_change {
	ST_OK, LOG_GROUP, LOG_SNAPLEN, LOG_QTHRESHOLD, LOG_LEVEL, LOG_FLAGS,
	LOG_DOLLAR, LOG_QUOTE, LOG_EMPTY, LIMIT_OVER, LIMIT_BURST, LIMIT_BYTES,
	LIMIT_UNIT, IMM_JUMP, IMM_QUEUE, LOG_AFTER_VERDICT, COUNTER_FIRST,
	TWO_COUNTERS, TWO_LOGS, UD_EXTRA_TLV, UD_QUOTE, UD_BAD_LEN, COMPAT, EMPTY, ST_N
};

START_TEST(statements_in_full)
{
	struct nftnl_rule *r = rule();
	struct nftnl_expr *c = NULL, *lim, *log, *imm;
	const char *prefix = _i == LOG_DOLLAR ? "a$b" : _i == LOG_QUOTE ? "a\"b" :
			     _i == LOG_EMPTY ? "" : "x ";
	uint8_t ud[32] = { 0, 4, 'r', '.', '1', 0 };
	size_t ud_len = 6;

	if (_i == EMPTY) {
		expect(table(), r, RAW);
		return;
	}
	if (_i == COUNTER_FIRST)
		ex(r, "counter");
	ifname(r, "eth0", 16);
	if (_i != COUNTER_FIRST)
		c = ex(r, "counter");
	if (_i == TWO_COUNTERS)
		ex(r, "counter");
	(void)c;
	lim = ex(r, "limit");
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_RATE, 5);
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_UNIT, _i == LIMIT_UNIT ? 1 : 60);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_BURST, _i == LIMIT_BURST ? 6 : 5);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_TYPE,
			   _i == LIMIT_BYTES ? NFT_LIMIT_PKT_BYTES : NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_FLAGS, _i == LIMIT_OVER ? NFT_LIMIT_F_INV : 0);
	if (_i != LOG_AFTER_VERDICT)
		log = log_prefix(r, prefix);
	if (_i == TWO_LOGS)	/* under ASan: the first prefix is not leaked */
		log_prefix(r, "y");
	imm = verdict(r, _i == IMM_QUEUE ? NF_QUEUE : NF_DROP);
	if (_i == IMM_JUMP) {
		nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_VERDICT, NFT_JUMP);
		nftnl_expr_set_str(imm, NFTNL_EXPR_IMM_CHAIN, "input");
	}
	if (_i == LOG_AFTER_VERDICT)
		log = log_prefix(r, prefix);
	nftnl_expr_set_u32(log, NFTNL_EXPR_LOG_LEVEL, _i == LOG_LEVEL ? 6 : 4);
	if (_i == LOG_GROUP)
		nftnl_expr_set_u16(log, NFTNL_EXPR_LOG_GROUP, 1);
	if (_i == LOG_SNAPLEN)
		nftnl_expr_set_u32(log, NFTNL_EXPR_LOG_SNAPLEN, 64);
	if (_i == LOG_QTHRESHOLD)
		nftnl_expr_set_u16(log, NFTNL_EXPR_LOG_QTHRESHOLD, 2);
	if (_i == LOG_FLAGS)
		nftnl_expr_set_u32(log, NFTNL_EXPR_LOG_FLAGS, 0x01 /* NF_LOG_TCPSEQ */);
	if (_i == UD_EXTRA_TLV) {
		memcpy(ud + ud_len, "\x01\x04\x00\x00\x00\x01", 6);
		ud_len += 6;
	}
	if (_i == UD_QUOTE)
		ud[3] = '"';
	if (_i == UD_BAD_LEN)
		ud[1] = 9;
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, ud, (uint32_t)ud_len);
	if (_i == COMPAT) {
		nftnl_rule_set_u32(r, NFTNL_RULE_COMPAT_PROTO, 6);
		nftnl_rule_set_u32(r, NFTNL_RULE_COMPAT_FLAGS, 0);
	}
	expect(table(), r, _i == ST_OK ?
	       "iifname \"eth0\" counter limit rate 5/minute log prefix \"x \" drop comment \"r.1\"" :
	       RAW);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("decode-exprs");

	(void)argc;
	(void)argv;
	tcase_add_loop_test(tc, ct_state_in_full, 0, CT_N);
	tcase_add_loop_test(tc, ifname_as_nft_prints_it, 0,
			    sizeof(ifnames) / sizeof(ifnames[0]));
	tcase_add_test(tc, ifname_bytes_after_nul);
	tcase_add_test(tc, meta_write_is_not_a_load);
	tcase_add_loop_test(tc, anon_set_in_full, 0, SET_N);
	tcase_add_loop_test(tc, named_set_in_full, 0, ADDR_N);
	tcase_add_loop_test(tc, payload_in_full, 0, PL_N);
	tcase_add_loop_test(tc, statements_in_full, 0, ST_N);
	return tl_run("decode-exprs", tc, false);
}
