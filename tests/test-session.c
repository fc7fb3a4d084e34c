/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel session options a daemon controls, in a network namespace of its
 * own: the lock directory (or none), and a state file that cannot be
 * written, reported as a warning while the apply stands.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

static const char *golden_dir;
static char dir[] = "/tmp/fnft-session-XXXXXX";

/* How many entries of @path start with "lock.". */
static int locks_in(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "lock.", 5);
	closedir(d);
	return n;
}

START_TEST(lock_dir_is_the_callers)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary");
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	char locks[300], none[300];

	snprintf(locks, sizeof(locks), "%s/locks", dir);
	snprintf(none, sizeof(none), "%s/none", dir);
	ck_assert_int_eq(mkdir(none, 0700), 0);
	ck_assert_int_eq(fnft_kernel_open(NULL, &k, &err), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, NULL), 0);
	ck_assert_int_eq(fnft_kernel_set_lock_dir(k, locks), 0);
	ck_assert_int_eq(fnft_kernel_apply(k, plan, NULL, &err), 0);
	ck_assert_int_eq(locks_in(locks), 1);	/* made, and used */
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);

	/* no lock at all: nothing is made anywhere, the apply still works */
	ck_assert_int_eq(fnft_kernel_set_lock_dir(k, NULL), 0);
	ck_assert_int_eq(chdir(none), 0);
	ck_assert_int_eq(fnft_kernel_apply(k, plan, NULL, &err), 0);
	ck_assert_int_eq(locks_in(none), 0);
	ck_assert_int_eq(locks_in(locks), 1);
	ck_assert_int_eq(fnft_kernel_set_lock_dir(NULL, "x"), -EINVAL);
	fnft_kernel_free(k);
	fnft_ruleset_free(plan);
}
END_TEST

START_TEST(unwritable_state_is_a_warning)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary");
	struct fnft_apply_stats st;
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	char state[300];
	const char *why;

	ck_assert_int_eq(fnft_kernel_open(NULL, &k, &err), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	/* a directory that cannot be made: under a regular file */
	snprintf(state, sizeof(state), "%s/file", dir);
	fclose(fopen(state, "w"));
	snprintf(state, sizeof(state), "%s/file/state", dir);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, state), 0);
	ck_assert_ptr_null(fnft_kernel_state_write_error(k));
	ck_assert_int_eq(fnft_kernel_apply(k, plan, &st, &err), 0);
	ck_assert(!st.in_sync);
	why = fnft_kernel_state_write_error(k);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, "cannot write the state file in") && strstr(why, "Not a directory"),
		      "%s", why);
	/* a good directory: the next apply clears the warning */
	snprintf(state, sizeof(state), "%s/state", dir);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, state), 0);
	ck_assert_int_eq(fnft_kernel_apply(k, plan, &st, &err), 0);
	ck_assert(st.in_sync);
	ck_assert_ptr_null(fnft_kernel_state_write_error(k));
	fnft_kernel_free(k);
	fnft_ruleset_free(plan);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("session");
	int failed, rc;
	char cmd[64];

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	if ((rc = tl_enter_netns()))
		return rc;
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	tcase_add_test(tc, lock_dir_is_the_callers);
	tcase_add_test(tc, unwritable_state_is_a_warning);
	failed = tl_run("session", tc, true);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return failed;
}
