/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The writer: every nf_tables message finesse-nft sends is built here, one
 * function per object and verb (as nftables' mnl.c has mnl_nft_rule_add(),
 * mnl_nft_setelem_batch() ...), into one batch type that remembers for each
 * message what it is about (struct fnft_msg_ref).  The replace, the remove,
 * the patch and the snapshot restore all write into a struct fnft_batch,
 * so one mapper, fnft_batch_refusal(), turns any refusal of the kernel into
 * the row, set, chain or object it hit, with the kernel's own text.
 *
 * Pure: nothing here opens a socket (netlink.c sends what is built here).
 * The bytes are what nft 1.0.6 sends for the same objects: attribute
 * order, header flags and padding (zeroed) included.
 *
 * Internal to finesse-nft; not part of the public API.
 */
#ifndef FNFT_BATCH_H
#define FNFT_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "internal.h"
#include "ir.h"

struct nftnl_batch;
struct nftnl_chain;
struct nftnl_flowtable;
struct nftnl_obj;
struct nftnl_rule;
struct nftnl_set;
struct nftnl_set_elem;
struct nftnl_table;
struct nftnl_udata_buf;

/* What one message of the batch is about, so that a kernel error on seq N
 * can be mapped back to the object that caused it. */
enum fnft_obj_kind {
	FNFT_OBJ_BATCH,		/* batch begin / end */
	FNFT_OBJ_TABLE,		/* NEWTABLE or DELTABLE */
	FNFT_OBJ_SET,		/* NEWSET */
	FNFT_OBJ_ELEMS,		/* NEWSETELEM or DELSETELEM (one of maybe several) */
	FNFT_OBJ_CHAIN,		/* NEWCHAIN */
	FNFT_OBJ_RULE,		/* NEWRULE or DELRULE */
	FNFT_OBJ_OBJECT,	/* NEWOBJ: a stateful object */
	FNFT_OBJ_FLOWTABLE,	/* NEWFLOWTABLE */
};

/* rule_index of messages that do not belong to one rule */
#define FNFT_NO_RULE ((size_t)-1)

struct fnft_msg_ref {
	uint32_t seq;
	uint16_t msg_type;	/* NFT_MSG_* or NFNL_MSG_BATCH_* */
	enum fnft_obj_kind kind;
	/*
	 * TABLE: the table; SET/ELEMS: the named set; CHAIN: the chain;
	 * RULE: the rule's comment (the row id), NULL for the fixed rules;
	 * OBJECT, FLOWTABLE: its name.  An anonymous set (SET/ELEMS with
	 * @anonymous) is named after the rule it serves, like a RULE.  Points
	 * into the IR, the caller's strings or the batch's own copy of the
	 * message; NULL for BATCH.
	 */
	const char *name;
	const char *chain;	/* RULE and anonymous sets; NULL otherwise */
	size_t rule_index;	/* index in chain->rules, or FNFT_NO_RULE */
	bool anonymous;		/* SET/ELEMS of a rule's anonymous set */
	const struct fnft_ir_rule *rule;	/* RULE: the IR rule, if known */
	uint32_t obj_type;	/* OBJECT: NFT_OBJECT_* */
};

struct fnft_batch;

/* An empty batch whose first message gets sequence number @seq_start;
 * NULL when out of memory. */
struct fnft_batch *fnft_batch_new(uint32_t seq_start);
/* NULL is allowed. */
void fnft_batch_free(struct fnft_batch *b);

/*
 * Each writer below appends one message (the element writer maybe
 * several) and returns 0 or -ENOMEM.  Strings are copied into the message;
 * the ref keeps the pointers it was given, which must outlive the batch.
 */

/* NFNL_MSG_BATCH_BEGIN, with NFNL_BATCH_GENID when @genid is not 0: the
 * kernel then refuses the whole batch with ERESTART if the ruleset changed
 * since.  And NFNL_MSG_BATCH_END. */
int fnft_batch_begin(struct fnft_batch *b, uint32_t genid);
int fnft_batch_end(struct fnft_batch *b);

