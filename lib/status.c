/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * status: which rows of the port-usage table see traffic.  The live table
 * gives the counters (summed over groups and families by the row id in
 * each rule's comment); the plan says which rows are in force and which
 * of their groups hold no address for this node.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <jansson.h>

#include <finesse-nft/ruleset.h>

#include "ir.h"
#include "site-impl.h"

struct row_status {
	const struct fnft_row *row;
	const struct fnft_portlist *listen, *remote;
	bool enabled;
	uint64_t packets, bytes;
	struct fnft_buf empty;		/* "a, b": groups with no address */
};

static void count(const struct fnft_ruleset *rs, struct row_status *st,
		  bool live)
{
	size_t c, i;

	for (c = 0; rs && c < rs->n_chains; c++)
		for (i = 0; i < rs->chains[c].n_rules; i++) {
			const struct fnft_ir_rule *r = &rs->chains[c].rules[i];

			if (!r->comment || !streq(r->comment, st->row->id))
				continue;
			if (!live) {
				st->enabled = true;
				continue;
			}
			st->packets += r->packets;
			st->bytes += r->bytes;
		}
}

static bool group_empty(const struct fnft_ruleset *plan, const char *group)
{
	char name[FNFT_SET_NAME_MAX];
	const struct fnft_ir_set *set;
	enum fnft_family fam;

	if (streq(group, FNFT_GROUP_ANY))
		return false;
	for (fam = FNFT_V4; fam <= FNFT_V6; fam++) {
		fnft_group_set_name(name, sizeof(name), group, fam);
		set = fnft_ruleset_find_set(plan, name);
		if (set && set->elems.n)
			return false;
	}
	return true;
}

static void fill(struct row_status *st, const struct fnft_row *row,
		 const struct fnft_site *site, const struct fnft_ruleset *plan,
		 const struct fnft_ruleset *live)
{
	size_t k;

	memset(st, 0, sizeof(*st));
	st->row = row;
	st->listen = fnft_site_row_ports(site, row, &row->listen);
	st->remote = fnft_site_row_ports(site, row, &row->remote_ports);
	count(plan, st, false);
	count(live, st, true);
	for (k = 0; st->enabled && k < row->n_groups; k++)
		if (group_empty(plan, row->groups[k]))
			fnft_buf_printf(&st->empty, "%s%s", st->empty.len ? ", " : "",
					row->groups[k]);
}

static json_t *status_json(const struct row_status *st,
			   const struct fnft_ruleset *plan)
{
	json_t *groups = json_array(), *empty = json_array();
	size_t k;

	for (k = 0; k < st->row->n_groups; k++) {
		json_array_append_new(groups, json_string(st->row->groups[k]));
		if (st->enabled && group_empty(plan, st->row->groups[k]))
			json_array_append_new(empty, json_string(st->row->groups[k]));
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:b, s:I, s:I, s:o}",
			 "id", st->row->id,
			 "protocol", fnft_protocol_name(st->row->proto),
			 "listen_ports", fnft_ports_json(st->listen),
			 "remote_ports", fnft_ports_json(st->remote),
			 "remote", groups,
			 "direction", fnft_direction_name(st->row->dir),
			 "enabled", st->enabled,
			 "packets", (json_int_t)st->packets,
			 "bytes", (json_int_t)st->bytes,
			 "empty_groups", empty);
}

static void status_line(const struct row_status *st, struct fnft_buf *b)
{
	char listen[64], remote[64], groups[128] = "";
	size_t k, off = 0;

	fnft_portlist_format(st->listen, listen, sizeof(listen));
	fnft_portlist_format(st->remote, remote, sizeof(remote));
	for (k = 0; k < st->row->n_groups && off < sizeof(groups); k++)
		off += (size_t)snprintf(groups + off, sizeof(groups) - off, "%s%s",
					k ? "," : "", st->row->groups[k]);
	fnft_buf_printf(b, "%-26s %-4s %-12s %-12s %-24s %-13s %12" PRIu64 " %14" PRIu64 "  %s%s\n",
			st->row->id, fnft_protocol_name(st->row->proto),
			st->listen->n ? listen : "-", st->remote->n ? remote : "-",
			groups, fnft_direction_name(st->row->dir), st->packets,
			st->bytes, !st->enabled ? "disabled" :
				   st->empty.len ? "empty: " : "",
			st->enabled && st->empty.len ? st->empty.s : "");
	/* no trailing blanks when the note is empty */
	while (!b->oom && b->len > 1 && b->s[b->len - 2] == ' ') {
		b->s[b->len - 2] = '\n';
		b->s[--b->len] = '\0';
	}
}

FNFT_EXPORT int fnft_status_render(const struct fnft_catalog *cat,
				   const struct fnft_site *site,
				   const struct fnft_ruleset *plan,
				   const struct fnft_ruleset *live, bool json,
				   char **out)
{
	const struct fnft_catalog *cats[] = { cat, &site->entries };
	struct fnft_buf b = { 0 };
	json_t *a = json ? json_array() : NULL;
	struct row_status st;
	size_t c, i;

	if (!cat || !site || !plan || !out || (json && !a))
		return -EINVAL;
	if (!json)
		fnft_buf_printf(&b, "%-26s %-4s %-12s %-12s %-24s %-13s %12s %14s  %s\n",
				"ROW", "PROT", "LISTEN", "REMOTE", "GROUPS",
				"DIRECTION", "PACKETS", "BYTES", "NOTE");
	for (c = 0; c < ARRAY_SIZE(cats); c++)
		for (i = 0; i < cats[c]->n; i++) {
			fill(&st, &cats[c]->rows[i], site, plan, live);
			if (json)
				json_array_append_new(a, status_json(&st, plan));
			else
				status_line(&st, &b);
			fnft_buf_free(&st.empty);
		}
	if (json) {
		char *s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		json_decref(a);
		if (!s)
			return -ENOMEM;
		*out = s;
		return 0;
	}
	return fnft_buf_steal(&b, out);
}
