/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FNFT_TOOL_PENDING_H
#define FNFT_TOOL_PENDING_H

#include <finesse-nft/finesse-nft.h>

/*
 * The CLI's confirm-or-rollback (see pending.c).  Each returns the exit
 * code and has printed its messages.
 */
int pending_apply(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		  const char *table, unsigned secs, struct fnft_apply_stats *st);
int pending_confirm(struct fnft_kernel *k, const char *table);
int pending_rollback(struct fnft_kernel *k, const char *table);

#endif
