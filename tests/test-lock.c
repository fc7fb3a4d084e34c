/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/lock.c: the lock files of the table and of a pending
 * confirm.  flock() locks belong to an open file, so one process can play
 * holder and waiter. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "testlib.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fnft-lock.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* a directory of its own that does not exist yet: take() makes it */
	snprintf(path, sizeof(path), "%s/run/lock.test", dir);
}

static void teardown(void)
{
	char sub[96];

	unlink(path);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
	rmdir(dir);
}

static char *contents(void)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

START_TEST(take_writes_the_pid_release_empties)
{
	char want[32];
	struct stat st;
	int fd = fnft_lock_take(path, 0, NULL, NULL, NULL);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	ck_assert_str_eq(contents(), want);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	fnft_lock_release(fd);
	ck_assert_str_eq(contents(), "");
	fnft_lock_release(-1);	/* no lock: nothing to do */
}
END_TEST

START_TEST(held_is_ebusy_naming_the_holder)
{
	int fd = fnft_lock_take(path, -1, NULL, NULL, NULL);
	long holder = -1;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fnft_lock_take(path, 0, NULL, NULL, &holder), -EBUSY);
	ck_assert_int_eq(holder, getpid());
	fnft_lock_release(fd);
	/* released: free to take again */
	fd = fnft_lock_take(path, 0, NULL, NULL, &holder);
	ck_assert_int_ge(fd, 0);
	fnft_lock_release(fd);
}
END_TEST

struct told {
	int calls;
	long holder;
};

static void waiting(void *ctx, long holder)
{
	struct told *t = ctx;

	t->calls++;
	t->holder = holder;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(waiting_is_told_once_after_a_second)
{
	struct told t = { 0 };
	int fd = fnft_lock_take(path, -1, NULL, NULL, NULL);
	double start;

	ck_assert_int_ge(fd, 0);
	start = now();
	ck_assert_int_eq(fnft_lock_take(path, 800, waiting, &t, NULL), -EBUSY);
	ck_assert_double_ge(now() - start, 0.8);
	ck_assert_int_eq(t.calls, 0);	/* not yet a second */
	ck_assert_int_eq(fnft_lock_take(path, 1500, waiting, &t, NULL), -EBUSY);
	ck_assert_int_eq(t.calls, 1);
	ck_assert_int_eq(t.holder, getpid());
	fnft_lock_release(fd);
}
END_TEST

START_TEST(unusable_path_is_an_errno)
{
	char file[160];
	int fd;

	/* the lock's directory is a file */
	fd = fnft_lock_take(path, 0, NULL, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	fnft_lock_release(fd);
	snprintf(file, sizeof(file), "%s/x", path);
	ck_assert_int_eq(fnft_lock_take(file, 0, NULL, NULL, NULL), -ENOTDIR);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("lock");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, take_writes_the_pid_release_empties);
	tcase_add_test(tc, held_is_ebusy_naming_the_holder);
	tcase_add_test(tc, waiting_is_told_once_after_a_second);
	tcase_add_test(tc, unusable_path_is_an_errno);
	tcase_set_timeout(tc, 30);
	return tl_run("lock", tc, false);
}
