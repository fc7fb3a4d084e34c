/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel session: read the live table (from the state file when it can
 * stand in, else a dump), and apply a plan as one batch carrying the
 * generation id the live state was read at.  Writers in one network
 * namespace queue on a lock file, so they succeed one after the other;
 * anyone else who changes the ruleset between our read and our batch makes
 * the kernel refuse the batch whole (-EAGAIN), so a table is never mixed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <linux/netfilter/nf_tables.h>

#include <finesse-nft/fake.h>
#include <finesse-nft/kernel.h>
#include <finesse-nft/site.h>

#include "decode.h"
#include "encode.h"
#include "fake-kernel.h"
#include "ir.h"
#include "lock.h"
#include "netlink.h"
#include "patch.h"
#include "pending-impl.h"
#include "report.h"
#include "snapshot.h"
#include "state.h"


struct fnft_kernel {
	char table[72];
	char *state_dir;		/* NULL: no state file */
	struct fnft_nl *nl;
	struct fnft_state_key key;
	bool have_key;			/* boot id and netns cookie known */
	char state_ignored[160];	/* why the state file was not used, or "" */
	char state_unwritten[200];	/* why the last apply could not save it, or "" */
	char *lock_dir;			/* NULL: no lock, the generation id alone */
	struct fnft_report report;	/* of the last batch committed */
	char id[96];			/* "<netns cookie>.<table>" */
	int lock_timeout_ms;		/* -1: wait as long as it takes */
	fnft_lock_wait_fn lock_waiting;
	void *lock_ctx;
	/* The table as this handle's last commit (or in-sync read) left it,
	 * with the plan's elements and the kernel's rule handles, at ruleset
	 * generation last_genid: while the generation is still that, it is the
	 * live table, and a daemon's next apply needs neither the state file
	 * nor a dump.  NULL: nothing known. */
	struct fnft_ruleset *last;
	uint32_t last_genid;
	/* during one apply: the fingerprint of its plan, once hashed */
	const struct fnft_ruleset *fp_of;
	uint64_t fp;
};

static void forget_last(struct fnft_kernel *k)
{
	fnft_ruleset_free(k->last);
	k->last = NULL;
}

/* @fake: on a fake kernel (fake.c), with no state and no lock dir:
 * @peer's, or a new one */
static int open_session(const char *table, bool fake,
			const struct fnft_kernel *peer, struct fnft_kernel **out,
			struct fnft_error *err)
{
	struct fnft_kernel *k;
	int rc;

	if (!out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!table)
		table = FNFT_DEFAULT_TABLE;
	if ((rc = fnft_table_name_check(table, err)))
		return rc;
	k = calloc(1, sizeof(*k));
	if (!k || !(k->state_dir = strdup(FNFT_STATE_DIR)) ||
	    !(k->lock_dir = strdup(FNFT_LOCK_DIR))) {
		if (k)
			free(k->state_dir);
		free(k);
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	}
	snprintf(k->table, sizeof(k->table), "%s", table);
	k->lock_timeout_ms = -1;
	if (fake) {
		free(k->state_dir);
		free(k->lock_dir);
		k->state_dir = k->lock_dir = NULL;
	}
	rc = fake ? fnft_nl_open_fake(peer ? peer->nl : NULL, &k->nl, err) :
		    fnft_nl_open(&k->nl, err);
	if (rc) {
		fnft_kernel_free(k);
		return rc;
	}
	/* without both, the state file is simply never trusted */
	snprintf(k->key.table, sizeof(k->key.table), "%s", table);
	k->have_key = fnft_state_key_boot(&k->key) == 0 &&
		      fnft_nl_netns_cookie(k->nl, &k->key.netns) == 0;
	snprintf(k->id, sizeof(k->id), "%llu.%s",
		 (unsigned long long)k->key.netns, k->table);
	*out = k;
	return 0;
}

FNFT_EXPORT int fnft_kernel_open(const char *table, struct fnft_kernel **out,
				 struct fnft_error *err)
{
	return open_session(table, false, NULL, out, err);
}

FNFT_EXPORT int fnft_kernel_open_fake(const char *table, struct fnft_kernel **out,
				      struct fnft_error *err)
{
	return open_session(table, true, NULL, out, err);
}

