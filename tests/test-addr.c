/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/addr.c. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* Build an interval from two host texts; aborts the test if either does not parse. */
static struct fnft_iv iv_of(const char *lo, const char *hi)
{
	struct fnft_iv iv;
	enum fnft_family f1, f2;
	char why[128];

	ck_assert_int_eq(fnft_addr_parse_host(lo, &f1, iv.lo, why, sizeof(why)), 0);
	ck_assert_int_eq(fnft_addr_parse_host(hi, &f2, iv.hi, why, sizeof(why)), 0);
	ck_assert_int_eq(f1, f2);
	return iv;
}

/* Parse s, expect success, and return its nft formatting. */
static const char *parse_fmt(const char *s, enum fnft_family want_family)
{
	static char buf[128];
	enum fnft_family family = !want_family;
	struct fnft_iv iv;
	char why[256] = "";
	int r;

	r = fnft_addr_parse(s, &family, &iv, why, sizeof(why));
	ck_assert_msg(r == 0, "parse '%s' failed: %d (%s)", s, r, why);
	ck_assert_int_eq(family, want_family);
	fnft_iv_format(&iv, family, buf, sizeof(buf));
	return buf;
}

/* Parse s, expect -EINVAL, and return the reason. */
static const char *parse_err(const char *s)
{
	static char why[256];
	enum fnft_family family;
	struct fnft_iv iv;

	why[0] = '\0';
	ck_assert_msg(fnft_addr_parse(s, &family, &iv, why, sizeof(why)) == -EINVAL,
		      "'%s' unexpectedly parsed", s);
	ck_assert_msg(why[0] != '\0', "no reason for '%s'", s);
	return why;
}

static void check_addr(const uint8_t a[16], int af, const char *text)
{
	uint8_t want[16] = { 0 };

	ck_assert_int_eq(inet_pton(af, text, want), 1);
	ck_assert_mem_eq(a, want, 16);
}

START_TEST(test_host_v4)
{
	enum fnft_family family = FNFT_V6;
	uint8_t addr[16];
	uint8_t want[16] = { 10, 0, 0, 1 };
	char why[64] = "";

	memset(addr, 0xaa, sizeof(addr));
	ck_assert_int_eq(fnft_addr_parse_host("10.0.0.1", &family, addr, why, sizeof(why)), 0);
	ck_assert_int_eq(family, FNFT_V4);
	/* Bytes beyond the IPv4 address must be zero, not left over. */
	ck_assert_mem_eq(addr, want, 16);

	ck_assert_int_eq(fnft_addr_parse_host("255.255.255.255", &family, addr, why, sizeof(why)), 0);
	ck_assert_int_eq(addr[0] & addr[1] & addr[2] & addr[3], 255);
	ck_assert_int_eq(addr[4], 0);
}
END_TEST

START_TEST(test_host_v6)
{
	enum fnft_family family = FNFT_V4;
	uint8_t addr[16];
	char why[64] = "";

	ck_assert_int_eq(fnft_addr_parse_host("2001:db8::1", &family, addr, why, sizeof(why)), 0);
	ck_assert_int_eq(family, FNFT_V6);
	check_addr(addr, AF_INET6, "2001:db8::1");
	ck_assert_int_eq(addr[0], 0x20);
	ck_assert_int_eq(addr[15], 1);

	ck_assert_int_eq(fnft_addr_parse_host("::", &family, addr, why, sizeof(why)), 0);
	ck_assert_int_eq(family, FNFT_V6);
	ck_assert_int_eq(fnft_addr_parse_host("::ffff:10.0.0.1", &family, addr, why, sizeof(why)), 0);
	ck_assert_int_eq(family, FNFT_V6);
}
END_TEST

START_TEST(test_host_errors)
{
	static const char *const bad[] = {
		"10.0.0.300", "10.1", "010.0.0.1", "10.0.0.1/32", "10.0.0.1-10.0.0.2",
		" 10.0.0.1", "", "host.example", "2001:db8:::1", "fe80::1%eth0", "1.2.3.4.5",
	};
	enum fnft_family family;
	uint8_t addr[16];
	char why[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(fnft_addr_parse_host(bad[i], &family, addr, why, sizeof(why)) == -EINVAL,
			      "'%s' unexpectedly parsed", bad[i]);
		ck_assert_msg(why[0] != '\0', "no reason for '%s'", bad[i]);
	}

	fnft_addr_parse_host("10.0.0.300", &family, addr, why, sizeof(why));
	ck_assert_str_eq(why, "'10.0.0.300' is not an IPv4 or IPv6 address");

	/* A NULL or tiny reason buffer must be safe. */
	ck_assert_int_eq(fnft_addr_parse_host("nope", &family, addr, NULL, 0), -EINVAL);
	ck_assert_int_eq(fnft_addr_parse_host("nope", &family, addr, why, 4), -EINVAL);
	ck_assert_str_eq(why, "'no");
}
END_TEST

START_TEST(test_parse_host_spec)
{
	ck_assert_str_eq(parse_fmt("10.0.0.1", FNFT_V4), "10.0.0.1");
	ck_assert_str_eq(parse_fmt("  10.0.0.1\t\n", FNFT_V4), "10.0.0.1");
	ck_assert_str_eq(parse_fmt("2001:db8::1", FNFT_V6), "2001:db8::1");
	ck_assert_str_eq(parse_fmt("2001:0db8:0000::0001", FNFT_V6), "2001:db8::1");
}
END_TEST

