/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "patch.h"

int fnft_encode_patch(const struct fnft_ruleset *live,
		      const struct fnft_ruleset *plan, uint32_t genid,
		      uint32_t seq_start, struct fnft_batch **out)
{
	(void)live;
	(void)plan;
	(void)genid;
	(void)seq_start;
	(void)out;
	return -EOPNOTSUPP;	/* not yet: every change replaces the table */
}
