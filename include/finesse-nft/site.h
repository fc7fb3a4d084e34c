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
	/** Use `node =` of the site's [cluster] section; as a site's role
	 *  (fnft_site_role()): `node =` is not set. */
	FNFT_ROLE_SITE = 0,
	FNFT_ROLE_PRIMARY,
	FNFT_ROLE_SECONDARY,
	/** FNFT_ROLE_SITE by the name that says what it does: the role is
	 *  the one the site's `node =` names (since 0.3) */
	FNFT_ROLE_FROM_SITE = FNFT_ROLE_SITE,
};

/**
 * fnft_site_load - parse and validate a site file and its drop-ins
 * @path: the INI file; then every PATH.d/ *.conf, in lexical order
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
 * fnft_site_load_dropins - fnft_site_load() with the drop-ins of another
 * directory (since 0.3)
 * @path: the main INI file
 * @dropins: a directory whose *.conf files are read after @path, in
 *	lexical order, as PATH.d/ is by fnft_site_load(); a missing
 *	directory has none; NULL reads none
 *
 * For a review: a new main file read with the drop-ins of the node it is
 * meant for.  Blocks on reading the files.  Returns as fnft_site_load().
 */
int fnft_site_load_dropins(const char *path, const char *dropins,
			   const struct fnft_catalog *cat,
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

/** What a site warning is about (since 0.3). */
enum fnft_warning_kind {
	/** a group's addresses cover every address (0.0.0.0/0, ::/0): its
	 *  rows admit everyone; @object: the group */
	FNFT_WARN_GROUP_OPEN,
	/** a group holds no address: its rows allow no one from it */
	FNFT_WARN_GROUP_EMPTY,
	/** rows name a group the site does not define */
	FNFT_WARN_GROUP_UNDEFINED,
	/** [cluster] gives a node no address: on the other node, rows naming
	 *  'peer' allow no one; @object: "primary" or "secondary" */
	FNFT_WARN_NODE_NO_ADDRESS,
	/** an enabled row is open to every address (remote = any); @object:
	 *  the row id */
	FNFT_WARN_ROW_OPEN,
	/** an enabled row allows no one: none of its groups holds an address */
	FNFT_WARN_ROW_NO_ONE,
	/** input = drop and nothing admits management access (443/8445): the
	 *  node may lock its administrators out; @object: "" */
	FNFT_WARN_NO_MANAGEMENT,
};

/** A site warning as data; every string belongs to the site. */
struct fnft_warning {
	enum fnft_warning_kind kind;
	/** the group, row id or node role it is about, or "" (the site) */
	const char *object;
	/** the file the group or row was written in; else the site's file
	 *  (or, for a site built with fnft_site_new(), its name) */
	const char *file;
	/** 1-based line in @file, or 0 when the warning has no line */
	unsigned line;
	/** what is wrong, in words, without file or line */
	const char *text;
	/** the same as fnft_site_warning() gives: "file:line: text" */
	const char *string;
};

/**
 * fnft_site_warning_item - warning @i as data, in the order of
 * fnft_site_warning(); NULL when out of range.  Valid until the site
 * changes (any builder call, fnft_site_check()) or is freed.  New kinds
 * may be added: treat an unknown one as a warning with its text
 * (since 0.3).
 */
const struct fnft_warning *fnft_site_warning_item(const struct fnft_site *site,
						  size_t i);

/**
 * fnft_site_check_json - a loaded site's check result as JSON
 * @out: receives {"file", "ok": true, "node": "primary"|"secondary"|null,
 *	"warnings": ["file:line: text", ...]} (malloc'd)
 *
 * Returns 0 or -ENOMEM.  (A site that does not load has no JSON: the
 * error is the load's.)  Deprecated since 0.3 (kept, and working): call it
 * fnft_site_json().
 */
int fnft_site_check_json(const struct fnft_site *site, char **out);

/** fnft_site_json - a site's check result as JSON, as
 *  fnft_site_check_json() gives it: the documented name (since 0.3) */
int fnft_site_json(const struct fnft_site *site, char **out);

/**
 * Building a site from data (since 0.3): the calls below make and change
 * a site as the INI parser does (the parser is their client), with the
 * same checks and messages; an error names the group or row in
 * fnft_error.object instead of a file and line.  A call that fails leaves
 * the site as it was before it, except that a row or group that failed
 * half-way is not added.
 *
 * The checks that need the whole site (every group a row names exists,
 * every group is used by some row, every disabled row exists) run in
 * fnft_site_check(), which also recomputes the warnings; after any change,
 * fnft_plan() refuses the site (-EINVAL) until it has passed.  A loaded
 * site has passed.
 */

/** The policy knobs of [policy], by their key. */
enum fnft_policy_knob {
	FNFT_POLICY_INPUT,	/**< "drop" (default) or "accept" */
	FNFT_POLICY_OUTPUT,	/**< "accept" (default) or "drop" */
	FNFT_POLICY_INSECURE,	/**< "allow" (default) or "deny" */
	FNFT_POLICY_LOG,	/**< "off" (default) or "on" */
	FNFT_POLICY_PING,	/**< "groups" (default), "any" or "none" */
};

/**
 * fnft_site_new - an empty site against @cat: no addresses, no rows of its
 * own, every policy at its default, role FNFT_ROLE_SITE
 * @name: what the site is called in warnings and JSON ("site" when NULL)
 *
 * Returns 0 or -ENOMEM.  Keep @cat alive as long as the site.
 */
int fnft_site_new(const struct fnft_catalog *cat, const char *name,
		  struct fnft_site **out, struct fnft_error *err);

/** fnft_site_set_role - what `node =` says; FNFT_ROLE_SITE unsets it.
 *  Returns 0 or -EINVAL. */
int fnft_site_set_role(struct fnft_site *site, enum fnft_role role,
		       struct fnft_error *err);

/**
 * fnft_site_add_node_address - one address of a cluster node, as
 * `primary =` / `secondary =`: a single IPv4 or IPv6 host.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int fnft_site_add_node_address(struct fnft_site *site, enum fnft_role role,
			       const char *address, struct fnft_error *err);

/**
 * fnft_site_set_policy - one [policy] knob, by the words of site.conf(5)
 * Returns 0 or -EINVAL (an unknown knob or word).
 */
int fnft_site_set_policy(struct fnft_site *site, enum fnft_policy_knob knob,
			 const char *value, struct fnft_error *err);

/** fnft_site_policy - the word a knob is set to ("drop", "on", ...); NULL
 *  for an unknown knob */
const char *fnft_site_policy(const struct fnft_site *site,
			     enum fnft_policy_knob knob);

/**
 * fnft_site_add_group - a new, empty group, as a [group NAME] section
 * Returns 0, -EEXIST when the site has it already, -EINVAL for a name
 * that is not a group name ('peer' and 'any' are reserved), -ENOMEM.
 */
int fnft_site_add_group(struct fnft_site *site, const char *name,
			struct fnft_error *err);

/**
 * fnft_site_add_group_address - one network of a group, as `address =`
 * (a host, a prefix or a range; IPv4 or IPv6)
 * Returns 0, -ENOENT for a group the site does not have, -EINVAL, -ENOMEM.
 */
int fnft_site_add_group_address(struct fnft_site *site, const char *group,
				const char *address, struct fnft_error *err);

/**
 * fnft_site_remove_group_address - take back one network exactly as it was
 * added or written (the same host, prefix or range; another spelling of
 * it is fine): the kernel's merged intervals are recomputed from those
 * left.  Returns 0, -ENOENT when the group or that network is not there,
 * -EINVAL for an address that does not parse.
 */
int fnft_site_remove_group_address(struct fnft_site *site, const char *group,
				   const char *address, struct fnft_error *err);

/**
 * A row of the site's own, as an [entry ID] section.  Ports are port lists
 * as site.conf(5) writes them ("443", "8443, 9000-9010"); @remote is a
 * NULL-terminated array of group names ("any", "peer" or the site's).
 */
struct fnft_row_spec {
	const char *id;
	const char *listener;		/**< optional */
	enum fnft_protocol protocol;
	const char *listen_ports;	/**< NULL: none */
	const char *remote_ports;	/**< NULL: none */
	const char *const *remote;
	enum fnft_direction direction;
	const char *note;		/**< optional */
};

/**
 * fnft_site_add_row - a row of the site's own
 * Returns 0, -EINVAL (a bad or duplicate id, bad ports, ports that do not
 * fit the direction, no group), -ENOMEM.
 */
int fnft_site_add_row(struct fnft_site *site, const struct fnft_row_spec *spec,
		      struct fnft_error *err);

/**
 * fnft_site_disable_row - as `entry =` in [disable]: a row of the catalog
 * or of the site.  Returns 0, -EINVAL for an unknown row or one disabled
 * already.
 */
int fnft_site_disable_row(struct fnft_site *site, const char *id,
			  struct fnft_error *err);

/**
 * fnft_site_move_port - as `ID = PORTS` in [port]: the ports of a
 * port-movable catalog row; a second move replaces the first.
 * Returns 0 or -EINVAL.
 */
int fnft_site_move_port(struct fnft_site *site, const char *id,
			const char *ports, struct fnft_error *err);

/**
 * fnft_site_check - the checks that need the whole site, and the warnings
 * recomputed; see above.  Returns 0 or -EINVAL (with the group or row).
 */
int fnft_site_check(struct fnft_site *site, struct fnft_error *err);

/* ---- reading a site back ---- */

/** fnft_site_group_count - the groups the site defines */
size_t fnft_site_group_count(const struct fnft_site *site);

/** fnft_site_group_name - group @i, in the order defined; NULL when out
 *  of range */
const char *fnft_site_group_name(const struct fnft_site *site, size_t i);

/** fnft_site_group_address_count - the networks of @group as written or
 *  added (before merging); 0 for no such group */
size_t fnft_site_group_address_count(const struct fnft_site *site,
				     const char *group);

/**
 * fnft_site_group_address - network @i of @group as written, in canonical
 * form ("10.1.0.0/16", "192.0.2.1-192.0.2.9", "2001:db8::/32")
 * @len: FNFT_NETSTRLEN is always enough
 * Returns 0, -EINVAL when out of range, -ENOSPC when @len is too small.
 */
#define FNFT_NETSTRLEN 96
int fnft_site_group_address(const struct fnft_site *site, const char *group,
			    size_t i, char *buf, size_t len);

/** fnft_site_rows - the site's own rows ([entry]), read with the
 *  fnft_catalog_* and fnft_row_* calls; owned by the site */
const struct fnft_catalog *fnft_site_rows(const struct fnft_site *site);

/** fnft_site_disabled_count / fnft_site_disabled_row - the rows [disable]
 *  names, in order (NULL when out of range) */
size_t fnft_site_disabled_count(const struct fnft_site *site);
const char *fnft_site_disabled_row(const struct fnft_site *site, size_t i);

/**
 * fnft_site_moved_ports - the ports [port] moves row @id to, or NULL when
 * it is not moved; *n receives their count
 */
const struct fnft_port_range *fnft_site_moved_ports(const struct fnft_site *site,
						    const char *id, size_t *n);

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