START_TEST(test_parse_cidr)
{
	enum fnft_family family;
	struct fnft_iv iv;
	char why[128];

	ck_assert_int_eq(fnft_addr_parse("10.20.0.0/16", &family, &iv, why, sizeof(why)), 0);
	ck_assert_int_eq(family, FNFT_V4);
	check_addr(iv.lo, AF_INET, "10.20.0.0");
	check_addr(iv.hi, AF_INET, "10.20.255.255");

	ck_assert_int_eq(fnft_addr_parse("2001:db8::/32", &family, &iv, why, sizeof(why)), 0);
	ck_assert_int_eq(family, FNFT_V6);
	check_addr(iv.lo, AF_INET6, "2001:db8::");
	check_addr(iv.hi, AF_INET6, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");

	/* Non-octet prefix: the mask splits a byte. */
	ck_assert_int_eq(fnft_addr_parse("192.168.4.0/22", &family, &iv, why, sizeof(why)), 0);
	check_addr(iv.hi, AF_INET, "192.168.7.255");

	ck_assert_str_eq(parse_fmt("10.20.0.0/16", FNFT_V4), "10.20.0.0/16");
	ck_assert_str_eq(parse_fmt("10.0.0.0/08", FNFT_V4), "10.0.0.0/8");
	ck_assert_str_eq(parse_fmt("10.0.0.1/32", FNFT_V4), "10.0.0.1");
	ck_assert_str_eq(parse_fmt("0.0.0.0/0", FNFT_V4), "0.0.0.0/0");
	ck_assert_str_eq(parse_fmt("2001:db8:20::/48", FNFT_V6), "2001:db8:20::/48");
	ck_assert_str_eq(parse_fmt("::/0", FNFT_V6), "::/0");
	ck_assert_str_eq(parse_fmt("2001:db8::1/128", FNFT_V6), "2001:db8::1");
	ck_assert_str_eq(parse_fmt(" 2001:db8::/33 ", FNFT_V6), "2001:db8::/33");
}
END_TEST

START_TEST(test_parse_cidr_top_of_space)
{
	enum fnft_family family;
	struct fnft_iv iv;
	char why[128];

	ck_assert_int_eq(fnft_addr_parse("255.255.255.255/32", &family, &iv, why, sizeof(why)), 0);
	check_addr(iv.hi, AF_INET, "255.255.255.255");
	ck_assert_int_eq(fnft_addr_parse("255.255.255.0/24", &family, &iv, why, sizeof(why)), 0);
	check_addr(iv.hi, AF_INET, "255.255.255.255");
	ck_assert_int_eq(fnft_addr_parse("0.0.0.0/0", &family, &iv, why, sizeof(why)), 0);
	check_addr(iv.lo, AF_INET, "0.0.0.0");
	check_addr(iv.hi, AF_INET, "255.255.255.255");
	ck_assert_int_eq(fnft_addr_parse("::/0", &family, &iv, why, sizeof(why)), 0);
	check_addr(iv.hi, AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_int_eq(fnft_addr_parse("ffff::/16", &family, &iv, why, sizeof(why)), 0);
	check_addr(iv.hi, AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}
END_TEST

START_TEST(test_parse_range)
{
	enum fnft_family family;
	struct fnft_iv iv;
	char why[128];

	ck_assert_int_eq(fnft_addr_parse("10.0.0.1-10.0.0.5", &family, &iv, why, sizeof(why)), 0);
	ck_assert_int_eq(family, FNFT_V4);
	check_addr(iv.lo, AF_INET, "10.0.0.1");
	check_addr(iv.hi, AF_INET, "10.0.0.5");

	ck_assert_str_eq(parse_fmt("10.0.0.1-10.0.0.5", FNFT_V4), "10.0.0.1-10.0.0.5");
	ck_assert_str_eq(parse_fmt(" 10.0.0.1 - 10.0.0.5 ", FNFT_V4), "10.0.0.1-10.0.0.5");
	ck_assert_str_eq(parse_fmt("10.0.0.1\t-10.0.0.5", FNFT_V4), "10.0.0.1-10.0.0.5");
	/* A range that happens to be a block prints as nft would, as a prefix. */
	ck_assert_str_eq(parse_fmt("10.0.0.0-10.0.0.255", FNFT_V4), "10.0.0.0/24");
	ck_assert_str_eq(parse_fmt("10.0.0.7-10.0.0.7", FNFT_V4), "10.0.0.7");
	ck_assert_str_eq(parse_fmt("2001:db8::1-2001:db8::ff", FNFT_V6), "2001:db8::1-2001:db8::ff");
	ck_assert_str_eq(parse_fmt("0.0.0.0-255.255.255.255", FNFT_V4), "0.0.0.0/0");
}
END_TEST

START_TEST(test_parse_errors)
{
	ck_assert_str_eq(parse_err("10.0.0.300"), "'10.0.0.300' is not an IPv4 or IPv6 address");
	ck_assert_str_eq(parse_err("  bogus  "), "'bogus' is not an IPv4 or IPv6 address");
	ck_assert_ptr_nonnull(strstr(parse_err(""), "no address"));
	ck_assert_ptr_nonnull(strstr(parse_err("   "), "no address"));
	ck_assert_ptr_nonnull(strstr(parse_err(NULL), "no address"));
	ck_assert_str_eq(parse_err("10.1"), "'10.1' is not an IPv4 or IPv6 address");
	ck_assert_str_eq(parse_err("010.0.0.1"), "'010.0.0.1' is not an IPv4 or IPv6 address");
	ck_assert_str_eq(parse_err("10.0.0.0 /8"), "'10.0.0.0 ' is not an IPv4 or IPv6 address");

	/* Prefixes. */
	ck_assert_str_eq(parse_err("10.0.0.0/33"), "prefix /33 is longer than 32");
	ck_assert_str_eq(parse_err("2001:db8::/129"), "prefix /129 is longer than 128");
	ck_assert_str_eq(parse_err("10.0.0.0/99999999999999999999999"),
			 "prefix /99999999999999999999999 is longer than 32");
	ck_assert_str_eq(parse_err("10.0.0.0/abc"), "prefix '/abc' is not a number");
	ck_assert_str_eq(parse_err("10.0.0.0/+8"), "prefix '/+8' is not a number");
	ck_assert_str_eq(parse_err("10.0.0.0/-8"), "'10.0.0.0/' is not an IPv4 or IPv6 address");
	ck_assert_str_eq(parse_err("10.0.0.0/ 8"), "prefix '/ 8' is not a number");
	ck_assert_str_eq(parse_err("10.0.0.0/8x"), "prefix '/8x' is not a number");
	ck_assert_str_eq(parse_err("10.0.0.0/8/8"), "prefix '/8/8' is not a number");
	ck_assert_ptr_nonnull(strstr(parse_err("10.0.0.0/"), "'10.0.0.0/' has an empty prefix"));
	ck_assert_str_eq(parse_err("10.0.0.300/8"), "'10.0.0.300' is not an IPv4 or IPv6 address");

	/* Host bits. */
	ck_assert_str_eq(parse_err("10.20.1.0/16"),
			 "10.20.1.0/16 has host bits set; did you mean 10.20.0.0/16?");
	ck_assert_str_eq(parse_err(" 10.20.1.0/16 "),
			 "10.20.1.0/16 has host bits set; did you mean 10.20.0.0/16?");
	ck_assert_str_eq(parse_err("192.168.5.1/22"),
			 "192.168.5.1/22 has host bits set; did you mean 192.168.4.0/22?");
	ck_assert_str_eq(parse_err("10.0.0.1/0"),
			 "10.0.0.1/0 has host bits set; did you mean 0.0.0.0/0?");
	ck_assert_str_eq(parse_err("2001:db8:20::1/48"),
			 "2001:db8:20::1/48 has host bits set; did you mean 2001:db8:20::/48?");

	/* Ranges. */
	ck_assert_str_eq(parse_err("10.0.0.9-10.0.0.1"), "range 10.0.0.9-10.0.0.1 is reversed");
	ck_assert_str_eq(parse_err("10.0.0.9 - 10.0.0.1"), "range 10.0.0.9-10.0.0.1 is reversed");
	ck_assert_str_eq(parse_err("2001:db8::9-2001:db8::1"),
			 "range 2001:db8::9-2001:db8::1 is reversed");
	ck_assert_str_eq(parse_err("10.0.0.1-2001:db8::1"),
			 "range 10.0.0.1-2001:db8::1 mixes IPv4 and IPv6");
	ck_assert_str_eq(parse_err("10.0.0.1-10.0.0.300"),
			 "'10.0.0.300' is not an IPv4 or IPv6 address");
	ck_assert_str_eq(parse_err("10.0.0.1-"), "range '10.0.0.1-' has no end address");
	ck_assert_str_eq(parse_err("-10.0.0.1"), "range '-10.0.0.1' has no start address");
	ck_assert_str_eq(parse_err("10.0.0.1-10.0.0.2-10.0.0.3"),
			 "'10.0.0.2-10.0.0.3' is not an IPv4 or IPv6 address");
	ck_assert_str_eq(parse_err("10.0.0.0/24-10.0.1.0/24"),
			 "'10.0.0.0/24' is not an IPv4 or IPv6 address");
}
END_TEST

START_TEST(test_prefix_len)
{
	struct fnft_iv iv;

	iv = iv_of("10.0.0.1", "10.0.0.1");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), 32);
	iv = iv_of("10.0.0.0", "10.0.0.255");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), 24);
	iv = iv_of("10.0.0.0", "10.0.1.255");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), 23);
	iv = iv_of("10.0.1.0", "10.0.2.255");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), -1);
	iv = iv_of("10.0.0.1", "10.0.0.5");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), -1);
	iv = iv_of("10.0.0.0", "10.0.0.254");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), -1);
	iv = iv_of("0.0.0.0", "255.255.255.255");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), 0);
	iv = iv_of("10.0.0.5", "10.0.0.4");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V4), -1);

	iv = iv_of("2001:db8::1", "2001:db8::1");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V6), 128);
	iv = iv_of("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V6), 32);
	iv = iv_of("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V6), 0);
	iv = iv_of("2001:db8::", "2001:db8::2");
	ck_assert_int_eq(fnft_iv_prefix_len(&iv, FNFT_V6), -1);
}
END_TEST

START_TEST(test_iv_format)
{
	struct fnft_iv iv;
	char buf[100];
	int r;

	iv = iv_of("10.0.0.1", "10.0.0.1");
	ck_assert_int_eq(fnft_iv_format(&iv, FNFT_V4, buf, sizeof(buf)), 8);
	ck_assert_str_eq(buf, "10.0.0.1");

	iv = iv_of("10.20.0.0", "10.20.255.255");
	fnft_iv_format(&iv, FNFT_V4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.20.0.0/16");

	iv = iv_of("10.0.0.1", "10.0.0.5");
	r = fnft_iv_format(&iv, FNFT_V4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0.0.1-10.0.0.5");
	ck_assert_int_eq(r, (int)strlen("10.0.0.1-10.0.0.5"));

	iv = iv_of("2001:db8:20::", "2001:db8:20:ffff:ffff:ffff:ffff:ffff");
	fnft_iv_format(&iv, FNFT_V6, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8:20::/48");

	iv = iv_of("2001:db8::1", "2001:db8::1");
	fnft_iv_format(&iv, FNFT_V6, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::1");

	iv = iv_of("2001:db8::1", "2001:db8::3");
	fnft_iv_format(&iv, FNFT_V6, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::1-2001:db8::3");

	/* The longest possible text fits in 100 bytes. */
	iv = iv_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	iv.lo[15] = 0xfd;
	r = fnft_iv_format(&iv, FNFT_V6, buf, sizeof(buf));
	ck_assert_int_lt(r, 100);
	ck_assert_str_eq(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

	/* snprintf semantics: truncated, NUL-terminated, full length returned. */
	iv = iv_of("10.0.0.1", "10.0.0.5");
	r = fnft_iv_format(&iv, FNFT_V4, buf, 5);
	ck_assert_int_eq(r, 17);
	ck_assert_str_eq(buf, "10.0");
	ck_assert_int_eq(fnft_iv_format(&iv, FNFT_V4, NULL, 0), 17);
}
END_TEST

/* Normalize a list of "lo-hi"/CIDR/host specs and compare its formatting with want. */
static void check_normalized(const char *const *specs, size_t nspecs, const char *want,
			     enum fnft_family family, bool explicit_family)
{
	struct fnft_ivlist l = { 0 };
	char out[1024] = "", one[100], why[128];

	for (size_t i = 0; i < nspecs; i++) {
		enum fnft_family f;
		struct fnft_iv iv;

		ck_assert_msg(fnft_addr_parse(specs[i], &f, &iv, why, sizeof(why)) == 0,
			      "%s: %s", specs[i], why);
		ck_assert_int_eq(f, family);
		ck_assert_int_eq(fnft_ivlist_add(&l, &iv), 0);
	}
	(void)explicit_family;
	fnft_ivlist_normalize(&l, family);

	for (size_t i = 0; i < l.n; i++) {
		fnft_iv_format(&l.v[i], family, one, sizeof(one));
		if (i > 0)
			strcat(out, ", ");
		strcat(out, one);
		/* Strictly ascending, no touching neighbours. */
		if (i > 0)
			ck_assert_int_lt(memcmp(l.v[i - 1].hi, l.v[i].lo, 16), 0);
	}
	ck_assert_str_eq(out, want);
	fnft_ivlist_free(&l);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(l.cap, 0);
}

#define CHECK_NORM(family, want, ...)                                                        \
	do {                                                                                 \
		static const char *const specs_[] = { __VA_ARGS__ };                         \
		check_normalized(specs_, sizeof(specs_) / sizeof(specs_[0]), want, family,   \
				 false);                                                     \
		check_normalized(specs_, sizeof(specs_) / sizeof(specs_[0]), want, family,   \
				 true);                                                      \
	} while (0)

START_TEST(test_normalize_v4)
{
	/* Adjacent halves become one block. */
	CHECK_NORM(FNFT_V4, "10.0.0.0/24", "10.0.0.128/25", "10.0.0.0/25");
	/* Overlap. */
	CHECK_NORM(FNFT_V4, "10.0.0.1-10.0.0.9", "10.0.0.5-10.0.0.9", "10.0.0.1-10.0.0.6");
	/* Adjacency across an octet boundary. */
	CHECK_NORM(FNFT_V4, "10.0.0.200-10.0.1.10", "10.0.0.200-10.0.0.255", "10.0.1.0-10.0.1.10");
	/* Containment, in either order. */
	CHECK_NORM(FNFT_V4, "10.0.0.0/8", "10.1.2.3", "10.0.0.0/8", "10.200.0.0/16");
	/* Gaps of one address are kept. */
	CHECK_NORM(FNFT_V4, "10.0.0.1, 10.0.0.3", "10.0.0.3", "10.0.0.1");
	/* Duplicates and unsorted input. */
	CHECK_NORM(FNFT_V4, "10.0.0.1, 192.168.0.0/16", "192.168.0.0/16", "10.0.0.1",
		   "192.168.0.0/16", "10.0.0.1");
	/* A chain where only the merged result reaches the next element. */
	CHECK_NORM(FNFT_V4, "10.0.0.0-10.0.0.30", "10.0.0.0-10.0.0.10", "10.0.0.5-10.0.0.20",
		   "10.0.0.21-10.0.0.30");
	/* A large interval swallowing several later ones, followed by a separate one. */
	CHECK_NORM(FNFT_V4, "10.0.0.0-10.0.0.100, 10.0.0.102", "10.0.0.0-10.0.0.100",
		   "10.0.0.2", "10.0.0.50-10.0.0.60", "10.0.0.102");
	/* Single element lists are untouched. */
	CHECK_NORM(FNFT_V4, "10.0.0.1-10.0.0.5", "10.0.0.1-10.0.0.5");
}
END_TEST

START_TEST(test_normalize_v6)
{
	CHECK_NORM(FNFT_V6, "2001:db8::/32", "2001:db8:8000::/33", "2001:db8::/33");
	CHECK_NORM(FNFT_V6, "2001:db8::1-2001:db8::9", "2001:db8::5-2001:db8::9",
		   "2001:db8::1-2001:db8::4");
	CHECK_NORM(FNFT_V6, "2001:db8::/32, 2001:db9::1", "2001:db9::1", "2001:db8::/48",
		   "2001:db8::/32");
	/* Carry across a 16-bit group. */
	CHECK_NORM(FNFT_V6, "2001:db8::fff0-2001:db8::1:10", "2001:db8::fff0-2001:db8::ffff",
		   "2001:db8::1:0-2001:db8::1:10");
}
END_TEST

START_TEST(test_normalize_family_explicit)
{
	/*
	 * Hosts whose low 96 bits are clear are indistinguishable from IPv4 by content
	 * alone; with the family given they must not be taken as adjacent.
	 */
	struct fnft_ivlist l = { 0 };
	struct fnft_iv a = iv_of("2001:db8::", "2001:db8::");
	struct fnft_iv b = iv_of("2001:db9::", "2001:db9::");

	ck_assert_int_eq(fnft_ivlist_add(&l, &b), 0);
	ck_assert_int_eq(fnft_ivlist_add(&l, &a), 0);
	fnft_ivlist_normalize(&l, FNFT_V6);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_mem_eq(l.v[0].lo, a.lo, 16);
	ck_assert_mem_eq(l.v[1].lo, b.lo, 16);
	fnft_ivlist_free(&l);
}
END_TEST

START_TEST(test_normalize_top_of_space)
{
	/* hi == all-ones must not wrap when probing adjacency. */
	CHECK_NORM(FNFT_V4, "255.255.255.0/24", "255.255.255.255", "255.255.255.0/24",
		   "255.255.255.128-255.255.255.255");
	CHECK_NORM(FNFT_V4, "255.255.255.0/24", "255.255.255.0-255.255.255.254",
		   "255.255.255.255");
	CHECK_NORM(FNFT_V4, "0.0.0.0, 255.255.255.255", "255.255.255.255", "0.0.0.0");
	CHECK_NORM(FNFT_V4, "0.0.0.0/0", "0.0.0.0-127.255.255.255", "128.0.0.0/1");
	CHECK_NORM(FNFT_V6, "ffff::/16", "ffff::/17", "ffff:8000::/17",
		   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	CHECK_NORM(FNFT_V6, "::, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::");
	CHECK_NORM(FNFT_V6, "::/0", "::/1", "8000::/1");
	/* An IPv6 list must not be incremented as if it were IPv4 (byte 3 carry). */
	CHECK_NORM(FNFT_V6, "2001:db8::ffff:ffff-2001:db8::1:0:0, 2001:db8::1:0:2",
		   "2001:db8::ffff:ffff", "2001:db8::1:0:0", "2001:db8::1:0:2");
}
END_TEST

/* A random interval of @family among the first or the last 64 addresses
 * (the top of the space included), so that inserts often overlap, touch
 * or fill gaps. */
static struct fnft_iv random_iv(unsigned *seed, enum fnft_family family)
{
	unsigned w = family == FNFT_V4 ? 4 : 16, a, b, t;
	struct fnft_iv iv;
	bool top;

	*seed = *seed * 1103515245u + 12345u;
	top = (*seed >> 20) & 1;
	a = (*seed >> 8) % 64;
	*seed = *seed * 1103515245u + 12345u;
	b = (*seed >> 8) % 64;
	if ((*seed >> 24) % 3 == 0)
		b = a;		/* a host */
	if (a > b) {
		t = a;
		a = b;
		b = t;
	}
	memset(&iv, 0, sizeof(iv));
	if (top) {
		memset(iv.lo, 0xff, w);
		memset(iv.hi, 0xff, w);
		iv.lo[w - 1] = (uint8_t)(255 - (63 - a));
		iv.hi[w - 1] = (uint8_t)(255 - (63 - b));
	} else {
		iv.lo[w - 1] = (uint8_t)a;
		iv.hi[w - 1] = (uint8_t)b;
	}
	return iv;
}

START_TEST(test_ivlist_insert)
{
	/* Inserting one by one into a normalized list gives what adding them
	 * all and normalizing once gives, after every single insert. */
	for (int f = FNFT_V4; f <= FNFT_V6; f++) {
		for (unsigned round = 0; round < 300; round++) {
			struct fnft_ivlist inc = { 0 }, ref = { 0 };
			unsigned seed = round * 7919u + (unsigned)f;
			unsigned n = 1 + round % 40;

			for (unsigned i = 0; i < n; i++) {
				struct fnft_iv iv = random_iv(&seed, (enum fnft_family)f);

				ck_assert_int_eq(fnft_ivlist_insert(&inc, &iv, (enum fnft_family)f), 0);
				ck_assert_int_eq(fnft_ivlist_add(&ref, &iv), 0);
				fnft_ivlist_normalize(&ref, (enum fnft_family)f);
				ck_assert_msg(fnft_ivlist_equal(&inc, &ref),
					      "family %d round %u insert %u: %zu intervals, want %zu",
					      f, round, i, inc.n, ref.n);
			}
			fnft_ivlist_free(&inc);
			fnft_ivlist_free(&ref);
		}
	}
}
END_TEST

/* A copy is exact; it reuses the destination's array when that has room. */
START_TEST(test_ivlist_copy)
{
	struct fnft_ivlist big = { 0 }, small = { 0 }, dst = { 0 };
	struct fnft_iv x = iv_of("10.0.0.0", "10.0.0.255");
	struct fnft_iv y = iv_of("10.0.2.0", "10.0.2.255");
	struct fnft_iv z = iv_of("10.0.4.0", "10.0.4.255");
	struct fnft_iv *kept;

	ck_assert_int_eq(fnft_ivlist_add(&big, &x), 0);
	ck_assert_int_eq(fnft_ivlist_add(&big, &y), 0);
	ck_assert_int_eq(fnft_ivlist_add(&big, &z), 0);
	ck_assert_int_eq(fnft_ivlist_add(&small, &z), 0);

	ck_assert_int_eq(fnft_ivlist_copy(&dst, &big), 0);	/* a new array */
	ck_assert(fnft_ivlist_equal(&dst, &big));
	ck_assert_ptr_ne(dst.v, big.v);
	kept = dst.v;
	ck_assert_int_eq(fnft_ivlist_copy(&dst, &small), 0);	/* room: reused */
	ck_assert_ptr_eq(dst.v, kept);
	ck_assert_uint_eq(dst.n, 1);
	ck_assert(fnft_ivlist_equal(&dst, &small));
	ck_assert_int_eq(fnft_ivlist_copy(&dst, &big), 0);	/* room again */
	ck_assert(fnft_ivlist_equal(&dst, &big));
	ck_assert_int_eq(fnft_ivlist_copy(&dst, &dst), 0);	/* itself */
	ck_assert(fnft_ivlist_equal(&dst, &big));
	fnft_ivlist_free(&small);
	ck_assert_int_eq(fnft_ivlist_copy(&dst, &small), 0);	/* empty */
	ck_assert_uint_eq(dst.n, 0);
	fnft_ivlist_free(&dst);
	fnft_ivlist_free(&big);
}
END_TEST

START_TEST(test_ivlist_equal)
{
	struct fnft_ivlist a = { 0 }, b = { 0 };
	struct fnft_iv x = iv_of("10.0.0.0", "10.0.0.255");
	struct fnft_iv y = iv_of("10.0.1.0", "10.0.1.255");

	ck_assert(fnft_ivlist_equal(&a, &b));
	ck_assert_int_eq(fnft_ivlist_add(&a, &x), 0);
	ck_assert(!fnft_ivlist_equal(&a, &b));
	ck_assert_int_eq(fnft_ivlist_add(&b, &y), 0);
	ck_assert(!fnft_ivlist_equal(&a, &b));
	ck_assert_int_eq(fnft_ivlist_add(&a, &y), 0);
	ck_assert_int_eq(fnft_ivlist_add(&b, &x), 0);
	ck_assert(!fnft_ivlist_equal(&a, &b));
	fnft_ivlist_normalize(&a, FNFT_V4);
	fnft_ivlist_normalize(&b, FNFT_V4);
	ck_assert(fnft_ivlist_equal(&a, &b));
	ck_assert_uint_eq(a.n, 1);

	/* Growth past the initial capacity keeps every element. */
	for (unsigned int i = 0; i < 1000; i++) {
		struct fnft_iv iv = { 0 };

		/* 11.1.x.y, every other address, so nothing merges. */
		iv.lo[0] = iv.hi[0] = 11;
		iv.lo[1] = iv.hi[1] = 1;
		iv.lo[2] = iv.hi[2] = (uint8_t)((i * 2) / 256);
		iv.lo[3] = iv.hi[3] = (uint8_t)((i * 2) % 256);
		ck_assert_int_eq(fnft_ivlist_add(&a, &iv), 0);
	}
	ck_assert_uint_eq(a.n, 1001);
	ck_assert_uint_ge(a.cap, a.n);
	fnft_ivlist_normalize(&a, FNFT_V4);
	ck_assert_uint_eq(a.n, 1001);

	fnft_ivlist_free(&a);
	fnft_ivlist_free(&b);
	fnft_ivlist_free(NULL);
}
END_TEST

/* Parse s into a fresh list, normalize, and return its formatting. */
static const char *ports_fmt(const char *s, bool normalize)
{
	static char buf[512];
	struct fnft_portlist l = { 0 };
	char why[128] = "";
	int r;

	r = fnft_ports_parse(s, &l, why, sizeof(why));
	ck_assert_msg(r == 0, "'%s' failed: %d (%s)", s, r, why);
	if (normalize)
		fnft_portlist_normalize(&l);
	r = fnft_portlist_format(&l, buf, sizeof(buf));
	ck_assert_int_eq(r, (int)strlen(buf));
	fnft_portlist_free(&l);
	return buf;
}

static const char *ports_err(const char *s)
{
	static char why[128];
	struct fnft_portlist l = { 0 };

	ck_assert_int_eq(fnft_portlist_add(&l, 22, 22), 0);
	why[0] = '\0';
	ck_assert_msg(fnft_ports_parse(s, &l, why, sizeof(why)) == -EINVAL,
		      "'%s' unexpectedly parsed", s);
	/* A failed parse leaves the list as it was. */
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].first, 22);
	fnft_portlist_free(&l);
	return why;
}

START_TEST(test_ports_parse)
{
	struct fnft_portlist l = { 0 };
	char why[64];

	ck_assert_int_eq(fnft_ports_parse("443", &l, why, sizeof(why)), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].first, 443);
	ck_assert_uint_eq(l.v[0].last, 443);
	/* Appends to what is there. */
	ck_assert_int_eq(fnft_ports_parse("6000-6010, 1", &l, why, sizeof(why)), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.v[1].first, 6000);
	ck_assert_uint_eq(l.v[1].last, 6010);
	ck_assert_uint_eq(l.v[2].first, 1);
	fnft_portlist_free(&l);

	ck_assert_str_eq(ports_fmt("1433", false), "1433");
	ck_assert_str_eq(ports_fmt("6000-6010", false), "6000-6010");
	ck_assert_str_eq(ports_fmt("80,8082 9000-9010", false), "80, 8082, 9000-9010");
	ck_assert_str_eq(ports_fmt("  80 ,, 8082,\t9000-9010\n", false), "80, 8082, 9000-9010");
	ck_assert_str_eq(ports_fmt("6000 - 6010", false), "6000-6010");
	ck_assert_str_eq(ports_fmt("6000 -6010 22", false), "6000-6010, 22");
	ck_assert_str_eq(ports_fmt("6000- 6010,22", false), "6000-6010, 22");
	ck_assert_str_eq(ports_fmt("1-65535", false), "1-65535");
	ck_assert_str_eq(ports_fmt("65535", false), "65535");
	ck_assert_str_eq(ports_fmt("0080", false), "80");
	ck_assert_str_eq(ports_fmt("5-5", false), "5");
}
END_TEST

START_TEST(test_ports_errors)
{
	ck_assert_str_eq(ports_err(""), "no ports");
	ck_assert_str_eq(ports_err(" , ,\t"), "no ports");
	ck_assert_str_eq(ports_err(NULL), "no ports");
	ck_assert_str_eq(ports_err("http"), "'http' is not a port number");
	ck_assert_str_eq(ports_err("80, 443x"), "'443x' is not a port number");
	ck_assert_str_eq(ports_err("+80"), "'+80' is not a port number");
	ck_assert_str_eq(ports_err("-80"), "'-80' is not a port number");
	ck_assert_str_eq(ports_err("80-"), "'80-' is not a port number");
	ck_assert_str_eq(ports_err("80 -"), "'80 -' is not a port number");
	ck_assert_str_eq(ports_err("1-2-3"), "'1-2-3' is not a port number");
	ck_assert_str_eq(ports_err("0x50"), "'0x50' is not a port number");
	ck_assert_str_eq(ports_err("80;443"), "'80;443' is not a port number");
	ck_assert_str_eq(ports_err("0"), "port 0 is not a valid port");
	ck_assert_str_eq(ports_err("0-10"), "port 0 is not a valid port");
	ck_assert_str_eq(ports_err("80, 70000"), "port 70000 is out of range (1-65535)");
	ck_assert_str_eq(ports_err("65536"), "port 65536 is out of range (1-65535)");
	ck_assert_str_eq(ports_err("1-99999999999999999999999"),
			 "port 99999999999999999999999 is out of range (1-65535)");
	ck_assert_str_eq(ports_err("80 9000-8000"), "port range 9000-8000 is reversed");
	ck_assert_str_eq(ports_err("9000 - 8000"), "port range 9000-8000 is reversed");
}
END_TEST

START_TEST(test_ports_normalize)
{
	ck_assert_str_eq(ports_fmt("9000-9010 80 8082", true), "80, 8082, 9000-9010");
	ck_assert_str_eq(ports_fmt("80 81 82", true), "80-82");
	ck_assert_str_eq(ports_fmt("80-90 85-100 101", true), "80-101");
	ck_assert_str_eq(ports_fmt("1-1000 22 443 80-90", true), "1-1000");
	ck_assert_str_eq(ports_fmt("443 443 80 80", true), "80, 443");
	ck_assert_str_eq(ports_fmt("80 82", true), "80, 82");
	/* No wrap at the top of the port space. */
	ck_assert_str_eq(ports_fmt("65535 1 65534", true), "1, 65534-65535");
	ck_assert_str_eq(ports_fmt("60000-65535 65535 1-2", true), "1-2, 60000-65535");
	ck_assert_str_eq(ports_fmt("1-65535 65535 1", true), "1-65535");
}
END_TEST

START_TEST(test_portlist_misc)
{
	struct fnft_portlist a = { 0 }, b = { 0 }, c = { 0 };
	char buf[8];

	ck_assert_int_eq(fnft_portlist_add(&a, 10, 9), -EINVAL);
	ck_assert_uint_eq(a.n, 0);

	ck_assert(fnft_portlist_equal(&a, &b));
	ck_assert_int_eq(fnft_portlist_copy(&c, &a), 0);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_ptr_null(c.v);

	ck_assert_int_eq(fnft_portlist_add(&a, 80, 80), 0);
	ck_assert_int_eq(fnft_portlist_add(&a, 8000, 8080), 0);
	ck_assert(!fnft_portlist_equal(&a, &b));
	ck_assert_int_eq(fnft_portlist_copy(&b, &a), 0);
	ck_assert(fnft_portlist_equal(&a, &b));
	ck_assert_ptr_ne(a.v, b.v);
	b.v[1].last = 8081;
	ck_assert(!fnft_portlist_equal(&a, &b));
	ck_assert_uint_eq(a.v[1].last, 8080);

	/* Empty list formats as the empty string. */
	ck_assert_int_eq(fnft_portlist_format(&c, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");

	/* snprintf semantics: truncated, NUL-terminated, full length returned. */
	ck_assert_int_eq(fnft_portlist_format(&a, buf, sizeof(buf)), 13);
	ck_assert_str_eq(buf, "80, 800");
	ck_assert_int_eq(fnft_portlist_format(&a, NULL, 0), 13);

	fnft_portlist_free(&a);
	fnft_portlist_free(&b);
	fnft_portlist_free(&c);
	fnft_portlist_free(NULL);
	ck_assert_ptr_null(a.v);
	ck_assert_uint_eq(a.n + a.cap, 0);
}
END_TEST

/*
 * The hand-written fast paths (dotted quads in, prefix lengths and
 * addresses out) against the slow references they replace: inet_pton(),
 * a bit-by-bit prefix length, inet_ntop() + printf.  A fixed-seed PRNG, so a
 * failure reproduces.
 */
static uint32_t rnd_state = 0x2545f491;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static int slow_prefix_len(const struct fnft_iv *iv, unsigned bits)
{
	unsigned plen = 0, i;

#define BIT(a, b) (((a)[(b) / 8] >> (7 - (b) % 8)) & 1)
	while (plen < bits && BIT(iv->lo, plen) == BIT(iv->hi, plen))
		plen++;
	for (i = plen; i < bits; i++)
		if (BIT(iv->lo, i) || !BIT(iv->hi, i))
			return -1;
#undef BIT
	return (int)plen;
}

START_TEST(test_fast_paths_agree_with_libc)
{
	static const char alphabet[] = "0123456789.:/-x ";
	char text[128], want[128], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	enum fnft_family fam;
	struct fnft_iv iv;
	uint8_t bytes[16];

	for (int i = 0; i < 60000; i++) {
		/* quads, near-quads and junk */
		size_t n = 0, len = 1 + rnd() % 18;
		int libc, ours;

		if (i % 2) {
			uint32_t v = rnd();

			n = (size_t)snprintf(text, sizeof(text), "%u.%u.%u.%u",
					     v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255);
			if (i % 7 == 0)	/* a digit, dot or zero too many or few */
				text[rnd() % n] = "0.9"[rnd() % 3];
		} else {
			for (n = 0; n < len; n++)
				text[n] = alphabet[rnd() % (sizeof(alphabet) - 1)];
			text[n] = '\0';
		}
		libc = inet_pton(AF_INET, text, bytes) == 1;
		ours = fnft_addr_parse_host(text, &fam, iv.lo, NULL, 0) == 0 &&
		       fam == FNFT_V4;
		ck_assert_msg(libc == ours, "'%s': inet_pton %d, ours %d", text, libc, ours);
		if (libc)
			ck_assert_msg(!memcmp(bytes, iv.lo, 4), "'%s': other bytes", text);
	}
	for (int i = 0; i < 60000; i++) {
		bool v6 = i % 4 == 0;
		unsigned w = v6 ? 16 : 4, plen = rnd() % (8 * w + 1);
		int want_plen;

		memset(&iv, 0, sizeof(iv));
		for (unsigned k = 0; k < w; k++)
			iv.lo[k] = iv.hi[k] = (uint8_t)(v6 && k > 1 && rnd() % 3 ? 0 : rnd());
		if (i % 3) {	/* a block of plen bits */
			for (unsigned k = 0; k < w; k++) {
				unsigned keep = plen >= 8 * (k + 1) ? 8 : plen > 8 * k ? plen - 8 * k : 0;
				uint8_t m = (uint8_t)(0xff << (8 - keep));

				iv.lo[k] &= m;
				iv.hi[k] = iv.lo[k] | (uint8_t)~m;
			}
		} else {	/* anything: ranges, reversed ones */
			for (unsigned k = rnd() % w; k < w; k++)
				iv.hi[k] = (uint8_t)rnd();
		}
		want_plen = slow_prefix_len(&iv, 8 * w);
		ck_assert_int_eq(fnft_iv_prefix_len(&iv, v6 ? FNFT_V6 : FNFT_V4), want_plen);
		inet_ntop(v6 ? AF_INET6 : AF_INET, iv.lo, a, sizeof(a));
		inet_ntop(v6 ? AF_INET6 : AF_INET, iv.hi, b, sizeof(b));
		if (want_plen == (int)(8 * w))
			snprintf(want, sizeof(want), "%s", a);
		else if (want_plen >= 0)
			snprintf(want, sizeof(want), "%s/%d", a, want_plen);
		else
			snprintf(want, sizeof(want), "%s-%s", a, b);
		ck_assert_int_eq(fnft_iv_format(&iv, v6 ? FNFT_V6 : FNFT_V4, text,
						sizeof(text)), (int)strlen(want));
		ck_assert_str_eq(text, want);
	}
	/* IPv4 networks, with and without host bits, against the arithmetic */
	for (int i = 0; i < 30000; i++) {
		uint32_t v = rnd(), plen = rnd() % 33, host;
		char why[160];

		if (i % 2)	/* mostly proper networks */
			v &= plen ? UINT32_MAX << (32 - plen) : 0;
		host = plen == 32 ? 0 : UINT32_MAX >> plen;
		snprintf(text, sizeof(text), i % 5 ? "%u.%u.%u.%u/%u" : "%u.%u.%u.%u/0%u",
			 v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255, plen);
		if (v & host) {
			ck_assert_int_eq(fnft_addr_parse(text, &fam, &iv, why, sizeof(why)), -EINVAL);
			ck_assert_msg(strstr(why, "host bits"), "%s: %s", text, why);
			continue;
		}
		ck_assert_msg(fnft_addr_parse(text, &fam, &iv, why, sizeof(why)) == 0, "%s: %s",
			      text, why);
		ck_assert_int_eq(fam, FNFT_V4);
		memset(bytes, 0, sizeof(bytes));
		ck_assert(!memcmp(iv.lo + 4, bytes, 12) && !memcmp(iv.hi + 4, bytes, 12));
		ck_assert_uint_eq((uint32_t)iv.lo[0] << 24 | iv.lo[1] << 16 | iv.lo[2] << 8 | iv.lo[3], v);
		ck_assert_uint_eq((uint32_t)iv.hi[0] << 24 | iv.hi[1] << 16 | iv.hi[2] << 8 | iv.hi[3],
				  v | host);
	}
	/* IPv6 hosts, group by group zero or not, against inet_ntop(): runs of
	 * zeros of every length and place, ties, ::ffff:a.b.c.d, ::a.b.c.d */
	for (int i = 0; i < 100000; i++) {
		uint32_t zeros = rnd();

		memset(&iv, 0, sizeof(iv));
		for (unsigned k = 0; k < 8; k++) {
			uint32_t r = rnd();

			if (zeros >> k & 1)
				continue;
			/* small groups too, for the leading-zero rule */
			r = r % 4 == 0 ? r >> 28 : r % 4 == 1 ? r >> 20 : r >> 16;
			iv.lo[2 * k] = (uint8_t)(r >> 8);
			iv.lo[2 * k + 1] = (uint8_t)r;
		}
		if (i % 7 == 0) {	/* embedded IPv4 forms and their near misses */
			memset(iv.lo, 0, 10);
			iv.lo[10] = iv.lo[11] = i % 14 ? 0xff : 0;
			if (i % 21 == 0)
				iv.lo[12] = iv.lo[13] = 0;
		}
		memcpy(iv.hi, iv.lo, 16);
		inet_ntop(AF_INET6, iv.lo, want, sizeof(want));
		ck_assert_int_eq(fnft_iv_format(&iv, FNFT_V6, text, sizeof(text)),
				 (int)strlen(want));
		ck_assert_str_eq(text, want);
	}

	/*
	 * Whole specs, mutated: the one-pass IPv4 path of fnft_addr_parse()
	 * against the general one, which a trailing blank forces (the fast
	 * path takes no blanks; the general one trims them).
	 */
	for (int i = 0; i < 60000; i++) {
		static const char mut[] = "0123456789./-: x";
		uint32_t v = rnd(), plen = rnd() % 40;
		struct fnft_iv iv2;
		enum fnft_family fam2;
		char why[160], why2[160], padded[140];
		size_t n;
		int r1, r2;

		if (rnd() % 3 == 0)	/* networks, the edges of the prefix length */
			v &= rnd() % 2 ? 0xff000000u : 0;
		n = (size_t)snprintf(text, sizeof(text), rnd() % 4 ? "%u.%u.%u.%u/%u" : "%u.%u.%u.%u",
				     v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255, plen);
		for (unsigned m = rnd() % 3; m > 0; m--) {
			size_t at = rnd() % (n + 1);

			if (rnd() % 2 && at < n) {	/* replace a byte */
				text[at] = mut[rnd() % (sizeof(mut) - 1)];
			} else if (n + 1 < 100) {	/* insert one */
				memmove(text + at + 1, text + at, n - at + 1);
				text[at] = mut[rnd() % (sizeof(mut) - 1)];
				n++;
			}
		}
		snprintf(padded, sizeof(padded), "%s ", text);
		memset(&iv, 0xaa, sizeof(iv));
		memset(&iv2, 0x55, sizeof(iv2));
		r1 = fnft_addr_parse(text, &fam, &iv, why, sizeof(why));
		r2 = fnft_addr_parse(padded, &fam2, &iv2, why2, sizeof(why2));
		ck_assert_msg(r1 == r2, "'%s': %d, padded %d", text, r1, r2);
		if (r1 == 0) {
			ck_assert_int_eq(fam, fam2);
			ck_assert_msg(!memcmp(&iv, &iv2, sizeof(iv)), "'%s': other interval", text);
		} else {
			ck_assert_str_eq(why, why2);
		}
	}

	/* cut to fit, as snprintf() */
	ck_assert_int_eq(fnft_addr_parse("192.168.100.0/22", &fam, &iv, NULL, 0), 0);
	ck_assert_int_eq(fnft_iv_format(&iv, fam, text, 8), 16);
	ck_assert_str_eq(text, "192.168");
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc;

	tc = tcase_create("host");
	tcase_add_test(tc, test_host_v4);
	tcase_add_test(tc, test_host_v6);
	tcase_add_test(tc, test_host_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_host_spec);
	tcase_add_test(tc, test_parse_cidr);
	tcase_add_test(tc, test_parse_cidr_top_of_space);
	tcase_add_test(tc, test_parse_range);
	tcase_add_test(tc, test_parse_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_prefix_len);
	tcase_add_test(tc, test_iv_format);
	tcase_add_test(tc, test_fast_paths_agree_with_libc);
	/* 150,000 cases take seconds under the sanitizers on a busy machine */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("ivlist");
	tcase_add_test(tc, test_normalize_v4);
	tcase_add_test(tc, test_normalize_v6);
	tcase_add_test(tc, test_normalize_family_explicit);
	tcase_add_test(tc, test_normalize_top_of_space);
	tcase_add_test(tc, test_ivlist_copy);
	tcase_add_test(tc, test_ivlist_equal);
	tcase_add_test(tc, test_ivlist_insert);
	suite_add_tcase(s, tc);

	tc = tcase_create("ports");
	tcase_add_test(tc, test_ports_parse);
	tcase_add_test(tc, test_ports_errors);
	tcase_add_test(tc, test_ports_normalize);
	tcase_add_test(tc, test_portlist_misc);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
