/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_NETLINK_H
#define FNFT_NETLINK_H

/*
 * The only module that talks to the kernel: one NETLINK_NETFILTER socket,
 * the generation id, and batches sent in one sendmsg() whose replies are
 * drained and mapped back to the IR objects that caused them.
 */

#include <stdint.h>

#include "encode.h"
#include "internal.h"

struct fnft_nl;

int fnft_nl_open(struct fnft_nl **out, struct fnft_error *err);
void fnft_nl_close(struct fnft_nl *nl);

/* The current ruleset generation id. */
int fnft_nl_genid(struct fnft_nl *nl, uint32_t *genid, struct fnft_error *err);

/* A sequence number no earlier request of this socket used. */
uint32_t fnft_nl_next_seq(struct fnft_nl *nl);

/*
 * Send @b in one sendmsg() and collect the kernel's verdict.  A refusal
 * fills @err naming the object of @rs (may be NULL) the message was about.
 * Returns 0, -EAGAIN on a generation mismatch, or the kernel's negative
 * errno.  Advances the socket's sequence numbers past the batch.
 */
int fnft_nl_send_batch(struct fnft_nl *nl, struct fnft_batch *b,
		       const struct fnft_ruleset *rs, struct fnft_error *err);

#endif
