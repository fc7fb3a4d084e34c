/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>

#include "inifile.h"
#include "row.h"

enum {
	SEEN_LISTENER = 1 << 0,
	SEEN_PROTOCOL = 1 << 1,
	SEEN_LISTEN = 1 << 2,
	SEEN_REMOTE_PORT = 1 << 3,
	SEEN_REMOTE = 1 << 4,
	SEEN_DIRECTION = 1 << 5,
	SEEN_NOTE = 1 << 6,
	SEEN_INSECURE = 1 << 7,
	SEEN_MOVABLE = 1 << 8,
};

bool fnft_id_valid(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]) || isupper((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= FNFT_ID_MAX)
			return false;
		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

bool fnft_group_name_valid(const char *s)
{
	return islower((unsigned char)s[0]) && fnft_id_valid(s);
}

int fnft_row_init(struct fnft_row *row, const char *id,
		  const struct fnft_loc *loc)
{
	memset(row, 0, sizeof(*row));
	row->id = strdup(id);
	row->file = strdup(loc->file);
	row->line = loc->line;
	row->proto = FNFT_PROTO_TCP;
	if (!row->id || !row->file) {
		fnft_row_clear(row);
		return -ENOMEM;
	}
	return 0;
}

void fnft_row_clear(struct fnft_row *row)
{
	size_t i;

	free(row->id);
	free(row->listener);
	free(row->note);
	free(row->file);
	fnft_portlist_free(&row->listen);
	fnft_portlist_free(&row->remote_ports);
	for (i = 0; i < row->n_groups; i++)
		free(row->groups[i]);
	free(row->groups);
	memset(row, 0, sizeof(*row));
}

bool fnft_row_has_group(const struct fnft_row *row, const char *group)
{
	size_t i;

	for (i = 0; i < row->n_groups; i++)
		if (streq(row->groups[i], group))
			return true;
	return false;
}

struct group_ctx {
	struct fnft_row *row;
	const struct fnft_loc *loc;
	struct fnft_error *err;
};

static int add_group(void *user, const char *name)
{
	struct group_ctx *c = user;
	struct fnft_row *row = c->row;
	size_t cap = row->n_groups;
	char *dup;

	if (!fnft_group_name_valid(name))
		return fnft_err(c->err, -EINVAL, c->loc, row->id,
				"'%s' is not a valid group name (a lower-case letter, then lower-case letters, digits, '.', '-', '_')",
				name);
	if (fnft_row_has_group(row, name))
		return fnft_err(c->err, -EINVAL, c->loc, row->id,
				"group '%s' is listed twice", name);
	dup = strdup(name);
	if (!dup || fnft_grow(&row->groups, &cap, row->n_groups + 1,
			      sizeof(*row->groups)) < 0) {
		free(dup);
		return fnft_err(c->err, -ENOMEM, c->loc, row->id, "out of memory");
	}
	row->groups[row->n_groups++] = dup;
	return 0;
}

static int set_string(char **dst, const char *value, const struct fnft_loc *loc,
		      const char *id, struct fnft_error *err)
{
	free(*dst);
	*dst = strdup(value);
	if (!*dst)
		return fnft_err(err, -ENOMEM, loc, id, "out of memory");
	return 0;
}

static int set_ports(struct fnft_portlist *l, const char *key, const char *value,
		     const struct fnft_loc *loc, const char *id,
		     struct fnft_error *err)
{
	char why[160];

	if (fnft_ports_parse(value, l, why, sizeof(why)) < 0)
		return fnft_err(err, -EINVAL, loc, id, "%s: %s", key, why);
	fnft_portlist_normalize(l);
	return 0;
}

static int set_flag(struct fnft_row *row, unsigned flag, const char *key,
		    const char *value, const struct fnft_loc *loc,
		    struct fnft_error *err)
{
	bool on;

	if (fnft_parse_bool(value, &on) < 0)
		return fnft_err(err, -EINVAL, loc, row->id,
				"bad %s value '%s' (expected yes or no)", key,
				value);
	if (on)
		row->flags |= flag;
	else
		row->flags &= ~flag;
	return 0;
}

static int set_protocol(struct fnft_row *row, const char *value,
			const struct fnft_loc *loc, struct fnft_error *err)
{
	if (streq(value, "tcp"))
		row->proto = FNFT_PROTO_TCP;
	else if (streq(value, "udp"))
		row->proto = FNFT_PROTO_UDP;
	else
		return fnft_err(err, -EINVAL, loc, row->id,
				"bad protocol '%s' (expected tcp or udp)", value);
	return 0;
}

static int set_direction(struct fnft_row *row, const char *value,
			 const struct fnft_loc *loc, struct fnft_error *err)
{
	if (streq(value, "inbound"))
		row->dir = FNFT_DIR_INBOUND;
	else if (streq(value, "outbound"))
		row->dir = FNFT_DIR_OUTBOUND;
	else if (streq(value, "bidirectional"))
		row->dir = FNFT_DIR_BIDIRECTIONAL;
	else
		return fnft_err(err, -EINVAL, loc, row->id,
				"bad direction '%s' (expected inbound, outbound or bidirectional)",
				value);
	return 0;
}

static const struct {
	const char *key;
	unsigned bit;
	bool catalog_only;
} row_keys[] = {
	{ "listener", SEEN_LISTENER, false },
	{ "protocol", SEEN_PROTOCOL, false },
	{ "listen-port", SEEN_LISTEN, false },
	{ "remote-port", SEEN_REMOTE_PORT, false },
	{ "remote", SEEN_REMOTE, false },
	{ "direction", SEEN_DIRECTION, false },
	{ "note", SEEN_NOTE, false },
	{ "insecure", SEEN_INSECURE, true },
	{ "port-movable", SEEN_MOVABLE, true },
};

int fnft_row_key(struct fnft_row *row, const char *key, const char *value,
		 const struct fnft_loc *loc, bool flags_allowed,
		 struct fnft_error *err)
{
	struct group_ctx gc = { row, loc, err };
	unsigned bit = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(row_keys); i++)
		if (streq(key, row_keys[i].key) &&
		    (flags_allowed || !row_keys[i].catalog_only))
			bit = row_keys[i].bit;
	if (!bit)
		return fnft_err(err, -EINVAL, loc, row->id,
				"unknown key '%s' in [entry %s]", key, row->id);
	if (row->seen & bit)
		return fnft_err(err, -EINVAL, loc, row->id,
				"'%s' is given twice in [entry %s]", key, row->id);
	row->seen |= bit;
	if (!*value)
		return fnft_err(err, -EINVAL, loc, row->id, "'%s' has no value",
				key);

	switch (bit) {
	case SEEN_LISTENER:
		return set_string(&row->listener, value, loc, row->id, err);
	case SEEN_NOTE:
		return set_string(&row->note, value, loc, row->id, err);
	case SEEN_PROTOCOL:
		return set_protocol(row, value, loc, err);
	case SEEN_DIRECTION:
		return set_direction(row, value, loc, err);
	case SEEN_LISTEN:
		return set_ports(&row->listen, key, value, loc, row->id, err);
	case SEEN_REMOTE_PORT:
		return set_ports(&row->remote_ports, key, value, loc, row->id,
				 err);
	case SEEN_REMOTE:
		row->remote_line = loc->line;
		return fnft_split_list(value, add_group, &gc);
	case SEEN_INSECURE:
		return set_flag(row, FNFT_ROW_INSECURE, key, value, loc, err);
	default:
		return set_flag(row, FNFT_ROW_PORT_MOVABLE, key, value, loc,
				err);
	}
}

