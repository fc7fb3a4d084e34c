/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "inifile.h"

struct reader {
	const char *name;
	const char *p, *end;
	unsigned line;
	const struct fnft_ini_ops *ops;
	void *user;
	struct fnft_error *err;
	int rc;			/* first error; once set, the reader stops */
};

/* Length of the UTF-8 sequence at @s (at most @n bytes), or 0 if invalid. */
size_t fnft_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static int check_text(struct reader *r, const char *s, size_t n)
{
	struct fnft_loc loc = { r->name, r->line };
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		/* printable ASCII, nearly all of any site file */
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if (c == 0)
			return fnft_err(r->err, -EINVAL, &loc, NULL,
					"NUL byte in the file (is it a text file?)");
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return fnft_err(r->err, -EINVAL, &loc, NULL,
					"non-text byte 0x%02x", c);
		k = fnft_utf8_len((const unsigned char *)s + i, n - i);
		if (!k)
			return fnft_err(r->err, -EINVAL, &loc, NULL,
					"byte 0x%02x is not valid UTF-8", c);
		i += k;
	}
	return 0;
}

/* Drop comments: a line starting with # or ;, or one preceded by blanks. */
static size_t strip_comment(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '#' && s[i] != ';')
			continue;
		if (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')
			return i;
	}
	return n;
}

static int section_line(struct reader *r, const char *s, size_t n)
{
	struct fnft_loc loc = { r->name, r->line };
	char name[256];
	size_t a = 1, b;

	if (s[n - 1] != ']')
		return fnft_err(r->err, -EINVAL, &loc, NULL,
				"section header must be '[name]' alone on its line");
	b = n - 1;
	while (a < b && isblank((unsigned char)s[a]))
		a++;
	while (b > a && isblank((unsigned char)s[b - 1]))
		b--;
	if (b - a >= sizeof(name))
		return fnft_err(r->err, -EINVAL, &loc, NULL,
				"section name is too long");
	memcpy(name, s + a, b - a);
	name[b - a] = '\0';
	return r->ops->section(r->user, name, &loc, r->err);
}

/* inih's line source: one of our lines per call, cleaned up. */
static char *next_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	struct fnft_loc loc;
	const char *eol, *s;
	size_t n, raw;

	if (r->rc || r->p >= r->end)
		return NULL;
	eol = memchr(r->p, '\n', (size_t)(r->end - r->p));
	if (!eol)
		eol = r->end;
	s = r->p;
	raw = (size_t)(eol - s);
	r->p = eol < r->end ? eol + 1 : eol;
	r->line++;
	loc = (struct fnft_loc){ r->name, r->line };

	r->rc = check_text(r, s, raw);
	if (r->rc)
		return NULL;
	/* inih needs room for the newline and the NUL. */
	if (raw + 2 > (size_t)num) {
		r->rc = fnft_err(r->err, -EINVAL, &loc, NULL,
				 "line is %zu characters long; the limit is %d",
				 raw, num - 2);
		return NULL;
	}

	n = strip_comment(s, raw);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isblank((unsigned char)*s))
		s++, n--;
	if (n && s[0] == '[') {
		r->rc = section_line(r, s, n);
		if (r->rc)
			return NULL;
	}
	memcpy(str, s, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

static int on_key(void *user, const char *section, const char *key,
		  const char *value)
{
	struct reader *r = user;
	struct fnft_loc loc = { r->name, r->line };

	(void)section;
	if (r->rc)
		return 0;
	r->rc = r->ops->key(r->user, key, value, &loc, r->err);
	return r->rc == 0;
}

int fnft_ini_parse(const char *name, const char *text, size_t len,
		   const struct fnft_ini_ops *ops, void *user,
		   struct fnft_error *err)
{
	struct reader r = {
		.name = name, .p = text, .end = text + len,
		.ops = ops, .user = user, .err = err,
	};
	int line;

	line = ini_parse_stream(next_line, &r, on_key, &r);
	if (r.rc)
		return r.rc;
	if (line < 0)
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	if (line > 0) {
		struct fnft_loc loc = { name, (unsigned)line };

		return fnft_err(err, -EINVAL, &loc, NULL,
				"expected 'key = value' or a [section] header");
	}
	return 0;
}

int fnft_read_file(const char *path, char **text, size_t *len,
		   struct fnft_error *err)
{
	struct fnft_loc loc = { path, 0 };
	struct fnft_buf b = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fnft_err(err, -errno, &loc, NULL, "cannot open: %s",
				strerror(errno));
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (fnft_grow(&b.s, &b.cap, b.len + (size_t)n + 1, 1) < 0) {
			b.oom = true;
			break;
		}
		memcpy(b.s + b.len, chunk, (size_t)n);
		b.len += (size_t)n;
		b.s[b.len] = '\0';
	}
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc < 0) {
		fnft_buf_free(&b);
		return fnft_err(err, rc, &loc, NULL, "cannot read: %s",
				strerror(-rc));
	}
	*len = b.len;
	if (fnft_buf_steal(&b, text) < 0)
		return fnft_err(err, -ENOMEM, &loc, NULL, "out of memory");
	return 0;
}

int fnft_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (streq(s, yes[i]))
			return *out = true, 0;
		if (streq(s, no[i]))
			return *out = false, 0;
	}
	return -EINVAL;
}

int fnft_split_list(const char *s, int (*fn)(void *user, const char *item),
		    void *user)
{
	char item[256];
	size_t n;
	int rc;

	for (;;) {
		s += strspn(s, ", \t");
		if (!*s)
			return 0;
		n = strcspn(s, ", \t");
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, s, n);
		item[n] = '\0';
		rc = fn(user, item);
		if (rc)
			return rc;
		s += strcspn(s, ", \t");
	}
}
