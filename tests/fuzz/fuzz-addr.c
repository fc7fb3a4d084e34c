/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the address and port parsers of lib/addr.h, with
 * format/parse round trips as the oracle.
 *
 * The input, cut at its first NUL (a NUL-terminated copy, so that reads
 * past the string's end are caught), is given whole to
 * fnft_addr_parse_host(), fnft_addr_parse() and fnft_ports_parse(); then
 * every line of it to fnft_addr_parse(), the intervals collected per family
 * and normalized.  Aborts when:
 * - a parsed interval, formatted and parsed back, is not the same interval
 *   (or family), or its text needs more than the promised 100 bytes;
 * - a host, formatted, is not plain host text that parses back to it;
 * - fnft_iv_prefix_len() disagrees with the text (a prefix prints as /N);
 * - a normalized list is not strictly ascending and non-touching, does not
 *   cover every input interval, or holds an end no input had;
 * - a port list, formatted and parsed back, differs (before and after
 *   normalization), or a normalized list is not ascending and non-touching;
 * - a failed parse gives no reason, or leaves a port list changed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"

static unsigned width(enum fnft_family fam)
{
	return fam == FNFT_V4 ? 4 : 16;
}

static int addr_cmp(const uint8_t a[16], const uint8_t b[16])
{
	return memcmp(a, b, 16);
}

/* a + 1 within the family's width; false when a is the last address */
static bool addr_next(const uint8_t a[16], enum fnft_family fam, uint8_t next[16])
{
	int i;

	memcpy(next, a, 16);
	for (i = (int)width(fam) - 1; i >= 0; i--)
		if (++next[i] != 0)
			return true;
	return false;
}

static void check_iv_shape(const struct fnft_iv *iv, enum fnft_family fam)
{
	static const uint8_t zero[12];

	CHECK(fam == FNFT_V4 || fam == FNFT_V6);
	CHECK(addr_cmp(iv->lo, iv->hi) <= 0);
	if (fam == FNFT_V4)
		CHECK(memcmp(iv->lo + 4, zero, 12) == 0 && memcmp(iv->hi + 4, zero, 12) == 0);
}

/* format -> parse gives the same interval; the prefix length agrees */
static void roundtrip_iv(const struct fnft_iv *iv, enum fnft_family fam)
{
	char text[128], why[256];
	struct fnft_iv back;
	enum fnft_family bfam;
	int n, plen, rc;

	check_iv_shape(iv, fam);
	memset(text, 'x', sizeof(text));
	n = fnft_iv_format(iv, fam, text, sizeof(text));
	CHECK(n > 0 && n < 100);
	CHECK(strlen(text) == (size_t)n);
	rc = fnft_addr_parse(text, &bfam, &back, why, sizeof(why));
	if (rc)
		fprintf(stderr, "'%s' does not parse back: %s\n", text, why);
	CHECK(rc == 0);
	if (bfam != fam || memcmp(&back, iv, sizeof(back)) != 0)
		fprintf(stderr, "'%s' parses back to another interval\n", text);
	CHECK(bfam == fam);
	CHECK(memcmp(&back, iv, sizeof(back)) == 0);

	plen = fnft_iv_prefix_len(iv, fam);
	CHECK(plen >= -1 && plen <= (int)width(fam) * 8);
	if (plen == (int)width(fam) * 8) {
		CHECK(!strchr(text, '/') && !strchr(text + 1, '-'));
	} else if (plen >= 0) {
		char suffix[8];

		snprintf(suffix, sizeof(suffix), "/%d", plen);
		CHECK(n > (int)strlen(suffix) &&
		      strcmp(text + n - strlen(suffix), suffix) == 0);
	} else {
		CHECK(!strchr(text, '/') && strchr(text, '-'));
	}
}

static void fuzz_host(const char *s)
{
	enum fnft_family fam, fam2;
	uint8_t addr[16], addr2[16];
	struct fnft_iv iv;
	char why[256] = "", text[128];

	if (fnft_addr_parse_host(s, &fam, addr, why, sizeof(why)) != 0) {
		CHECK(why[0] != '\0');
		return;
	}
	memcpy(iv.lo, addr, 16);
	memcpy(iv.hi, addr, 16);
	roundtrip_iv(&iv, fam);
	CHECK(fnft_iv_format(&iv, fam, text, sizeof(text)) < 100);
	CHECK(fnft_addr_parse_host(text, &fam2, addr2, why, sizeof(why)) == 0);
	CHECK(fam2 == fam && memcmp(addr, addr2, 16) == 0);
}

static void fuzz_spec(const char *s)
{
	enum fnft_family fam;
	struct fnft_iv iv;
	char why[256] = "";

	if (fnft_addr_parse(s, &fam, &iv, why, sizeof(why)) != 0) {
		CHECK(why[0] != '\0');
		return;
	}
	roundtrip_iv(&iv, fam);
}

static void check_normalized(const struct fnft_ivlist *norm,
			     const struct fnft_ivlist *orig, enum fnft_family fam)
{
	size_t i, j;

	CHECK(norm->n <= orig->n);
	CHECK((norm->n == 0) == (orig->n == 0));
	for (i = 0; i < norm->n; i++) {
		bool lo_seen = false, hi_seen = false;

		check_iv_shape(&norm->v[i], fam);
		if (i + 1 < norm->n) {
			uint8_t next[16];

			/* strictly ascending and not touching */
			CHECK(addr_next(norm->v[i].hi, fam, next));
			CHECK(addr_cmp(next, norm->v[i + 1].lo) < 0);
		}
		for (j = 0; j < orig->n; j++) {
			lo_seen |= addr_cmp(orig->v[j].lo, norm->v[i].lo) == 0;
			hi_seen |= addr_cmp(orig->v[j].hi, norm->v[i].hi) == 0;
		}
		CHECK(lo_seen && hi_seen);
		roundtrip_iv(&norm->v[i], fam);
	}
	/* every input interval lies inside one merged interval */
	for (j = 0; j < orig->n; j++) {
		bool inside = false;

		for (i = 0; i < norm->n && !inside; i++)
			inside = addr_cmp(norm->v[i].lo, orig->v[j].lo) <= 0 &&
				 addr_cmp(orig->v[j].hi, norm->v[i].hi) <= 0;
		CHECK(inside);
	}
}

static void fuzz_lines(char *s)
{
	struct fnft_ivlist lists[2] = { { 0 } }, copies[2] = { { 0 } };
	char *line, *save = NULL;
	int f;

	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		enum fnft_family fam;
		struct fnft_iv iv;

		if (fnft_addr_parse(line, &fam, &iv, NULL, 0) != 0)
			continue;
		if (fnft_ivlist_add(&lists[fam], &iv) < 0 ||
		    fnft_ivlist_add(&copies[fam], &iv) < 0)
			break;
	}
	for (f = 0; f < 2; f++) {
		struct fnft_ivlist again = { 0 };
		size_t i;

		fnft_ivlist_normalize(&lists[f], (enum fnft_family)f);
		check_normalized(&lists[f], &copies[f], (enum fnft_family)f);
		/* normalizing is idempotent */
		for (i = 0; i < lists[f].n; i++)
			CHECK(fnft_ivlist_add(&again, &lists[f].v[i]) == 0);
		fnft_ivlist_normalize(&again, (enum fnft_family)f);
		CHECK(fnft_ivlist_equal(&again, &lists[f]));
		fnft_ivlist_free(&again);
		fnft_ivlist_free(&lists[f]);
		fnft_ivlist_free(&copies[f]);
	}
}

