/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>

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

	if (rs->n_chains >= ARRAY_SIZE(rs->chains))
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

static bool str_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return streq(a, b);
}

bool fnft_rule_equal(const struct fnft_ir_rule *a, const struct fnft_ir_rule *b)
{
	return a->ct_state == b->ct_state &&
	       streq(a->iifname, b->iifname) && streq(a->oifname, b->oifname) &&
	       a->addr == b->addr &&
	       (a->addr == FNFT_MATCH_NONE ||
		(a->family == b->family && str_equal(a->set, b->set))) &&
	       a->l4 == b->l4 && fnft_portlist_equal(&a->dports, &b->dports) &&
	       a->n_icmp_types == b->n_icmp_types &&
	       (!a->n_icmp_types ||
		memcmp(a->icmp_types, b->icmp_types, a->n_icmp_types) == 0) &&
	       a->counter == b->counter &&
	       a->limit_per_minute == b->limit_per_minute &&
	       str_equal(a->log_prefix, b->log_prefix) &&
	       a->verdict == b->verdict && str_equal(a->comment, b->comment) &&
	       str_equal(a->raw, b->raw);
}

static bool chain_equal(const struct fnft_ir_chain *a,
			const struct fnft_ir_chain *b)
{
	size_t i;

	if (!streq(a->name, b->name) || a->hook != b->hook ||
	    a->priority != b->priority || a->policy != b->policy ||
	    a->n_rules != b->n_rules)
		return false;
	for (i = 0; i < a->n_rules; i++)
		if (!fnft_rule_equal(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

FNFT_EXPORT bool fnft_ruleset_equal(const struct fnft_ruleset *a,
				    const struct fnft_ruleset *b)
{
	size_t i;

	if (!streq(a->table, b->table) || !str_equal(a->comment, b->comment) ||
	    a->flags != b->flags || a->n_sets != b->n_sets || a->n_chains != b->n_chains)
		return false;
	for (i = 0; i < a->n_sets; i++)
		if (!streq(a->sets[i].name, b->sets[i].name) ||
		    a->sets[i].family != b->sets[i].family ||
		    !str_equal(a->sets[i].raw, b->sets[i].raw) ||
		    !fnft_ivlist_equal(&a->sets[i].elems, &b->sets[i].elems))
			return false;
	for (i = 0; i < a->n_chains; i++)
		if (!chain_equal(&a->chains[i], &b->chains[i]))
			return false;
	return true;
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
	}
	free(rs->table);
	free(rs->comment);
	free(rs);
}
