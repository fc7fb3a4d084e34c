/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "inifile.h"
#include "row.h"

/* lib/data/finesse.ini, compiled in by meson (gen-catalog.py). */
extern const char fnft_builtin_catalog[];
extern const size_t fnft_builtin_catalog_len;

#define BUILTIN_NAME "<builtin>"

struct catalog_parse {
	struct fnft_catalog *cat;
	struct fnft_row row;	/* the [entry] being read */
	bool in_entry;
};

static int finish_entry(struct catalog_parse *p, struct fnft_error *err)
{
	if (!p->in_entry)
		return 0;
	p->in_entry = false;
	return fnft_catalog_take_row(p->cat, &p->row, err);
}

static int on_section(void *user, const char *name, const struct fnft_loc *loc,
		      struct fnft_error *err)
{
	struct catalog_parse *p = user;
	const char *id;
	int rc;

	rc = finish_entry(p, err);
	if (rc)
		return rc;
	if (strncmp(name, "entry ", 6) != 0)
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown section [%s] (a catalog holds only [entry ID] sections)",
				name);
	id = name + 6;
	id += strspn(id, " \t");
	if (!fnft_id_valid(id))
		return fnft_err(err, -EINVAL, loc, NULL,
				"'%s' is not a valid row id (lower-case letters, digits, '.', '-', '_')",
				id);
	if (fnft_catalog_find(p->cat, id))
		return fnft_err(err, -EINVAL, loc, id, "duplicate entry id '%s'",
				id);
	rc = fnft_row_init(&p->row, id, loc);
	if (rc)
		return fnft_err(err, rc, loc, id, "out of memory");
	p->in_entry = true;
	return 0;
}

static int on_key(void *user, const char *key, const char *value,
		  const struct fnft_loc *loc, struct fnft_error *err)
{
	struct catalog_parse *p = user;

	if (!p->in_entry)
		return fnft_err(err, -EINVAL, loc, NULL,
				"'%s' outside of an [entry ID] section", key);
	return fnft_row_key(&p->row, key, value, loc, true, err);
}

static const struct fnft_ini_ops catalog_ops = {
	.section = on_section,
	.key = on_key,
};

static void catalog_clear(struct fnft_catalog *cat)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		fnft_row_clear(&cat->rows[i]);
	free(cat->rows);
}

FNFT_EXPORT int fnft_catalog_load_buffer(const char *name, const char *text,
					 size_t len, struct fnft_catalog **out,
					 struct fnft_error *err)
{
	struct catalog_parse p = { 0 };
	struct fnft_loc loc = { name, 0 };
	int rc;

	if (!name || !text || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	p.cat = calloc(1, sizeof(*p.cat));
	if (!p.cat)
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	rc = fnft_ini_parse(name, text, len, &catalog_ops, &p, err);
	if (rc == 0)
		rc = finish_entry(&p, err);
	if (rc == 0 && p.cat->n == 0)
		rc = fnft_err(err, -EINVAL, &loc, NULL, "the catalog has no rows");
	if (rc) {
		fnft_row_clear(&p.row);
		fnft_catalog_free(p.cat);
		return rc;
	}
	*out = p.cat;
	return 0;
}

FNFT_EXPORT int fnft_catalog_load(const char *path, struct fnft_catalog **out,
				  struct fnft_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int rc;

	if (!path || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	rc = fnft_read_file(path, &text, &len, err);
	if (rc)
		return rc;
	return fnft_catalog_load_buffer(path, text, len, out, err);
}

FNFT_EXPORT int fnft_catalog_new_builtin(struct fnft_catalog **out,
					 struct fnft_error *err)
{
	return fnft_catalog_load_buffer(BUILTIN_NAME, fnft_builtin_catalog,
					fnft_builtin_catalog_len, out, err);
}

FNFT_EXPORT void fnft_catalog_free(struct fnft_catalog *cat)
{
	if (!cat)
		return;
	catalog_clear(cat);
	free(cat);
}

FNFT_EXPORT size_t fnft_catalog_count(const struct fnft_catalog *cat)
{
	return cat->n;
}

FNFT_EXPORT const struct fnft_row *fnft_catalog_row(const struct fnft_catalog *cat,
						    size_t i)
{
	return i < cat->n ? &cat->rows[i] : NULL;
}

FNFT_EXPORT const struct fnft_row *fnft_catalog_find(const struct fnft_catalog *cat,
						     const char *id)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (streq(cat->rows[i].id, id))
			return &cat->rows[i];
	return NULL;
}

/* ---- JSON ---- */

json_t *fnft_ports_json(const struct fnft_portlist *l)
{
	json_t *a = json_array();
	char range[16];
	size_t i;

	for (i = 0; a && i < l->n; i++) {
		const struct fnft_port_range *r = &l->v[i];

		if (r->first == r->last) {
			json_array_append_new(a, json_integer(r->first));
		} else {
			snprintf(range, sizeof(range), "%u-%u", r->first, r->last);
			json_array_append_new(a, json_string(range));
		}
	}
	return a;
}

static json_t *row_json(const struct fnft_row *row)
{
	json_t *groups = json_array();
	size_t i;

	for (i = 0; groups && i < row->n_groups; i++)
		json_array_append_new(groups, json_string(row->groups[i]));
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s}",
			 "id", row->id,
			 "listener", fnft_row_listener(row),
			 "protocol", fnft_protocol_name(row->proto),
			 "listen_ports", fnft_ports_json(&row->listen),
			 "remote", groups,
			 "remote_ports", fnft_ports_json(&row->remote_ports),
			 "direction", fnft_direction_name(row->dir),
			 "note", fnft_row_note(row));
}

FNFT_EXPORT int fnft_catalog_to_json(const struct fnft_catalog *cat, char **out)
{
	json_t *a = json_array();
	char *s = NULL;
	size_t i;

	for (i = 0; a && i < cat->n; i++)
		if (json_array_append_new(a, row_json(&cat->rows[i])) < 0)
			break;
	if (a && i == cat->n)
		s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(a);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}
