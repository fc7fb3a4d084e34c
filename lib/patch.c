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

/*
 * Everything but elements and rules must be equal for a patch.  Objects,
 * flowtables and chains we do not make are never patched away: the whole
 * replace deletes the table, and with it all of them, in one transaction.
 */
static bool same_structure(const struct fnft_ruleset *live,
			   const struct fnft_ruleset *plan)
{
	size_t i;

	if (fnft_ruleset_has_foreign(live) || fnft_ruleset_has_foreign(plan) ||
	    !streq(live->table, plan->table) ||
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

/*
 * One merge of two sorted lists (lo first, so memcmp() of whole intervals
 * is their order): what only @a has into @only_a, what only @b has into
 * @only_b.  A change to a big set leaves long runs the two share, and those
 * are skipped a block of intervals at a time: one memcmp() per block, not
 * one call per interval.
 */
#define SHARED_RUN 64

static int set_diff(const struct fnft_ivlist *a, const struct fnft_ivlist *b,
		    struct fnft_ivlist *only_a, struct fnft_ivlist *only_b)
{
	size_t i = 0, k = 0;
	int c;

	while (i < a->n && k < b->n) {
		while (a->n - i >= SHARED_RUN && b->n - k >= SHARED_RUN &&
		       memcmp(&a->v[i], &b->v[k], SHARED_RUN * sizeof(*a->v)) == 0)
			i += SHARED_RUN, k += SHARED_RUN;
		if (i >= a->n || k >= b->n)
			break;
		c = memcmp(&a->v[i], &b->v[k], sizeof(*a->v));
		if (!c) {
			i++, k++;
		} else if (c < 0) {
			if (fnft_ivlist_add(only_a, &a->v[i++]) < 0)
				return -ENOMEM;
		} else if (fnft_ivlist_add(only_b, &b->v[k++]) < 0) {
			return -ENOMEM;
		}
	}
	for (; i < a->n; i++)
		if (fnft_ivlist_add(only_a, &a->v[i]) < 0)
			return -ENOMEM;
	for (; k < b->n; k++)
		if (fnft_ivlist_add(only_b, &b->v[k]) < 0)
			return -ENOMEM;
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

		if ((rc = set_diff(&live->sets[i].elems, &plan->sets[i].elems,
				   &ps.del, &ps.add)) ||
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

/* ---- rule matching ---- */

/*
 * The rules kept are a longest common subsequence of the live and planned
 * lists, found by Myers' O((n+m)D) diff in linear space (D: the rules
 * deleted plus added), so that one changed row of a 10,000-row catalog
 * costs milliseconds, not an n x m table.  Rules are first numbered by
 * class (equal rules, fnft_rule_equal, share a number): the diff then
 * compares integers.
 */

/*
 * The search steps (diagonals visited plus rules matched along them) one
 * compute may take: about 0.1 s.  A difference that needs more — thousands
 * of rules changed in one chain — is no patch; replacing the table whole
 * is then as good, and its cost does not grow with D.
 */
#define MATCH_STEPS (1L << 26)

struct rule_slot {
	const struct fnft_ir_rule *rule;	/* NULL: empty */
	uint64_t key;
	unsigned class;
};

/*
 * A bucket key from the fields that tell rules apart in practice (the row
 * id, ports, set, foreign text); fnft_rule_equal decides.  Any function of
 * the rule would be right; a weak one only makes more comparisons.
 */
static uint64_t rule_key(const struct fnft_ir_rule *r)
{
	const char *parts[] = { r->comment, r->raw, r->addr ? r->set : NULL };
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(parts); i++)
		for (k = 0; parts[i] && parts[i][k]; k++)
			h = (h ^ (unsigned char)parts[i][k]) * 0x100000001b3ULL;
	for (i = 0; i < r->dports.n; i++)
		h = (h ^ ((uint64_t)r->dports.v[i].first << 16 | r->dports.v[i].last)) *
		    0x100000001b3ULL;
	h = (h ^ (uint64_t)r->l4) * 0x100000001b3ULL;
	return (h ^ (r->addr ? (uint64_t)r->family : 0)) * 0x100000001b3ULL;
}

/* The class of @r in @t (of @mask + 1 slots), a new one if it has none. */
static unsigned rule_class(struct rule_slot *t, size_t mask, unsigned *next,
			   const struct fnft_ir_rule *r)
{
	uint64_t key = rule_key(r);
	size_t i;

	for (i = key & mask; t[i].rule; i = (i + 1) & mask)
		if (t[i].key == key && fnft_rule_equal(t[i].rule, r))
			return t[i].class;
	t[i] = (struct rule_slot){ r, key, (*next)++ };
	return t[i].class;
}

/* ca[i]: the class of a->rules[i]; cb[j] of b->rules[j]. */
static int classify(const struct fnft_ir_chain *a, const struct fnft_ir_chain *b,
		    unsigned *ca, unsigned *cb)
{
	size_t slots = 16, i;
	struct rule_slot *t;
	unsigned next = 0;

	while (slots < 2 * (a->n_rules + b->n_rules))	/* at most half full */
		slots *= 2;
	if (!(t = calloc(slots, sizeof(*t))))
		return -ENOMEM;
	for (i = 0; i < a->n_rules; i++)
		ca[i] = rule_class(t, slots - 1, &next, &a->rules[i]);
	for (i = 0; i < b->n_rules; i++)
		cb[i] = rule_class(t, slots - 1, &next, &b->rules[i]);
	free(t);
	return 0;
}

struct matcher {
	const unsigned *a, *b;	/* classes */
	long *keep;		/* out: a[i] kept as b[keep[i]], or -1 */
	/*
	 * The furthest x on each diagonal k = x - y, at [k + off]: of the
	 * forward search from the top left, and of the backward one from
	 * the bottom right in reversed coordinates (x' = N - x, y' = M - y).
	 */
	long *fwd, *bwd, off;
	long steps;		/* left of MATCH_STEPS */
};

/*
 * A point of a shortest edit path of a[x0, x1) -> b[y0, y1) that splits
 * it into halves of ceil(D/2) and floor(D/2) edits (Myers, "An O(ND)
 * difference algorithm and its variations", 1986, 4b): where the forward
 * and backward searches first meet.  Either search's end there will do:
 * along a diagonal the edits to reach a point only grow, and the edits
 * left from it only shrink.  The ends of the lists must differ (matching
 * ones are stripped first): then D >= 2 and each half is shorter.
 * Returns 0 and the point, or -EOPNOTSUPP when out of steps.
 */
static int middle(struct matcher *m, long x0, long x1, long y0, long y1,
		  long *xm, long *ym)
{
	const unsigned *a = m->a + x0, *b = m->b + y0;
	long n = x1 - x0, nm = y1 - y0, delta = n - nm, d, k, x, y, sx;
	long *f = m->fwd + m->off, *r = m->bwd + m->off;
	bool odd = delta & 1;

	f[1] = r[1] = 0;
	for (d = 0; d <= (n + nm + 1) / 2; d++) {
		if ((m->steps -= 2 * (d + 1)) < 0)
			return -EOPNOTSUPP;
		for (k = -d; k <= d; k += 2) {
			x = k == -d || (k != d && f[k - 1] < f[k + 1]) ?
			    f[k + 1] : f[k - 1] + 1;
			for (y = x - k, sx = x; x < n && y < nm && a[x] == b[y]; x++, y++)
				;
			f[k] = x;
			m->steps -= x - sx;
			/* met the backward search of d - 1 on this diagonal */
			if (odd && labs(delta - k) <= d - 1 && x + r[delta - k] >= n) {
				*xm = x0 + x, *ym = y0 + y;
				return 0;
			}
		}
		for (k = -d; k <= d; k += 2) {
			x = k == -d || (k != d && r[k - 1] < r[k + 1]) ?
			    r[k + 1] : r[k - 1] + 1;
			for (y = x - k, sx = x;
			     x < n && y < nm && a[n - 1 - x] == b[nm - 1 - y]; x++, y++)
				;
			r[k] = x;
			m->steps -= x - sx;
			/* met the forward search of d on this diagonal */
			if (!odd && labs(delta - k) <= d && f[delta - k] + x >= n) {
				*xm = x1 - x, *ym = y1 - y;
				return 0;
			}
		}
	}
	return -EOPNOTSUPP;	/* not reached: the searches meet by D = n + nm */
}

/* Match a[x0, x1) against b[y0, y1) into m->keep. */
static int match(struct matcher *m, long x0, long x1, long y0, long y1)
{
	long xm, ym;
	int rc;

	while (x0 < x1 && y0 < y1 && m->a[x0] == m->b[y0])
		m->keep[x0++] = y0++;
	while (x0 < x1 && y0 < y1 && m->a[x1 - 1] == m->b[y1 - 1])
		m->keep[--x1] = --y1;
	if (x0 == x1 || y0 == y1)
		return 0;	/* only deletes, or only inserts, are left */
	rc = middle(m, x0, x1, y0, y1, &xm, &ym);
	if (!rc)
		rc = match(m, x0, xm, y0, ym);
	if (!rc)
		rc = match(m, xm, x1, ym, y1);
	return rc;
}

/*
 * keep[i]: the index in @b that live rule i is kept as, or -1; the kept
 * rules are a longest common subsequence.  *steps is the budget left.
 * Returns 0, -EOPNOTSUPP (out of steps) or -ENOMEM.
 */
static int match_rules(const struct fnft_ir_chain *a, const struct fnft_ir_chain *b,
		       long *keep, long *steps)
{
	size_t n = a->n_rules, nm = b->n_rules, i;
	struct matcher m = { .keep = keep, .steps = *steps };
	unsigned *classes = NULL;
	int rc = -ENOMEM;

	for (i = 0; i < n; i++)
		keep[i] = -1;
	if (!n || !nm)
		return 0;
	/* diagonals -(D/2 + 1) .. D/2 + 1 of the searches, D <= n + nm */
	m.off = (long)(n + nm) / 2 + 2;
	classes = calloc(n + nm, sizeof(*classes));
	m.fwd = calloc(2 * (size_t)m.off + 1, sizeof(*m.fwd));
	m.bwd = calloc(2 * (size_t)m.off + 1, sizeof(*m.bwd));
	if (classes && m.fwd && m.bwd && !(rc = classify(a, b, classes, classes + n))) {
		m.a = classes, m.b = classes + n;
		rc = match(&m, 0, (long)n, 0, (long)nm);
	}
	*steps = m.steps;
	free(classes);
	free(m.fwd);
	free(m.bwd);
	return rc;
}

static bool all_have_handles(const struct fnft_ir_chain *c)
{
	size_t i;

	for (i = 0; i < c->n_rules; i++)
		if (!c->rules[i].handle)
			return false;
	return true;
}

static int diff_chain(const struct fnft_ir_chain *a, const struct fnft_ir_chain *b,
		      long *steps, struct fnft_patch *p)
{
	long *keep = NULL;
	uint64_t *anchor = NULL;
	size_t i, j, start;
	int rc;

	if (!all_have_handles(a))
		return -EOPNOTSUPP;	/* a rule without one cannot be deleted */
	keep = calloc(a->n_rules + 1, sizeof(*keep));
	anchor = calloc(b->n_rules + 1, sizeof(*anchor));
	rc = keep && anchor ? match_rules(a, b, keep, steps) : -ENOMEM;
	for (i = 0; !rc && i < a->n_rules; i++) {
		if (keep[i] < 0)
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
	long steps = MATCH_STEPS;
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
		rc = diff_chain(&live->chains[i], &plan->chains[i], &steps, p);
	if (rc)
		fnft_patch_free(p);
	/*
	 * Short of memory for the patch (elements or rules): the replace
	 * needs none of it, and says so itself if it is short too.
	 */
	return rc == -ENOMEM ? -EOPNOTSUPP : rc;
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