static char *format_ports(const struct fnft_portlist *l)
{
	int n = fnft_portlist_format(l, NULL, 0);
	char *text;

	CHECK(n >= 0);
	text = malloc((size_t)n + 1);
	CHECK(text != NULL);
	CHECK(fnft_portlist_format(l, text, (size_t)n + 1) == n);
	CHECK(strlen(text) == (size_t)n);
	return text;
}

/* format -> parse gives the same list */
static void roundtrip_ports(const struct fnft_portlist *l)
{
	struct fnft_portlist back = { 0 };
	char why[256] = "", *text = format_ports(l);
	int rc;

	rc = fnft_ports_parse(text, &back, why, sizeof(why));
	if (rc)
		fprintf(stderr, "'%.200s' does not parse back: %s\n", text, why);
	CHECK(rc == 0);
	CHECK(fnft_portlist_equal(&back, l));
	fnft_portlist_free(&back);
	free(text);
}

static void fuzz_ports(const char *s)
{
	struct fnft_portlist l = { 0 }, copy = { 0 };
	char why[256] = "";
	size_t i;
	int rc;

	/* a list that already holds a port: a failed parse must keep it */
	CHECK(fnft_portlist_add(&l, 7, 9) == 0);
	rc = fnft_ports_parse(s, &l, why, sizeof(why));
	if (rc) {
		CHECK(rc == -EINVAL || rc == -ENOMEM);
		CHECK(rc == -ENOMEM || why[0] != '\0');
		CHECK(l.n == 1 && l.v[0].first == 7 && l.v[0].last == 9);
		fnft_portlist_free(&l);
		return;
	}
	CHECK(l.n >= 2);
	for (i = 0; i < l.n; i++)
		CHECK(l.v[i].first >= 1 && l.v[i].first <= l.v[i].last);
	roundtrip_ports(&l);

	CHECK(fnft_portlist_copy(&copy, &l) == 0);
	CHECK(fnft_portlist_equal(&copy, &l));
	fnft_portlist_normalize(&l);
	for (i = 0; i + 1 < l.n; i++)
		CHECK((unsigned)l.v[i].last + 1 < l.v[i + 1].first);
	/* every original range is inside one normalized range */
	for (i = 0; i < copy.n; i++) {
		size_t j;
		bool inside = false;

		for (j = 0; j < l.n && !inside; j++)
			inside = l.v[j].first <= copy.v[i].first &&
				 copy.v[i].last <= l.v[j].last;
		CHECK(inside);
	}
	roundtrip_ports(&l);
	fnft_portlist_free(&copy);
	fnft_portlist_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_host(s);
	fuzz_spec(s);
	fuzz_ports(s);
	fuzz_lines(s);	/* last: it cuts s into lines */
	free(s);
	return 0;
}
