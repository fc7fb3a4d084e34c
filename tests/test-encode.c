/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for lib/encode.c, without privileges: the batch's structure,
 * seq map, generation id, element splitting, set and element encodings, a
 * few rules pinned to nft's bytecode, and the IR the encoder refuses.
 *
 * tests/test-encode-live.c checks everything against the installed nft and
 * the kernel; the references pinned here were produced by nft 1.0.6 with
 * `nft --debug=netlink -f FILE` (FILE: a table inet t with the rule in
 * chain c) and keep the encodings fixed where no namespace is available.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <finesse-nft/finesse-nft.h>

#include "encode.h"
#include "internal.h"
#include "ir.h"

#ifndef FNFT_SOURCE_DIR
#define FNFT_SOURCE_DIR "."
#endif

/* examples/site.conf; the first argument overrides it */
static const char *site_path = FNFT_SOURCE_DIR "/examples/site.conf";

#define NFT_TYPE(msg) ((NFNL_SUBSYS_NFTABLES << 8) | (msg))

/* ------------------------------------------------------------------ */
/* helpers */

static struct fnft_ruleset *site_ruleset(void)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, &err), 0);
	ck_assert_msg(fnft_site_load(site_path, cat, &site, &err) == 0,
		      "%s: %s", site_path, err.message);
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_PRIMARY, NULL, &rs,
				   &err), 0);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return rs;
}

/* A ruleset with one set of @fam holding @addrs and one chain. */
static struct fnft_ruleset *small_ruleset(enum fnft_family fam,
					  const char *const *addrs)
{
	struct fnft_ruleset *rs = fnft_ruleset_new("t", "c");
	struct fnft_ir_set *set;
	char why[128];
	size_t i;

	ck_assert_ptr_nonnull(rs);
	set = fnft_ruleset_add_set(rs, fam == FNFT_V4 ? "s4" : "s6", fam);
	ck_assert_ptr_nonnull(set);
	for (i = 0; addrs && addrs[i]; i++) {
		enum fnft_family f;
		struct fnft_iv iv;

		ck_assert_msg(fnft_addr_parse(addrs[i], &f, &iv, why,
					      sizeof(why)) == 0, "%s", why);
		ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	}
	fnft_ivlist_normalize(&set->elems, fam);
	ck_assert_ptr_nonnull(fnft_ruleset_add_chain(rs, "input",
						     FNFT_HOOK_INPUT, 0,
						     FNFT_VERDICT_DROP));
	return rs;
}

struct msg_walk {
	const struct nlmsghdr *msgs[70000];
	size_t n;
	size_t bytes;
};

/* Every netlink message of the batch, in order, across its pages. */
static void walk(struct fnft_batch *b, struct msg_walk *w)
{
	struct nftnl_batch *nb = fnft_batch_nftnl(b);
	int i, n = nftnl_batch_iovec_len(nb);
	struct iovec iov[n > 0 ? n : 1];

	w->n = w->bytes = 0;
	nftnl_batch_iovec(nb, iov, n);
	for (i = 0; i < n; i++) {
		const struct nlmsghdr *nlh = iov[i].iov_base;
		int left = (int)iov[i].iov_len;

		w->bytes += iov[i].iov_len;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			ck_assert_uint_lt(w->n, ARRAY_SIZE(w->msgs));
			w->msgs[w->n++] = nlh;
		}
		ck_assert_int_eq(left, 0);
	}
}

static struct msg_walk *walk_new(struct fnft_batch *b)
{
	struct msg_walk *w = malloc(sizeof(*w));

	ck_assert_ptr_nonnull(w);
	walk(b, w);
	return w;
}

