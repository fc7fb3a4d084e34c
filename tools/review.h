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
	bool summary;		/* --summary: by group and row */
	bool json;		/* --json */
};

/*
 * diff OLD NEW: the unified diff of the tables the two sites plan, on
 * stdout.  Without --node and with a site that names no role, both roles
 * are diffed, each under its own labels ("--- OLD (primary)").  Returns
 * the exit code (0 equal, 1 different, 2 bad input, 3 system).  With
 * --summary the summary instead; with --json, one JSON array of an object
 * per role (the change set, or with --summary the summary).
 */
int review_diff(const struct review_opts *ro, const char *old, const char *new);

/*
 * dry-run --summary: the summary of live -> plan (@site the plan's), on
 * stdout, as text under a "# LABEL_A -> LABEL_B" line or, with @json, as a
 * JSON array of one object.  Returns 0, or a negative errno.
 */
int review_summary_live(const struct fnft_ruleset *live, const struct fnft_ruleset *plan,
			const struct fnft_site *site, enum fnft_role role, bool json,
			const char *label_a, const char *label_b);

#endif