/*
 * NEWTABLE with table flags 0 and an optional comment.  Like nft, no
 * netlink flags: the kernel creates a missing table and leaves an existing
 * one be without NLM_F_CREATE.  -EINVAL for a comment nft cannot print.
 */
int fnft_batch_table_add(struct fnft_batch *b, const char *name,
			 const char *comment);
/* Userdata holding one comment TLV of @type (tables and rules use 0);
 * -EINVAL for a comment over 128 bytes or one nft cannot quote. */
int fnft_comment_udata(const char *comment, uint8_t type,
		       struct nftnl_udata_buf **out);

/* NEWTABLE with the flags alone: an update of the existing table (its
 * contents untouched) that, say, wakes a dormant one. */
int fnft_batch_table_set_flags(struct fnft_batch *b, const char *name,
			       uint32_t flags);
/* DELTABLE by name. */
int fnft_batch_table_del(struct fnft_batch *b, const char *name);

/* NEWCHAIN of a base chain of IR chain @c in table @table (type filter). */
int fnft_batch_chain_add(struct fnft_batch *b, const char *table,
			 const struct fnft_ir_chain *c);

/* NEWSET of @s (without its elements), about @owner (kind set here). */
int fnft_batch_set_add(struct fnft_batch *b, const struct nftnl_set *s,
		       const struct fnft_msg_ref *owner);
/* NEWSET of @s and NEWSETELEMs of the elements it holds. */
int fnft_batch_set_add_with_elems(struct fnft_batch *b, struct nftnl_set *s,
				  const struct fnft_msg_ref *owner);

/*
 * NEWRULE of @r (table, chain, expressions, userdata and, if set, its
 * NFTNL_RULE_POSITION), in nft's attribute order: table, chain,
 * expressions, position, userdata.  @append: NLM_F_APPEND (after the
 * position, or at the end), else before the position.
 */
int fnft_batch_rule_add(struct fnft_batch *b, const struct nftnl_rule *r,
			bool append, const struct fnft_msg_ref *owner);
/* DELRULE of the rule with @handle in @chain. */
int fnft_batch_rule_del(struct fnft_batch *b, const char *table,
			const char *chain, uint64_t handle,
			const struct fnft_msg_ref *owner);

/* Dumped objects sent back as they are (a snapshot): NEWTABLE, NEWOBJ
 * (without its handle), NEWFLOWTABLE, NEWCHAIN with NLM_F_CREATE and every
 * attribute they hold; the ref is read from the message built. */
int fnft_batch_table_obj(struct fnft_batch *b, const struct nftnl_table *t);
int fnft_batch_obj_add(struct fnft_batch *b, const struct nftnl_obj *o);
int fnft_batch_flowtable_add(struct fnft_batch *b,
			     const struct nftnl_flowtable *f);
int fnft_batch_chain_obj(struct fnft_batch *b, const struct nftnl_chain *c);
/* NEWRULE of a dumped rule: libnftnl's attribute order, NLM_F_APPEND. */
int fnft_batch_rule_obj(struct fnft_batch *b, const struct nftnl_rule *r);

/*
 * The element writer: NEWSETELEM (or DELSETELEM) messages of one set.  The
 * element list is a nest with a 16-bit length: an element that would push
 * it past UINT16_MAX goes into a new message (same header attributes).
 * Elements are numbered from 1 in each message.  An empty list sends no
 * message at all, as nft does.
 */
struct fnft_elems {
	struct fnft_batch *b;
	uint16_t type;		/* NFT_MSG_NEWSETELEM or NFT_MSG_DELSETELEM */
	const char *table, *set;
	uint32_t set_id;	/* 0: no NFTA_SET_ELEM_LIST_SET_ID */
	struct fnft_msg_ref ref;
	struct nlmsghdr *nlh;	/* NULL: no message open */
	struct nlattr *nest;
	int index;
};

void fnft_elems_init(struct fnft_elems *w, struct fnft_batch *b, uint16_t type,
		     const char *table, const char *set, uint32_t set_id,
		     const struct fnft_msg_ref *owner);
