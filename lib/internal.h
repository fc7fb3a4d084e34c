/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_INTERNAL_H
#define FNFT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/error.h>

#define FNFT_EXPORT __attribute__((visibility("default")))
#define FNFT_PRINTF(f, a) __attribute__((format(printf, f, a)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Where a thing was written: the file and the 1-based line. */
struct fnft_loc {
	const char *file;
	unsigned line;
};

/*
 * Fill @err (if any) and return @code, so that error paths read
 * `return fnft_err(err, -EINVAL, &loc, row_id, "...", ...);`.
 */
int fnft_err(struct fnft_error *err, int code, const struct fnft_loc *loc,
	     const char *object, const char *fmt, ...) FNFT_PRINTF(5, 6);

/*
 * Is @word one nft refuses where a name goes ("counter", "inet", "ip6"...)?
 * The list and where it comes from: lib/keyword.c.
 */
bool fnft_nft_keyword(const char *word);

/* A growable NUL-terminated text buffer; on allocation failure it latches. */
struct fnft_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void fnft_buf_printf(struct fnft_buf *b, const char *fmt, ...) FNFT_PRINTF(2, 3);
void fnft_buf_puts(struct fnft_buf *b, const char *s);
/* Hand the text over (*out) and reset @b; -ENOMEM if any append failed. */
int fnft_buf_steal(struct fnft_buf *b, char **out);
void fnft_buf_free(struct fnft_buf *b);

/* Grow *v (of *cap elements of @size bytes) to hold at least @want. */
int fnft_grow(void *v, size_t *cap, size_t want, size_t size);

char *fnft_strdup(const char *s);

/* Read a whole file into memory (NUL-terminated; *len excludes the NUL);
 * a regular file in one read() into a buffer of its size.  Only a regular
 * file or an anonymous pipe: anything else (a named FIFO, a device) is
 * -EINVAL "not a regular file", without blocking. */
int fnft_read_file(const char *path, char **text, size_t *len,
		   struct fnft_error *err);

/* Length of the UTF-8 sequence at @s (at most @n bytes), or 0 if invalid. */
size_t fnft_utf8_len(const unsigned char *s, size_t n);

/* @s as a JSON string, any byte that is not UTF-8 written as "\xNN" text;
 * NULL when out of memory. */
struct json_t;
struct json_t *fnft_json_text(const char *s);

#endif