/* Our rule as nft --debug=netlink prints it, without the last newline. */
static char *dump_rule(const struct fnft_ir_rule *r,
		       const struct fnft_ruleset *rs)
{
	struct nftnl_rule *nr = NULL;
	uint32_t set_id = 0;
	char buf[8192];
	size_t len;

	ck_assert_int_eq(fnft_encode_rule("t", "c", r, rs, &set_id, &nr, NULL),
			 0);
	nftnl_rule_snprintf(buf, sizeof(buf), nr, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(nr);
	len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return strdup(buf);
}

/* ------------------------------------------------------------------ */
/* batch structure */

START_TEST(replace_batch_structure)
{
	struct fnft_ruleset *rs = site_ruleset();
	struct fnft_batch *b = NULL;
	struct msg_walk *w;
	size_t i, k, n_anon = 0, n_rules = 0;

	ck_assert_int_eq(fnft_encode_replace(rs, 0, 100, &b), 0);
	w = walk_new(b);
	ck_assert_uint_eq(w->n, fnft_batch_msg_count(b));
	ck_assert_uint_eq(w->bytes, fnft_batch_size(b));
	ck_assert_uint_eq(fnft_batch_seq_first(b), 100);
	ck_assert_uint_eq(fnft_batch_seq_last(b), 100 + w->n - 1);

	/* every message: its seq, type and flags agree with its ref */
	for (i = 0; i < w->n; i++) {
		const struct fnft_msg_ref *ref = fnft_batch_msg(b, i);
		const struct nlmsghdr *nlh = w->msgs[i];
		uint16_t flags = NLM_F_REQUEST;

		ck_assert_ptr_eq(fnft_batch_lookup(b, 100 + i), ref);
		ck_assert_uint_eq(nlh->nlmsg_seq, 100 + i);
		if (ref->kind == FNFT_OBJ_BATCH) {
			ck_assert_uint_eq(nlh->nlmsg_type, ref->msg_type);
		} else {
			ck_assert_uint_eq(nlh->nlmsg_type, NFT_TYPE(ref->msg_type));
		}
		switch (ref->msg_type) {
		case NFT_MSG_NEWCHAIN:
		case NFT_MSG_NEWSET:
		case NFT_MSG_NEWSETELEM:
			flags |= NLM_F_CREATE;
			break;
		case NFT_MSG_NEWRULE:
			flags |= NLM_F_CREATE | NLM_F_APPEND;
			break;
		}
		/* what nft 1.0.6 sends (seen with strace); never an ACK */
		ck_assert_uint_eq(nlh->nlmsg_flags, flags);
	}
	ck_assert_ptr_null(fnft_batch_lookup(b, 99));
	ck_assert_ptr_null(fnft_batch_lookup(b, 100 + w->n));

	/* the order nft uses for the rendered script */
	ck_assert_int_eq(fnft_batch_msg(b, 0)->msg_type, NFNL_MSG_BATCH_BEGIN);
	ck_assert_int_eq(fnft_batch_msg(b, 1)->msg_type, NFT_MSG_NEWTABLE);
	ck_assert_int_eq(fnft_batch_msg(b, 2)->msg_type, NFT_MSG_DELTABLE);
	ck_assert_int_eq(fnft_batch_msg(b, 3)->msg_type, NFT_MSG_NEWTABLE);
	ck_assert_ptr_eq(fnft_batch_msg(b, 3)->name, rs->table);
	ck_assert_int_eq(fnft_batch_msg(b, 4)->kind, FNFT_OBJ_CHAIN);
	ck_assert_ptr_eq(fnft_batch_msg(b, 4)->name, rs->chains[0].name);
	ck_assert_int_eq(fnft_batch_msg(b, 5)->kind, FNFT_OBJ_CHAIN);
	k = 6;
	for (i = 0; i < rs->n_sets; i++) {
		const struct fnft_msg_ref *ref = fnft_batch_msg(b, k++);

		ck_assert_int_eq(ref->kind, FNFT_OBJ_SET);
		ck_assert_ptr_eq(ref->name, rs->sets[i].name);
		ck_assert(!ref->anonymous);
		if (!rs->sets[i].elems.n)
			continue;	/* nft sends no elements for it */
		ref = fnft_batch_msg(b, k++);
		ck_assert_int_eq(ref->kind, FNFT_OBJ_ELEMS);
		ck_assert_ptr_eq(ref->name, rs->sets[i].name);
	}
	for (; k < w->n - 1; k++) {
		const struct fnft_msg_ref *ref = fnft_batch_msg(b, k);

		if (ref->kind == FNFT_OBJ_RULE) {
			const struct fnft_ir_chain *c =
				&rs->chains[streq(ref->chain, "input") ? 0 : 1];

			ck_assert_ptr_eq(ref->name, c->rules[ref->rule_index].comment);
			n_rules++;
			continue;
		}
		/* an anonymous set: NEWSET, NEWSETELEM, then its rule */
		ck_assert(ref->anonymous);
		ck_assert_int_eq(ref->kind, FNFT_OBJ_SET);
		ck_assert_int_eq(fnft_batch_msg(b, k + 1)->kind, FNFT_OBJ_ELEMS);
		ck_assert(fnft_batch_msg(b, k + 1)->anonymous);
		ck_assert_int_eq(fnft_batch_msg(b, k + 2)->kind, FNFT_OBJ_RULE);
		ck_assert_uint_eq(fnft_batch_msg(b, k + 2)->rule_index,
				  ref->rule_index);
		ck_assert_ptr_eq(fnft_batch_msg(b, k + 2)->chain, ref->chain);
		n_anon++;
		k++;	/* past the elements, on to the rule */
	}
	ck_assert_uint_eq(n_rules, rs->chains[0].n_rules + rs->chains[1].n_rules);
	ck_assert_uint_gt(n_anon, 0);
	ck_assert_int_eq(fnft_batch_msg(b, w->n - 1)->msg_type,
			 NFNL_MSG_BATCH_END);
	ck_assert_ptr_null(fnft_batch_msg(b, w->n));
	free(w);
	fnft_batch_free(b);
	fnft_ruleset_free(rs);
}
END_TEST

START_TEST(genid_goes_into_batch_begin)
{
	struct fnft_ruleset *rs = small_ruleset(FNFT_V4, NULL);
	struct fnft_batch *b = NULL;
	const struct nlattr *attr;
	struct msg_walk *w;
	int seen = 0;

	ck_assert_int_eq(fnft_encode_replace(rs, 0x12345678, 1, &b), 0);
	w = walk_new(b);
	ck_assert_uint_eq(w->msgs[0]->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	mnl_attr_for_each(attr, w->msgs[0], sizeof(struct nfgenmsg)) {
		ck_assert_uint_eq(mnl_attr_get_type(attr), NFNL_BATCH_GENID);
		ck_assert_uint_eq(ntohl(mnl_attr_get_u32(attr)), 0x12345678);
		seen++;
	}
	ck_assert_int_eq(seen, 1);
	fnft_batch_free(b);

	/* genid 0: no check, no attribute */
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 1, &b), 0);
	walk(b, w);
	ck_assert_uint_eq(w->msgs[0]->nlmsg_len,
			  MNL_ALIGN(sizeof(struct nlmsghdr)) +
			  sizeof(struct nfgenmsg));
	free(w);
	fnft_batch_free(b);
	fnft_ruleset_free(rs);
}
END_TEST

