/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The patch between a live table and a plan: only what differs, in place. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <finesse-nft/finesse-nft.h>

#include "patch.h"
#include "testlib.h"

static const char *golden_dir;

static struct fnft_ruleset *plan_text(const char *extra)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	char path[512], *text;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/primary.conf", golden_dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + strlen(extra) + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	strcat(text, extra);
	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	ck_assert_int_eq(fnft_site_load_buffer("p.conf", text, strlen(text), cat, &site, NULL), 0);
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &rs, NULL), 0);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	free(text);
	return rs;
}

/* The plan as the kernel would hold it: every rule with a handle. */
static struct fnft_ruleset *as_live(const char *extra)
{
	struct fnft_ruleset *live = plan_text(extra);
	uint64_t h = 100;
	size_t c, i;

	for (c = 0; c < live->n_chains; c++)
		for (i = 0; i < live->chains[c].n_rules; i++)
			live->chains[c].rules[i].handle = h++;
	return live;
}

START_TEST(equal_is_empty)
{
	struct fnft_ruleset *live = as_live(""), *plan = plan_text("");
	struct fnft_patch p;

	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
	ck_assert_uint_eq(p.n_sets + p.n_del + p.n_ins, 0);
	fnft_patch_free(&p);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

START_TEST(one_address)
{
	struct fnft_ruleset *live = as_live(""), *plan = plan_text("");
	struct fnft_iv iv = { .lo = { 192, 0, 2, 0 }, .hi = { 192, 0, 2, 255 } };
	struct fnft_patch p;
	size_t i;

	/* browser gains a network in the plan */
	for (i = 0; i < plan->n_sets; i++)
		if (!strcmp(plan->sets[i].name, "browser_v4")) {
			ck_assert_int_eq(fnft_ivlist_add(&plan->sets[i].elems, &iv), 0);
			fnft_ivlist_normalize(&plan->sets[i].elems, FNFT_V4);
		}
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
	ck_assert_uint_eq(p.n_sets, 1);
	ck_assert_str_eq(p.sets[0].set->name, "browser_v4");
	ck_assert_uint_eq(p.sets[0].add.n, 1);
	ck_assert_mem_eq(p.sets[0].add.v[0].lo, iv.lo, 16);
	ck_assert_uint_eq(p.sets[0].del.n, 0);
	ck_assert_uint_eq(p.n_del + p.n_ins, 0);
	fnft_patch_free(&p);
	/* a live table without rule handles cannot be patched */
	ck_assert_int_eq(fnft_patch_compute(plan, live, &p), -EOPNOTSUPP);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

/* Each element list's nest length covers exactly its elements, and
 * each element is a well-formed nest: the list length is 16 bits. */
static size_t check_elem_msgs(const struct fnft_buf *msgs, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)msgs->s;
	int left = (int)msgs->len;
	size_t elems = 0, i;

	for (i = 0; i < n; i++, nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlattr *a, *e;
		bool list = false;

		ck_assert(mnl_nlmsg_ok(nlh, left));
		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
			if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
				continue;
			list = true;
			/* the list ends where the message does */
			ck_assert_ptr_eq((const char *)a + mnl_attr_get_len(a),
					 (const char *)nlh + nlh->nlmsg_len);
			mnl_attr_for_each_nested(e, a) {
				ck_assert_int_ge(mnl_attr_validate(e, MNL_TYPE_NESTED), 0);
				elems++;
			}
		}
		ck_assert(list);
	}
	return elems;
}

