/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The IR <-> the state file's body; see ir-json.h.  Only state.c uses it. */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "ir-json.h"
#include "wire.h"

/* ---- IR -> JSON ---- */

static json_t *ports_json(const struct fnft_portlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_pack("[ii]", l->v[i].first,
						   l->v[i].last));
	return a;
}

static void put_str(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));
}

static void put_int(json_t *o, const char *key, json_int_t v)
{
	if (v)
		json_object_set_new(o, key, json_integer(v));
}

static json_t *rule_json(const struct fnft_ir_rule *r)
{
	json_t *o = json_object();
	size_t i;

	if (!o)
		return NULL;
	put_int(o, "ct", r->ct_state);
	put_str(o, "iif", r->iifname);
	put_str(o, "oif", r->oifname);
	put_int(o, "addr", r->addr);
	if (r->addr)
		json_object_set_new(o, "family", json_integer(r->family));
	put_str(o, "set", r->set);
	put_int(o, "l4", r->l4);
	if (r->dports.n)
		json_object_set_new(o, "dports", ports_json(&r->dports));
	if (r->n_icmp_types) {
		json_t *a = json_array();

		for (i = 0; a && i < r->n_icmp_types; i++)
			json_array_append_new(a, json_integer(r->icmp_types[i]));
		json_object_set_new(o, "icmp", a);
	}
	put_int(o, "counter", r->counter);
	put_int(o, "limit", r->limit_per_minute);
	put_str(o, "log", r->log_prefix);
	put_int(o, "verdict", r->verdict);
	put_str(o, "comment", r->comment);
	put_str(o, "raw", r->raw);
	put_int(o, "handle", (json_int_t)r->handle);
	return o;
}

/* The key width of a set's family. */
/* A set with only the count of its elements: the keys follow the JSON as
 * raw bytes (elems_pack()). */
static json_t *set_json(const struct fnft_ir_set *s)
{
	return json_pack("{s:s, s:i, s:I, s:s?}", "name", s->name, "family",
			 s->family, "count", (json_int_t)s->elems.n, "raw",
			 s->raw);
}

static json_t *chain_json(const struct fnft_ir_chain *c)
{
	json_t *rules = json_array();
	size_t i;

	for (i = 0; rules && i < c->n_rules; i++)
		json_array_append_new(rules, rule_json(&c->rules[i]));
	return json_pack("{s:s, s:i, s:i, s:i, s:o}", "name", c->name, "hook",
			 c->hook, "priority", c->priority, "policy", c->policy,
			 "rules", rules);
}

