/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_KERNEL_H
#define FINESSE_NFT_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <finesse-nft/error.h>
#include <finesse-nft/ruleset.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The kernel side: these are the only calls that talk to the kernel.  They
 * act on the network namespace of the calling thread and touch nothing but
 * the managed table (family inet).  Concurrent writers in one namespace are
 * serialised by a lock file under /run/finesse-nft/, keyed by namespace and
 * table; everyone else is kept out by the ruleset generation id, which
 * every batch carries.
 *
 * Errors, besides those of fnft_plan():
 *   -EAGAIN  the ruleset changed while we were working; nothing was
 *            applied; call again
 *   -EBUSY   another writer held the table's lock for longer than
 *            fnft_kernel_set_lock_wait() allows; nothing was done
 *   -EPERM   no CAP_NET_ADMIN in this network namespace
 *   -EPROTONOSUPPORT  the kernel has no nf_tables
 *   other    the kernel refused the batch; @err names the row id, set or
 *            chain of the message it refused, and why
 * On any error nothing was changed: a batch is one transaction.
 */

/** Where the state file lives unless fnft_kernel_set_state_dir() says. */
#define FNFT_STATE_DIR "/var/lib/finesse-nft"
/** Where the table's lock lives unless fnft_kernel_set_lock_dir() says. */
#define FNFT_LOCK_DIR "/run/finesse-nft"

struct fnft_kernel;
struct fnft_snapshot;

/** What an apply did. */
struct fnft_apply_stats {
	/** the live table already equalled the plan: nothing was sent */
	bool in_sync;
	/** only the differences were sent (else the table was replaced) */
	bool incremental;
	/** netlink messages in the batch, begin and end included; 0 in sync */
	unsigned messages;
	/** the ruleset generation after the commit, or the one at which the
	 *  table was found in sync (since 0.2; 0 before) */
	uint32_t generation;
	/** the table existed and was replaced whole: all its rules are new,
	 *  so every row's counters start again from 0 (since 0.3; false
	 *  before).  A patch keeps the counters of the rules it leaves. */
	bool counters_reset;
	unsigned reserved[2];
};

/** fnft_kernel_read() flag: dump the whole table, set elements included,
 *  even when the state file could stand in for it. */
#define FNFT_READ_VERIFY 0x1u
/** fnft_kernel_read() flag: dump the table with its rules and their
 *  counter values, but leave the named sets' elements out (cheap). */
#define FNFT_READ_NO_ELEMENTS 0x2u

/**
 * fnft_kernel_open - a handle on table inet @table of this namespace
 * @table: the table name, or NULL for FNFT_DEFAULT_TABLE
 * @out: receives the handle; free it with fnft_kernel_free()
 * @err: optional error details
 *
 * Opens the netlink socket; sends nothing.  Returns 0, -EINVAL for a bad
 * table name, or a negative errno as above.
 */
int fnft_kernel_open(const char *table, struct fnft_kernel **out,
		     struct fnft_error *err);

/**
 * fnft_kernel_id - "<netns cookie>.<table>": names this namespace's table
 * uniquely for the boot, for tools that keep files per table (the CLI's
 * pending confirm).  The string belongs to the handle.
 */
const char *fnft_kernel_id(const struct fnft_kernel *k);

/** fnft_kernel_free - close the handle; NULL is allowed. */
void fnft_kernel_free(struct fnft_kernel *k);

/**
 * fnft_kernel_set_state_dir - where to keep the state file
 * @dir: a directory (copied), or NULL for no state file at all: every read
 *	then dumps the table, set elements included
 *
 * The state file holds the plan last committed to this table, so that
 * apply and read need not dump big sets back.  It is trusted only while
 * the ruleset generation id is the one our own commit produced, in the same
 * boot and network namespace.  Returns 0 or -ENOMEM.
 *
 * Besides, a handle remembers in memory what its own last commit (or an
 * apply that found the table in sync) left, by the same rule: while the
 * generation id is still that one, the next fnft_kernel_apply() on the
 * handle reads neither the state file nor the table, with or without a
 * state directory.  A daemon that keeps its handle pays for a one-network
 * change little more than the kernel does (docs/performance.md).  Any
 * commit by anyone voids that memory (since 0.3).
 */
int fnft_kernel_set_state_dir(struct fnft_kernel *k, const char *dir);

/** What fnft_kernel_set_lock_wait() calls, once, after a second of
 *  waiting: @holder is the pid that holds the lock, or 0 if unknown. */
typedef void (*fnft_lock_wait_fn)(void *ctx, long holder);