START_TEST(remove_batch)
{
	static const char table[] = "finesse";
	struct fnft_batch *b = NULL;
	struct msg_walk *w;

	ck_assert_int_eq(fnft_encode_remove(table, 7, 10, &b), 0);
	ck_assert_uint_eq(fnft_batch_msg_count(b), 4);
	ck_assert_int_eq(fnft_batch_msg(b, 1)->msg_type, NFT_MSG_NEWTABLE);
	ck_assert_int_eq(fnft_batch_msg(b, 2)->msg_type, NFT_MSG_DELTABLE);
	ck_assert_ptr_eq(fnft_batch_lookup(b, 12)->name, table);
	ck_assert_int_eq(fnft_batch_lookup(b, 13)->kind, FNFT_OBJ_BATCH);
	w = walk_new(b);
	ck_assert_uint_eq(w->n, 4);
	ck_assert_str_eq(mnl_attr_get_str(mnl_nlmsg_get_payload_offset(
		w->msgs[2], sizeof(struct nfgenmsg))), table);
	free(w);
	fnft_batch_free(b);
	ck_assert_int_eq(fnft_encode_remove("", 0, 0, &b), -EINVAL);
	ck_assert_int_eq(fnft_encode_remove(NULL, 0, 0, &b), -EINVAL);
}
END_TEST

START_TEST(seq_wraps_around)
{
	struct fnft_ruleset *rs = small_ruleset(FNFT_V4, NULL);
	struct fnft_batch *b = NULL;
	size_t i;

	ck_assert_int_eq(fnft_encode_replace(rs, 0, UINT32_MAX - 2, &b), 0);
	for (i = 0; i < fnft_batch_msg_count(b); i++)
		ck_assert_ptr_eq(fnft_batch_lookup(b, (uint32_t)(UINT32_MAX - 2 + i)),
				 fnft_batch_msg(b, i));
	ck_assert_uint_eq(fnft_batch_seq_last(b),
			  (uint32_t)(UINT32_MAX - 2 + fnft_batch_msg_count(b) - 1));
	fnft_batch_free(b);
	fnft_ruleset_free(rs);
}
END_TEST

/* ------------------------------------------------------------------ */
/* sets and elements */

