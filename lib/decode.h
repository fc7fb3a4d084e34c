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
 * Returns 0, -ENOMEM, or -EINVAL when the dump holds more than the IR can
 * (more than FNFT_IR_CHAINS_MAX chains).
 */
int fnft_decode(const struct fnft_dump *d, struct fnft_ruleset **out,
		struct fnft_error *err);

#endif