FNFT_EXPORT int fnft_kernel_open_fake_peer(const struct fnft_kernel *peer,
					   const char *table,
					   struct fnft_kernel **out,
					   struct fnft_error *err)
{
	if (!peer || !fnft_kernel_fake(peer))
		return fnft_err(err, -EINVAL, NULL, NULL,
				"the peer is not a session on a fake kernel");
	return open_session(table, true, peer, out, err);
}

struct fnft_fake *fnft_kernel_fake(const struct fnft_kernel *k)
{
	return fnft_nl_fake(k->nl);
}

FNFT_EXPORT const char *fnft_kernel_id(const struct fnft_kernel *k)
{
	return k->id;
}

FNFT_EXPORT void fnft_kernel_free(struct fnft_kernel *k)
{
	if (!k)
		return;
	fnft_nl_close(k->nl);
	forget_last(k);
	free(k->state_dir);
	free(k->lock_dir);
	fnft_report_clear(&k->report);
	free(k);
}

FNFT_EXPORT int fnft_kernel_set_state_dir(struct fnft_kernel *k, const char *dir)
{
	char *copy = NULL;

	if (dir && !(copy = strdup(dir)))
		return -ENOMEM;
	free(k->state_dir);
	k->state_dir = copy;
	return 0;
}

FNFT_EXPORT int fnft_kernel_set_lock_dir(struct fnft_kernel *k, const char *dir)
{
	char *copy = NULL;

	if (!k)
		return -EINVAL;
	if (dir && !(copy = strdup(dir)))
		return -ENOMEM;
	free(k->lock_dir);
	k->lock_dir = copy;
	return 0;
}

FNFT_EXPORT int fnft_kernel_set_lock_wait(struct fnft_kernel *k, int timeout_ms,
				      fnft_lock_wait_fn waiting, void *ctx)
{
	if (!k || timeout_ms < -1)
		return -EINVAL;
	k->lock_timeout_ms = timeout_ms;
	k->lock_waiting = waiting;
	k->lock_ctx = ctx;
	return 0;
}

/* The session's settings, for the confirm watchdog (pending.c). */
void fnft_kernel_settings(const struct fnft_kernel *k,
			  struct fnft_kernel_settings *out)
{
	out->table = k->table;
	out->state_dir = k->state_dir;
	out->lock_dir = k->lock_dir;
	out->lock_timeout_ms = k->lock_timeout_ms;
	out->lock_waiting = k->lock_waiting;
	out->lock_ctx = k->lock_ctx;
}

FNFT_EXPORT int fnft_kernel_generation(struct fnft_kernel *k, uint32_t *genid,
				       struct fnft_error *err)
{
	if (!k || !genid)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	return fnft_nl_genid(k->nl, genid, err);
}

static bool use_state(const struct fnft_kernel *k)
{
	return k->state_dir && k->have_key;
}

/*
 * Pass on @rc of a state call, and remember the first time the file was
 * there but not to be trusted, for fnft_kernel_state_ignored(): the
 * library does not print, and a caller wants to say it once.
 */
static int state_rc(struct fnft_kernel *k, int rc)
{
	if ((rc == -EPERM || rc == -EFBIG) && !k->state_ignored[0])
		snprintf(k->state_ignored, sizeof(k->state_ignored),
			 rc == -EPERM ?
			 "state file in %s not used: it or its directory is not a regular file or directory of uid %u writable by it alone" :
			 "state file in %s not used: bigger than 64 MiB",
			 k->state_dir, (unsigned)geteuid());
	return rc;
}

FNFT_EXPORT const char *fnft_kernel_state_ignored(const struct fnft_kernel *k)
{
	return k && k->state_ignored[0] ? k->state_ignored : NULL;
}

/* A state file we could not write: the apply stands, the next run dumps. */
static void state_unwritten(struct fnft_kernel *k, int rc)
{
	if (rc < 0 && rc != -EPERM && rc != -EFBIG)
		snprintf(k->state_unwritten, sizeof(k->state_unwritten),
			 "cannot write the state file in %s: %s", k->state_dir,
			 strerror(-rc));
}

FNFT_EXPORT const char *fnft_kernel_state_write_error(const struct fnft_kernel *k)
{
	return k && k->state_unwritten[0] ? k->state_unwritten : NULL;
}

/* ---- reading ---- */

/* read_live(): *genid was read just now; do not ask the kernel again */
#define READ_HAVE_GENID 0x80000000u

