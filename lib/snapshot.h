/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_SNAPSHOT_H
#define FNFT_SNAPSHOT_H

#include "batch.h"
#include "dump.h"
#include "internal.h"

/*
 * A snapshot: the table as the kernel held it, kept as the NEW* messages
 * that create it again (seq 0, back to back), written by batch.c.
 */
struct fnft_snapshot {
	char table[72];
	bool absent;		/* the table did not exist */
	struct fnft_buf msgs;	/* NEW* messages, seq 0, back to back */
	size_t n_msgs;
	uint32_t genid;		/* of the dump; 0 when loaded from a file */
};

/* The snapshot of table inet @table as dump @d (of fnft_nl_dump_objects()
 * or fnft_dump_parse()) holds it; @d's objects lose their handles. */
int fnft_snapshot_from_dump(const struct fnft_dump *d, const char *table,
			    struct fnft_snapshot **out, struct fnft_error *err);

/* The batch that restores @s, guarded by @genid: NEWTABLE and DELTABLE
 * (the table goes, whatever it holds now), then the snapshot's messages,
 * each with a ref read from it.  Returns 0, -EINVAL or -ENOMEM. */
int fnft_snapshot_encode(const struct fnft_snapshot *s, uint32_t genid,
			 uint32_t seq_start, struct fnft_batch **out);

#endif
