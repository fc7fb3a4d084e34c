/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address and port parsing, interval lists and nft-style formatting.
 *
 * Addresses are kept as 16 big-endian bytes with IPv4 in bytes 0..3 and the rest
 * zero, so memcmp() orders addresses of one family numerically.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "wire.h"

/* Longest host text worth handing to inet_pton(); anything longer is not an address. */
#define HOST_MAX 64

static unsigned int family_bytes(enum fnft_family family)
{
	return (unsigned int)fnft_family_key_len(family);
}

static unsigned int family_bits(enum fnft_family family)
{
	return family_bytes(family) * 8;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool is_ws(char c)
{
	return isspace((unsigned char)c);
}

/* Narrow [*s, *s + *n) so that it has no leading or trailing whitespace. */
static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ws((*s)[*n - 1]))
		(*n)--;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Decimal value of n digits at s. The caller has checked they are all digits, so
 * strtoul cannot meet a sign or junk; overlong input saturates to ULONG_MAX, which
 * every caller treats as out of range.
 */
static unsigned long digits_value(const char *s, size_t n)
{
	unsigned long v = 0;

	/* so many digits always fit: 19 in 64 bits, 9 in 32 */
	if (n > (sizeof(v) == 8 ? 19 : 9))
		return ULONG_MAX;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	return v;
}

/* 1-3 decimal digits at *s, without a leading zero, as *v; *s moves past
 * them.  A fourth digit (or the NUL) is left for the caller to judge. */
static bool small_decimal(const char **s, unsigned *v)
{
	const char *p = *s;
	unsigned d;

	if ((d = (unsigned)(p[0] - '0')) > 9)
		return false;
	*v = d;
	if ((d = (unsigned)(*++p - '0')) <= 9) {
		if (*v == 0)
			return false;	/* a leading zero */
		*v = *v * 10 + d;
		if ((d = (unsigned)(*++p - '0')) <= 9) {
			*v = *v * 10 + d;
			p++;
		}
	}
	*s = p;
	return true;
}

/* A dotted quad at the start of the NUL-terminated @s: its bytes in @addr,
 * and where it ends (NULL if there is none).  What follows is the
 * caller's. */
static const char *quad_scan(const char *s, uint8_t addr[4])
{
	for (int part = 0; part < 4; part++) {
		unsigned v;

		if (!small_decimal(&s, &v) || v > 255)
			return NULL;
		addr[part] = (uint8_t)v;
		if (part < 3 && *s++ != '.')
			return NULL;
	}
	return s;
}

static int parse_host_n(const char *s, size_t n, enum fnft_family *family, uint8_t addr[16],
			char *why, size_t whylen)
{
	char buf[HOST_MAX];
	const char *end;

	memset(addr, 0, 16);
	if (n == 0)
		return fail(why, whylen, "empty address");
	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* the common case, a plain dotted quad, without inet_pton(), which
	 * accepts all of these too and with the same bytes */
	if ((end = quad_scan(buf, addr)) && !*end) {
		*family = FNFT_V4;
		return 0;
	}
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = FNFT_V4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = FNFT_V6;
		return 0;
	}
	memset(addr, 0, 16);
bad:
	return fail(why, whylen, "'%.*s' is not an IPv4 or IPv6 address", (int)n, s);
}

int fnft_addr_parse_host(const char *s, enum fnft_family *family, uint8_t addr[16],
			 char *why, size_t whylen)
{
	if (!s) {
		memset(addr, 0, 16);
		return fail(why, whylen, "no address given");
	}
	return parse_host_n(s, strlen(s), family, addr, why, whylen);
}

/* Network mask byte i of a prefix of plen bits. */
static uint8_t mask_byte(unsigned int plen, unsigned int i)
{
	unsigned int bits;

	if (plen >= 8 * (i + 1))
		return 0xff;
	if (plen <= 8 * i)
		return 0;
	bits = plen - 8 * i;
	return (uint8_t)(0xff << (8 - bits));
}

