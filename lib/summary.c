/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A change by group and row: what a reviewer wants to know before reading
 * the nft diff.  Everything is first built as JSON (the data for tools);
 * the text is rendered from that, so the two never disagree.
 *
 * The rulesets say what the kernel will hold: the merged intervals of each
 * set, and per row (the comment of its rules) the direction, protocol,
 * ports and groups of its rules.  The sites, when given, add the networks
 * as written, with their file and line, and the [policy] words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <finesse-nft/ruleset.h>

#include "ir.h"
#include "site-impl.h"

static const char *const dir_name[2] = { "inbound", "outbound" };

/* ---- rows, as the rules of a ruleset show them ---- */

struct dirinfo {
	bool on;
	const char *proto;
	char ports[160];
	char **groups;		/* the set names, "_v4" cut; "any": no set */
	size_t n_groups, cap_groups;
};

struct rowinfo {
	const char *id;
	struct dirinfo dir[2];	/* inbound (input), outbound (output) */
};

struct rows {
	struct rowinfo *v;
	size_t n, cap;
};

static void ports_text(const struct fnft_portlist *p, char *s, size_t len)
{
	size_t i, off = 0;

	s[0] = '\0';
	for (i = 0; i < p->n && off < len; i++)
		off += (size_t)snprintf(s + off, len - off, p->v[i].first == p->v[i].last ?
					"%s%u" : "%s%u-%u", i ? "," : "", p->v[i].first,
					p->v[i].last);
	if (!p->n)
		snprintf(s, len, "any");
}

/* "browser_v4" -> "browser"; no set: the row is open to "any". */
static void group_of(const char *set, char *g, size_t len)
{
	size_t n;

	if (!set) {
		snprintf(g, len, "any");
		return;
	}
	n = strlen(set);
	if (n > 3 && set[n - 3] == '_' && set[n - 2] == 'v')
		n -= 3;
	snprintf(g, len, "%.*s", (int)n, set);
}

static struct rowinfo *row_get(struct rows *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].id, id))
			return &r->v[i];
	if (fnft_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v)) < 0)
		return NULL;
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	r->v[r->n].id = id;
	return &r->v[r->n++];
}

static int rows_collect(const struct fnft_ruleset *rs, struct rows *r)
{
	size_t c, i, k;

	for (c = 0; rs && c < rs->n_chains; c++) {
		const struct fnft_ir_chain *ch = &rs->chains[c];
		int d = ch->hook == FNFT_HOOK_INPUT ? 0 : ch->hook == FNFT_HOOK_OUTPUT ? 1 : -1;

		for (i = 0; d >= 0 && i < ch->n_rules; i++) {
			const struct fnft_ir_rule *ru = &ch->rules[i];
			struct rowinfo *ri;
			struct dirinfo *di;
			char g[72];

			if (!ru->comment || ru->raw)
				continue;
			if (!(ri = row_get(r, ru->comment)))
				return -ENOMEM;
			di = &ri->dir[d];
			if (!di->on) {
				di->on = true;
				di->proto = ru->l4 == FNFT_L4_UDP ? "udp" : "tcp";
				ports_text(&ru->dports, di->ports, sizeof(di->ports));
			}
			group_of(ru->set, g, sizeof(g));
			for (k = 0; k < di->n_groups && strcmp(di->groups[k], g); k++)
				;
			if (k < di->n_groups)
				continue;
			if (fnft_grow(&di->groups, &di->cap_groups, k + 1,
				      sizeof(*di->groups)) < 0 ||
			    !(di->groups[k] = strdup(g)))
				return -ENOMEM;
			di->n_groups++;
		}
	}
	return 0;
}

static void rows_free(struct rows *r)
{
	size_t i, d, k;

	for (i = 0; i < r->n; i++)
		for (d = 0; d < 2; d++) {
			for (k = 0; k < r->v[i].dir[d].n_groups; k++)
				free(r->v[i].dir[d].groups[k]);
			free(r->v[i].dir[d].groups);
		}
	free(r->v);
}

