/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_PENDING_H
#define FINESSE_NFT_PENDING_H

#include <stdint.h>

#include <finesse-nft/error.h>
#include <finesse-nft/kernel.h>
#include <finesse-nft/ruleset.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Confirm-or-rollback (since 0.3): apply a plan with a deadline; unless it
 * is confirmed in time, the table from before the apply comes back.
 *
 * The rollback does not depend on the caller surviving.  Before the commit
 * the library starts a watchdog: a small program of its own (installed as
 * LIBEXECDIR/finesse-nft/finesse-nft-watchdog), started with posix_spawn(),
 * never a fork() of the caller, so a multi-threaded daemon only ever runs
 * it after exec.  (Not a thread: it must outlive the caller.  Not a fork:
 * the copy of a multi-threaded process may only make async-signal-safe
 * calls until it execs, and a rollback needs malloc and netlink.)  It gets
 * the caller's credentials and environment; its path is compiled in and
 * overridden only by fnft_pending_opts.watchdog.  The watchdog detaches (its own session, not the caller's
 * child once started, stdio on /dev/null, no descriptor of the caller's
 * but the two pipe ends it is given) and holds an exclusive flock() on its
 * record: that lock, not a pid, is its identity, and no one ever signals
 * it.  It runs in the network namespace of the calling thread and acts on
 * the same table, state directory and table lock directory as @k; call
 * the apply from a thread in @k's namespace (else the watchdog finds
 * another namespace, refuses, and the apply fails with -ECHILD).  The
 * pipes are close-on-exec; a child the caller fork()s without exec while
 * a FNFT_PENDING_CLOCK_AT_FREE handle lives holds the pipe too, and the
 * clock starts only when both have let it go.
 *
 * The apply runs over the snapshot's generation (fnft_kernel_apply_over()):
 * if anyone changed the ruleset between the snapshot and the commit,
 * nothing is applied (-EAGAIN), so the rollback undoes exactly this apply.
 * If the caller dies at any point after the watchdog is armed, the
 * watchdog asks the kernel whether the commit happened, and if it did,
 * rolls back a full deadline later.
 *
 * Files, under the run directory (FNFT_RUN_DIR unless the options say),
 * per network namespace and table (ID is fnft_kernel_id()): the lock
 * pending.ID.lock that apply, confirm, rollback and the watchdog take so
 * that one acts at a time; pending.ID/ (snapshot, the tables before and
 * after as text, the watchdog's record "info"); rolled-back.ID, the note a
 * watchdog leaves when it rolled back.  Every file is trusted only when no
 * one but the euid could have written it (as the snapshot files are).
 *
 * One pending apply per namespace and table at a time: a second is refused
 * (-EEXIST), as "roll back" would be ambiguous.  Plain fnft_kernel_apply()
 * and fnft_kernel_remove() do not look at pending applies; a caller that
 * wants them refused checks fnft_pending_open() first (the CLI does).  A
 * rollback then still puts back the table from before the pending apply.
 *
 * Blocking: fnft_kernel_apply_pending(), fnft_pending_open() (only when a
 * record is there), fnft_pending_confirm() and fnft_pending_rollback() wait
 * for the pending lock as fnft_kernel_set_lock_wait() on @k allows (-EBUSY
 * when it runs out), then talk to the kernel as the calls they are made of
 * do.  The apply also waits for the watchdog to start and to acknowledge
 * the commit (a pipe read; it answers at once), and for the short-lived
 * process the watchdog detaches from (waitpid() on that one pid: a daemon
 * that reaps all children itself, or ignores SIGCHLD, is not disturbed).
 * fnft_pending_free() never blocks.  No call changes a signal
 * disposition: a SIGPIPE from a dead watchdog's pipe is blocked in the
 * calling thread for that write and taken back.
 */

/** Where the pending files live unless fnft_pending_opts.run_dir says. */
#define FNFT_RUN_DIR FNFT_LOCK_DIR

/** fnft_pending_opts.flags: the deadline counts from fnft_pending_free()
 *  (or the caller's exit, whichever is first) instead of from the return of
 *  fnft_kernel_apply_pending(): for a command-line tool, whose user sees
 *  the command return only when it exits.  A daemon should not use it: a
 *  handle kept for an hour would postpone the rollback by an hour. */
#define FNFT_PENDING_CLOCK_AT_FREE 0x1u

/** Options; a NULL pointer means all defaults.  Zero the struct first. */
struct fnft_pending_opts {
	/** directory of the pending files (made 0700 when missing, used only
	 *  when the euid's alone); NULL: FNFT_RUN_DIR.  Every process that
	 *  confirms or rolls back a pending apply must use the same one. */
	const char *run_dir;
	/** the watchdog program; NULL: the one installed with the library
	 *  (for a build tree or tests, the one built there) */
	const char *watchdog;
	/** 0 or FNFT_PENDING_CLOCK_AT_FREE */
	unsigned flags;
	/** must be 0 */
	unsigned reserved[3];
};

/** What is pending for a table, as a call found it. */
enum fnft_pending_state {
	/** nothing pending */
	FNFT_PENDING_NONE,
	/** an apply is under way: its watchdog is armed, the commit not yet
	 *  reported */
	FNFT_PENDING_ARMING,
	/** committed; the watchdog rolls back at the deadline unless
	 *  confirmed */
	FNFT_PENDING_ARMED,
	/** a record whose watchdog is gone (killed): nothing will roll it back
	 *  by itself, but fnft_pending_rollback() still can */
	FNFT_PENDING_UNGUARDED,
};

/** What fnft_pending_confirm() or fnft_pending_rollback() did. */
enum fnft_pending_outcome {
	/** confirm: the table stays as the apply left it */
	FNFT_PENDING_CONFIRMED,
	/** confirm: the same, but the ruleset was changed elsewhere since
	 *  (another table); this table is still what the apply made */
	FNFT_PENDING_CONFIRMED_CHANGED_ELSEWHERE,
	/** confirm: the table is already what it was before the apply (a
	 *  rollback ran but its record was left); the record is cleared */
	FNFT_PENDING_ALREADY_ROLLED_BACK,
	/** confirm: the table is neither what the apply made nor what it
	 *  replaced (someone changed it): the rollback is cancelled and the
	 *  table stays as it is */
	FNFT_PENDING_CONFLICT,
	/** rollback: the table from before the apply is back */
	FNFT_PENDING_ROLLED_BACK,
	/** rollback: there was no table before; it is removed */
	FNFT_PENDING_REMOVED,
	/** nothing pending: the deadline passed and the watchdog rolled back
	 *  (fnft_pending_note() says what it did) */
	FNFT_PENDING_EXPIRED,
	/** nothing pending: the deadline passed and the watchdog could NOT
	 *  roll back (fnft_pending_note() says why) */
	FNFT_PENDING_EXPIRED_FAILED,
	/** nothing pending, and no note of a watchdog */
	FNFT_PENDING_NOTHING,
};

/** A pending apply of one table (or the absence of one). */
struct fnft_pending;

/**
 * fnft_kernel_apply_pending - fnft_kernel_apply() with a deadline
 * @k: the table; borrowed by *@out for fnft_pending_confirm() and
 *	fnft_pending_rollback(), so it must outlive those calls
 *	(fnft_pending_free() does not touch it)
 * @plan: the planned table
 * @timeout_ms: the deadline, 1 ms to 24 h after the call returns (see
 *	FNFT_PENDING_CLOCK_AT_FREE); else -EINVAL
 * @opts: optional (NULL: defaults)
 * @out: receives the handle, or NULL when the table was already in sync
 *	(nothing sent, nothing armed); free it with fnft_pending_free()
 * @stats: optional; what the apply did
 *
 * Snapshots the table, starts the watchdog, applies over the snapshot and
 * arms the deadline; see the top of this header.  Returns 0, or:
 *   -EEXIST  an apply with a deadline is already pending for this table
 *            (fnft_pending_open() says which); nothing was done
 *   -EBUSY   the pending lock or the table's lock was held for longer
 *            than @k allows; nothing was done
 *   -EPERM   a pending file or the run directory is not the euid's alone
 *   -ECHILD  the watchdog could not be started; nothing was applied
 *   -EPIPE   the watchdog died after the commit: the previous table was
 *            put back at once (no rollback without a watchdog)
 *   -EAGAIN  the ruleset changed after the snapshot; nothing was applied
 *   other    as fnft_kernel_apply_over(); nothing was applied
 * On failure nothing is left pending.
 */
int fnft_kernel_apply_pending(struct fnft_kernel *k,
			      const struct fnft_ruleset *plan,
			      unsigned timeout_ms,
			      const struct fnft_pending_opts *opts,
			      struct fnft_pending **out,
			      struct fnft_apply_stats *stats,
			      struct fnft_error *err);

/**
 * fnft_pending_open - what is pending for @k's table, from any process
 * @k: borrowed by *@out, as fnft_kernel_apply_pending() says
 * @opts: optional; only run_dir counts
 * @out: receives a handle, also when nothing is pending
 *	(FNFT_PENDING_NONE): confirm or rollback it to learn what the last
 *	watchdog did
 *
 * Reads the record under the pending lock (no lock when there is no
 * record).  Returns 0, -ENOMEM, -EBUSY (the lock, as @k allows), or -EPERM
 * when the lock or run directory is not the euid's alone (@err's object
 * then names the record's directory, which must not be trusted).
 */
int fnft_pending_open(struct fnft_kernel *k,
		      const struct fnft_pending_opts *opts,
		      struct fnft_pending **out, struct fnft_error *err);

/**
 * fnft_pending_state - what the last call on @p (apply, open, confirm,
 * rollback) found, before it acted
 */
enum fnft_pending_state fnft_pending_state(const struct fnft_pending *p);

/**
 * fnft_pending_deadline - when the watchdog rolls back, in milliseconds of
 * CLOCK_BOOTTIME (which counts on through suspend), as the last call found
 * it; 0 while unknown (arming, FNFT_PENDING_CLOCK_AT_FREE before the
 * free, nothing pending).  The watchdog acts no earlier than this.
 */
int64_t fnft_pending_deadline(const struct fnft_pending *p);

/** fnft_pending_deadline_wall - the same deadline on the wall clock, for
 *  people: seconds since the epoch (int64_t, not time_t, so that the ABI
 *  is one on 32-bit systems whatever their time_t); 0 while unknown */
int64_t fnft_pending_deadline_wall(const struct fnft_pending *p);

/**
 * fnft_pending_confirm - keep the applied table and disarm the watchdog
 * @outcome: receives CONFIRMED, CONFIRMED_CHANGED_ELSEWHERE,
 *	ALREADY_ROLLED_BACK, CONFLICT, or when nothing is pending EXPIRED,
 *	EXPIRED_FAILED or NOTHING
 *
 * What the kernel holds decides, not the files.  In every case but nothing
 * pending the record is cleared, and the watchdog, seeing it gone, exits
 * without acting.  Returns 0, or a negative errno (the pending lock as
 * fnft_kernel_apply_pending(), the kernel's): then nothing changed.
 */
int fnft_pending_confirm(struct fnft_pending *p,
			 enum fnft_pending_outcome *outcome,
			 struct fnft_error *err);

/**
 * fnft_pending_rollback - put back, now, the table from before the apply
 * @outcome: receives ROLLED_BACK, REMOVED, or when nothing is pending
 *	EXPIRED, EXPIRED_FAILED or NOTHING
 * @overwritten: optional; as fnft_kernel_restore(): a unified diff
 *	(malloc'd) of what the restore replaced when the table had been
 *	changed since the apply, else NULL
 *
 * Works also when the watchdog is gone.  Returns 0, or a negative errno:
 * the pending lock's, fnft_snapshot_load()'s (-EPERM: a snapshot someone
 * else could have written is never restored), fnft_kernel_restore()'s;
 * then nothing changed and the apply is still pending.
 */
int fnft_pending_rollback(struct fnft_pending *p,
			  enum fnft_pending_outcome *outcome,
			  char **overwritten, struct fnft_error *err);

/**
 * fnft_pending_note - after an EXPIRED or EXPIRED_FAILED outcome, the
 * watchdog's note (when, what it did, what it overwrote), text owned by
 * @p; else NULL
 */
const char *fnft_pending_note(const struct fnft_pending *p);

/**
 * fnft_pending_free - free the handle; NULL is allowed.  Neither confirms
 * nor rolls back: a pending apply stays pending, and the watchdog rolls
 * back at the deadline unless a confirm (from any process) comes first.
 * With FNFT_PENDING_CLOCK_AT_FREE, the deadline starts counting now.
 */
void fnft_pending_free(struct fnft_pending *p);

#ifdef __cplusplus
}
#endif

#endif