/**
 * fnft_kernel_set_lock_wait - how long apply, remove and restore wait for
 * the table's lock
 * @timeout_ms: -1 to wait as long as it takes (the default), 0 not to wait,
 *	else the most milliseconds to wait; then the call fails with -EBUSY
 * @waiting: optional; called once from the calling thread when the lock
 *	has been held by someone else for a second (to tell a person why
 *	nothing happens), with @ctx
 *
 * The lock serialises finesse-nft writers of one namespace and table (the
 * CLI, a daemon, the confirm watchdog).  By default those calls block
 * until the holder is done, which is at most one apply of theirs.  A
 * caller that must not block passes 0 and retries on -EBUSY.  Returns 0,
 * or -EINVAL for a timeout below -1.
 */
int fnft_kernel_set_lock_wait(struct fnft_kernel *k, int timeout_ms,
			      fnft_lock_wait_fn waiting, void *ctx);

/**
 * The apply report (since 0.3): what the last batch this handle committed
 * (apply, apply_over, remove, restore) changed, read back from that batch
 * itself, so it is exactly what the kernel took, not what a second read
 * found.  Empty when the last call sent nothing (in sync) or failed.
 */
enum fnft_change_kind {
	/** table @name created or replaced whole: the items that follow are
	 *  everything it now holds (its counters start from 0) */
	FNFT_CHANGE_TABLE_REPLACED,
	/** table @name deleted */
	FNFT_CHANGE_TABLE_REMOVED,
	/** table @name's flags set to what the plan says (woken from dormant) */
	FNFT_CHANGE_TABLE_FLAGS,
	/** named set @name created (its elements follow as ELEMENTS_ADDED) */
	FNFT_CHANGE_SET_ADDED,
	/** chain @name created */
	FNFT_CHANGE_CHAIN_ADDED,
	/** @count intervals added to set @name */
	FNFT_CHANGE_ELEMENTS_ADDED,
	/** @count intervals removed from set @name */
	FNFT_CHANGE_ELEMENTS_REMOVED,
	/** a rule added to chain @name; @row: the row id of its comment */
	FNFT_CHANGE_RULE_ADDED,
	/** a rule removed from chain @name; @row as above */
	FNFT_CHANGE_RULE_REMOVED,
};

struct fnft_change {
	enum fnft_change_kind kind;
	const char *name;	/**< the table, set or chain */
	const char *row;	/**< RULE_*: the row id, NULL for the fixed rules
				 *  (and for rules someone else made) */
	size_t count;		/**< ELEMENTS_*: intervals (merged networks) */
};

/** fnft_kernel_change_count - items in the last commit's report */
size_t fnft_kernel_change_count(const struct fnft_kernel *k);

/** fnft_kernel_change - item @i, owned by @k until its next call that
 *  commits; NULL when out of range */
const struct fnft_change *fnft_kernel_change(const struct fnft_kernel *k,
					     size_t i);

/**
 * fnft_kernel_change_interval - interval @j of an ELEMENTS_* item @i, as
 * "10.40.0.0/16" or "192.0.2.1-192.0.2.9" (FNFT_NETSTRLEN is enough)
 * Returns 0, -EINVAL when out of range, -ENOSPC when @len is too small.
 */
int fnft_kernel_change_interval(const struct fnft_kernel *k, size_t i,
				size_t j, char *buf, size_t len);

/**
 * fnft_kernel_changes_json - the apply report as JSON
 * @out: receives a malloc'd compact JSON array, one object per item of
 *	fnft_kernel_change(), in order: {"change": KIND, NAME_KEY: NAME}
 *	where KIND is "table_replaced", "table_removed" or "table_flags"
 *	(NAME_KEY "table"), "set_added" ("set"), "chain_added" ("chain"),
 *	"elements_added" or "elements_removed" ("set", plus "elements": the
 *	intervals as fnft_kernel_change_interval() writes them),
 *	"rule_added" or "rule_removed" ("chain", plus "row": the row id or
 *	null); "[]" when the last call sent nothing
 *
 * Pure (the report is the handle's).  Returns 0, -EINVAL or -ENOMEM
 * (since 0.3).
 */
int fnft_kernel_changes_json(const struct fnft_kernel *k, char **out);

