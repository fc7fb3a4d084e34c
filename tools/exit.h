/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FNFT_TOOL_EXIT_H
#define FNFT_TOOL_EXIT_H

#include <stddef.h>

#include <finesse-nft/error.h>

/* The exit codes of every command (README, "Exit codes"). */
enum exit_code {
	EXIT_OK = 0,		/* success; diff, dry-run: no difference;
				 * explain: accepted */
	EXIT_DIFFERENT = 1,	/* diff, dry-run: differences; explain: dropped */
	EXIT_USAGE = 2,		/* bad usage or bad input: nothing was sent */
	EXIT_REFUSED = 2,	/* the same code for a command that declines
				 * before sending anything (the SSH guard, a
				 * pending confirm, nothing to confirm) */
	EXIT_SYSTEM = 3,	/* kernel, netlink or system failure */
	EXIT_CONFLICT = 4,	/* the ruleset changed underneath us, or --wait
				 * ran out: nothing was applied; retry */
};

/*
 * Where a library error comes from.  The library returns -EINVAL both for
 * bad input and for a batch the kernel refused, so the errno alone cannot
 * tell exit 2 from exit 3: the phase does.
 */
enum exit_phase {
	PHASE_INPUT,	/* arguments, catalog, site, plan: nothing sent yet */
	PHASE_OPEN,	/* fnft_kernel_open(): -EINVAL is the --table name,
			 * anything else the system */
	PHASE_KERNEL,	/* the calls after it, which talk to the kernel */
};

/* The exit code for library error @rc (a negative errno) in @phase. */
int exit_code(enum exit_phase phase, int rc);

/* @err as one line, or strerror(-@rc) when @err says nothing (may be NULL). */
void error_text(int rc, const struct fnft_error *err, char *buf, size_t len);

/*
 * Print @err, or strerror(-@rc) when @err says nothing (it may be NULL),
 * as one message line; return exit_code(@phase, @rc).
 */
int exit_fail(enum exit_phase phase, int rc, const struct fnft_error *err);

#endif
