/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FNFT_TOOL_GUARD_H
#define FNFT_TOOL_GUARD_H

#include <stdbool.h>

#include <finesse-nft/finesse-nft.h>

/*
 * The refusals of apply, asked before the kernel is touched (see guard.c):
 * - the role check: this host holds the other node's [cluster] address and
 *   none of its own role's;
 * - the SSH lockout guard: the plan would refuse a new connection from a
 *   client that has an SSH session open now (read from the kernel, plus
 *   SSH_CONNECTION) to the port it came in on.
 * @role is the role given with --node, FNFT_ROLE_SITE for `node =`; @force
 * skips both.  Returns 0 to go on, or after printing why the exit code
 * EXIT_REFUSED (2), or EXIT_SYSTEM (3) when it ran out of memory.
 */
int guard_apply(const struct fnft_site *site, enum fnft_role role,
		const struct fnft_ruleset *plan, bool force);

/*
 * "accept by row ssh (chain input, rule 7)", "drop by the policy of chain
 * input" and the like: an answer of fnft_explain() for people.
 */
void explanation_describe(const struct fnft_explanation *ex, char *buf, size_t len);

#endif
