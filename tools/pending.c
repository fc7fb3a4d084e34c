/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply --confirm, confirm, rollback: the CLI's words around the library's
 * confirm-or-rollback (include/finesse-nft/pending.h, which says how the
 * watchdog works and which files it keeps under /run/finesse-nft/).
 *
 * The deadline counts from the moment this process exits
 * (FNFT_PENDING_CLOCK_AT_FREE, the handle kept until then), so SECS count
 * from the moment the command has returned, whatever it still does before
 * it exits.
 *
 * A second apply --confirm while one is pending is refused: chaining would
 * make "rollback" ambiguous (to which table?).  So are plain apply and
 * remove (pending_check()), unless --force: the pending rollback then
 * still restores the table from before `apply --confirm`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "exit.h"
#include "pending.h"
#include "say.h"

/* "locked by pid 1234 (finesse-nft -c site.conf apply)" or "" */
static void holder_text(long pid, char *buf, size_t len)
{
	char path[64], cmd[160] = "";
	size_t n = 0, i;
	FILE *f;

	buf[0] = '\0';
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if ((f = fopen(path, "re"))) {
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
	}
	for (i = 0; i + 1 < n; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	cmd[n] = '\0';
	snprintf(buf, len, " by pid %ld%s%s%s", pid, *cmd ? " (" : "", cmd, *cmd ? ")" : "");
}

void pending_lock_waiting(void *ctx, long holder)
{
	char who[256];

	holder_text(holder, who, sizeof(who));
	say(0, "waiting for the lock of table inet %s, held%s",
	    (const char *)ctx, *who ? who : " by another finesse-nft");
}

#define NOT_OURS "it or its directory is not a regular file or directory of uid %u writable by it alone"

/*
 * The handle of this process's apply --confirm: kept, never freed, so
 * that the watchdog's clock starts as the process exits (its kernel handle
 * is freed before; the pending handle is not used again).
 */
static struct fnft_pending *armed;

static struct fnft_pending_opts lib_opts(const struct pending_opts *o)
{
	return (struct fnft_pending_opts){
		.watchdog = o->watchdog, .flags = FNFT_PENDING_CLOCK_AT_FREE,
	};
}

/* "(rollback at 12:34:56)" or "(its watchdog is gone: nothing will roll it back)" */
static void record_text(const struct fnft_pending *p, char *buf, size_t len)
{
	time_t wall = (time_t)fnft_pending_deadline_wall(p);
	char when[16];

	switch (fnft_pending_state(p)) {
	case FNFT_PENDING_UNGUARDED:
		snprintf(buf, len, "(its watchdog is gone: nothing will roll it back)");
		break;
	case FNFT_PENDING_ARMED:
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&wall));
		snprintf(buf, len, "(rollback at %s)", when);
		break;
	default:
		snprintf(buf, len, "(still being applied)");
		break;
	}
}

int pending_check(struct fnft_kernel *k, const struct pending_opts *o,
		  const char *what)
{
	struct fnft_pending_opts po = lib_opts(o);
	struct fnft_error err = { 0 };
	struct fnft_pending *p = NULL;
	enum fnft_pending_state state;
	char how[96];
	int rc;

	rc = fnft_pending_open(k, &po, &p, &err);
	if (rc == -EPERM) {
		/* a record someone else could have written is no record */
		say(0, "warning: the pending record %s is not used: " NOT_OURS,
		    err.object, (unsigned)geteuid());
		return 0;
	}
	if (rc)
		return exit_fail(PHASE_KERNEL, rc, &err);
	state = fnft_pending_state(p);
	record_text(p, how, sizeof(how));
	fnft_pending_free(p);
	if (state == FNFT_PENDING_NONE)
		return 0;
	if (!o->force)
		return say(EXIT_REFUSED, "an apply --confirm is pending for table inet %s %s; "
			   "run 'finesse-nft confirm' or 'finesse-nft rollback' first (or --force to %s anyway)",
			   o->table, how, what);
	if (state != FNFT_PENDING_UNGUARDED)
		say(0, "--force: an apply --confirm is pending for table inet %s %s; unless "
		    "'finesse-nft confirm' runs first, its rollback will put back the table from "
		    "before it, undoing this %s too", o->table, how, what);
	else
		say(0, "--force: an apply --confirm is pending for table inet %s %s; "
		    "'finesse-nft rollback' would still put back the table from before it",
		    o->table, how);
	return 0;
}