int fnft_row_finish(struct fnft_row *row, struct fnft_error *err)
{
	struct fnft_loc loc = { row->file, row->line };
	bool in = row->listen.n > 0, out = row->remote_ports.n > 0;

	if (!(row->seen & SEEN_PROTOCOL))
		return fnft_err(err, -EINVAL, &loc, row->id,
				"[entry %s] has no protocol (tcp or udp)", row->id);
	if (!(row->seen & SEEN_DIRECTION))
		return fnft_err(err, -EINVAL, &loc, row->id,
				"[entry %s] has no direction", row->id);
	if (!in && !out)
		return fnft_err(err, -EINVAL, &loc, row->id,
				"[entry %s] has no ports (listen-port or remote-port)",
				row->id);
	if (!row->n_groups)
		return fnft_err(err, -EINVAL, &loc, row->id,
				"[entry %s] names no group (remote = ...)", row->id);
	if (row->dir == FNFT_DIR_INBOUND && out)
		return fnft_err(err, -EINVAL, &loc, row->id,
				"[entry %s] is inbound but has a remote-port (the node would connect out)",
				row->id);
	if (row->dir == FNFT_DIR_OUTBOUND && in)
		return fnft_err(err, -EINVAL, &loc, row->id,
				"[entry %s] is outbound but has a listen-port (remotes would connect in)",
				row->id);
	if ((row->flags & FNFT_ROW_PORT_MOVABLE) && in && out)
		return fnft_err(err, -EINVAL, &loc, row->id,
				"[entry %s] is port-movable but has both listen and remote ports; which one moves?",
				row->id);
	if (!row->listener && set_string(&row->listener, row->id, &loc, row->id,
					 err) < 0)
		return -ENOMEM;
	if (!row->note && set_string(&row->note, "", &loc, row->id, err) < 0)
		return -ENOMEM;
	return 0;
}