/* 60000 separate IPv6 hosts: 120001 elements, far over one 64 KiB nest. */
START_TEST(big_set_is_split)
{
	struct fnft_ruleset *rs = small_ruleset(FNFT_V6, NULL);
	struct fnft_ir_set *set = &rs->sets[0];
	struct fnft_batch *b = NULL;
	struct msg_walk *w;
	size_t i, n_msgs = 0, n_elems = 0;
	struct nftnl_batch *nb;

	/* 60,000 hosts: 5.8 MB of elements, more than one 2 MiB page */
	for (i = 0; i < 60000; i++) {
		struct fnft_iv iv = { .lo = { 0x20, 0x01, 0x0d, 0xb8 } };

		iv.lo[13] = (uint8_t)(i >> 15);
		iv.lo[14] = (uint8_t)(i >> 7);
		iv.lo[15] = (uint8_t)(i << 1);
		memcpy(iv.hi, iv.lo, 16);
		ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	}
	fnft_ivlist_normalize(&set->elems, FNFT_V6);
	ck_assert_uint_eq(set->elems.n, 60000);
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 1, &b), 0);
	nb = fnft_batch_nftnl(b);
	ck_assert_int_gt(nftnl_batch_iovec_len(nb), 1);	/* several pages */
	w = walk_new(b);
	for (i = 0; i < w->n; i++) {
		const struct nlmsghdr *nlh = w->msgs[i];
		const struct nlattr *attr;

		if (nlh->nlmsg_type != NFT_TYPE(NFT_MSG_NEWSETELEM))
			continue;
		n_msgs++;
		ck_assert_int_eq(fnft_batch_lookup(b, nlh->nlmsg_seq)->kind,
				 FNFT_OBJ_ELEMS);
		ck_assert_str_eq(fnft_batch_lookup(b, nlh->nlmsg_seq)->name, "s6");
		mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
			const struct nlattr *el;

			if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
				continue;
			/* the element nest ends the message: its 16-bit
			 * length did not wrap */
			ck_assert_ptr_eq((const char *)attr + attr->nla_len,
					 (const char *)nlh + nlh->nlmsg_len);
			/* (nftnl_set_elems_nlmsg_parse() would refuse the
			 * element nest types nft uses: it wants 1 for all) */
			mnl_attr_for_each_nested(el, attr)
				n_elems++;
		}
	}
	ck_assert_uint_gt(n_msgs, 10);
	ck_assert_uint_eq(n_elems, 1 + 2 * 60000);
	free(w);
	fnft_batch_free(b);
	fnft_ruleset_free(rs);
}
END_TEST

struct elem_seen {
	uint8_t key[8][16];
	uint32_t key_len[8];
	uint32_t flags[8];
	bool open[8];
	size_t n;
};

static int note_elem(struct nftnl_set_elem *e, void *data)
{
	struct elem_seen *s = data;
	const void *key;
	uint32_t len = 0;

	ck_assert_uint_lt(s->n, 8);
	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	memcpy(s->key[s->n], key, len);
	s->key_len[s->n] = len;
	s->flags[s->n] = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) ?
			 nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) : 0;
	s->open[s->n] = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA);
	s->n++;
	return 0;
}

static void elems_of(const char *const *addrs, struct elem_seen *seen)
{
	struct fnft_ruleset *rs = small_ruleset(FNFT_V4, addrs);
	struct nftnl_set *s = NULL;
	const void *ud;
	uint32_t len = 0;
	static const uint8_t keybyteorder_be[] = { 0, 4, 2, 0, 0, 0 };

	memset(seen, 0, sizeof(*seen));
	ck_assert_int_eq(fnft_encode_set("t", &rs->sets[0], 3, &s), 0);
	ck_assert_str_eq(nftnl_set_get_str(s, NFTNL_SET_NAME), "s4");
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), NFT_SET_INTERVAL);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), 7);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 4);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_ID), 3);
	ck_assert(!nftnl_set_is_set(s, NFTNL_SET_DESC_SIZE));
	ud = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
	ck_assert_uint_eq(len, sizeof(keybyteorder_be));
	ck_assert_mem_eq(ud, keybyteorder_be, len);
	nftnl_set_elem_foreach(s, note_elem, seen);
	nftnl_set_free(s);
	fnft_ruleset_free(rs);
}

static void assert_elem(const struct elem_seen *s, size_t i, const char *addr,
			uint32_t flags, bool open)
{
	struct in_addr a;

	ck_assert_uint_lt(i, s->n);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &a), 1);
	ck_assert_uint_eq(s->key_len[i], 4);
	ck_assert_msg(!memcmp(s->key[i], &a, 4), "element %zu is not %s", i, addr);
	ck_assert_uint_eq(s->flags[i], flags);
	ck_assert_int_eq(s->open[i], open);
}

