/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/udiff.c. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "udiff.h"

/* Diff a against b with labels A and B, expecting a difference; caller frees. */
static char *udiff(const char *a, const char *b, unsigned context)
{
	char *out = NULL;
	int r;

	r = fnft_udiff(a, b, "A", "B", context, &out);
	ck_assert_int_eq(r, 1);
	ck_assert_ptr_nonnull(out);
	return out;
}

static void check_udiff(const char *a, const char *b, const char *want)
{
	char *got = udiff(a, b, 3);

	ck_assert_str_eq(got, want);
	free(got);
}

/* "1\n" .. "n\n", except that lines x_at and y_at (1-based, 0 for none)
 * read "x\n" and "y\n". */
static char *numbers(unsigned n, unsigned x_at, unsigned y_at)
{
	char *s = malloc((size_t)n * 12 + 1), *p = s;
	unsigned i;

	ck_assert_ptr_nonnull(s);
	*p = '\0';
	for (i = 1; i <= n; i++) {
		if (i == x_at)
			p += sprintf(p, "x\n");
		else if (i == y_at)
			p += sprintf(p, "y\n");
		else
			p += sprintf(p, "%u\n", i);
	}
	return s;
}

START_TEST(test_equal)
{
	char *out = (char *)"untouched";

	ck_assert_int_eq(fnft_udiff("a\nb\n", "a\nb\n", "A", "B", 3, &out), 0);
	ck_assert_ptr_null(out);

	out = (char *)"untouched";
	ck_assert_int_eq(fnft_udiff("", "", "A", "B", 3, &out), 0);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_add_middle)
{
	check_udiff("1\n2\n3\n4\n5\n6\n7\n8\n",
		    "1\n2\n3\n4\nnew\n5\n6\n7\n8\n",
		    "--- A\n+++ B\n"
		    "@@ -2,6 +2,7 @@\n"
		    " 2\n 3\n 4\n+new\n 5\n 6\n 7\n");
}
END_TEST

START_TEST(test_remove)
{
	check_udiff("1\n2\n3\n4\n5\n6\n7\n8\n9\n",
		    "1\n2\n3\n4\n6\n7\n8\n9\n",
		    "--- A\n+++ B\n"
		    "@@ -2,7 +2,6 @@\n"
		    " 2\n 3\n 4\n-5\n 6\n 7\n 8\n");
}
END_TEST

START_TEST(test_change)
{
	check_udiff("1\n2\n3\n4\n5\n6\n7\n",
		    "1\n2\n3\nfour\n5\n6\n7\n",
		    "--- A\n+++ B\n"
		    "@@ -1,7 +1,7 @@\n"
		    " 1\n 2\n 3\n-4\n+four\n 5\n 6\n 7\n");
}
END_TEST

START_TEST(test_start_and_end)
{
	char *a = numbers(20, 0, 0);

	check_udiff(a, "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n",
		    "--- A\n+++ B\n"
		    "@@ -1,3 +1,4 @@\n"
		    "+0\n 1\n 2\n 3\n"
		    "@@ -17,4 +18,3 @@\n"
		    " 17\n 18\n 19\n-20\n");
	check_udiff("1\n2\n3\n", "one\n2\nthree\n",
		    "--- A\n+++ B\n"
		    "@@ -1,3 +1,3 @@\n"
		    "-1\n+one\n 2\n-3\n+three\n");
	free(a);
}
END_TEST