int fnft_catalog_take_row(struct fnft_catalog *cat, struct fnft_row *row,
			  struct fnft_error *err)
{
	int rc = fnft_row_finish(row, err);

	if (rc == 0 && fnft_grow(&cat->rows, &cat->cap, cat->n + 1,
				 sizeof(*cat->rows)) < 0)
		rc = fnft_err(err, -ENOMEM, NULL, row->id, "out of memory");
	if (rc == 0) {
		cat->rows[cat->n++] = *row;
		memset(row, 0, sizeof(*row));
	}
	fnft_row_clear(row);
	return rc;
}

/* ---- public accessors ---- */

FNFT_EXPORT const char *fnft_row_id(const struct fnft_row *row)
{
	return row->id;
}

FNFT_EXPORT const char *fnft_row_listener(const struct fnft_row *row)
{
	return row->listener ? row->listener : "";
}

FNFT_EXPORT const char *fnft_row_note(const struct fnft_row *row)
{
	return row->note ? row->note : "";
}

FNFT_EXPORT enum fnft_protocol fnft_row_protocol(const struct fnft_row *row)
{
	return row->proto;
}

FNFT_EXPORT enum fnft_direction fnft_row_direction(const struct fnft_row *row)
{
	return row->dir;
}

FNFT_EXPORT unsigned fnft_row_flags(const struct fnft_row *row)
{
	return row->flags;
}

FNFT_EXPORT const struct fnft_port_range *
fnft_row_listen_ports(const struct fnft_row *row, size_t *n)
{
	*n = row->listen.n;
	return row->listen.v;
}

FNFT_EXPORT const struct fnft_port_range *
fnft_row_remote_ports(const struct fnft_row *row, size_t *n)
{
	*n = row->remote_ports.n;
	return row->remote_ports.v;
}

FNFT_EXPORT size_t fnft_row_group_count(const struct fnft_row *row)
{
	return row->n_groups;
}

FNFT_EXPORT const char *fnft_row_group(const struct fnft_row *row, size_t i)
{
	return i < row->n_groups ? row->groups[i] : NULL;
}

FNFT_EXPORT const char *fnft_protocol_name(enum fnft_protocol proto)
{
	return proto == FNFT_PROTO_UDP ? "udp" : "tcp";
}

FNFT_EXPORT const char *fnft_direction_name(enum fnft_direction dir)
{
	switch (dir) {
	case FNFT_DIR_INBOUND:
		return "inbound";
	case FNFT_DIR_OUTBOUND:
		return "outbound";
	default:
		return "bidirectional";
	}
}
