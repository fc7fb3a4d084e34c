/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_INIFILE_H
#define FNFT_INIFILE_H

#include "internal.h"

/*
 * Our front end to inih.  inih does the INI grammar; we feed it one line per
 * call so that we can count lines ourselves, refuse non-text bytes and
 * overlong lines, strip `#` and `;` comments (inih only knows `;` inline),
 * and announce every section header with its line (inih reports only keys,
 * so an empty `[group x]` would otherwise go unseen).
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

/* Read a whole file into memory (NUL-terminated; *len excludes the NUL). */
int fnft_read_file(const char *path, char **text, size_t *len,
		   struct fnft_error *err);

/* Parse "yes|no|true|false|on|off|1|0". */
int fnft_parse_bool(const char *s, bool *out);

/* Split a list on commas and/or white space; calls @fn for each item. */
int fnft_split_list(const char *s, int (*fn)(void *user, const char *item),
		    void *user);

#endif
