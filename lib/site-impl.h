/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_SITE_IMPL_H
#define FNFT_SITE_IMPL_H

#include <finesse-nft/site.h>

#include "addr.h"
#include "row.h"

/* The implicit group of the other cluster node, and the word for everyone. */
#define FNFT_GROUP_PEER "peer"
#define FNFT_GROUP_ANY "any"

enum fnft_ping {
	FNFT_PING_GROUPS,	/* echo-request from the addresses of any group */
	FNFT_PING_ANY,
	FNFT_PING_NONE,
};

struct fnft_group {
	char *name;
	char *file;			/* where it was first defined */
	unsigned line;			/* its [group] header */
	unsigned file_no, file_line;	/* the file and line that opened it last */
	struct fnft_ivlist addrs[2];	/* by enum fnft_family, normalized */
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

	char **warnings;
	size_t n_warnings, cap_warnings;
};

const struct fnft_group *fnft_site_group(const struct fnft_site *site,
					 const char *name);
const struct fnft_port_move *fnft_site_move(const struct fnft_site *site,
					    const char *id);
bool fnft_site_disabled(const struct fnft_site *site, const char *id);

#endif