START_TEST(many_ipv6_intervals)
{
	struct fnft_ruleset *live = as_live(""), *plan = plan_text("");
	struct fnft_buf msgs = { 0 };
	struct fnft_batch *b = NULL;
	struct fnft_patch p;
	size_t i, k, n = 0;

	/* 3,000 IPv6 networks join browser at once: several messages */
	for (i = 0; i < plan->n_sets; i++) {
		if (strcmp(plan->sets[i].name, "browser_v6"))
			continue;
		for (k = 0; k < 3000; k++) {
			/* every other /48, so that none touch and merge */
			struct fnft_iv iv = { .lo = { 0x20, 0x01, 0x0d, 0xb9,
						     (uint8_t)(k >> 7), (uint8_t)(2 * k) } };

			memcpy(iv.hi, iv.lo, 6);
			memset(iv.hi + 6, 0xff, 10);
			ck_assert_int_eq(fnft_ivlist_add(&plan->sets[i].elems, &iv), 0);
		}
		fnft_ivlist_normalize(&plan->sets[i].elems, FNFT_V6);
	}
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
	ck_assert_uint_eq(p.n_sets, 1);
	ck_assert_uint_eq(p.sets[0].add.n, 3000);
	ck_assert_int_eq(fnft_patch_encode(&p, plan->table, 0, 1, &b), 0);
	/* the messages between batch begin and end */
	ck_assert_int_eq(fnft_batch_copy_msgs(b, 1, &msgs, &n), 0);
	n--;
	fnft_batch_free(b);
	ck_assert_uint_gt(n, 2);
	/* 2 elements an interval; plus the leading end if the set was empty */
	ck_assert_uint_eq(check_elem_msgs(&msgs, n),
			  2 * p.sets[0].add.n + (p.sets[0].was_empty ? 1 : 0));
	free(msgs.s);
	fnft_patch_free(&p);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

START_TEST(port_moved_rules_in_place)
{
	struct fnft_ruleset *live = as_live(""),
		*plan = plan_text("[port]\nucce.cti-a = 42127\n");
	struct fnft_patch p;
	size_t i;

	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
	ck_assert_uint_eq(p.n_sets, 0);
	ck_assert_uint_eq(p.n_del, 2);
	ck_assert_uint_eq(p.n_ins, 2);
	for (i = 0; i < 2; i++) {
		ck_assert_str_eq(p.del[i].rule->comment, "ucce.cti-a");
		ck_assert_uint_eq(p.del[i].rule->dports.v[0].first, 42027);
		ck_assert_str_eq(p.ins[i].rule->comment, "ucce.cti-a");
		ck_assert_uint_eq(p.ins[i].rule->dports.v[0].first, 42127);
		ck_assert_str_eq(p.ins[i].chain, "output");
	}
	/* both after the awdb v6 rule, listed last first */
	ck_assert_uint_ne(p.ins[0].after, 0);
	ck_assert_uint_eq(p.ins[0].after, p.ins[1].after);
	ck_assert_int_eq(p.ins[0].rule->family, FNFT_V6);
	ck_assert_int_eq(p.ins[1].rule->family, FNFT_V4);
	fnft_patch_free(&p);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

START_TEST(structural_is_refused)
{
	struct fnft_ruleset *live = as_live("");
	/* a chain policy */
	struct fnft_ruleset *plan = plan_text("[policy]\noutput = drop\n");
	struct fnft_patch p;

	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), -EOPNOTSUPP);
	fnft_ruleset_free(plan);
	/* the role changes the table comment */
	plan = plan_text("");
	free(plan->comment);
	plan->comment = strdup("finesse-nft secondary");
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), -EOPNOTSUPP);
	fnft_ruleset_free(plan);
	/* a disabled row whose group goes away removes sets */
	plan = plan_text("[disable]\nentry = ucce.cti-b\n");
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), -EOPNOTSUPP);
	fnft_ruleset_free(plan);
	/* a disabled row whose groups stay is a patch of deletes */
	plan = plan_text("[disable]\nentry = notification.xmpps\n");
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
	ck_assert_uint_eq(p.n_del, 4);
	ck_assert_uint_eq(p.n_ins, 0);
	fnft_patch_free(&p);
	/* a named object or flowtable in the live table: only the whole
	 * replace deletes it */
	ck_assert_int_eq(fnft_ruleset_add_object(live, FNFT_IR_COUNTER, "c",
						 "{ packets 0 bytes 0 }"), 0);
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), -EOPNOTSUPP);
	free(live->objects[0].name);
	free(live->objects[0].desc);
	live->n_objects = 0;
	/* a chain we do not make (here: our input chain with a device) */
	live->chains[0].raw = strdup("type \"filter\" hook input device \"lo\" priority 0;");
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), -EOPNOTSUPP);
	fnft_ruleset_free(plan);
	fnft_ruleset_free(live);
}
END_TEST

/* ---- rule matching: chains of rules told apart by their port ---- */

/* A table of one chain whose rule i matches tcp dport ports[i]; @live
 * ones hold handles 100, 101, ... */
