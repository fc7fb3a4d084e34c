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

/* The network namespace's cookie: unique for the boot, never reused. */
int fnft_nl_netns_cookie(struct fnft_nl *nl, uint64_t *cookie);

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

/*
 * One batch of @n prepared messages (@msgs, @len bytes, seq numbers
 * rewritten), guarded by @genid; with @replace, it first deletes table inet
 * @table (creating it before, so that a missing table is no error).  A
 * refusal names the message's kind and object (a rule by its row id).
 * Returns 0, -EAGAIN on a generation mismatch, or the kernel's negative
 * errno.
 */
int fnft_nl_send_raw(struct fnft_nl *nl, const char *table, uint32_t genid,
		     bool replace, const void *msgs, size_t len, size_t n,
		     struct fnft_error *err);

/* One dumped set element as the decoder reads it: its key and whether it
 * ends an interval.  Other attributes (userdata, expressions) are not kept. */
struct fnft_dump_key {
	uint8_t key[16];
	uint8_t len;		/* of the key; 0: missing or over 16 bytes */
	bool end;		/* NFT_SET_ELEM_INTERVAL_END */
};

/* The elements of one set of the dump, in the kernel's order. */
struct fnft_dump_keys {
	const struct nftnl_set *set;
	struct fnft_dump_key *v;
	size_t n, cap;
};

/*
 * Our table as the kernel holds it: libnftnl objects, and set elements as
 * plain keys (a libnftnl object per element cost 300 bytes each: 60 MB at
 * 100,000 networks) unless @objects.  Taken between two equal generation
 * ids (retried otherwise), so it is one consistent state.
 */
struct fnft_dump {
	uint32_t genid;
	struct nftnl_table *table;	/* NULL: the table does not exist */
	struct nftnl_chain_list *chains;
	struct nftnl_rule_list *rules;
	struct nftnl_set_list *sets;
	/* stateful objects and flowtables: read only with @objects */
	struct nftnl_obj_list *objs;
	struct nftnl_flowtable_list *flowtables;
	bool elements;			/* named sets' elements were read */
	bool objects;			/* elements are in their nftnl sets */
	struct fnft_dump_keys *keys;	/* else here, one entry per set */
	size_t n_keys, cap_keys;
};

/*
 * Dump table inet @table; with @elements, every set's elements too (the
 * costly part: the kernel re-walks an interval set for every message);
 * anonymous sets always come with theirs.  Elements are read as keys
 * (fnft_dump_keys()).  Returns 0 (with (*out)->table NULL when there is no
 * such table) or a negative errno.
 */
int fnft_nl_dump(struct fnft_nl *nl, const char *table, bool elements,
		 struct fnft_dump **out, struct fnft_error *err);

/* As fnft_nl_dump() with every element, as libnftnl objects in their sets,
 * every attribute kept, and the table's stateful objects and flowtables:
 * what a snapshot must restore. */
int fnft_nl_dump_objects(struct fnft_nl *nl, const char *table,
			 struct fnft_dump **out, struct fnft_error *err);

/* The elements read for set @s of @d, or NULL when none were. */
const struct fnft_dump_keys *fnft_dump_keys(const struct fnft_dump *d,
					    const struct nftnl_set *s);

void fnft_dump_free(struct fnft_dump *d);

/*
 * Build a dump from raw netlink messages, as the kernel sends them for
 * GETTABLE, GETCHAIN, GETSET, GETRULE, GETSETELEM, GETOBJ and
 * GETFLOWTABLE: a buffer of nlmsghdr-framed NEWTABLE, NEWCHAIN, NEWSET,
 * NEWRULE, NEWSETELEM, NEWOBJ and NEWFLOWTABLE messages.  Objects of other tables are skipped, elements of unknown sets
 * too.  For tests and fuzzing of the decoder.  Returns 0, -EINVAL for a
 * malformed message, or -ENOMEM.
 */
int fnft_dump_parse(const void *buf, size_t len, const char *table,
		    struct fnft_dump **out);

#endif
