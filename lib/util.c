/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <jansson.h>

#include "internal.h"

int fnft_err(struct fnft_error *err, int code, const struct fnft_loc *loc,
	     const char *object, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;

	memset(err, 0, sizeof(*err));
	err->code = code;
	if (loc && loc->file) {
		snprintf(err->file, sizeof(err->file), "%s", loc->file);
		err->line = loc->line;
	}
	if (object)
		snprintf(err->object, sizeof(err->object), "%s", object);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

FNFT_EXPORT int fnft_error_format(const struct fnft_error *err, char *buf,
				  unsigned long len)
{
	if (err->file[0] && err->line)
		return snprintf(buf, len, "%s:%u: %s", err->file, err->line,
				err->message);
	if (err->file[0])
		return snprintf(buf, len, "%s: %s", err->file, err->message);
	return snprintf(buf, len, "%s", err->message);
}

int fnft_grow(void *v, size_t *cap, size_t want, size_t size)
{
	void **p = v;
	size_t ncap;
	void *n;

	if (want <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2 / size)
			return -ENOMEM;
		ncap *= 2;
	}
	n = realloc(*p, ncap * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

char *fnft_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void buf_vprintf(struct fnft_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->oom)
		return;
	va_copy(aq, ap);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0,
		      fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		if (fnft_grow(&b->s, &b->cap, b->len + (size_t)n + 1, 1) < 0) {
			b->oom = true;
			return;
		}
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void fnft_buf_printf(struct fnft_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void fnft_buf_puts(struct fnft_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->oom)
		return;
	if (fnft_grow(&b->s, &b->cap, b->len + n + 1, 1) < 0) {
		b->oom = true;
		return;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

int fnft_buf_steal(struct fnft_buf *b, char **out)
{
	if (b->oom) {
		fnft_buf_free(b);
		return -ENOMEM;
	}
	if (!b->s) {
		b->s = strdup("");
		if (!b->s)
			return -ENOMEM;
	}
	*out = b->s;
	memset(b, 0, sizeof(*b));
	return 0;
}

void fnft_buf_free(struct fnft_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/*
 * A regular file, or an anonymous pipe (`-c <(...)`, a pipe on stdin): its
 * writer is whoever gave us the path.  Never a named FIFO, which blocks for
 * as long as anyone holds it open, a device (/dev/zero reads without end),
 * a socket or a directory.
 */
static bool readable_kind(int fd, const struct stat *st)
{
	struct statfs fs;

	if (S_ISREG(st->st_mode))
		return true;
	return S_ISFIFO(st->st_mode) && fstatfs(fd, &fs) == 0 &&
	       fs.f_type == PIPEFS_MAGIC;
}

int fnft_read_file(const char *path, char **text, size_t *len,
		   struct fnft_error *err)
{
	struct fnft_loc loc = { path, 0 };
	struct fnft_buf b = { 0 };
	struct stat st = { 0 };
	ssize_t n = 0;
	int fd, rc;

	/* O_NONBLOCK: a FIFO without a writer must not hang us in open() */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fnft_err(err, -errno, &loc, NULL, "cannot open: %s",
				strerror(errno));
	if (fstat(fd, &st) < 0 || !readable_kind(fd, &st) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		if (S_ISDIR(st.st_mode))
			return fnft_err(err, -EISDIR, &loc, NULL,
					"cannot read: %s", strerror(EISDIR));
		return fnft_err(err, -EINVAL, &loc, NULL,
				"cannot read: not a regular file");
	}
	/* read straight into a buffer of the file's size (plus the NUL and
	 * one byte to see the end): big sites are megabytes, and growing by
	 * copies touched every page twice */
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < SIZE_MAX / 2 &&
	    fnft_grow(&b.s, &b.cap, (size_t)st.st_size + 2, 1) < 0)
		b.oom = true;
	while (!b.oom) {
		if (b.cap - b.len < 2 &&
		    fnft_grow(&b.s, &b.cap, b.len + 65536, 1) < 0) {
			b.oom = true;
			break;
		}
		n = read(fd, b.s + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b.len += (size_t)n;
	}
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc < 0 || b.oom) {
		fnft_buf_free(&b);
		if (!rc)
			return fnft_err(err, -ENOMEM, &loc, NULL, "out of memory");
		return fnft_err(err, rc, &loc, NULL, "cannot read: %s",
				strerror(-rc));
	}
	b.s[b.len] = '\0';	/* the loop left room for it */
	*len = b.len;
	*text = b.s;
	return 0;
}

/*
 * JSON strings must be UTF-8; the live table may hold any bytes (a comment
 * set by hand).  Such bytes are written as \xNN text, so nothing is ever
 * dropped from the data.
 */
struct json_t *fnft_json_text(const char *s)
{
	struct fnft_buf b = { 0 };
	size_t n = strlen(s), i = 0, k;
	json_t *j;

	while (i < n) {
		k = fnft_utf8_len((const unsigned char *)s + i, n - i);
		if (k) {
			fnft_buf_printf(&b, "%.*s", (int)k, s + i);
			i += k;
		} else {
			fnft_buf_printf(&b, "\\x%02x", (unsigned char)s[i++]);
		}
	}
	j = b.oom ? NULL : json_string(b.s ? b.s : "");
	fnft_buf_free(&b);
	return j;
}
