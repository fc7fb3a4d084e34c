/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff: a change review between two sites, for every role they may be
 * deployed as.  Printing only; the plans and the diff are the library's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exit.h"
#include "review.h"
#include "say.h"

/* One side of the review: the site as a node will read it. */
struct side {
	const char *arg;	/* as given on the command line */
	char main[PATH_MAX];	/* the main file */
	char dropins[PATH_MAX];	/* its drop-in directory; "" for none */
	struct fnft_site *site;
};

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Where a side's files are (see the man page, diff): a directory DIR is a
 * node's /etc/finesse-nft, DIR/site.conf and DIR/site.conf.d/; a file FILE
 * is read with FILE.d/, as every command reads it, if there is one.
 */
static int locate(struct side *s)
{
	size_t n;

	if (is_dir(s->arg)) {
		n = (size_t)snprintf(s->main, sizeof(s->main), "%s/site.conf", s->arg);
		snprintf(s->dropins, sizeof(s->dropins), "%s/site.conf.d", s->arg);
	} else {
		n = (size_t)snprintf(s->main, sizeof(s->main), "%s", s->arg);
		snprintf(s->dropins, sizeof(s->dropins), "%s.d", s->arg);
		if (!is_dir(s->dropins))
			s->dropins[0] = '\0';
	}
	if (n + sizeof(".conf.d") > sizeof(s->main))
		return say(EXIT_USAGE, "%s: name too long", s->arg);
	return EXIT_OK;
}

/*
 * A file without drop-ins of its own, facing a side with some, is read
 * with those: a new main file reviewed against a node's site is deployed
 * onto that node's drop-ins, and without them every drop-in would show
 * as removed.  (An empty FILE.d/ says "no drop-ins" explicitly.)
 */
static void borrow(struct side *s, const struct side *from)
{
	if (s->dropins[0] || !from->dropins[0] || !is_dir(from->dropins))
		return;
	memcpy(s->dropins, from->dropins, sizeof(s->dropins));
	say(0, "note: %s has no drop-ins of its own; read with those of %s/",
	    s->arg, from->dropins);
}

static int load_side(const struct fnft_catalog *cat, struct side *s,
		     struct fnft_error *err)
{
	return fnft_site_load_dropins(s->main, s->dropins[0] ? s->dropins : NULL,
				      cat, &s->site, err);
}

/* @s in a markdown table cell: the characters markdown would read
 * escaped, a newline as a space. */
static void md_cell(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr("|\\`*_<>[]", s[i]))
			putchar('\\');
		putchar(s[i] == '\n' ? ' ' : s[i]);
	}
}

/* The longest run of backquotes in @s: a fence must be longer. */
static size_t backquote_run(const char *s)
{
	size_t run = 0, best = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		best = run > best ? run : best;
	}
	return best;
}

/*
 * For a ticket: a heading, the summary as a table (each line "SUBJECT:
 * CHANGE" a row) and the nft diff in a fenced block.
 */
static int put_markdown(const struct fnft_ruleset *a, const struct fnft_ruleset *b,
			const struct fnft_site *sa, const struct fnft_site *sb,
			const char *la, const char *lb)
{
	char *sum = NULL, *diff = NULL, *line, *end;
	size_t fence, i;
	int rc;

	rc = fnft_ruleset_summary(a, b, sa, sb, NULL, 0, &sum);
	if (!rc)
		rc = fnft_ruleset_diff(a, b, la, lb, &diff);
	if (rc == 1) {
		fputs("#### ", stdout);
		md_cell(la, strlen(la));
		fputs(" -> ", stdout);
		md_cell(lb, strlen(lb));
		fputs("\n\n| What | Change |\n|---|---|\n", stdout);
		for (line = sum; *line; line = end + 1) {
			char *colon;

			end = strchr(line, '\n');
			colon = strstr(line, ": ");
			if (!colon || colon > end)
				colon = end;
			fputs("| ", stdout);
			md_cell(line, (size_t)(colon - line));
			fputs(" | ", stdout);
			if (colon < end)
				md_cell(colon + 2, (size_t)(end - colon - 2));
			fputs(" |\n", stdout);
		}
		if (!*sum)
			fputs("| (table) | see the diff |\n", stdout);
		fence = backquote_run(diff) + 1;
		fence = fence < 3 ? 3 : fence;
		putchar('\n');
		for (i = 0; i < fence; i++)
			putchar('`');
		fputs("diff\n", stdout);
		fputs(diff, stdout);
		for (i = 0; i < fence; i++)
			putchar('`');
		fputs("\n\n", stdout);
		rc = 0;
	}
	free(sum);
	free(diff);
	return rc;
}

/* @a -> @b in the form @ro asks for; @first: the first of a JSON array.
 * 0, or a negative errno. */
