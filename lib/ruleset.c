/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>

#include "internal.h"
#include "ir.h"

bool fnft_table_name_valid(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++)
		if (i >= 64 || !(isalnum((unsigned char)s[i]) || s[i] == '_' ||
				 s[i] == '-'))
			return false;
	return true;
}

int fnft_table_name_check(const char *name, struct fnft_error *err)
{
	if (fnft_table_name_valid(name))
		return 0;
	return fnft_err(err, -EINVAL, NULL, name,
			"bad table name '%s' (a letter, then letters, digits, '_' or '-', at most 64)",
			name);
}

int fnft_table_name_check_loadable(const char *name, struct fnft_error *err)
{
	int rc = fnft_table_name_check(name, err);

	if (rc)
		return rc;
	if (fnft_nft_keyword(name))
		return fnft_err(err, -EINVAL, NULL, name,
				"bad table name '%s': an nft keyword, which nft cannot load back as a name",
				name);
	return 0;
}

struct fnft_ruleset *fnft_ruleset_new(const char *table, const char *comment)
{
	struct fnft_ruleset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->table = strdup(table);
	rs->comment = fnft_strdup(comment);
	if (!rs->table || (comment && !rs->comment)) {
		fnft_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

struct fnft_ir_chain *fnft_ruleset_add_chain(struct fnft_ruleset *rs,
					     const char *name, enum fnft_hook hook,
					     int priority, enum fnft_verdict policy)
{
	struct fnft_ir_chain *c;

	/* fnft_grow() starts at 8: a plan's chains stay where they are */
	if (fnft_grow(&rs->chains, &rs->cap_chains, rs->n_chains + 1,
		      sizeof(*rs->chains)) < 0)
		return NULL;
	c = &rs->chains[rs->n_chains];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name)
		return NULL;
	c->hook = hook;
	c->priority = priority;
	c->policy = policy;
	rs->n_chains++;
	return c;
}

const struct fnft_ir_set *fnft_ruleset_find_set(const struct fnft_ruleset *rs,
						const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_sets; i++)
		if (streq(rs->sets[i].name, name))
			return &rs->sets[i];
	return NULL;
}

struct fnft_ir_set *fnft_ruleset_add_set(struct fnft_ruleset *rs,
					 const char *name, enum fnft_family fam)
{
	struct fnft_ir_set *s;

	if (fnft_grow(&rs->sets, &rs->cap_sets, rs->n_sets + 1,
		      sizeof(*rs->sets)) < 0)
		return NULL;
	s = &rs->sets[rs->n_sets];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return NULL;
	s->family = fam;
	rs->n_sets++;
	return s;
}