START_TEST(interval_elements)
{
	const uint32_t END = NFT_SET_ELEM_INTERVAL_END;
	struct elem_seen s;

	/* a host: closed below by a leading end element at 0 */
	elems_of((const char *[]){ "10.0.0.1", NULL }, &s);
	ck_assert_uint_eq(s.n, 3);
	assert_elem(&s, 0, "0.0.0.0", END, false);
	assert_elem(&s, 1, "10.0.0.1", 0, false);
	assert_elem(&s, 2, "10.0.0.2", END, false);

	/* starting at 0: no leading element */
	elems_of((const char *[]){ "0.0.0.0/8", NULL }, &s);
	ck_assert_uint_eq(s.n, 2);
	assert_elem(&s, 0, "0.0.0.0", 0, false);
	assert_elem(&s, 1, "1.0.0.0", END, false);

	/* up to the maximum: no end element, the start flagged open */
	elems_of((const char *[]){ "10.0.0.1-10.0.0.3", "240.0.0.0/4", NULL }, &s);
	ck_assert_uint_eq(s.n, 4);
	assert_elem(&s, 0, "0.0.0.0", END, false);
	assert_elem(&s, 1, "10.0.0.1", 0, false);
	assert_elem(&s, 2, "10.0.0.4", END, false);
	assert_elem(&s, 3, "240.0.0.0", 0, true);

	/* everything */
	elems_of((const char *[]){ "0.0.0.0/0", NULL }, &s);
	ck_assert_uint_eq(s.n, 1);
	assert_elem(&s, 0, "0.0.0.0", 0, true);

	/* empty: no elements at all */
	elems_of((const char *[]){ NULL }, &s);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* The anonymous set of `tcp dport { 80, 8082 }` and of
 * `udp dport { 53, 6000-6010 }`, byte for byte as nft 1.0.6 sends them
 * (nft --debug=mnl). */
START_TEST(anonymous_sets)
{
	static const uint8_t tcp_ud[] = {
		0x00, 0x04, 0x02, 0x00, 0x00, 0x00,	/* key byteorder BE */
		0x03, 0x14,				/* key typeof */
		0x00, 0x04, 0x07, 0x00, 0x00, 0x00,	/* payload expr */
		0x01, 0x0c,
		0x00, 0x04, 0x08, 0x00, 0x00, 0x00,	/* tcp */
		0x01, 0x04, 0x02, 0x00, 0x00, 0x00,	/* dport */
	};
	static const uint8_t udp_ud[] = {
		0x00, 0x04, 0x02, 0x00, 0x00, 0x00,
		0x02, 0x04, 0x01, 0x00, 0x00, 0x00,	/* automerge */
		0x03, 0x14, 0x00, 0x04, 0x07, 0x00, 0x00, 0x00, 0x01, 0x0c,
		0x00, 0x04, 0x06, 0x00, 0x00, 0x00,	/* udp */
		0x01, 0x04, 0x02, 0x00, 0x00, 0x00,
	};
	struct fnft_port_range tcp_ports[] = { { 80, 80 }, { 8082, 8082 } };
	struct fnft_port_range udp_ports[] = { { 6000, 6010 }, { 53, 53 } };
	struct fnft_ir_rule r = { .l4 = FNFT_L4_TCP, .verdict = FNFT_VERDICT_ACCEPT,
				  .dports = { tcp_ports, 2, 2 } };
	struct nftnl_rule *nr = NULL;
	struct nftnl_set *s = NULL;
	struct elem_seen seen = { 0 };
	uint32_t set_id = 16, len = 0;
	const void *ud;

	ck_assert_int_eq(fnft_encode_rule("t", "c", &r, NULL, &set_id, &nr, &s), 0);
	ck_assert_uint_eq(set_id, 17);
	ck_assert_str_eq(nftnl_set_get_str(s, NFTNL_SET_NAME), "__set%d");
	ck_assert_str_eq(nftnl_set_get_str(s, NFTNL_SET_TABLE), "t");
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
			  NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), 13);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 2);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_ID), 17);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 2);
	ud = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
	ck_assert_uint_eq(len, sizeof(tcp_ud));
	ck_assert_mem_eq(ud, tcp_ud, len);
	nftnl_set_elem_foreach(s, note_elem, &seen);
	ck_assert_uint_eq(seen.n, 2);
	ck_assert_mem_eq(seen.key[0], "\x00\x50", 2);
	ck_assert_mem_eq(seen.key[1], "\x1f\x92", 2);
	nftnl_set_free(s);
	nftnl_rule_free(nr);

	/* with a range: an interval set, sorted, with the leading element;
	 * DESC_SIZE counts 2 per interval + 1 */
	r.l4 = FNFT_L4_UDP;
	r.dports = (struct fnft_portlist){ udp_ports, 2, 2 };
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(fnft_encode_rule("t", "c", &r, NULL, &set_id, &nr, &s), 0);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
			  NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_INTERVAL);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 5);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_ID), 18);
	ud = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
	ck_assert_uint_eq(len, sizeof(udp_ud));
	ck_assert_mem_eq(ud, udp_ud, len);
	nftnl_set_elem_foreach(s, note_elem, &seen);
	ck_assert_uint_eq(seen.n, 5);
	ck_assert_mem_eq(seen.key[0], "\x00\x00", 2);
	ck_assert_uint_eq(seen.flags[0], NFT_SET_ELEM_INTERVAL_END);
	ck_assert_mem_eq(seen.key[1], "\x00\x35", 2);
	ck_assert_mem_eq(seen.key[2], "\x00\x36", 2);
	ck_assert_mem_eq(seen.key[3], "\x17\x70", 2);
	ck_assert_mem_eq(seen.key[4], "\x17\x7b", 2);
	ck_assert_uint_eq(seen.flags[4], NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_free(s);
	nftnl_rule_free(nr);

	/* one port: a compare, no set, no id used */
	r.dports.n = 1;
	ck_assert_int_eq(fnft_encode_rule("t", "c", &r, NULL, &set_id, &nr, &s), 0);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(set_id, 18);
	nftnl_rule_free(nr);
}
END_TEST

