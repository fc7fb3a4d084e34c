/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner: catalog + site + node role -> the managed table (IR).
 * Pure: it reads its inputs and builds memory, nothing else.
 *
 * Reading of the port-usage table: a listen port means remotes open
 * connections to this node (an input rule, source address in the group's
 * set); a remote port means this node opens connections to the remotes (an
 * output rule, destination in the set).  "bidirectional" is the reply
 * traffic, which the ct state rule at the top of each chain carries, so no
 * ephemeral port is ever opened.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "ir.h"
#include "site-impl.h"

#define LOG_PREFIX "finesse-nft drop: "
#define LOG_PER_MINUTE 5

/* What a host must receive and send, whatever the policy says. */
static const uint8_t icmp_in[] = { 3, 11, 12 };	/* unreach, time-exc, param */
static const uint8_t icmp_out[] = { 3, 11, 12 };
/* unreach, too-big, time-exc, param, RS, RA, NS, NA */
static const uint8_t icmp6_in[] = { 1, 2, 3, 4, 133, 134, 135, 136 };
/* unreach, too-big, time-exc, param, RS, NS, NA, MLDv2 report */
static const uint8_t icmp6_out[] = { 1, 2, 3, 4, 133, 135, 136, 143 };
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128

struct planner {
	const struct fnft_catalog *cat;
	const struct fnft_site *site;
	enum fnft_role role;
	struct fnft_ruleset *rs;
	struct fnft_ir_chain *input, *output;
	struct fnft_error *err;
};

static int oom(struct planner *pl)
{
	return fnft_err(pl->err, -ENOMEM, NULL, NULL, "out of memory");
}

/* The addresses of group @name for @fam, as this node sees them. */
static const struct fnft_ivlist *group_addrs(const struct planner *pl,
					     const char *name, enum fnft_family fam)
{
	const struct fnft_group *g;

	if (streq(name, FNFT_GROUP_PEER)) {
		enum fnft_role other = pl->role == FNFT_ROLE_PRIMARY ?
				       FNFT_ROLE_SECONDARY : FNFT_ROLE_PRIMARY;

		return &pl->site->node_addrs[other - 1][fam];
	}
	g = fnft_site_group(pl->site, name);
	return g ? &g->addrs[fam] : NULL;
}

/* Create the set of @group for @fam unless it exists. */
static int ensure_set(struct planner *pl, const char *group, enum fnft_family fam)
{
	const struct fnft_ivlist *src = group_addrs(pl, group, fam);
	struct fnft_ir_set *set;
	char name[FNFT_SET_NAME_MAX];

	fnft_group_set_name(name, sizeof(name), group, fam);
	if (fnft_ruleset_find_set(pl->rs, name))
		return 0;
	set = fnft_ruleset_add_set(pl->rs, name, fam);
	if (!set)
		return oom(pl);
	if (src && src->n) {
		struct fnft_iv *v = malloc(src->n * sizeof(*v));

		if (!v)
			return oom(pl);
		memcpy(v, src->v, src->n * sizeof(*v));
		set->elems = (struct fnft_ivlist){ v, src->n, src->n };
	}
	return 0;
}

static int add(struct planner *pl, struct fnft_ir_chain *chain,
	       const struct fnft_ir_rule *r)
{
	return fnft_chain_add_rule(chain, r) < 0 ? oom(pl) : 0;
}

/* ---- the fixed preamble ---- */

static int cmp_u8(const void *a, const void *b)
{
	return *(const uint8_t *)a - *(const uint8_t *)b;
}

static int add_icmp(struct planner *pl, struct fnft_ir_chain *chain,
		    enum fnft_l4 l4, const uint8_t *types, size_t n, uint8_t extra)
{
	struct fnft_ir_rule r = { .l4 = l4, .verdict = FNFT_VERDICT_ACCEPT };
	uint8_t v[16];

	assert(n < ARRAY_SIZE(v));
	memcpy(v, types, n);
	if (extra)
		v[n++] = extra;
	/* ascending, as nft prints set members */
	qsort(v, n, 1, cmp_u8);
	r.icmp_types = v;
	r.n_icmp_types = n;
	return add(pl, chain, &r);
}

