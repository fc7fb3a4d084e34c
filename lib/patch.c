/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>

#include <libmnl/libmnl.h>

#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include "patch.h"
#include "wire.h"

void fnft_patch_free(struct fnft_patch *p)
{
	size_t i;

	for (i = 0; i < p->n_sets; i++) {
		fnft_ivlist_free(&p->sets[i].del);
		fnft_ivlist_free(&p->sets[i].add);
	}
	free(p->sets);
	free(p->del);
	free(p->ins);
	memset(p, 0, sizeof(*p));
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

/* Everything but elements and rules must be equal for a patch. */
static bool same_structure(const struct fnft_ruleset *live,
			   const struct fnft_ruleset *plan)
{
	size_t i;

	if (!streq(live->table, plan->table) ||
	    !same_str(live->comment, plan->comment) ||
	    live->n_sets != plan->n_sets || live->n_chains != plan->n_chains)
		return false;
	for (i = 0; i < plan->n_sets; i++)
		if (!streq(live->sets[i].name, plan->sets[i].name) ||
		    live->sets[i].family != plan->sets[i].family ||
		    live->sets[i].raw || plan->sets[i].raw)
			return false;
	for (i = 0; i < plan->n_chains; i++) {
		const struct fnft_ir_chain *a = &live->chains[i], *b = &plan->chains[i];

		if (!streq(a->name, b->name) || a->hook != b->hook ||
		    a->priority != b->priority || a->policy != b->policy)
			return false;
	}
	return true;
}

static bool iv_equal(const struct fnft_iv *a, const struct fnft_iv *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Intervals of @a missing (exactly) from @b, both sorted; into @out. */
static int missing(const struct fnft_ivlist *a, const struct fnft_ivlist *b,
		   struct fnft_ivlist *out)
{
	size_t i = 0, k = 0;
	int c;

	while (i < a->n) {
		c = k < b->n ? memcmp(&a->v[i], &b->v[k], sizeof(a->v[i])) : -1;
		if (k < b->n && iv_equal(&a->v[i], &b->v[k])) {
			i++, k++;
		} else if (c < 0 || k >= b->n) {
			if (fnft_ivlist_add(out, &a->v[i++]) < 0)
				return -ENOMEM;
		} else {
			k++;
		}
	}
	return 0;
}

static int diff_sets(const struct fnft_ruleset *live,
		     const struct fnft_ruleset *plan, struct fnft_patch *p)
{
	size_t i;
	int rc;

	for (i = 0; i < plan->n_sets; i++) {
		struct fnft_patch_set ps = {
			.set = &plan->sets[i],
			.set_id = (uint32_t)i + 1,
			.was_empty = live->sets[i].elems.n == 0,
		};

		if ((rc = missing(&live->sets[i].elems, &plan->sets[i].elems, &ps.del)) ||
		    (rc = missing(&plan->sets[i].elems, &live->sets[i].elems, &ps.add)) ||
		    ((ps.del.n || ps.add.n) &&
		     fnft_grow(&p->sets, &p->cap_sets, p->n_sets + 1, sizeof(ps)) < 0)) {
			fnft_ivlist_free(&ps.del);
			fnft_ivlist_free(&ps.add);
			return rc ? rc : -ENOMEM;
		}
		if (ps.del.n || ps.add.n)
			p->sets[p->n_sets++] = ps;
	}
	return 0;
}

static int push(struct fnft_patch_rule **v, size_t *n, size_t *cap,
		struct fnft_patch_rule r)
{
	if (fnft_grow(v, cap, *n + 1, sizeof(r)) < 0)
		return -ENOMEM;
	(*v)[(*n)++] = r;
	return 0;
}

/*
 * Longest common subsequence of the two rule lists (DP from the end), so
 * that the rules both keep stay and only the rest move.  keep_a[i] is the
 * index in @b that live rule i is kept as, or -1.
 */
static int lcs(const struct fnft_ir_chain *a, const struct fnft_ir_chain *b,
	       long *keep_a)
{
	size_t n = a->n_rules, m = b->n_rules, i, j;
	unsigned *t = calloc((n + 1) * (m + 1), sizeof(*t));

	if (!t)
		return -ENOMEM;
#define T(x, y) t[(x) * (m + 1) + (y)]
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			T(i, j) = fnft_rule_equal(&a->rules[i], &b->rules[j]) ?
				  T(i + 1, j + 1) + 1 :
				  (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	for (i = 0; i < n; i++)
		keep_a[i] = -1;
	for (i = 0, j = 0; i < n && j < m;) {
		if (fnft_rule_equal(&a->rules[i], &b->rules[j])) {
			keep_a[i++] = (long)j++;
		} else if (T(i + 1, j) >= T(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef T
	free(t);
	return 0;
}

static int diff_chain(const struct fnft_ir_chain *a, const struct fnft_ir_chain *b,
		      struct fnft_patch *p)
{
	long *keep = calloc(a->n_rules + 1, sizeof(*keep));
	uint64_t *anchor = calloc(b->n_rules + 1, sizeof(*anchor));
	size_t i, j, start;
	int rc = keep && anchor ? lcs(a, b, keep) : -ENOMEM;

	for (i = 0; !rc && i < a->n_rules; i++) {
		if (!a->rules[i].handle)
			rc = -EOPNOTSUPP;	/* no handle: cannot delete it */
		else if (keep[i] < 0)
			rc = push(&p->del, &p->n_del, &p->cap_del,
				  (struct fnft_patch_rule){ a->name, &a->rules[i], 0, 0 });
		else
			anchor[keep[i]] = a->rules[i].handle;	/* kept as b[keep[i]] */
	}
	/* runs of new rules between kept ones */
	for (j = 0; !rc && j < b->n_rules;) {
		uint64_t after, before = 0;

		if (anchor[j]) {
			j++;
			continue;
		}
		start = j;
		while (j < b->n_rules && !anchor[j])
			j++;
		after = start ? anchor[start - 1] : 0;
		if (j < b->n_rules)
			before = anchor[j];
		if (after) {
			/* each lands right after @after: last first */
			for (i = j; !rc && i-- > start;)
				rc = push(&p->ins, &p->n_ins, &p->cap_ins,
					  (struct fnft_patch_rule){ b->name, &b->rules[i], after, 0 });
		} else {
			for (i = start; !rc && i < j; i++)
				rc = push(&p->ins, &p->n_ins, &p->cap_ins,
					  (struct fnft_patch_rule){ b->name, &b->rules[i], 0, before });
		}
	}
	free(keep);
	free(anchor);
	return rc;
}

/* The sets the live table holds, as nft's cache would count them: the
 * named ones and one for each rule with an anonymous set. */
static uint32_t live_sets(const struct fnft_ruleset *live)
{
	uint32_t n = (uint32_t)live->n_sets;
	size_t c, r;

	for (c = 0; c < live->n_chains; c++)
		for (r = 0; r < live->chains[c].n_rules; r++)
			n += fnft_rule_has_anon_set(&live->chains[c].rules[r]);
	return n;
}

int fnft_patch_compute(const struct fnft_ruleset *live,
		       const struct fnft_ruleset *plan, struct fnft_patch *p)
{
	size_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!same_structure(live, plan))
		return -EOPNOTSUPP;
	p->set_flags = live->flags != plan->flags;
	p->flags = plan->flags;
	p->plan = plan;
	p->live_sets = live_sets(live);
	rc = diff_sets(live, plan, p);
	for (i = 0; !rc && i < plan->n_chains; i++)
		rc = diff_chain(&live->chains[i], &plan->chains[i], p);
	if (rc)
		fnft_patch_free(p);
	return rc;
}

/* ---- messages ---- */

/*
 * Intervals as `nft delete element` / `nft add element` send them:
 * table, set, on adds the set's id (its place in the table, as nft
 * numbers the sets it knows), then the elements, in as many messages as
 * the 16-bit element list needs.  An add to a set that is empty in the
 * live table leads with the interval end at 0, as nft's does.
 */
static int put_intervals(struct fnft_batch *b, uint16_t type, const char *table,
			 const struct fnft_patch_set *ps, const struct fnft_ivlist *l)
{
	struct fnft_msg_ref owner = { .name = ps->set->name,
				      .rule_index = FNFT_NO_RULE };
	bool add = type == NFT_MSG_NEWSETELEM;
	struct fnft_elems w;
	uint32_t count;
	int rc;

	fnft_elems_init(&w, b, type, table, ps->set->name, add ? ps->set_id : 0,
			&owner);
	rc = fnft_interval_elems(l->v, l->n, fnft_family_key_len(ps->set->family),
				 add && ps->was_empty, fnft_elems_key, &w, &count);
	return rc ? rc : fnft_elems_close(&w);
}

static struct fnft_msg_ref rule_ref(const struct fnft_patch_rule *r)
{
	return (struct fnft_msg_ref){ .kind = FNFT_OBJ_RULE,
				      .name = r->rule->comment, .chain = r->chain,
				      .rule_index = FNFT_NO_RULE, .rule = r->rule };
}

static int put_rule_delete(struct fnft_batch *b, const char *table,
			   const struct fnft_patch_rule *d)
{
	struct fnft_msg_ref owner = rule_ref(d);

	return fnft_batch_rule_del(b, table, d->chain, d->rule->handle, &owner);
}

/*
 * After @after (append), or before @before; else at the end.  Lookups of
 * named sets carry the set's id as nft's do (the kernel finds the set by
 * name first; the id would only find one of this batch).
 */
static int put_rule_insert(struct fnft_batch *b, const char *table,
			   const struct fnft_patch *p,
			   const struct fnft_patch_rule *ins, uint32_t *set_id)
{
	struct fnft_msg_ref owner = rule_ref(ins);

	return fnft_encode_rule_msgs(b, table, ins->chain, ins->rule, p->plan, set_id,
				     &owner, ins->after ? ins->after : ins->before,
				     ins->after || !ins->before);
}

static int patch_msgs(struct fnft_batch *b, const struct fnft_patch *p,
		      const char *table)
{
	/* nft numbers new sets after those its cache holds */
	uint32_t set_id = p->live_sets;
	size_t i;
	int rc = 0;

	if (p->set_flags)
		rc = fnft_batch_table_set_flags(b, table, p->flags);
	/* deletes first: an interval may come back merged with a neighbour */
	for (i = 0; !rc && i < p->n_sets; i++)
		if (p->sets[i].del.n)
			rc = put_intervals(b, NFT_MSG_DELSETELEM, table, &p->sets[i],
					   &p->sets[i].del);
	for (i = 0; !rc && i < p->n_sets; i++)
		if (p->sets[i].add.n)
			rc = put_intervals(b, NFT_MSG_NEWSETELEM, table, &p->sets[i],
					   &p->sets[i].add);
	for (i = 0; !rc && i < p->n_del; i++)
		rc = put_rule_delete(b, table, &p->del[i]);
	for (i = 0; !rc && i < p->n_ins; i++)
		rc = put_rule_insert(b, table, p, &p->ins[i], &set_id);
	return rc;
}

int fnft_patch_encode(const struct fnft_patch *p, const char *table,
		      uint32_t genid, uint32_t seq_start, struct fnft_batch **out)
{
	struct fnft_batch *b = fnft_batch_new(seq_start);
	int rc;

	if (!b)
		return -ENOMEM;
	if ((rc = fnft_batch_begin(b, genid)) || (rc = patch_msgs(b, p, table)) ||
	    (rc = fnft_batch_end(b))) {
		fnft_batch_free(b);
		return rc;
	}
	*out = b;
	return 0;
}