START_TEST(test_empty_a)
{
	check_udiff("", "x\ny\n", "--- A\n+++ B\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	check_udiff("", "x\n", "--- A\n+++ B\n@@ -0,0 +1 @@\n+x\n");
}
END_TEST

START_TEST(test_empty_b)
{
	check_udiff("x\ny\n", "", "--- A\n+++ B\n@@ -1,2 +0,0 @@\n-x\n-y\n");
	check_udiff("x\n", "", "--- A\n+++ B\n@@ -1 +0,0 @@\n-x\n");
}
END_TEST

START_TEST(test_two_hunks)
{
	char *a = numbers(30, 0, 0), *b = numbers(30, 5, 13);

	/* The 7 lines between the changes are one more than both contexts. */
	check_udiff(a, b,
		    "--- A\n+++ B\n"
		    "@@ -2,7 +2,7 @@\n"
		    " 2\n 3\n 4\n-5\n+x\n 6\n 7\n 8\n"
		    "@@ -10,7 +10,7 @@\n"
		    " 10\n 11\n 12\n-13\n+y\n 14\n 15\n 16\n");
	free(a);
	free(b);
}
END_TEST

START_TEST(test_merged_hunk)
{
	/* Lines 5 and 12 differ: the 6 lines between are exactly both
	 * contexts, so diff -u prints a single hunk. */
	check_udiff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
		    "1\n2\n3\n4\nx\n6\n7\n8\n9\n10\n11\ny\n13\n14\n15\n16\n",
		    "--- A\n+++ B\n"
		    "@@ -2,14 +2,14 @@\n"
		    " 2\n 3\n 4\n-5\n+x\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+y\n 13\n 14\n 15\n");
}
END_TEST

