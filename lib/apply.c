/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apply and remove: lock, read the generation id, encode one batch carrying
 * it, send.  Two finesse-nft processes in one network namespace queue on a
 * lock file so that both succeed one after the other; anyone else who
 * changes the ruleset between our generation read and our batch makes the
 * kernel refuse the batch whole (-EAGAIN), so a table is never mixed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <finesse-nft/kernel.h>

#include "encode.h"
#include "ir.h"
#include "netlink.h"

#define LOCK_DIR "/run/finesse-nft"

/*
 * Take the lock of (network namespace, table).  Returns the fd, or -1 when
 * no lock can be had here (no /run, not root): then the generation id alone
 * guards us, which is still safe, only less polite.
 */
static int lock_table(const char *table)
{
	char path[256];
	struct stat st;
	int fd;

	if (stat("/proc/thread-self/ns/net", &st) < 0 &&
	    stat("/proc/self/ns/net", &st) < 0)
		return -1;
	if (mkdir(LOCK_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), LOCK_DIR "/lock.%llu.%s",
		 (unsigned long long)st.st_ino, table);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void unlock_table(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

typedef int (*encode_fn)(const void *what, uint32_t genid, uint32_t seq,
			 struct fnft_batch **out);

static int encode_replace(const void *what, uint32_t genid, uint32_t seq,
			  struct fnft_batch **out)
{
	return fnft_encode_replace(what, genid, seq, out);
}

static int encode_remove(const void *what, uint32_t genid, uint32_t seq,
			 struct fnft_batch **out)
{
	return fnft_encode_remove(what, genid, seq, out);
}

static int transact(const char *table, encode_fn encode, const void *what,
		    const struct fnft_ruleset *rs, struct fnft_error *err)
{
	struct fnft_batch *b = NULL;
	struct fnft_nl *nl = NULL;
	uint32_t genid = 0;
	int lock, rc;

	lock = lock_table(table);
	rc = fnft_nl_open(&nl, err);
	if (!rc)
		rc = fnft_nl_genid(nl, &genid, err);
	if (!rc) {
		rc = encode(what, genid, fnft_nl_next_seq(nl), &b);
		if (rc)
			fnft_err(err, rc, NULL, table, "cannot encode the table: %s",
				 strerror(-rc));
	}
	if (!rc)
		rc = fnft_nl_send_batch(nl, b, rs, err);
	fnft_batch_free(b);
	fnft_nl_close(nl);
	unlock_table(lock);
	return rc;
}

FNFT_EXPORT int fnft_apply(const struct fnft_ruleset *rs, struct fnft_error *err)
{
	if (!rs)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	return transact(rs->table, encode_replace, rs, rs, err);
}

FNFT_EXPORT int fnft_remove(const char *table, struct fnft_error *err)
{
	if (!table)
		table = FNFT_DEFAULT_TABLE;
	if (!fnft_table_name_valid(table))
		return fnft_err(err, -EINVAL, NULL, table,
				"bad table name '%s' (a letter, then letters, digits, '_' or '-', at most 64)",
				table);
	return transact(table, encode_remove, table, NULL, err);
}
