/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_STATUS_H
#define FINESSE_NFT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <finesse-nft/catalog.h>
#include <finesse-nft/error.h>
#include <finesse-nft/ruleset.h>
#include <finesse-nft/site.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Status: what the live table does, as text or JSON (fnft_status_json())
 * and as data (the per-row counters).  Everything here is pure: the live
 * table comes from fnft_kernel_read() or fnft_kernel_counters().
 *
 * JSON output, everywhere in the library, is fnft_<object>_json(): 0 or
 * a negative errno, and a malloc'd string in *out that the caller frees
 * (fnft_catalog_json, fnft_site_json, fnft_ruleset_json,
 * fnft_ruleset_diff_json, fnft_status_json, fnft_kernel_changes_json).
 * The older spellings (_to_json, _render_json, _check_json,
 * _changes_json, a json flag) stay exported and working, deprecated.
 */

/** The address family a counted rule matches. */
enum fnft_ip_family {
	/** the rule has no address match: it counts IPv4 and IPv6 alike */
	FNFT_FAMILY_ANY = 0,
	FNFT_FAMILY_IPV4 = 4,
	FNFT_FAMILY_IPV6 = 6,
};

/** The counter of one row's rules for one group, family and direction. */
struct fnft_counter {
	/** the row id (the rules' comment) */
	const char *row;
	/** the group the rules admit: the name of their set without its
	 *  "_v4"/"_v6" ("browser", "peer"), "any" for rules with no address
	 *  match, or the set's whole name for a set that is not a group's */
	const char *group;
	enum fnft_ip_family family;
	/** FNFT_DIR_INBOUND (input chain) or FNFT_DIR_OUTBOUND (output) */
	enum fnft_direction direction;
	uint64_t packets;
	uint64_t bytes;
};

/**
 * fnft_ruleset_has_counters - whether @rs holds the kernel's counter
 * values: true for a table decoded from a dump (fnft_kernel_read() with
 * FNFT_READ_VERIFY or FNFT_READ_NO_ELEMENTS, or whenever the state file
 * could not stand in), false for a plan and for a table the state file
 * stood in for, whose counters are not known (since 0.3)
 */
bool fnft_ruleset_has_counters(const struct fnft_ruleset *rs);

/**
 * fnft_status_render - which rows of the port-usage table see traffic
 * @cat: the catalog
 * @site: the site (loaded against @cat)
 * @plan: the plan for this node (fnft_plan()): which rows are in force and
 *	which of their groups hold no address
 * @live: the live table (fnft_kernel_read()), or NULL: counters are 0
 * @json: a JSON array instead of a text table
 * @out: receives the text (malloc'd)
 *
 * One entry per row, catalog rows first, in order: its ports, groups,
 * direction, and the packets and bytes of its rules summed over groups and
 * families; rows left out are marked disabled, groups without an address
 * empty.  Returns 0, -EINVAL or -ENOMEM.
 *
 * Deprecated since 0.3 (kept, and working): fnft_status_json() and
 * fnft_status_render_live() say all of this and more, about the live
 * table.
 */
int fnft_status_render(const struct fnft_catalog *cat,
		       const struct fnft_site *site,
		       const struct fnft_ruleset *plan,
		       const struct fnft_ruleset *live, bool json, char **out);

/** fnft_status_render_live() flag: a JSON object instead of text (the
 *  same as fnft_status_json()). */
#define FNFT_STATUS_JSON 0x1u

/**
 * fnft_status_render_live() flag: metrics in the Prometheus text format,
 * for node_exporter's textfile collector, instead of text (since 0.3).
 * Gauges finesse_nft_table_present, finesse_nft_site_loaded and, when
 * there is a plan, finesse_nft_in_sync and finesse_nft_drift_lines (the
 * lines of the dry-run diff); counters finesse_nft_row_packets_total and
 * finesse_nft_row_bytes_total, one sample per entry of
 * fnft_ruleset_counters() labelled row, group, family ("ipv4", "ipv6",
 * "any") and direction ("inbound", "outbound").  Every sample has a
 * table label; label values are escaped as the format says.  Not with
 * FNFT_STATUS_JSON (-EINVAL).
 */