static void format_addr(enum fnft_family family, const uint8_t addr[16], char *buf, size_t len)
{
	if (!inet_ntop(family == FNFT_V6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
}

static int parse_cidr(const char *s, size_t n, const char *slash, enum fnft_family *family,
		      struct fnft_iv *out, char *why, size_t whylen)
{
	const char *ptext = slash + 1;
	size_t plen_n = (size_t)(s + n - ptext);
	uint8_t addr[16], net[16];
	char nettext[INET6_ADDRSTRLEN];
	unsigned long plen;
	unsigned int bytes;
	bool hostbits = false;
	int r;

	r = parse_host_n(s, (size_t)(slash - s), family, addr, why, whylen);
	if (r < 0)
		return r;

	if (plen_n == 0)
		return fail(why, whylen, "'%.*s' has an empty prefix length", (int)n, s);
	if (!all_digits(ptext, plen_n))
		return fail(why, whylen, "prefix '/%.*s' is not a number", (int)plen_n, ptext);
	plen = digits_value(ptext, plen_n);
	if (plen > family_bits(*family))
		return fail(why, whylen, "prefix /%.*s is longer than %u",
			    (int)plen_n, ptext, family_bits(*family));

	bytes = family_bytes(*family);
	memset(net, 0, sizeof(net));
	for (unsigned int i = 0; i < bytes; i++) {
		net[i] = addr[i] & mask_byte((unsigned int)plen, i);
		hostbits |= net[i] != addr[i];
	}

	/* Silently widening or narrowing a firewall rule is worse than refusing it, but
	 * the user most likely meant the enclosing network, so say which that is. */
	if (hostbits) {
		format_addr(*family, net, nettext, sizeof(nettext));
		return fail(why, whylen, "%.*s has host bits set; did you mean %s/%lu?",
			    (int)n, s, nettext, plen);
	}

	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < bytes; i++) {
		out->lo[i] = net[i];
		out->hi[i] = net[i] | (uint8_t)~mask_byte((unsigned int)plen, i);
	}
	return 0;
}

static int parse_range(const char *s, size_t n, const char *dash, enum fnft_family *family,
		       struct fnft_iv *out, char *why, size_t whylen)
{
	const char *a = s, *b = dash + 1;
	size_t an = (size_t)(dash - s), bn = (size_t)(s + n - b);
	enum fnft_family fa, fb;
	uint8_t lo[16], hi[16];
	int r;

	trim(&a, &an);
	trim(&b, &bn);
	if (an == 0)
		return fail(why, whylen, "range '%.*s' has no start address", (int)n, s);
	if (bn == 0)
		return fail(why, whylen, "range '%.*s' has no end address", (int)n, s);

	r = parse_host_n(a, an, &fa, lo, why, whylen);
	if (r < 0)
		return r;
	r = parse_host_n(b, bn, &fb, hi, why, whylen);
	if (r < 0)
		return r;

	if (fa != fb)
		return fail(why, whylen, "range %.*s-%.*s mixes IPv4 and IPv6",
			    (int)an, a, (int)bn, b);
	if (memcmp(lo, hi, sizeof(lo)) > 0)
		return fail(why, whylen, "range %.*s-%.*s is reversed", (int)an, a, (int)bn, b);

	*family = fa;
	memcpy(out->lo, lo, sizeof(out->lo));
	memcpy(out->hi, hi, sizeof(out->hi));
	return 0;
}

/*
 * The common case of a whole spec, an IPv4 host or network ("a.b.c.d",
 * "a.b.c.d/len") without host bits, in one pass up to its NUL.  Anything
 * else (blanks around it, leading zeros, errors) returns false for the
 * general parser, which gives the same result for whatever this accepts.
 */
static bool v4_spec_fast(const char *s, struct fnft_iv *out)
{
	unsigned plen = 32;
	uint32_t v, host;
	uint8_t a[4];

	s = quad_scan(s, a);
	if (!s)
		return false;
	if (*s == '/') {
		s++;
		if (!small_decimal(&s, &plen) || plen > 32)
			return false;
	}
	if (*s)
		return false;
	v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	host = plen == 32 ? 0 : UINT32_MAX >> plen;
	if (v & host)
		return false;	/* the general parser says what is wrong */
	memset(out, 0, sizeof(*out));
	memcpy(out->lo, a, 4);
	v |= host;
	out->hi[0] = (uint8_t)(v >> 24);
	out->hi[1] = (uint8_t)(v >> 16);
	out->hi[2] = (uint8_t)(v >> 8);
	out->hi[3] = (uint8_t)v;
	return true;
}

int fnft_addr_parse(const char *s, enum fnft_family *family, struct fnft_iv *out,
		    char *why, size_t whylen)
{
	const char *sep;
	size_t n;
	int r;

	if (!s)
		return fail(why, whylen, "no address given");
	if (v4_spec_fast(s, out)) {
		*family = FNFT_V4;
		return 0;
	}
	n = strlen(s);
	trim(&s, &n);
	if (n == 0)
		return fail(why, whylen, "no address given");

	/* No IPv4 or IPv6 host text contains '-', so it always means a range. */
	sep = memchr(s, '-', n);
	if (sep)
		return parse_range(s, n, sep, family, out, why, whylen);

	sep = memchr(s, '/', n);
	if (sep)
		return parse_cidr(s, n, sep, family, out, why, whylen);

	r = parse_host_n(s, n, family, out->lo, why, whylen);
	if (r < 0)
		return r;
	memcpy(out->hi, out->lo, sizeof(out->hi));
	return 0;
}

/* Grow *v (of element size sz) so that it holds at least one more than n elements. */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap <= n) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / sz)
		return -ENOMEM;
	p = realloc(*v, ncap * sz);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