static struct fnft_ruleset *chain_of(const unsigned *ports, size_t n, bool live)
{
	struct fnft_ruleset *rs = fnft_ruleset_new("t", NULL);
	struct fnft_ir_chain *c;
	struct fnft_ir_rule r = { .l4 = FNFT_L4_TCP, .counter = true,
				  .verdict = FNFT_VERDICT_ACCEPT };
	size_t i;

	ck_assert_ptr_nonnull(rs);
	c = fnft_ruleset_add_chain(rs, "input", FNFT_HOOK_INPUT, 0, FNFT_VERDICT_DROP);
	ck_assert_ptr_nonnull(c);
	for (i = 0; i < n; i++) {
		r.dports.n = 0;
		ck_assert_int_eq(fnft_portlist_add(&r.dports, (uint16_t)ports[i],
						   (uint16_t)ports[i]), 0);
		ck_assert_int_eq(fnft_chain_add_rule(c, &r), 0);
		if (live)
			c->rules[i].handle = 100 + i;
	}
	fnft_portlist_free(&r.dports);
	return rs;
}

/* The length of a longest common subsequence, by the n x m table. */
static size_t lcs_length(const unsigned *a, size_t n, const unsigned *b, size_t m)
{
	size_t *t = calloc((n + 1) * (m + 1), sizeof(*t)), i, j, len;

	ck_assert_ptr_nonnull(t);
#define T(x, y) t[(x) * (m + 1) + (y)]
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			T(i, j) = a[i] == b[j] ? T(i + 1, j + 1) + 1 :
				  T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
#undef T
	len = t[0];
	free(t);
	return len;
}

struct live_rule {
	uint64_t handle;
	unsigned port;
};

static size_t find_handle(const struct live_rule *v, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].handle == h)
			return i;
	ck_abort_msg("no rule with handle %llu", (unsigned long long)h);
	return 0;
}

/* The live chain after @p, as the kernel would do it, equals @b. */
static void check_applies(const unsigned *a, size_t n, const unsigned *b, size_t m,
			  const struct fnft_patch *p)
{
	struct live_rule *v = calloc(n + m + 1, sizeof(*v));
	size_t len = n, i, at;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < n; i++)
		v[i] = (struct live_rule){ 100 + i, a[i] };
	for (i = 0; i < p->n_del; i++) {
		at = find_handle(v, len, p->del[i].rule->handle);
		ck_assert_uint_eq(v[at].port, p->del[i].rule->dports.v[0].first);
		memmove(&v[at], &v[at + 1], (--len - at) * sizeof(*v));
	}
	for (i = 0; i < p->n_ins; i++) {
		const struct fnft_patch_rule *r = &p->ins[i];

		ck_assert_str_eq(r->chain, "input");
		if (r->after)
			at = find_handle(v, len, r->after) + 1;
		else if (r->before)
			at = find_handle(v, len, r->before);
		else
			at = len;
		memmove(&v[at + 1], &v[at], (len++ - at) * sizeof(*v));
		v[at] = (struct live_rule){ 1000000 + i, r->rule->dports.v[0].first };
	}
	ck_assert_uint_eq(len, m);
	for (i = 0; i < m; i++)
		ck_assert_uint_eq(v[i].port, b[i]);
	free(v);
}

/* @a -> @b patches into @b, keeping a longest common subsequence. */
static void check_match(const unsigned *a, size_t n, const unsigned *b, size_t m)
{
	struct fnft_ruleset *live = chain_of(a, n, true), *plan = chain_of(b, m, false);
	size_t keep = lcs_length(a, n, b, m);
	struct fnft_patch p;

	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
	ck_assert_uint_eq(p.n_del, n - keep);
	ck_assert_uint_eq(p.n_ins, m - keep);
	check_applies(a, n, b, m, &p);
	fnft_patch_free(&p);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}

/* Every pair of lists of up to 4 rules out of 3 kinds: ties, repeats. */
START_TEST(match_small_exhaustive)
{
	unsigned a[4], b[4];
	size_t na, nb, ia, ib, i, ca, cb;

	for (na = 0; na <= 4; na++) {
		for (ca = 1, i = 0; i < na; i++)
			ca *= 3;
		for (ia = 0; ia < ca; ia++) {
			for (i = 0, cb = ia; i < na; i++, cb /= 3)
				a[i] = 1 + (unsigned)(cb % 3);
			for (nb = 0; nb <= 4; nb++) {
				for (cb = 1, i = 0; i < nb; i++)
					cb *= 3;
				for (ib = 0; ib < cb; ib++) {
					size_t x = ib;

					for (i = 0; i < nb; i++, x /= 3)
						b[i] = 1 + (unsigned)(x % 3);
					check_match(a, na, b, nb);
				}
			}
		}
	}
}
END_TEST

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned below)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % below);
}

