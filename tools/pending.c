/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply --confirm: the previous table comes back unless `confirm` runs in
 * time.  Per network namespace and table (fnft_kernel_id()), under
 * /run/finesse-nft/:
 *
 *   pending.ID/snapshot   the table as it was before the apply
 *   pending.ID/info       "PID DEADLINE" of the detached watchdog
 *   pending.ID.lock       flock taken by apply, confirm, rollback and the
 *                         watchdog, so exactly one of them acts
 *   rolled-back.ID        what the watchdog did, read by the next confirm
 *
 * A second apply --confirm while one is pending is refused: chaining would
 * make "rollback" ambiguous (to which table?), and the operator who is
 * still connected can simply confirm first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "pending.h"
#include "say.h"

#define RUN_DIR "/run/finesse-nft"

struct pending {
	char dir[256], lock[256], snap[300], info[300], done[256];
	int lock_fd;
};

static void paths(struct pending *p, const char *id)
{
	snprintf(p->dir, sizeof(p->dir), RUN_DIR "/pending.%s", id);
	snprintf(p->lock, sizeof(p->lock), RUN_DIR "/pending.%s.lock", id);
	snprintf(p->snap, sizeof(p->snap), "%s/snapshot", p->dir);
	snprintf(p->info, sizeof(p->info), "%s/info", p->dir);
	snprintf(p->done, sizeof(p->done), RUN_DIR "/rolled-back.%s", id);
	p->lock_fd = -1;
}

