/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_FAKE_H
#define FINESSE_NFT_FAKE_H

#include <stddef.h>

#include <finesse-nft/error.h>
#include <finesse-nft/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The fake kernel (since 0.3): a kernel session whose nf_tables lives in
 * memory, for a daemon's unit tests — no root, no network namespace, no
 * files.  Every fnft_kernel_* call works on it as on the kernel: the
 * library builds the same batches and parses the same dump replies, and
 * the fake takes them as Linux does: one transaction per batch (all or
 * nothing), the generation id guard (a batch read at an older generation
 * is refused: -EAGAIN), the create and exclusive flags (EEXIST), missing
 * objects (ENOENT), handles, anonymous sets; a refusal comes back on the
 * message it is about, so @err names the row, set or chain as it would.
 * Each fake handle is a ruleset of its own, empty at generation 1, unless
 * opened as a peer of another.
 *
 * Overlapping intervals are refused with EEXIST as Linux refuses them,
 * but on their message as a whole, where Linux names the element.
 *
 * Not modelled: packets (counters stay 0, quotas and limits never
 * fill), set sizes and timeouts, overlaps of concatenated intervals,
 * expressions beyond their syntax (libnftnl parses them; registers and
 * types are not checked), deleting single chains, sets or objects, and
 * other processes than those of fnft_kernel_open_fake_peer() (but see
 * fnft_fake_bump_generation()).
 *
 * A fake handle has no state directory and no lock directory (both can
 * be set as on any handle; the state file is then keyed by the fake's own
 * namespace cookie, which has its top bit set).  fnft_kernel_id() works.
 *
 * The fnft_fake_* calls below take a handle from fnft_kernel_open_fake()
 * and return -EINVAL for any other.  None blocks.  A fake is not
 * thread-safe: use a handle and its peers (fnft_kernel_open_fake_peer())
 * from one thread at a time; separate fakes share nothing.
 */

/**
 * fnft_kernel_open_fake - a kernel session on a fake kernel of its own
 * @table: the table name, or NULL for FNFT_DEFAULT_TABLE
 * @out: receives the handle; free it (and the fake) with fnft_kernel_free()
 * @err: optional error details
 *
 * Returns 0, -EINVAL for a bad table name, or -ENOMEM.
 */
int fnft_kernel_open_fake(const char *table, struct fnft_kernel **out,
			  struct fnft_error *err);

/**
 * fnft_kernel_open_fake_peer - another session on @peer's fake kernel: as
 * another process in the same namespace
 * @peer: a session from fnft_kernel_open_fake() (or from this call)
 * @table: the table name, or NULL for FNFT_DEFAULT_TABLE
 * @out: receives the handle; free it with fnft_kernel_free()
 *
 * The two see one ruleset and one generation: what one commits, the other
 * reads, and a batch one built before the other's commit is refused
 * (-EAGAIN), as between two writers of one namespace without a lock.
 * Each has a socket of its own: a table with the owner flag is its
 * creator's alone to change (EPERM for the other) and goes when that
 * session is freed.  The faults below are the kernel's, so they meet the
 * next batch of either.  The fake lives until its last session is freed.
 * Returns 0, -EINVAL (a bad table name, or @peer is no fake) or -ENOMEM.
 */
int fnft_kernel_open_fake_peer(const struct fnft_kernel *peer,
			       const char *table, struct fnft_kernel **out,
			       struct fnft_error *err);

/**
 * fnft_fake_fail_commit - make the next batch fail at its commit
 * @error: the errno (positive or negative) the kernel reports, on the
 *	batch as a whole: the batch is dropped, nothing changes, and the
 *	calling fnft_kernel_* function fails with -@error ("the kernel
 *	refused the batch").  EPERM reads as a missing privilege.
 *
 * One batch only; a batch refused for another reason first also clears
 * it.  Returns 0 or -EINVAL.
 */
int fnft_fake_fail_commit(struct fnft_kernel *k, int error);

/**
 * fnft_fake_refuse - make the next batch's first message about @object
 * be refused with @error
 * @object: a table, chain, set or object name, or a row id (the comment
 *	of the rule); copied
 *
 * As the kernel refuses a message it cannot take: the batch is dropped,
 * and the error names the object (for a set: its NEWSET or its elements,
 * whichever comes first).  The fault lasts for one batch, whether or not
 * it met @object.  Returns 0, -EINVAL or -ENOMEM.
 */
int fnft_fake_refuse(struct fnft_kernel *k, const char *object, int error);

/**
 * fnft_fake_bump_generation - as if another writer committed now: the
 * generation moves on by one, the ruleset stays.  A batch built at the
 * old generation is then refused (-EAGAIN).  Returns 0 or -EINVAL.
 */
int fnft_fake_bump_generation(struct fnft_kernel *k);

/**
 * fnft_fake_race_next_batch - as if another writer committed between
 * the caller's read and its next batch: the generation moves on just
 * before that batch arrives, so it is refused (an apply fails with
 * -EAGAIN; a restore retries and succeeds).  Returns 0 or -EINVAL.
 */
int fnft_fake_race_next_batch(struct fnft_kernel *k);

/**
 * fnft_fake_commit_count - how many batches the fake has committed
 * (refused ones do not count): proof that an apply in sync sent nothing.
 * Returns 0 or -EINVAL.
 */
int fnft_fake_commit_count(const struct fnft_kernel *k, unsigned *commits);

/**
 * fnft_fake_set_element_count - elements in set @set of table inet
 * @table (NULL: FNFT_DEFAULT_TABLE) as the fake holds them: an interval
 * set keeps a start and an end element per interval (and nft's leading
 * end element), as Linux does.  Returns 0, -ENOENT for no such table or
 * set, or -EINVAL.
 *
 * To see the whole fake table, read it: fnft_kernel_read() with
 * FNFT_READ_VERIFY, then fnft_ruleset_render() or fnft_ruleset_diff().
 */
int fnft_fake_set_element_count(const struct fnft_kernel *k, const char *table,
				const char *set, size_t *count);

#ifdef __cplusplus
}
#endif

#endif