static int preamble(struct planner *pl)
{
	bool ping_any = pl->site->policy.ping == FNFT_PING_ANY;
	struct fnft_ir_rule est = {
		.ct_state = FNFT_CT_ESTABLISHED | FNFT_CT_RELATED,
		.verdict = FNFT_VERDICT_ACCEPT,
	};
	struct fnft_ir_rule inval = {
		.ct_state = FNFT_CT_INVALID, .verdict = FNFT_VERDICT_DROP,
	};
	struct fnft_ir_rule lo_in = { .iifname = "lo",
				      .verdict = FNFT_VERDICT_ACCEPT };
	struct fnft_ir_rule lo_out = { .oifname = "lo",
				       .verdict = FNFT_VERDICT_ACCEPT };
	int rc;

	if ((rc = add(pl, pl->input, &est)) || (rc = add(pl, pl->input, &inval)) ||
	    (rc = add(pl, pl->input, &lo_in)) ||
	    (rc = add_icmp(pl, pl->input, FNFT_L4_ICMP, icmp_in,
			   ARRAY_SIZE(icmp_in), ping_any ? ICMP_ECHO_REQUEST : 0)) ||
	    (rc = add_icmp(pl, pl->input, FNFT_L4_ICMPV6, icmp6_in,
			   ARRAY_SIZE(icmp6_in),
			   ping_any ? ICMPV6_ECHO_REQUEST : 0)))
		return rc;
	if ((rc = add(pl, pl->output, &est)) || (rc = add(pl, pl->output, &lo_out)) ||
	    (rc = add_icmp(pl, pl->output, FNFT_L4_ICMP, icmp_out,
			   ARRAY_SIZE(icmp_out), 0)) ||
	    (rc = add_icmp(pl, pl->output, FNFT_L4_ICMPV6, icmp6_out,
			   ARRAY_SIZE(icmp6_out), 0)))
		return rc;
	return 0;
}

/* ---- rows ---- */

typedef int (*group_fn)(struct planner *pl, const struct fnft_row *row,
			const char *group, void *user);

/* Call @fn once per group of every enabled row, catalog rows first. */
static int each_row_group(struct planner *pl, group_fn fn, void *user)
{
	const struct fnft_catalog *cats[] = { pl->cat, &pl->site->entries };
	size_t c, i, k;
	int rc;

	for (c = 0; c < ARRAY_SIZE(cats); c++)
		for (i = 0; i < cats[c]->n; i++) {
			const struct fnft_row *row = &cats[c]->rows[i];

			if (!fnft_site_row_enabled(pl->site, row))
				continue;
			for (k = 0; k < row->n_groups; k++)
				if ((rc = fn(pl, row, row->groups[k], user)))
					return rc;
		}
	return 0;
}

/* echo-request from every address of every group in use (ping = groups) */
static int ping_group(struct planner *pl, const struct fnft_row *row,
		      const char *group, void *user)
{
	static const uint8_t echo[] = { ICMP_ECHO_REQUEST };
	static const uint8_t echo6[] = { ICMPV6_ECHO_REQUEST };
	struct fnft_ir_rule r = {
		.addr = FNFT_MATCH_SADDR, .verdict = FNFT_VERDICT_ACCEPT,
		.n_icmp_types = 1,
	};
	char name[FNFT_SET_NAME_MAX];
	enum fnft_family fam;
	size_t i;
	int rc;

	(void)row;
	(void)user;
	if (streq(group, FNFT_GROUP_ANY))
		return 0;
	fnft_group_set_name(name, sizeof(name), group, FNFT_V4);
	for (i = 0; i < pl->input->n_rules; i++) {
		const char *s = pl->input->rules[i].set;

		if (s && streq(s, name))
			return 0;	/* this group has its ping rules */
	}
	for (fam = FNFT_V4; fam <= FNFT_V6; fam++) {
		if ((rc = ensure_set(pl, group, fam)))
			return rc;
		fnft_group_set_name(name, sizeof(name), group, fam);
		r.family = fam;
		r.set = name;
		r.l4 = fam == FNFT_V4 ? FNFT_L4_ICMP : FNFT_L4_ICMPV6;
		r.icmp_types = (uint8_t *)(fam == FNFT_V4 ? echo : echo6);
		if ((rc = add(pl, pl->input, &r)))
			return rc;
	}
	return 0;
}

