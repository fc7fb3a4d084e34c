/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots against the kernel, in a network namespace of its own: a
 * restore puts back exactly what was there (drift and counters included),
 * or no table at all, and says what it overwrote.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

#include "internal.h"

static const char *golden_dir;
static char state_dir[] = "/tmp/fnft-snap-XXXXXX";

static struct fnft_kernel *kernel(void)
{
	struct fnft_kernel *k = NULL;

	ck_assert_int_eq(fnft_kernel_open(NULL, &k, NULL), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, state_dir), 0);
	return k;
}

START_TEST(restore_exactly)
{
	struct fnft_ruleset *a = tl_plan_golden(golden_dir, "entries"), *b = tl_plan_golden(golden_dir, "secondary");
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL, *loaded = NULL;
	struct fnft_error err = { 0 };
	char path[256], *before, *after, *over = NULL;

	ck_assert_int_eq(fnft_kernel_apply(k, a, NULL, &err), 0);
	/* drift and traffic-like counters must come back too */
	ck_assert_int_eq(system("nft add rule inet finesse input meta mark 0x2a counter packets 7 bytes 700 accept &&"
				"nft add element inet finesse browser_v4 '{ 192.0.2.0/24 }'"), 0);
	before = tl_list_table();
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	ck_assert(!fnft_snapshot_absent(snap));
	snprintf(path, sizeof(path), "%s/snap", state_dir);
	ck_assert_int_eq(fnft_snapshot_save(snap, path, &err), 0);
	ck_assert_int_eq(fnft_snapshot_load(path, &loaded, &err), 0);

	ck_assert_int_eq(fnft_kernel_apply(k, b, NULL, &err), 0);
	ck_assert_int_eq(fnft_kernel_restore(k, loaded, &over, &err), 0);
	ck_assert_ptr_null(over);	/* b was untouched since we applied it */
	after = tl_list_table();
	ck_assert_msg(strcmp(before, after) == 0, "restored:\n%.1500s", after);
	free(before);
	free(after);
	fnft_snapshot_free(snap);
	fnft_snapshot_free(loaded);
	fnft_ruleset_free(a);
	fnft_ruleset_free(b);
	fnft_kernel_free(k);
}
END_TEST

/* Elements someone else added with long comments: the restore must still
 * fit each element list into its 16-bit nest (chunks by size, not count). */
START_TEST(restore_big_elements)
{
	struct fnft_ruleset *a = tl_plan_golden(golden_dir, "primary");
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char path[256], *before, *after;
	FILE *f;

	ck_assert_int_eq(fnft_kernel_apply(k, a, NULL, &err), 0);
	snprintf(path, sizeof(path), "%s/big.nft", state_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("add element inet finesse browser_v4 {\n", f);
	for (int i = 0; i < 1500; i++)
		fprintf(f, "  198.18.%d.%d comment \"%0120d\",\n", i / 200, i % 200, i);
	fputs("}\n", f);
	fclose(f);
	{
		char cmd[320];

		snprintf(cmd, sizeof(cmd), "nft -f %s", path);
		ck_assert_int_eq(system(cmd), 0);
	}
	before = tl_list_table();
	ck_assert_ptr_nonnull(strstr(before, "198.18.7.99 comment"));
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_msg(fnft_kernel_restore(k, snap, NULL, &err) == 0, "restore: %s",
		      err.message);
	after = tl_list_table();
	ck_assert_msg(strcmp(before, after) == 0, "restored:\n%.1500s", after);
	free(before);
	free(after);
	fnft_snapshot_free(snap);
	fnft_ruleset_free(a);
	fnft_kernel_free(k);
}
END_TEST

START_TEST(restore_absence_and_say_what_was_overwritten)
{
	struct fnft_ruleset *a = tl_plan_golden(golden_dir, "primary");
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char *after, *over = NULL;

	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	ck_assert(fnft_snapshot_absent(snap));
	ck_assert_int_eq(fnft_kernel_apply(k, a, NULL, &err), 0);
	/* someone edits the table after our apply */
	ck_assert_int_eq(system("nft add rule inet finesse input tcp dport 9999 accept"), 0);
	ck_assert_int_eq(fnft_kernel_restore(k, snap, &over, &err), 0);
	ck_assert_ptr_nonnull(over);
	ck_assert_msg(strstr(over, "+\t\ttcp dport 9999 accept\n") != NULL, "%.1500s", over);
	after = tl_list_table();
	ck_assert_str_eq(after, "");
	/* restoring "no table" again is fine */
	free(over);
	ck_assert_int_eq(fnft_kernel_restore(k, snap, NULL, &err), 0);
	free(after);
	fnft_snapshot_free(snap);
	fnft_ruleset_free(a);
	fnft_kernel_free(k);
}
END_TEST

START_TEST(bad_snapshot_files)
{
	struct fnft_snapshot *s = NULL;
	struct fnft_error err = { 0 };
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad", state_dir);
	f = fopen(path, "w");
	fputs("finesse-nft snapshot 1\nfinesse 0 2 40\n0123456789012345678901234567890123456789", f);
	fclose(f);
	ck_assert_int_eq(fnft_snapshot_load(path, &s, &err), -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err.message, "not a finesse-nft snapshot, or damaged");
	ck_assert_int_eq(fnft_snapshot_load("/nonexistent/snap", &s, &err), -ENOENT);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("snapshot");
	int failed;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	{
		int rc = tl_enter_netns();

		if (rc)
			return rc;
	}
	if (!mkdtemp(state_dir))
		return EXIT_FAILURE;
	tcase_add_test(tc, restore_exactly);
	tcase_add_test(tc, restore_absence_and_say_what_was_overwritten);
	tcase_add_test(tc, restore_big_elements);
	tcase_add_test(tc, bad_snapshot_files);
	tcase_set_timeout(tc, 60);
	failed = tl_run("snapshot", tc, true);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", state_dir);
	}
	return failed;
}
