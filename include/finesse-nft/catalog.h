/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_CATALOG_H
#define FINESSE_NFT_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include <finesse-nft/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The port-usage model.
 *
 * A row is one line of a product's port-usage table: a listener (the service
 * on this node), the ports it listens on, the remote groups that talk to it,
 * the ports the node itself connects to on those remotes, the direction and
 * a note.  A catalog is an ordered list of rows.  Rows are owned by their
 * catalog (or site) and live as long as it does.
 */

enum fnft_protocol {
	FNFT_PROTO_TCP = 6,
	FNFT_PROTO_UDP = 17,
};

enum fnft_direction {
	FNFT_DIR_INBOUND,
	FNFT_DIR_OUTBOUND,
	FNFT_DIR_BIDIRECTIONAL,
};

/** The row carries cleartext; `[policy] insecure = deny` leaves it out. */
#define FNFT_ROW_INSECURE	0x1u
/** A site may move the row's port with `[port] ID = PORT`. */
#define FNFT_ROW_PORT_MOVABLE	0x2u

/** An inclusive port range; a single port has first == last. */
struct fnft_port_range {
	uint16_t first;
	uint16_t last;
};

struct fnft_row;
struct fnft_catalog;

/* ---- catalog lifecycle ---- */

/**
 * fnft_catalog_new_builtin - the built-in Cisco Finesse port-usage catalog
 * @out: receives the new catalog; free it with fnft_catalog_free()
 * @err: optional error details
 *
 * Returns 0, or a negative errno (only -ENOMEM in practice).
 */
int fnft_catalog_new_builtin(struct fnft_catalog **out, struct fnft_error *err);

/**
 * fnft_catalog_load - parse a catalog file of `[entry ID]` sections
 * @path: the file
 * @out: receives the new catalog; untouched on failure
 * @err: optional; on failure names the file and line
 *
 * The format is the site's `[entry]` schema plus the flag keys
 * `insecure = yes|no` and `port-movable = yes|no`.  Returns 0, -EINVAL for
 * bad input, or another negative errno (-ENOENT, -ENOMEM, ...).
 */
int fnft_catalog_load(const char *path, struct fnft_catalog **out,
		      struct fnft_error *err);

/**
 * fnft_catalog_load_buffer - like fnft_catalog_load() for text in memory
 * @name: the name used in error messages (e.g. a file name)
 * @text: the catalog text
 * @len: its length in bytes
 */
int fnft_catalog_load_buffer(const char *name, const char *text, size_t len,
			     struct fnft_catalog **out, struct fnft_error *err);

/** fnft_catalog_free - free a catalog and its rows; NULL is allowed. */
void fnft_catalog_free(struct fnft_catalog *cat);

/** fnft_catalog_count - number of rows in @cat */
size_t fnft_catalog_count(const struct fnft_catalog *cat);

/** fnft_catalog_row - row @i (0-based) of @cat, or NULL when out of range */
const struct fnft_row *fnft_catalog_row(const struct fnft_catalog *cat, size_t i);

/** fnft_catalog_find - the row called @id, or NULL */
const struct fnft_row *fnft_catalog_find(const struct fnft_catalog *cat,
					 const char *id);

/**
 * fnft_catalog_to_json - the rows as a JSON array
 * @cat: the catalog
 * @out: receives a malloc'd NUL-terminated string; the caller frees it
 *
 * One object per row with the keys id, listener, protocol, listen_ports,
 * remote, remote_ports, direction, note; a port is an integer, a range a
 * string "a-b".  Returns 0 or -ENOMEM.  Deprecated since 0.3 (kept, and
 * working): call it fnft_catalog_json().
 */
int fnft_catalog_to_json(const struct fnft_catalog *cat, char **out);

/** fnft_catalog_json - the rows as a JSON array, as fnft_catalog_to_json()
 *  gives them: the documented name (since 0.3) */
int fnft_catalog_json(const struct fnft_catalog *cat, char **out);

/* ---- row accessors (never NULL for strings; "" when unset) ---- */

const char *fnft_row_id(const struct fnft_row *row);
const char *fnft_row_listener(const struct fnft_row *row);
const char *fnft_row_note(const struct fnft_row *row);
enum fnft_protocol fnft_row_protocol(const struct fnft_row *row);
enum fnft_direction fnft_row_direction(const struct fnft_row *row);
/** Bitwise or of FNFT_ROW_* flags. */
unsigned fnft_row_flags(const struct fnft_row *row);
/** Ports this node listens on; *n receives the count (may be 0). */
const struct fnft_port_range *fnft_row_listen_ports(const struct fnft_row *row,
						    size_t *n);
/** Ports the remote devices listen on; *n receives the count (may be 0). */
const struct fnft_port_range *fnft_row_remote_ports(const struct fnft_row *row,
						    size_t *n);
/** Number of remote groups of the row. */
size_t fnft_row_group_count(const struct fnft_row *row);
/** Remote group @i, or NULL when out of range.  "any" means every address. */
const char *fnft_row_group(const struct fnft_row *row, size_t i);

/** "tcp" or "udp" */
const char *fnft_protocol_name(enum fnft_protocol proto);
/** "inbound", "outbound" or "bidirectional" */
const char *fnft_direction_name(enum fnft_direction dir);

#ifdef __cplusplus
}
#endif

#endif
