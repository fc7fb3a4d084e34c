/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ir-json.h"
#include "lock.h"
#include "state.h"

#define STATE_VERSION 3	/* 2: elements as hex; 3: as raw bytes after the JSON */
#define HEADER_MAX 1024

/* ---- the file ---- */

int fnft_state_key_boot(struct fnft_state_key *key)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	char *nl;

	if (!f)
		return -errno;
	if (!fgets(key->boot_id, sizeof(key->boot_id), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	nl = strchr(key->boot_id, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

/* NETNS.TABLE.state: JSON lines and raw keys (format 2 was all JSON and
 * named NETNS.TABLE.json; see fnft_state_save()) */
static void state_name(const struct fnft_state_key *key, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%s.state", key->netns, key->table);
}

static void legacy_name(const struct fnft_state_key *key, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%s.json", key->netns, key->table);
}

/*
 * The directory as an fd to openat() in, if it is a directory (not a
 * symlink to one) and ours alone (fnft_fd_ours_alone(): anyone else who
 * can write in it could make the file say "in sync"): -ENOENT when it is
 * missing (and not to be created), -EPERM when it is not to be trusted.
 */
static int dir_open(const char *dir, bool create)
{
	int fd;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = fnft_dir_open_ours(dir);
	return fd >= 0 || fd == -EPERM ? fd : -ENOENT;
}

/*
 * The state file of @key, open for reading, if it and its directory are
 * to be trusted: a regular file (never a FIFO to hang on or a device to
 * read without end), ours alone, at most FNFT_STATE_MAX bytes (*size).
 * -ENOENT when there is none, -EPERM or -EFBIG when it is not trusted.
 */
static int file_open(const char *dir, const struct fnft_state_key *key,
		     size_t *size)
{
	char name[128];
	struct stat st;
	int dfd, fd;

	dfd = dir_open(dir, false);
	if (dfd < 0)
		return dfd;
	state_name(key, name, sizeof(name));
	fd = fnft_openat_ours(dfd, name, O_RDONLY, 0);
	close(dfd);
	if (fd < 0)
		return fd == -EPERM ? fd : -ENOENT;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -ENOENT;
	}
	if (st.st_size > FNFT_STATE_MAX) {
		close(fd);
		return -EFBIG;
	}
	*size = (size_t)st.st_size;
	return fd;
}

/* Up to @len bytes from @fd; the count read, or -1. */
static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Line 1: what the file is for, and the fingerprint of what it holds. */
static char *header_line(const struct fnft_state_key *key, uint32_t genid,
			 uint64_t fp)
{
	char fps[24], *line;
	json_t *h;

	snprintf(fps, sizeof(fps), "%016" PRIx64, fp);
	h = json_pack("{s:i, s:s, s:I, s:s, s:I, s:s}", "version",
		      STATE_VERSION, "boot_id", key->boot_id, "netns",
		      (json_int_t)key->netns, "table", key->table, "genid",
		      (json_int_t)genid, "fingerprint", fps);
	line = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(h);
	return line;
}

/*
 * Through a temporary file and a rename: a reader sees the old file or
 * the new one, never half of one.  All inside the directory's fd, which
 * was checked to be ours alone; the temporary file is created afresh
 * (O_EXCL, O_NOFOLLOW), so a name planted there is removed, never
 * followed.
 */
static int write_file(const char *dir, const struct fnft_state_key *key,
		      const char *head, const char *body, const uint8_t *keys,
		      size_t n_keys)
{
	char name[128], tmp[136];
	int dfd, fd, rc = 0;
	FILE *f;

	dfd = dir_open(dir, true);
	if (dfd < 0)
		return dfd;
	state_name(key, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = fnft_tmp_create(dfd, tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		close(dfd);
		return rc;
	}
	if (fprintf(f, "%s\n%s\n", head, body) < 0 ||
	    fwrite(keys, 1, n_keys, f) != n_keys)
		rc = -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, name) < 0)
		rc = -errno;
	if (rc)
		unlinkat(dfd, tmp, 0);
	else {	/* a format-2 file of the same key is stale from here on */
		legacy_name(key, name, sizeof(name));
		unlinkat(dfd, name, 0);
	}
	close(dfd);
	return rc;
}

int fnft_state_save(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, const struct fnft_ruleset *rs)
{
	return fnft_state_save_fp(dir, key, genid, rs,
				  fnft_ruleset_fingerprint(rs));
}

int fnft_state_save_fp(const char *dir, const struct fnft_state_key *key,
		       uint32_t genid, const struct fnft_ruleset *rs, uint64_t fp)
{
	char *head = header_line(key, genid, fp);
	char *body = NULL;
	uint8_t *keys = NULL;
	size_t n_keys = 0;
	int rc = -ENOMEM;

	if (head)
		rc = fnft_ir_json_dump(rs, &body, &keys, &n_keys);
	if (!rc)
		rc = write_file(dir, key, head, body, keys, n_keys);
	free(head);
	free(body);
	free(keys);
	return rc;
}

/* Does header line @line belong to @key at @genid?  Fills *fp. */
static int check_header(const char *line, const struct fnft_state_key *key,
			uint64_t genid, uint64_t *fp)
{
	json_t *h = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);
	const char *boot, *table, *fps;
	int rc = -ENOENT;

	if (!h)
		return rc;
	boot = json_string_value(json_object_get(h, "boot_id"));
	table = json_string_value(json_object_get(h, "table"));
	fps = json_string_value(json_object_get(h, "fingerprint"));
	if (json_integer_value(json_object_get(h, "version")) == STATE_VERSION &&
	    fps && streq(boot ?: "", key->boot_id) &&
	    (uint64_t)json_integer_value(json_object_get(h, "netns")) == key->netns &&
	    streq(table ?: "", key->table) &&
	    (genid == FNFT_STATE_ANY_GENERATION ||
	     (uint32_t)json_integer_value(json_object_get(h, "genid")) == genid) &&
	    sscanf(fps, "%" SCNx64, fp) == 1)
		rc = 0;
	json_decref(h);
	return rc;
}