/* ------------------------------------------------------------------ */
/* rules pinned to nft 1.0.6 */

struct pinned {
	struct fnft_ir_rule rule;
	const char *nft;
};

static struct fnft_port_range p_tomcat[] = { { 80, 80 }, { 8082, 8082 } };
static struct fnft_port_range p_1433[] = { { 1433, 1433 } };
static struct fnft_port_range p_range[] = { { 6000, 6010 } };
static uint8_t t_nd6[] = { 1, 2, 3, 4, 133, 134, 135, 136 };
static uint8_t t_echo[] = { 8 };

static const struct pinned pinned[] = {
	{ { .ct_state = FNFT_CT_ESTABLISHED | FNFT_CT_RELATED,
	    .verdict = FNFT_VERDICT_ACCEPT },
	  "inet t c\n"
	  "  [ ct load state => reg 1 ]\n"
	  "  [ bitwise reg 1 = ( reg 1 & 0x00000006 ) ^ 0x00000000 ]\n"
	  "  [ cmp neq reg 1 0x00000000 ]\n"
	  "  [ immediate reg 0 accept ]" },
	{ { .ct_state = FNFT_CT_INVALID, .verdict = FNFT_VERDICT_DROP },
	  "inet t c\n"
	  "  [ ct load state => reg 1 ]\n"
	  "  [ bitwise reg 1 = ( reg 1 & 0x00000001 ) ^ 0x00000000 ]\n"
	  "  [ cmp neq reg 1 0x00000000 ]\n"
	  "  [ immediate reg 0 drop ]" },
	{ { .iifname = "lo", .verdict = FNFT_VERDICT_ACCEPT },
	  "inet t c\n"
	  "  [ meta load iifname => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00006f6c 0x00000000 0x00000000 0x00000000 ]\n"
	  "  [ immediate reg 0 accept ]" },
	{ { .oifname = "eth*", .verdict = FNFT_VERDICT_ACCEPT },
	  "inet t c\n"
	  "  [ meta load oifname => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00687465 ]\n"
	  "  [ immediate reg 0 accept ]" },
	{ { .l4 = FNFT_L4_ICMPV6, .icmp_types = t_nd6, .n_icmp_types = 8,
	    .verdict = FNFT_VERDICT_ACCEPT },
	  "inet t c\n"
	  "  [ meta load nfproto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x0000000a ]\n"
	  "  [ meta load l4proto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x0000003a ]\n"
	  "  [ payload load 1b @ transport header + 0 => reg 1 ]\n"
	  "  [ lookup reg 1 set __set%d ]\n"
	  "  [ immediate reg 0 accept ]" },
	{ { .addr = FNFT_MATCH_SADDR, .family = FNFT_V4, .set = "s4",
	    .l4 = FNFT_L4_ICMP, .icmp_types = t_echo, .n_icmp_types = 1,
	    .verdict = FNFT_VERDICT_ACCEPT },
	  "inet t c\n"
	  "  [ meta load nfproto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00000002 ]\n"
	  "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
	  "  [ lookup reg 1 set s4 ]\n"
	  "  [ meta load l4proto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00000001 ]\n"
	  "  [ payload load 1b @ transport header + 0 => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00000008 ]\n"
	  "  [ immediate reg 0 accept ]" },
	{ { .addr = FNFT_MATCH_SADDR, .family = FNFT_V4, .set = "s4",
	    .l4 = FNFT_L4_TCP, .dports = { p_tomcat, 2, 2 }, .counter = true,
	    .verdict = FNFT_VERDICT_ACCEPT, .comment = "tomcat.http" },
	  "inet t c\n"
	  "  [ meta load nfproto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00000002 ]\n"
	  "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
	  "  [ lookup reg 1 set s4 ]\n"
	  "  [ meta load l4proto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00000006 ]\n"
	  "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
	  "  [ lookup reg 1 set __set%d ]\n"
	  "  [ counter pkts 0 bytes 0 ]\n"
	  "  [ immediate reg 0 accept ]\n"
	  "  userdata = { \\x00\\x0ctomcat.http\\x00 }" },
	{ { .addr = FNFT_MATCH_DADDR, .family = FNFT_V6, .set = "s6",
	    .l4 = FNFT_L4_TCP, .dports = { p_1433, 1, 1 }, .counter = true,
	    .verdict = FNFT_VERDICT_ACCEPT, .comment = "ucce.awdb" },
	  "inet t c\n"
	  "  [ meta load nfproto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x0000000a ]\n"
	  "  [ payload load 16b @ network header + 24 => reg 1 ]\n"
	  "  [ lookup reg 1 set s6 ]\n"
	  "  [ meta load l4proto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00000006 ]\n"
	  "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00009905 ]\n"
	  "  [ counter pkts 0 bytes 0 ]\n"
	  "  [ immediate reg 0 accept ]\n"
	  "  userdata = { \\x00\\x0aucce.awdb\\x00 }" },
	{ { .l4 = FNFT_L4_UDP, .dports = { p_range, 1, 1 },
	    .verdict = FNFT_VERDICT_ACCEPT },
	  "inet t c\n"
	  "  [ meta load l4proto => reg 1 ]\n"
	  "  [ cmp eq reg 1 0x00000011 ]\n"
	  "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
	  "  [ cmp gte reg 1 0x00007017 ]\n"
	  "  [ cmp lte reg 1 0x00007a17 ]\n"
	  "  [ immediate reg 0 accept ]" },
	{ { .limit_per_minute = 5, .log_prefix = "finesse-nft drop: " },
	  "inet t c\n"
	  "  [ limit rate 5/minute burst 5 type packets flags 0x0 ]\n"
	  "  [ log prefix finesse-nft drop:  ]" },
};

