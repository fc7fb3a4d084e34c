/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Confirm-or-rollback (include/finesse-nft/pending.h).  The order is what
 * makes the net hold when the caller dies at any point (a daemon killed,
 * the CLI's SSH session dropping with SIGHUP):
 *
 *   1. snapshot, saved, with its generation G;
 *   2. the watchdog (watchdog.c, its own program) is spawned and holds an
 *      exclusive flock on the info file it created: that lock, not a pid,
 *      is its identity.  It records "arming" and waits on a pipe from us;
 *   3. the apply, over the snapshot's generation G: if anyone changed the
 *      ruleset since the snapshot, nothing is applied, so the rollback
 *      restores exactly what the apply replaced;
 *   4. we tell the watchdog "committed at generation N" (or "not
 *      committed": it then removes itself) and wait for its word that it
 *      heard; the pipe's close starts its clock (CLOCK_BOOTTIME).  If the
 *      pipe closes without a word (we died), the watchdog asks the kernel:
 *      generation still G, or the table still what it was, means nothing
 *      was committed; otherwise it arms the full deadline from then.
 *
 * confirm and rollback remove the info file; the watchdog sees that its
 * file is gone (or is another's) and exits.  Nobody ever sends a signal.
 * confirm reports what the kernel holds, not what the files say.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <finesse-nft/pending.h>

#include "config.h"
#include "internal.h"
#include "lock.h"
#include "pending-impl.h"

extern char **environ;

/* ---- shared with the watchdog ---- */

int fnft_pend_paths(struct fnft_pend_paths *p, const char *run_dir,
		    const char *id)
{
	int n = snprintf(p->dir, sizeof(p->dir), "%s/pending.%s", run_dir, id);

	p->lock_fd = -1;
	if (n < 0 || (size_t)n >= sizeof(p->dir) || strlen(run_dir) >= sizeof(p->run))
		return -ENAMETOOLONG;
	snprintf(p->run, sizeof(p->run), "%s", run_dir);
	snprintf(p->lock, sizeof(p->lock), "%s/pending.%s.lock", run_dir, id);
	snprintf(p->done, sizeof(p->done), "%s/rolled-back.%s", run_dir, id);
	snprintf(p->snap, sizeof(p->snap), "%s/snapshot", p->dir);
	snprintf(p->info, sizeof(p->info), "%s/info", p->dir);
	snprintf(p->before, sizeof(p->before), "%s/before", p->dir);
	snprintf(p->applied, sizeof(p->applied), "%s/applied", p->dir);
	return 0;
}

int64_t fnft_pend_boot_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fnft_pend_lock(struct fnft_pend_paths *p, int timeout_ms,
		   fnft_lock_wait_fn waiting, void *ctx)
{
	int fd = fnft_lock_take(p->lock, timeout_ms, waiting, ctx, NULL);

	if (fd < 0)
		return fd;
	p->lock_fd = fd;
	return 0;
}

void fnft_pend_unlock(struct fnft_pend_paths *p)
{
	fnft_lock_release(p->lock_fd);
	p->lock_fd = -1;
}

int fnft_pend_open_ours(const char *path, int flags, mode_t mode)
{
	const char *name;
	int dfd = fnft_path_dir_ours(path, false, &name), fd;

	if (dfd < 0)
		return dfd;
	fd = fnft_openat_ours(dfd, name, flags, mode);
	close(dfd);
	return fd;
}

int fnft_pend_read_record(const struct fnft_pend_paths *p,
			  struct fnft_pend_record *r)
{
	char state[16];
	unsigned genid;
	long long deadline, wall;
	int fd = fnft_pend_open_ours(p->info, O_RDONLY, 0), got;
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
	r->armed = streq(state, "armed");
	r->genid = genid;
	r->deadline_ms = deadline;
	r->wall = (time_t)wall;
	return 0;
}

void fnft_pend_write_record(int fd, const char *state, uint32_t genid,
			    int64_t deadline_ms, time_t wall)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%s %u %lld %lld\n", state, genid,
			 (long long)deadline_ms, (long long)wall);

	/* a record that cannot be written reads as "being written": the
	 * watchdog still acts at its own deadline */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, line, (size_t)n, 0) != n)
		(void)ftruncate(fd, 0);
}

void fnft_pend_clear(const struct fnft_pend_paths *p)
{
	unlink(p->info);
	unlink(p->snap);
	unlink(p->before);
	unlink(p->applied);
	rmdir(p->dir);
}