/*
 * The file, read into memory only once it proved trustworthy: whole, or
 * its first @cap bytes when @cap is not 0.
 */
static int read_state(const char *dir, const struct fnft_state_key *key,
		      size_t cap, char **text, size_t *len)
{
	size_t size, want;
	ssize_t n;
	int fd;

	fd = file_open(dir, key, &size);
	if (fd < 0)
		return fd;
	want = cap && cap < size ? cap : size;
	*text = malloc(want + 1);
	if (!*text) {
		close(fd);
		return -ENOMEM;
	}
	/* one byte over: a file grown since fstat() is not the one checked */
	n = read_all(fd, *text, want + 1);
	close(fd);
	if (n < 0 || (size_t)n < want || (!cap && (size_t)n != size)) {
		free(*text);
		*text = NULL;
		return -ENOENT;
	}
	(*text)[want] = '\0';
	*len = want;
	return 0;
}

int fnft_state_peek(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, uint64_t *fingerprint)
{
	char *line = NULL, *nl;
	size_t len;
	int rc;

	rc = read_state(dir, key, HEADER_MAX - 1, &line, &len);
	if (rc)
		return rc == -ENOMEM ? -ENOENT : rc;
	nl = strchr(line, '\n');
	rc = -ENOENT;
	if (nl) {
		*nl = '\0';
		rc = check_header(line, key, genid, fingerprint);
	}
	free(line);
	return rc;
}

static int load(const char *dir, const struct fnft_state_key *key,
		uint64_t genid, struct fnft_ruleset **out)
{
	char *text = NULL, *head_end, *body_end;
	struct fnft_ruleset *rs;
	size_t len;
	uint64_t fp;
	int rc;

	rc = read_state(dir, key, 0, &text, &len);
	if (rc)
		return rc == -ENOMEM ? -ENOENT : rc;
	rc = -ENOENT;
	/* header line, JSON line, then the raw keys (which may hold any byte) */
	head_end = memchr(text, '\n', len);
	body_end = head_end ? memchr(head_end + 1, '\n',
				     (size_t)(text + len - head_end - 1))
			    : NULL;
	if (!body_end)
		goto out;
	*head_end = *body_end = '\0';
	if (check_header(text, key, genid, &fp))
		goto out;
	if (fnft_ir_json_load(head_end + 1, (const uint8_t *)body_end + 1,
			      (size_t)(text + len - body_end - 1), &rs))
		goto out;
	/* a file that does not hash to its header was damaged */
	if (fnft_ruleset_fingerprint(rs) != fp) {
		fnft_ruleset_free(rs);
		goto out;
	}
	*out = rs;
	rc = 0;
out:
	free(text);
	return rc;
}

int fnft_state_load(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, struct fnft_ruleset **out)
{
	return load(dir, key, genid, out);
}

int fnft_state_load_committed(const char *dir, const struct fnft_state_key *key,
			      struct fnft_ruleset **out)
{
	return load(dir, key, FNFT_STATE_ANY_GENERATION, out);
}

void fnft_state_forget(const char *dir, const struct fnft_state_key *key)
{
	char name[128];
	int dfd = dir_open(dir, false);

	if (dfd < 0)
		return;		/* nothing of ours to remove there */
	state_name(key, name, sizeof(name));
	unlinkat(dfd, name, 0);
	legacy_name(key, name, sizeof(name));
	unlinkat(dfd, name, 0);
	close(dfd);
}
