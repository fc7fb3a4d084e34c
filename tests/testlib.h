/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FNFT_TESTLIB_H
#define FNFT_TESTLIB_H

/* Helpers shared by the Check suites. */

#include <check.h>
#include <stdbool.h>

#include <finesse-nft/finesse-nft.h>

/* The plan of tests/golden/@name.conf (in @dir) for its own node role. */
struct fnft_ruleset *tl_plan_golden(const char *dir, const char *name);

/* `nft list table inet finesse` of this namespace, "" when missing. */
char *tl_list_table(void);

/*
 * Move this process into a network namespace of its own.  Returns 0, or
 * the exit code main() should return: a failure under CI=true, else 77
 * (meson's "skipped").
 */
int tl_enter_netns(void);

/*
 * Run the one-case suite @tc as @name; @nofork for the namespace suites
 * (the namespace is the process's).  Returns main()'s exit code.
 */
int tl_run(const char *name, TCase *tc, bool nofork);

#endif
