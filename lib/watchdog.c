/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * finesse-nft-watchdog: the rollback of a pending apply (pending.c spawns
 * it; its command line and pipes are in pending-impl.h).  Its own program,
 * so that the library never forks a caller that may have threads: it
 * forks only itself, single-threaded, to detach.  It links the library's
 * code statically, so it is always the code of the library it was built
 * with; the protocol word on its command line catches any other pairing.
 *
 * It is known by the flock it holds on its record (pending.ID/info), never
 * by its pid; it exits when that file is gone or is another's (confirm,
 * rollback), and says what it did in syslog and in rolled-back.ID.
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
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "internal.h"
#include "lock.h"
#include "pending-impl.h"

struct watch {
	struct fnft_pend_paths p;
	const char *table;
	struct fnft_kernel *k;
	unsigned span_ms;
	uint32_t snap_genid;
	int info_fd;		/* created and locked by us */
	int go, ready;		/* pipe ends: from and to the apply */
};

static void record_done(const struct watch *w, const char *status,
			const char *fmt, ...) FNFT_PRINTF(3, 4);
static void record_done(const struct watch *w, const char *status,
			const char *fmt, ...)
{
	int fd = fnft_pend_open_ours(w->p.done, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "we") : NULL;
	va_list ap;

	if (fd >= 0 && !f)
		close(fd);
	if (!f)
		return;
	fprintf(f, "%s\n", status);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void write_record(const struct watch *w, const char *state, uint32_t genid)
{
	fnft_pend_write_record(w->info_fd, state, genid,
			       fnft_pend_boot_ms() + w->span_ms,
			       time(NULL) + (time_t)((w->span_ms + 999) / 1000));
}

/* Whether the info file at its path is still the one we hold. */
static bool still_mine(const struct watch *w)
{
	struct stat a, b;

	return stat(w->p.info, &a) == 0 && fstat(w->info_fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int lock(struct watch *w)
{
	return fnft_pend_lock(&w->p, -1, NULL, NULL);
}

/*
 * The deadline: put the snapshot back, unless confirm or rollback got
 * there first (then the info file is gone or another's).
 */
static void roll_back(struct watch *w)
{
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char line[1024], *over = NULL, when[32];
	time_t now = time(NULL);
	int rc;

	if (lock(w) < 0)
		return;
	if (!still_mine(w)) {
		fnft_pend_unlock(&w->p);
		return;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	rc = fnft_snapshot_load(w->p.snap, &snap, &err);
	if (!rc)
		rc = fnft_kernel_restore(w->k, snap, &over, &err);
	if (rc) {
		fnft_error_format(&err, line, sizeof(line));
		syslog(LOG_ERR, "finesse-nft: unconfirmed apply NOT rolled back: %s", line);
		record_done(w, FNFT_PEND_NOTE_FAILED,
			    "%s: the unconfirmed apply could NOT be rolled back: %s\n", when, line);
	} else {
		bool absent = fnft_snapshot_absent(snap);

		syslog(LOG_WARNING, "finesse-nft: unconfirmed apply rolled back (table inet %s %s)%s%s",
		       w->table, absent ? "removed" : "restored",
		       over ? "; it had been changed since, see " : "", over ? w->p.run : "");
		record_done(w, absent ? FNFT_PEND_NOTE_REMOVED : FNFT_PEND_NOTE_RESTORED,
			    "%s: the apply was not confirmed in time; table inet %s was %s%s%s",
			    when, w->table, absent ? "removed again (there was none before)"
						   : "restored to what it was",
			    over ? ". It had been changed since the apply; the restore overwrote:\n" : ".\n",
			    over ? over : "");
	}
	fnft_pend_clear(&w->p);
	fnft_pend_unlock(&w->p);
	free(over);
	fnft_snapshot_free(snap);
}

/*
 * The apply's word on the pipe: 'C' + generation (committed), 'F' (not
 * committed), or nothing when it died.  Returns 1 committed, 0 not, -1 died.
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
	return n > 0 ? 0 : -1;
}

/*
 * The apply died between arming and telling: committed or not?  The
 * kernel knows.  The generation of the snapshot, or the table as it was,
 * means that nothing of ours was committed.  Under the lock, so that no
 * new apply starts while we decide.
 */
static bool committed_behind_our_back(struct watch *w)
{
	uint32_t genid;

	if (fnft_kernel_generation(w->k, &genid, NULL) == 0 && genid == w->snap_genid)
		return false;
	return !fnft_pend_live_is(w->k, w->p.before);
}

static void sleep_until(const struct watch *w, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - fnft_pend_boot_ms();
		struct timespec nap = { 0, 50 * 1000 * 1000 };

		if (left <= 0 || !still_mine(w))
			return;
		if (left < 50)
			nap.tv_nsec = (long)left * 1000 * 1000;
		nanosleep(&nap, NULL);
	}
}

#define DIED "finesse-nft: the apply with a deadline of table inet %s died after its commit; rollback in %u ms unless confirmed"

static void watch(struct watch *w)
{
	uint32_t genid = 0;
	char c, buf[96] = "";
	long long deadline = 0;
	int heard = hear_apply(w, &genid);

	if (heard == 0)
		return;		/* the apply removes the record */
	if (heard < 0) {
		/* the apply is gone: its lock went with it */
		if (lock(w) < 0)
			return;
		if (!still_mine(w) || !committed_behind_our_back(w)) {
			if (still_mine(w))
				fnft_pend_clear(&w->p);
			fnft_pend_unlock(&w->p);
			return;
		}
		syslog(LOG_WARNING, DIED, w->table, w->span_ms);
		write_record(w, "armed", 0);
		fnft_pend_unlock(&w->p);
	} else {
		/* provisional: the clock starts when the apply returns */
		write_record(w, "armed", genid);
		/* the apply may die right after its word: the promise holds */
		if (write(w->ready, "2", 1) != 1)
			syslog(LOG_WARNING, DIED, w->table, w->span_ms);
		close(w->ready);
		w->ready = -1;
		for (;;) {	/* EOF: the apply has returned */
			ssize_t n = read(w->go, &c, 1);

			if (n == 0 || (n < 0 && errno != EINTR))
				break;
		}
		if (lock(w) < 0)
			return;
		if (still_mine(w))
			write_record(w, "armed", genid);
		fnft_pend_unlock(&w->p);
	}
	if (pread(w->info_fd, buf, sizeof(buf) - 1, 0) > 0)
		sscanf(buf, "%*s %*u %lld", &deadline);
	sleep_until(w, deadline);
	if (still_mine(w))
		roll_back(w);
}

/* Every descriptor but stdio and our two pipe ends: a daemon's sockets
 * and files are not ours to keep open for the deadline. */
static void close_the_rest(void)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);

	if (close_range(FNFT_WATCHDOG_READY_FD + 1, ~0U, 0) == 0)
		return;
	for (fd = FNFT_WATCHDOG_READY_FD + 1; fd < (max > 0 ? max : 1024); fd++)
		close(fd);
}

static int setup(struct watch *w, char **argv)
{
	const char *id = argv[3], *run = argv[4], *state = argv[5], *lockd = argv[6];

	w->table = argv[2];
	w->span_ms = (unsigned)strtoul(argv[7], NULL, 10);
	w->snap_genid = (uint32_t)strtoul(argv[8], NULL, 10);
	if (fnft_pend_paths(&w->p, run, id) < 0)
		return -1;
	/* our own session of the same table, namespace and directories */
	if (fnft_kernel_open(w->table, &w->k, NULL) < 0 ||
	    !streq(fnft_kernel_id(w->k), id) ||
	    fnft_kernel_set_state_dir(w->k, *state ? state : NULL) < 0 ||
	    fnft_kernel_set_lock_dir(w->k, *lockd ? lockd : NULL) < 0)
		return -1;
	w->info_fd = open(w->p.info, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->info_fd < 0 || flock(w->info_fd, LOCK_EX) < 0)
		return -1;
	fnft_pend_write_record(w->info_fd, "arming", 0, 0, 0);
	return write(w->ready, "1", 1) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct watch w = { .info_fd = -1, .go = FNFT_WATCHDOG_GO_FD,
			   .ready = FNFT_WATCHDOG_READY_FD };
	pid_t pid;
	int rc;

	if (argc != 9 || !streq(argv[1], FNFT_WATCHDOG_PROTOCOL)) {
		fprintf(stderr, "%s: to be started by libfinesse-nft only (protocol %s)\n",
			argv[0], FNFT_WATCHDOG_PROTOCOL);
		return 2;
	}
	close_the_rest();
	signal(SIGPIPE, SIG_IGN);
	/* detach: the spawner reaps this process, init the watchdog */
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return 1;
	openlog("finesse-nft", LOG_PID, LOG_DAEMON);
	rc = setup(&w, argv);
	if (!rc)
		watch(&w);
	fnft_kernel_free(w.k);
	if (w.info_fd >= 0)
		close(w.info_fd);
	closelog();
	return rc ? 1 : 0;
}