static int lock(struct pending *p)
{
	if (mkdir(RUN_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	p->lock_fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (p->lock_fd < 0)
		return -errno;
	while (flock(p->lock_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void unlock(struct pending *p)
{
	if (p->lock_fd >= 0)
		close(p->lock_fd);
	p->lock_fd = -1;
}

/* The watchdog's pid and deadline, or -ENOENT when nothing is pending. */
static int read_info(const struct pending *p, pid_t *pid, time_t *deadline)
{
	FILE *f = fopen(p->info, "re");
	long long d = 0;
	int n, got;

	if (!f)
		return -ENOENT;
	got = fscanf(f, "%d %lld", &n, &d);
	fclose(f);
	if (got != 2)
		return -ENOENT;
	*pid = n;
	*deadline = (time_t)d;
	return 0;
}

static void clear(const struct pending *p)
{
	unlink(p->info);
	unlink(p->snap);
	rmdir(p->dir);
}

/* ---- the watchdog ---- */

static void record(const struct pending *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void record(const struct pending *p, const char *fmt, ...)
{
	FILE *f = fopen(p->done, "we");
	va_list ap;

	va_start(ap, fmt);
	if (f) {
		vfprintf(f, fmt, ap);
		fclose(f);
	}
	va_end(ap);
}

/*
 * Deadline reached: put the snapshot back, unless confirm got there first.
 * @k is the apply's own handle (same state directory, same namespace).
 */
static void roll_back(struct pending *p, struct fnft_kernel *k, const char *table)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char line[1024], *over = NULL, when[32];
	time_t now = time(NULL);
	int rc;

	if (lock(p) < 0 || access(p->info, F_OK) < 0) {
		unlock(p);
		return;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	rc = fnft_snapshot_load(p->snap, &snap, &err);
	if (!rc)
		rc = fnft_kernel_restore(k, snap, &over, &err);
	if (rc) {
		fnft_error_format(&err, line, sizeof(line));
		syslog(LOG_ERR, "finesse-nft: unconfirmed apply NOT rolled back: %s", line);
		record(p, "%s: the unconfirmed apply could NOT be rolled back: %s\n", when, line);
	} else {
		syslog(LOG_WARNING, "finesse-nft: unconfirmed apply rolled back (table inet %s %s)%s",
		       table, fnft_snapshot_absent(snap) ? "removed" : "restored",
		       over ? "; it had been changed since, see " RUN_DIR : "");
		record(p, "%s: the apply was not confirmed in time; table inet %s was %s%s%s",
		       when, table, fnft_snapshot_absent(snap) ? "removed again (there was none before)"
							   : "restored to what it was",
		       over ? ". It had been changed since the apply; the restore overwrote:\n" : ".\n",
		       over ? over : "");
	}
	clear(p);
	unlock(p);
	free(over);
	fnft_snapshot_free(snap);
}

static void watchdog(struct pending *p, struct fnft_kernel *k, const char *table,
		     time_t deadline)
{
	struct timespec nap = { 0, 100 * 1000 * 1000 };

	openlog("finesse-nft", LOG_PID, LOG_DAEMON);
	/* confirm and rollback remove the info file; then there is no work */
	while (time(NULL) < deadline) {
		if (access(p->info, F_OK) < 0)
			_exit(0);
		nanosleep(&nap, NULL);
	}
	roll_back(p, k, table);
	_exit(0);
}

/*
 * Detach a watchdog: double fork, new session, no terminal.  It reports
 * its pid through a pipe once the info file is written, so that a confirm
 * run right after apply finds it.
 */
static int start_watchdog(struct pending *p, struct fnft_kernel *k,
			  const char *table, unsigned secs)
{
	time_t deadline = time(NULL) + secs;
	int fd[2], status;
	pid_t pid;
	char ok;

	if (pipe(fd) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		FILE *f;

		close(fd[0]);
		setsid();
		if (fork() != 0)
			_exit(0);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		if (chdir("/") < 0)
			_exit(1);
		f = fopen(p->info, "we");
		if (!f || fprintf(f, "%d %lld\n", getpid(), (long long)deadline) < 0 ||
		    fclose(f) != 0)
			_exit(1);
		if (write(fd[1], "1", 1) != 1)
			_exit(1);
		close(fd[1]);
		if (p->lock_fd >= 0)
			close(p->lock_fd);	/* the parent's lock is not ours */
		watchdog(p, k, table, deadline);
	}
	close(fd[1]);
	waitpid(pid, &status, 0);
	if (read(fd[0], &ok, 1) != 1) {
		close(fd[0]);
		return -ECHILD;
	}
	close(fd[0]);
	return 0;
}

/* ---- the commands ---- */

static int kernel_exit(int rc, const struct fnft_error *err)
{
	char line[1024];

	fnft_error_format(err, line, sizeof(line));
	say(0, "%s", line[0] ? line : strerror(-rc));
	return rc == -EAGAIN ? 4 : rc == -EINVAL ? 2 : 3;
}

static void deadline_text(time_t deadline, char *buf, size_t len)
{
	strftime(buf, len, "%H:%M:%S", localtime(&deadline));
}

int pending_apply(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		  const char *table, unsigned secs, struct fnft_apply_stats *st)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	struct pending p;
	time_t deadline;
	pid_t pid;
	char when[16];
	int rc;

	paths(&p, fnft_kernel_id(k));
	if ((rc = lock(&p)))
		return say(3, "cannot lock %s: %s", p.lock, strerror(-rc));
	if (read_info(&p, &pid, &deadline) == 0) {
		if (kill(pid, 0) == 0) {
			deadline_text(deadline, when, sizeof(when));
			unlock(&p);
			return say(2, "an apply --confirm is already pending for table inet %s "
				   "(rollback at %s); run 'finesse-nft confirm' or 'finesse-nft rollback' first",
				   table, when);
		}
		/* its watchdog is gone (a reboot of the daemon, a kill): stale */
		clear(&p);
	}
	unlink(p.done);
	if (mkdir(p.dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		unlock(&p);
		return say(3, "cannot create %s: %s", p.dir, strerror(-rc));
	}
	rc = fnft_kernel_snapshot(k, &snap, &err);
	if (!rc)
		rc = fnft_snapshot_save(snap, p.snap, &err);
	fnft_snapshot_free(snap);
	if (!rc)
		rc = fnft_kernel_apply(k, plan, st, &err);
	if (rc) {
		clear(&p);
		unlock(&p);
		return kernel_exit(rc, &err);
	}
	rc = start_watchdog(&p, k, table, secs);
	if (rc) {
		/* no watchdog, no promise: put the old table back at once */
		struct fnft_snapshot *back = NULL;

		if (fnft_snapshot_load(p.snap, &back, &err) == 0)
			fnft_kernel_restore(k, back, NULL, &err);
		fnft_snapshot_free(back);
		clear(&p);
		unlock(&p);
		return say(3, "cannot start the rollback watchdog (%s); the previous table is back",
			   strerror(-rc));
	}
	unlock(&p);
	return 0;
}

int pending_confirm(struct fnft_kernel *k, const char *table)
{
	struct pending p;
	time_t deadline;
	pid_t pid;
	char text[4096];
	size_t n;
	FILE *f;
	int rc;

	paths(&p, fnft_kernel_id(k));
	if ((rc = lock(&p)))
		return say(3, "cannot lock %s: %s", p.lock, strerror(-rc));
	if (read_info(&p, &pid, &deadline) < 0) {
		f = fopen(p.done, "re");
		unlock(&p);
		if (!f)
			return say(2, "nothing to confirm for table inet %s", table);
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		return say(2, "nothing to confirm: %s", text);
	}
	clear(&p);
	kill(pid, SIGTERM);
	unlock(&p);
	say(0, "confirmed: table inet %s stays", table);
	return 0;
}

int pending_rollback(struct fnft_kernel *k, const char *table)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	struct pending p;
	time_t deadline;
	char *over = NULL;
	pid_t pid;
	int rc;

	paths(&p, fnft_kernel_id(k));
	if ((rc = lock(&p)))
		return say(3, "cannot lock %s: %s", p.lock, strerror(-rc));
	if (read_info(&p, &pid, &deadline) < 0) {
		unlock(&p);
		return say(2, "nothing to roll back for table inet %s", table);
	}
	rc = fnft_snapshot_load(p.snap, &snap, &err);
	if (!rc)
		rc = fnft_kernel_restore(k, snap, &over, &err);
	if (rc) {
		unlock(&p);
		fnft_snapshot_free(snap);
		return kernel_exit(rc, &err);
	}
	clear(&p);
	kill(pid, SIGTERM);
	unlock(&p);
	say(0, "rolled back: table inet %s %s", table,
	    fnft_snapshot_absent(snap) ? "removed (there was none before)" : "restored");
	if (over)
		say(0, "it had been changed since the apply; the rollback overwrote:\n%s", over);
	free(over);
	fnft_snapshot_free(snap);
	return 0;
}
