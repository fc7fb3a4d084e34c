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
static void state_path(const char *dir, const struct fnft_state_key *key,
		       char *buf, size_t len)
{
	snprintf(buf, len, "%s/%" PRIu64 ".%s.state", dir, key->netns, key->table);
}

static void legacy_path(const char *dir, const struct fnft_state_key *key,
			char *buf, size_t len)
{
	snprintf(buf, len, "%s/%" PRIu64 ".%s.json", dir, key->netns, key->table);
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

/* Through a temporary file and a rename: a reader sees the old file or
 * the new one, never half of one. */
static int write_file(const char *dir, const struct fnft_state_key *key,
		      const char *head, const char *body, const uint8_t *keys,
		      size_t n_keys)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	int rc = 0;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	state_path(dir, key, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%s\n%s\n", head, body) < 0 ||
	    fwrite(keys, 1, n_keys, f) != n_keys)
		rc = -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	/* a format-2 file of the same key is stale from here on */
	legacy_path(dir, key, path, sizeof(path));
	unlink(path);
	return 0;
}

int fnft_state_save(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, const struct fnft_ruleset *rs)
{
	char *head = header_line(key, genid, fnft_ruleset_fingerprint(rs));
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

int fnft_state_peek(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, uint64_t *fingerprint)
{
	char path[PATH_MAX], line[HEADER_MAX];
	FILE *f;
	int rc = -ENOENT;

	state_path(dir, key, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	if (fgets(line, sizeof(line), f))
		rc = check_header(line, key, genid, fingerprint);
	fclose(f);
	return rc;
}

static int load(const char *dir, const struct fnft_state_key *key,
		uint64_t genid, struct fnft_ruleset **out)
{
	char path[PATH_MAX];
	char *text = NULL, *head_end, *body_end;
	struct fnft_ruleset *rs;
	size_t len;
	uint64_t fp;
	int rc = -ENOENT;

	state_path(dir, key, path, sizeof(path));
	if (fnft_read_file(path, &text, &len, NULL) < 0)
		return -ENOENT;
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
	char path[PATH_MAX];

	state_path(dir, key, path, sizeof(path));
	unlink(path);
	legacy_path(dir, key, path, sizeof(path));
	unlink(path);
}