/* One element by its key (an fnft_elem_sink, see encode.h: @ctx is the
 * writer): flags when not 0, the key, the INTERVAL_OPEN userdata flag
 * when @open, as nftnl_set_elem_nlmsg_build() writes them. */
int fnft_elems_key(void *ctx, const uint8_t *key, size_t w, uint32_t flags,
		   bool open);
/* One element as a libnftnl object, every attribute it holds. */
int fnft_elems_obj(struct fnft_elems *w, struct nftnl_set_elem *e);
/* Close the open message, if any. */
int fnft_elems_close(struct fnft_elems *w);

/*
 * A message built elsewhere before (a saved snapshot's), copied with the
 * next seq; its ref is read from the message: kind, name, the chain and
 * comment of a rule, the type of an object.  -EINVAL when it is no
 * well-formed nf_tables message.
 */
int fnft_batch_put_msg(struct fnft_batch *b, const struct nlmsghdr *nlh);

/* Messages @from .. end as they are, back to back, seq 0, into @out;
 * *n receives their count. */
int fnft_batch_copy_msgs(const struct fnft_batch *b, size_t from,
			 struct fnft_buf *out, size_t *n);

/* Number of netlink messages, batch begin and end included. */
size_t fnft_batch_msg_count(const struct fnft_batch *b);

/*
 * Call @fn with every message of @b in order, and its ref (NULL for none);
 * stops at, and returns, the first non-zero return of @fn.  For reading
 * back what a committed batch said (report.c).
 */
int fnft_batch_each_msg(const struct fnft_batch *b,
			int (*fn)(const struct nlmsghdr *nlh,
				  const struct fnft_msg_ref *ref, void *ctx),
			void *ctx);
/* The message with sequence number @seq, or NULL. */
const struct fnft_msg_ref *fnft_batch_lookup(const struct fnft_batch *b,
					     uint32_t seq);
/* Message @i (0 = batch begin), or NULL when out of range. */
const struct fnft_msg_ref *fnft_batch_msg(const struct fnft_batch *b, size_t i);
/* The seq of the first and of the last message. */
uint32_t fnft_batch_seq_first(const struct fnft_batch *b);
uint32_t fnft_batch_seq_last(const struct fnft_batch *b);
/* The libnftnl batch, for nftnl_batch_iovec_len()/nftnl_batch_iovec(). */
struct nftnl_batch *fnft_batch_nftnl(struct fnft_batch *b);
/* Total bytes of all messages. */
size_t fnft_batch_size(const struct fnft_batch *b);

/* ---- requests ---- */

/*
 * A request for the objects of table inet @table into @buf (of at least
 * MNL_SOCKET_BUFFER_SIZE bytes): GETTABLE (NLM_F_ACK), GETCHAIN, GETSET,
 * GETRULE, GETOBJ, GETFLOWTABLE (NLM_F_DUMP), GETSETELEM of set @set
 * (NLM_F_DUMP); GETGEN ignores @table.
 */
struct nlmsghdr *fnft_msg_request(char *buf, uint16_t type, const char *table,
				  const char *set, uint32_t seq);

/* ---- refusals ---- */

/* The first error the kernel sent back for a batch. */
struct fnft_ack {
	int error;		/* negative errno; 0: none */
	uint32_t seq;		/* of the message it is about */
	uint32_t offset;	/* extended ack: byte in that message; 0: none */
	char text[256];		/* extended ack: the kernel's text, or "" */
};

/*
 * fnft_batch_refusal - @a, an error the kernel sent for @b, as @err names
 * what it hit: "the kernel refused rule 'tomcat.https' in chain input, in
 * its expressions, expression 3 (payload): Invalid argument (text)".
 * ERESTART on the batch begin (the generation moved) is -EAGAIN, "nothing
 * was applied; run again"; EPERM the privilege message.  Returns the
 * negative errno.
 */
int fnft_batch_refusal(struct fnft_batch *b, const struct fnft_ack *a,
		       struct fnft_error *err);

/* The EPERM message, for every path that meets one. */
int fnft_privilege_error(struct fnft_error *err);

#endif /* FNFT_BATCH_H */