START_TEST(test_no_newline)
{
	check_udiff("a\nb", "a\nc",
		    "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
		    "+c\n\\ No newline at end of file\n");
	check_udiff("a\nb", "a\nb\n",
		    "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}
END_TEST

START_TEST(test_context_zero)
{
	char *got = udiff("1\n2\n3\n", "1\n2\nnew\n3\n", 0);

	ck_assert_str_eq(got, "--- A\n+++ B\n@@ -2,0 +3 @@\n+new\n");
	free(got);
}
END_TEST

/* Lines that open a block, for the headed diff: "  set NAME {" etc. */
static bool block_heading(const char *line, size_t len)
{
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && line[len - 1] == ' ')
		len--;
	return len > 4 && (!strncmp(line, "set ", 4) || !strncmp(line, "chain ", 6)) &&
	       line[len - 1] == '{';
}

static char *headed(const char *a, const char *b, unsigned context)
{
	char *out = NULL;

	ck_assert_int_eq(fnft_udiff_headed(a, b, "A", "B", context, block_heading,
					   &out), 1);
	ck_assert_ptr_nonnull(out);
	return out;
}

START_TEST(test_heading)
{
	static const char a[] =
		"table t {\n\tset x {\n\t\t1,\n\t\t2,\n\t}\n"
		"\tchain input {  \n\t\tr1\n\t\tr2\n\t\tr3\n\t\tr4\n\t\tr5\n"
		"\t\tr6\n\t\tr7\n\t\tr8\n\t\tr9\n\t\tr10\n\t\tr11\n\t}\n}\n";
	static const char b[] =
		"table t {\n\tset x {\n\t\t1,\n\t\t3,\n\t}\n"
		"\tchain input {  \n\t\tr1\n\t\tr2\n\t\tr3\n\t\tr4\n\t\tR5\n"
		"\t\tr6\n\t\tr7\n\t\tr8\n\t\tr9\n\t\tr10\n\t\tr11\n\t\tr12\n\t}\n}\n";
	char *got;

	/* leading tabs and trailing blanks go; each hunk finds its own
	 * block, searching from the line before its first context line */
	got = headed(a, b, 1);
	ck_assert_str_eq(got, "--- A\n+++ B\n"
			 "@@ -3,3 +3,3 @@ set x {\n"
			 " \t\t1,\n-\t\t2,\n+\t\t3,\n \t}\n"
			 "@@ -10,3 +10,3 @@ chain input {\n"
			 " \t\tr4\n-\t\tr5\n+\t\tR5\n \t\tr6\n"
			 "@@ -17,2 +17,3 @@ chain input {\n"
			 " \t\tr11\n+\t\tr12\n \t}\n");
	free(got);

	/* the search starts at the first change, not at the first context
	 * line (where diff -p starts): the block just opened in the context
	 * is the heading, not the one before it */
	got = headed("\tset w {\n0\n\tset x {\n1\n", "\tset w {\n0\n\tset x {\n2\n", 3);
	ck_assert_str_eq(got, "--- A\n+++ B\n@@ -1,4 +1,4 @@ set x {\n"
			 " \tset w {\n 0\n \tset x {\n-1\n+2\n");
	free(got);
	/* the changed line itself is no heading of its own hunk */
	got = headed("\tset x {\n1\n", "\tset y {\n1\n", 3);
	ck_assert_str_eq(got, "--- A\n+++ B\n@@ -1,2 +1,2 @@\n"
			 "-\tset x {\n+\tset y {\n 1\n");
	free(got);

	/* a NULL predicate is fnft_udiff() */
	ck_assert_int_eq(fnft_udiff_headed("x\n", "y\n", "A", "B", 3, NULL, &got), 1);
	ck_assert_str_eq(got, "--- A\n+++ B\n@@ -1 +1 @@\n-x\n+y\n");
	free(got);
}
END_TEST

/* A long heading is cut at 80 bytes, as git cuts it. */
START_TEST(test_heading_long)
{
	char a[256], b[256], want[512], name[100];
	char *got;

	memset(name, 'n', 90);
	name[90] = '\0';
	snprintf(a, sizeof(a), "set %s {\n1\n2\n", name);
	snprintf(b, sizeof(b), "set %s {\n1\n3\n", name);
	got = headed(a, b, 1);
	snprintf(want, sizeof(want), "--- A\n+++ B\n@@ -2,2 +2,2 @@ set %.76s\n"
		 " 1\n-2\n+3\n", name);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* 10.0.0.0/32, 10.0.0.1/32, ...: a large set listing, one network a line. */
static char *networks(unsigned n, unsigned change)
{
	char *s = malloc((size_t)n * 24 + 1), *p = s;
	unsigned i;

	ck_assert_ptr_nonnull(s);
	*p = '\0';
	for (i = 0; i < n; i++) {
		if (i == change)
			p += sprintf(p, "192.168.0.0/16\n");
		else
			p += sprintf(p, "10.%u.%u.%u/32\n", i >> 16 & 255, i >> 8 & 255, i & 255);
	}
	return s;
}

START_TEST(test_large)
{
	const unsigned n = 200000, change = 123456;
	char *a = networks(n, UINT32_MAX), *b = networks(n, change);
	char *got = udiff(a, b, 3);

	/* Line 123457 (1-based) is 10.1.226.64/32 */
	ck_assert_str_eq(got, "--- A\n+++ B\n"
			      "@@ -123454,7 +123454,7 @@\n"
			      " 10.1.226.61/32\n 10.1.226.62/32\n 10.1.226.63/32\n"
			      "-10.1.226.64/32\n+192.168.0.0/16\n"
			      " 10.1.226.65/32\n 10.1.226.66/32\n 10.1.226.67/32\n");
	free(got);
	free(a);
	free(b);
}
END_TEST

/* Deterministic pseudo-random numbers, so a failure can be reproduced. */
static unsigned rnd(uint64_t *state, unsigned n)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((*state >> 33) % n);
}

/*
 * Append a line: mostly one of a dozen short ones, so that repeats give
 * several equally short edit scripts to choose from, sometimes a line seen
 * nowhere else. No line is used more than 4 times in one text: beyond 5,
 * diff starts treating lines as noise and may give up minimality.
 */
static void gen_line(uint64_t *st, unsigned uses[12], unsigned *fresh, char **p)
{
	unsigned k = rnd(st, 12);

	if (rnd(st, 4) == 0 || uses[k] >= 4) {
		*p += sprintf(*p, "fresh %u\n", (*fresh)++);
		return;
	}
	uses[k]++;
	*p += sprintf(*p, "%c\n", 'a' + k);
}

static void gen_case(uint64_t seed, char *a, char *b)
{
	uint64_t st = seed;
	unsigned ua[12] = { 0 }, ub[12] = { 0 }, fresh = 0, n, i;
	char *p = a, *q = b, *l, *end;

	for (n = rnd(&st, 40), i = 0; i < n; i++)
		gen_line(&st, ua, &fresh, &p);
	*p = '\0';

	/* Mostly an edited copy, sometimes an unrelated text. */
	if (rnd(&st, 6) == 0) {
		for (n = rnd(&st, 40), i = 0; i < n; i++)
			gen_line(&st, ub, &fresh, &q);
	} else {
		for (l = a; *l; l = end) {
			unsigned op = rnd(&st, 10);

			end = strchr(l, '\n') + 1;
			if (op >= 2 && l[0] >= 'a' && l[0] <= 'l' && l[1] == '\n' &&
			    ub[l[0] - 'a'] >= 4)
				op = 0;
			if (op == 1 || op == 2)
				gen_line(&st, ub, &fresh, &q);
			if (op >= 2) {
				if (l[0] >= 'a' && l[0] <= 'l' && l[1] == '\n')
					ub[l[0] - 'a']++;
				memcpy(q, l, (size_t)(end - l));
				q += end - l;
			}
		}
		if (rnd(&st, 4) == 0)
			gen_line(&st, ub, &fresh, &q);
	}
	*q = '\0';

	/* Now and then a last line without its newline. */
	if (rnd(&st, 8) == 0 && p > a)
		p[-1] = '\0';
	if (rnd(&st, 8) == 0 && q > b)
		q[-1] = '\0';
}

static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	size_t len = strlen(text);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* What GNU diff prints for the two texts ("" when equal); caller frees. */
static char *gnu_diff(const char *a, const char *b, unsigned context,
		      const char *extra)
{
	char pa[] = "/tmp/test-udiff-a.XXXXXX", pb[] = "/tmp/test-udiff-b.XXXXXX";
	char cmd[200], *out;
	size_t len = 0, cap = 1 << 16;
	FILE *f;
	int status;

	write_file(pa, a);
	write_file(pb, b);
	snprintf(cmd, sizeof(cmd), "diff -U%u %s --label A --label B %s %s", context,
		 extra, pa, pb);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	while ((len += fread(out + len, 1, cap - len - 1, f)) == cap - 1) {
		cap *= 2;
		out = realloc(out, cap);
		ck_assert_ptr_nonnull(out);
	}
	out[len] = '\0';
	status = pclose(f);
	unlink(pa);
	unlink(pb);
	/* 0: same, 1: different; anything else means diff itself failed. */
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "diff failed: %d", status);
	return out;
}

