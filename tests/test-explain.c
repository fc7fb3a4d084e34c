/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * explain, as data: the row and now the group whose addresses decided,
 * on the golden plans; "" when the policy decided; an explanation that
 * does not fit the table is refused.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

static const char *golden_dir;

/* The row and group deciding @addr:@port, "row/group", or "policy". */
static const char *decided(const struct fnft_ruleset *rs, bool outbound,
			   const char *addr, enum fnft_protocol proto,
			   unsigned port)
{
	static char out[256];
	struct fnft_explanation ex;
	char group[FNFT_ERROR_OBJECT_MAX];

	ck_assert_int_eq(fnft_explain(rs, outbound, addr, proto, port, &ex), 0);
	ck_assert_int_eq(fnft_explanation_group(rs, &ex, group, sizeof(group)), 0);
	if (ex.by_policy) {
		ck_assert_str_eq(group, "");
		return "policy";
	}
	snprintf(out, sizeof(out), "%s/%s", ex.row, group);
	return out;
}

START_TEST(the_group_that_decided)
{
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "primary");

	ck_assert_str_eq(decided(rs, false, "10.20.1.2", FNFT_PROTO_TCP, 443),
			 "tomcat.https/browser");
	ck_assert_str_eq(decided(rs, false, "2001:db8:20::5", FNFT_PROTO_TCP, 443),
			 "tomcat.https/browser");
	/* not the browser's: the next group of the same row */
	ck_assert_str_eq(decided(rs, false, "10.30.1.7", FNFT_PROTO_TCP, 5222),
			 "notification.xmpp/agent-desktop");
	ck_assert_str_eq(decided(rs, true, "10.0.0.12", FNFT_PROTO_TCP, 5222),
			 "cluster.xmpp/peer");
	ck_assert_str_eq(decided(rs, false, "198.51.100.1", FNFT_PROTO_TCP, 443),
			 "policy");
	fnft_ruleset_free(rs);

	rs = tl_plan_golden(golden_dir, "entries");
	ck_assert_str_eq(decided(rs, true, "198.51.100.1", FNFT_PROTO_UDP, 123),
			 "ntp/any");
	fnft_ruleset_free(rs);
}
END_TEST

START_TEST(an_explanation_of_another_table)
{
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "primary");
	struct fnft_explanation ex, bad;
	char group[FNFT_ERROR_OBJECT_MAX];

	ck_assert_int_eq(fnft_explain(rs, false, "10.20.1.2", FNFT_PROTO_TCP, 443, &ex), 0);
	ck_assert(!ex.by_policy);
	ck_assert_int_eq(fnft_explanation_group(rs, &ex, group, 3), -ENOSPC);
	bad = ex;
	bad.rule = 100000;
	ck_assert_int_eq(fnft_explanation_group(rs, &bad, group, sizeof(group)), -EINVAL);
	bad = ex;
	strcpy(bad.row, "ssh");
	ck_assert_int_eq(fnft_explanation_group(rs, &bad, group, sizeof(group)), -EINVAL);
	bad = ex;
	strcpy(bad.chain, "forward");
	ck_assert_int_eq(fnft_explanation_group(rs, &bad, group, sizeof(group)), -EINVAL);
	ck_assert_int_eq(fnft_explanation_group(NULL, &ex, group, sizeof(group)), -EINVAL);
	fnft_ruleset_free(rs);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("explain");

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	tcase_add_test(tc, the_group_that_decided);
	tcase_add_test(tc, an_explanation_of_another_table);
	return tl_run("explain", tc, false);
}