static int put_review(const struct review_opts *ro, const struct fnft_ruleset *a,
		      const struct fnft_ruleset *b, const struct fnft_site *sa,
		      const struct fnft_site *sb, enum fnft_role role, bool first,
		      const char *la, const char *lb)
{
	char *text = NULL;
	int rc;

	if (ro->markdown)
		return put_markdown(a, b, sa, sb, la, lb);
	if (ro->summary)
		rc = fnft_ruleset_summary(a, b, sa, sb, fnft_role_name(role),
					  ro->json ? FNFT_SUMMARY_JSON : 0, &text);
	else if (ro->json)
		rc = fnft_ruleset_changes_json(a, b, &text);
	else
		rc = fnft_ruleset_diff(a, b, la, lb, &text);
	if (rc >= 0 && ro->json)
		printf("%s%s", first ? "[" : ",\n", text);
	else if (rc >= 0 && ro->summary && *text)
		printf("# %s -> %s\n%s", la, lb, text);
	else if (rc == 1)
		fputs(text, stdout);
	free(text);
	return rc < 0 ? rc : 0;
}

int review_live(const struct review_opts *ro, const struct fnft_ruleset *live,
		const struct fnft_ruleset *plan, const struct fnft_site *site,
		enum fnft_role role, const char *label_a, const char *label_b)
{
	int rc = put_review(ro, live, plan, NULL, site, role, true, label_a, label_b);

	if (!rc && ro->json)
		puts("]");
	return rc;
}

/*
 * Plan both sides for @role and print their review under @suffix'd
 * labels.  Returns 0 equal, 1 different, or a negative errno (@err says
 * why).
 */
static int diff_role(const struct fnft_catalog *cat, const struct review_opts *ro,
		     const struct side *a, const struct side *b,
		     enum fnft_role role, const char *suffix, bool first,
		     struct fnft_error *err)
{
	struct fnft_ruleset *pa = NULL, *pb = NULL;
	char la[4200], lb[4200];
	int rc;

	rc = fnft_plan(cat, a->site, role, ro->table, &pa, err);
	if (!rc)
		rc = fnft_plan(cat, b->site, role, ro->table, &pb, err);
	if (rc)
		goto out;
	if (role == FNFT_ROLE_SITE)	/* both name theirs: say the new one's */
		role = fnft_site_role(b->site);
	snprintf(la, sizeof(la), "%s%s", a->arg, suffix);
	snprintf(lb, sizeof(lb), "%s%s", b->arg, suffix);
	rc = put_review(ro, pa, pb, a->site, b->site, role, first, la, lb);
	if (!rc)
		rc = !fnft_ruleset_equal(pa, pb);
out:
	fnft_ruleset_free(pa);
	fnft_ruleset_free(pb);
	return rc;
}

int review_diff(const struct review_opts *ro, const char *old, const char *new)
{
	static const enum fnft_role roles[] = { FNFT_ROLE_PRIMARY, FNFT_ROLE_SECONDARY };
	struct fnft_catalog *cat = NULL;
	struct fnft_error err = { 0 };
	struct side a = { .arg = old }, b = { .arg = new };
	bool differ = false;
	size_t i;
	int rc;

	if ((rc = locate(&a)) || (rc = locate(&b)))
		return rc;
	borrow(&a, &b);
	borrow(&b, &a);
	rc = ro->catalog ? fnft_catalog_load(ro->catalog, &cat, &err) :
			   fnft_catalog_new_builtin(&cat, &err);
	if (!rc)
		rc = load_side(cat, &a, &err);
	if (!rc)
		rc = load_side(cat, &b, &err);
	/*
	 * --node, or both sites naming their role: one diff, as each node
	 * would plan.  Otherwise (a site shared by both nodes): one diff per
	 * role, each file planned as that role.
	 */
	if (!rc && (ro->role != FNFT_ROLE_SITE ||
		    (fnft_site_role(a.site) != FNFT_ROLE_SITE &&
		     fnft_site_role(b.site) != FNFT_ROLE_SITE))) {
		rc = diff_role(cat, ro, &a, &b, ro->role, "", true, &err);
		differ = rc == 1;
		rc = rc == 1 ? 0 : rc;
	} else {
		for (i = 0; !rc && i < sizeof(roles) / sizeof(roles[0]); i++) {
			char suffix[32];

			snprintf(suffix, sizeof(suffix), " (%s)", fnft_role_name(roles[i]));
			rc = diff_role(cat, ro, &a, &b, roles[i], suffix, i == 0, &err);
			differ |= rc == 1;
			rc = rc == 1 ? 0 : rc;
		}
	}
	if (!rc && ro->json)
		puts("]");
	fnft_site_free(a.site);
	fnft_site_free(b.site);
	fnft_catalog_free(cat);
	if (rc < 0)
		return exit_fail(PHASE_INPUT, rc, &err);
	return differ ? EXIT_DIFFERENT : EXIT_OK;
}
