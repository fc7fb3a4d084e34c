/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_IR_JSON_H
#define FNFT_IR_JSON_H

/*
 * The body of the state file (see state.h): the IR as one line of JSON with
 * each set's element count in place of its elements, and the elements of
 * every set as raw bytes after it.  In memory only; state.c does the file.
 */

#include <stddef.h>
#include <stdint.h>

#include "ir.h"

/*
 * fnft_ir_json_dump - @rs as the state file holds it after its header
 * @json: receives (malloc'd) one line of JSON, the IR with each set's
 *	element count in place of its elements
 * @keys: receives (malloc'd) the elements of every set in set order: lo
 *	and hi of each interval in the set's key width (4 or 16 bytes)
 * @n_keys: receives the size of *keys
 *
 * Rule handles are kept; counters and the table's flags are not (only a
 * table equal to a plan is saved, and a plan's flags are 0).  A ruleset
 * with objects, flowtables or chains no plan has (live only) is refused
 * with -EINVAL rather than stored without them.  Returns 0, -EINVAL or
 * -ENOMEM; the out-parameters are set only on success.
 */
int fnft_ir_json_dump(const struct fnft_ruleset *rs, char **json,
		      uint8_t **keys, size_t *n_keys);

/*
 * fnft_ir_json_load - a ruleset from what fnft_ir_json_dump() wrote
 * @json: the JSON line (NUL-terminated, the newline cut off)
 * @keys: the elements, @n_keys bytes: every one claimed by a set
 *
 * Returns 0 and *out, -EINVAL for JSON of another shape or keys too few
 * or to spare, or -ENOMEM.
 */
int fnft_ir_json_load(const char *json, const uint8_t *keys, size_t n_keys,
		      struct fnft_ruleset **out);

#endif