static const struct rowinfo *row_find(const struct rows *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].id, id))
			return &r->v[i];
	return NULL;
}

static bool has_group(const struct dirinfo *d, const char *g)
{
	size_t k;

	for (k = 0; d->on && k < d->n_groups; k++)
		if (!strcmp(d->groups[k], g))
			return true;
	return false;
}

static json_t *rules_json(const struct rowinfo *ri)
{
	json_t *a = json_array();
	size_t d, k;

	for (d = 0; a && d < 2; d++) {
		const struct dirinfo *di = &ri->dir[d];
		json_t *g = json_array();

		if (!di->on) {
			json_decref(g);
			continue;
		}
		for (k = 0; g && k < di->n_groups; k++)
			json_array_append_new(g, fnft_json_text(di->groups[k]));
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o}", "direction",
						   dir_name[d], "protocol", di->proto,
						   "ports", fnft_json_text(di->ports),
						   "groups", g));
	}
	return a;
}

/* Groups of @x's direction @d that @y's lacks. */
static json_t *groups_gained(const struct rowinfo *x, const struct rowinfo *y)
{
	json_t *a = json_array();
	size_t d, k;

	for (d = 0; a && d < 2; d++)
		for (k = 0; x->dir[d].on && y->dir[d].on && k < x->dir[d].n_groups; k++)
			if (!has_group(&y->dir[d], x->dir[d].groups[k]))
				json_array_append_new(a, json_pack("{s:o, s:s}", "group",
					fnft_json_text(x->dir[d].groups[k]), "direction", dir_name[d]));
	return a;
}

static json_t *row_change(const struct rowinfo *was, const struct rowinfo *now)
{
	json_t *ports, *o;
	size_t d;

	if (!was)
		return json_pack("{s:o, s:s, s:o}", "row", fnft_json_text(now->id),
				 "change", "enabled", "rules", rules_json(now));
	if (!now)
		return json_pack("{s:o, s:s, s:o}", "row", fnft_json_text(was->id),
				 "change", "disabled", "rules", rules_json(was));
	ports = json_array();
	for (d = 0; ports && d < 2; d++) {
		const struct dirinfo *a = &was->dir[d], *b = &now->dir[d];

		if (a->on != b->on || (a->on && (strcmp(a->ports, b->ports) ||
						  strcmp(a->proto, b->proto))))
			json_array_append_new(ports, json_pack("{s:s, s:o, s:o}",
				"direction", dir_name[d],
				"old", a->on ? fnft_json_text(a->ports) : json_null(),
				"new", b->on ? fnft_json_text(b->ports) : json_null()));
	}
	o = json_pack("{s:o, s:s, s:o, s:o, s:o}", "row", fnft_json_text(now->id),
		      "change", "changed", "ports", ports,
		      "admits", groups_gained(now, was),
		      "no_longer_admits", groups_gained(was, now));
	if (o && !json_array_size(json_object_get(o, "ports")) &&
	    !json_array_size(json_object_get(o, "admits")) &&
	    !json_array_size(json_object_get(o, "no_longer_admits"))) {
		json_decref(o);
		return json_null();	/* the same row: no change */
	}
	return o;
}

static int rows_json(const struct rows *ra, const struct rows *rb, json_t *out)
{
	size_t i;

	for (i = 0; i < rb->n; i++) {
		json_t *c = row_change(row_find(ra, rb->v[i].id), &rb->v[i]);

		if (!c)
			return -ENOMEM;
		if (json_is_null(c))
			json_decref(c);
		else
			json_array_append_new(out, c);
	}
	for (i = 0; i < ra->n; i++)
		if (!row_find(rb, ra->v[i].id) &&
		    json_array_append_new(out, row_change(&ra->v[i], NULL)) < 0)
			return -ENOMEM;
	return 0;
}

/* ---- groups: networks as written, and the kernel's intervals ---- */

/* Whether @iv lies inside @l (normalized: then inside one interval). */
static bool covered(const struct fnft_ivlist *l, const struct fnft_iv *iv)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (memcmp(l->v[i].lo, iv->lo, 16) <= 0 && memcmp(iv->hi, l->v[i].hi, 16) <= 0)
			return true;
	return false;
}