/**
 * fnft_kernel_set_lock_dir - where the table's lock file lives
 * @dir: a directory (copied; made 0700 when missing, and used only when
 *	it is the euid's alone), or NULL for no lock: then only the
 *	generation id keeps writers apart, which is still safe (a loser
 *	gets -EAGAIN) but makes concurrent writers retry instead of queueing
 *
 * Every writer of one table must use the same directory for the lock to
 * serialise them; the CLI and the confirm watchdog use FNFT_LOCK_DIR.
 * Returns 0, -EINVAL or -ENOMEM (since 0.3).
 */
int fnft_kernel_set_lock_dir(struct fnft_kernel *k, const char *dir);

/**
 * fnft_kernel_state_write_error - why the last fnft_kernel_apply() (or
 * apply_over) could not write the state file, or NULL when it could or had
 * nothing to write
 *
 * A warning, not a failure: the apply stands, and the next call dumps the
 * table instead of trusting a file (a full disk, a read-only or missing
 * state directory).  The string belongs to @k (since 0.3).
 */
const char *fnft_kernel_state_write_error(const struct fnft_kernel *k);

/**
 * fnft_kernel_state_ignored - why the state file was not used, if it was
 * there and not to be trusted
 *
 * The state file only spares a dump, so one that anyone but us could have
 * written (not a regular file, not owned by the euid, writable by group or
 * others, in such a directory or through a symlink) or that is too big is
 * never read: the table is dumped instead.  The library does not print;
 * this is the one line a caller may show.  Returns a string owned by @k,
 * or NULL when the file was used, missing or merely stale (since 0.2).
 */
const char *fnft_kernel_state_ignored(const struct fnft_kernel *k);

/**
 * fnft_kernel_generation - the ruleset generation id of this namespace now
 * @genid: receives it
 *
 * Every commit by anyone (nft, another tool, us) moves it on; compare it
 * with fnft_apply_stats.generation to learn whether the ruleset is still
 * the one an apply left.  Returns 0 or a negative errno.
 */
int fnft_kernel_generation(struct fnft_kernel *k, uint32_t *genid,
			   struct fnft_error *err);

/**
 * fnft_kernel_read - the live table
 * @flags: 0, FNFT_READ_VERIFY or FNFT_READ_NO_ELEMENTS
 * @live: receives the table as a ruleset, or NULL when the table does not
 *	exist; free it with fnft_ruleset_free().  Counter values are there
 *	when the table was dumped: always with FNFT_READ_VERIFY or
 *	FNFT_READ_NO_ELEMENTS, not when the state file stood in;
 *	fnft_ruleset_has_counters() tells which, and
 *	fnft_ruleset_counters() refuses a table without them (-ENODATA)
 *	rather than report zeros.
 *
 * Writes nothing.  Rules someone else put into the table come back decoded
 * as far as possible and otherwise raw, so fnft_ruleset_diff() shows them.
 */
int fnft_kernel_read(struct fnft_kernel *k, unsigned flags,
		     struct fnft_ruleset **live, struct fnft_error *err);

struct fnft_counter;

/**
 * fnft_kernel_counters - the live table's counters, row by row, as
 * fnft_ruleset_counters() gives them (see finesse-nft/status.h)
 * @out: receives the malloc'd array (one free() frees it); NULL when *@n
 *	is 0
 * @n: receives the number of entries
 *
 * Dumps the table's chains and rules with their counter values, and
 * leaves the sets' elements out (FNFT_READ_NO_ELEMENTS), so it is cheap
 * however big the groups are; the state file never stands in, so the
 * values are always the kernel's.  Writes nothing; blocks while the
 * kernel answers.  Returns 0, -ENOENT when the table does not exist, or
 * a negative errno as fnft_kernel_read() (since 0.3).
 */
int fnft_kernel_counters(struct fnft_kernel *k, struct fnft_counter **out,
			 size_t *n, struct fnft_error *err);

/**
 * fnft_kernel_apply - make the live table equal @plan, in one transaction
 * @plan: the planned table (from fnft_plan()); its table name must be the
 *	handle's
 * @stats: optional; what was done
 *
 * Sends nothing when the table is already equal.  When only set elements
 * or some rules differ, the batch carries just those changes, so untouched
 * rules keep their counters; otherwise the table is replaced whole.
 *
 * Blocks while another writer of this table holds its lock, as long as
 * fnft_kernel_set_lock_wait() allows (by default without end; -EBUSY
 * after a timeout).  A state file it cannot write is not a failure: see
 * fnft_kernel_state_write_error().
 */
int fnft_kernel_apply(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		      struct fnft_apply_stats *stats, struct fnft_error *err);

