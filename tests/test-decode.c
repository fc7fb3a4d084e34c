/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder against the kernel, in a network namespace of its own: what
 * we apply reads back as the very plan; what others add is shown.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

#include "decode.h"
#include "netlink.h"

static const char *golden_dir;

static const char *const sites[] = {
	"primary", "secondary", "insecure-deny", "moved-ports", "empty-group",
	"ipv6-only", "entries", "disable", "output-drop", "ping-any-log",
	"ping-none",
};

static struct fnft_ruleset *read_live(bool elements)
{
	struct fnft_error err = { 0 };
	struct fnft_dump *d = NULL;
	struct fnft_ruleset *live = NULL;
	struct fnft_nl *nl = NULL;

	ck_assert_int_eq(fnft_nl_open(&nl, &err), 0);
	ck_assert_msg(fnft_nl_dump(nl, "finesse", elements, &d, &err) == 0, "%s", err.message);
	if (d->table)
		ck_assert_msg(fnft_decode(d, &live, &err) == 0, "%s", err.message);
	fnft_dump_free(d);
	fnft_nl_close(nl);
	return live;
}

START_TEST(applied_reads_back_as_plan)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, sites[_i]), *live;
	struct fnft_error err = { 0 };
	char *diff = NULL;

	ck_assert_int_eq(fnft_apply(plan, &err), 0);
	live = read_live(true);
	ck_assert_ptr_nonnull(live);
	ck_assert_msg(fnft_ruleset_diff(plan, live, "plan", "live", &diff) == 0,
		      "%s reads back differently:\n%.3000s", sites[_i], diff);
	ck_assert(fnft_ruleset_equal(plan, live));
	ck_assert_uint_ne(live->chains[0].rules[0].handle, 0);
	fnft_ruleset_free(live);
	/* without named elements the sets come back empty, rules the same */
	live = read_live(false);
	ck_assert_uint_eq(live->chains[0].n_rules, plan->chains[0].n_rules);
	ck_assert_uint_eq(live->sets[0].elems.n, 0);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

START_TEST(missing_table)
{
	ck_assert_int_eq(system("nft delete table inet finesse 2>/dev/null; true"), 0);
	ck_assert_ptr_null(read_live(true));
}
END_TEST

START_TEST(drift_is_shown)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary"), *live;
	struct fnft_error err = { 0 };
	char *diff = NULL;

	ck_assert_int_eq(fnft_apply(plan, &err), 0);
	ck_assert_int_eq(system("nft add rule inet finesse input tcp dport 9999 accept &&"
				"nft add rule inet finesse input meta mark 0x2a accept &&"
				"nft add element inet finesse browser_v4 '{ 192.0.2.0/24 }' &&"
				"nft add set inet finesse marks '{ type mark; }'"), 0);
	live = read_live(true);
	ck_assert(!fnft_ruleset_equal(plan, live));
	ck_assert_int_eq(fnft_ruleset_diff(live, plan, "live", "plan", &diff), 1);
	ck_assert_msg(strstr(diff, "\n-\t\ttcp dport 9999 accept\n") != NULL, "%.3000s", diff);
	ck_assert_msg(strstr(diff, "\n-\t\t# not understood: ") != NULL, "%.3000s", diff);
	ck_assert_msg(strstr(diff, "\n-\t\t\t192.0.2.0/24,\n") != NULL, "%.3000s", diff);
	ck_assert_msg(strstr(diff, "\n-\t# not understood: set marks { key type") != NULL, "%.3000s", diff);
	free(diff);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

/* A set over many dump messages reads back whole (elements are read as
 * plain keys, in the kernel's descending order); an element with a comment
 * added by hand is read as its interval. */
START_TEST(big_set_reads_back)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary"), *live;
	struct fnft_error err = { 0 };
	struct fnft_ir_set *set = NULL;
	struct fnft_iv iv;
	size_t i;

	for (i = 0; i < plan->n_sets; i++)
		if (!strcmp(plan->sets[i].name, "browser_v4"))
			set = &plan->sets[i];
	ck_assert_ptr_nonnull(set);
	for (i = 0; i < 20000; i++) {	/* 10.64.0.0/26, 10.64.0.128/26, ... */
		memset(&iv, 0, sizeof(iv));
		iv.lo[0] = 10, iv.lo[1] = (uint8_t)(64 + i / 512);
		iv.lo[2] = (uint8_t)(i / 2 % 256), iv.lo[3] = (uint8_t)(i % 2 * 128);
		memcpy(iv.hi, iv.lo, 4);
		iv.hi[3] += 63;
		ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	}
	fnft_ivlist_normalize(&set->elems, FNFT_V4);
	ck_assert_uint_gt(set->elems.n, 20000);
	ck_assert_int_eq(fnft_apply(plan, &err), 0);
	live = read_live(true);
	ck_assert(fnft_ruleset_equal(plan, live));
	fnft_ruleset_free(live);

	ck_assert_int_eq(system("nft add element inet finesse browser_v4 "
				"'{ 198.51.100.0/24 comment \"by hand\" }'"), 0);
	live = read_live(true);
	memset(&iv, 0, sizeof(iv));
	iv.lo[0] = 198, iv.lo[1] = 51, iv.lo[2] = 100;
	memcpy(iv.hi, iv.lo, 4);
	iv.hi[3] = 255;
	ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	fnft_ivlist_normalize(&set->elems, FNFT_V4);
	ck_assert(fnft_ruleset_equal(plan, live));
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("decode");
	int failed;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	{
		int rc = tl_enter_netns();

		if (rc)
			return rc;
	}
	tcase_add_loop_test(tc, applied_reads_back_as_plan, 0, sizeof(sites) / sizeof(sites[0]));
	tcase_add_test(tc, missing_table);
	tcase_add_test(tc, drift_is_shown);
	tcase_add_test(tc, big_set_reads_back);
	tcase_set_timeout(tc, 60);
	failed = tl_run("decode", tc, true);
	return failed;
}
