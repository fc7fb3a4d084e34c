/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff: a change review between two sites, for every role they may be
 * deployed as.  Printing only; the plans and the diff are the library's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "review.h"
#include "say.h"

/* One side of the review: the site as a node will read it. */
struct side {
	const char *arg;	/* as given on the command line */
	struct fnft_site *site;
};

static int load_side(const struct fnft_catalog *cat, struct side *s,
		     struct fnft_error *err)
{
	return fnft_site_load(s->arg, cat, &s->site, err);
}

/*
 * Plan both sides for @role and print their diff under @suffix'd labels.
 * Returns 0 equal, 1 different, or a negative errno (@err says why).
 */
static int diff_role(const struct fnft_catalog *cat, const struct review_opts *ro,
		     const struct side *a, const struct side *b,
		     enum fnft_role role, const char *suffix,
		     struct fnft_error *err)
{
	struct fnft_ruleset *pa = NULL, *pb = NULL;
	char la[4200], lb[4200], *text = NULL;
	int rc;

	rc = fnft_plan(cat, a->site, role, ro->table, &pa, err);
	if (!rc)
		rc = fnft_plan(cat, b->site, role, ro->table, &pb, err);
	if (!rc) {
		snprintf(la, sizeof(la), "%s%s", a->arg, suffix);
		snprintf(lb, sizeof(lb), "%s%s", b->arg, suffix);
		rc = fnft_ruleset_diff(pa, pb, la, lb, &text);
		if (rc == 1)
			fputs(text, stdout);	/* -ENOMEM: strerror says it */
	}
	free(text);
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
		rc = diff_role(cat, ro, &a, &b, ro->role, "", &err);
		differ = rc == 1;
	} else {
		for (i = 0; !rc && i < sizeof(roles) / sizeof(roles[0]); i++) {
			char suffix[32];

			snprintf(suffix, sizeof(suffix), " (%s)", fnft_role_name(roles[i]));
			rc = diff_role(cat, ro, &a, &b, roles[i], suffix, &err);
			differ |= rc == 1;
			rc = rc == 1 ? 0 : rc;
		}
	}
	fnft_site_free(a.site);
	fnft_site_free(b.site);
	fnft_catalog_free(cat);
	if (rc < 0)
		return exit_fail(PHASE_INPUT, rc, &err);
	return differ ? EXIT_DIFFERENT : EXIT_OK;
}