int fnft_ivlist_add(struct fnft_ivlist *l, const struct fnft_iv *iv)
{
	void *v = l->v;
	int r;

	r = grow(&v, &l->cap, l->n, sizeof(*l->v));
	l->v = v;
	if (r < 0)
		return r;
	l->v[l->n++] = *iv;
	return 0;
}

static int iv_cmp(const void *a, const void *b)
{
	const struct fnft_iv *x = a, *y = b;
	int c = memcmp(x->lo, y->lo, sizeof(x->lo));

	return c ? c : memcmp(x->hi, y->hi, sizeof(x->hi));
}

/*
 * Store addr + 1 (within the family's width) in next. Returns false when addr is the
 * last address of the family, where there is no next one to touch.
 */
static bool addr_next(const uint8_t addr[16], enum fnft_family family, uint8_t next[16])
{
	memcpy(next, addr, 16);
	for (unsigned int i = family_bytes(family); i-- > 0;) {
		if (++next[i] != 0)
			return true;
	}
	return false;
}

/* Whether b, which does not start before a, overlaps or directly follows a. */
static bool iv_touches(const struct fnft_iv *a, const struct fnft_iv *b, enum fnft_family family)
{
	uint8_t next[16];

	if (memcmp(b->lo, a->hi, sizeof(b->lo)) <= 0)
		return true;
	return addr_next(a->hi, family, next) && memcmp(next, b->lo, sizeof(next)) == 0;
}

void fnft_ivlist_normalize(struct fnft_ivlist *l, enum fnft_family family)
{
	size_t w = 0;

	bool sorted = true;

	if (l->n < 2)
		return;
	/* sites list networks in order more often than not: skip the sort */
	for (size_t i = 1; i < l->n && sorted; i++)
		sorted = iv_cmp(&l->v[i - 1], &l->v[i]) <= 0;
	if (!sorted)
		qsort(l->v, l->n, sizeof(*l->v), iv_cmp);
	for (size_t i = 1; i < l->n; i++) {
		struct fnft_iv *cur = &l->v[w];

		if (iv_touches(cur, &l->v[i], family)) {
			if (memcmp(l->v[i].hi, cur->hi, sizeof(cur->hi)) > 0)
				memcpy(cur->hi, l->v[i].hi, sizeof(cur->hi));
		} else {
			l->v[++w] = l->v[i];
		}
	}
	l->n = w + 1;
}

/* Whether a ends before b starts, with a gap between them: then a and b
 * stay two intervals of a normalized list. */
static bool iv_before(const struct fnft_iv *a, const struct fnft_iv *b,
		      enum fnft_family family)
{
	uint8_t next[16];

