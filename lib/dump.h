/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_DUMP_H
#define FNFT_DUMP_H

/*
 * A dump of our table: the kernel's NEW* replies parsed into libnftnl
 * objects (and set elements into plain keys).  Pure: the requests are
 * sent by netlink.c, which hands every reply to fnft_dump_add(); tests and
 * the decode fuzzer feed saved replies through fnft_dump_parse().
 */

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "internal.h"

struct nftnl_chain_list;
struct nftnl_flowtable_list;
struct nftnl_obj_list;
struct nftnl_rule_list;
struct nftnl_set;
struct nftnl_set_list;
struct nftnl_table;

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
 * 100,000 networks) unless @objects.  A dump read from the kernel is taken
 * between two equal generation ids, so it is one consistent state.
 */
struct fnft_dump {
	const char *name;		/* of the table whose objects are kept */
	uint32_t genid;
	struct nftnl_table *table;	/* NULL: the table does not exist */
	struct nftnl_chain_list *chains;
	struct nftnl_rule_list *rules;
	struct nftnl_set_list *sets;
	/* stateful objects and flowtables (every dump of netlink.c) */
	struct nftnl_obj_list *objs;
	struct nftnl_flowtable_list *flowtables;
	bool elements;			/* named sets' elements were read */
	bool objects;			/* elements are in their nftnl sets */
	struct fnft_dump_keys *keys;	/* else here, one entry per set */
	size_t n_keys, cap_keys;
	struct nftnl_set *last_set;	/* of the last NEWSETELEM */
};

/* An empty dump of table inet @table (which must outlive it).  Returns 0
 * or -ENOMEM. */
int fnft_dump_new(const char *table, bool elements, bool objects,
		  struct fnft_dump **out);

/*
 * One reply message into @d: NEWTABLE, NEWCHAIN, NEWSET, NEWRULE,
 * NEWSETELEM, NEWOBJ, NEWFLOWTABLE.  Objects of other tables are skipped,
 * elements of unknown sets too, other messages ignored.  Returns 0,
 * -EINVAL for a malformed message, or -ENOMEM.
 */
int fnft_dump_add(struct fnft_dump *d, const struct nlmsghdr *nlh);

/* Call @fn with the name of each set whose elements a dump must read:
 * every anonymous set, the named ones too with @named.  Stops at, and
 * returns, the first non-zero return of @fn. */
int fnft_dump_each_set(const struct fnft_dump *d, bool named,
		       int (*fn)(const char *name, void *ctx), void *ctx);

/*
 * Build a dump from raw netlink messages, as the kernel sends them for
 * GETTABLE, GETCHAIN, GETSET, GETRULE, GETSETELEM, GETOBJ and
 * GETFLOWTABLE: a buffer of nlmsghdr-framed NEW* messages, elements as
 * keys.  For tests and fuzzing of the decoder.  Returns 0, -EINVAL for a
 * malformed message, or -ENOMEM.
 */
int fnft_dump_parse(const void *buf, size_t len, const char *table,
		    struct fnft_dump **out);

/* The elements read for set @s of @d, or NULL when none were. */
const struct fnft_dump_keys *fnft_dump_keys(const struct fnft_dump *d,
					    const struct nftnl_set *s);

void fnft_dump_free(struct fnft_dump *d);

#endif
