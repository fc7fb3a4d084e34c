/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * status: the live table, and which rows of the port-usage table see
 * traffic.  The live table says whether it exists, its policies, and the
 * counters (summed over groups and families by the row id in each rule's
 * comment).  The plan, when the site could be loaded, says whether the
 * table is in sync and what drifts, which rows are in force, whether each
 * row's live rules are its planned ones, and which of its groups hold no
 * address for this node.  Without a site the rows are the ids in the live
 * rules' comments, described by those rules.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/netfilter/nf_tables.h>

#include <jansson.h>

#include <finesse-nft/ruleset.h>
#include <finesse-nft/status.h>

#include "ir.h"
#include "site-impl.h"

/* ---- the rules of each row, found by their comment ---- */

struct rule_ref {
	const char *id;
	const struct fnft_ir_chain *chain;
	const struct fnft_ir_rule *rule;
	size_t pos;		/* in the table, chain by chain */
	bool claimed;		/* by a row of the catalog or the site */
};

struct rule_index {
	struct rule_ref *v;
	size_t n;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct rule_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Every rule of @rs (may be NULL) with a comment, by comment, then position. */
static int index_build(const struct fnft_ruleset *rs, struct rule_index *ix)
{
	size_t c, i, n = 0, pos = 0;

	memset(ix, 0, sizeof(*ix));
	for (c = 0; rs && c < rs->n_chains; c++)
		n += rs->chains[c].n_rules;
	if (n && !(ix->v = calloc(n, sizeof(*ix->v))))
		return -ENOMEM;
	for (c = 0; rs && c < rs->n_chains; c++)
		for (i = 0; i < rs->chains[c].n_rules; i++, pos++) {
			const struct fnft_ir_rule *r = &rs->chains[c].rules[i];

			if (r->comment)
				ix->v[ix->n++] = (struct rule_ref){
					.id = r->comment, .chain = &rs->chains[c],
					.rule = r, .pos = pos,
				};
		}
	if (ix->n)
		qsort(ix->v, ix->n, sizeof(*ix->v), ref_cmp);
	return 0;
}

/* The rules commented @id: *n of them from the one returned. */
static struct rule_ref *index_find(const struct rule_index *ix, const char *id,
				   size_t *n)
{
	size_t lo = 0, hi = ix->n, mid, end;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(ix->v[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < ix->n && streq(ix->v[end].id, id); end++)
		;
	*n = end - lo;
	return ix->v ? &ix->v[lo] : NULL;
}

/* ---- one row ---- */

struct row_status {
	const char *id;
	const struct fnft_row *row;	/* NULL: an id only the live rules have */
	const char *proto;		/* NULL: the live rules say none */
	enum fnft_direction dir;
	const struct fnft_portlist *listen, *remote;
	char *const *groups;
	size_t n_groups;
	int planned;			/* 1, 0; -1: no plan to say */
	bool live;			/* rules with its id are in the live table */
	bool in_sync;			/* ...and they are the planned ones */
	uint64_t packets, bytes;
	struct fnft_buf empty;		/* "a, b": planned groups with no address */
	/* a row described by its live rules: listen and remote ports, groups */
	struct fnft_portlist own[2];
	char **own_groups;
	size_t n_own, cap_own;
};

static void row_status_free(struct row_status *st)
{
	size_t k;

	fnft_buf_free(&st->empty);
	fnft_portlist_free(&st->own[0]);
	fnft_portlist_free(&st->own[1]);
	for (k = 0; k < st->n_own; k++)
		free(st->own_groups[k]);
	free(st->own_groups);
}

static int add_group(struct row_status *st, const char *name, size_t len)
{
	size_t k;

	for (k = 0; k < st->n_own; k++)
		if (!strncmp(st->own_groups[k], name, len) && !st->own_groups[k][len])
			return 0;
	if (fnft_grow(&st->own_groups, &st->cap_own, st->n_own + 1, sizeof(char *)) ||
	    !(st->own_groups[st->n_own] = strndup(name, len)))
		return -ENOMEM;
	st->n_own++;
	return 0;
}

/* What a row's live rules say it is: protocol, ports, groups, direction. */
static int describe_live(struct row_status *st, const struct rule_ref *refs,
			 size_t n)
{
	bool in = false, out = false;
	const char *group;
	size_t i, k, glen;
	int rc = 0;

	for (i = 0; !rc && i < n; i++) {
		const struct fnft_ir_rule *r = refs[i].rule;
		bool input = fnft_chain_direction(refs[i].chain) == FNFT_DIR_INBOUND;
		struct fnft_portlist *ports = &st->own[input ? 0 : 1];

		if (r->l4 == FNFT_L4_TCP || r->l4 == FNFT_L4_UDP)
			st->proto = fnft_protocol_name((enum fnft_protocol)r->l4);
		in |= input;
		out |= !input;
		for (k = 0; !rc && k < r->dports.n; k++)
			rc = fnft_portlist_add(ports, r->dports.v[k].first,
					       r->dports.v[k].last);
		if (!rc && (group = fnft_rule_group(r, &glen)))
			rc = add_group(st, group, glen);
	}
	fnft_portlist_normalize(&st->own[0]);
	fnft_portlist_normalize(&st->own[1]);
	st->dir = in && out ? FNFT_DIR_BIDIRECTIONAL :
		  out ? FNFT_DIR_OUTBOUND : FNFT_DIR_INBOUND;
	st->listen = &st->own[0];
	st->remote = &st->own[1];
	st->groups = st->own_groups;
	st->n_groups = st->n_own;
	return rc;
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

/* Whether the row's live rules are its planned ones, chain by chain. */
static bool rules_equal(const struct rule_ref *p, size_t np,
			const struct rule_ref *l, size_t nl)
{
	size_t i;

	if (np != nl)
		return false;
	for (i = 0; i < np; i++)
		if (!streq(p[i].chain->name, l[i].chain->name) ||
		    !fnft_rule_equal(p[i].rule, l[i].rule))
			return false;
	return true;
}

/* What a status is made from. */
struct status {
	const struct fnft_site *site;
	const struct fnft_ruleset *plan, *live;
	struct rule_index plan_ix, live_ix;
	bool legacy;		/* fnft_status_render(): the rows of the site */
};

/*
 * @id's row: @row is the catalog's or the site's, or NULL.  It is
 * described by its definition when there is a site, else by its live
 * rules (ports, groups; a catalog row keeps its protocol and direction).
 * Returns 0, 1 when it is not to be shown (no site, not live) or
 * -ENOMEM.
 */
static int fill(struct row_status *st, struct status *s, const char *id,
		const struct fnft_row *row)
{
	struct rule_ref *p, *l;
	size_t np, nl, k;

	memset(st, 0, sizeof(*st));
	st->id = id;
	st->row = row;
	p = index_find(&s->plan_ix, id, &np);
	l = index_find(&s->live_ix, id, &nl);
	for (k = 0; k < nl; k++) {
		l[k].claimed = row != NULL;
		st->packets += l[k].rule->packets;
		st->bytes += l[k].rule->bytes;
	}
	st->live = nl > 0;
	st->planned = s->plan ? np > 0 : -1;
	st->in_sync = s->plan && rules_equal(p, np, l, nl);
	if (!row || !s->site) {
		int rc = nl ? describe_live(st, l, nl) : 1;

		/* a catalog row's own protocol and direction, whatever its site */
		if (!rc && row) {
			st->proto = fnft_protocol_name(row->proto);
			st->dir = row->dir;
		}
		return rc;
	}
	st->proto = fnft_protocol_name(row->proto);
	st->dir = row->dir;
	st->listen = fnft_site_row_ports(s->site, row, &row->listen);
	st->remote = fnft_site_row_ports(s->site, row, &row->remote_ports);
	st->groups = row->groups;
	st->n_groups = row->n_groups;
	for (k = 0; st->planned == 1 && k < row->n_groups; k++)
		if (group_empty(s->plan, row->groups[k]))
			fnft_buf_printf(&st->empty, "%s%s", st->empty.len ? ", " : "",
					row->groups[k]);
	return st->empty.oom ? -ENOMEM : 0;
}

/* ---- rendering a row ---- */

static json_t *strings_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; a && k < n; k++)
		json_array_append_new(a, fnft_json_text(v[k]));
	return a;
}

static json_t *empty_json(const struct row_status *st,
			  const struct fnft_ruleset *plan)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; a && st->planned == 1 && k < st->n_groups; k++)
		if (group_empty(plan, st->groups[k]))
			json_array_append_new(a, json_string(st->groups[k]));
	return a;
}

