/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The encoder: IR -> libnftnl objects -> one nf_tables netlink batch.
 *
 * Pure: it builds memory and never opens a socket.  The bytes are the ones
 * nft 1.0.6 sends for the text fnft_ruleset_render() prints for the same IR
 * (same messages in the same order, same header flags, attributes and
 * attribute order), so `nft list` reads our table back exactly as if nft
 * had loaded the rendered script.  Sequence numbers are ours to choose.
 *
 * Internal to finesse-nft; not part of the public API.
 */
#ifndef FNFT_ENCODE_H
#define FNFT_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include <libnftnl/batch.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "ir.h"

/* What one message of the batch is about, so that a kernel error on seq N
 * can be mapped back to the IR object that caused it. */
enum fnft_obj_kind {
	FNFT_OBJ_BATCH,		/* batch begin / end */
	FNFT_OBJ_TABLE,		/* NEWTABLE or DELTABLE */
	FNFT_OBJ_SET,		/* NEWSET */
	FNFT_OBJ_ELEMS,		/* NEWSETELEM (one of maybe several) */
	FNFT_OBJ_CHAIN,		/* NEWCHAIN */
	FNFT_OBJ_RULE,		/* NEWRULE */
};

/* rule_index of messages that do not belong to one rule */
#define FNFT_NO_RULE ((size_t)-1)

struct fnft_msg_ref {
	uint32_t seq;
	uint16_t msg_type;	/* NFT_MSG_* or NFNL_MSG_BATCH_* */
	enum fnft_obj_kind kind;
	/*
	 * TABLE: the table; SET/ELEMS: the named set; CHAIN: the chain;
	 * RULE: the rule's comment (the row id), NULL for the fixed rules.
	 * An anonymous set (SET/ELEMS with anonymous set) is named after the
	 * rule it serves, like a RULE.  Points into the IR (or, for
	 * fnft_encode_remove(), into the caller's table string); NULL for BATCH.
	 */
	const char *name;
	const char *chain;	/* RULE and anonymous sets; NULL otherwise */
	size_t rule_index;	/* index in chain->rules, or FNFT_NO_RULE */
	bool anonymous;		/* SET/ELEMS of a rule's anonymous set */
};

struct fnft_batch;

/*
 * fnft_encode_replace - one batch that atomically replaces table inet
 * rs->table, whether it exists or not
 * @rs: the planned table
 * @genid: ruleset generation the batch is valid for (NFNL_BATCH_GENID in
 *	the batch begin message: the kernel refuses the whole batch with
 *	ERESTART if the ruleset changed since), or 0 for no check
 * @seq_start: seq of the batch begin message; the others follow, +1 each
 * @out: receives the batch; free it with fnft_batch_free()
 *
 * Messages, in the order nft 1.0.6 sends them for the rendered script:
 * BEGIN, NEWTABLE (bare), DELTABLE, NEWTABLE (with comment), NEWCHAIN per
 * chain, NEWSET (+ NEWSETELEM unless the set is empty, split so that no
 * element-list nest exceeds the 16-bit attribute length) per named set,
 * then per rule: the NEWSET and NEWSETELEM of its anonymous set if it has
 * one, and NEWRULE (NLM_F_CREATE | NLM_F_APPEND); END.  No message asks
 * for an ACK: a batch that succeeds gets no reply at all.
 *
 * Returns 0, -EINVAL for IR the renderer could not print as valid nft
 * syntax (e.g. an empty port list, overlapping set intervals, a rule naming
 * a set the table lacks, an ICMP match under an IPv6 address match, a
 * comment longer than 128 bytes), or -ENOMEM.
 */
int fnft_encode_replace(const struct fnft_ruleset *rs, uint32_t genid,
			uint32_t seq_start, struct fnft_batch **out);

/*
 * fnft_encode_remove - BEGIN, NEWTABLE, DELTABLE, END: deletes table inet
 * @table, and is no error when it does not exist.  @table must outlive the
 * batch (the msg refs point to it).  Returns 0, -EINVAL or -ENOMEM.
 */
int fnft_encode_remove(const char *table, uint32_t genid, uint32_t seq_start,
		       struct fnft_batch **out);

