/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The diff between two tables as data: every added or removed line of the
 * unified diff, with the block (table, set or chain) it belongs to.  It is
 * derived from the very diff a reviewer reads, so the two never disagree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <finesse-nft/ruleset.h>

#include "ir.h"
#include "udiff.h"

struct text {
	char *s;
	char **lines;		/* into s, NUL-terminated */
	char **block;		/* owning block of each line ("set x", ...) */
	size_t n;
};

static void text_free(struct text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->block[i]);
	free(t->block);
	free(t->lines);
	free(t->s);
}

/* "\tset x {" / "\tchain x {" open a block; "}" at depth 1 closes it. */
static char *block_of(const char *line, const char *current)
{
	const char *p = line;
	size_t n;

	if (p[0] == '\t' && p[1] != '\t' &&
	    (!strncmp(p + 1, "set ", 4) || !strncmp(p + 1, "chain ", 6))) {
		n = strcspn(p + 1, "{");
		while (n && p[n] == ' ')
			n--;
		return strndup(p + 1, n);
	}
	if (!strcmp(line, "\t}") || !strncmp(line, "table ", 6) || !strcmp(line, "}"))
		return strdup("table");
	return strdup(current);
}

static int text_split(const struct fnft_ruleset *rs, struct text *t)
{
	struct fnft_buf b = { 0 };
	size_t cap = 0, i;
	char *p, *cur = "table";

	memset(t, 0, sizeof(*t));
	if (rs && fnft_render_table(rs, &b) < 0) {
		fnft_buf_free(&b);
		return -ENOMEM;
	}
	if (fnft_buf_steal(&b, &t->s) < 0)
		return -ENOMEM;
	for (p = t->s; *p; ) {
		char *nl = strchr(p, '\n');

		if (fnft_grow(&t->lines, &cap, t->n + 1, sizeof(char *)) < 0)
			return -ENOMEM;
		t->lines[t->n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	t->block = calloc(t->n ? t->n : 1, sizeof(char *));
	if (!t->block)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		t->block[i] = block_of(t->lines[i], cur);
		if (!t->block[i])
			return -ENOMEM;
		/* a closing brace belongs to its block; what follows does not */
		cur = strcmp(t->lines[i], "\t}") ? t->block[i] : "table";
	}
	return 0;
}

/* Join the lines again for udiff (split wrote NULs over the newlines). */
static char *joined(const struct text *t)
{
	struct fnft_buf b = { 0 };
	size_t i;
	char *s = NULL;

	for (i = 0; i < t->n; i++)
		fnft_buf_printf(&b, "%s\n", t->lines[i]);
	return fnft_buf_steal(&b, &s) ? NULL : s;
}

/* "browser_v4" (@n bytes) as its group, "browser", into @g. */
static void set_group(const char *name, size_t n, char *g, size_t len)
{
	if (n > 3 && name[n - 3] == '_' && name[n - 2] == 'v')
		n -= 3;
	snprintf(g, len, "%.*s", (int)n, name);
}

/*
 * One added or removed line: its block, its text without indentation, an
 * element without the comma that separates it in nft syntax; the group
 * (of the set the line is in, or the set a rule matches) and the row (a
 * rule's comment) when there is one.
 */
static json_t *change(const char *op, const char *block, const char *line)
{
	char text[512], group[128] = "", row[128] = "";
	bool element = line[0] == '\t' && line[1] == '\t' && line[2] == '\t';
	const char *p;
	size_t n;

	while (*line == '\t')
		line++;
	n = strlen(line);
	if (element && n && line[n - 1] == ',' && n < sizeof(text)) {
		snprintf(text, sizeof(text), "%.*s", (int)(n - 1), line);
		line = text;
	}
	if (!strncmp(block, "set ", 4))
		set_group(block + 4, strlen(block + 4), group, sizeof(group));
	else if (!strncmp(block, "chain ", 6) && (p = strstr(line, " @")))
		set_group(p + 2, strcspn(p + 2, " "), group, sizeof(group));
	if (!strncmp(block, "chain ", 6) && (p = strstr(line, " comment \"")))
		snprintf(row, sizeof(row), "%.*s", (int)strcspn(p + 10, "\""), p + 10);
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "op", op, "in", fnft_json_text(block),
			 "line", fnft_json_text(line),
			 "group", group[0] ? fnft_json_text(group) : json_null(),
			 "row", row[0] ? fnft_json_text(row) : json_null());
}

/* Walk the unified diff, numbering old and new lines from each @@. */
static int collect(const char *diff, const struct text *a, const struct text *b,
		   json_t *changes)
{
	const char *p = diff;
	unsigned long oa = 0, ob = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		unsigned long x, y;

		if (!strncmp(p, "@@ -", 4)) {
			if (sscanf(p, "@@ -%lu%*[^+]+%lu", &x, &y) != 2)
				return -EINVAL;
			oa = x ? x - 1 : 0;
			ob = y ? y - 1 : 0;
		} else if (!strncmp(p, "---", 3) || !strncmp(p, "+++", 3)) {
			/* labels */
		} else if (*p == '-' && oa < a->n) {
			json_array_append_new(changes, change("remove", a->block[oa], a->lines[oa]));
			oa++;
		} else if (*p == '+' && ob < b->n) {
			json_array_append_new(changes, change("add", b->block[ob], b->lines[ob]));
			ob++;
		} else if (*p == ' ') {
			oa++, ob++;
		}
		(void)len;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

FNFT_EXPORT int fnft_ruleset_changes_json(const struct fnft_ruleset *a,
			      const struct fnft_ruleset *b, char **out)
{
	struct text ta, tb;
	char *sa = NULL, *sb = NULL, *diff = NULL;
	json_t *changes = json_array(), *o = NULL;
	int rc;

	rc = text_split(a, &ta);
	if (!rc)
		rc = text_split(b, &tb);
	else
		memset(&tb, 0, sizeof(tb));
	if (!rc && (!(sa = joined(&ta)) || !(sb = joined(&tb))))
		rc = -ENOMEM;
	if (!rc)
		rc = fnft_udiff(a ? sa : "", sb, "live", "plan", 0, &diff);
	if (rc >= 0 && !changes)
		rc = -ENOMEM;
	if (rc >= 0) {
		bool in_sync = rc == 0;	/* from the diff itself, not the array */

		rc = collect(diff, &ta, &tb, changes);
		if (!rc) {
			/* "o" takes the array over, on success or not */
			o = json_pack("{s:o, s:b, s:o}", "table", fnft_json_text(b->table),
				      "in_sync", in_sync, "changes", changes);
			changes = NULL;
			*out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
			rc = *out ? 0 : -ENOMEM;
		}
	}
	json_decref(o);
	json_decref(changes);
	free(diff);
	free(sa);
	free(sb);
	text_free(&ta);
	text_free(&tb);
	return rc;
}