static bool ivlist_has(const struct fnft_ivlist *l, const struct fnft_iv *iv)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (!memcmp(&l->v[i], iv, sizeof(*iv)))
			return true;
	return false;
}

static const struct fnft_ivlist *elems(const struct fnft_ruleset *rs, const char *set)
{
	const struct fnft_ir_set *s = rs ? fnft_ruleset_find_set(rs, set) : NULL;

	return s && !s->raw ? &s->elems : NULL;
}

/* The intervals of @x's set that @y's lacks, as text into @out; those of
 * them that @y does not cover either (address space that comes or goes,
 * not only a merge) also into @fresh. */
static int iv_diff(const struct fnft_ivlist *x, const struct fnft_ivlist *y,
		   enum fnft_family fam, json_t *out, json_t *fresh)
{
	char text[128];
	size_t i;

	for (i = 0; x && i < x->n; i++) {
		if (ivlist_has(y, &x->v[i]))
			continue;
		fnft_iv_format(&x->v[i], fam, text, sizeof(text));
		if (json_array_append_new(out, fnft_json_text(text)) < 0 ||
		    (!covered(y, &x->v[i]) &&
		     json_array_append_new(fresh, fnft_json_text(text)) < 0))
			return -ENOMEM;
	}
	return 0;
}

static const char *written_file(const struct fnft_site *s, const struct fnft_written *w)
{
	return w->file_no && w->file_no <= s->n_files ? s->files[w->file_no - 1] : NULL;
}

static bool written_has(const struct fnft_group *g, const struct fnft_written *w)
{
	size_t i;

	for (i = 0; g && i < g->n_written; i++)
		if (g->written[i].fam == w->fam && !memcmp(&g->written[i].iv, &w->iv, sizeof(w->iv)))
			return true;
	return false;
}

/* Rows of @r that admit group @g, as [{"row", "direction"}]. */
static json_t *rows_admitting(const struct rows *r, const char *g)
{
	json_t *a = json_array();
	size_t i, d;

	for (i = 0; a && i < r->n; i++)
		for (d = 0; d < 2; d++)
			if (has_group(&r->v[i].dir[d], g))
				json_array_append_new(a, json_pack("{s:o, s:s}", "row",
					fnft_json_text(r->v[i].id), "direction", dir_name[d]));
	return a;
}

/*
 * The networks written into (or out of) group @g: those of @s's group that
 * @other's lacks, or with @other NULL (the live table has no site), those
 * the old table does not cover.  Each: {"network", "file", "line",
 * "effect": @effect, or "none" when the table on the other side, @there
 * (by family), covers it all the same: another network holds it still.
 */