	return memcmp(a->hi, b->lo, sizeof(a->hi)) < 0 &&
	       !(addr_next(a->hi, family, next) && memcmp(next, b->lo, sizeof(next)) == 0);
}

int fnft_ivlist_insert(struct fnft_ivlist *l, const struct fnft_iv *iv,
		       enum fnft_family family)
{
	size_t first, end, lo, hi;
	struct fnft_iv m = *iv;

	/* the first interval not wholly before @iv, the first wholly after */
	for (lo = 0, hi = l->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (iv_before(&l->v[mid], iv, family))
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	for (hi = l->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (iv_before(iv, &l->v[mid], family))
			hi = mid;
		else
			lo = mid + 1;
	}
	end = lo;
	if (first == end) {		/* touches nothing: one more interval */
		int rc = fnft_ivlist_add(l, iv);

		if (rc < 0)
			return rc;
		memmove(&l->v[first + 1], &l->v[first],
			(l->n - 1 - first) * sizeof(*l->v));
		l->v[first] = m;
		return 0;
	}
	/* [first, end) and @iv become one */
	if (memcmp(l->v[first].lo, m.lo, sizeof(m.lo)) < 0)
		memcpy(m.lo, l->v[first].lo, sizeof(m.lo));
	if (memcmp(l->v[end - 1].hi, m.hi, sizeof(m.hi)) > 0)
		memcpy(m.hi, l->v[end - 1].hi, sizeof(m.hi));
	l->v[first] = m;
	memmove(&l->v[first + 1], &l->v[end], (l->n - end) * sizeof(*l->v));
	l->n -= end - first - 1;
	return 0;
}

bool fnft_ivlist_host(const struct fnft_ivlist *l, enum fnft_family family, size_t i,
		      uint8_t out[16])
{
	for (size_t k = 0; k < l->n; k++) {
		uint8_t a[16];

		memcpy(a, l->v[k].lo, sizeof(a));
		for (;;) {
			if (i-- == 0) {
				memcpy(out, a, sizeof(a));
				return true;
			}
			if (memcmp(a, l->v[k].hi, sizeof(a)) == 0 || !addr_next(a, family, a))
				break;
		}
	}
	return false;
}

bool fnft_ivlist_covers_all(const struct fnft_ivlist *l, enum fnft_family family)
{
	unsigned int w = family_bytes(family);

	if (l->n != 1)
		return false;
	for (unsigned int i = 0; i < w; i++)
		if (l->v[0].lo[i] != 0 || l->v[0].hi[i] != 0xff)
			return false;
	return true;
}

int fnft_ivlist_copy(struct fnft_ivlist *dst, const struct fnft_ivlist *src)
{
	struct fnft_ivlist c = { 0 };

	if (dst == src)
		return 0;
	if (dst->v && dst->cap >= src->n && src->n) {	/* into what dst has */
		memmove(dst->v, src->v, src->n * sizeof(*dst->v));
		dst->n = src->n;
		return 0;
	}
	if (src->n) {
		c.v = malloc(src->n * sizeof(*c.v));
		if (!c.v)
			return -ENOMEM;
		memcpy(c.v, src->v, src->n * sizeof(*c.v));
		c.n = c.cap = src->n;
	}
	fnft_ivlist_free(dst);
	*dst = c;
	return 0;
}

void fnft_ivlist_free(struct fnft_ivlist *l)
{
	if (!l)
		return;
	free(l->v);
	*l = (struct fnft_ivlist){ 0 };
}

bool fnft_ivlist_equal(const struct fnft_ivlist *a, const struct fnft_ivlist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (iv_cmp(&a->v[i], &b->v[i]) != 0)
			return false;
	return true;
}

int fnft_iv_prefix_len(const struct fnft_iv *iv, enum fnft_family family)
{
	unsigned int bytes = family_bytes(family), i = 0, k;
	uint8_t x;

	while (i < bytes && iv->lo[i] == iv->hi[i])
		i++;
	if (i == bytes)
		return (int)(8 * bytes);
	/* A block: in the first byte that differs, lo and hi agree above a run
	 * of low bits that is clear in lo and set in hi (which also rejects
	 * lo > hi); every later byte is 0 in lo and 0xff in hi. */
	x = iv->lo[i] ^ iv->hi[i];
	if ((x & (x + 1)) || (iv->lo[i] & x) || (iv->hi[i] & x) != x)
		return -1;
	for (k = i + 1; k < bytes; k++)
		if (iv->lo[k] || iv->hi[k] != 0xff)
			return -1;
	return (int)(8 * i + 8 - (unsigned)__builtin_popcount(x));
}

/* A dotted quad at @p; returns the end.  @p has room for 15 bytes. */
static char *put_quad(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	return p;
}

/*
 * An IPv6 address at @p, as glibc's inet_ntop() writes it (and so as nft
 * prints it): lowercase hex groups without leading zeros, the first
 * longest run of two or more zero groups as "::", and the last 32 bits as
 * a dotted quad after 96 zero bits (but "::" and "::1" themselves) or
 * after ::ffff.  Returns the end.
 */
static char *put_v6(char *p, const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8], i, run = 0, best = 8, best_len = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		run = w[i] ? 0 : run + 1;
		if (run > best_len)
			best = i + 1 - run, best_len = run;
	}
	if (best_len < 2)
		best = 8, best_len = 0;
	for (i = 0; i < 8; i++) {
		if (i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_quad(p, a + 12);
		for (int shift = 12; shift >= 0; shift -= 4)
			if (w[i] >> shift || !shift)
				*p++ = hex[w[i] >> shift & 0xf];
	}
	if (best_len && best + best_len == 8)
		*p++ = ':';
	return p;
}

