/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_DECODE_H
#define FNFT_DECODE_H

/*
 * The decoder: a dump of our table (libnftnl objects) -> the IR.  Pure.
 * Rules we wrote decode to the same IR the planner made (plus handle and
 * counter values); anything else found in our table is decoded as far as
 * it goes and otherwise kept raw (fnft_ir_rule.raw, fnft_ir_set.raw), so a
 * diff shows it instead of dropping it.
 */

#include "ir.h"
#include "dump.h"

/*
 * fnft_decode - turn @d into a ruleset
 * @d: a dump with d->table set; named set elements are decoded when
 *	d->elements, else the sets come back empty
 * @out: receives the ruleset: sets sorted by name, chains sorted by name,
 *	rules in chain order
 *
 * Returns 0, -ENOMEM, or -EINVAL for a damaged dump (an object without a
 * name, a rule of a chain not in it).
 */
int fnft_decode(const struct fnft_dump *d, struct fnft_ruleset **out,
		struct fnft_error *err);

/* ---- decode-obj.c: what a plan never has, described ---- */

struct nftnl_chain;
struct nftnl_set;

/* The dump's stateful objects and flowtables into @rs->objects, sorted.
 * Returns 0 or -ENOMEM. */
int fnft_decode_objects(const struct fnft_dump *d, struct fnft_ruleset *rs);
/* *out: NULL for a chain as we make them, else every attribute of @c on
 * one line (fnft_ir_chain.raw).  Returns 0 or -ENOMEM. */
int fnft_describe_chain(struct nftnl_chain *c, char **out);
/* Whether named set @s has nothing but a key, flags and the userdata
 * hints nft writes (no data, timeout, size, expressions, comment...). */
bool fnft_set_is_plain(const struct nftnl_set *s);
/* Every attribute of set @s on one line (fnft_ir_set.raw). */
int fnft_describe_set(const struct nftnl_set *s, char **out);

#endif