START_TEST(rules_pinned_to_nft)
{
	char *ours = dump_rule(&pinned[_i].rule, NULL);

	ck_assert_msg(streq(ours, pinned[_i].nft), "rule %d\nnft 1.0.6:\n%s\nours:\n%s",
		      _i, pinned[_i].nft, ours);
	free(ours);
}
END_TEST

static const struct nftnl_expr *find_lookup_expr;

static int find_lookup(struct nftnl_expr *e, void *data)
{
	(void)data;
	if (streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup"))
		find_lookup_expr = e;
	return 0;
}

/* A lookup of a named set carries the set's id: its position + 1. */
START_TEST(named_set_lookup_ids)
{
	struct fnft_ruleset *rs = small_ruleset(FNFT_V4, NULL);
	struct fnft_ir_rule r = { .addr = FNFT_MATCH_SADDR, .family = FNFT_V6,
				  .set = "b6", .verdict = FNFT_VERDICT_ACCEPT };
	struct nftnl_rule *nr = NULL;
	uint32_t set_id = 2;

	ck_assert_ptr_nonnull(fnft_ruleset_add_set(rs, "b6", FNFT_V6));
	ck_assert_int_eq(fnft_encode_rule("t", "input", &r, rs, &set_id, &nr,
					  NULL), 0);
	find_lookup_expr = NULL;
	nftnl_expr_foreach(nr, find_lookup, NULL);
	ck_assert_ptr_nonnull(find_lookup_expr);
	ck_assert_uint_eq(nftnl_expr_get_u32(find_lookup_expr,
					     NFTNL_EXPR_LOOKUP_SET_ID), 2);
	nftnl_rule_free(nr);

	/* without the ruleset the id is unknown: name only */
	ck_assert_int_eq(fnft_encode_rule("t", "input", &r, NULL, &set_id, &nr,
					  NULL), 0);
	find_lookup_expr = NULL;
	nftnl_expr_foreach(nr, find_lookup, NULL);
	ck_assert(!nftnl_expr_is_set(find_lookup_expr, NFTNL_EXPR_LOOKUP_SET_ID));
	ck_assert_uint_eq(set_id, 2);
	nftnl_rule_free(nr);
	fnft_ruleset_free(rs);
}
END_TEST

/* ------------------------------------------------------------------ */
/* what the encoder refuses */

static int encode_one(const struct fnft_ir_rule *r, const struct fnft_ruleset *rs)
{
	struct nftnl_rule *nr = NULL;
	struct nftnl_set *s = NULL;
	uint32_t set_id = 0;
	int rc = fnft_encode_rule("t", "input", r, rs, &set_id, &nr, &s);

	if (!rc) {
		nftnl_rule_free(nr);
		if (s)
			nftnl_set_free(s);
	}
	return rc;
}

START_TEST(invalid_ir_is_refused)
{
	struct fnft_ruleset *rs = small_ruleset(FNFT_V4, NULL);
	struct fnft_port_range p[] = { { 22, 22 } };
	const enum fnft_verdict A = FNFT_VERDICT_ACCEPT;
	char long_text[200];
	struct fnft_batch *b = NULL;
	struct nftnl_rule *nr = NULL;
	uint32_t set_id = 0;

	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	/* "tcp dport { }" and "icmp type" without types are no nft */
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .l4 = FNFT_L4_TCP,
		.verdict = A }, NULL), -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .l4 = FNFT_L4_ICMP,
		.verdict = A }, NULL), -EINVAL);
	/* icmp under an IPv6 address match */
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .addr = FNFT_MATCH_SADDR,
		.family = FNFT_V6, .set = "x", .l4 = FNFT_L4_ICMP,
		.icmp_types = (uint8_t[]){ 8 }, .n_icmp_types = 1 }, NULL), -EINVAL);
	/* a set the table lacks, or of the other family */
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .addr = FNFT_MATCH_SADDR,
		.family = FNFT_V4, .set = "nope" }, rs), -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .addr = FNFT_MATCH_SADDR,
		.family = FNFT_V6, .set = "s4" }, rs), -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .addr = FNFT_MATCH_SADDR,
		.family = FNFT_V4 }, rs), -EINVAL);
	/* a reversed port range */
	p[0].first = 30;
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .l4 = FNFT_L4_TCP,
		.dports = { p, 1, 1 } }, NULL), -EINVAL);
	/* too long for nft, or unprintable inside its quotes */
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .comment = long_text },
				    NULL), -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .log_prefix = long_text },
				    NULL), -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .comment = "a\"b" },
				    NULL), -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .iifname = "*" },
				    NULL), -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .verdict = 9 }, NULL),
			 -EINVAL);
	ck_assert_int_eq(encode_one(&(struct fnft_ir_rule){ .ct_state = 0x40 },
				    NULL), -EINVAL);
	/* a failure after the anonymous set leaves the id counter alone */
	set_id = 5;
	ck_assert_int_eq(fnft_encode_rule("t", "c", &(struct fnft_ir_rule){
		.l4 = FNFT_L4_ICMP, .icmp_types = (uint8_t[]){ 3, 8 },
		.n_icmp_types = 2, .comment = long_text }, NULL, &set_id, &nr,
		NULL), -EINVAL);
	ck_assert_uint_eq(set_id, 5);
	ck_assert_int_eq(fnft_encode_rule(NULL, "c", &(struct fnft_ir_rule){ 0 },
					  NULL, &set_id, &nr, NULL), -EINVAL);
	ck_assert_int_eq(fnft_encode_rule("t", "c", &(struct fnft_ir_rule){ 0 },
					  NULL, NULL, &nr, NULL), -EINVAL);

	/* overlapping or touching set intervals */
	rs->sets[0].elems.v = calloc(2, sizeof(struct fnft_iv));
	rs->sets[0].elems.n = rs->sets[0].elems.cap = 2;
	memcpy(rs->sets[0].elems.v[0].lo, "\x0a\x00\x00\x01", 4);
	memcpy(rs->sets[0].elems.v[0].hi, "\x0a\x00\x00\x05", 4);
	memcpy(rs->sets[0].elems.v[1].lo, "\x0a\x00\x00\x06", 4);
	memcpy(rs->sets[0].elems.v[1].hi, "\x0a\x00\x00\x07", 4);
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 0, &b), -EINVAL);
	memcpy(rs->sets[0].elems.v[1].lo, "\x0a\x00\x00\x03", 4);
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 0, &b), -EINVAL);
	memcpy(rs->sets[0].elems.v[1].lo, "\x0a\x00\x00\x07", 4);
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 0, &b), 0);
	fnft_batch_free(b);

	/* a chain without a policy */
	rs->chains[0].policy = FNFT_VERDICT_NONE;
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 0, &b), -EINVAL);
	ck_assert_int_eq(fnft_encode_replace(NULL, 0, 0, &b), -EINVAL);
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 0, NULL), -EINVAL);
	fnft_ruleset_free(rs);
}
END_TEST

