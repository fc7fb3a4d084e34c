/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The typed counters of a live table, without a kernel: a table made by
 * hand stands for a decoded one.  Rules sharing row, group, family and
 * direction are summed; fixed rules, uncounted and raw rules are left out;
 * a table whose counters were not read is refused, never reported as 0.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "ir.h"
#include "testlib.h"

static void add(struct fnft_ir_chain *c, const char *row, const char *set,
		enum fnft_family fam, bool counter, uint64_t packets)
{
	struct fnft_ir_rule r = {
		.addr = set ? FNFT_MATCH_SADDR : FNFT_MATCH_NONE,
		.family = fam, .set = (char *)set, .l4 = FNFT_L4_TCP,
		.counter = counter, .verdict = FNFT_VERDICT_ACCEPT,
		.comment = (char *)row, .packets = packets,
		.bytes = packets * 60,
	};

	ck_assert_int_eq(fnft_chain_add_rule(c, &r), 0);
}

static struct fnft_ruleset *live_table(void)
{
	struct fnft_ruleset *rs = fnft_ruleset_new("t", NULL);
	struct fnft_ir_chain *in, *out;

	ck_assert_ptr_nonnull(rs);
	in = fnft_ruleset_add_chain(rs, "input", FNFT_HOOK_INPUT, 0, FNFT_VERDICT_DROP);
	out = fnft_ruleset_add_chain(rs, "output", FNFT_HOOK_OUTPUT, 0, FNFT_VERDICT_ACCEPT);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	add(in, NULL, NULL, FNFT_V4, true, 1000);		/* fixed: left out */
	add(in, "https", "browser_v4", FNFT_V4, true, 3);
	add(in, "https", "browser_v6", FNFT_V6, true, 5);
	add(in, "https", "browser_v4", FNFT_V4, true, 4);	/* summed */
	add(in, "https", "admin_v4", FNFT_V4, false, 9);	/* no counter */
	add(in, "ntp", NULL, FNFT_V4, true, 2);			/* any */
	add(out, "https", "browser_v4", FNFT_V4, true, 11);	/* outbound */
	add(out, "odd", "other", FNFT_V4, true, 1);		/* not a group's set */
	ck_assert_int_eq(fnft_chain_add_rule(in, &(struct fnft_ir_rule){
		.comment = "raw", .counter = true, .raw = "[ counter ]",
		.packets = 8 }), 0);
	return rs;
}

START_TEST(unread_counters_are_refused)
{
	struct fnft_ruleset *rs = live_table();
	struct fnft_counter *v = (void *)1;
	struct fnft_error err = { 0 };
	size_t n = 1;

	ck_assert(!fnft_ruleset_has_counters(rs));
	ck_assert(!fnft_ruleset_has_counters(NULL));
	ck_assert_int_eq(fnft_ruleset_counters(rs, &v, &n, &err), -ENODATA);
	ck_assert_int_eq(err.code, -ENODATA);
	ck_assert_str_eq(err.object, "t");
	ck_assert_ptr_nonnull(strstr(err.message, "fnft_kernel_counters()"));
	ck_assert_int_eq(fnft_ruleset_counters(NULL, &v, &n, NULL), -EINVAL);
	ck_assert_int_eq(fnft_ruleset_counters(rs, NULL, &n, NULL), -EINVAL);
	ck_assert_int_eq(fnft_kernel_counters(NULL, &v, &n, NULL), -EINVAL);
	fnft_ruleset_free(rs);
}
END_TEST

START_TEST(counters_by_row_group_family_direction)
{
	struct fnft_ruleset *rs = live_table();
	struct fnft_counter *v = NULL;
	size_t n = 0;

	rs->counters_read = true;
	ck_assert(fnft_ruleset_has_counters(rs));
	ck_assert_int_eq(fnft_ruleset_counters(rs, &v, &n, NULL), 0);
	ck_assert_uint_eq(n, 5);
	/* in the table's order, first seen */
	ck_assert_str_eq(v[0].row, "https");
	ck_assert_str_eq(v[0].group, "browser");
	ck_assert_int_eq(v[0].family, FNFT_FAMILY_IPV4);
	ck_assert_int_eq(v[0].direction, FNFT_DIR_INBOUND);
	ck_assert_uint_eq(v[0].packets, 7);
	ck_assert_uint_eq(v[0].bytes, 420);
	ck_assert_str_eq(v[1].group, "browser");
	ck_assert_int_eq(v[1].family, FNFT_FAMILY_IPV6);
	ck_assert_uint_eq(v[1].packets, 5);
	ck_assert_str_eq(v[2].row, "ntp");
	ck_assert_str_eq(v[2].group, "any");
	ck_assert_int_eq(v[2].family, FNFT_FAMILY_ANY);
	ck_assert_uint_eq(v[2].packets, 2);
	ck_assert_str_eq(v[3].row, "https");
	ck_assert_int_eq(v[3].direction, FNFT_DIR_OUTBOUND);
	ck_assert_uint_eq(v[3].packets, 11);
	ck_assert_str_eq(v[4].group, "other");
	/* the strings are the array's own: the table may go first */
	fnft_ruleset_free(rs);
	ck_assert_str_eq(v[4].row, "odd");
	free(v);
}
END_TEST

START_TEST(no_counted_rule_is_an_empty_array)
{
	struct fnft_ruleset *rs = fnft_ruleset_new("t", NULL);
	struct fnft_counter *v = (void *)1;
	size_t n = 1;

	rs->counters_read = true;
	ck_assert_int_eq(fnft_ruleset_counters(rs, &v, &n, NULL), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	fnft_ruleset_free(rs);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("counters");

	tcase_add_test(tc, unread_counters_are_refused);
	tcase_add_test(tc, counters_by_row_group_family_direction);
	tcase_add_test(tc, no_counted_rule_is_an_empty_array);
	return tl_run("counters", tc, false);
}
