/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_RULESET_H
#define FINESSE_NFT_RULESET_H

#include <stdbool.h>

#include <finesse-nft/catalog.h>
#include <finesse-nft/error.h>
#include <finesse-nft/site.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A ruleset is the planned content of the one nftables table finesse-nft
 * owns: its sets with their elements, its base chains and their rules, in a
 * canonical order, so equal plans compare equal and diffs are stable.  It is
 * self-contained: it does not refer to the catalog or site it came from.
 */

struct fnft_ruleset;

/** The default name of the managed table (family inet). */
#define FNFT_DEFAULT_TABLE "finesse"

/**
 * fnft_plan - build the managed table for one site and node role
 * @cat: the catalog
 * @site: a site loaded against @cat
 * @role: FNFT_ROLE_PRIMARY or _SECONDARY, or FNFT_ROLE_FROM_SITE for
 *	the site's `node =`
 * @table: the table name, or NULL for FNFT_DEFAULT_TABLE
 * @out: receives the ruleset; free it with fnft_ruleset_free()
 * @err: optional error details
 *
 * Pure: no I/O.  Returns 0, -EINVAL (no role given anywhere, a bad table
 * name) or -ENOMEM.
 */
int fnft_plan(const struct fnft_catalog *cat, const struct fnft_site *site,
	      enum fnft_role role, const char *table,
	      struct fnft_ruleset **out, struct fnft_error *err);

/** fnft_ruleset_free - free a ruleset; NULL is allowed. */
void fnft_ruleset_free(struct fnft_ruleset *rs);

/** fnft_ruleset_equal - whether two rulesets hold the same table */
bool fnft_ruleset_equal(const struct fnft_ruleset *a,
			const struct fnft_ruleset *b);

/**
 * fnft_ruleset_render - the table as an `nft -f` script
 * @rs: the ruleset
 * @out: receives a malloc'd NUL-terminated string; the caller frees it
 *
 * The script creates the table if it is missing, deletes it and creates it
 * again with the planned content, in one `nft -f` transaction; no other
 * table is touched.  Set elements stand one per line.  Returns 0 or -ENOMEM.
 */
int fnft_ruleset_render(const struct fnft_ruleset *rs, char **out);

/**
 * fnft_ruleset_render_json - the table in the libnftables JSON schema
 * @out: receives the document (malloc'd) for `nft -j -f`
 *
 * Deprecated since 0.3 (kept, and working): call it fnft_ruleset_json().
 *
 * The same commands as fnft_ruleset_render(): add the table, delete it,
 * add it with everything.  (nftables 1.0.6 ignores a table comment given
 * in JSON.)  Returns 0, -EINVAL for a table holding rules finesse-nft did
 * not write, or -ENOMEM.
 */
int fnft_ruleset_render_json(const struct fnft_ruleset *rs, char **out);

/**
 * fnft_ruleset_json - the table in the libnftables JSON schema, as
 * fnft_ruleset_render_json() gives it: the documented name (since 0.3)
 */
int fnft_ruleset_json(const struct fnft_ruleset *rs, char **out);

/**
 * fnft_ruleset_diff - unified diff between two rulesets, in nft syntax
 * @a: the old table, or NULL when there is none (everything is added)
 * @b: the new table
 * @label_a: the `---` label
 * @label_b: the `+++` label
 * @out: receives the diff (malloc'd), or NULL when there is no difference
 *
 * The format of `diff -u`, three lines of context, with hunk headers that
 * name their place as `diff -p` does: "@@ -18,6 +18,7 @@ set browser_v4 {",
 * the nearest line before the hunk's first change that opens a table, set,
 * map, chain or flowtable (none when there is no such line).
 *
 * Returns 0 when equal, 1 when they differ, or -ENOMEM.  Does not block.
 */
int fnft_ruleset_diff(const struct fnft_ruleset *a, const struct fnft_ruleset *b,
		      const char *label_a, const char *label_b, char **out);

/**
 * fnft_ruleset_changes_json - the diff of fnft_ruleset_diff() as data
 * @a: the old table, or NULL
 * @b: the new table
 * @out: receives a malloc'd JSON object: {"table", "in_sync", "changes":
 *	[{"op": "add"|"remove", "in": "table"|"set NAME"|"chain NAME",
 *	"line": nft text, "group": GROUP|null, "row": ID|null}]}, one change
 *	per added or removed diff line; a set element's line without the
 *	comma nft separates elements with; "group" the group of the set the
 *	line is in or the set a rule matches, "row" a rule's row (comment)
 *
 * Returns 0 or -ENOMEM.  Does not block.  Deprecated since 0.3 (kept, and
 * working): call it fnft_ruleset_diff_json().
 */
int fnft_ruleset_changes_json(const struct fnft_ruleset *a,
			      const struct fnft_ruleset *b, char **out);

/**
 * fnft_ruleset_diff_json - the diff of fnft_ruleset_diff() as data, as
 * fnft_ruleset_changes_json() gives it: the documented name (since 0.3)
 */