static int written_json(const struct fnft_site *s, const struct fnft_site *other,
			const char *g, const struct fnft_ivlist *there[2],
			const char *effect, json_t *out)
{
	const struct fnft_group *gs = s ? fnft_site_group(s, g) : NULL;
	const struct fnft_group *go = other ? fnft_site_group(other, g) : NULL;
	char text[128];
	size_t i;

	for (i = 0; gs && i < gs->n_written; i++) {
		const struct fnft_written *w = &gs->written[i];
		const char *file = written_file(s, w);
		bool same = covered(there[w->fam], &w->iv);

		if (other ? written_has(go, w) : same)
			continue;
		fnft_iv_format(&w->iv, w->fam, text, sizeof(text));
		if (json_array_append_new(out, json_pack("{s:o, s:o, s:o, s:s}",
				"network", fnft_json_text(text),
				"file", file ? fnft_json_text(file) : json_null(),
				"line", w->line ? json_integer(w->line) : json_null(),
				"effect", same ? "none" : effect)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Every group either ruleset has a set of, in set order, once. */
static int group_names(const struct fnft_ruleset *a, const struct fnft_ruleset *b,
		       json_t *names)
{
	const struct fnft_ruleset *rs[2] = { a, b };
	char g[72];
	size_t k, i, j;

	for (k = 0; k < 2; k++)
		for (i = 0; rs[k] && i < rs[k]->n_sets; i++) {
			group_of(rs[k]->sets[i].name, g, sizeof(g));
			for (j = 0; j < json_array_size(names); j++)
				if (!strcmp(json_string_value(json_array_get(names, j)), g))
					break;
			if (j == json_array_size(names) &&
			    json_array_append_new(names, json_string(g)) < 0)
				return -ENOMEM;
		}
	return 0;
}

/* The networks an effect is about: the written ones that have it, else
 * (no site, or a change of [cluster]) the kernel's new or gone space. */
static json_t *effect_networks(json_t *written, const char *effect, json_t *fresh)
{
	json_t *a = json_array(), *v;
	size_t i;

	json_array_foreach(written, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "effect")), effect))
			json_array_append(a, json_object_get(v, "network"));
	if (json_array_size(a) || !a) {
		return a;
	}
	json_decref(a);
	return json_deep_copy(fresh);
}

static json_t *effect(json_t *networks, const struct rows *r, const char *g)
{
	if (!json_array_size(networks)) {
		json_decref(networks);
		return json_null();
	}
	return json_pack("{s:o, s:o}", "networks", networks, "rows", rows_admitting(r, g));
}

static int group_json(const struct fnft_ruleset *a, const struct fnft_ruleset *b,
		      const struct fnft_site *sa, const struct fnft_site *sb,
		      const struct rows *ra, const struct rows *rb,
		      const char *g, json_t *groups)
{
	static const char *const suffix[2] = { "_v4", "_v6" };
	const struct fnft_ivlist *in_a[2], *in_b[2];
	json_t *kernel = json_array(), *wa = json_array(), *wr = json_array();
	json_t *opened = json_array(), *closed = json_array();
	char set[96];
	int fam, rc = -ENOMEM;

	if (!kernel || !wa || !wr || !opened || !closed)
		goto out;
	for (fam = 0; fam < 2; fam++) {
		json_t *plus = json_array(), *minus = json_array();

		snprintf(set, sizeof(set), "%s%s", g, suffix[fam]);
		in_a[fam] = elems(a, set);
		in_b[fam] = elems(b, set);
		if (!plus || !minus ||
		    iv_diff(in_b[fam], in_a[fam], fam, plus, opened) ||
		    iv_diff(in_a[fam], in_b[fam], fam, minus, closed)) {
			json_decref(plus);
			json_decref(minus);
			goto out;
		}
		if (json_array_size(plus) || json_array_size(minus))
			json_array_append_new(kernel, json_pack("{s:o, s:o, s:o}", "set",
					      fnft_json_text(set), "added", plus,
					      "removed", minus));
		else {
			json_decref(plus);
			json_decref(minus);
		}
	}
	/* with both sites, what was written; with the new one alone (the
	 * live table has no site), the new networks the old table lacks */
	if (written_json(sb, sa, g, in_a, "opens", wa) ||
	    (sa && written_json(sa, sb, g, in_b, "closes", wr)))
		goto out;
	rc = 0;
	if (json_array_size(kernel) || json_array_size(wa) || json_array_size(wr)) {
		json_t *o = json_pack("{s:o, s:O, s:O, s:O, s:o, s:o}",
				      "group", fnft_json_text(g), "added", wa,
				      "removed", wr, "kernel", kernel,
				      "opens", effect(effect_networks(wa, "opens", opened), rb, g),
				      "closes", effect(effect_networks(wr, "closes", closed), ra, g));

		rc = o && !json_array_append_new(groups, o) ? 0 : -ENOMEM;
	}
out:
	json_decref(kernel);
	json_decref(wa);
	json_decref(wr);
	json_decref(opened);
	json_decref(closed);
	return rc;
}

/* ---- policy ---- */

static const char *chain_policy(const struct fnft_ruleset *rs, enum fnft_hook hook)
{
	size_t i;

	for (i = 0; rs && i < rs->n_chains; i++)
		if (rs->chains[i].hook == hook && !rs->chains[i].raw)
			return rs->chains[i].policy == FNFT_VERDICT_DROP ? "drop" : "accept";
	return NULL;
}

static const char *chain_log(const struct fnft_ruleset *rs, enum fnft_hook hook)
{
	size_t i, k;

	for (i = 0; rs && i < rs->n_chains; i++)
		if (rs->chains[i].hook == hook)
			for (k = 0; k < rs->chains[i].n_rules; k++)
				if (rs->chains[i].rules[k].log_prefix)
					return "on";
	return rs ? "off" : NULL;
}

static int knob(json_t *out, const char *name, const char *x, const char *y)
{
	if ((!x && !y) || (x && y && !strcmp(x, y)))
		return 0;
	return json_array_append_new(out, json_pack("{s:s, s:o, s:o}", "knob", name,
				     "old", x ? json_string(x) : json_null(), "new",
				     y ? json_string(y) : json_null())) ? -ENOMEM : 0;
}

/* The [policy] words with both sites; without, what the chains show. */
static int policy_json(const struct fnft_ruleset *a, const struct fnft_ruleset *b,
		       const struct fnft_site *sa, const struct fnft_site *sb,
		       json_t *out)
{
	static const char *const names[] = { "input", "output", "insecure", "log", "ping" };
	size_t i;
	int rc = 0;

	if (sa && sb) {
		for (i = 0; !rc && i < 5; i++)
			rc = knob(out, names[i], fnft_site_policy(sa, (enum fnft_policy_knob)i),
				  fnft_site_policy(sb, (enum fnft_policy_knob)i));
		return rc;
	}
	rc = knob(out, "input", chain_policy(a, FNFT_HOOK_INPUT), chain_policy(b, FNFT_HOOK_INPUT));
	if (!rc)
		rc = knob(out, "output", chain_policy(a, FNFT_HOOK_OUTPUT),
			  chain_policy(b, FNFT_HOOK_OUTPUT));
	if (!rc)
		rc = knob(out, "input log", chain_log(a, FNFT_HOOK_INPUT),
			  chain_log(b, FNFT_HOOK_INPUT));
	if (!rc)
		rc = knob(out, "output log", chain_log(a, FNFT_HOOK_OUTPUT),
			  chain_log(b, FNFT_HOOK_OUTPUT));
	return rc;
}

/* A rule no plan of ours has the shape of: not understood, or without a
 * row and none of the fixed rules (ct state, loopback, ICMP, log). */
static bool foreign_rule(const struct fnft_ir_rule *r)
{
	return r->raw || (!r->comment && !r->ct_state && !r->iifname[0] &&
			  !r->oifname[0] && r->l4 != FNFT_L4_ICMP &&
			  r->l4 != FNFT_L4_ICMPV6 && !r->log_prefix);
}

/* What the live table holds that no plan makes: rules of no shape of ours
 * that the plan lacks, sets, chains and objects not of our making. */
static size_t foreign(const struct fnft_ruleset *a, const struct fnft_ruleset *b)
{
	size_t n = 0, i, k, c, j;

	for (i = 0; a && i < a->n_sets; i++)
		n += a->sets[i].raw != NULL;
	for (i = 0; a && i < a->n_chains; i++) {
		const struct fnft_ir_chain *ch = &a->chains[i];
		const struct fnft_ir_chain *other = NULL;

		if (ch->raw || !ch->hook) {
			n++;
			continue;
		}
		for (c = 0; b && c < b->n_chains; c++)
			if (!strcmp(b->chains[c].name, ch->name))
				other = &b->chains[c];
		for (k = 0; k < ch->n_rules; k++) {
			bool found = false;

			if (!foreign_rule(&ch->rules[k]))
				continue;
			for (j = 0; other && j < other->n_rules && !found; j++)
				found = fnft_rule_equal(&ch->rules[k], &other->rules[j]);
			n += !found;
		}
	}
	return n + (a ? a->n_objects : 0);
}

static json_t *summary_json(const struct fnft_ruleset *a, const struct fnft_ruleset *b,
			    const struct fnft_site *sa, const struct fnft_site *sb,
			    const char *role)
{
	struct rows ra = { 0 }, rb = { 0 };
	json_t *names = json_array(), *groups = json_array(), *rows = json_array();
	json_t *policy = json_array(), *o = NULL;
	size_t i;
	int rc;

	rc = names && groups && rows && policy ? 0 : -ENOMEM;
	if (!rc)
		rc = rows_collect(a, &ra);
	if (!rc)
		rc = rows_collect(b, &rb);
	if (!rc)
		rc = group_names(a, b, names);
	for (i = 0; !rc && i < json_array_size(names); i++)
		rc = group_json(a, b, sa, sb, &ra, &rb,
				json_string_value(json_array_get(names, i)), groups);
	if (!rc)
		rc = rows_json(&ra, &rb, rows);
	if (!rc)
		rc = policy_json(a, b, sa, sb, policy);
	if (!rc && a && (a->flags & 1u) != (b->flags & 1u))
		rc = knob(policy, "dormant", a->flags & 1u ? "yes" : "no",
			  b->flags & 1u ? "yes" : "no");
	if (!rc)
		o = json_pack("{s:o, s:b, s:O, s:O, s:O, s:I}",
			      "role", role ? fnft_json_text(role) : json_null(),
			      "in_sync", a && fnft_ruleset_equal(a, b),
			      "groups", groups, "rows", rows, "policy", policy,
			      "other_removed", (json_int_t)(sa ? 0 : foreign(a, b)));
	json_decref(names);
	json_decref(groups);
	json_decref(rows);
	json_decref(policy);
	rows_free(&ra);
	rows_free(&rb);
	return o;
}

/* ---- the text, from the JSON ---- */

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void put_list(struct fnft_buf *t, json_t *a, const char *key, const char *sep)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		fnft_buf_printf(t, "%s%s", i ? sep : "",
				key ? str(v, key) : json_string_value(v));
}