#define FNFT_STATUS_PROMETHEUS 0x2u

/**
 * fnft_status_render_live - the live table: whether it exists, whether it
 * is the plan and what drifts, its policies, and each row's counters
 * @cat: the catalog, or NULL
 * @site: the site (loaded against @cat), or NULL when it could not be
 *	loaded: the rows are then the ids in the live rules' comments, each
 *	described by its live rules
 * @plan: the plan for this node (fnft_plan() of @site), or NULL: nothing to
 *	compare with (in sync and drift unknown); needs @site
 * @live: the live table (fnft_kernel_read() with FNFT_READ_VERIFY, so that
 *	counters and elements are there), or NULL: the table does not exist
 * @table: the table's name, said when @live and @plan are both NULL; NULL
 *	for FNFT_DEFAULT_TABLE
 * @site_error: NULL, or why the site (or catalog) could not be loaded, one
 *	line; it heads the text and is the JSON's "site_error"
 * @flags: 0, FNFT_STATUS_JSON or FNFT_STATUS_PROMETHEUS
 * @out: receives the text (malloc'd)
 *
 * The text: a line on the table (missing; in sync; or differs, with the
 * count of lines apply would add (+N) and remove (-N) in each block of
 * the diff), one on its base chains' policies, then one line per row as
 * fnft_status_render() prints them, whose note says when the row's live
 * rules are missing ("not live"), not the planned ones ("differs from the
 * plan") or there although the plan has none ("disabled, but live", or
 * "live, in no row of the catalog or site" for an id no row has).  The
 * JSON: {"table", "exists", "dormant", "site_loaded", "site_error",
 * "in_sync", "drift": [{"in", "add", "remove"}], "policies": {CHAIN:
 * POLICY}, "rows": [...]}, each row as in fnft_status_render() plus
 * "live" and "in_sync"; null where there is no plan to say.  Returns 0,
 * -EINVAL, -ENODATA for a @live whose counters were not read (see
 * fnft_ruleset_has_counters(): a read the state file stood in for), or
 * -ENOMEM (since 0.3).
 */
int fnft_status_render_live(const struct fnft_catalog *cat,
			    const struct fnft_site *site,
			    const struct fnft_ruleset *plan,
			    const struct fnft_ruleset *live, const char *table,
			    const char *site_error, unsigned flags, char **out);

/**
 * fnft_status_json - the JSON object of fnft_status_render_live() with
 * FNFT_STATUS_JSON: the documented name (since 0.3); the arguments are
 * that call's
 */
int fnft_status_json(const struct fnft_catalog *cat,
		     const struct fnft_site *site,
		     const struct fnft_ruleset *plan,
		     const struct fnft_ruleset *live, const char *table,
		     const char *site_error, char **out);

/**
 * fnft_ruleset_counters - the counters of the live table, row by row
 * @live: a table read from the kernel with its counters (see
 *	fnft_ruleset_has_counters())
 * @out: receives a malloc'd array of *@n entries, strings included: one
 *	free() of it frees everything; NULL when *@n is 0
 * @n: receives the number of entries
 * @err: optional error details
 *
 * One entry per (row, group, family, direction) with a counted rule, in
 * the order of the table (input chain first, rule by rule), summing the
 * rules that share the four; rules without a row id (the fixed ones) or
 * without a counter, and rules finesse-nft cannot decode, are left out.
 * Sum the entries of a row for its total, as the status does.
 *
 * Counters that were not read are never reported as zeros: a @live whose
 * counters are not known (a plan, or a read the state file stood in for)
 * fails with -ENODATA and says so in @err.  fnft_kernel_counters() reads
 * the table cheaply itself and cannot get this wrong.  Pure; returns 0,
 * -EINVAL, -ENODATA or -ENOMEM (since 0.3).
 */
int fnft_ruleset_counters(const struct fnft_ruleset *live,
			  struct fnft_counter **out, size_t *n,
			  struct fnft_error *err);

#ifdef __cplusplus
}
#endif

#endif
