/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_SITE_H
#define FINESSE_NFT_SITE_H

#include <stddef.h>

#include <finesse-nft/catalog.h>
#include <finesse-nft/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A site: the addresses of the remote groups and of the two cluster nodes,
 * port overrides, policy knobs, extra rows and disabled rows, read from an
 * INI file and checked against a catalog.  A site refers to its catalog's
 * rows: keep the catalog alive as long as the site.
 */

struct fnft_site;

enum fnft_role {
	/** Use `node =` of the site's [cluster] section. */
	FNFT_ROLE_SITE = 0,
	FNFT_ROLE_PRIMARY,
	FNFT_ROLE_SECONDARY,
};

/**
 * fnft_site_load - parse and validate a site file
 * @path: the INI file
 * @cat: the catalog whose row ids and groups the site refers to
 * @out: receives the new site; untouched on failure
 * @err: optional; on failure "file:line: what is wrong"
 *
 * Returns 0, -EINVAL for bad input, or another negative errno.  Warnings
 * (an empty group, say) do not fail the load; read them with
 * fnft_site_warning().
 */
int fnft_site_load(const char *path, const struct fnft_catalog *cat,
		   struct fnft_site **out, struct fnft_error *err);

/**
 * fnft_site_load_buffer - like fnft_site_load() for text in memory
 * @name: the name used in messages
 */
int fnft_site_load_buffer(const char *name, const char *text, size_t len,
			  const struct fnft_catalog *cat,
			  struct fnft_site **out, struct fnft_error *err);

/** fnft_site_free - free a site; NULL is allowed. */
void fnft_site_free(struct fnft_site *site);

/** fnft_site_role - the role named by `node =`, or FNFT_ROLE_SITE when unset */
enum fnft_role fnft_site_role(const struct fnft_site *site);

/** Room for any address fnft_site_cluster_address() writes, NUL included. */
#define FNFT_ADDRSTRLEN 46

/**
 * fnft_site_cluster_address_count - how many addresses [cluster] gives a node
 * @site: the site
 * @role: FNFT_ROLE_PRIMARY or FNFT_ROLE_SECONDARY
 *
 * Returns the number of distinct addresses given by the `primary =` or
 * `secondary =` keys, IPv4 and IPv6 together; 0 for any other @role.
 */
size_t fnft_site_cluster_address_count(const struct fnft_site *site,
				       enum fnft_role role);

/**
 * fnft_site_cluster_address - one address of a cluster node, as text
 * @site: the site
 * @role: FNFT_ROLE_PRIMARY or FNFT_ROLE_SECONDARY
 * @i: 0 to fnft_site_cluster_address_count() - 1: the IPv4 addresses
 *	first, then the IPv6 ones, each in ascending order
 * @buf: receives the address, "10.0.0.11" or "2001:db8:0:1::11", with a NUL
 * @len: the size of @buf; FNFT_ADDRSTRLEN is always enough
 *
 * Returns 0; -EINVAL for another @role or @i out of range, -ENOSPC when
 * @len is too small; @buf is untouched on failure.
 */
int fnft_site_cluster_address(const struct fnft_site *site, enum fnft_role role,
			      size_t i, char *buf, size_t len);

/** fnft_site_warning_count - number of warnings found while loading */
size_t fnft_site_warning_count(const struct fnft_site *site);

/**
 * fnft_site_warning - warning @i as "file:line: text", or NULL when out of
 * range.  The string belongs to the site.
 */
const char *fnft_site_warning(const struct fnft_site *site, size_t i);

/**
 * fnft_site_check_json - a loaded site's check result as JSON
 * @out: receives {"file", "ok": true, "node": "primary"|"secondary"|null,
 *	"warnings": ["file:line: text", ...]} (malloc'd)
 *
 * Returns 0 or -ENOMEM.  (A site that does not load has no JSON: the
 * error is the load's.)
 */
int fnft_site_check_json(const struct fnft_site *site, char **out);

/** "primary" or "secondary"; NULL for FNFT_ROLE_SITE */
const char *fnft_role_name(enum fnft_role role);

/**
 * fnft_role_parse - "primary" or "secondary" to a role
 * Returns 0 or -EINVAL.
 */
int fnft_role_parse(const char *name, enum fnft_role *role);

#ifdef __cplusplus
}
#endif

#endif