int fnft_ruleset_diff_json(const struct fnft_ruleset *a,
			   const struct fnft_ruleset *b, char **out);

/** fnft_ruleset_summary(): the JSON document instead of the text */
#define FNFT_SUMMARY_JSON 0x1u

/**
 * fnft_ruleset_summary - a change by group and row (since 0.3)
 * @a: the old table, or NULL when there is none
 * @b: the new table
 * @site_a: the site @a was planned from, or NULL (a live table)
 * @site_b: the site @b was planned from, or NULL
 * @role: the role both were planned for, for the JSON ("primary"), or NULL
 * @flags: 0 for text, FNFT_SUMMARY_JSON for JSON
 * @out: receives the summary (malloc'd); "" as text when nothing changes
 *
 * Per group: the networks added and removed as written in the site files
 * (file and line; with @site_a NULL, the written networks of @site_b that
 * the kernel's change touches), the change of the kernel's merged
 * intervals per set, and which rows that opens or closes, in which
 * direction.  Per row (the rules' comment): enabled, disabled, ports
 * moved, groups it now admits or no longer admits.  The policy: the
 * [policy] words when both sites are given, else the chains' policies
 * and logging.  The text is one line per fact ("group browser:
 * +10.40.0.0/16 (site.conf:12)", "browser +10.40.0.0/16: opens
 * tomcat.https inbound from 10.40.0.0/16", "row ucce.awdb: ports outbound
 * 1433 -> 1533", "policy output: accept -> drop"); the JSON schema is in
 * finesse-nft(8), diff --summary --json.
 *
 * Returns 0, -EINVAL (no @b, unknown @flags) or -ENOMEM.  Does not block.
 */
int fnft_ruleset_summary(const struct fnft_ruleset *a, const struct fnft_ruleset *b,
			 const struct fnft_site *site_a, const struct fnft_site *site_b,
			 const char *role, unsigned flags, char **out);

/** What decides a new connection: see fnft_explain(). */
struct fnft_explanation {
	/** the connection would be accepted by our table */
	bool accepted;
	/** no rule matched: the chain's policy decided */
	bool by_policy;
	/** a rule came first that may have decided and of which we cannot
	 * tell whether it matches: one we could not decode, or one on an
	 * interface, a rate limit or our own address; the answer may be
	 * wrong */
	bool uncertain;
	/** the chain: "input" (inbound) or "output" (outbound) */
	char chain[16];
	/** 1-based position of the deciding rule in the chain; 0 by policy */
	unsigned rule;
	/** the row id of the deciding rule, or "" (a fixed rule, the policy) */
	char row[64];
};

/**
 * fnft_explain - would a new connection pass our table, and why?
 * @rs: a plan, or a live table from fnft_kernel_read()
 * @outbound: false: from @addr to this node's @port (input chain);
 *	true: from this node to @addr:@port (output chain)
 * @addr: the remote IPv4 or IPv6 address
 * @proto: FNFT_PROTO_TCP or FNFT_PROTO_UDP
 * @port: the destination port, 1-65535
 * @ex: receives the answer
 *
 * Pure.  Evaluates the first packet (ct state new, not on loopback) in rule
 * order, as the kernel does in our table; other tables are not consulted
 * (a drop anywhere else would still be final).  Returns 0 or -EINVAL.
 */
int fnft_explain(const struct fnft_ruleset *rs, bool outbound,
		 const char *addr, enum fnft_protocol proto, unsigned port,
		 struct fnft_explanation *ex);

/**
 * fnft_explanation_group - the group whose addresses the deciding rule of
 * @ex admits: "browser", "peer", "any" for a rule with no address match
 * (remote = any); "" when the policy decided or the rule has no group (one
 * finesse-nft could not decode)
 * @rs: the table @ex was given by fnft_explain() (its rules are looked up
 *	again by @ex's chain and position)
 * @buf: receives the name with a NUL; FNFT_ERROR_OBJECT_MAX is enough
 *
 * Pure.  Returns 0, -EINVAL when @ex does not fit @rs (no such chain or
 * rule, or another row there), -ENOSPC when @len is too small (since 0.3).
 */
int fnft_explanation_group(const struct fnft_ruleset *rs,
			   const struct fnft_explanation *ex, char *buf,
			   size_t len);

/**
 * fnft_ruleset_rows_for_port - the rows whose rules accept new connections
 * to @port, with their groups: "ssh (admin), tomcat.https (browser)"
 * @out: receives the text (malloc'd; "" when none)
 *
 * Returns 0, -EINVAL or -ENOMEM.
 */
int fnft_ruleset_rows_for_port(const struct fnft_ruleset *rs, bool outbound,
			       enum fnft_protocol proto, unsigned port,
			       char **out);

#ifdef __cplusplus
}
#endif

/* The status calls were declared here before 0.3: who includes only this
 * header still gets them. */
#include <finesse-nft/status.h>

#endif
