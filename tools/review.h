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
	bool markdown;		/* --format markdown: summary table + diff */
};

/*
 * diff OLD NEW: the unified diff of the tables the two sites plan, on
 * stdout.  Without --node and with a site that names no role, both roles
 * are diffed, each under its own labels ("--- OLD (primary)").  Returns
 * the exit code (0 equal, 1 different, 2 bad input, 3 system).  With
 * --summary the summary instead; with --json, one JSON array of an object
 * per role (the change set, or with --summary the summary); with
 * markdown, per role a heading, the summary as a table and the diff in a
 * fenced block.
 */
int review_diff(const struct review_opts *ro, const char *old, const char *new);

/*
 * dry-run --summary or --format markdown: the review of live -> plan
 * (@site the plan's, @role what it was planned for) on stdout, as
 * review_diff() prints one role's.  Returns 0, or a negative errno.
 */
int review_live(const struct review_opts *ro, const struct fnft_ruleset *live,
		const struct fnft_ruleset *plan, const struct fnft_site *site,
		enum fnft_role role, const char *label_a, const char *label_b);

#endif