/**
 * fnft_kernel_apply_over - fnft_kernel_apply(), over exactly the table @s
 * holds
 * @s: a snapshot taken with fnft_kernel_snapshot() on this handle's table
 *	(not one loaded from a file: that has no generation, -EINVAL)
 *
 * The batch carries the generation @s was taken at, so if anyone changed
 * the ruleset since (another writer, nft), nothing is applied and the
 * call fails with -EAGAIN: restoring @s later undoes exactly this apply
 * and nothing else.  This is the apply of confirm-or-rollback: take the
 * snapshot, save it and arm the rollback, then apply over it.
 */
int fnft_kernel_apply_over(struct fnft_kernel *k, const struct fnft_snapshot *s,
			   const struct fnft_ruleset *plan,
			   struct fnft_apply_stats *stats, struct fnft_error *err);

/**
 * fnft_kernel_remove - delete the table, and only it; a missing table is
 * not an error.  Waits for the table's lock as fnft_kernel_apply() does.
 */
int fnft_kernel_remove(struct fnft_kernel *k, struct fnft_error *err);

/**
 * Snapshots: the table exactly as the kernel holds it (or its absence),
 * to put it back later in one transaction — the primitive behind
 * confirm-or-rollback.  A snapshot holds everything in the table,
 * including rules someone else added and counter values.
 */
struct fnft_snapshot;

/**
 * fnft_kernel_snapshot - take a snapshot of the table
 * @out: receives it; free it with fnft_snapshot_free()
 *
 * Writes nothing.  A missing table gives a snapshot of "no table".
 */
int fnft_kernel_snapshot(struct fnft_kernel *k, struct fnft_snapshot **out,
			 struct fnft_error *err);

/**
 * fnft_kernel_restore - put a snapshot back, in one transaction
 * @s: a snapshot of this handle's table
 * @overwritten: optional; receives a unified diff (malloc'd) of what the
 *	live table held that the restore replaced, when it was not what we
 *	last applied (someone changed it since), else NULL; NULL too when
 *	the restore fails (then nothing was overwritten)
 *
 * The table becomes exactly the snapshot, or disappears when the snapshot
 * is of no table.  The generation id guards the batch; a change by anyone
 * in between is retried a few times before -EAGAIN.  Waits for the table's
 * lock as fnft_kernel_apply() does.
 */
int fnft_kernel_restore(struct fnft_kernel *k, const struct fnft_snapshot *s,
			char **overwritten, struct fnft_error *err);

/** fnft_snapshot_free - NULL is allowed. */
void fnft_snapshot_free(struct fnft_snapshot *s);

/** fnft_snapshot_absent - whether the snapshot is of no table */
bool fnft_snapshot_absent(const struct fnft_snapshot *s);

/** fnft_snapshot_generation - the ruleset generation the snapshot was
 *  taken at; 0 for one loaded from a file */
uint32_t fnft_snapshot_generation(const struct fnft_snapshot *s);

/**
 * fnft_snapshot_save - write a snapshot to @path (atomically: a temporary
 * file "@path.tmp", created afresh with mode 0600 and never through a
 * symlink, renamed).  The directory of @path must be one no one but the
 * euid can write (owned by it, not writable by group or others, not a
 * symlink): -EPERM otherwise, as fnft_snapshot_load() would refuse the
 * file.  -EFBIG for a snapshot over 256 MiB.  Returns 0 or a negative errno.
 */
int fnft_snapshot_save(const struct fnft_snapshot *s, const char *path,
		       struct fnft_error *err);

/**
 * fnft_snapshot_load - read a snapshot written by fnft_snapshot_save();
 * -EINVAL for anything else or a damaged file.
 *
 * A snapshot decides what a restore puts into the kernel, so only a file
 * no one but the euid could have written is read: a regular file (never
 * through a symlink, never a FIFO or device) owned by the euid and not
 * writable by group or others, in a directory with the same properties;
 * anything else is -EPERM, and a file bigger than a snapshot can be,
 * -EFBIG.  Nothing of an untrusted file is read.
 */
int fnft_snapshot_load(const char *path, struct fnft_snapshot **out,
		       struct fnft_error *err);

/**
 * fnft_apply - fnft_kernel_open() + fnft_kernel_apply() + free, with the
 * default state directory.
 */
int fnft_apply(const struct fnft_ruleset *rs, struct fnft_error *err);

/**
 * fnft_remove - delete table inet @table (NULL: FNFT_DEFAULT_TABLE), and
 * only it.  A missing table is not an error.
 */
int fnft_remove(const char *table, struct fnft_error *err);

#ifdef __cplusplus
}
#endif

#endif
