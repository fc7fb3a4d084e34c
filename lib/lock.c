/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lock files that name their holder (see lock.h), and the one trusted
 * open of our own files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"

#define TELL_AFTER_MS 1000
#define POLL_NS (10 * 1000 * 1000)

/* Nanoseconds, so that a wait of N ms is never cut short by rounding. */
static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The pid the holder wrote into the lock file, or 0. */
static long holder_of(int fd)
{
	char buf[24] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

bool fnft_fd_ours_alone(int fd, mode_t type)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type &&
	       st.st_uid == geteuid() && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

int fnft_openat_ours(int dfd, const char *name, int flags, mode_t mode)
{
	mode_t type = flags & O_DIRECTORY ? S_IFDIR : S_IFREG;
	/* O_TRUNC only once the file proved ours: it would empty another's */
	int fd = openat(dfd, name, (flags & ~O_TRUNC) | O_CLOEXEC | O_NOFOLLOW |
			O_NONBLOCK, mode);
	int e = errno;
	struct stat st;

	/* a symlink is refused (ELOOP, or ENOTDIR with O_DIRECTORY) */
	if (fd < 0 && (e == ELOOP || (e == ENOTDIR &&
				      fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				      S_ISLNK(st.st_mode))))
		return -EPERM;
	if (fd < 0)
		return -e;
	if (!fnft_fd_ours_alone(fd, type) ||
	    ((flags & O_TRUNC) && ftruncate(fd, 0) < 0)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int fnft_dir_open_ours(const char *dir)
{
	return fnft_openat_ours(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);
}

int fnft_path_dir_ours(const char *path, bool create, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	*name = slash ? slash + 1 : path;
	if (!**name)
		return -EISDIR;
	if (!slash)
		return fnft_dir_open_ours(".");
	if (slash == path)
		return fnft_dir_open_ours("/");
	if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return fnft_dir_open_ours(dir);
}

int fnft_tmp_create(int dfd, const char *tmp)
{
	int fd;

	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	return fd < 0 ? -errno : fd;
}

/* flock(LOCK_EX) on @fd within @timeout_ms: 0, -EBUSY or -errno. */
static int wait_for(int fd, int timeout_ms, fnft_lock_wait_fn waiting, void *ctx)
{
	struct timespec nap = { 0, POLL_NS };
	int64_t start = now_ns(), waited;
	bool told = false;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		waited = (now_ns() - start) / 1000000;	/* whole ms gone by */
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -EBUSY;
		if (!told && waited >= TELL_AFTER_MS && waiting) {
			waiting(ctx, holder_of(fd));
			told = true;
		}
		nanosleep(&nap, NULL);
	}
}

int fnft_lock_take(const char *path, int timeout_ms, fnft_lock_wait_fn waiting,
		   void *ctx, long *holder)
{
	const char *name;
	char pid[24];
	int dfd, fd, rc, n;

	if (holder)
		*holder = 0;
	if ((dfd = fnft_path_dir_ours(path, true, &name)) < 0)
		return dfd;
	/* someone else's file, or a FIFO, is no lock of ours: -EPERM, and the
	 * caller goes on without one (the generation id still guards) */
	fd = fnft_openat_ours(dfd, name, O_RDWR | O_CREAT, 0600);
	close(dfd);
	if (fd < 0)
		return fd;
	rc = wait_for(fd, timeout_ms, waiting, ctx);
	if (rc) {
		if (rc == -EBUSY && holder)
			*holder = holder_of(fd);
		close(fd);
		return rc;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) < 0)
		(void)0;	/* only a courtesy to whoever waits */
	return fd;
}

void fnft_lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0)
		(void)0;	/* a stale pid only misleads a message */
	close(fd);		/* releases the flock */
}
