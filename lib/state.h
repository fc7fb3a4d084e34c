/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_STATE_H
#define FNFT_STATE_H

/*
 * The state file: the plan we last committed to one table, so that apply
 * and dry-run need not dump it back.  Why: the kernel's interval-set dump
 * re-walks the tree for every message; measured here a 100,000-network set
 * takes ~0.7 s to dump (13 s at 400,000) while creating it takes ~0.3 s.
 *
 * When may the file stand in for a dump?  Exactly when nothing in the
 * ruleset changed since our commit: same boot (boot_id), same network
 * namespace (its cookie, never reused within a boot, unlike its inode),
 * same table, and the ruleset generation id the kernel gave our commit.
 * Any change anywhere in the ruleset bumps the generation id, so an element
 * added by hand — or a docker rule elsewhere — sends us back to a full
 * dump.  That costs a dump when others touch the ruleset, and buys us never
 * trusting a table that was edited behind our back.
 *
 * Format: line 1 a JSON header (version, key, generation, fingerprint),
 * line 2 the IR as JSON with each set's element count in place of its
 * elements, then the elements of every set in set order as raw bytes: lo
 * and hi of each interval in the set's key width (4 or 16 bytes).  Text
 * for 100,000 networks cost more than the apply itself.  A fast no-op
 * check reads line 1 only.  Line 2 and the keys are the body ir-json.h
 * writes and reads; this module adds the header and the file.
 *
 * The file is an optimisation only, so it is believed only when no one but
 * us could have written it: a regular file owned by the euid and writable
 * by it alone, opened without following a symlink, in a directory (not a
 * symlink to one) with the same properties, and at most FNFT_STATE_MAX
 * bytes.  Anything else is not read: the loaders return -EPERM or -EFBIG
 * (not -ENOENT) so that the caller can say once that it dumped instead.
 */

#include <stdint.h>

#include "ir.h"

/* 64 MiB: two million IPv6 intervals, far past what a dump of the table
 * could bring back in tolerable time; a bigger file is not read. */
#define FNFT_STATE_MAX (64 << 20)

struct fnft_state_key {
	char boot_id[40];
	uint64_t netns;		/* SO_NETNS_COOKIE */
	char table[72];
};

/* Fill the boot id of @key (the caller sets netns and table). */
int fnft_state_key_boot(struct fnft_state_key *key);

/*
 * Write @rs as the committed state of @key at generation @genid, atomically
 * (temporary file + rename).  The directory is created (0700) if missing;
 * -EPERM, and nothing written, when it is not ours alone.
 */
int fnft_state_save(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, const struct fnft_ruleset *rs);

/* The same, when the caller already has fnft_ruleset_fingerprint(@rs). */
int fnft_state_save_fp(const char *dir, const struct fnft_state_key *key,
		       uint32_t genid, const struct fnft_ruleset *rs, uint64_t fp);

/*
 * Read line 1 only: 0 and *fingerprint when the file belongs to @key at
 * @genid, -ENOENT otherwise (missing, other key, other generation, bad),
 * -EPERM when the file or its directory is not to be trusted (see above),
 * -EFBIG when the file is bigger than FNFT_STATE_MAX.  Never blocks: a FIFO
 * there is refused, not read.
 */
int fnft_state_peek(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, uint64_t *fingerprint);

/*
 * As fnft_state_peek(), and the whole ruleset into *out; -ENOENT too when
 * the rest of the file is damaged (it does not hash to line 1).
 */
int fnft_state_load(const char *dir, const struct fnft_state_key *key,
		    uint32_t genid, struct fnft_ruleset **out);

/* Matches any generation: no 32-bit generation id is this. */
#define FNFT_STATE_ANY_GENERATION UINT64_MAX

/*
 * As fnft_state_load(), whatever the generation now: the last plan we
 * committed to the table, even when the ruleset changed since.
 */
int fnft_state_load_committed(const char *dir, const struct fnft_state_key *key,
			      struct fnft_ruleset **out);

/* Remove the file of @key (and a format-2 one), for when the table may no
 * longer be what it says; in a directory that is not ours alone, nothing. */
void fnft_state_forget(const char *dir, const struct fnft_state_key *key);

#endif
