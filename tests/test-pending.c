/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Confirm-or-rollback in the library (pending.h), against the kernel in a
 * network namespace of its own, with the pending files, the table lock and
 * the state file in a private directory and the watchdog of the build
 * tree: a confirmed apply stays, a rollback or an expired deadline brings
 * the old table back, also when the caller is killed right after the
 * apply or frees the handle without a word.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

static const char *golden_dir, *watchdog;
static char run_dir[] = "/tmp/fnft-pend-XXXXXX";
static struct fnft_ruleset *plan_a, *plan_b;

static struct fnft_kernel *kernel(void)
{
	struct fnft_kernel *k = NULL;

	/* ck_assert works within a test only */
	if (!plan_a)
		plan_a = tl_plan_golden(golden_dir, "primary");
	if (!plan_b)
		plan_b = tl_plan_golden(golden_dir, "secondary");
	ck_assert_int_eq(fnft_kernel_open(NULL, &k, NULL), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, run_dir), 0);
	ck_assert_int_eq(fnft_kernel_set_lock_dir(k, run_dir), 0);
	return k;
}

static struct fnft_pending_opts opts(unsigned flags)
{
	return (struct fnft_pending_opts){
		.run_dir = run_dir, .watchdog = watchdog, .flags = flags,
	};
}

static int64_t boot_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Which golden table is live: 'A' (primary), 'B' (secondary), '-' none,
 * '?' something else. */
static char live(void)
{
	char *t = tl_list_table(), c;

	c = !*t ? '-' : strstr(t, "finesse-nft primary") ? 'A' :
	    strstr(t, "finesse-nft secondary") ? 'B' : '?';
	free(t);
	return c;
}

/* Wait up to @ms for table @want; returns what is live then. */
static char wait_for(char want, int ms)
{
	int64_t end = boot_ms() + ms;
	char c;

	while ((c = live()) != want && boot_ms() < end)
		usleep(50 * 1000);
	return c;
}

/* A live, nothing pending (a leftover record is rolled back). */
static struct fnft_kernel *start_with_a(void)
{
	struct fnft_kernel *k = kernel();
	struct fnft_pending *p = NULL;
	enum fnft_pending_outcome out;
	struct fnft_pending_opts o = opts(0);
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_pending_open(k, &o, &p, &err), 0);
	ck_assert_int_eq(fnft_pending_rollback(p, &out, NULL, &err), 0);
	fnft_pending_free(p);
	ck_assert_msg(fnft_kernel_apply(k, plan_a, NULL, &err) == 0, "%s", err.message);
	ck_assert_int_eq(live(), 'A');
	return k;
}

/* The state a fresh handle finds. */
static enum fnft_pending_state state_now(struct fnft_kernel *k)
{
	struct fnft_pending_opts o = opts(0);
	struct fnft_pending *p = NULL;
	enum fnft_pending_state s;

	ck_assert_int_eq(fnft_pending_open(k, &o, &p, NULL), 0);
	s = fnft_pending_state(p);
	fnft_pending_free(p);
	return s;
}

START_TEST(confirm_keeps_the_new_table)
{
	struct fnft_kernel *k = start_with_a();
	struct fnft_pending_opts o = opts(0);
	struct fnft_apply_stats st;
	struct fnft_pending *p = NULL, *again = NULL;
	enum fnft_pending_outcome out;
	struct fnft_error err = { 0 };
	int64_t before = boot_ms();

	ck_assert_msg(fnft_kernel_apply_pending(k, plan_b, 1000, &o, &p, &st, &err) == 0,
		      "%s", err.message);
	ck_assert_ptr_nonnull(p);
	ck_assert(!st.in_sync);
	ck_assert_int_eq(fnft_pending_state(p), FNFT_PENDING_ARMED);
	ck_assert_int_ge(fnft_pending_deadline(p), before + 1000);
	ck_assert_int_le(fnft_pending_deadline(p), boot_ms() + 1000);
	ck_assert(fnft_pending_deadline_wall(p) >= time(NULL));
	ck_assert_int_eq(live(), 'B');
	/* one at a time */
	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_a, 1000, &o, &again, NULL, &err), -EEXIST);
	ck_assert_ptr_null(again);
	ck_assert_int_eq(live(), 'B');
	ck_assert_int_eq(state_now(k), FNFT_PENDING_ARMED);

	ck_assert_int_eq(fnft_pending_confirm(p, &out, &err), 0);
	ck_assert_int_eq(out, FNFT_PENDING_CONFIRMED);
	ck_assert_int_eq(state_now(k), FNFT_PENDING_NONE);
	usleep(1500 * 1000);	/* past the deadline: the watchdog left */
	ck_assert_int_eq(live(), 'B');
	/* and a second confirm finds nothing, no note */
	ck_assert_int_eq(fnft_pending_confirm(p, &out, &err), 0);
	ck_assert_int_eq(out, FNFT_PENDING_NOTHING);
	ck_assert_ptr_null(fnft_pending_note(p));
	fnft_pending_free(p);
	fnft_kernel_free(k);
}
END_TEST

