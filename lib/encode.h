/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The encoder: IR -> libnftnl objects -> one nf_tables netlink batch.
 *
 * Pure: it builds memory and never opens a socket; the messages themselves
 * are written by batch.c.  The bytes are the ones
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

#include "batch.h"
#include "ir.h"

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

/*
 * fnft_encode_rule_msgs - IR rule @r as the messages that add it to @b:
 * its anonymous set (NEWSET, NEWSETELEM) if it has one, then NEWRULE,
 * each about @owner.  @position: the handle to add after (@append) or
 * before, 0 for none.  Other arguments as fnft_encode_rule().  Returns 0,
 * -EINVAL or -ENOMEM.
 */
int fnft_encode_rule_msgs(struct fnft_batch *b, const char *table,
			  const char *chain, const struct fnft_ir_rule *r,
			  const struct fnft_ruleset *rs, uint32_t *set_id,
			  const struct fnft_msg_ref *owner, uint64_t position,
			  bool append);

/* Whether the encoder gives @r an anonymous set (a match of more than one
 * port or ICMP type). */
bool fnft_rule_has_anon_set(const struct fnft_ir_rule *r);

/* Keys are big-endian byte strings of @w bytes: is @k all ones, and +1
 * (the caller makes sure @k is not all ones). */
bool fnft_key_is_max(const uint8_t *k, size_t w);
void fnft_key_inc(uint8_t *k, size_t w);
/* Big-endian -1 of @b (not zero) into @out: an interval end key to its last address. */
void fnft_key_dec(const uint8_t *b, uint8_t *out, size_t w);

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
 * fnft_encode_set - a named IR set as a fresh struct nftnl_set with its
 * interval elements as nft sends them, SET_ID @id.  Returns 0, -EINVAL
 * (elements not ascending, overlapping or touching) or -ENOMEM.
 */
int fnft_encode_set(const char *table, const struct fnft_ir_set *set,
		    uint32_t id, struct nftnl_set **out);

#endif /* FNFT_ENCODE_H */