static void put_written(struct fnft_buf *t, const char *g, json_t *a, char sign)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		fnft_buf_printf(t, "group %s: %c%s", g, sign, str(v, "network"));
		if (str(v, "file"))
			fnft_buf_printf(t, " (%s:%lld)", str(v, "file"),
					(long long)json_integer_value(json_object_get(v, "line")));
		if (!strcmp(str(v, "effect"), "none"))
			fnft_buf_puts(t, sign == '+' ? ", covered already: no change in the kernel" :
				      ", covered still: no change in the kernel");
		fnft_buf_puts(t, "\n");
	}
}

/* "browser +10.40.0.0/16: opens a, b inbound from 10.40.0.0/16; c outbound
 * to 10.40.0.0/16" */
static void put_effect(struct fnft_buf *t, const char *g, json_t *e, char sign,
		       const char *verb)
{
	json_t *net, *rows = json_object_get(e, "rows"), *r;
	size_t i, k, d, parts;

	json_array_foreach(json_object_get(e, "networks"), i, net) {
		fnft_buf_printf(t, "%s %c%s: %s", g, sign, json_string_value(net), verb);
		for (d = 0, parts = 0; d < 2; d++) {
			size_t n = 0;

			json_array_foreach(rows, k, r) {
				if (strcmp(str(r, "direction"), dir_name[d]))
					continue;
				fnft_buf_printf(t, "%s%s", n ? ", " : parts ? "; " : " ",
						str(r, "row"));
				n++;
			}
			if (n)
				fnft_buf_printf(t, " %s %s %s", dir_name[d], d ? "to" : "from",
						json_string_value(net));
			parts += n > 0;
		}
		fnft_buf_puts(t, parts ? "\n" : " no row (no rule admits the group)\n");
	}
}