START_TEST(rollback_restores_the_old_table)
{
	struct fnft_kernel *k = start_with_a();
	struct fnft_pending_opts o = opts(0);
	struct fnft_pending *p = NULL, *fresh = NULL;
	enum fnft_pending_outcome out;
	struct fnft_error err = { 0 };
	char *over = (char *)"unset";

	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 30000, &o, &p, NULL, &err), 0);
	ck_assert_int_eq(live(), 'B');
	/* from another handle, as a fresh process would */
	ck_assert_int_eq(fnft_pending_open(k, &o, &fresh, &err), 0);
	ck_assert_int_eq(fnft_pending_state(fresh), FNFT_PENDING_ARMED);
	ck_assert_int_gt(fnft_pending_deadline(fresh), boot_ms() + 25000);
	ck_assert_int_eq(fnft_pending_rollback(fresh, &out, &over, &err), 0);
	ck_assert_int_eq(out, FNFT_PENDING_ROLLED_BACK);
	ck_assert_ptr_null(over);
	ck_assert_int_eq(live(), 'A');
	ck_assert_int_eq(fnft_pending_rollback(p, &out, NULL, &err), 0);
	ck_assert_int_eq(out, FNFT_PENDING_NOTHING);
	fnft_pending_free(fresh);
	fnft_pending_free(p);

	/* no table before: the rollback removes it */
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 30000, &o, &p, NULL, &err), 0);
	ck_assert_int_eq(live(), 'B');
	ck_assert_int_eq(fnft_pending_rollback(p, &out, NULL, &err), 0);
	ck_assert_int_eq(out, FNFT_PENDING_REMOVED);
	ck_assert_int_eq(live(), '-');
	fnft_pending_free(p);
	fnft_kernel_free(k);
}
END_TEST

START_TEST(expiry_restores_the_old_table)
{
	struct fnft_kernel *k = start_with_a();
	struct fnft_pending_opts o = opts(0);
	struct fnft_pending *p = NULL;
	enum fnft_pending_outcome out;
	struct fnft_error err = { 0 };
	int64_t returned;

	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 800, &o, &p, NULL, &err), 0);
	returned = boot_ms();
	ck_assert_int_eq(live(), 'B');
	ck_assert_int_eq(wait_for('A', 10000), 'A');
	ck_assert_int_ge(boot_ms() - returned, 800);
	ck_assert_int_eq(state_now(k), FNFT_PENDING_NONE);
	/* a late confirm learns what happened */
	ck_assert_int_eq(fnft_pending_confirm(p, &out, &err), 0);
	ck_assert_int_eq(out, FNFT_PENDING_EXPIRED);
	ck_assert_ptr_nonnull(fnft_pending_note(p));
	ck_assert_msg(strstr(fnft_pending_note(p), "not confirmed in time; table inet finesse was restored"),
		      "note: %s", fnft_pending_note(p));
	ck_assert_int_eq(live(), 'A');
	fnft_pending_free(p);
	fnft_kernel_free(k);
}
END_TEST

START_TEST(free_without_confirm_still_rolls_back)
{
	struct fnft_kernel *k = start_with_a();
	struct fnft_pending_opts o = opts(0), at_free = opts(FNFT_PENDING_CLOCK_AT_FREE);
	struct fnft_pending *p = NULL;
	struct fnft_error err = { 0 };
	int64_t freed;

	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 500, &o, &p, NULL, &err), 0);
	fnft_pending_free(p);
	ck_assert_int_eq(live(), 'B');
	ck_assert_int_eq(state_now(k), FNFT_PENDING_ARMED);
	ck_assert_int_eq(wait_for('A', 10000), 'A');

	/* the clock from the free: nothing rolls back while the handle lives */
	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 300, &at_free, &p, NULL, &err), 0);
	ck_assert_int_eq(fnft_pending_deadline(p), 0);
	usleep(800 * 1000);
	ck_assert_int_eq(live(), 'B');
	freed = boot_ms();
	fnft_pending_free(p);
	ck_assert_int_eq(wait_for('A', 10000), 'A');
	ck_assert_int_ge(boot_ms() - freed, 300);
	fnft_kernel_free(k);
}
END_TEST

