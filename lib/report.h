/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_REPORT_H
#define FNFT_REPORT_H

/*
 * What a committed batch changed, read back from the batch itself (its
 * messages and their refs): the apply report of fnft_kernel_change().
 */

#include <finesse-nft/kernel.h>

#include "addr.h"
#include "batch.h"

struct fnft_report_item {
	struct fnft_change c;		/* c.name, c.row point into the two below */
	char *name, *row;
	enum fnft_family fam;		/* of the intervals */
	struct fnft_ivlist ivs;		/* ELEMENTS_*: in the order sent */
	/* reading the elements: a start whose end may come in the next message */
	bool open_start;
	struct fnft_iv pending;
};

struct fnft_report {
	struct fnft_report_item *v;
	size_t n, cap;
};

/* @r made anew from @b; on -ENOMEM it is left empty. */
int fnft_report_from_batch(struct fnft_report *r, const struct fnft_batch *b);
void fnft_report_clear(struct fnft_report *r);

#endif
