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

/* The metrics of a live table without a site: its gauges and counters,
 * label values escaped, nothing said about a plan there is not. */
START_TEST(prometheus_metrics)
{
	struct fnft_ruleset *rs = live_table();
	char *text = NULL;

	add(&rs->chains[0], "q\"b\\s\nn", "browser_v6", FNFT_V6, true, 1);
	rs->counters_read = true;
	ck_assert_int_eq(fnft_status_render_live(NULL, NULL, NULL, rs, NULL, NULL,
						 FNFT_STATUS_PROMETHEUS, &text), 0);
	ck_assert_str_eq(text,
		"# HELP finesse_nft_table_present Whether the table exists (1) or not (0).\n"
		"# TYPE finesse_nft_table_present gauge\n"
		"finesse_nft_table_present{table=\"t\"} 1\n"
		"# HELP finesse_nft_site_loaded Whether the site file and catalog could be loaded (1) or not (0).\n"
		"# TYPE finesse_nft_site_loaded gauge\n"
		"finesse_nft_site_loaded{table=\"t\"} 0\n"
		"# HELP finesse_nft_row_packets_total Connection-opening packets the rules of a row counted.\n"
		"# TYPE finesse_nft_row_packets_total counter\n"
		"finesse_nft_row_packets_total{table=\"t\",row=\"https\",group=\"browser\",family=\"ipv4\",direction=\"inbound\"} 7\n"
		"finesse_nft_row_packets_total{table=\"t\",row=\"https\",group=\"browser\",family=\"ipv6\",direction=\"inbound\"} 5\n"
		"finesse_nft_row_packets_total{table=\"t\",row=\"ntp\",group=\"any\",family=\"any\",direction=\"inbound\"} 2\n"
		"finesse_nft_row_packets_total{table=\"t\",row=\"q\\\"b\\\\s\\nn\",group=\"browser\",family=\"ipv6\",direction=\"inbound\"} 1\n"
		"finesse_nft_row_packets_total{table=\"t\",row=\"https\",group=\"browser\",family=\"ipv4\",direction=\"outbound\"} 11\n"
		"finesse_nft_row_packets_total{table=\"t\",row=\"odd\",group=\"other\",family=\"ipv4\",direction=\"outbound\"} 1\n"
		"# HELP finesse_nft_row_bytes_total Bytes of the connection-opening packets the rules of a row counted.\n"
		"# TYPE finesse_nft_row_bytes_total counter\n"
		"finesse_nft_row_bytes_total{table=\"t\",row=\"https\",group=\"browser\",family=\"ipv4\",direction=\"inbound\"} 420\n"
		"finesse_nft_row_bytes_total{table=\"t\",row=\"https\",group=\"browser\",family=\"ipv6\",direction=\"inbound\"} 300\n"
		"finesse_nft_row_bytes_total{table=\"t\",row=\"ntp\",group=\"any\",family=\"any\",direction=\"inbound\"} 120\n"
		"finesse_nft_row_bytes_total{table=\"t\",row=\"q\\\"b\\\\s\\nn\",group=\"browser\",family=\"ipv6\",direction=\"inbound\"} 60\n"
		"finesse_nft_row_bytes_total{table=\"t\",row=\"https\",group=\"browser\",family=\"ipv4\",direction=\"outbound\"} 660\n"
		"finesse_nft_row_bytes_total{table=\"t\",row=\"odd\",group=\"other\",family=\"ipv4\",direction=\"outbound\"} 60\n");
	free(text);
	/* one format at a time; unread counters are not zeros */
	ck_assert_int_eq(fnft_status_render_live(NULL, NULL, NULL, rs, NULL, NULL,
						 FNFT_STATUS_PROMETHEUS | FNFT_STATUS_JSON,
						 &text), -EINVAL);
	rs->counters_read = false;
	ck_assert_int_eq(fnft_status_render_live(NULL, NULL, NULL, rs, NULL, NULL,
						 FNFT_STATUS_PROMETHEUS, &text), -ENODATA);
	fnft_ruleset_free(rs);
	/* no table: present 0, and no counter sample */
	ck_assert_int_eq(fnft_status_render_live(NULL, NULL, NULL, NULL, "x", NULL,
						 FNFT_STATUS_PROMETHEUS, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "finesse_nft_table_present{table=\"x\"} 0\n"));
	ck_assert_ptr_null(strstr(text, "finesse_nft_row_packets_total{"));
	ck_assert_ptr_null(strstr(text, "in_sync"));
	free(text);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("counters");

	tcase_add_test(tc, unread_counters_are_refused);
	tcase_add_test(tc, counters_by_row_group_family_direction);
	tcase_add_test(tc, no_counted_rule_is_an_empty_array);
	tcase_add_test(tc, prometheus_metrics);
	return tl_run("counters", tc, false);
}
