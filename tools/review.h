/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FNFT_TOOL_REVIEW_H
#define FNFT_TOOL_REVIEW_H

#include <stdbool.h>

#include <finesse-nft/finesse-nft.h>

/* What `diff` is asked for. */
struct review_opts {
	const char *catalog;	/* NULL: the built-in one */
	const char *table;	/* NULL: the default */
	enum fnft_role role;	/* --node, or FNFT_ROLE_SITE */
};

/*
 * diff OLD NEW: the unified diff of the tables the two sites plan, on
 * stdout.  Without --node and with a site that names no role, both roles
 * are diffed, each under its own labels ("--- OLD (primary)").  Returns
 * the exit code (0 equal, 1 different, 2 bad input, 3 system).
 */
int review_diff(const struct review_opts *ro, const char *old, const char *new);

#endif
