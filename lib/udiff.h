/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unified diff of two texts, in the format of `diff -u` / `git diff`.
 *
 * Internal to finesse-nft; not part of the public API.
 */
#ifndef FNFT_UDIFF_H
#define FNFT_UDIFF_H

#include <stdbool.h>
#include <stddef.h>

/* Produce a unified diff between two texts, split into lines at '\n'.
 * Output (malloc'd, NUL-terminated, caller frees) in the exact format of `diff -u` / `git diff`:
 *   "--- <label_a>\n+++ <label_b>\n" then hunks "@@ -A,B +C,D @@\n" with ' ', '-', '+' prefixed lines,
 *   `context` lines of context (3 in practice), adjacent/overlapping hunks merged as diff -u does,
 *   hunk header counts follow diff -u rules (",B" omitted when B == 1; for an empty side "-A,0" where A is
 *   the line BEFORE the hunk, e.g. "@@ -0,0 +1,2 @@" when a is empty).
 * If the texts are equal, *out is set to NULL and the function returns 0.
 * If they differ, *out gets the diff and the function returns 1.
 * -ENOMEM on allocation failure (*out untouched).
 * A last line without a trailing newline counts as a line; it differs from the same
 * line with a newline and is followed by "\ No newline at end of file", as diff -u does.
 * The edit script is minimal (ties broken as GNU diff breaks them), except when the
 * texts differ in many thousands of lines: then, as in diff, an approximation keeps
 * the running time near linear. */
int fnft_udiff(const char *a, const char *b, const char *label_a, const char *label_b,
	       unsigned context, char **out);

/* Whether a line (@len bytes, without its '\n') opens a section, for the
 * hunk headers of fnft_udiff_headed(). */
typedef bool fnft_udiff_heading_fn(const char *line, size_t len);

/* fnft_udiff(), with hunk headers that name their place, as `diff -p`,
 * `diff -F RE` and git do: "@@ -A,B +C,D @@ HEADING", HEADING being the
 * nearest line of @a before the hunk's first changed line for which
 * @heading says yes, without its leading and trailing white space.
 * Two departures from diff, for a reader's sake: diff searches from
 * before the hunk's first context line, so that a change just inside a
 * block whose opening line is among the context gets the block before it
 * as heading; we search from the first change, context lines included.
 * (With no context lines the two agree.)  And where diff cuts the heading
 * at 40 bytes we cut it, as git does, at 80: a set name is worth reading
 * whole.  No such line (or @heading NULL): the plain header.  Same
 * returns as fnft_udiff(). */
int fnft_udiff_headed(const char *a, const char *b, const char *label_a,
		      const char *label_b, unsigned context,
		      fnft_udiff_heading_fn *heading, char **out);

#endif
