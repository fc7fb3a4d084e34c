/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FNFT_TOOL_PENDING_H
#define FNFT_TOOL_PENDING_H

#include <stdbool.h>

#include <finesse-nft/finesse-nft.h>

/*
 * The CLI's confirm-or-rollback (see pending.c).  Each returns the exit
 * code and has printed its messages.
 */
struct pending_opts {
	const char *table;	/* the table's name, never NULL */
	const char *watchdog;	/* $FNFT_WATCHDOG, or NULL: the installed one */
	unsigned secs;		/* apply --confirm SECS */
	int wait_ms;		/* --wait; -1: as long as it takes */
	bool force;		/* pending_check(): go ahead anyway */
};

/* st->in_sync: nothing was sent and no rollback is armed. */
int pending_apply(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		  const struct pending_opts *o, struct fnft_apply_stats *st);
int pending_confirm(struct fnft_kernel *k, const struct pending_opts *o);
int pending_rollback(struct fnft_kernel *k, const struct pending_opts *o);

/*
 * Before a plain apply or remove (@what): 0 when no confirm is pending, or
 * with --force (having said what that means for the pending rollback);
 * else exit 2 with the reason.
 */
int pending_check(struct fnft_kernel *k, const struct pending_opts *o,
		  const char *what);

/* A fnft_lock_wait_fn: one line naming who holds the lock; @ctx is the
 * table's name. */
void pending_lock_waiting(void *ctx, long holder);

#endif
