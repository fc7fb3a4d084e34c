/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_SITE_IMPL_H
#define FNFT_SITE_IMPL_H

#include <stdio.h>

#include <finesse-nft/site.h>

#include "addr.h"
#include "row.h"

/* The implicit group of the other cluster node, and the word for everyone. */
#define FNFT_GROUP_PEER "peer"
#define FNFT_GROUP_ANY "any"

/* The set of a group for one family: "browser_v4", "browser_v6". */
#define FNFT_SET_NAME_MAX (FNFT_ID_MAX + 8)
static inline void fnft_group_set_name(char *buf, size_t len, const char *group,
				       enum fnft_family fam)
{
	snprintf(buf, len, "%s_%s", group, fam == FNFT_V4 ? "v4" : "v6");
}

enum fnft_ping {
	FNFT_PING_GROUPS,	/* echo-request from the addresses of any group */
	FNFT_PING_ANY,
	FNFT_PING_NONE,
};

/* One network of a group as it was written (or added through the API). */
struct fnft_written {
	struct fnft_iv iv;
	enum fnft_family fam;
	unsigned file_no;		/* into fnft_site.files; 0: not from a file */
	unsigned line;
};

struct fnft_group {
	char *name;
	char *file;			/* where it was first defined; NULL: built */
	unsigned line;			/* its [group] header */
	unsigned file_no, file_line;	/* the file and line that opened it last */
	struct fnft_written *written;	/* in the order given */
	size_t n_written, cap_written;
	struct fnft_ivlist addrs[2];	/* by enum fnft_family, normalized */
	bool merged[2];			/* addrs[f] is normalized already: the
					 * parser adds first and merges once,
					 * in fnft_site_check() */
};

struct fnft_port_move {
	char *id;
	char *file;
	unsigned line;
	struct fnft_portlist ports;
};

struct fnft_disabled {
	char *id;
	char *file;
	unsigned line;
};

struct fnft_policy {
	bool input_accept;	/* input policy; drop by default */
	bool output_drop;	/* output policy; accept by default */
	bool insecure_deny;
	bool log;
	enum fnft_ping ping;
};

struct fnft_site {
	char *file;			/* the main file; fragments follow it */
	const struct fnft_catalog *cat;	/* the catalog it was made against */
	char **files;			/* [file_no - 1]: every file read */
	size_t n_files, cap_files;
	bool checked;			/* whole-site checks passed since the last change */
	enum fnft_role role;
	struct fnft_ivlist node_addrs[2][2];	/* [role - 1][family] */
	struct fnft_policy policy;

	struct fnft_group *groups;
	size_t n_groups, cap_groups;
	struct fnft_port_move *moves;
	size_t n_moves, cap_moves;
	struct fnft_disabled *disabled;
	size_t n_disabled, cap_disabled;
	struct fnft_catalog entries;	/* the site's own rows */

	/* each warning's strings are one block: "file:line: text", then
	 * the object and the file; .text points into the first */
	struct fnft_warning *warnings;
	size_t n_warnings, cap_warnings;
};

/* Whether the whole-site checks passed since the last change. */
bool fnft_site_checked(const struct fnft_site *site);

const struct fnft_group *fnft_site_group(const struct fnft_site *site,
					 const char *name);
const struct fnft_port_move *fnft_site_move(const struct fnft_site *site,
					    const char *id);
bool fnft_site_disabled(const struct fnft_site *site, const char *id);

/* Whether @row is in force for @site: not disabled, not an insecure row
 * under insecure = deny. */
bool fnft_site_row_enabled(const struct fnft_site *site, const struct fnft_row *row);

/*
 * The ports of @row, @own being its listen or its remote ports, once the
 * site's [port] move is applied: a movable row has one port list, so a
 * move replaces that one and leaves an empty one empty.
 */
const struct fnft_portlist *fnft_site_row_ports(const struct fnft_site *site,
						const struct fnft_row *row,
						const struct fnft_portlist *own);

#endif
