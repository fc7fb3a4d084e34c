/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply --confirm: the previous table comes back unless `confirm` runs in
 * time.  Per network namespace and table (fnft_kernel_id()), under
 * /run/finesse-nft/:
 *
 *   pending.ID.lock       flock taken by apply, confirm, rollback and the
 *                         watchdog, so exactly one of them acts at a time
 *   pending.ID/snapshot   the table as it was before the apply
 *   pending.ID/before     that table as nft text ("" for no table)
 *   pending.ID/applied    the plan as nft text
 *   pending.ID/info       the watchdog's record: "STATE GENID DEADLINE WALL"
 *   rolled-back.ID        what the watchdog did, read by the next confirm
 *
 * The order is what makes the net hold when the CLI dies at any point
 * (SIGHUP as the SSH session of a bad rule drops, SIGKILL):
 *
 *   1. snapshot, saved, with its generation G;
 *   2. the watchdog is started, detached, and holds an exclusive flock on
 *      the info file it created: that lock, not a pid, is its identity (a
 *      pid can be reused; a lock dies with its holder).  It records
 *      "arming" and waits on a pipe from the apply;
 *   3. the apply, over the snapshot's generation G: if anyone changed the
 *      ruleset since the snapshot, nothing is applied (exit 4), so the
 *      rollback restores exactly what the apply replaced;
 *   4. the apply tells the watchdog "committed at generation N" (or "not
 *      committed": it then removes itself); the pipe closes as the CLI
 *      exits, and the deadline counts on CLOCK_BOOTTIME from that close,
 *      with millisecond precision.  If the pipe closes without a word (the
 *      CLI died), the watchdog asks the kernel: generation still G, or the
 *      table still what it was, means nothing was committed; otherwise it
 *      arms the full deadline from then.
 *
 * confirm and rollback remove the info file; the watchdog sees that its
 * file is gone (or is another's) and exits.  Nobody ever sends a signal.
 * confirm reports what the kernel holds, not what the files say.
 *
 * A second apply --confirm while one is pending is refused: chaining would
 * make "rollback" ambiguous (to which table?).  So are plain apply and
 * remove (pending_check()), unless --force: the pending rollback then
 * still restores the table from before `apply --confirm`.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
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

#include "exit.h"
#include "../lib/lock.h"
#include "pending.h"
#include "say.h"

#define RUN_DIR "/run/finesse-nft"

struct pending {
	char dir[256], lock[256], done[256];
	char snap[300], info[300], before[300], applied[300];
	int lock_fd;
};

/* The watchdog's record, as read by the others. */
struct record {
	bool armed;		/* the apply committed; else still "arming" */
	bool alive;		/* its watchdog holds the lock on it */
	uint32_t genid;		/* the generation the apply left; 0 unknown */
	int64_t deadline_ms;	/* CLOCK_BOOTTIME */
	time_t wall;		/* the same deadline, for people */
};

static void paths(struct pending *p, const char *id)
{
	snprintf(p->dir, sizeof(p->dir), RUN_DIR "/pending.%s", id);
	snprintf(p->lock, sizeof(p->lock), RUN_DIR "/pending.%s.lock", id);
	snprintf(p->done, sizeof(p->done), RUN_DIR "/rolled-back.%s", id);
	snprintf(p->snap, sizeof(p->snap), "%s/snapshot", p->dir);
	snprintf(p->info, sizeof(p->info), "%s/info", p->dir);
	snprintf(p->before, sizeof(p->before), "%s/before", p->dir);
	snprintf(p->applied, sizeof(p->applied), "%s/applied", p->dir);
	p->lock_fd = -1;
}

static int64_t boot_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "locked by pid 1234 (finesse-nft -c site.conf apply)" or "" */
static void holder_text(long pid, char *buf, size_t len)
{
	char path[64], cmd[160] = "";
	size_t n = 0, i;
	FILE *f;

	buf[0] = '\0';
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if ((f = fopen(path, "re"))) {
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
	}
	for (i = 0; i + 1 < n; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	cmd[n] = '\0';
	snprintf(buf, len, " by pid %ld%s%s%s", pid, *cmd ? " (" : "", cmd, *cmd ? ")" : "");
}

void pending_lock_waiting(void *ctx, long holder)
{
	char who[256];

	holder_text(holder, who, sizeof(who));
	say(0, "waiting for the lock of table inet %s, held%s",
	    (const char *)ctx, *who ? who : " by another finesse-nft");
}

/*
 * The lock of the pending record, within @o->wait_ms (-1: as long as it
 * takes), saying after a second why nothing happens; without @o (the
 * watchdog) as long as it takes, silently.
 */
static int lock(struct pending *p, const struct pending_opts *o)
{
	int fd = fnft_lock_take(p->lock, o ? o->wait_ms : -1,
				o ? pending_lock_waiting : NULL,
				o ? (void *)o->table : NULL, NULL);

	if (fd < 0)
		return fd;
	p->lock_fd = fd;
	return 0;
}

static void unlock(struct pending *p)
{
	fnft_lock_release(p->lock_fd);
	p->lock_fd = -1;
}

#define NOT_OURS "it or its directory is not a regular file or directory of uid %u writable by it alone"

static int lock_failed(const struct pending *p, const struct pending_opts *o,
		       int rc)
{
	if (rc == -EBUSY)
		return say(EXIT_CONFLICT, "gave up waiting for the lock of table inet %s after %d ms; nothing was done",
			   o->table, o->wait_ms);
	if (rc == -EPERM)
		return say(EXIT_SYSTEM, "cannot lock %s: " NOT_OURS, p->lock,
			   (unsigned)geteuid());
	return say(EXIT_SYSTEM, "cannot lock %s: %s", p->lock, strerror(-rc));
}

static int lock_or_say(struct pending *p, const struct pending_opts *o)
{
	int rc = lock(p, o);

	return rc ? lock_failed(p, o, rc) : 0;
}

/* A file under /run/finesse-nft, opened only if it and its directory are
 * ours alone. */
static int open_ours(const char *path, int flags, mode_t mode)
{
	const char *name;
	int dfd = fnft_path_dir_ours(path, false, &name), fd;

	if (dfd < 0)
		return dfd;
	fd = fnft_openat_ours(dfd, name, flags, mode);
	close(dfd);
	return fd;
}

/* @dir made unless it is there; 0, or -EPERM when it is not ours alone. */
static int make_dir_ours(const char *dir)
{
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = fnft_dir_open_ours(dir);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The record, or -ENOENT when nothing is pending. */
static int read_record(const struct pending *p, struct record *r)
{
	char state[16];
	unsigned genid;
	long long deadline, wall;
	int fd = open_ours(p->info, O_RDONLY, 0), got;
	FILE *f;

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return -ENOENT;
	/* a shared lock we can take means no watchdog holds it */
	r->alive = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return -ENOENT;
	}
	got = fscanf(f, "%15s %u %lld %lld", state, &genid, &deadline, &wall);
	fclose(f);
	if (got != 4)
		return r->alive ? 0 : -ENOENT;	/* being written, or debris */
	r->armed = !strcmp(state, "armed");
	r->genid = genid;
	r->deadline_ms = deadline;
	r->wall = (time_t)wall;
	return 0;
}

static void clear(const struct pending *p)
{
	unlink(p->info);
	unlink(p->snap);
	unlink(p->before);
	unlink(p->applied);
	rmdir(p->dir);
}

static void deadline_text(time_t deadline, char *buf, size_t len)
{
	strftime(buf, len, "%H:%M:%S", localtime(&deadline));
}

/* ---- files of text ---- */

static int write_text(const char *path, const char *text)
{
	int fd = open_ours(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t len = strlen(text), off = 0;
	ssize_t n;

	if (fd < 0)
		return fd;
	for (; off < len; off += (size_t)n)
		if ((n = write(fd, text + off, len - off)) < 0) {
			n = -errno;
			close(fd);
			return (int)n;
		}
	return close(fd) < 0 ? -errno : 0;
}

/* The whole file, malloc'd; NULL when it cannot be read. */
static char *read_text(const char *path)
{
	int fd = open_ours(path, O_RDONLY, 0);
	FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
	char *s = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	do {
		if (len + 4096 + 1 > cap) {
			char *t = realloc(s, cap = cap * 2 + 4096 + 1);

			if (!t) {
				free(s);
				fclose(f);
				return NULL;
			}
			s = t;
		}
		n = fread(s + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	s[len] = '\0';
	return s;
}

/* The table as nft text, "" for no table; NULL when it cannot be read. */
static char *live_text(struct fnft_kernel *k)
{
	struct fnft_ruleset *live = NULL;
	char *text = NULL;

	if (fnft_kernel_read(k, FNFT_READ_VERIFY, &live, NULL) < 0)
		return NULL;
	if (!live)
		return strdup("");
	if (fnft_ruleset_render(live, &text) < 0)
		text = NULL;
	fnft_ruleset_free(live);
	return text;
}

/* Whether the live table reads back as the text in @path. */
static bool live_is(struct fnft_kernel *k, const char *path)
{
	char *want = read_text(path), *have = want ? live_text(k) : NULL;
	bool same = want && have && !strcmp(want, have);

	free(want);
	free(have);
	return same;
}

/* ---- the watchdog ---- */

/* What the watchdog needs, all of it fixed before it is forked. */
struct watch {
	struct pending *p;
	const struct pending_opts *o;
	uint32_t snap_genid;
	int info_fd;		/* created and locked by the watchdog */
	int go, ready;		/* pipe ends: from and to the apply */
};

static void record_done(const struct pending *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void record_done(const struct pending *p, const char *fmt, ...)
{
	int fd = open_ours(p->done, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "we") : NULL;
	va_list ap;

	if (fd >= 0 && !f)
		close(fd);

	va_start(ap, fmt);
	if (f) {
		vfprintf(f, fmt, ap);
		fclose(f);
	}
	va_end(ap);
}

static void write_record(int fd, const char *state, uint32_t genid,
			 int64_t deadline_ms, time_t wall)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%s %u %lld %lld\n", state, genid,
			 (long long)deadline_ms, (long long)wall);

	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, (size_t)n, 0) != n)
		syslog(LOG_ERR, "finesse-nft: cannot write the pending record: %m");
}

/* Whether the info file at its path is still the one the watchdog holds. */
static bool still_mine(const struct watch *w)
{
	struct stat a, b;

	return stat(w->p->info, &a) == 0 && fstat(w->info_fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static struct fnft_kernel *reopen(const struct pending_opts *o)
{
	struct fnft_kernel *k = NULL;

	if (fnft_kernel_open(o->table, &k, NULL) < 0)
		return NULL;
	if ((o->no_state || o->state_dir) &&
	    fnft_kernel_set_state_dir(k, o->no_state ? NULL : o->state_dir) < 0) {
		fnft_kernel_free(k);
		return NULL;
	}
	return k;
}

/*
 * The deadline: put the snapshot back, unless confirm or rollback got
 * there first (then the info file is gone or another's).
 */
static void roll_back(struct watch *w, struct fnft_kernel *k)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char line[1024], *over = NULL, when[32];
	const char *table = w->o->table;
	time_t now = time(NULL);
	int rc;

	if (lock(w->p, NULL) < 0 || !still_mine(w)) {
		unlock(w->p);
		return;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	rc = fnft_snapshot_load(w->p->snap, &snap, &err);
	if (!rc)
		rc = fnft_kernel_restore(k, snap, &over, &err);
	if (rc) {
		fnft_error_format(&err, line, sizeof(line));
		syslog(LOG_ERR, "finesse-nft: unconfirmed apply NOT rolled back: %s", line);
		record_done(w->p, "%s: the unconfirmed apply could NOT be rolled back: %s\n", when, line);
	} else {
		syslog(LOG_WARNING, "finesse-nft: unconfirmed apply rolled back (table inet %s %s)%s",
		       table, fnft_snapshot_absent(snap) ? "removed" : "restored",
		       over ? "; it had been changed since, see " RUN_DIR : "");
		record_done(w->p, "%s: the apply was not confirmed in time; table inet %s was %s%s%s",
			    when, table, fnft_snapshot_absent(snap) ? "removed again (there was none before)"
								   : "restored to what it was",
			    over ? ". It had been changed since the apply; the restore overwrote:\n" : ".\n",
			    over ? over : "");
	}
	clear(w->p);
	unlock(w->p);
	free(over);
	fnft_snapshot_free(snap);
}

/*
 * The apply's word on the pipe: 'C' + generation (committed), 'F' (not
 * committed), or nothing when it died.  Returns 1 committed, 0 not.
 */
static int hear_apply(struct watch *w, uint32_t *genid)
{
	char msg[32] = "";
	ssize_t n;

	do
		n = read(w->go, msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	if (n > 0 && msg[0] == 'C') {
		*genid = (uint32_t)strtoul(msg + 1, NULL, 10);
		return 1;
	}
	if (n > 0)
		return 0;
	return -1;	/* the apply died without a word */
}

/*
 * The CLI died between arming and telling: committed or not?  The kernel
 * knows.  The generation of the snapshot, or the table as it was, means
 * that nothing of ours was committed.  Under the lock, so that no new
 * apply starts while we decide.
 */
static bool committed_behind_our_back(struct watch *w, struct fnft_kernel *k)
{
	uint32_t genid;

	if (!k)
		return true;	/* cannot tell: keep the promise */
	if (fnft_kernel_generation(k, &genid, NULL) == 0 && genid == w->snap_genid)
		return false;
	return !live_is(k, w->p->before);
}

static void sleep_until(struct watch *w, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - boot_ms();
		struct timespec nap = { 0, 50 * 1000 * 1000 };

		if (left <= 0 || !still_mine(w))
			return;
		if (left < 50)
			nap.tv_nsec = (long)left * 1000 * 1000;
		nanosleep(&nap, NULL);
	}
}

static void __attribute__((noreturn)) watchdog(struct watch *w)
{
	const int64_t span = (int64_t)w->o->secs * 1000;
	struct fnft_kernel *k;
	uint32_t genid = 0;
	int heard;
	char c;

	openlog("finesse-nft", LOG_PID, LOG_DAEMON);
	heard = hear_apply(w, &genid);
	if (heard == 0)
		_exit(0);	/* the apply removes the record */
	k = reopen(w->o);
	if (heard < 0) {
		/* the CLI is gone: its lock went with it */
		if (lock(w->p, NULL) < 0)
			_exit(1);
		if (!still_mine(w) || !committed_behind_our_back(w, k)) {
			if (still_mine(w))
				clear(w->p);
			unlock(w->p);
			_exit(0);
		}
		syslog(LOG_WARNING, "finesse-nft: the apply --confirm of table inet %s died after its commit; rollback in %u s unless confirmed",
		       w->o->table, w->o->secs);
		write_record(w->info_fd, "armed", 0, boot_ms() + span, time(NULL) + w->o->secs);
		unlock(w->p);
	} else {
		/* provisional: the clock starts when the apply returns */
		write_record(w->info_fd, "armed", genid, boot_ms() + span, time(NULL) + w->o->secs);
		/* the apply may die right after its word: the promise holds */
		if (write(w->ready, "2", 1) != 1)
			syslog(LOG_WARNING, "finesse-nft: the apply --confirm of table inet %s died after its commit; rollback in %u s unless confirmed",
			       w->o->table, w->o->secs);
		close(w->ready);
		while (read(w->go, &c, 1) > 0)
			;	/* EOF: apply --confirm has returned */
		if (lock(w->p, NULL) < 0)
			_exit(1);
		if (still_mine(w))
			write_record(w->info_fd, "armed", genid, boot_ms() + span,
				     time(NULL) + w->o->secs);
		unlock(w->p);
	}
	close(w->go);
	{
		char buf[96] = "";
		long long deadline = 0;

		if (pread(w->info_fd, buf, sizeof(buf) - 1, 0) > 0)
			sscanf(buf, "%*s %*u %lld", &deadline);
		sleep_until(w, deadline);
	}
	if (still_mine(w) && k)
		roll_back(w, k);
	else if (still_mine(w))
		syslog(LOG_ERR, "finesse-nft: cannot reach the kernel to roll back table inet %s",
		       w->o->table);
	fnft_kernel_free(k);
	_exit(0);
}

/*
 * Detach a watchdog: double fork, new session, no terminal, none of the
 * apply's descriptors but its two pipe ends.  It reports through @ready
 * once it holds its record, so that the apply goes ahead only when a
 * rollback is armed.
 */
static int start_watchdog(struct watch *w, struct fnft_kernel *k, int *go, int *ready)
{
	int gofd[2], readyfd[2], status;
	pid_t pid;
	char ok;

	if (pipe2(gofd, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(readyfd, O_CLOEXEC) < 0) {
		close(gofd[0]);
		close(gofd[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		close(gofd[1]);
		close(readyfd[0]);
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
		/* the apply's lock and socket are not ours to keep */
		close(w->p->lock_fd);
		w->p->lock_fd = -1;
		fnft_kernel_free(k);
		w->go = gofd[0];
		w->ready = readyfd[1];
		w->info_fd = open(w->p->info, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (w->info_fd < 0 || flock(w->info_fd, LOCK_EX) < 0)
			_exit(1);
		write_record(w->info_fd, "arming", 0, 0, 0);
		if (write(w->ready, "1", 1) != 1)
			_exit(1);
		watchdog(w);
	}
	close(gofd[0]);
	close(readyfd[1]);
	waitpid(pid, &status, 0);
	if (read(readyfd[0], &ok, 1) != 1) {
		close(gofd[1]);
		close(readyfd[0]);
		return -ECHILD;
	}
	*go = gofd[1];
	*ready = readyfd[0];
	return 0;
}

/* ---- the commands ---- */

/* "(rollback at 12:34:56)" or "(its watchdog is gone: nothing will roll it back)" */
static void record_text(const struct record *r, char *buf, size_t len)
{
	char when[16];

	if (!r->alive) {
		snprintf(buf, len, "(its watchdog is gone: nothing will roll it back)");
		return;
	}
	if (!r->armed) {
		snprintf(buf, len, "(still being applied)");
		return;
	}
	deadline_text(r->wall, when, sizeof(when));
	snprintf(buf, len, "(rollback at %s)", when);
}

int pending_check(struct fnft_kernel *k, const struct pending_opts *o,
		  const char *what)
{
	struct pending p;
	struct record r;
	char how[96];
	int rc;

	paths(&p, fnft_kernel_id(k));
	if (access(p.info, F_OK) < 0)
		return 0;
	rc = lock(&p, o);
	if (rc == -EPERM) {
		/* a record someone else could have written is no record */
		say(0, "warning: the pending record %s is not used: " NOT_OURS,
		    p.dir, (unsigned)geteuid());
		return 0;
	}
	if (rc)
		return lock_failed(&p, o, rc);
	rc = read_record(&p, &r);
	unlock(&p);
	if (rc == -ENOENT)
		return 0;
	record_text(&r, how, sizeof(how));
	if (!o->force)
		return say(EXIT_REFUSED, "an apply --confirm is pending for table inet %s %s; "
			   "run 'finesse-nft confirm' or 'finesse-nft rollback' first (or --force to %s anyway)",
			   o->table, how, what);
	if (r.alive)
		say(0, "--force: an apply --confirm is pending for table inet %s %s; unless "
		    "'finesse-nft confirm' runs first, its rollback will put back the table from "
		    "before it, undoing this %s too", o->table, how, what);
	else
		say(0, "--force: an apply --confirm is pending for table inet %s %s; "
		    "'finesse-nft rollback' would still put back the table from before it",
		    o->table, how);
	return 0;
}

/*
 * Arm, apply over the snapshot, tell the watchdog.  Under the lock.  When
 * the apply committed, *@go is the pipe end whose close starts the
 * watchdog's clock; else it stays -1 and the record is to be cleared.
 */
static int arm_and_apply(struct pending *p, struct fnft_kernel *k,
			 const struct fnft_ruleset *plan,
			 const struct pending_opts *o, struct fnft_apply_stats *st,
			 int *go_out)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	struct watch w = { .p = p, .o = o, .info_fd = -1 };
	char *before = NULL, *applied = NULL, msg[32], ack;
	int rc, go = -1, ready = -1;

	rc = fnft_kernel_snapshot(k, &snap, &err);
	if (!rc)
		rc = fnft_snapshot_save(snap, p->snap, &err);
	if (rc) {
		fnft_snapshot_free(snap);
		return exit_fail(PHASE_KERNEL, rc, &err);
	}
	before = live_text(k);
	if (!before || fnft_ruleset_render(plan, &applied) < 0 ||
	    write_text(p->before, before) < 0 || write_text(p->applied, applied) < 0) {
		free(before);
		free(applied);
		fnft_snapshot_free(snap);
		return say(EXIT_SYSTEM, "cannot keep the table of before the apply in %s", p->dir);
	}
	free(before);
	free(applied);
	w.snap_genid = fnft_snapshot_generation(snap);
	if ((rc = start_watchdog(&w, k, &go, &ready))) {
		fnft_snapshot_free(snap);
		return say(EXIT_SYSTEM, "cannot start the rollback watchdog (%s); nothing was applied",
			   strerror(-rc));
	}
	rc = fnft_kernel_apply_over(k, snap, plan, st, &err);
	fnft_snapshot_free(snap);
	if (rc || st->in_sync) {
		/* nothing committed: no rollback to arm */
		if (write(go, "F", 1) != 1)
			(void)0;	/* a dead watchdog has nothing to disarm */
		close(go);
		close(ready);
		return rc ? exit_fail(PHASE_KERNEL, rc, &err) : 0;
	}
	snprintf(msg, sizeof(msg), "C%u\n", st->generation);
	if (write(go, msg, strlen(msg)) != (ssize_t)strlen(msg) || read(ready, &ack, 1) != 1) {
		/* no watchdog, no promise: put the old table back at once */
		struct fnft_snapshot *back = NULL;

		close(go);
		close(ready);
		if (fnft_snapshot_load(p->snap, &back, &err) == 0)
			fnft_kernel_restore(k, back, NULL, &err);
		fnft_snapshot_free(back);
		return say(EXIT_SYSTEM, "the rollback watchdog died; the previous table is back");
	}
	close(ready);
	*go_out = go;
	return 0;
}

int pending_apply(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		  const struct pending_opts *o, struct fnft_apply_stats *st)
{
	struct pending p;
	struct record r;
	char how[96];
	int rc, go = -1;

	memset(st, 0, sizeof(*st));
	/* a watchdog that died must not take us with it on the next write */
	signal(SIGPIPE, SIG_IGN);
	paths(&p, fnft_kernel_id(k));
	if ((rc = lock_or_say(&p, o)))
		return rc;
	if (read_record(&p, &r) == 0) {
		unlock(&p);
		record_text(&r, how, sizeof(how));
		return say(EXIT_REFUSED, "an apply --confirm is already pending for table inet %s %s; "
			   "run 'finesse-nft confirm' or 'finesse-nft rollback' first",
			   o->table, how);
	}
	clear(&p);	/* debris of a record never completed */
	unlink(p.done);
	if ((rc = make_dir_ours(p.dir))) {
		unlock(&p);
		return say(EXIT_SYSTEM, "cannot create %s: %s", p.dir,
			   rc == -EPERM ? "not a directory of ours alone" : strerror(-rc));
	}
	rc = arm_and_apply(&p, k, plan, o, st, &go);
	if (go < 0)
		clear(&p);
	unlock(&p);
	/*
	 * @go stays open: it closes as this process exits, and that EOF
	 * starts the watchdog's clock, so SECS count from the moment the
	 * command has returned, whatever it still does before it exits.
	 */
	return rc;
}

/* Nothing pending: what the last watchdog did, if anything. */
static int nothing_pending(const struct pending *p, const char *table, const char *what)
{
	char *text = read_text(p->done);
	int rc;

	if (!text)
		return say(EXIT_REFUSED, "nothing to %s for table inet %s", what, table);
	rc = say(EXIT_REFUSED, "nothing to %s: %s", what, text);
	free(text);
	return rc;
}

int pending_confirm(struct fnft_kernel *k, const struct pending_opts *o)
{
	struct pending p;
	struct record r;
	uint32_t genid = 0;
	int rc;

	paths(&p, fnft_kernel_id(k));
	if ((rc = lock_or_say(&p, o)))
		return rc;
	if (read_record(&p, &r) < 0) {
		unlock(&p);
		return nothing_pending(&p, o->table, "confirm");
	}
	/* the files say pending; the kernel says what is live */
	if (r.armed && r.genid && fnft_kernel_generation(k, &genid, NULL) == 0 &&
	    genid == r.genid)
		rc = say(0, "confirmed: table inet %s stays", o->table);
	else if (live_is(k, p.applied))
		rc = say(0, "confirmed: table inet %s stays (the ruleset was changed elsewhere since the apply; this table was not)",
			 o->table);
	else if (live_is(k, p.before))
		rc = say(EXIT_REFUSED, "nothing to confirm: table inet %s is already what it was before the apply (the rollback ran%s)",
			 o->table, r.alive ? "" : ", and its watchdog died before it could say so");
	else
		rc = say(EXIT_CONFLICT, "table inet %s is neither what the apply made nor what it replaced: it was changed since; "
			 "the pending rollback is cancelled and the table stays as it is ('finesse-nft dry-run' shows how it differs)",
			 o->table);
	clear(&p);	/* the watchdog sees its record gone and exits */
	unlock(&p);
	return rc;
}

int pending_rollback(struct fnft_kernel *k, const struct pending_opts *o)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	struct pending p;
	struct record r;
	char *over = NULL;
	int rc;

	paths(&p, fnft_kernel_id(k));
	if ((rc = lock_or_say(&p, o)))
		return rc;
	if (read_record(&p, &r) < 0) {
		unlock(&p);
		return nothing_pending(&p, o->table, "roll back");
	}
	rc = fnft_snapshot_load(p.snap, &snap, &err);
	if (!rc)
		rc = fnft_kernel_restore(k, snap, &over, &err);
	if (rc) {
		unlock(&p);
		free(over);	/* a refused restore may have said what it would overwrite */
		fnft_snapshot_free(snap);
		return exit_fail(PHASE_KERNEL, rc, &err);
	}
	clear(&p);
	unlock(&p);
	say(0, "rolled back: table inet %s %s", o->table,
	    fnft_snapshot_absent(snap) ? "removed (there was none before)" : "restored");
	if (over)
		say(0, "it had been changed since the apply; the rollback overwrote:\n%s", over);
	free(over);
	fnft_snapshot_free(snap);
	return 0;
}
