/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_INIFILE_H
#define FNFT_INIFILE_H

#include "internal.h"

/*
 * The INI grammar of site and catalog files, line by line: a line is a
 * `[section]` header, a `key = value` (the first '=' or ':' splits; both
 * sides trimmed), a comment (`#` or `;` at the start of a line or after a
 * blank) or blank.  Lines are counted for error messages, non-text bytes
 * and lines over 198 characters are refused, a UTF-8 byte order mark on
 * line 1 is skipped, and every section header is announced with its line,
 * so that an empty `[group x]` is seen too.  This is the grammar inih
 * parsed for us at first; we parse it ourselves because at 100,000
 * networks inih's per-line copies were a tenth of a no-op apply.
 */
struct fnft_ini_ops {
	/* A section header "[name]" (brackets removed, trimmed). */
	int (*section)(void *user, const char *name, const struct fnft_loc *loc,
		       struct fnft_error *err);
	/* A `key = value` line of the current section. */
	int (*key)(void *user, const char *key, const char *value,
		   const struct fnft_loc *loc, struct fnft_error *err);
};

/*
 * Parse @len bytes of @text named @name.  Stops at the first error, which
 * fills @err with the file and line.  Returns 0 or a negative errno.
 */
int fnft_ini_parse(const char *name, const char *text, size_t len,
		   const struct fnft_ini_ops *ops, void *user,
		   struct fnft_error *err);

/* Parse "yes|no|true|false|on|off|1|0". */
int fnft_parse_bool(const char *s, bool *out);

/* Split a list on commas and/or white space; calls @fn for each item. */
int fnft_split_list(const char *s, int (*fn)(void *user, const char *item),
		    void *user);

#endif