/*
 * The live table at generation *genid: from the state file when nothing
 * changed since our commit, else from a dump.  *live is NULL when the
 * table does not exist.
 */
static int read_live(struct fnft_kernel *k, unsigned flags,
		     struct fnft_ruleset **live, uint32_t *genid,
		     struct fnft_error *err)
{
	struct fnft_dump *d = NULL;
	int rc;

	*live = NULL;
	if (!(flags & (FNFT_READ_VERIFY | FNFT_READ_NO_ELEMENTS)) && use_state(k)) {
		if (!(flags & READ_HAVE_GENID) &&
		    (rc = fnft_nl_genid(k->nl, genid, err)))
			return rc;
		if (state_rc(k, fnft_state_load(k->state_dir, &k->key, *genid,
						live)) == 0)
			return 0;
	}
	if ((rc = fnft_nl_dump(k->nl, k->table, !(flags & FNFT_READ_NO_ELEMENTS),
			       &d, err)))
		return rc;
	*genid = d->genid;
	if (d->table)
		rc = fnft_decode(d, live, err);
	fnft_dump_free(d);
	return rc;
}

FNFT_EXPORT int fnft_kernel_read(struct fnft_kernel *k, unsigned flags,
				 struct fnft_ruleset **live,
				 struct fnft_error *err)
{
	uint32_t genid;

	if (!k || !live)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	return read_live(k, flags & ~READ_HAVE_GENID, live, &genid, err);
}

/* ---- writing ---- */

/*
 * Take the lock of (network namespace, table); lock.c writes our pid into
 * it, so that whoever waits can be told who holds it.  *fd is -1 when no
 * lock can be had here (no /run, not root): then the generation id alone
 * guards us, which is still safe, only less polite.  Returns 0 or -EBUSY.
 */
static int lock_table(const struct fnft_kernel *k, int *fd, struct fnft_error *err)
{
	char path[256];
	long holder;
	int rc;

	*fd = -1;
	if (!k->have_key || !k->lock_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/lock.%llu.%s", k->lock_dir,
		 (unsigned long long)k->key.netns, k->table);
	rc = fnft_lock_take(path, k->lock_timeout_ms, k->lock_waiting,
			    k->lock_ctx, &holder);
	if (rc >= 0) {
		*fd = rc;
		return 0;
	}
	if (rc != -EBUSY)
		return 0;	/* no lock to be had here */
	return holder > 0 ?
		fnft_err(err, -EBUSY, NULL, k->table,
			 "table inet %s is locked by another finesse-nft (pid %ld); nothing was done",
			 k->table, holder) :
		fnft_err(err, -EBUSY, NULL, k->table,
			 "table inet %s is locked by another finesse-nft; nothing was done",
			 k->table);
}

static void unlock_table(int fd)
{
	fnft_lock_release(fd);
}

/*
 * The fingerprint of @plan, hashed once per apply: the state file's check
 * and its save both need it (the saved table equals the plan, so it has
 * the plan's fingerprint).  apply() clears the memory at both ends, so a
 * plan freed and another allocated at the same address is never mistaken
 * for it.
 */
static uint64_t plan_fingerprint(struct fnft_kernel *k,
				 const struct fnft_ruleset *plan)
{
	if (k->fp_of != plan) {
		k->fp = fnft_ruleset_fingerprint(plan);
		k->fp_of = plan;
	}
	return k->fp;
}

/*
 * Save *@live, read without set elements (or with elements to be dropped),
 * as the state at @genid if with the elements of @plan it is the plan;
 * forget any state otherwise.  The elements are lent from @plan for the
 * comparison and the save, not copied.  If it is the plan, the handle keeps
 * it as k->last, and *@live becomes NULL; the plan's elements are then
 * copied into @live's own element arrays, which are kept for that: after a
 * patch they are the size of the plan's, and their pages are already
 * there (at 100,000 networks, 3.5 MB of fresh pages spared).
 */