char *fnft_pend_read_text(const char *path)
{
	int fd = fnft_pend_open_ours(path, O_RDONLY, 0);
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

bool fnft_pend_live_is(struct fnft_kernel *k, const char *path)
{
	char *want = fnft_pend_read_text(path), *have = want ? live_text(k) : NULL;
	bool same = want && have && streq(want, have);

	free(want);
	free(have);
	return same;
}

/* ---- the handle ---- */

struct fnft_pending {
	struct fnft_kernel *k;		/* borrowed */
	struct fnft_pend_paths p;
	enum fnft_pending_state state;
	int64_t deadline_ms;
	time_t wall;
	int go;				/* CLOCK_AT_FREE: the pipe whose close
					 * starts the watchdog's clock */
	char *note;			/* the watchdog's, after EXPIRED* */
};

static int check_opts(const struct fnft_pending_opts *o, struct fnft_error *err)
{
	size_t i;

	if (!o)
		return 0;
	if (o->flags & ~FNFT_PENDING_CLOCK_AT_FREE)
		return fnft_err(err, -EINVAL, NULL, NULL, "unknown pending flags 0x%x",
				o->flags);
	for (i = 0; i < ARRAY_SIZE(o->reserved); i++)
		if (o->reserved[i])
			return fnft_err(err, -EINVAL, NULL, NULL,
					"reserved pending options must be 0");
	return 0;
}

static int handle_new(struct fnft_kernel *k, const struct fnft_pending_opts *o,
		      struct fnft_pending **out, struct fnft_error *err)
{
	const char *run_dir = o && o->run_dir ? o->run_dir : FNFT_RUN_DIR;
	struct fnft_pending *h;
	int rc;

	if ((rc = check_opts(o, err)))
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	h->k = k;
	h->go = -1;
	if ((rc = fnft_pend_paths(&h->p, run_dir, fnft_kernel_id(k)))) {
		free(h);
		return fnft_err(err, rc, NULL, NULL, "run directory name too long: %s",
				run_dir);
	}
	*out = h;
	return 0;
}

#define NOT_OURS "it or its directory is not a regular file or directory of uid %u writable by it alone"

/* The pending lock, as long as @h's kernel handle allows. */
static int lock(struct fnft_pending *h, struct fnft_error *err)
{
	struct fnft_kernel_settings s;
	int rc;

	fnft_kernel_settings(h->k, &s);
	rc = fnft_pend_lock(&h->p, s.lock_timeout_ms, s.lock_waiting, s.lock_ctx);
	if (rc == -EBUSY)
		return fnft_err(err, rc, NULL, h->p.dir,
				"gave up waiting for the lock of table inet %s after %d ms; nothing was done",
				s.table, s.lock_timeout_ms);
	if (rc == -EPERM)
		return fnft_err(err, rc, NULL, h->p.dir, "cannot lock %s: " NOT_OURS,
				h->p.lock, (unsigned)geteuid());
	if (rc)
		return fnft_err(err, rc, NULL, h->p.dir, "cannot lock %s: %s",
				h->p.lock, strerror(-rc));
	return 0;
}

static void take_record(struct fnft_pending *h, const struct fnft_pend_record *r)
{
	h->state = !r->alive ? FNFT_PENDING_UNGUARDED :
		   !r->armed ? FNFT_PENDING_ARMING : FNFT_PENDING_ARMED;
	h->deadline_ms = r->armed ? r->deadline_ms : 0;
	h->wall = r->armed ? r->wall : 0;
}

static void take_nothing(struct fnft_pending *h)
{
	h->state = FNFT_PENDING_NONE;
	h->deadline_ms = 0;
	h->wall = 0;
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

static int write_text(const char *path, const char *text)
{
	int fd = fnft_pend_open_ours(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
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

/*
 * write(2) to the watchdog's pipe without a SIGPIPE if it is gone: the
 * signal is blocked in this thread for the call, and one it raised is
 * taken back (a library owns no signal disposition).
 */
static bool tell(int fd, const char *msg)
{
	sigset_t pipe_set, old, pending;
	size_t len = strlen(msg);
	bool had, ok;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	had = sigismember(&pending, SIGPIPE);
	n = write(fd, msg, len);
	ok = n == (ssize_t)len;
	if (n < 0 && errno == EPIPE && !had) {
		struct timespec none = { 0, 0 };

		sigtimedwait(&pipe_set, NULL, &none);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ok;
}

static bool hear(int fd, char want)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 && c == want;
}

/* A descriptor above the watchdog's two, so that dup2() onto them always
 * clears close-on-exec. */
static int above(int fd)
{
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, FNFT_WATCHDOG_READY_FD + 1);

	close(fd);
	return moved;
}

/*
 * Spawn the watchdog and wait until it holds its record.  The process we
 * spawn forks the watchdog and exits at once (reaped here), so the
 * watchdog is nobody's child: no zombie is left to a caller that does not
 * reap.  *@go and *@ready: our pipe ends.
 */
static int spawn_watchdog(struct fnft_pending *h, const char *exe,
			  unsigned span_ms, uint32_t snap_genid, int *go,
			  int *ready)
{
	struct fnft_kernel_settings s;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char span[16], genid[16];
	int gofd[2], readyfd[2], rc, status;
	pid_t pid;

	fnft_kernel_settings(h->k, &s);
	if (pipe2(gofd, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(readyfd, O_CLOEXEC) < 0) {
		rc = -errno;
		close(gofd[0]);
		close(gofd[1]);
		return rc;
	}
	gofd[0] = above(gofd[0]);
	readyfd[1] = above(readyfd[1]);
	snprintf(span, sizeof(span), "%u", span_ms);
	snprintf(genid, sizeof(genid), "%u", snap_genid);
	{
		char *argv[] = {
			(char *)exe, (char *)FNFT_WATCHDOG_PROTOCOL,
			(char *)s.table, (char *)fnft_kernel_id(h->k), h->p.run,
			(char *)(s.state_dir ? s.state_dir : ""),
			(char *)(s.lock_dir ? s.lock_dir : ""), span, genid, NULL,
		};

		rc = -EBADF;
		if (gofd[0] < 0 || readyfd[1] < 0)
			goto out;
		rc = posix_spawn_file_actions_init(&fa);
		if (rc) {
			rc = -rc;
			goto out;
		}
		posix_spawnattr_init(&at);
		sigemptyset(&none);
		sigfillset(&all);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &all);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
		posix_spawn_file_actions_adddup2(&fa, gofd[0], FNFT_WATCHDOG_GO_FD);
		posix_spawn_file_actions_adddup2(&fa, readyfd[1], FNFT_WATCHDOG_READY_FD);
		rc = -posix_spawn(&pid, exe, &fa, &at, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
	}
	if (!rc)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;	/* ECHILD: the caller reaps or ignores SIGCHLD */
out:
	if (gofd[0] >= 0)
		close(gofd[0]);
	if (readyfd[1] >= 0)
		close(readyfd[1]);
	if (!rc && !hear(readyfd[0], '1'))
		rc = -ECHILD;
	if (rc) {
		close(gofd[1]);
		close(readyfd[0]);
		return rc;
	}
	*go = gofd[1];
	*ready = readyfd[0];
	return 0;
}

/*
 * Arm, apply over the snapshot, tell the watchdog.  Under the pending lock.
 * When the apply committed, *@go_out is the pipe end whose close starts the
 * watchdog's clock; else it stays -1 and the record is to be cleared.
 */
static int arm_and_apply(struct fnft_pending *h, const struct fnft_ruleset *plan,
			 const char *exe, unsigned span_ms,
			 struct fnft_apply_stats *st, int *go_out,
			 struct fnft_error *err)
{
	struct fnft_kernel *k = h->k;
	struct fnft_snapshot *snap = NULL;
	char *before = NULL, *applied = NULL, msg[32];
	int rc, go = -1, ready = -1;

	rc = fnft_kernel_snapshot(k, &snap, err);
	if (!rc)
		rc = fnft_snapshot_save(snap, h->p.snap, err);
	if (rc) {
		fnft_snapshot_free(snap);
		return rc;
	}
	before = live_text(k);
	rc = !before || fnft_ruleset_render(plan, &applied) < 0 ||
	     write_text(h->p.before, before) < 0 || write_text(h->p.applied, applied) < 0;
	free(before);
	free(applied);
	if (rc) {
		fnft_snapshot_free(snap);
		return fnft_err(err, -EIO, NULL, h->p.dir,
				"cannot keep the table of before the apply in %s", h->p.dir);
	}
	rc = spawn_watchdog(h, exe, span_ms, fnft_snapshot_generation(snap), &go, &ready);
	if (rc) {
		fnft_snapshot_free(snap);
		return fnft_err(err, -ECHILD, NULL, exe,
				"cannot start the rollback watchdog (%s); nothing was applied",
				rc == -ECHILD ? "it exited at once" : strerror(-rc));
	}
	rc = fnft_kernel_apply_over(k, snap, plan, st, err);
	fnft_snapshot_free(snap);
	if (rc || st->in_sync) {
		/* nothing committed: no rollback to arm (a dead watchdog has
		 * nothing to disarm) */
		tell(go, "F");
		close(go);
		close(ready);
		return rc;
	}
	snprintf(msg, sizeof(msg), "C%u\n", st->generation);
	if (!tell(go, msg) || !hear(ready, '2')) {
		/* no watchdog, no promise: put the old table back at once */
		struct fnft_snapshot *back = NULL;

		close(go);
		close(ready);
		if (fnft_snapshot_load(h->p.snap, &back, NULL) == 0)
			fnft_kernel_restore(k, back, NULL, NULL);
		fnft_snapshot_free(back);
		return fnft_err(err, -EPIPE, NULL, NULL,
				"the rollback watchdog died; the previous table is back");
	}
	close(ready);
	*go_out = go;
	return 0;
}

FNFT_EXPORT int fnft_kernel_apply_pending(struct fnft_kernel *k,
					  const struct fnft_ruleset *plan,
					  unsigned timeout_ms,
					  const struct fnft_pending_opts *opts,
					  struct fnft_pending **out,
					  struct fnft_apply_stats *stats,
					  struct fnft_error *err)
{
	const char *exe = opts && opts->watchdog ? opts->watchdog : FNFT_WATCHDOG;
	struct fnft_apply_stats st_local;
	struct fnft_apply_stats *st = stats ? stats : &st_local;
	struct fnft_pend_record r;
	struct fnft_pending *h;
	int rc, go = -1;

	if (!k || !plan || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	*out = NULL;
	memset(st, 0, sizeof(*st));
	if (timeout_ms == 0 || timeout_ms > 24u * 3600 * 1000)
		return fnft_err(err, -EINVAL, NULL, NULL,
				"a confirm deadline of %u ms is not between 1 ms and 24 h",
				timeout_ms);
	if ((rc = handle_new(k, opts, &h, err)))
		return rc;
	if ((rc = lock(h, err))) {
		fnft_pending_free(h);
		return rc;
	}
	if (fnft_pend_read_record(&h->p, &r) == 0) {
		struct fnft_kernel_settings s;

		fnft_kernel_settings(k, &s);
		fnft_err(err, -EEXIST, NULL, h->p.dir,
			 "an apply with a deadline is already pending for table inet %s",
			 s.table);
		fnft_pend_unlock(&h->p);
		fnft_pending_free(h);
		return -EEXIST;
	}
	fnft_pend_clear(&h->p);	/* debris of a record never completed */
	unlink(h->p.done);
	if ((rc = make_dir_ours(h->p.dir))) {
		fnft_pend_unlock(&h->p);
		fnft_err(err, rc, NULL, h->p.dir, "cannot create %s: %s", h->p.dir,
			 rc == -EPERM ? "not a directory of ours alone" : strerror(-rc));
		fnft_pending_free(h);
		return rc;
	}
	rc = arm_and_apply(h, plan, exe, timeout_ms, st, &go, err);
	if (go < 0)
		fnft_pend_clear(&h->p);
	fnft_pend_unlock(&h->p);
	if (rc || go < 0) {
		fnft_pending_free(h);
		return rc;
	}
	h->state = FNFT_PENDING_ARMED;
	h->go = go;
	if (!(opts && opts->flags & FNFT_PENDING_CLOCK_AT_FREE)) {
		/* the clock starts now, as the call returns */
		close(h->go);
		h->go = -1;
		h->deadline_ms = fnft_pend_boot_ms() + timeout_ms;
		h->wall = time(NULL) + (time_t)((timeout_ms + 999) / 1000);
	}
	*out = h;
	return 0;
}

FNFT_EXPORT int fnft_pending_open(struct fnft_kernel *k,
				  const struct fnft_pending_opts *opts,
				  struct fnft_pending **out,
				  struct fnft_error *err)
{
	struct fnft_pend_record r;
	struct fnft_pending *h;
	int rc;

	if (!k || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	*out = NULL;
	if ((rc = handle_new(k, opts, &h, err)))
		return rc;
	/* no record, no lock to wait for */
	if (access(h->p.info, F_OK) == 0) {
		if ((rc = lock(h, err))) {
			fnft_pending_free(h);
			return rc;
		}
		if (fnft_pend_read_record(&h->p, &r) == 0)
			take_record(h, &r);
		fnft_pend_unlock(&h->p);
	}
	*out = h;
	return 0;
}

FNFT_EXPORT enum fnft_pending_state fnft_pending_state(const struct fnft_pending *p)
{
	return p ? p->state : FNFT_PENDING_NONE;
}

FNFT_EXPORT int64_t fnft_pending_deadline(const struct fnft_pending *p)
{
	return p ? p->deadline_ms : 0;
}

FNFT_EXPORT int64_t fnft_pending_deadline_wall(const struct fnft_pending *p)
{
	return p ? (int64_t)p->wall : 0;
}

FNFT_EXPORT const char *fnft_pending_note(const struct fnft_pending *p)
{
	return p ? p->note : NULL;
}

/* Nothing pending: what the last watchdog did, if anything. */
static enum fnft_pending_outcome nothing_pending(struct fnft_pending *h)
{
	char *text = fnft_pend_read_text(h->p.done), *nl;
	enum fnft_pending_outcome out = FNFT_PENDING_EXPIRED;

	take_nothing(h);
	free(h->note);
	h->note = NULL;
	if (!text)
		return FNFT_PENDING_NOTHING;
	nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		if (streq(text, FNFT_PEND_NOTE_FAILED))
			out = FNFT_PENDING_EXPIRED_FAILED;
		if (streq(text, FNFT_PEND_NOTE_FAILED) || streq(text, FNFT_PEND_NOTE_RESTORED) ||
		    streq(text, FNFT_PEND_NOTE_REMOVED))
			memmove(text, nl + 1, strlen(nl + 1) + 1);
		else
			*nl = '\n';	/* a note without its first line */
	}
	h->note = text;
	return out;
}

/*
 * The start of confirm and rollback: the pending lock and the record.
 * Returns 1 with the lock held and the record in @r; 0 when nothing is
 * pending (*@outcome set, unlocked); or a negative errno.
 */
static int lock_record(struct fnft_pending *p, struct fnft_pend_record *r,
		       enum fnft_pending_outcome *outcome, struct fnft_error *err)
{
	int rc;

	if (!p || !outcome)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((rc = lock(p, err)))
		return rc;
	if (fnft_pend_read_record(&p->p, r) < 0) {
		fnft_pend_unlock(&p->p);
		*outcome = nothing_pending(p);
		return 0;
	}
	take_record(p, r);
	return 1;
}

FNFT_EXPORT int fnft_pending_confirm(struct fnft_pending *p,
				     enum fnft_pending_outcome *outcome,
				     struct fnft_error *err)
{
	struct fnft_pend_record r;
	uint32_t genid = 0;
	int rc;

	if ((rc = lock_record(p, &r, outcome, err)) <= 0)
		return rc;
	/* the files say pending; the kernel says what is live */
	if (r.armed && r.genid && fnft_kernel_generation(p->k, &genid, NULL) == 0 &&
	    genid == r.genid)
		*outcome = FNFT_PENDING_CONFIRMED;
	else if (fnft_pend_live_is(p->k, p->p.applied))
		*outcome = FNFT_PENDING_CONFIRMED_CHANGED_ELSEWHERE;
	else if (fnft_pend_live_is(p->k, p->p.before))
		*outcome = FNFT_PENDING_ALREADY_ROLLED_BACK;
	else
		*outcome = FNFT_PENDING_CONFLICT;
	fnft_pend_clear(&p->p);	/* the watchdog sees its record gone and exits */
	fnft_pend_unlock(&p->p);
	return 0;
}

FNFT_EXPORT int fnft_pending_rollback(struct fnft_pending *p,
				      enum fnft_pending_outcome *outcome,
				      char **overwritten, struct fnft_error *err)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_pend_record r;
	char *over = NULL;
	int rc;

	if (overwritten)
		*overwritten = NULL;
	if ((rc = lock_record(p, &r, outcome, err)) <= 0)
		return rc;
	rc = fnft_snapshot_load(p->p.snap, &snap, err);
	if (!rc)
		rc = fnft_kernel_restore(p->k, snap, &over, err);
	if (rc) {
		fnft_pend_unlock(&p->p);
		free(over);	/* a refused restore may have said what it would overwrite */
		fnft_snapshot_free(snap);
		return rc;
	}
	fnft_pend_clear(&p->p);
	fnft_pend_unlock(&p->p);
	*outcome = fnft_snapshot_absent(snap) ? FNFT_PENDING_REMOVED : FNFT_PENDING_ROLLED_BACK;
	fnft_snapshot_free(snap);
	if (overwritten)
		*overwritten = over;
	else
		free(over);
	return 0;
}

FNFT_EXPORT void fnft_pending_free(struct fnft_pending *p)
{
	if (!p)
		return;
	if (p->go >= 0)
		close(p->go);	/* FNFT_PENDING_CLOCK_AT_FREE: the clock starts */
	if (p->p.lock_fd >= 0)
		fnft_pend_unlock(&p->p);
	free(p->note);
	free(p);
}
