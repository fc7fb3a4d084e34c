/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_PATCH_H
#define FNFT_PATCH_H

#include "encode.h"

/*
 * fnft_encode_patch - one batch that turns table @live into @plan by
 * sending only the differences: set elements added and removed, rules
 * deleted by handle and inserted in place, so that untouched rules keep
 * their counters.  Returns 0, -EOPNOTSUPP when the difference is
 * structural (table comment, chains, set definitions, drift the patch
 * cannot express: the caller replaces the table instead), -EINVAL or
 * -ENOMEM.
 */
int fnft_encode_patch(const struct fnft_ruleset *live,
		      const struct fnft_ruleset *plan, uint32_t genid,
		      uint32_t seq_start, struct fnft_batch **out);

#endif