static void save_state(struct fnft_kernel *k, struct fnft_ruleset **livep,
		       const struct fnft_ruleset *plan, uint32_t genid)
{
	struct fnft_ruleset *live = *livep;
	struct fnft_ivlist *own = NULL;
	bool ok = live && live->n_sets == plan->n_sets;
	size_t i;

	for (i = 0; ok && i < live->n_sets; i++)
		ok = streq(live->sets[i].name, plan->sets[i].name);
	if (ok && live->n_sets)
		ok = (own = calloc(live->n_sets, sizeof(*own))) != NULL;
	if (ok)
		for (i = 0; i < live->n_sets; i++) {	/* lent */
			own[i] = live->sets[i].elems;
			live->sets[i].elems = plan->sets[i].elems;
		}
	ok = ok && fnft_ruleset_equal(live, plan);
	if (ok && use_state(k)) {
		int rc = state_rc(k, fnft_state_save_fp(k->state_dir, &k->key, genid,
							live, plan_fingerprint(k, plan)));

		state_unwritten(k, rc);
		if (rc)
			fnft_state_forget(k->state_dir, &k->key);
	} else if (use_state(k)) {
		fnft_state_forget(k->state_dir, &k->key);
	}
	if (own)
		for (i = 0; i < live->n_sets; i++) {	/* given back */
			live->sets[i].elems = own[i];
			/* kept, with its own copies of the plan's elements */
			if (ok && fnft_ivlist_copy(&live->sets[i].elems,
						   &plan->sets[i].elems) < 0)
				ok = false;	/* not kept: the next apply reads */
		}
	free(own);
	if (!ok)
		return;
	forget_last(k);
	k->last = live;
	k->last_genid = genid;
	*livep = NULL;
}

/*
 * After our commit at @genid: record the plan, with the handles the kernel
 * gave its rules, as the state of the table.  A cheap dump (no named set
 * elements) brings the handles; if anyone else committed in between, or
 * the table reads back otherwise, there is no state to record.
 */
static void remember(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		     uint32_t genid)
{
	struct fnft_ruleset *live = NULL;
	struct fnft_dump *d = NULL;

	if (fnft_nl_dump(k->nl, k->table, false, &d, NULL) == 0 &&
	    d->genid == genid && d->table)
		fnft_decode(d, &live, NULL);
	save_state(k, &live, plan, genid);
	fnft_ruleset_free(live);
	fnft_dump_free(d);
}

/*
 * Record @live, read at @genid, as the state there, with @plan's set
 * elements: for a table read back that is the plan (no dump needed, the
 * read brought the handles), and after a patch of set elements alone (the
 * rules and handles are those read before it, and the batch's generation
 * check proves nothing came in between).  @live is taken over.
 */
static void remember_read(struct fnft_kernel *k, struct fnft_ruleset **live,
			  const struct fnft_ruleset *plan, uint32_t genid)
{
	save_state(k, live, plan, genid);
}

/* The cheapest proof that the table is the plan: our own last commit. */
static bool state_is_plan(struct fnft_kernel *k, const struct fnft_ruleset *plan,
			  uint32_t genid)
{
	uint64_t fp;

	return use_state(k) &&
	       state_rc(k, fnft_state_peek(k->state_dir, &k->key, genid, &fp)) == 0 &&
	       fp == plan_fingerprint(k, plan);
}

/*
 * Send batch @b and turn a refusal into @err: the one way every batch
 * (replace, patch, remove, restore) goes to the kernel.  Returns 0,
 * -EAGAIN when the generation moved (nothing was applied), or the
 * kernel's negative errno.
 */
static int commit(struct fnft_kernel *k, struct fnft_batch *b,
		  struct fnft_error *err)
{
	struct fnft_ack ack;
	int rc;

	fnft_report_clear(&k->report);
	forget_last(k);		/* whatever happens, the table is not that now */
	rc = fnft_nl_send(k->nl, b, &ack);

	if (rc == -EPERM)
		return fnft_privilege_error(err);
	if (rc)
		return fnft_err(err, rc, NULL, k->table,
				"cannot send the batch for table inet %s to the kernel: %s",
				k->table, strerror(-rc));
	if (ack.error)
		return fnft_batch_refusal(b, &ack, err);
	/* committed: what it did, from the batch itself (best effort: the
	 * commit stands even if the report cannot be had) */
	fnft_report_from_batch(&k->report, b);
	return 0;
}

FNFT_EXPORT size_t fnft_kernel_change_count(const struct fnft_kernel *k)
{
	return k ? k->report.n : 0;
}

FNFT_EXPORT const struct fnft_change *fnft_kernel_change(const struct fnft_kernel *k,
							 size_t i)
{
	return k && i < k->report.n ? &k->report.v[i].c : NULL;
}

