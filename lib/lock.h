/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_LOCK_H
#define FNFT_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include <finesse-nft/kernel.h>

/*
 * A lock file that names its holder: an exclusive flock() on it, and the
 * holder's pid written into it, so that whoever waits can be told who.
 * The library takes the table's lock with it (kernel.c), and the lock of
 * a pending confirm (pending.c, and the watchdog program, which links the
 * library's code).  Internal: not in the ABI.
 */

/*
 * fnft_lock_take - lock @path, creating it (0600) and its directory (0700)
 * @timeout_ms: -1 to wait as long as it takes, else the most milliseconds
 *	to wait (0: do not)
 * @waiting: optional; called once, after a second of waiting, with @ctx
 *	and the holder's pid (0 when unknown)
 * @holder: optional; on -EBUSY, receives the holder's pid (0 when unknown)
 *
 * Polled rather than interrupted by a timer: a library owns no signal and
 * no thread.  Returns the locked descriptor (close-on-exec), -EBUSY when
 * @timeout_ms ran out, or another negative errno when the file cannot be
 * created, opened or locked.
 */
int fnft_lock_take(const char *path, int timeout_ms, fnft_lock_wait_fn waiting,
		   void *ctx, long *holder);

/*
 * fnft_lock_release - unlock and close @fd, from fnft_lock_take(), having
 * emptied it (a stale pid would only mislead a message); a negative @fd is
 * fine.
 */
void fnft_lock_release(int fd);

/*
 * Could no one but us have written what @fd is?  It is of @type (S_IFREG,
 * S_IFDIR), owned by the euid and not writable by group or others.  The
 * check every file we trust goes through: the locks and pending records
 * under /run, and the state file (state.c).
 */
bool fnft_fd_ours_alone(int fd, mode_t type);

/*
 * openat(@dfd, @name, @flags, @mode) of a file we trust: never through a
 * symlink, never blocking on a FIFO, close-on-exec, and then only a
 * regular file (a directory with O_DIRECTORY) that fnft_fd_ours_alone();
 * -EPERM for anything else, -errno when it cannot be opened.
 */
int fnft_openat_ours(int dfd, const char *name, int flags, mode_t mode);

/*
 * @dir as an O_DIRECTORY fd to openat() in, if it is a directory, not a
 * symlink, and fnft_fd_ours_alone(): -EPERM when not, -errno when it
 * cannot be opened.
 */
int fnft_dir_open_ours(const char *dir);

/*
 * The directory of @path (".", when it has no slash) as
 * fnft_dir_open_ours() opens it, made first (0700) with @create; *name is
 * the rest of @path.  -EISDIR when @path ends in a slash.
 */
int fnft_path_dir_ours(const char *path, bool create, const char **name);

/*
 * A temporary file @tmp in @dfd, created afresh for writing (O_EXCL,
 * O_NOFOLLOW, 0600) after removing whatever had the name: a symlink or
 * FIFO planted there is unlinked, never followed.  The fd, or -errno.
 */
int fnft_tmp_create(int dfd, const char *tmp);

#endif
