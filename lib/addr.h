/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address and port parsing, interval lists and nft-style formatting.
 *
 * Internal to finesse-nft; not part of the public API.
 */
#ifndef FNFT_ADDR_H
#define FNFT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fnft_family { FNFT_V4 = 0, FNFT_V6 = 1 };

/* An inclusive address interval in network byte order. IPv4 uses bytes 0..3, rest zero. */
struct fnft_iv {
	uint8_t lo[16];
	uint8_t hi[16];
};

/* A growable list of intervals of one family. */
struct fnft_ivlist {
	struct fnft_iv *v;
	size_t n, cap;
};

/* struct fnft_port_range (inclusive; first == last for one port) is public. */
#include <finesse-nft/catalog.h>

struct fnft_portlist {
	struct fnft_port_range *v;
	size_t n, cap;
};

/* Parse one host address (no prefix, no range, no surrounding whitespace):
 * "10.0.0.1" or "2001:db8::1".
 * On success fills *family and addr (network order, 16 bytes, v4 in 0..3) and returns 0.
 * On failure returns -EINVAL and writes a short human reason into why
 * (e.g. "'10.0.0.300' is not an IPv4 or IPv6 address"). why may be NULL. */
int fnft_addr_parse_host(const char *s, enum fnft_family *family, uint8_t addr[16],
			 char *why, size_t whylen);

/* Parse an address spec: a host ("10.0.0.1", "2001:db8::1"), a CIDR ("10.20.0.0/16",
 * "2001:db8::/32"), or a range "a-b" (both ends hosts of the same family, optional
 * spaces around '-'). Leading/trailing whitespace is ignored.
 * Errors return -EINVAL with a reason naming the offending text in why:
 *   not an address; prefix not a number or too long ("prefix /33 is longer than 32");
 *   host bits set ("10.20.1.0/16 has host bits set; did you mean 10.20.0.0/16?");
 *   reversed range ("range 10.0.0.9-10.0.0.1 is reversed"); range mixing families. */
int fnft_addr_parse(const char *s, enum fnft_family *family, struct fnft_iv *out,
		    char *why, size_t whylen);

/* Append a copy of *iv. Returns 0 or -ENOMEM. */
int fnft_ivlist_add(struct fnft_ivlist *l, const struct fnft_iv *iv);

/* Sort and merge overlapping AND adjacent intervals (hi+1 == next lo) in place. After it,
 * the list is strictly ascending and no two intervals touch (nftables interval sets
 * refuse overlaps).  The family says where "+1" carries: IPv4 counts in bytes 0..3. */
void fnft_ivlist_normalize(struct fnft_ivlist *l, enum fnft_family family);

/* Insert @iv into @l, which must be normalized, keeping it so: @iv is
 * merged with every interval it overlaps or touches, in O(log n) compares
 * and one move of the tail.  Returns 0 or -ENOMEM (then @l is unchanged). */
int fnft_ivlist_insert(struct fnft_ivlist *l, const struct fnft_iv *iv,
		       enum fnft_family family);

/* The @i-th address of @l, counting every address of each interval in order, into
 * out (network order).  Returns false when @l holds @i or fewer addresses.  Walks the
 * intervals: meant for lists of hosts, such as a cluster node's, not for networks. */
bool fnft_ivlist_host(const struct fnft_ivlist *l, enum fnft_family family, size_t i,
		      uint8_t out[16]);

/* Whether a normalized @l holds every address of @family (0.0.0.0/0, ::/0, or
 * anything that merges into it). */
bool fnft_ivlist_covers_all(const struct fnft_ivlist *l, enum fnft_family family);

/* Make @dst an exact copy of @src: into @dst's own array when it has room
 * (a kept table's pages are reused), else a new one and the old freed;
 * -ENOMEM leaves @dst as it was. */
int fnft_ivlist_copy(struct fnft_ivlist *dst, const struct fnft_ivlist *src);
/* Frees v and zeroes the struct; NULL-safe. */
void fnft_ivlist_free(struct fnft_ivlist *l);

bool fnft_ivlist_equal(const struct fnft_ivlist *a, const struct fnft_ivlist *b);

/* If iv is exactly one CIDR block, return its prefix length (32/128 for a single host),
 * else -1. */
int fnft_iv_prefix_len(const struct fnft_iv *iv, enum fnft_family family);

/* Format as nft prints set elements: a single host as "10.0.0.1", an exact prefix as
 * "10.20.0.0/16", anything else as a range "10.0.0.1-10.0.0.5". IPv6 in inet_ntop's
 * compressed form ("2001:db8:20::/48"). Returns the length that the full text needs
 * (snprintf semantics); 100 bytes are always enough. */
int fnft_iv_format(const struct fnft_iv *iv, enum fnft_family family, char *buf, size_t len);

/* Parse a port list: comma and/or whitespace separated items, each a port "443" or a
 * range "6000-6010" (spaces around '-' allowed). Appends to *out, which may already hold
 * ports. On error returns -EINVAL with a reason naming the offending item, and leaves
 * *out as it was: "no ports", "'http' is not a port number", "port 0 is not a valid port",
 * "port 70000 is out of range (1-65535)", "port range 9000-8000 is reversed".
 * May also return -ENOMEM. */
int fnft_ports_parse(const char *s, struct fnft_portlist *out, char *why, size_t whylen);

/* Append [first, last]. Returns 0, -EINVAL if first > last, or -ENOMEM. */
int fnft_portlist_add(struct fnft_portlist *l, uint16_t first, uint16_t last);

/* Sort and merge overlapping and adjacent ranges. */
void fnft_portlist_normalize(struct fnft_portlist *l);

/* Frees v and zeroes the struct; NULL-safe. */
void fnft_portlist_free(struct fnft_portlist *l);

bool fnft_portlist_equal(const struct fnft_portlist *a, const struct fnft_portlist *b);

/* dst is overwritten (assumed empty, so nothing is freed). Returns 0 or -ENOMEM; on
 * failure dst is left empty. */
int fnft_portlist_copy(struct fnft_portlist *dst, const struct fnft_portlist *src);

/* Format like nft: "1433", "6000-6010", or for several "80, 8082, 9000-9010" (no braces).
 * snprintf semantics. */
int fnft_portlist_format(const struct fnft_portlist *l, char *buf, size_t len);

#endif /* FNFT_ADDR_H */