static void put_rules(struct fnft_buf *t, json_t *rules)
{
	json_t *r;
	size_t i;

	json_array_foreach(rules, i, r) {
		fnft_buf_printf(t, "%s%s %s %s %s ", i ? "; " : "", str(r, "direction"),
				str(r, "protocol"), str(r, "ports"),
				!strcmp(str(r, "direction"), "inbound") ? "from" : "to");
		put_list(t, json_object_get(r, "groups"), NULL, ", ");
	}
}

static void put_admits(struct fnft_buf *t, json_t *a, const char *what)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		fnft_buf_printf(t, "%s%s %s %s",
				t->len && t->s[t->len - 1] == ':' ? " " : "; ",
				what, str(v, "group"), str(v, "direction"));
}

static void summary_text(json_t *o, struct fnft_buf *t)
{
	json_t *g, *r, *p, *k;
	size_t i, j;

	json_array_foreach(json_object_get(o, "groups"), i, g) {
		const char *name = str(g, "group");

		put_written(t, name, json_object_get(g, "added"), '+');
		put_written(t, name, json_object_get(g, "removed"), '-');
		json_array_foreach(json_object_get(g, "kernel"), j, k) {
			fnft_buf_printf(t, "group %s: kernel %s", name, str(k, "set"));
			if (json_array_size(json_object_get(k, "removed"))) {
				fnft_buf_puts(t, " -");
				put_list(t, json_object_get(k, "removed"), NULL, " -");
			}
			if (json_array_size(json_object_get(k, "added"))) {
				fnft_buf_puts(t, " +");
				put_list(t, json_object_get(k, "added"), NULL, " +");
			}
			fnft_buf_puts(t, "\n");
		}
		put_effect(t, name, json_object_get(g, "opens"), '+', "opens");
		put_effect(t, name, json_object_get(g, "closes"), '-', "closes");
	}
	json_array_foreach(json_object_get(o, "rows"), i, r) {
		const char *change = str(r, "change");

		fnft_buf_printf(t, "row %s:", str(r, "row"));
		if (strcmp(change, "changed")) {
			fnft_buf_printf(t, " %s (%s ", change,
					!strcmp(change, "enabled") ? "now" : "was");
			put_rules(t, json_object_get(r, "rules"));
			fnft_buf_puts(t, ")\n");
			continue;
		}
		json_array_foreach(json_object_get(r, "ports"), j, p)
			fnft_buf_printf(t, "%sports %s %s -> %s", j ? "; " : " ",
					str(p, "direction"), str(p, "old") ? str(p, "old") : "none",
					str(p, "new") ? str(p, "new") : "none");
		put_admits(t, json_object_get(r, "admits"), "now admits");
		put_admits(t, json_object_get(r, "no_longer_admits"), "no longer admits");
		fnft_buf_puts(t, "\n");
	}
	json_array_foreach(json_object_get(o, "policy"), i, p)
		fnft_buf_printf(t, "policy %s: %s -> %s\n", str(p, "knob"),
				str(p, "old") ? str(p, "old") : "none",
				str(p, "new") ? str(p, "new") : "none");
	if (json_integer_value(json_object_get(o, "other_removed")))
		fnft_buf_printf(t, "other: %lld rules, sets, chains or objects finesse-nft "
				"did not make are removed (see the diff)\n",
				(long long)json_integer_value(json_object_get(o, "other_removed")));
}

FNFT_EXPORT int fnft_ruleset_summary(const struct fnft_ruleset *a,
				     const struct fnft_ruleset *b,
				     const struct fnft_site *site_a,
				     const struct fnft_site *site_b,
				     const char *role, unsigned flags, char **out)
{
	struct fnft_buf t = { 0 };
	json_t *o;

	if (!b || !out || (flags & ~FNFT_SUMMARY_JSON))
		return -EINVAL;
	if (!(o = summary_json(a, b, site_a, site_b, role)))
		return -ENOMEM;
	if (flags & FNFT_SUMMARY_JSON) {
		*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(o);
		return *out ? 0 : -ENOMEM;
	}
	summary_text(o, &t);
	json_decref(o);
	if (!t.s && !t.oom)
		fnft_buf_puts(&t, "");
	return fnft_buf_steal(&t, out);
}