static int set_cmp(const void *a, const void *b)
{
	const struct fnft_ir_set *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void fnft_ruleset_sort_sets(struct fnft_ruleset *rs)
{
	if (rs->n_sets)
		qsort(rs->sets, rs->n_sets, sizeof(*rs->sets), set_cmp);
}

const char *fnft_ir_kind_name(enum fnft_ir_kind kind)
{
	static const char *const names[] = {
		[FNFT_IR_COUNTER] = "counter",
		[FNFT_IR_QUOTA] = "quota",
		[FNFT_IR_LIMIT] = "limit",
		[FNFT_IR_CT_HELPER] = "ct helper",
		[FNFT_IR_CT_TIMEOUT] = "ct timeout",
		[FNFT_IR_CT_EXPECT] = "ct expectation",
		[FNFT_IR_SYNPROXY] = "synproxy",
		[FNFT_IR_SECMARK] = "secmark",
		[FNFT_IR_UNKNOWN] = "object",
		[FNFT_IR_FLOWTABLE] = "flowtable",
	};

	return (size_t)kind < ARRAY_SIZE(names) ? names[kind] : "object";
}

int fnft_ruleset_add_object(struct fnft_ruleset *rs, enum fnft_ir_kind kind,
			    const char *name, const char *desc)
{
	struct fnft_ir_object *o;

	if (fnft_grow(&rs->objects, &rs->cap_objects, rs->n_objects + 1,
		      sizeof(*rs->objects)) < 0)
		return -ENOMEM;
	o = &rs->objects[rs->n_objects];
	o->kind = kind;
	o->name = strdup(name);
	o->desc = strdup(desc);
	if (!o->name || !o->desc) {
		free(o->name);
		free(o->desc);
		return -ENOMEM;
	}
	rs->n_objects++;
	return 0;
}

static int object_cmp(const void *a, const void *b)
{
	const struct fnft_ir_object *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

void fnft_ruleset_sort_objects(struct fnft_ruleset *rs)
{
	if (rs->n_objects)
		qsort(rs->objects, rs->n_objects, sizeof(*rs->objects),
		      object_cmp);
}

bool fnft_ruleset_has_foreign(const struct fnft_ruleset *rs)
{
	size_t i;

	if (rs->n_objects)
		return true;
	for (i = 0; i < rs->n_chains; i++)
		if (rs->chains[i].raw)
			return true;
	return false;
}

void fnft_rule_clear(struct fnft_ir_rule *rule)
{
	free(rule->set);
	fnft_portlist_free(&rule->dports);
	free(rule->icmp_types);
	free(rule->log_prefix);
	free(rule->comment);
	free(rule->raw);
	memset(rule, 0, sizeof(*rule));
}

int fnft_chain_add_rule(struct fnft_ir_chain *chain,
			const struct fnft_ir_rule *tmpl)
{
	struct fnft_ir_rule *r;

	if (fnft_grow(&chain->rules, &chain->cap_rules, chain->n_rules + 1,
		      sizeof(*chain->rules)) < 0)
		return -ENOMEM;
	r = &chain->rules[chain->n_rules];
	*r = *tmpl;
	r->set = fnft_strdup(tmpl->set);
	r->log_prefix = fnft_strdup(tmpl->log_prefix);
	r->comment = fnft_strdup(tmpl->comment);
	r->raw = fnft_strdup(tmpl->raw);
	memset(&r->dports, 0, sizeof(r->dports));
	r->icmp_types = NULL;
	if (tmpl->n_icmp_types) {
		r->icmp_types = malloc(tmpl->n_icmp_types);
		if (r->icmp_types)
			memcpy(r->icmp_types, tmpl->icmp_types,
			       tmpl->n_icmp_types);
	}
	if ((tmpl->set && !r->set) || (tmpl->log_prefix && !r->log_prefix) ||
	    (tmpl->comment && !r->comment) || (tmpl->raw && !r->raw) ||
	    (tmpl->n_icmp_types && !r->icmp_types) ||
	    fnft_portlist_copy(&r->dports, &tmpl->dports) < 0) {
		fnft_rule_clear(r);
		return -ENOMEM;
	}
	chain->n_rules++;
	return 0;
}

/*
 * ---- equality and the fingerprint: one walk ----
 *
 * Both walk the same fields in the same order, so that whatever equality
 * compares the fingerprint hashes and nothing else: a field added to the IR
 * is added to the walk once, and counts for both or for neither
 * (tests/test-ruleset.c mutates every field to check which).  The walk
 * visits two rulesets side by side; the fingerprint visits one with itself.
 * Live-only fields (handles, counters) are not visited.  Fields no plan
 * has (a chain's raw, the objects) are visited only when one side has
 * them: a plan's fingerprint stays what it was before they existed.
 */
struct ir_visit {
	/* each returns false to end the walk: the two differ */
	bool (*num)(struct ir_visit *v, uint64_t a, uint64_t b);
	bool (*str)(struct ir_visit *v, const char *a, const char *b);
	/* @n bytes at each; only after num() has seen equal counts */
	bool (*mem)(struct ir_visit *v, const void *a, const void *b, size_t n);
	uint64_t hash;		/* of the fingerprint */
};

/* A counted array: the count, then its bytes. */
static bool walk_array(struct ir_visit *v, const void *a, size_t na,
		       const void *b, size_t nb, size_t size)
{
	return v->num(v, na, nb) && v->mem(v, a, b, na * size);
}

static bool walk_rule(struct ir_visit *v, const struct fnft_ir_rule *a,
		      const struct fnft_ir_rule *b)
{
	return v->num(v, a->ct_state, b->ct_state) &&
	       v->str(v, a->iifname, b->iifname) &&
	       v->str(v, a->oifname, b->oifname) &&
	       v->num(v, a->addr, b->addr) &&
	       /* without an address match, its family and set do not count */
	       v->num(v, a->addr ? a->family : 0, b->addr ? b->family : 0) &&
	       v->str(v, a->addr ? a->set : NULL, b->addr ? b->set : NULL) &&
	       v->num(v, a->l4, b->l4) &&
	       walk_array(v, a->dports.v, a->dports.n, b->dports.v, b->dports.n,
			  sizeof(*a->dports.v)) &&
	       walk_array(v, a->icmp_types, a->n_icmp_types, b->icmp_types,
			  b->n_icmp_types, sizeof(*a->icmp_types)) &&
	       v->num(v, a->counter, b->counter) &&
	       v->num(v, a->limit_per_minute, b->limit_per_minute) &&
	       v->str(v, a->log_prefix, b->log_prefix) &&
	       v->num(v, a->verdict, b->verdict) &&
	       v->str(v, a->comment, b->comment) &&
	       v->str(v, a->raw, b->raw);
}

static bool walk_set(struct ir_visit *v, const struct fnft_ir_set *a,
		     const struct fnft_ir_set *b)
{
	return v->str(v, a->name, b->name) &&
	       v->num(v, a->family, b->family) &&
	       v->str(v, a->raw, b->raw) &&
	       walk_array(v, a->elems.v, a->elems.n, b->elems.v, b->elems.n,
			  sizeof(*a->elems.v));
}

static bool walk_chain(struct ir_visit *v, const struct fnft_ir_chain *a,
		       const struct fnft_ir_chain *b)
{
	size_t i;

	if (!(v->str(v, a->name, b->name) && v->num(v, a->hook, b->hook) &&
	      v->num(v, (uint64_t)(int64_t)a->priority,
		     (uint64_t)(int64_t)b->priority) &&
	      v->num(v, a->policy, b->policy) &&
	      ((!a->raw && !b->raw) || v->str(v, a->raw, b->raw)) &&
	      v->num(v, a->n_rules, b->n_rules)))
		return false;
	for (i = 0; i < a->n_rules; i++)
		if (!walk_rule(v, &a->rules[i], &b->rules[i]))
			return false;
	return true;
}

static bool walk_object(struct ir_visit *v, const struct fnft_ir_object *a,
			const struct fnft_ir_object *b)
{
	return v->num(v, a->kind, b->kind) && v->str(v, a->name, b->name) &&
	       v->str(v, a->desc, b->desc);
}

static bool walk_objects(struct ir_visit *v, const struct fnft_ruleset *a,
			 const struct fnft_ruleset *b)
{
	size_t i;

	if (!a->n_objects && !b->n_objects)
		return true;
	if (!v->num(v, a->n_objects, b->n_objects))
		return false;
	for (i = 0; i < a->n_objects; i++)
		if (!walk_object(v, &a->objects[i], &b->objects[i]))
			return false;
	return true;
}

static bool walk_ruleset(struct ir_visit *v, const struct fnft_ruleset *a,
			 const struct fnft_ruleset *b)
{
	size_t i;

	if (!(v->str(v, a->table, b->table) &&
	      v->str(v, a->comment, b->comment) &&
	      v->num(v, a->flags, b->flags) && v->num(v, a->n_sets, b->n_sets)))
		return false;
	for (i = 0; i < a->n_sets; i++)
		if (!walk_set(v, &a->sets[i], &b->sets[i]))
			return false;
	if (!v->num(v, a->n_chains, b->n_chains))
		return false;
	for (i = 0; i < a->n_chains; i++)
		if (!walk_chain(v, &a->chains[i], &b->chains[i]))
			return false;
	return walk_objects(v, a, b);
}

/* ---- equality: the walk of two ---- */

static bool num_equal(struct ir_visit *v, uint64_t a, uint64_t b)
{
	(void)v;
	return a == b;
}

/* NULL equals only NULL: no comment is not an empty one */
static bool str_equal(struct ir_visit *v, const char *a, const char *b)
{
	(void)v;
	if (!a || !b)
		return a == b;
	return streq(a, b);
}

static bool mem_equal(struct ir_visit *v, const void *a, const void *b,
		      size_t n)
{
	(void)v;
	/* after an apply the kept table shares the plan's element arrays */
	return !n || a == b || memcmp(a, b, n) == 0;
}

static const struct ir_visit equal_visit = {
	.num = num_equal,
	.str = str_equal,
	.mem = mem_equal,
};

bool fnft_rule_equal(const struct fnft_ir_rule *a, const struct fnft_ir_rule *b)
{
	struct ir_visit v = equal_visit;

	return walk_rule(&v, a, b);
}

FNFT_EXPORT bool fnft_ruleset_equal(const struct fnft_ruleset *a,
				    const struct fnft_ruleset *b)
{
	struct ir_visit v = equal_visit;

	return walk_ruleset(&v, a, b);
}

/* ---- the fingerprint: the walk of one with itself (FNV-1a, 64 bit) ---- */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* Over 8-byte words, then the tail bytes: the sets are big. */
static bool mem_hash(struct ir_visit *v, const void *a, const void *b, size_t n)
{
	const unsigned char *s = a;
	uint64_t w;

	(void)b;
	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		v->hash = (v->hash ^ w) * FNV_PRIME;
	}
	while (n--)
		v->hash = (v->hash ^ *s++) * FNV_PRIME;
	return true;
}

static bool num_hash(struct ir_visit *v, uint64_t a, uint64_t b)
{
	return mem_hash(v, &a, &b, sizeof(a));
}

/* Strings with their NUL, NULL as a lone marker: "a","" != "","a". */
static bool str_hash(struct ir_visit *v, const char *a, const char *b)
{
	if (!a)
		return num_hash(v, 0xfeedULL, 0);
	return mem_hash(v, a, b, strlen(a) + 1);
}

uint64_t fnft_ruleset_fingerprint(const struct fnft_ruleset *rs)
{
	struct ir_visit v = {
		.num = num_hash,
		.str = str_hash,
		.mem = mem_hash,
		.hash = FNV_OFFSET,
	};

	walk_ruleset(&v, rs, rs);
	return v.hash;
}

FNFT_EXPORT void fnft_ruleset_free(struct fnft_ruleset *rs)
{
	size_t i, k;

	if (!rs)
		return;
	for (i = 0; i < rs->n_sets; i++) {
		free(rs->sets[i].name);
		free(rs->sets[i].raw);
		fnft_ivlist_free(&rs->sets[i].elems);
	}
	free(rs->sets);
	for (i = 0; i < rs->n_chains; i++) {
		for (k = 0; k < rs->chains[i].n_rules; k++)
			fnft_rule_clear(&rs->chains[i].rules[k]);
		free(rs->chains[i].rules);
		free(rs->chains[i].name);
		free(rs->chains[i].raw);
	}
	free(rs->chains);
	for (i = 0; i < rs->n_objects; i++) {
		free(rs->objects[i].name);
		free(rs->objects[i].desc);
	}
	free(rs->objects);
	free(rs->table);
	free(rs->comment);
	free(rs);
}