static char *ruleset_json(const struct fnft_ruleset *rs)
{
	json_t *sets = json_array(), *chains = json_array(), *o;
	char *s;
	size_t i;

	for (i = 0; sets && i < rs->n_sets; i++)
		json_array_append_new(sets, set_json(&rs->sets[i]));
	for (i = 0; chains && i < rs->n_chains; i++)
		json_array_append_new(chains, chain_json(&rs->chains[i]));
	o = json_pack("{s:s, s:s?, s:o, s:o}", "table", rs->table, "comment",
		      rs->comment, "sets", sets, "chains", chains);
	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* The keys of every set, in set order, each interval as lo then hi in the
 * set's width: what follows the JSON in the state file. */
static size_t elems_size(const struct fnft_ruleset *rs)
{
	size_t i, n = 0;

	for (i = 0; i < rs->n_sets; i++)
		n += rs->sets[i].elems.n * 2 * fnft_family_key_len(rs->sets[i].family);
	return n;
}

static void elems_pack(const struct fnft_ruleset *rs, uint8_t *p)
{
	size_t i, k;

	for (i = 0; i < rs->n_sets; i++) {
		const struct fnft_ir_set *s = &rs->sets[i];
		size_t w = fnft_family_key_len(s->family);

		for (k = 0; k < s->elems.n; k++, p += 2 * w) {
			memcpy(p, s->elems.v[k].lo, w);
			memcpy(p + w, s->elems.v[k].hi, w);
		}
	}
}

int fnft_ir_json_dump(const struct fnft_ruleset *rs, char **json,
		      uint8_t **keys, size_t *n_keys)
{
	size_t n;
	char *j;
	uint8_t *k;

	/* objects, flowtables and odd chains are never stored: only a table
	 * equal to a plan is saved, and no plan has any */
	if (fnft_ruleset_has_foreign(rs))
		return -EINVAL;
	n = elems_size(rs);
	j = ruleset_json(rs);
	k = malloc(n ? n : 1);
	if (!j || !k) {
		free(j);
		free(k);
		return -ENOMEM;
	}
	elems_pack(rs, k);
	*json = j;
	*keys = k;
	*n_keys = n;
	return 0;
}

/* ---- JSON -> IR ---- */

static const char *get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t get_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int rule_from_json(json_t *o, struct fnft_ir_chain *c)
{
	struct fnft_ir_rule r = { 0 };
	uint8_t types[256];
	json_t *v;
	size_t i;
	int rc;

	if (!json_is_object(o))
		return -EINVAL;
	r.ct_state = (uint32_t)get_int(o, "ct");
	snprintf(r.iifname, sizeof(r.iifname), "%s", get_str(o, "iif") ?: "");
	snprintf(r.oifname, sizeof(r.oifname), "%s", get_str(o, "oif") ?: "");
	r.addr = (enum fnft_addr_match)get_int(o, "addr");
	r.family = (enum fnft_family)get_int(o, "family");
	r.set = (char *)get_str(o, "set");
	r.l4 = (enum fnft_l4)get_int(o, "l4");
	json_array_foreach(json_object_get(o, "dports"), i, v) {
		rc = fnft_portlist_add(&r.dports,
				       (uint16_t)json_integer_value(json_array_get(v, 0)),
				       (uint16_t)json_integer_value(json_array_get(v, 1)));
		if (rc)
			goto out;
	}
	json_array_foreach(json_object_get(o, "icmp"), i, v) {
		if (i >= sizeof(types))
			break;
		types[i] = (uint8_t)json_integer_value(v);
		r.n_icmp_types = i + 1;
	}
	r.icmp_types = r.n_icmp_types ? types : NULL;
	r.counter = get_int(o, "counter") != 0;
	r.limit_per_minute = (unsigned)get_int(o, "limit");
	r.log_prefix = (char *)get_str(o, "log");
	r.verdict = (enum fnft_verdict)get_int(o, "verdict");
	r.comment = (char *)get_str(o, "comment");
	r.raw = (char *)get_str(o, "raw");
	r.handle = (uint64_t)get_int(o, "handle");
	rc = fnft_chain_add_rule(c, &r);
out:
	fnft_portlist_free(&r.dports);
	return rc;
}

/* The raw keys after the JSON, consumed set by set. */
struct blob {
	const uint8_t *p;
	size_t left;
};

static int elems_from_blob(json_t *count, enum fnft_family fam,
			   struct blob *b, struct fnft_ivlist *l)
{
	size_t w = fnft_family_key_len(fam), n, i;

	if (!json_is_integer(count) || json_integer_value(count) < 0 ||
	    (uint64_t)json_integer_value(count) > b->left / (2 * w))
		return -EINVAL;
	n = (size_t)json_integer_value(count);
	l->v = calloc(n ? n : 1, sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	l->n = l->cap = n;
	for (i = 0; i < n; i++, b->p += 2 * w) {
		memcpy(l->v[i].lo, b->p, w);
		memcpy(l->v[i].hi, b->p + w, w);
	}
	b->left -= n * 2 * w;
	return 0;
}

static int set_from_json(json_t *o, struct fnft_ruleset *rs, struct blob *b)
{
	enum fnft_family fam = (enum fnft_family)get_int(o, "family");
	const char *name = get_str(o, "name");
	struct fnft_ir_set *s;

	if (!name || (fam != FNFT_V4 && fam != FNFT_V6))
		return -EINVAL;
	s = fnft_ruleset_add_set(rs, name, fam);
	if (!s)
		return -ENOMEM;
	if (get_str(o, "raw") && !(s->raw = strdup(get_str(o, "raw"))))
		return -ENOMEM;
	return elems_from_blob(json_object_get(o, "count"), fam, b, &s->elems);
}

static int chain_from_json(json_t *o, struct fnft_ruleset *rs)
{
	const char *name = get_str(o, "name");
	struct fnft_ir_chain *c;
	json_t *v;
	size_t i;
	int rc;

	if (!name)
		return -EINVAL;
	c = fnft_ruleset_add_chain(rs, name, (enum fnft_hook)get_int(o, "hook"),
				   (int)get_int(o, "priority"),
				   (enum fnft_verdict)get_int(o, "policy"));
	if (!c)
		return -ENOMEM;
	json_array_foreach(json_object_get(o, "rules"), i, v)
		if ((rc = rule_from_json(v, c)))
			return rc;
	return 0;
}

/* @b: the raw keys of the sets, which give only their count */
static int ruleset_from_json(const char *text, struct blob *b,
			     struct fnft_ruleset **out)
{
	json_t *o = json_loads(text, 0, NULL), *v;
	struct fnft_ruleset *rs = NULL;
	size_t i;
	int rc = -EINVAL;

	if (!o || !get_str(o, "table"))
		goto out;
	rs = fnft_ruleset_new(get_str(o, "table"), get_str(o, "comment"));
	if (!rs) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
	json_array_foreach(json_object_get(o, "sets"), i, v)
		if ((rc = set_from_json(v, rs, b)))
			goto out;
	json_array_foreach(json_object_get(o, "chains"), i, v)
		if ((rc = chain_from_json(v, rs)))
			goto out;
	if (b->left)
		rc = -EINVAL;	/* keys no set claimed */
out:
	json_decref(o);
	if (rc) {
		fnft_ruleset_free(rs);
		return rc;
	}
	*out = rs;
	return 0;
}

int fnft_ir_json_load(const char *json, const uint8_t *keys, size_t n_keys,
		      struct fnft_ruleset **out)
{
	struct blob b = { keys, n_keys };

	return ruleset_from_json(json, &b, out);
}
