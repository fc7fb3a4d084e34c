/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_H
#define FINESSE_NFT_H

/**
 * libfinesse-nft: a product's port-usage table (the built-in one is Cisco
 * Finesse's) plus a site description, turned into the one nftables table
 * the library owns.
 *
 *   catalog + site + node role --fnft_plan()--> ruleset --> render / diff
 *
 * Conventions: objects are opaque and freed by their _free() function, which
 * accepts NULL; fallible calls return 0 or a negative errno and fill an
 * optional struct fnft_error; strings returned as `char **out` are malloc'd
 * and the caller frees them; nothing prints, nothing keeps global state.
 *
 * Threads: the library has no global state, no signal handlers and no
 * threads of its own, so calls on different objects may run in different
 * threads at once.  One object is not to be used by two threads at the
 * same time (no call locks it), except that objects passed as const (a
 * catalog, a site being planned, a plan being rendered) may be read by
 * many.  A kernel handle acts on the network namespace of the thread that
 * opened it (its socket was made there).  jansson's allocator hooks, if
 * the program sets any, are process-wide: set them before starting threads.
 *
 * Blocking: only the kernel calls block.  fnft_kernel_read(),
 * fnft_kernel_counters() and the dumps wait for the kernel's replies (milliseconds, more for 100,000
 * networks); fnft_kernel_apply(), fnft_kernel_apply_over(),
 * fnft_kernel_remove() and fnft_kernel_restore() also wait for the table's
 * lock as long as fnft_kernel_set_lock_wait() allows, without end by
 * default.  fnft_kernel_apply_pending() and the fnft_pending_ calls also
 * wait for the pending lock, and the apply for the watchdog it spawns to
 * start and answer (pending.h says each).  Nothing else sleeps or does I/O
 * except fnft_site_load(), fnft_catalog_load() and the snapshot file
 * calls, which read or write their files.
 *
 * Processes: fnft_kernel_apply_pending() alone starts one, the watchdog
 * program, with posix_spawn() (never a fork of the caller), and reaps the
 * short-lived process it detaches from; no other call creates a process.
 */

#include <finesse-nft/error.h>
#include <finesse-nft/catalog.h>
#include <finesse-nft/site.h>
#include <finesse-nft/ruleset.h>
#include <finesse-nft/kernel.h>
#include <finesse-nft/status.h>
#include <finesse-nft/fake.h>
#include <finesse-nft/pending.h>

#ifdef __cplusplus
extern "C" {
#endif

/** fnft_version - the library's version string, e.g. "0.1.0" */
const char *fnft_version(void);

#ifdef __cplusplus
}
#endif

#endif