/* -EEXIST: the one already pending, as the refusal names it. */
static int already_pending(struct fnft_kernel *k, const struct pending_opts *o)
{
	struct fnft_pending_opts po = lib_opts(o);
	struct fnft_pending *p = NULL;
	char how[96] = "(still being applied)";

	if (fnft_pending_open(k, &po, &p, NULL) == 0)
		record_text(p, how, sizeof(how));
	fnft_pending_free(p);
	return say(EXIT_REFUSED, "an apply --confirm is already pending for table inet %s %s; "
		   "run 'finesse-nft confirm' or 'finesse-nft rollback' first",
		   o->table, how);
}

int pending_apply(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		  const struct pending_opts *o, struct fnft_apply_stats *st)
{
	struct fnft_pending_opts po = lib_opts(o);
	struct fnft_error err = { 0 };
	int rc;

	rc = fnft_kernel_apply_pending(k, plan, o->secs * 1000u, &po, &armed, st, &err);
	if (rc == -EEXIST)
		return already_pending(k, o);
	return rc ? exit_fail(PHASE_KERNEL, rc, &err) : 0;
}

/* Nothing pending: what the last watchdog did, if anything. */
static int nothing_pending(const struct fnft_pending *p, const char *table,
			   const char *what)
{
	const char *note = fnft_pending_note(p);

	if (!note)
		return say(EXIT_REFUSED, "nothing to %s for table inet %s", what, table);
	return say(EXIT_REFUSED, "nothing to %s: %s", what, note);
}

static int open_or_say(struct fnft_kernel *k, const struct pending_opts *o,
		       struct fnft_pending **p)
{
	struct fnft_pending_opts po = lib_opts(o);
	struct fnft_error err = { 0 };
	int rc = fnft_pending_open(k, &po, p, &err);

	return rc ? exit_fail(PHASE_KERNEL, rc, &err) : 0;
}

int pending_confirm(struct fnft_kernel *k, const struct pending_opts *o)
{
	enum fnft_pending_outcome out;
	struct fnft_error err = { 0 };
	struct fnft_pending *p = NULL;
	int rc;

	if ((rc = open_or_say(k, o, &p)))
		return rc;
	rc = fnft_pending_confirm(p, &out, &err);
	if (rc) {
		fnft_pending_free(p);
		return exit_fail(PHASE_KERNEL, rc, &err);
	}
	switch (out) {
	case FNFT_PENDING_CONFIRMED:
		rc = say(0, "confirmed: table inet %s stays", o->table);
		break;
	case FNFT_PENDING_CONFIRMED_CHANGED_ELSEWHERE:
		rc = say(0, "confirmed: table inet %s stays (the ruleset was changed elsewhere since the apply; this table was not)",
			 o->table);
		break;
	case FNFT_PENDING_ALREADY_ROLLED_BACK:
		rc = say(EXIT_REFUSED, "nothing to confirm: table inet %s is already what it was before the apply (the rollback ran%s)",
			 o->table, fnft_pending_state(p) == FNFT_PENDING_UNGUARDED ?
			 ", and its watchdog died before it could say so" : "");
		break;
	case FNFT_PENDING_CONFLICT:
		rc = say(EXIT_CONFLICT, "table inet %s is neither what the apply made nor what it replaced: it was changed since; "
			 "the pending rollback is cancelled and the table stays as it is ('finesse-nft dry-run' shows how it differs)",
			 o->table);
		break;
	default:
		rc = nothing_pending(p, o->table, "confirm");
		break;
	}
	fnft_pending_free(p);
	return rc;
}

int pending_rollback(struct fnft_kernel *k, const struct pending_opts *o)
{
	enum fnft_pending_outcome out;
	struct fnft_error err = { 0 };
	struct fnft_pending *p = NULL;
	char *over = NULL;
	int rc;

	if ((rc = open_or_say(k, o, &p)))
		return rc;
	rc = fnft_pending_rollback(p, &out, &over, &err);
	if (rc) {
		fnft_pending_free(p);
		return exit_fail(PHASE_KERNEL, rc, &err);
	}
	if (out == FNFT_PENDING_ROLLED_BACK || out == FNFT_PENDING_REMOVED) {
		say(0, "rolled back: table inet %s %s", o->table,
		    out == FNFT_PENDING_REMOVED ? "removed (there was none before)" : "restored");
		if (over)
			say(0, "it had been changed since the apply; the rollback overwrote:\n%s", over);
	} else {
		rc = nothing_pending(p, o->table, "roll back");
	}
	free(over);
	fnft_pending_free(p);
	return rc;
}
