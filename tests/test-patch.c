/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The patch between a live table and a plan: only what differs, in place. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	fnft_ruleset_free(plan);
	fnft_ruleset_free(live);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("patch");
	int failed;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	tcase_add_test(tc, equal_is_empty);
	tcase_add_test(tc, one_address);
	tcase_add_test(tc, many_ipv6_intervals);
	tcase_add_test(tc, port_moved_rules_in_place);
	tcase_add_test(tc, structural_is_refused);
	failed = tl_run("patch", tc, false);
	return failed;
}