/* Number of netlink messages, batch begin and end included. */
size_t fnft_batch_msg_count(const struct fnft_batch *b);
/* The message with sequence number @seq, or NULL. */
const struct fnft_msg_ref *fnft_batch_lookup(const struct fnft_batch *b,
					     uint32_t seq);
/* Message @i (0 = batch begin), or NULL when out of range. */
const struct fnft_msg_ref *fnft_batch_msg(const struct fnft_batch *b, size_t i);
/* The seq of the batch begin and of the batch end message. */
uint32_t fnft_batch_seq_first(const struct fnft_batch *b);
uint32_t fnft_batch_seq_last(const struct fnft_batch *b);
/* The libnftnl batch, for nftnl_batch_iovec_len()/nftnl_batch_iovec(). */
struct nftnl_batch *fnft_batch_nftnl(struct fnft_batch *b);
/* Total bytes of all messages. */
size_t fnft_batch_size(const struct fnft_batch *b);
/* NULL is allowed. */
void fnft_batch_free(struct fnft_batch *b);

/*
 * fnft_encode_rule - one IR rule as a fresh struct nftnl_rule
 * @table: table name (family inet is set on the rule)
 * @chain: chain name
 * @r: the rule
 * @rs: the ruleset whose named sets the rule may look up, to give the lookup
 *	the set's SET_ID as nft does (the n-th set of rs->sets has id n+1); may
 *	be NULL, then lookups carry only the set name
 * @set_id: the last set id in use; an anonymous set gets ++*set_id
 * @rule: receives the rule (free with nftnl_rule_free())
 * @anon: receives the rule's anonymous set with its elements, or NULL when
 *	the rule needs none (free with nftnl_set_free()); may itself be NULL
 *	when the caller does not want it
 *
 * Returns 0, -EINVAL (see fnft_encode_replace(); also -EINVAL when @rs is
 * given and lacks the rule's set) or -ENOMEM.
 */
int fnft_encode_rule(const char *table, const char *chain,
		     const struct fnft_ir_rule *r,
		     const struct fnft_ruleset *rs, uint32_t *set_id,
		     struct nftnl_rule **rule, struct nftnl_set **anon);

/* Keys are big-endian byte strings of @w bytes: is @k all ones, and +1
 * (the caller makes sure @k is not all ones). */
bool fnft_key_is_max(const uint8_t *k, size_t w);
void fnft_key_inc(uint8_t *k, size_t w);

/*
 * Interval set elements, as nft encodes them: [lo, hi] becomes lo (no
 * flags; with the INTERVAL_OPEN userdata flag when hi is the last key of
 * the type, and then no end element) and hi+1 flagged INTERVAL_END.  With
 * @leading, the key range below the first interval is closed by an
 * INTERVAL_END at 0, unless that interval starts at 0: nft writes it when
 * it creates a set with elements, and when it adds elements to a set it
 * knows to be empty.  Each element goes to @sink, in this order;
 * *count receives what nft counts for DESC_SIZE (2 per interval, plus
 * the leading element).  @v must be ascending, neither overlapping nor
 * touching.  Returns 0 or the first error of @sink.
 */
typedef int (*fnft_elem_sink)(void *ctx, const uint8_t *key, size_t w,
			      uint32_t flags, bool open);
int fnft_interval_elems(const struct fnft_iv *v, size_t n, size_t w,
			bool leading, fnft_elem_sink sink, void *ctx,
			uint32_t *count);

/*
 * One element, numbered @index, appended to @nlh by hand, attribute for
 * attribute what nftnl_set_elem_nlmsg_build() writes: flags (when not 0),
 * the key nest, then the INTERVAL_OPEN userdata when @open.  The caller
 * makes sure the message has room.  Returns the element's nest.
 */
struct nlattr *fnft_elem_nest(struct nlmsghdr *nlh, int index,
			      const uint8_t *key, size_t w, uint32_t flags,
			      bool open);

/*
 * fnft_encode_set - a named IR set as a fresh struct nftnl_set with its
 * interval elements as nft sends them, SET_ID @id.  Returns 0, -EINVAL
 * (elements not ascending, overlapping or touching) or -ENOMEM.
 */
int fnft_encode_set(const char *table, const struct fnft_ir_set *set,
		    uint32_t id, struct nftnl_set **out);

#endif /* FNFT_ENCODE_H */
