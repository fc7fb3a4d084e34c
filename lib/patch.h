/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_PATCH_H
#define FNFT_PATCH_H

/*
 * The patch: what turns the live table into the plan when only set
 * elements and some rules differ.  Untouched rules stay (and keep their
 * counters); anything structural — the table comment, a chain's hook,
 * priority or policy, the sets' names or kinds — is no patch: the caller
 * replaces the table whole.  Pure: computing it sends nothing.
 */

#include "encode.h"
#include "ir.h"

/* Elements to take out of and put into one named set. */
struct fnft_patch_set {
	const struct fnft_ir_set *set;	/* the plan's */
	uint32_t set_id;		/* 1 + its place in the table */
	bool was_empty;			/* no element in the live table */
	struct fnft_ivlist del, add;
};

struct fnft_patch_rule {
	const char *chain;
	const struct fnft_ir_rule *rule;	/* live (delete) or plan (insert) */
	/*
	 * Inserts: after the live rule with handle @after, or, when @after
	 * is 0, before the one with handle @before; both 0: append.
	 * Inserts after one rule are listed last first, so that each lands
	 * right after it and the run keeps the plan's order.
	 */
	uint64_t after, before;
};

struct fnft_patch {
	/* the plan, whose named sets inserted rules look up by name and id */
	const struct fnft_ruleset *plan;
	/* sets of the live table, anonymous ones included: nft gives the
	 * anonymous sets of a batch the ids after them */
	uint32_t live_sets;
	/* the live table's flags differ (dormant, say): set them to @flags */
	bool set_flags;
	uint32_t flags;
	struct fnft_patch_set *sets;
	size_t n_sets, cap_sets;
	struct fnft_patch_rule *del, *ins;
	size_t n_del, cap_del, n_ins, cap_ins;
};

/*
 * fnft_patch_compute - @live -> @plan as a patch
 * The rules each chain keeps are a longest common subsequence of its live
 * and planned rules; the others are deleted and inserted.
 * Returns 0, or -EOPNOTSUPP when the caller should replace the table whole
 * instead: the difference is structural, a live rule has no handle, the
 * rules differ too much to be worth matching (the search is bounded, to
 * about 0.1 s: 5,000 of 20,000 rules changed still patch, 10,000 do not),
 * or memory ran out (the replace needs none of the patch's).  @p is then
 * empty.
 * An empty patch (nothing to do) is possible when the tables are equal.
 */
int fnft_patch_compute(const struct fnft_ruleset *live,
		       const struct fnft_ruleset *plan, struct fnft_patch *p);
void fnft_patch_free(struct fnft_patch *p);

/*
 * fnft_patch_encode - the patch as one batch (*out, free with
 * fnft_batch_free()), guarded by @genid as fnft_encode_replace()'s, seqs
 * from @seq_start: BEGIN, the table's flags when they change, element
 * deletes, element adds, rule deletes by handle, then rule inserts in place
 * (each after the anonymous set it looks up), END.  Every message's ref
 * names the set or rule it is about.  Returns 0, -EINVAL (a rule the
 * encoder refuses) or -ENOMEM.
 */
int fnft_patch_encode(const struct fnft_patch *p, const char *table,
		      uint32_t genid, uint32_t seq_start, struct fnft_batch **out);

#endif
