/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "inifile.h"

struct reader {
	const char *name;
	const char *p, *end;
	unsigned line;
	const struct fnft_ini_ops *ops;
	void *user;
	struct fnft_error *err;
};

/* The longest line, newline not counted: what inih allowed (INI_MAX_LINE
 * 200, less the newline and the NUL), kept when we parsed it ourselves. */
#define LINE_MAX_LEN 198

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

/* Eight copies of byte @b, and whether any byte of @x is zero (exact:
 * the classic test can err only in bytes after a zero one). */
#define BYTES8(b)	(0x0101010101010101ull * (uint8_t)(b))
#define ANY_ZERO8(x)	(((x) - BYTES8(1)) & ~(x) & BYTES8(0x80))

/*
 * Whether the eight bytes at @s are all plain: printable ASCII other than
 * the comment characters.  Then scan_line() has nothing to do for them.
 * A byte below 0x20 shows as a borrow out of x - 0x20 where x had no high
 * bit; a byte with the high bit set (0x80-0xff) is caught by itself.
 */
static bool plain8(const char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
	return !(((x - BYTES8(0x20)) & ~x & BYTES8(0x80)) | (x & BYTES8(0x80)) |
		 ANY_ZERO8(x ^ BYTES8(0x7f)) | ANY_ZERO8(x ^ BYTES8('#')) |
		 ANY_ZERO8(x ^ BYTES8(';')));
}

/*
 * One pass over a line: refuse what is not text, and find where a comment
 * starts (*comment = @n if none): `#` or `;` at the start of the line or
 * after a blank.  Bytes in a comment must be text too.  Runs of plain
 * bytes go eight at a time; the rest, byte by byte.
 */
static int scan_line(struct reader *r, const char *s, size_t n, size_t *comment)
{
	struct fnft_loc loc = { r->name, r->line };
	size_t i = 0, k;

	*comment = n;
	while (i < n) {
		unsigned char c;

		if (n - i >= 8 && plain8(s + i)) {
			i += 8;
			continue;
		}
		c = (unsigned char)s[i];

		/* printable ASCII, nearly all of any site file */
		if (c >= 0x20 && c < 0x7f) {
			if ((c == '#' || c == ';') && *comment == n &&
			    (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
				*comment = i;
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

/* The blanks a line may carry: scan_line() lets no other control
 * character through. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
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
	while (a < b && is_blank(s[a]))
		a++;
	while (b > a && is_blank(s[b - 1]))
		b--;
	if (b - a >= sizeof(name))
		return fnft_err(r->err, -EINVAL, &loc, NULL,
				"section name is too long");
	memcpy(name, s + a, b - a);
	name[b - a] = '\0';
	return r->ops->section(r->user, name, &loc, r->err);
}

/* Whether the eight bytes at @s hold an '=' or a ':'. */
static bool has_separator8(const char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
	return (ANY_ZERO8(x ^ BYTES8('=')) | ANY_ZERO8(x ^ BYTES8(':'))) != 0;
}

/*
 * `key = value` (or `key: value`, as inih has it: the first '=' or ':'
 * splits), both sides trimmed, handed over NUL-terminated.
 */
static int key_line(struct reader *r, const char *s, size_t n)
{
	struct fnft_loc loc = { r->name, r->line };
	char line[LINE_MAX_LEN + 2];
	size_t d, k, v;

	/* words without either separator first, then byte by byte */
	for (d = 0; n - d >= 8 && !has_separator8(s + d); d += 8)
		;
	for (; d < n && s[d] != '=' && s[d] != ':'; d++)
		;
	if (d == n)
		return fnft_err(r->err, -EINVAL, &loc, NULL,
				"expected 'key = value' or a [section] header");
	for (k = d; k && is_blank(s[k - 1]); k--)
		;
	for (v = d + 1; v < n && is_blank(s[v]); v++)
		;
	memcpy(line, s, k);
	line[k] = '\0';
	memcpy(line + k + 1, s + v, n - v);
	line[k + 1 + n - v] = '\0';
	return r->ops->key(r->user, line, line + k + 1, &loc, r->err);
}

/* One line, without its newline: checked, cleaned, dispatched. */
static int parse_line(struct reader *r, const char *s, size_t raw)
{
	struct fnft_loc loc = { r->name, r->line };
	size_t n;
	int rc;

	/* a UTF-8 byte order mark before the first line */
	if (r->line == 1 && raw >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3, raw -= 3;
	if ((rc = scan_line(r, s, raw, &n)))
		return rc;
	if (raw > LINE_MAX_LEN)
		return fnft_err(r->err, -EINVAL, &loc, NULL,
				"line is %zu characters long; the limit is %d",
				raw, LINE_MAX_LEN);
	while (n && is_blank(s[n - 1]))
		n--;
	while (n && is_blank(*s))
		s++, n--;
	if (!n)
		return 0;
	if (s[0] == '[')
		return section_line(r, s, n);
	return key_line(r, s, n);
}

int fnft_ini_parse(const char *name, const char *text, size_t len,
		   const struct fnft_ini_ops *ops, void *user,
		   struct fnft_error *err)
{
	struct reader r = {
		.name = name, .p = text, .end = text + len,
		.ops = ops, .user = user, .err = err,
	};
	const char *eol;
	int rc;

	while (r.p < r.end) {
		eol = memchr(r.p, '\n', (size_t)(r.end - r.p));
		if (!eol)
			eol = r.end;
		r.line++;
		if ((rc = parse_line(&r, r.p, (size_t)(eol - r.p))))
			return rc;
		r.p = eol < r.end ? eol + 1 : eol;
	}
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