/* Random lists with random edits (add, delete, change, move). */
START_TEST(match_random_edits)
{
	unsigned a[80], b[160];
	size_t n, m, i, e, at, to, round;

	for (round = 0; round < 1500; round++) {
		unsigned kinds = 2 + rnd(60);

		n = rnd(60);
		for (i = 0; i < n; i++)
			a[i] = 1 + rnd(kinds);
		memcpy(b, a, n * sizeof(*a));
		m = n;
		for (e = rnd(12); e-- > 0;) {
			at = rnd((unsigned)m + 1);
			switch (rnd(4)) {
			case 0:	/* add */
				memmove(&b[at + 1], &b[at], (m++ - at) * sizeof(*b));
				b[at] = 1 + rnd(kinds + 5);
				break;
			case 1:	/* delete */
				if (at < m)
					memmove(&b[at], &b[at + 1], (--m - at) * sizeof(*b));
				break;
			case 2:	/* change */
				if (at < m)
					b[at] = 1 + rnd(kinds + 5);
				break;
			default: /* move */
				if (at < m) {
					unsigned r = b[at];

					memmove(&b[at], &b[at + 1], (--m - at) * sizeof(*b));
					to = rnd((unsigned)m + 1);
					memmove(&b[to + 1], &b[to], (m++ - to) * sizeof(*b));
					b[to] = r;
				}
			}
		}
		check_match(a, n, b, m);
	}
}
END_TEST

/* ---- set elements: one merge, shared runs skipped a block at a time ---- */

/* Interval number @x of a sorted IPv4 list: x.x.x.0 - x.x.x.1, disjoint. */
static struct fnft_iv iv_of(unsigned x)
{
	struct fnft_iv iv;

	memset(&iv, 0, sizeof(iv));
	iv.lo[0] = iv.hi[0] = (uint8_t)(x >> 16);
	iv.lo[1] = iv.hi[1] = (uint8_t)(x >> 8);
	iv.lo[2] = iv.hi[2] = (uint8_t)x;
	iv.hi[3] = 1;
	return iv;
}

static void ivs_of(struct fnft_ivlist *l, const bool *in, size_t n)
{
	struct fnft_iv iv;
	size_t x;

	fnft_ivlist_free(l);
	for (x = 0; x < n; x++)
		if (in[x]) {
			iv = iv_of((unsigned)x);
			ck_assert_int_eq(fnft_ivlist_add(l, &iv), 0);
		}
}

/* @got holds exactly the intervals x with want[x], in order. */
static void check_ivs(const struct fnft_ivlist *got, const bool *want, size_t n)
{
	size_t x, j = 0;
	struct fnft_iv iv;

	for (x = 0; x < n; x++)
		if (want[x]) {
			iv = iv_of((unsigned)x);
			ck_assert_uint_lt(j, got->n);
			ck_assert_mem_eq(&got->v[j], &iv, sizeof(iv));
			j++;
		}
	ck_assert_uint_eq(j, got->n);
}

/*
 * Random edits of a 600-interval set, clustered and scattered, at the
 * block boundaries (the first, the 63rd..65th, the last) and nowhere:
 * the patch deletes exactly what only the live set has and adds exactly
 * what only the plan has, as a one-by-one comparison says.
 */