/* One counted accept rule per family (or one for 'any'). */
static int row_rules(struct planner *pl, struct fnft_ir_chain *chain,
		     const struct fnft_row *row, const char *group,
		     const struct fnft_portlist *ports, enum fnft_addr_match dir)
{
	struct fnft_ir_rule r = {
		.l4 = (enum fnft_l4)row->proto, .dports = *ports,
		.counter = true, .verdict = FNFT_VERDICT_ACCEPT,
		.comment = row->id,
	};
	char name[FNFT_SET_NAME_MAX];
	enum fnft_family fam;
	int rc;

	if (streq(group, FNFT_GROUP_ANY))
		return add(pl, chain, &r);
	for (fam = FNFT_V4; fam <= FNFT_V6; fam++) {
		if ((rc = ensure_set(pl, group, fam)))
			return rc;
		fnft_group_set_name(name, sizeof(name), group, fam);
		r.addr = dir;
		r.family = fam;
		r.set = name;
		if ((rc = add(pl, chain, &r)))
			return rc;
	}
	return 0;
}

static int row_group(struct planner *pl, const struct fnft_row *row,
		     const char *group, void *user)
{
	const struct fnft_portlist *in = fnft_site_row_ports(pl->site, row, &row->listen);
	const struct fnft_portlist *out = fnft_site_row_ports(pl->site, row,
							      &row->remote_ports);
	int rc = 0;

	(void)user;
	if (in->n)
		rc = row_rules(pl, pl->input, row, group, in, FNFT_MATCH_SADDR);
	if (!rc && out->n)
		rc = row_rules(pl, pl->output, row, group, out, FNFT_MATCH_DADDR);
	return rc;
}

static int add_log(struct planner *pl, struct fnft_ir_chain *chain)
{
	struct fnft_ir_rule r = {
		.limit_per_minute = LOG_PER_MINUTE,
		.log_prefix = (char *)LOG_PREFIX,
	};

	if (!pl->site->policy.log || chain->policy != FNFT_VERDICT_DROP)
		return 0;
	return add(pl, chain, &r);
}

static int resolve_role(const struct fnft_site *site, enum fnft_role *role,
			struct fnft_error *err)
{
	if (*role == FNFT_ROLE_SITE)
		*role = site->role;
	if (*role != FNFT_ROLE_PRIMARY && *role != FNFT_ROLE_SECONDARY)
		return fnft_err(err, -EINVAL, NULL, NULL,
				"no node role: set 'node = primary|secondary' in [cluster] or pass --node");
	return 0;
}

static int build(struct planner *pl)
{
	const struct fnft_policy *pol = &pl->site->policy;
	int rc;

	pl->input = fnft_ruleset_add_chain(pl->rs, "input", FNFT_HOOK_INPUT, 0,
					   pol->input_accept ? FNFT_VERDICT_ACCEPT
							     : FNFT_VERDICT_DROP);
	pl->output = fnft_ruleset_add_chain(pl->rs, "output", FNFT_HOOK_OUTPUT, 0,
					    pol->output_drop ? FNFT_VERDICT_DROP
							     : FNFT_VERDICT_ACCEPT);
	if (!pl->input || !pl->output)
		return oom(pl);
	if ((rc = preamble(pl)))
		return rc;
	if (pol->ping == FNFT_PING_GROUPS &&
	    (rc = each_row_group(pl, ping_group, NULL)))
		return rc;
	if ((rc = each_row_group(pl, row_group, NULL)))
		return rc;
	if ((rc = add_log(pl, pl->input)) || (rc = add_log(pl, pl->output)))
		return rc;
	fnft_ruleset_sort_sets(pl->rs);
	return 0;
}

FNFT_EXPORT int fnft_plan(const struct fnft_catalog *cat,
			  const struct fnft_site *site, enum fnft_role role,
			  const char *table, struct fnft_ruleset **out,
			  struct fnft_error *err)
{
	struct planner pl = { .cat = cat, .site = site, .err = err };
	char comment[64];
	int rc;

	if (!cat || !site || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!fnft_site_checked(site))
		return fnft_err(err, -EINVAL, NULL, NULL,
				"the site changed since it was last checked: call fnft_site_check()");
	if (!table)
		table = FNFT_DEFAULT_TABLE;
	if ((rc = fnft_table_name_check_loadable(table, err)))
		return rc;
	if ((rc = resolve_role(site, &role, err)))
		return rc;
	pl.role = role;
	snprintf(comment, sizeof(comment), "finesse-nft %s", fnft_role_name(role));
	pl.rs = fnft_ruleset_new(table, comment);
	if (!pl.rs)
		return oom(&pl);
	rc = build(&pl);
	if (rc) {
		fnft_ruleset_free(pl.rs);
		return rc;
	}
	*out = pl.rs;
	return 0;
}
