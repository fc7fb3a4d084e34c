/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One name scheme for JSON output, fnft_<object>_json(): each new name
 * gives what the older spelling gives (which stays, deprecated), on the
 * golden site; and FNFT_ROLE_FROM_SITE plans as FNFT_ROLE_SITE does.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

static const char *golden_dir;
static struct fnft_catalog *cat;
static struct fnft_site *site;
static struct fnft_ruleset *plan, *other;

static void setup(void)
{
	struct fnft_error err = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/primary.conf", golden_dir);
	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	ck_assert_msg(fnft_site_load(path, cat, &site, &err) == 0, "%s", err.message);
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_FROM_SITE, NULL, &plan, &err), 0);
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_SECONDARY, NULL, &other, &err), 0);
}

static void teardown(void)
{
	fnft_ruleset_free(other);
	fnft_ruleset_free(plan);
	fnft_site_free(site);
	fnft_catalog_free(cat);
}

/* @new and @old are one non-empty JSON text of @shape ('[' or '{'). */
static void same(int rc_new, char *new, int rc_old, char *old, char shape)
{
	ck_assert_int_eq(rc_new, 0);
	ck_assert_int_eq(rc_old, 0);
	ck_assert_ptr_nonnull(new);
	ck_assert_int_eq(new[0], shape);
	ck_assert_uint_gt(strlen(new), 2);
	ck_assert_str_eq(new, old);
	free(new);
	free(old);
}

START_TEST(new_names_give_the_old_output)
{
	char *a = NULL, *b = NULL;
	int ra, rb;

	ra = fnft_catalog_json(cat, &a);
	rb = fnft_catalog_to_json(cat, &b);
	same(ra, a, rb, b, '[');
	ra = fnft_site_json(site, &a);
	rb = fnft_site_check_json(site, &b);
	same(ra, a, rb, b, '{');
	ra = fnft_ruleset_json(plan, &a);
	rb = fnft_ruleset_render_json(plan, &b);
	same(ra, a, rb, b, '{');
	ra = fnft_ruleset_diff_json(other, plan, &a);
	rb = fnft_ruleset_changes_json(other, plan, &b);
	same(ra, a, rb, b, '{');
	ck_assert_int_eq(fnft_status_json(cat, site, plan, NULL, NULL, "why", &a), 0);
	ck_assert_int_eq(fnft_status_render_live(cat, site, plan, NULL, NULL, "why",
						 FNFT_STATUS_JSON, &b), 0);
	ck_assert_ptr_nonnull(strstr(a, "\"site_error\": \"why\""));
	same(0, a, 0, b, '{');
	/* the old calls' refusals are the new ones' */
	ck_assert_int_eq(fnft_status_json(cat, NULL, plan, NULL, NULL, NULL, &a), -EINVAL);
	/* a live table without its counters (here a plan) is not shown as 0 */
	ck_assert(!fnft_ruleset_has_counters(other));
	ck_assert_int_eq(fnft_status_json(cat, site, plan, other, NULL, NULL, &a), -ENODATA);
	ck_assert_int_eq(fnft_status_render_live(cat, site, plan, other, NULL, NULL,
						 0, &a), -ENODATA);
}
END_TEST

START_TEST(role_from_site_is_node)
{
	struct fnft_ruleset *rs = NULL;

	ck_assert_int_eq(FNFT_ROLE_FROM_SITE, FNFT_ROLE_SITE);
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_PRIMARY, NULL, &rs, NULL), 0);
	/* primary.conf says node = primary */
	ck_assert(fnft_ruleset_equal(rs, plan));
	ck_assert(!fnft_ruleset_equal(rs, other));
	fnft_ruleset_free(rs);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("json");

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_names_give_the_old_output);
	tcase_add_test(tc, role_from_site_is_node);
	return tl_run("json", tc, false);
}