START_TEST(set_elements_random_edits)
{
	enum { N = 600 };
	static const unsigned edges[] = { 0, 62, 63, 64, 65, 127, 128, N - 1 };
	bool live_in[N], plan_in[N], only_live[N], only_plan[N];
	struct fnft_ruleset *live, *plan;
	size_t round, x, e, s;

	for (round = 0; round < 300; round++) {
		struct fnft_patch p;
		const struct fnft_patch_set *ps = NULL;
		bool any = false;

		live = as_live("");
		plan = plan_text("");
		s = round % plan->n_sets;
		for (x = 0; x < N; x++)
			live_in[x] = plan_in[x] = rnd(4) != 0;
		if (round % 3 == 0)	/* edits at the block boundaries */
			for (e = 0; e < sizeof(edges) / sizeof(*edges); e++)
				plan_in[edges[e]] ^= rnd(2);
		else if (round % 3 == 1)	/* one clustered run of edits */
			for (x = rnd(N), e = rnd(100); e-- > 0 && x < N; x++)
				plan_in[x] = !plan_in[x];
		else			/* scattered */
			for (e = rnd(8); e-- > 0;)
				plan_in[rnd(N)] ^= true;
		for (x = 0; x < N; x++) {
			only_live[x] = live_in[x] && !plan_in[x];
			only_plan[x] = plan_in[x] && !live_in[x];
			any = any || only_live[x] || only_plan[x];
		}
		ivs_of(&live->sets[s].elems, live_in, N);
		ivs_of(&plan->sets[s].elems, plan_in, N);

		ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
		ck_assert_uint_eq(p.n_del + p.n_ins, 0);
		for (e = 0; e < p.n_sets; e++) {
			ck_assert_uint_eq(p.sets[e].set_id, s + 1);
			ps = &p.sets[e];
		}
		ck_assert_uint_eq(p.n_sets, any ? 1 : 0);
		if (ps) {
			check_ivs(&ps->del, only_live, N);
			check_ivs(&ps->add, only_plan, N);
		}
		fnft_patch_free(&p);
		fnft_ruleset_free(live);
		fnft_ruleset_free(plan);
	}
}
END_TEST

#define BIG 10000

static unsigned *big_list(void)
{
	unsigned *v = calloc(BIG + 8, sizeof(*v));
	size_t i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < BIG; i++)
		v[i] = 1 + (unsigned)i;
	return v;
}

/* The patch of @a -> @b; it points into rs[0] (live) and rs[1] (plan). */
static void big_patch(const unsigned *a, const unsigned *b, size_t m,
		      struct fnft_patch *p, struct fnft_ruleset *rs[2])
{
	rs[0] = chain_of(a, BIG, true);
	rs[1] = chain_of(b, m, false);
	ck_assert_int_eq(fnft_patch_compute(rs[0], rs[1], p), 0);
	check_applies(a, BIG, b, m, p);
}

static void big_done(struct fnft_patch *p, struct fnft_ruleset *rs[2])
{
	fnft_patch_free(p);
	fnft_ruleset_free(rs[0]);
	fnft_ruleset_free(rs[1]);
}

/* The common cases on 10,000 rules: as few messages as can be. */
START_TEST(match_big_minimal)
{
	unsigned *a = big_list(), *b = big_list();
	struct fnft_ruleset *rs[2];
	struct fnft_patch p;

	/* one port changed: that rule goes, the new one takes its place */
	b[5000] = 60000;
	big_patch(a, b, BIG, &p, rs);
	ck_assert_uint_eq(p.n_del, 1);
	ck_assert_uint_eq(p.del[0].rule->handle, 100 + 5000);
	ck_assert_uint_eq(p.n_ins, 1);
	ck_assert_uint_eq(p.ins[0].after, 100 + 4999);
	big_done(&p, rs);
	/* three added at the end: after the last, listed last first */
	b[5000] = a[5000];
	b[BIG] = 60001, b[BIG + 1] = 60002, b[BIG + 2] = 60003;
	big_patch(a, b, BIG + 3, &p, rs);
	ck_assert_uint_eq(p.n_del, 0);
	ck_assert_uint_eq(p.n_ins, 3);
	ck_assert_uint_eq(p.ins[0].after, 100 + BIG - 1);
	ck_assert_uint_eq(p.ins[0].rule->dports.v[0].first, 60003);
	big_done(&p, rs);
	/* one moved from the start to near the end */
	memmove(b, b + 1, 9000 * sizeof(*b));
	b[9000] = a[0];
	big_patch(a, b, BIG, &p, rs);
	ck_assert_uint_eq(p.n_del, 1);
	ck_assert_uint_eq(p.del[0].rule->handle, 100);
	ck_assert_uint_eq(p.n_ins, 1);
	ck_assert_uint_eq(p.ins[0].after, 100 + 9000);
	big_done(&p, rs);
	/* a new first rule: before the old first */
	memcpy(b + 1, a, BIG * sizeof(*b));
	b[0] = 60004;
	big_patch(a, b, BIG + 1, &p, rs);
	ck_assert_uint_eq(p.n_del + p.n_ins, 1);
	ck_assert_uint_eq(p.ins[0].after, 0);
	ck_assert_uint_eq(p.ins[0].before, 100);
	big_done(&p, rs);
	free(a);
	free(b);
}
END_TEST