FNFT_EXPORT int fnft_kernel_change_interval(const struct fnft_kernel *k, size_t i,
					    size_t j, char *buf, size_t len)
{
	const struct fnft_report_item *it;
	char text[FNFT_NETSTRLEN];
	int n;

	if (!k || i >= k->report.n || !buf)
		return -EINVAL;
	it = &k->report.v[i];
	if (j >= it->ivs.n)
		return -EINVAL;
	n = fnft_iv_format(&it->ivs.v[j], it->fam, text, sizeof(text));
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	memcpy(buf, text, (size_t)n + 1);
	return 0;
}

/*
 * Only the differences, when the live table can be patched into the plan:
 * 0 when sent (or refused: *sent is then set too), -EOPNOTSUPP when the
 * table must be replaced instead.
 */
static int send_patch(struct fnft_kernel *k, const struct fnft_ruleset *live,
		      const struct fnft_ruleset *plan, uint32_t genid,
		      bool *rules_kept, struct fnft_apply_stats *st,
		      struct fnft_error *err)
{
	struct fnft_batch *b = NULL;
	struct fnft_patch p;
	int rc;

	rc = fnft_patch_compute(live, plan, &p);
	if (!rc)
		rc = fnft_patch_encode(&p, plan->table, genid,
				       fnft_nl_next_seq(k->nl), &b);
	if (rc == -EINVAL || rc == -ENOMEM)
		rc = -EOPNOTSUPP;	/* the full encoder will say what is wrong */
	if (!rc) {
		st->incremental = true;
		st->messages = (unsigned)fnft_batch_msg_count(b);
		*rules_kept = !p.n_del && !p.n_ins;
		rc = commit(k, b, err);
		if (rc == -EOPNOTSUPP)
			rc = -EIO;	/* keep the fallback code for ourselves */
	}
	fnft_batch_free(b);
	fnft_patch_free(&p);
	return rc;
}

/* *rules_kept: a patch was sent that left every rule as it was in @live */
static int send_batch(struct fnft_kernel *k, const struct fnft_ruleset *live,
		      const struct fnft_ruleset *plan, uint32_t genid,
		      bool *rules_kept, struct fnft_apply_stats *st,
		      struct fnft_error *err)
{
	struct fnft_batch *b = NULL;
	int rc = -EOPNOTSUPP;

	*rules_kept = false;
	if (live)
		rc = send_patch(k, live, plan, genid, rules_kept, st, err);
	if (rc != -EOPNOTSUPP)
		return rc;
	st->incremental = false;
	st->counters_reset = live != NULL;
	rc = fnft_encode_replace(plan, genid, fnft_nl_next_seq(k->nl), &b);
	if (rc)
		return fnft_err(err, rc, NULL, plan->table,
				"cannot encode table inet %s: %s", plan->table,
				strerror(-rc));
	st->messages = (unsigned)fnft_batch_msg_count(b);
	rc = commit(k, b, err);
	fnft_batch_free(b);
	return rc;
}

/* The snapshot's generation is gone: someone committed since. */
static int moved_on(const struct fnft_kernel *k, struct fnft_error *err)
{
	return fnft_err(err, -EAGAIN, NULL, k->table,
			"the ruleset changed since the snapshot of table inet %s was taken; nothing was applied; run again",
			k->table);
}

/*
 * A table with the owner flag is another process's: the kernel lets only
 * its netlink socket change or delete it (and deletes it when that socket
 * closes).  Said before sending, as the kernel's EPERM would read as a
 * missing privilege.
 */
static int owned_elsewhere(const struct fnft_kernel *k, struct fnft_error *err)
{
	return fnft_err(err, -EPERM, NULL, k->table,
			"table inet %s is owned by another process (table flag owner): only that process can change or delete it, and the kernel deletes the table when it exits; nothing was applied",
			k->table);
}

/*
 * @expect: the generation the caller's snapshot was taken at, 0 for none:
 * then the live state must be read at it, and the batch carries it.
 */
static int apply_locked(struct fnft_kernel *k, const struct fnft_ruleset *plan,
			uint32_t expect, struct fnft_apply_stats *st,
			struct fnft_error *err)
{
	struct fnft_ruleset *live = NULL;
	bool rules_kept;
	uint32_t genid;
	int rc;

