/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_NETLINK_H
#define FNFT_NETLINK_H

/*
 * The socket: the only module that talks to the kernel.  One
 * NETLINK_NETFILTER socket, the generation id, batches (built by batch.c)
 * sent in one sendmsg() with the first error of their replies returned as
 * a record, and dump requests whose replies go to dump.c's parser.  It
 * builds no message and describes no error itself; nothing that builds or
 * parses messages includes this header (tests/layering.sh checks both).
 */

#include <stdint.h>

#include "batch.h"
#include "dump.h"
#include "internal.h"

struct fnft_nl;

int fnft_nl_open(struct fnft_nl **out, struct fnft_error *err);
/* A socket to a fake kernel (fake.c): @peer's, or with @peer NULL one of
 * its own, created empty; no root needed.  Returns 0, -EINVAL when @peer
 * is no fake, or -ENOMEM. */
int fnft_nl_open_fake(const struct fnft_nl *peer, struct fnft_nl **out,
		      struct fnft_error *err);
/* The fake kernel behind @nl, or NULL for the real one. */
struct fnft_fake *fnft_nl_fake(const struct fnft_nl *nl);
void fnft_nl_close(struct fnft_nl *nl);

/* The network namespace's cookie: unique for the boot, never reused. */
int fnft_nl_netns_cookie(struct fnft_nl *nl, uint64_t *cookie);

/* The current ruleset generation id. */
int fnft_nl_genid(struct fnft_nl *nl, uint32_t *genid, struct fnft_error *err);

/* A sequence number no earlier request of this socket used. */
uint32_t fnft_nl_next_seq(struct fnft_nl *nl);

/*
 * Send @b in one sendmsg() and read every reply: *first receives the first
 * error the kernel sent (error 0: none, the batch is committed), to be
 * described by fnft_batch_refusal().  Returns 0, or the negative errno of
 * sendmsg() or recv() (EPERM: no CAP_NET_ADMIN).  Advances the socket's
 * sequence numbers past the batch.
 */
int fnft_nl_send(struct fnft_nl *nl, struct fnft_batch *b, struct fnft_ack *first);

/*
 * Dump table inet @table (which must outlive the dump) between two equal
 * generation ids (retried otherwise); with @elements, every set's elements
 * too (the costly part: the kernel re-walks an interval set for every
 * message); anonymous sets always come with theirs.  Stateful objects
 * and flowtables are always read.  Elements are read as keys
 * (fnft_dump_keys()).  Returns 0 (with (*out)->table NULL when there
 * is no such table) or a negative errno.
 */
int fnft_nl_dump(struct fnft_nl *nl, const char *table, bool elements,
		 struct fnft_dump **out, struct fnft_error *err);

/* As fnft_nl_dump() with every element, as libnftnl objects in their sets,
 * every attribute kept: what a snapshot must restore. */
int fnft_nl_dump_objects(struct fnft_nl *nl, const char *table,
			 struct fnft_dump **out, struct fnft_error *err);

#endif
