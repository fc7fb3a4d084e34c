/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_SNAPSHOT_H
#define FNFT_SNAPSHOT_H

#include "internal.h"
#include "netlink.h"

struct fnft_snapshot {
	char table[72];
	bool absent;		/* the table did not exist */
	struct fnft_buf msgs;	/* NEW* messages, seq 0, back to back */
	size_t n_msgs;
	uint32_t genid;		/* of the dump; 0 when loaded from a file */
};

/* Dump table inet @table and keep it as messages; *genid of the dump. */
int fnft_snapshot_take(struct fnft_nl *nl, const char *table,
		       struct fnft_snapshot **out, uint32_t *genid,
		       struct fnft_error *err);

/* The snapshot of table inet @table as dump @d (of fnft_nl_dump_objects()
 * or fnft_dump_parse()) holds it; @d's objects lose their handles. */
int fnft_snapshot_from_dump(const struct fnft_dump *d, const char *table,
			    struct fnft_snapshot **out, struct fnft_error *err);

#endif