/* An address at @p (room for INET6_ADDRSTRLEN); returns the end. */
static char *put_addr(char *p, enum fnft_family family, const uint8_t addr[16])
{
	return family == FNFT_V4 ? put_quad(p, addr) : put_v6(p, addr);
}

int fnft_iv_format(const struct fnft_iv *iv, enum fnft_family family, char *buf, size_t len)
{
	char text[2 * INET6_ADDRSTRLEN + 2], *p;
	int plen = fnft_iv_prefix_len(iv, family);
	size_t n;

	p = put_addr(text, family, iv->lo);
	if (plen >= 0 && plen < (int)family_bits(family)) {
		*p++ = '/';
		if (plen >= 100)
			*p++ = (char)('0' + plen / 100);
		if (plen >= 10)
			*p++ = (char)('0' + plen / 10 % 10);
		*p++ = (char)('0' + plen % 10);
	} else if (plen < 0) {
		*p++ = '-';
		p = put_addr(p, family, iv->hi);
	}
	/* as snprintf(): the whole length, the text cut to fit */
	n = (size_t)(p - text);
	if (len) {
		size_t k = n < len - 1 ? n : len - 1;

		memcpy(buf, text, k);
		buf[k] = '\0';
	}
	return (int)n;
}

static bool is_port_sep(char c)
{
	return c == ',' || is_ws(c);
}

static const char *skip_ws(const char *p)
{
	while (*p && is_ws(*p))
		p++;
	return p;
}

static const char *word_end(const char *p)
{
	while (*p && !is_port_sep(*p))
		p++;
	return p;
}

/*
 * End of the item starting at p. Whitespace separates items, except around '-', so
 * that "6000 - 6010" reads as one range like "6000-6010" does.
 */
static const char *port_item_end(const char *p)
{
	const char *end = word_end(p);

	for (;;) {
		const char *q = skip_ws(end);

		if (*q == '-' || (end[-1] == '-' && *q && *q != ','))
			end = word_end(q + (*q == '-'));
		else
			return end;
	}
}

static int parse_port(const char *s, size_t n, const char *item, size_t itemn,
		      uint16_t *port, char *why, size_t whylen)
{
	unsigned long v;

	if (!all_digits(s, n))
		return fail(why, whylen, "'%.*s' is not a port number", (int)itemn, item);
	v = digits_value(s, n);
	if (v == 0)
		return fail(why, whylen, "port %.*s is not a valid port", (int)n, s);
	if (v > 65535)
		return fail(why, whylen, "port %.*s is out of range (1-65535)", (int)n, s);
	*port = (uint16_t)v;
	return 0;
}