/*
 * The caller dies right after the apply returns: by _exit() (_i 0), or by
 * SIGKILL (_i 1) holding the handle whose free would start the clock.  The watchdog
 * still rolls back at the deadline.
 */
START_TEST(killed_caller_still_rolls_back)
{
	struct fnft_kernel *k = start_with_a();
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* the SIGKILL'd one keeps its pipe open until it dies */
		struct fnft_pending_opts o = opts(_i ? FNFT_PENDING_CLOCK_AT_FREE : 0);
		struct fnft_kernel *mine = NULL;
		struct fnft_pending *p = NULL;

		int rc;

		fnft_kernel_free(k);	/* the parent's; valgrind checks us too */
		rc = fnft_kernel_open(NULL, &mine, NULL) || fnft_kernel_set_state_dir(mine, run_dir) ||
		     fnft_kernel_set_lock_dir(mine, run_dir) ||
		     fnft_kernel_apply_pending(mine, plan_b, 700, &o, &p, NULL, NULL);
		if (!rc && _i)
			kill(getpid(), SIGKILL);
		fnft_pending_free(p);	/* no confirm, no rollback */
		fnft_kernel_free(mine);
		_exit(rc ? 3 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (_i)
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	else
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(live(), 'B');
	ck_assert_int_eq(state_now(k), FNFT_PENDING_ARMED);
	ck_assert_int_eq(wait_for('A', 10000), 'A');
	ck_assert_int_eq(state_now(k), FNFT_PENDING_NONE);
	fnft_kernel_free(k);
}
END_TEST

START_TEST(nothing_armed_when_nothing_applied)
{
	struct fnft_kernel *k = start_with_a();
	struct fnft_pending_opts o = opts(0), bad = opts(0x80);
	struct fnft_apply_stats st;
	struct fnft_pending *p = (struct fnft_pending *)1;
	struct fnft_error err = { 0 };
	int rc;

	/* in sync: nothing sent, no handle, nothing pending */
	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_a, 1000, &o, &p, &st, &err), 0);
	ck_assert(st.in_sync);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(state_now(k), FNFT_PENDING_NONE);
	/* bad arguments */
	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 0, &o, &p, NULL, &err), -EINVAL);
	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 1000, &bad, &p, NULL, &err), -EINVAL);
	/* no watchdog: nothing applied */
	o.watchdog = "/nonexistent/finesse-nft-watchdog";
	ck_assert_int_eq(fnft_kernel_apply_pending(k, plan_b, 1000, &o, &p, NULL, &err), -ECHILD);
	ck_assert_msg(strstr(err.message, "cannot start the rollback watchdog"), "%s", err.message);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(live(), 'A');
	ck_assert_int_eq(state_now(k), FNFT_PENDING_NONE);
	/* a run directory others can write is not trusted: nothing applied */
	o.watchdog = watchdog;
	ck_assert_int_eq(chmod(run_dir, 0777), 0);
	rc = fnft_kernel_apply_pending(k, plan_b, 1000, &o, &p, NULL, &err);
	ck_assert_int_eq(chmod(run_dir, 0700), 0);
	ck_assert_int_eq(rc, -EPERM);
	/* the record's directory is named, not to be trusted */
	ck_assert_msg(!strncmp(err.object, run_dir, strlen(run_dir)) &&
		      !strncmp(err.object + strlen(run_dir), "/pending.", 9), "%s", err.object);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(live(), 'A');
	fnft_kernel_free(k);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("pending");
	char cmd[64];
	int failed, rc;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	watchdog = argc > 2 ? argv[2] : "build/lib/finesse-nft-watchdog";
	if ((rc = tl_enter_netns()))
		return rc;
	if (!mkdtemp(run_dir))
		return EXIT_FAILURE;
	tcase_add_test(tc, confirm_keeps_the_new_table);
	tcase_add_test(tc, rollback_restores_the_old_table);
	tcase_add_test(tc, expiry_restores_the_old_table);
	tcase_add_test(tc, free_without_confirm_still_rolls_back);
	tcase_add_loop_test(tc, killed_caller_still_rolls_back, 0, 2);
	tcase_add_test(tc, nothing_armed_when_nothing_applied);
	tcase_set_timeout(tc, 120);
	failed = tl_run("pending", tc, true);
	fnft_ruleset_free(plan_a);
	fnft_ruleset_free(plan_b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", run_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", run_dir);
	return failed;
}