	if ((rc = fnft_nl_genid(k->nl, &genid, err)))
		return rc;
	if (expect && genid != expect)
		return moved_on(k, err);
	st->generation = genid;
	if (k->last && k->last_genid != genid)
		forget_last(k);		/* someone committed since */
	if (k->last) {
		/* the handle's own last commit: no file, no dump */
		if (fnft_ruleset_equal(k->last, plan)) {
			st->in_sync = true;
			return 0;
		}
		live = k->last;
		k->last = NULL;
	} else if (state_is_plan(k, plan, genid)) {
		st->in_sync = true;
		return 0;
	} else if ((rc = read_live(k, READ_HAVE_GENID, &live, &genid, err))) {
		/* one read of the generation serves: a change by anyone after
		 * it makes the kernel refuse our batch, which carries @genid */
		return rc;
	}
	if (expect && genid != expect) {
		fnft_ruleset_free(live);
		return moved_on(k, err);
	}
	st->generation = genid;
	if (live && (live->flags & NFT_TABLE_F_OWNER)) {
		fnft_ruleset_free(live);
		return owned_elsewhere(k, err);
	}
	if (live && fnft_ruleset_equal(live, plan)) {
		st->in_sync = true;
		/* read by a dump: record it, so the next run is cheap */
		remember_read(k, &live, plan, genid);
	} else {
		rc = send_batch(k, live, plan, genid, &rules_kept, st, err);
		/* a committed batch moves the generation on by exactly one */
		if (!rc)
			st->generation = genid + 1;
		if (!rc && rules_kept)
			remember_read(k, &live, plan, genid + 1);
		else if (!rc)
			remember(k, plan, genid + 1);
	}
	fnft_ruleset_free(live);
	return rc;
}

/* Callers allocate the stats: its size and layout are the ABI's. */
_Static_assert(sizeof(struct fnft_apply_stats) == 24 &&
	       offsetof(struct fnft_apply_stats, counters_reset) == 12,
	       "struct fnft_apply_stats changed size or layout");

static int apply(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		 uint32_t expect, struct fnft_apply_stats *stats,
		 struct fnft_error *err)
{
	struct fnft_apply_stats st = { 0 };
	int lock, rc;

	if (!k || !plan)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!streq(plan->table, k->table))
		return fnft_err(err, -EINVAL, NULL, plan->table,
				"the plan is for table %s, the handle for table %s",
				plan->table, k->table);
	k->state_unwritten[0] = '\0';
	fnft_report_clear(&k->report);
	k->fp_of = NULL;
	rc = lock_table(k, &lock, err);
	if (!rc)
		rc = apply_locked(k, plan, expect, &st, err);
	unlock_table(lock);
	k->fp_of = NULL;
	if (stats)
		*stats = st;
	return rc;
}

FNFT_EXPORT int fnft_kernel_apply(struct fnft_kernel *k,
				  const struct fnft_ruleset *plan,
				  struct fnft_apply_stats *stats,
				  struct fnft_error *err)
{
	return apply(k, plan, 0, stats, err);
}

FNFT_EXPORT int fnft_kernel_apply_over(struct fnft_kernel *k,
				       const struct fnft_snapshot *s,
				       const struct fnft_ruleset *plan,
				       struct fnft_apply_stats *stats,
				       struct fnft_error *err)
{
	if (!k || !s)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!streq(s->table, k->table) || !s->genid)
		return fnft_err(err, -EINVAL, NULL, s->table,
				"the snapshot is not one taken of table %s by this handle",
				k->table);
	return apply(k, plan, s->genid, stats, err);
}

FNFT_EXPORT int fnft_kernel_remove(struct fnft_kernel *k, struct fnft_error *err)
{
	struct fnft_batch *b = NULL;
	uint32_t genid;
	int lock, rc;

	if (!k)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((rc = lock_table(k, &lock, err)))
		return rc;
	rc = fnft_nl_genid(k->nl, &genid, err);
	if (!rc && (rc = fnft_encode_remove(k->table, genid,
					    fnft_nl_next_seq(k->nl), &b)))
		fnft_err(err, rc, NULL, k->table, "cannot encode: %s", strerror(-rc));
	if (!rc)
		rc = commit(k, b, err);
	if (!rc && k->state_dir && k->have_key)
		fnft_state_forget(k->state_dir, &k->key);
	fnft_batch_free(b);
	unlock_table(lock);
	return rc;
}