/* A failure half way leaves nothing behind (valgrind checks the leaks). */
START_TEST(failure_frees_everything)
{
	struct fnft_ruleset *rs = site_ruleset();
	struct fnft_ir_chain *out = &rs->chains[1];
	struct fnft_batch *b = (struct fnft_batch *)0x1;

	/* the last rule of the last chain cannot be encoded */
	free(out->rules[out->n_rules - 1].comment);
	out->rules[out->n_rules - 1].comment = strdup("bad \"quote\"");
	ck_assert_int_eq(fnft_encode_replace(rs, 0, 0, &b), -EINVAL);
	ck_assert_ptr_eq(b, (struct fnft_batch *)0x1);	/* untouched */
	fnft_ruleset_free(rs);
	fnft_batch_free(NULL);
}
END_TEST

static Suite *encode_suite(void)
{
	Suite *s = suite_create("encode");
	TCase *tc = tcase_create("encode");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, replace_batch_structure);
	tcase_add_test(tc, genid_goes_into_batch_begin);
	tcase_add_test(tc, remove_batch);
	tcase_add_test(tc, seq_wraps_around);
	tcase_add_test(tc, big_set_is_split);
	tcase_add_test(tc, interval_elements);
	tcase_add_test(tc, anonymous_sets);
	tcase_add_loop_test(tc, rules_pinned_to_nft, 0, ARRAY_SIZE(pinned));
	tcase_add_test(tc, named_set_lookup_ids);
	tcase_add_test(tc, invalid_ir_is_refused);
	tcase_add_test(tc, failure_frees_everything);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc > 1)
		site_path = argv[1];
	sr = srunner_create(encode_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