/* The generated lines "a" and "b" as headings, and diff -F to match;
 * only without context lines does diff search from the first change, as
 * we do, so those are compared (see udiff.h). */
static bool ab_heading(const char *line, size_t len)
{
	return len == 1 && (line[0] == 'a' || line[0] == 'b');
}

static void against_gnu_diff(bool with_headings)
{
	static const unsigned contexts[] = { 3, 3, 3, 0, 1, 5 };
	static char a[4096], b[4096];
	uint64_t seed;

	for (seed = 1; seed <= 120; seed++) {
		unsigned context = contexts[seed % (sizeof(contexts) / sizeof(contexts[0]))];
		char *want, *got = NULL;
		int r;

		gen_case(seed, a, b);
		if (with_headings)
			context = 0;
		want = gnu_diff(a, b, context, with_headings ? "-F '^[ab]$'" : "");
		r = fnft_udiff_headed(a, b, "A", "B", context,
				      with_headings ? ab_heading : NULL, &got);
		ck_assert_msg(r == (*want ? 1 : 0), "seed %llu: returned %d",
			      (unsigned long long)seed, r);
		ck_assert_msg(strcmp(got ? got : "", want) == 0,
			      "seed %llu, context %u:\n--- a\n%s--- b\n%s--- diff -u\n%s--- ours\n%s",
			      (unsigned long long)seed, context, a, b, want, got ? got : "");
		free(got);
		free(want);
	}
}

START_TEST(test_against_gnu_diff)
{
	against_gnu_diff(false);
}
END_TEST

START_TEST(test_against_gnu_diff_headings)
{
	against_gnu_diff(true);
}
END_TEST

static Suite *udiff_suite(void)
{
	Suite *s = suite_create("udiff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_add_middle);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_change);
	tcase_add_test(tc, test_start_and_end);
	tcase_add_test(tc, test_empty_a);
	tcase_add_test(tc, test_empty_b);
	tcase_add_test(tc, test_two_hunks);
	tcase_add_test(tc, test_merged_hunk);
	tcase_add_test(tc, test_no_newline);
	tcase_add_test(tc, test_context_zero);
	tcase_add_test(tc, test_heading);
	tcase_add_test(tc, test_heading_long);
	suite_add_tcase(s, tc);

	/* Slow under valgrind, so with room to spare. */
	tc = tcase_create("large");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_large);
	tcase_add_test(tc, test_against_gnu_diff);
	tcase_add_test(tc, test_against_gnu_diff_headings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(udiff_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
