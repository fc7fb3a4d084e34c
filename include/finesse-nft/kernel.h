/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_KERNEL_H
#define FINESSE_NFT_KERNEL_H

#include <finesse-nft/error.h>
#include <finesse-nft/ruleset.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The kernel side: these are the only calls that talk to the kernel.  They
 * act on the network namespace of the calling thread and touch nothing but
 * the managed table (family inet).  Concurrent callers in one namespace are
 * serialised by a lock file under /run/finesse-nft/, keyed by namespace and
 * table; everyone else is kept out by the ruleset generation id, which
 * every batch carries.
 *
 * Errors, besides those of fnft_plan():
 *   -EAGAIN  the ruleset changed while we were working; nothing was
 *            applied; call again
 *   -EPERM   no CAP_NET_ADMIN in this network namespace
 *   -EPROTONOSUPPORT  the kernel has no nf_tables
 *   other    the kernel refused the batch; @err names the row id, set or
 *            chain of the message it refused, and why
 * On any error nothing was changed: the batch is one transaction.
 */

/**
 * fnft_apply - make the managed table equal @rs, in one transaction
 * @rs: the planned table (from fnft_plan())
 * @err: optional error details
 *
 * The table is replaced whole, whether or not it exists.  Returns 0 or a
 * negative errno as above.
 */
int fnft_apply(const struct fnft_ruleset *rs, struct fnft_error *err);

/**
 * fnft_remove - delete the managed table inet @table, and only it
 * @table: the table name, or NULL for FNFT_DEFAULT_TABLE
 * @err: optional error details
 *
 * A missing table is not an error.  Returns 0 or a negative errno as above.
 */
int fnft_remove(const char *table, struct fnft_error *err);

#ifdef __cplusplus
}
#endif

#endif