static json_t *row_json(const struct row_status *st, const struct status *s)
{
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:I, s:I, s:o}",
			      "id", fnft_json_text(st->id),
			      "protocol", st->proto ? json_string(st->proto) : json_null(),
			      "listen_ports", fnft_ports_json(st->listen),
			      "remote_ports", fnft_ports_json(st->remote),
			      "remote", strings_json(st->groups, st->n_groups),
			      "direction", fnft_direction_name(st->dir),
			      "enabled", st->planned < 0 ? json_null() :
					 json_boolean(st->planned),
			      "packets", (json_int_t)st->packets,
			      "bytes", (json_int_t)st->bytes,
			      "empty_groups", empty_json(st, s->plan));

	if (o && !s->legacy &&
	    (json_object_set_new(o, "live", json_boolean(st->live)) ||
	     json_object_set_new(o, "in_sync", s->plan ? json_boolean(st->in_sync)
						      : json_null()))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The NOTE column: how the row stands, live against the plan. */
static void row_note(const struct row_status *st, const struct status *s,
		     struct fnft_buf *b)
{
	if (s->legacy || (st->planned == 1 && st->live && st->in_sync)) {
		if (!st->planned)
			fnft_buf_puts(b, "disabled");
		else if (st->empty.len)
			fnft_buf_printf(b, "empty: %s", st->empty.s);
	} else if (st->planned == 1) {
		fnft_buf_puts(b, st->live ? "differs from the plan" : "not live");
	} else if (!st->planned) {
		fnft_buf_puts(b, !st->live ? "disabled" :
				 st->row ? "disabled, but live" :
					   "live, in no row of the catalog or site");
	}
}

static void row_line(const struct row_status *st, const struct status *s,
		     struct fnft_buf *b)
{
	char listen[64], remote[64], groups[128] = "";
	size_t k, off = 0;

	fnft_portlist_format(st->listen, listen, sizeof(listen));
	fnft_portlist_format(st->remote, remote, sizeof(remote));
	for (k = 0; k < st->n_groups && off < sizeof(groups); k++)
		off += (size_t)snprintf(groups + off, sizeof(groups) - off, "%s%s",
					k ? "," : "", st->groups[k]);
	fnft_buf_printf(b, "%-26s %-4s %-12s %-12s %-24s %-13s %12" PRIu64 " %14" PRIu64 "  ",
			st->id, st->proto ? st->proto : "-",
			st->listen->n ? listen : "-", st->remote->n ? remote : "-",
			st->n_groups ? groups : "-", fnft_direction_name(st->dir),
			st->packets, st->bytes);
	row_note(st, s, b);
	/* no trailing blanks when the note is empty */
	while (!b->oom && b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	fnft_buf_puts(b, "\n");
}

/* ---- every row ---- */

struct sink {
	json_t *rows;		/* JSON: the array, else NULL */
	struct fnft_buf *text;
};

static int emit(struct row_status *st, const struct status *s, struct sink *out)
{
	int rc = 0;

	if (out->rows) {
		json_t *o = row_json(st, s);

		rc = o ? json_array_append_new(out->rows, o) : -1;
	} else {
		row_line(st, s, out->text);
	}
	row_status_free(st);
	return rc ? -ENOMEM : 0;
}

static int emit_row(struct status *s, const char *id, const struct fnft_row *row,
		    struct sink *out)
{
	struct row_status st;
	int rc = fill(&st, s, id, row);

	if (rc) {
		row_status_free(&st);
		return rc < 0 ? rc : 0;
	}
	return emit(&st, s, out);
}

/*
 * The rows of the catalog and the site, in order; then (but for legacy)
 * the ids found only in the live rules' comments, in the order of the ids.
 */
static int each_row(struct status *s, const struct fnft_catalog *cat,
		    struct sink *out)
{
	const struct fnft_catalog *cats[] = { cat, s->site ? &s->site->entries : NULL };
	size_t c, i, n;
	int rc = 0;

	for (c = 0; c < ARRAY_SIZE(cats); c++)
		for (i = 0; !rc && cats[c] && i < cats[c]->n; i++)
			rc = emit_row(s, cats[c]->rows[i].id, &cats[c]->rows[i], out);
	for (i = 0; !rc && !s->legacy && i < s->live_ix.n; i += n) {
		index_find(&s->live_ix, s->live_ix.v[i].id, &n);
		if (!s->live_ix.v[i].claimed)
			rc = emit_row(s, s->live_ix.v[i].id, NULL, out);
	}
	return rc;
}

/* ---- the table ---- */

/* One more line that apply would add (@op "add") or remove in block @in. */
static int drift_count(json_t *drift, const char *in, const char *op)
{
	json_t *d = NULL;
	size_t k;

	json_array_foreach(drift, k, d)
		if (streq(json_string_value(json_object_get(d, "in")), in))
			break;
	if (k == json_array_size(drift) &&
	    json_array_append_new(drift, d = json_pack("{s:s, s:i, s:i}", "in", in,
						       "add", 0, "remove", 0)))
		return -ENOMEM;
	op = streq(op, "add") ? "add" : "remove";
	return json_object_set_new(d, op, json_integer(json_integer_value(
					json_object_get(d, op)) + 1)) ? -ENOMEM : 0;
}

/*
 * What apply would change, block by block (the table, a set, a chain), in
 * the order of the diff: [{"in", "add", "remove"}], line counts.
 */
static json_t *drift_json(const struct fnft_ruleset *live,
			  const struct fnft_ruleset *plan)
{
	json_t *changes, *ch, *drift = json_array();
	char *text = NULL;
	size_t i;
	int rc;

	rc = drift ? fnft_ruleset_changes_json(live, plan, &text) : -ENOMEM;
	changes = rc ? NULL : json_loads(text, 0, NULL);
	free(text);
	if (!changes)
		rc = -ENOMEM;
	json_array_foreach(rc ? NULL : json_object_get(changes, "changes"), i, ch) {
		const char *in = json_string_value(json_object_get(ch, "in"));
		const char *op = json_string_value(json_object_get(ch, "op"));

		if (in && op && (rc = drift_count(drift, in, op)))
			break;
	}
	json_decref(changes);
	if (rc) {
		json_decref(drift);
		return NULL;
	}
	return drift;
}

static const char *policy_name(enum fnft_verdict v)
{
	return v == FNFT_VERDICT_ACCEPT ? "accept" :
	       v == FNFT_VERDICT_DROP ? "drop" : NULL;
}

/* Each base chain of the live table: its name and policy. */
static json_t *policies_json(const struct fnft_ruleset *live)
{
	json_t *o = json_object();
	const char *p;
	size_t c;

	for (c = 0; o && live && c < live->n_chains; c++)
		if (live->chains[c].hook) {
			p = policy_name(live->chains[c].policy);
			json_object_set_new(o, live->chains[c].name,
					    p ? json_string(p) : json_null());
		}
	return o;
}

struct head {
	const char *table;
	bool exists, dormant;
	int in_sync;		/* -1: no plan */
	json_t *drift;		/* NULL without a plan */
	json_t *policies;
};

static int head_init(struct head *h, const struct status *s, const char *table)
{
	memset(h, 0, sizeof(*h));
	h->table = s->live ? s->live->table : s->plan ? s->plan->table :
		   table ? table : FNFT_DEFAULT_TABLE;
	h->exists = s->live != NULL;
	h->dormant = s->live && (s->live->flags & NFT_TABLE_F_DORMANT);
	h->in_sync = !s->plan ? -1 : s->live && fnft_ruleset_equal(s->live, s->plan);
	if (s->plan && !(h->drift = drift_json(s->live, s->plan)))
		return -ENOMEM;
	if (!(h->policies = policies_json(s->live)))
		return -ENOMEM;
	return 0;
}

static void head_free(struct head *h)
{
	json_decref(h->drift);
	json_decref(h->policies);
}

static void head_text(const struct head *h, const char *site_error,
		      struct fnft_buf *b)
{
	const char *key;
	json_t *v, *d;
	size_t i;

	if (site_error)
		fnft_buf_printf(b, "%s; showing the live table only\n", site_error);
	if (!h->exists) {
		fnft_buf_printf(b, "table inet %s does not exist: nothing of ours filters traffic, and every counter is 0\n",
				h->table);
		return;
	}
	fnft_buf_printf(b, "table inet %s: %s", h->table,
			h->in_sync < 0 ? "live; no plan to compare it with" :
			h->in_sync ? "in sync with the plan" :
				     "differs from the plan");
	/* +N: lines apply would add there, -N: lines it would remove */
	json_array_foreach(h->in_sync ? NULL : h->drift, i, d) {
		json_int_t add = json_integer_value(json_object_get(d, "add"));
		json_int_t del = json_integer_value(json_object_get(d, "remove"));

		fnft_buf_printf(b, "%s %s", i ? "," : ":",
				json_string_value(json_object_get(d, "in")));
		if (add)
			fnft_buf_printf(b, " +%" JSON_INTEGER_FORMAT, add);
		if (del)
			fnft_buf_printf(b, " -%" JSON_INTEGER_FORMAT, del);
	}
	fnft_buf_puts(b, "\n");
	if (h->dormant)
		fnft_buf_printf(b, "table inet %s is dormant: it filters nothing\n",
				h->table);
	fnft_buf_puts(b, "policy:");
	i = 0;
	json_object_foreach(h->policies, key, v)
		fnft_buf_printf(b, "%s %s %s", i++ ? "," : "", key,
				json_is_string(v) ? json_string_value(v) : "none");
	fnft_buf_puts(b, i ? "\n" : " no base chain\n");
}

static json_t *head_json(struct head *h, const struct status *s,
			 const char *site_error, json_t *rows)
{
	json_t *o = json_pack("{s:o, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o}",
			      "table", fnft_json_text(h->table),
			      "exists", h->exists,
			      "dormant", h->dormant,
			      "site_loaded", s->site != NULL,
			      "site_error", site_error ? fnft_json_text(site_error)
						       : json_null(),
			      "in_sync", h->in_sync < 0 ? json_null()
							: json_boolean(h->in_sync),
			      "drift", h->drift ? json_incref(h->drift) : json_null(),
			      "policies", json_incref(h->policies),
			      "rows", rows);

	return o;
}

/* ---- the node_exporter textfile format ---- */

/* @s as a label value: backslash, double quote and newline escaped. */
static void prom_label(struct fnft_buf *b, const char *name, const char *s)
{
	fnft_buf_printf(b, "%s=\"", name);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fnft_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			fnft_buf_puts(b, "\\n");
		else
			fnft_buf_printf(b, "%c", *s);
	}
	fnft_buf_puts(b, "\"");
}

static void prom_head(struct fnft_buf *b, const char *metric, const char *type,
		      const char *help)
{
	fnft_buf_printf(b, "# HELP finesse_nft_%s %s\n# TYPE finesse_nft_%s %s\n",
			metric, help, metric, type);
}

/* A gauge of the table: one sample, labelled with the table alone. */
static void prom_gauge(struct fnft_buf *b, const struct head *h,
		       const char *metric, const char *help, long long v)
{
	prom_head(b, metric, "gauge", help);
	fnft_buf_printf(b, "finesse_nft_%s{", metric);
	prom_label(b, "table", h->table);
	fnft_buf_printf(b, "} %lld\n", v);
}

static const char *family_label(enum fnft_ip_family f)
{
	return f == FNFT_FAMILY_IPV4 ? "ipv4" : f == FNFT_FAMILY_IPV6 ? "ipv6" : "any";
}

/* One counter metric: a sample per (row, group, family, direction). */
static void prom_counter(struct fnft_buf *b, const struct head *h,
			 const char *metric, const char *help,
			 const struct fnft_counter *v, size_t n, bool bytes)
{
	size_t i;

	prom_head(b, metric, "counter", help);
	for (i = 0; i < n; i++) {
		fnft_buf_printf(b, "finesse_nft_%s{", metric);
		prom_label(b, "table", h->table);
		fnft_buf_puts(b, ",");
		prom_label(b, "row", v[i].row);
		fnft_buf_puts(b, ",");
		prom_label(b, "group", v[i].group);
		fnft_buf_printf(b, ",family=\"%s\",direction=\"%s\"} %" PRIu64 "\n",
				family_label(v[i].family),
				v[i].direction == FNFT_DIR_OUTBOUND ? "outbound" : "inbound",
				bytes ? v[i].bytes : v[i].packets);
	}
}

/*
 * The status as metrics: whether the table exists, whether the site
 * loaded, and, with a plan, whether the table is in sync and how many
 * lines apply would change; then each row's counters by group, family
 * and direction (fnft_ruleset_counters()), none when the table is
 * missing.  Every sample is labelled with the table.
 */
static int prom_text(const struct head *h, const struct status *s,
		     struct fnft_buf *b)
{
	struct fnft_counter *v = NULL;
	long long drift = 0;
	size_t i, n = 0;
	json_t *d;
	int rc;

	if (s->live && (rc = fnft_ruleset_counters(s->live, &v, &n, NULL)))
		return rc;
	prom_gauge(b, h, "table_present", "Whether the table exists (1) or not (0).",
		   h->exists);
	prom_gauge(b, h, "site_loaded",
		   "Whether the site file and catalog could be loaded (1) or not (0).",
		   s->site != NULL);
	if (h->in_sync >= 0) {
		prom_gauge(b, h, "in_sync",
			   "Whether the live table is the plan (1) or not (0).",
			   h->in_sync);
		json_array_foreach(h->drift, i, d)
			drift += json_integer_value(json_object_get(d, "add")) +
				 json_integer_value(json_object_get(d, "remove"));
		prom_gauge(b, h, "drift_lines",
			   "Lines of the dry-run diff: what apply would add or remove.",
			   h->in_sync ? 0 : drift);
	}
	prom_counter(b, h, "row_packets_total",
		     "Connection-opening packets the rules of a row counted.",
		     v, n, false);
	prom_counter(b, h, "row_bytes_total",
		     "Bytes of the connection-opening packets the rules of a row counted.",
		     v, n, true);
	free(v);
	return 0;
}

#define ROW_HEADER_FMT "%-26s %-4s %-12s %-12s %-24s %-13s %12s %14s  %s\n"
#define ROW_HEADER "ROW", "PROT", "LISTEN", "REMOTE", "GROUPS", "DIRECTION", \
		   "PACKETS", "BYTES", "NOTE"

static int dump_json(json_t *o, char **out)
{
	char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

/* The rows, as text after @b's head or as a JSON array. */
static int render_rows(struct status *s, const struct fnft_catalog *cat,
		       bool json, struct fnft_buf *b, json_t **rows)
{
	struct sink sink = { .text = b };
	int rc;

	if (json && !(sink.rows = json_array()))
		return -ENOMEM;
	if (!json)
		fnft_buf_printf(b, ROW_HEADER_FMT, ROW_HEADER);
	rc = each_row(s, cat, &sink);
	if (rc)
		json_decref(sink.rows);
	else if (json)
		*rows = sink.rows;
	return rc;
}

static void status_free(struct status *s)
{
	free(s->plan_ix.v);
	free(s->live_ix.v);
}

static int status_init(struct status *s, const struct fnft_site *site,
		       const struct fnft_ruleset *plan,
		       const struct fnft_ruleset *live, bool legacy)
{
	*s = (struct status){ .site = site, .plan = plan, .live = live,
			      .legacy = legacy };
	if (index_build(plan, &s->plan_ix) || index_build(live, &s->live_ix)) {
		status_free(s);
		return -ENOMEM;
	}
	return 0;
}

FNFT_EXPORT int fnft_status_render_live(const struct fnft_catalog *cat,
					const struct fnft_site *site,
					const struct fnft_ruleset *plan,
					const struct fnft_ruleset *live,
					const char *table, const char *site_error,
					unsigned flags, char **out)
{
	bool json = flags & FNFT_STATUS_JSON;
	bool prom = flags & FNFT_STATUS_PROMETHEUS;
	struct fnft_buf b = { 0 };
	json_t *rows = NULL;
	struct status s;
	struct head h;
	int rc;

	if (!out || (flags & ~(FNFT_STATUS_JSON | FNFT_STATUS_PROMETHEUS)) ||
	    (json && prom) || (plan && !site))
		return -EINVAL;
	/* counters that were not read are not shown as zeros */
	if (live && !live->counters_read)
		return -ENODATA;
	if ((rc = status_init(&s, site, plan, live, false)))
		return rc;
	rc = head_init(&h, &s, table);
	if (!rc && prom)
		rc = prom_text(&h, &s, &b);
	else if (!rc && !json)
		head_text(&h, site_error, &b);
	if (!rc && !prom)	/* the metrics have no rows but the counters' */
		rc = render_rows(&s, cat, json, &b, &rows);
	if (!rc && json)
		rc = dump_json(head_json(&h, &s, site_error, rows), out);
	else if (!rc)
		rc = fnft_buf_steal(&b, out);
	head_free(&h);
	status_free(&s);
	fnft_buf_free(&b);
	return rc;
}

FNFT_EXPORT int fnft_status_render(const struct fnft_catalog *cat,
				   const struct fnft_site *site,
				   const struct fnft_ruleset *plan,
				   const struct fnft_ruleset *live, bool json,
				   char **out)
{
	struct fnft_buf b = { 0 };
	json_t *rows = NULL;
	struct status s;
	int rc;

	if (!cat || !site || !plan || !out)
		return -EINVAL;
	if ((rc = status_init(&s, site, plan, live, true)))
		return rc;
	rc = render_rows(&s, cat, json, &b, &rows);
	if (!rc && json)
		rc = dump_json(rows, out);
	else if (!rc)
		rc = fnft_buf_steal(&b, out);
	status_free(&s);
	fnft_buf_free(&b);
	return rc;
}