/* Rules too different to match within the bound: replace the table. */
START_TEST(match_bounded)
{
	unsigned *a = big_list(), *b = big_list();
	struct fnft_ruleset *live, *plan, *rs[2];
	struct fnft_patch p;
	size_t i;

	/* 500 scattered changes are a patch */
	for (i = 0; i < 500; i++)
		b[i * 20 + 7] = 20000 + (unsigned)i;
	big_patch(a, b, BIG, &p, rs);
	ck_assert_uint_eq(p.n_del, 500);
	ck_assert_uint_eq(p.n_ins, 500);
	big_done(&p, rs);
	/* reversed: no two rules keep their order; out of steps long before
	 * 9,999 deletes and inserts are found */
	for (i = 0; i < BIG; i++)
		b[i] = a[BIG - 1 - i];
	live = chain_of(a, BIG, true);
	plan = chain_of(b, BIG, false);
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), -EOPNOTSUPP);
	ck_assert_uint_eq(p.n_sets + p.n_del + p.n_ins, 0);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
	free(a);
	free(b);
}
END_TEST

static size_t vm_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%lu", &pages), 1);
	fclose(f);
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* fnft_patch_compute of @live -> @plan in a child whose address space is
 * @room bytes above what it holds; the child's exit code: 0 for 1 delete
 * and 1 insert, 3 for -EOPNOTSUPP, else 1. */
static int compute_in_room(const struct fnft_ruleset *live,
			   const struct fnft_ruleset *plan, size_t room)
{
	struct fnft_patch p;
	int status, rc;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit lim;

		lim.rlim_cur = lim.rlim_max = vm_bytes() + room;
		if (setrlimit(RLIMIT_AS, &lim) < 0)
			_exit(2);
		rc = fnft_patch_compute(live, plan, &p);
		_exit(rc == -EOPNOTSUPP ? 3 : rc == 0 && p.n_del == 1 && p.n_ins == 1 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * The diff of two chains of 20,000 rules (what a 10,000-row catalog
 * plans, v4 and v6), one changed, in 64 MiB of address space more than
 * the tables take: an n x m table of them would be 1.6 GB.  With no room
 * at all it may still fit in the heap, or ask for a replace; it never
 * fails for memory.
 */
START_TEST(match_in_bounded_memory)
{
	unsigned *a = calloc(2 * BIG, sizeof(*a)), *b = calloc(2 * BIG, sizeof(*b));
	struct fnft_ruleset *live, *plan;
	size_t i;
	int rc;

	ck_assert(a && b);
	for (i = 0; i < 2 * BIG; i++)
		a[i] = b[i] = 1 + (unsigned)i;
	b[BIG] = 60000;
	live = chain_of(a, 2 * BIG, true);
	plan = chain_of(b, 2 * BIG, false);
	ck_assert_int_eq(compute_in_room(live, plan, 64u << 20), 0);
#ifndef __SANITIZE_ADDRESS__	/* whose malloc aborts rather than fail */
	rc = compute_in_room(live, plan, 0);
	ck_assert_msg(rc == 0 || rc == 3, "out of memory: child exit %d", rc);
#else
	(void)rc;
#endif
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
	free(a);
	free(b);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("patch");
	int failed;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	/* the matcher's cases take seconds under the sanitizers */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, equal_is_empty);
	tcase_add_test(tc, one_address);
	tcase_add_test(tc, many_ipv6_intervals);
	tcase_add_test(tc, port_moved_rules_in_place);
	tcase_add_test(tc, structural_is_refused);
	tcase_add_test(tc, match_small_exhaustive);
	tcase_add_test(tc, match_random_edits);
	tcase_add_test(tc, set_elements_random_edits);
	tcase_add_test(tc, match_big_minimal);
	tcase_add_test(tc, match_bounded);
	tcase_add_test(tc, match_in_bounded_memory);
	failed = tl_run("patch", tc, false);
	return failed;
}
