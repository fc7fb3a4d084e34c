/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_ROW_H
#define FNFT_ROW_H

#include <finesse-nft/catalog.h>

#include "addr.h"
#include "internal.h"

#define FNFT_ID_MAX 48		/* row ids and group names; comments hold 128 */

struct fnft_row {
	char *id;
	char *listener;
	char *note;
	enum fnft_protocol proto;
	enum fnft_direction dir;
	unsigned flags;
	struct fnft_portlist listen;
	struct fnft_portlist remote_ports;
	char **groups;
	size_t n_groups;

	/* where it was written, for messages */
	char *file;
	unsigned line;		/* the [entry] header */
	unsigned remote_line;	/* the `remote =` line */
	/* which keys were seen, to refuse repeats and spot missing ones */
	unsigned seen;
};

struct fnft_catalog {
	struct fnft_row *rows;
	size_t n, cap;
};

/* Start row @id (already validated) read from @loc. */
int fnft_row_init(struct fnft_row *row, const char *id,
		  const struct fnft_loc *loc);
void fnft_row_clear(struct fnft_row *row);

/* One `key = value` of an [entry]; @flags_allowed for catalog files. */
int fnft_row_key(struct fnft_row *row, const char *key, const char *value,
		 const struct fnft_loc *loc, bool flags_allowed,
		 struct fnft_error *err);

/* The row is complete: required keys present, direction fits the ports. */
int fnft_row_finish(struct fnft_row *row, struct fnft_error *err);

/* A valid row id or group name: [a-z0-9] then [a-z0-9._-], FNFT_ID_MAX. */
bool fnft_id_valid(const char *s);

/*
 * A valid group name: a valid id that starts with a letter, since its sets
 * "<group>_v4" are bare nft names and nft reads "1abc_v4" as a number.
 * Keywords are fine: no nft keyword ends in "_v4" or "_v6".
 */
bool fnft_group_name_valid(const char *s);

bool fnft_row_has_group(const struct fnft_row *row, const char *group);

/*
 * Finish @row (see fnft_row_finish) and move it to the end of @cat.  @row is
 * cleared either way.
 */
int fnft_catalog_take_row(struct fnft_catalog *cat, struct fnft_row *row,
			  struct fnft_error *err);

/* Ports as JSON: a port is an integer, a range a string "a-b". */
struct json_t;
struct json_t *fnft_ports_json(const struct fnft_portlist *l);

#endif
