/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testlib.h"

struct fnft_ruleset *tl_plan_golden(const char *dir, const char *name)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	ck_assert_msg(fnft_site_load(path, cat, &site, &err) == 0, "%s: %s", path,
		      err.message);
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &rs, NULL), 0);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return rs;
}

char *tl_list_table(void)
{
	FILE *p = popen("nft list table inet finesse 2>/dev/null", "r");
	struct fnft_buf b = { 0 };
	char chunk[4096];
	size_t n;
	char *s = NULL;

	ck_assert_ptr_nonnull(p);
	while ((n = fread(chunk, 1, sizeof(chunk) - 1, p)) > 0) {
		chunk[n] = '\0';
		fnft_buf_puts(&b, chunk);
	}
	pclose(p);
	ck_assert_int_eq(fnft_buf_steal(&b, &s), 0);
	return s;
}

int tl_enter_netns(void)
{
	const char *ci = getenv("CI");

	if (unshare(CLONE_NEWNET) == 0)
		return 0;
	fprintf(stderr, "cannot create a network namespace: %s\n", strerror(errno));
	return ci && strcmp(ci, "true") == 0 ? EXIT_FAILURE : 77;
}

int tl_run(const char *name, TCase *tc, bool nofork)
{
	Suite *s = suite_create(name);
	SRunner *sr;
	int failed;

	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	if (nofork)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
