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
 * Status: what the live table does, as data (the per-row counters) and as
 * text or JSON (fnft_status_json()).  Everything here is pure: the live
 * table comes from fnft_kernel_read() or fnft_kernel_counters().
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