static int parse_port_item(const char *s, size_t n, uint16_t *first, uint16_t *last,
			   char *why, size_t whylen)
{
	const char *dash = memchr(s, '-', n);
	const char *a = s, *b;
	size_t an = n, bn;
	int r;

	if (!dash) {
		r = parse_port(s, n, s, n, first, why, whylen);
		*last = *first;
		return r;
	}

	an = (size_t)(dash - s);
	b = dash + 1;
	bn = (size_t)(s + n - b);
	trim(&a, &an);
	trim(&b, &bn);
	r = parse_port(a, an, s, n, first, why, whylen);
	if (r < 0)
		return r;
	r = parse_port(b, bn, s, n, last, why, whylen);
	if (r < 0)
		return r;
	if (*first > *last)
		return fail(why, whylen, "port range %u-%u is reversed", *first, *last);
	return 0;
}

int fnft_ports_parse(const char *s, struct fnft_portlist *out, char *why, size_t whylen)
{
	size_t orig_n = out->n;
	const char *p = s ? s : "";
	bool any = false;
	int r;

	for (;;) {
		uint16_t first, last;
		const char *end;

		while (*p && is_port_sep(*p))
			p++;
		if (!*p)
			break;
		end = port_item_end(p);
		r = parse_port_item(p, (size_t)(end - p), &first, &last, why, whylen);
		if (r >= 0)
			r = fnft_portlist_add(out, first, last);
		if (r < 0)
			goto undo;
		any = true;
		p = end;
	}
	if (!any)
		return fail(why, whylen, "no ports");
	return 0;

undo:
	/* Half a list would open or close ports nobody asked about. */
	out->n = orig_n;
	return r;
}

int fnft_portlist_add(struct fnft_portlist *l, uint16_t first, uint16_t last)
{
	void *v = l->v;
	int r;

	if (first > last)
		return -EINVAL;
	r = grow(&v, &l->cap, l->n, sizeof(*l->v));
	l->v = v;
	if (r < 0)
		return r;
	l->v[l->n++] = (struct fnft_port_range){ .first = first, .last = last };
	return 0;
}

static int port_range_cmp(const void *a, const void *b)
{
	const struct fnft_port_range *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return 0;
}

void fnft_portlist_normalize(struct fnft_portlist *l)
{
	size_t w = 0;

	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), port_range_cmp);
	for (size_t i = 1; i < l->n; i++) {
		struct fnft_port_range *cur = &l->v[w];

		/* Widened so that last == 65535 cannot wrap to 0. */
		if ((uint32_t)l->v[i].first <= (uint32_t)cur->last + 1) {
			if (l->v[i].last > cur->last)
				cur->last = l->v[i].last;
		} else {
			l->v[++w] = l->v[i];
		}
	}
	l->n = w + 1;
}

void fnft_portlist_free(struct fnft_portlist *l)
{
	if (!l)
		return;
	free(l->v);
	*l = (struct fnft_portlist){ 0 };
}

bool fnft_portlist_equal(const struct fnft_portlist *a, const struct fnft_portlist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (port_range_cmp(&a->v[i], &b->v[i]) != 0)
			return false;
	return true;
}

int fnft_portlist_copy(struct fnft_portlist *dst, const struct fnft_portlist *src)
{
	*dst = (struct fnft_portlist){ 0 };
	if (src->n == 0)
		return 0;
	dst->v = calloc(src->n, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

/* snprintf onto the end of buf, counting what would have been written beyond len. */
__attribute__((format(printf, 4, 5)))
static void buf_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	if (*off < len)
		r = vsnprintf(buf + *off, len - *off, fmt, ap);
	else
		r = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		*off += (size_t)r;
}

int fnft_portlist_format(const struct fnft_portlist *l, char *buf, size_t len)
{
	size_t off = 0;

	if (buf && len > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		const struct fnft_port_range *pr = &l->v[i];

		if (i > 0)
			buf_append(buf, len, &off, ", ");
		if (pr->first == pr->last)
			buf_append(buf, len, &off, "%u", pr->first);
		else
			buf_append(buf, len, &off, "%u-%u", pr->first, pr->last);
	}
	return off > INT_MAX ? INT_MAX : (int)off;
}