FNFT_EXPORT int fnft_kernel_snapshot(struct fnft_kernel *k,
				     struct fnft_snapshot **out,
				     struct fnft_error *err)
{
	struct fnft_dump *d = NULL;
	int rc;

	if (!k || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	rc = fnft_nl_dump_objects(k->nl, k->table, &d, err);
	if (!rc)
		rc = fnft_snapshot_from_dump(d, k->table, out, err);
	fnft_dump_free(d);
	return rc;
}

/*
 * What the restore is about to overwrite, when it is not what we last
 * committed: as a diff, our last commit -> the live table (or the whole
 * live table when we know of no commit).  NULL when nothing changed since
 * our commit (the state file is at this generation).
 */
static char *overwritten_diff(struct fnft_kernel *k, uint32_t genid)
{
	struct fnft_ruleset *committed = NULL, *live = NULL;
	uint64_t fp;
	uint32_t g;
	char *diff = NULL;

	if (use_state(k) &&
	    state_rc(k, fnft_state_peek(k->state_dir, &k->key, genid, &fp)) == 0)
		return NULL;	/* untouched since our commit */
	if (use_state(k))
		state_rc(k, fnft_state_load_committed(k->state_dir, &k->key,
						      &committed));
	if (read_live(k, FNFT_READ_VERIFY, &live, &g, NULL) == 0 && live)
		fnft_ruleset_diff(committed, live,
				  committed ? "our last apply" : "nothing",
				  "live table (overwritten)", &diff);
	fnft_ruleset_free(committed);
	fnft_ruleset_free(live);
	return diff;
}

/* One restore batch of @s at generation @genid. */
static int restore_at(struct fnft_kernel *k, const struct fnft_snapshot *s,
		      uint32_t genid, struct fnft_error *err)
{
	struct fnft_batch *b = NULL;
	int rc = fnft_snapshot_encode(s, genid, fnft_nl_next_seq(k->nl), &b);

	if (rc)
		return fnft_err(err, rc, NULL, s->table,
				"cannot encode the snapshot of table inet %s: %s",
				s->table, strerror(-rc));
	rc = commit(k, b, err);
	fnft_batch_free(b);
	return rc;
}

FNFT_EXPORT int fnft_kernel_restore(struct fnft_kernel *k,
				    const struct fnft_snapshot *s,
				    char **overwritten, struct fnft_error *err)
{
	int lock, rc = -EAGAIN, tries;
	uint32_t genid;

	if (!k || !s)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!streq(s->table, k->table))
		return fnft_err(err, -EINVAL, NULL, s->table,
				"the snapshot is of table %s, the handle for table %s",
				s->table, k->table);
	if (overwritten)
		*overwritten = NULL;
	if ((rc = lock_table(k, &lock, err)))
		return rc;
	rc = -EAGAIN;
	/* a restore must happen: retry a change by someone else */
	for (tries = 0; rc == -EAGAIN && tries < 5; tries++) {
		if ((rc = fnft_nl_genid(k->nl, &genid, err)))
			break;
		if (overwritten && !*overwritten)
			*overwritten = overwritten_diff(k, genid);
		rc = restore_at(k, s, genid, err);
	}
	/* a delete of an absent table leaves nothing; a restore no plan */
	if (!rc && use_state(k))
		fnft_state_forget(k->state_dir, &k->key);
	unlock_table(lock);
	if (rc && overwritten) {
		/* nothing was overwritten */
		free(*overwritten);
		*overwritten = NULL;
	}
	return rc;
}

FNFT_EXPORT int fnft_apply(const struct fnft_ruleset *rs, struct fnft_error *err)
{
	struct fnft_kernel *k = NULL;
	int rc;

	if (!rs)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	rc = fnft_kernel_open(rs->table, &k, err);
	if (!rc)
		rc = fnft_kernel_apply(k, rs, NULL, err);
	fnft_kernel_free(k);
	return rc;
}

FNFT_EXPORT int fnft_remove(const char *table, struct fnft_error *err)
{
	struct fnft_kernel *k = NULL;
	int rc;

	rc = fnft_kernel_open(table, &k, err);
	if (!rc)
		rc = fnft_kernel_remove(k, err);
	fnft_kernel_free(k);
	return rc;
}
