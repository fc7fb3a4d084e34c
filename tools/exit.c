/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "exit.h"
#include "say.h"

/* Input that cannot be read names a file the user gave: bad input too. */
static bool bad_input(int rc)
{
	switch (rc) {
	case -EINVAL:
	case -ENOENT:
	case -ENOTDIR:
	case -EISDIR:
	case -EACCES:
	case -ELOOP:
	case -ENAMETOOLONG:
		return true;
	default:
		return false;	/* -ENOMEM, -EIO, -EMFILE...: the system */
	}
}

int exit_code(enum exit_phase phase, int rc)
{
	assert(rc < 0);
	switch (phase) {
	case PHASE_INPUT:
		return bad_input(rc) ? EXIT_USAGE : EXIT_SYSTEM;
	case PHASE_OPEN:
		return rc == -EINVAL ? EXIT_USAGE : EXIT_SYSTEM;
	case PHASE_KERNEL:
	default:
		/* -EAGAIN: the generation moved on; -EBUSY: the lock's --wait */
		return rc == -EAGAIN || rc == -EBUSY ? EXIT_CONFLICT : EXIT_SYSTEM;
	}
}

void error_text(int rc, const struct fnft_error *err, char *buf, size_t len)
{
	if (err && err->message[0])
		fnft_error_format(err, buf, len);
	else
		snprintf(buf, len, "%s", strerror(-rc));
}

int exit_fail(enum exit_phase phase, int rc, const struct fnft_error *err)
{
	char line[1024];

	error_text(rc, err, line, sizeof(line));
	say(0, "%s", line);
	return exit_code(phase, rc);
}
