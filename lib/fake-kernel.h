/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_FAKE_KERNEL_H
#define FNFT_FAKE_KERNEL_H

/*
 * The fake kernel's socket end (fake.c): netlink.c hands it the bytes it
 * would have given sendmsg() and reads back the datagrams the kernel would
 * have queued, so everything above netlink.c runs unchanged.  The fake
 * parses requests and batches and builds its replies itself; it includes
 * no socket header and calls no socket.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fnft_fake;
struct fnft_kernel;

/* A socket on a fake namespace of its own: an empty ruleset at
 * generation 1.  Returns 0 or -ENOMEM. */
int fnft_fake_new(struct fnft_fake **out);
/* Another socket on @of's namespace (another process there). */
int fnft_fake_new_peer(struct fnft_fake *of, struct fnft_fake **out);
/* Close the socket: the tables it owns (NFT_TABLE_F_OWNER) go, and the
 * namespace with its last socket.  NULL is allowed. */
void fnft_fake_free(struct fnft_fake *f);

/* One datagram to the fake: a request, or a whole batch.  Its replies
 * are queued for fnft_fake_recv().  Returns 0 or -ENOMEM. */
int fnft_fake_sendmsg(struct fnft_fake *f, const void *buf, size_t len);

/* The oldest queued reply datagram into @buf (cut to @len); -EAGAIN when
 * none is queued (where a socket would block). */
ssize_t fnft_fake_recv(struct fnft_fake *f, void *buf, size_t len);

/* The port id its replies are addressed to; the "namespace" cookie. */
uint32_t fnft_fake_portid(const struct fnft_fake *f);
uint64_t fnft_fake_netns_cookie(const struct fnft_fake *f);

/* kernel.c: the fake behind @k, NULL for a real session. */
struct fnft_fake *fnft_kernel_fake(const struct fnft_kernel *k);

#endif
