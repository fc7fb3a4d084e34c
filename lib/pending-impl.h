/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_PENDING_IMPL_H
#define FNFT_PENDING_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <finesse-nft/kernel.h>

/*
 * Confirm-or-rollback, shared by the library (pending.c) and the watchdog
 * program (watchdog.c, which links the library's code statically).
 * Internal: not in the ABI.
 */

/* What a kernel handle was opened with (kernel.c): borrowed strings. */
struct fnft_kernel_settings {
	const char *table;
	const char *state_dir;		/* NULL: no state file */
	const char *lock_dir;		/* NULL: no table lock */
	int lock_timeout_ms;
	fnft_lock_wait_fn lock_waiting;
	void *lock_ctx;
};

void fnft_kernel_settings(const struct fnft_kernel *k,
			  struct fnft_kernel_settings *out);

/*
 * The watchdog's command line, protocol FNFT_WATCHDOG_PROTOCOL:
 *   WATCHDOG PROTOCOL TABLE ID RUN_DIR STATE_DIR LOCK_DIR SPAN_MS SNAP_GENID
 * with "" for no state or lock directory; descriptor 3 reads from the
 * apply ("C<generation>\n" committed, "F" not, EOF the clock starts or the
 * apply died), 4 writes to it ("1" armed, "2" the commit heard).
 */
#define FNFT_WATCHDOG_PROTOCOL "1"
#define FNFT_WATCHDOG_GO_FD 3
#define FNFT_WATCHDOG_READY_FD 4

/* The files of one table's pending apply. */
struct fnft_pend_paths {
	char run[480];		/* the run directory */
	char dir[512], lock[512], done[512];
	char snap[560], info[560], before[560], applied[560];
	int lock_fd;
};

/* The watchdog's record, as read by the others. */
struct fnft_pend_record {
	bool armed;		/* the apply committed; else still "arming" */
	bool alive;		/* its watchdog holds the lock on it */
	uint32_t genid;		/* the generation the apply left; 0 unknown */
	int64_t deadline_ms;	/* CLOCK_BOOTTIME */
	time_t wall;		/* the same deadline, for people */
};

/* -ENAMETOOLONG when a path does not fit. */
int fnft_pend_paths(struct fnft_pend_paths *p, const char *run_dir,
		    const char *id);
int64_t fnft_pend_boot_ms(void);

/* The pending lock: 0 or a negative errno, as fnft_lock_take(). */
int fnft_pend_lock(struct fnft_pend_paths *p, int timeout_ms,
		   fnft_lock_wait_fn waiting, void *ctx);
void fnft_pend_unlock(struct fnft_pend_paths *p);

/* The record, or -ENOENT when nothing is pending. */
int fnft_pend_read_record(const struct fnft_pend_paths *p,
			  struct fnft_pend_record *r);
void fnft_pend_write_record(int fd, const char *state, uint32_t genid,
			    int64_t deadline_ms, time_t wall);
/* Remove the record and its files. */
void fnft_pend_clear(const struct fnft_pend_paths *p);

/* A file of ours alone, as fnft_openat_ours() opens it. */
int fnft_pend_open_ours(const char *path, int flags, mode_t mode);

/* The whole file of ours, malloc'd; NULL when it cannot be read. */
char *fnft_pend_read_text(const char *path);

/* Whether the live table reads back as the text in @path. */
bool fnft_pend_live_is(struct fnft_kernel *k, const char *path);

/* The watchdog note's first line: what it did. */
#define FNFT_PEND_NOTE_RESTORED "restored"
#define FNFT_PEND_NOTE_REMOVED "removed"
#define FNFT_PEND_NOTE_FAILED "failed"

#endif
