/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include <jansson.h>

#include "inifile.h"
#include "site-impl.h"

enum section {
	SEC_NONE,
	SEC_CLUSTER,
	SEC_POLICY,
	SEC_GROUP,
	SEC_PORT,
	SEC_ENTRY,
	SEC_DISABLE,
};

struct site_parse {
	struct fnft_site *site;
	const char *file;		/* the file being read */
	unsigned file_no;		/* which one: 1 the main file, 2... */
	const struct fnft_catalog *cat;
	enum section sec;
	struct fnft_group *group;	/* the [group] being read */
	struct fnft_row row;		/* the [entry] being read */
	bool in_entry;
	unsigned seen;			/* single-valued keys already given */
};

/* Single-valued keys: a repeat is an error, not a silent override. */
enum {
	SEEN_NODE = 1 << 0,
	SEEN_INPUT = 1 << 1,
	SEEN_OUTPUT = 1 << 2,
	SEEN_INSECURE = 1 << 3,
	SEEN_LOG = 1 << 4,
	SEEN_PING = 1 << 5,
};

static int oom(struct fnft_error *err)
{
	return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
}

static int warn_at(struct fnft_site *site, const char *file, unsigned line,
		   const char *fmt, ...) FNFT_PRINTF(4, 5);

/* A warning "FILE:LINE: text" (FILE: the main file when NULL). */
static int warn_at(struct fnft_site *site, const char *file, unsigned line,
		   const char *fmt, ...)
{
	struct fnft_buf b = { 0 };
	va_list ap;
	char text[512];
	char *s;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!file)
		file = site->file;
	if (line)
		fnft_buf_printf(&b, "%s:%u: %s", file, line, text);
	else
		fnft_buf_printf(&b, "%s: %s", file, text);
	if (fnft_buf_steal(&b, &s) < 0)
		return -ENOMEM;
	if (fnft_grow(&site->warnings, &site->cap_warnings,
		      site->n_warnings + 1, sizeof(char *)) < 0) {
		free(s);
		return -ENOMEM;
	}
	site->warnings[site->n_warnings++] = s;
	return 0;
}

const struct fnft_group *fnft_site_group(const struct fnft_site *site,
					 const char *name)
{
	size_t i;

	for (i = 0; i < site->n_groups; i++)
		if (streq(site->groups[i].name, name))
			return &site->groups[i];
	return NULL;
}

const struct fnft_port_move *fnft_site_move(const struct fnft_site *site,
					    const char *id)
{
	size_t i;

	for (i = 0; i < site->n_moves; i++)
		if (streq(site->moves[i].id, id))
			return &site->moves[i];
	return NULL;
}

bool fnft_site_disabled(const struct fnft_site *site, const char *id)
{
	size_t i;

	for (i = 0; i < site->n_disabled; i++)
		if (streq(site->disabled[i].id, id))
			return true;
	return false;
}

bool fnft_site_row_enabled(const struct fnft_site *site, const struct fnft_row *row)
{
	if (fnft_site_disabled(site, row->id))
		return false;
	return !(site->policy.insecure_deny && (row->flags & FNFT_ROW_INSECURE));
}

const struct fnft_portlist *fnft_site_row_ports(const struct fnft_site *site,
						const struct fnft_row *row,
						const struct fnft_portlist *own)
{
	const struct fnft_port_move *m = fnft_site_move(site, row->id);

	return m && own->n ? &m->ports : own;
}

static const struct fnft_row *find_row(const struct site_parse *p,
				       const char *id)
{
	const struct fnft_row *row = fnft_catalog_find(p->cat, id);

	return row ? row : fnft_catalog_find(&p->site->entries, id);
}

/* ---- sections ---- */

static int finish_entry(struct site_parse *p, struct fnft_error *err)
{
	if (!p->in_entry)
		return 0;
	p->in_entry = false;
	return fnft_catalog_take_row(&p->site->entries, &p->row, err);
}

/* "group browser" -> "browser"; NULL if @name is not "@kind <arg>". */
static const char *section_arg(const char *name, const char *kind)
{
	size_t n = strlen(kind);

	if (strncmp(name, kind, n) != 0 || (name[n] != ' ' && name[n] != '\t'))
		return NULL;
	return name + n + strspn(name + n, " \t");
}

static int begin_group(struct site_parse *p, const char *name,
		       const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_site *site = p->site;
	const struct fnft_group *prev = fnft_site_group(site, name);
	struct fnft_group *g;

	if (!fnft_group_name_valid(name))
		return fnft_err(err, -EINVAL, loc, NULL,
				"'%s' is not a valid group name (a lower-case letter, then lower-case letters, digits, '.', '-', '_')",
				name);
	if (streq(name, FNFT_GROUP_PEER))
		return fnft_err(err, -EINVAL, loc, NULL,
				"group 'peer' is implicit: it is the other node of [cluster]");
	if (streq(name, FNFT_GROUP_ANY))
		return fnft_err(err, -EINVAL, loc, NULL,
				"'any' is a reserved word for every address, not a group");
	if (prev && prev->file_no == p->file_no)
		return fnft_err(err, -EINVAL, loc, NULL,
				"group '%s' is defined twice (first at line %u)",
				name, prev->file_line);
	if (prev) {
		/* a later drop-in adds to a group an earlier file defined */
		g = (struct fnft_group *)prev;
		g->file_no = p->file_no;
		g->file_line = loc->line;
		p->group = g;
		return 0;
	}
	if (fnft_grow(&site->groups, &site->cap_groups, site->n_groups + 1,
		      sizeof(*site->groups)) < 0)
		return oom(err);
	g = &site->groups[site->n_groups];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	g->file = strdup(loc->file);
	site->n_groups++;
	if (!g->name || !g->file)
		return oom(err);
	g->line = g->file_line = loc->line;
	g->file_no = p->file_no;
	p->group = g;
	return 0;
}

static int begin_entry(struct site_parse *p, const char *id,
		       const struct fnft_loc *loc, struct fnft_error *err)
{
	const struct fnft_row *prev;

	if (!fnft_id_valid(id))
		return fnft_err(err, -EINVAL, loc, NULL,
				"'%s' is not a valid row id (lower-case letters, digits, '.', '-', '_')",
				id);
	prev = find_row(p, id);
	if (prev)
		return fnft_err(err, -EINVAL, loc, id,
				"duplicate entry id '%s' (already defined at %s:%u)",
				id, prev->file, prev->line);
	if (fnft_row_init(&p->row, id, loc) < 0)
		return oom(err);
	p->in_entry = true;
	return 0;
}

static int on_section(void *user, const char *name, const struct fnft_loc *loc,
		      struct fnft_error *err)
{
	static const struct {
		const char *name;
		enum section sec;
	} plain[] = {
		{ "cluster", SEC_CLUSTER },
		{ "policy", SEC_POLICY },
		{ "port", SEC_PORT },
		{ "disable", SEC_DISABLE },
	};
	struct site_parse *p = user;
	const char *arg;
	size_t i;
	int rc;

	rc = finish_entry(p, err);
	if (rc)
		return rc;
	for (i = 0; i < ARRAY_SIZE(plain); i++) {
		if (streq(name, plain[i].name)) {
			p->sec = plain[i].sec;
			return 0;
		}
	}
	if ((arg = section_arg(name, "group"))) {
		p->sec = SEC_GROUP;
		return begin_group(p, arg, loc, err);
	}
	if ((arg = section_arg(name, "entry"))) {
		p->sec = SEC_ENTRY;
		return begin_entry(p, arg, loc, err);
	}
	return fnft_err(err, -EINVAL, loc, NULL,
			"unknown section [%s] (expected cluster, policy, group NAME, port, entry ID or disable)",
			name);
}

/* ---- keys ---- */

static int once(struct site_parse *p, unsigned bit, const char *key,
		const struct fnft_loc *loc, struct fnft_error *err)
{
	if (p->seen & bit)
		return fnft_err(err, -EINVAL, loc, NULL, "'%s' is given twice",
				key);
	p->seen |= bit;
	return 0;
}

static int cluster_key(struct site_parse *p, const char *key, const char *value,
		       const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_site *site = p->site;
	enum fnft_family fam;
	struct fnft_iv iv;
	enum fnft_role role;
	char why[160];
	int rc;

	if (streq(key, "node")) {
		if ((rc = once(p, SEEN_NODE, key, loc, err)))
			return rc;
		if (fnft_role_parse(value, &site->role) < 0)
			return fnft_err(err, -EINVAL, loc, NULL,
					"bad node '%s' (expected primary or secondary)",
					value);
		return 0;
	}
	if (fnft_role_parse(key, &role) < 0)
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [cluster] (expected primary, secondary or node)",
				key);
	if (fnft_addr_parse_host(value, &fam, iv.lo, why, sizeof(why)) < 0)
		return fnft_err(err, -EINVAL, loc, NULL,
				"%s: '%s' is not an address (a cluster node is one IPv4 or IPv6 host)",
				key, value);
	memcpy(iv.hi, iv.lo, sizeof(iv.hi));
	if (fnft_ivlist_add(&site->node_addrs[role - 1][fam], &iv) < 0)
		return oom(err);
	fnft_ivlist_normalize(&site->node_addrs[role - 1][fam], fam);
	return 0;
}

static int choose(const char *value, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (streq(value, words[i]))
			return (int)i;
	return -1;
}

static int policy_key(struct site_parse *p, const char *key, const char *value,
		      const struct fnft_loc *loc, struct fnft_error *err)
{
	static const char *const verdicts[] = { "drop", "accept" };
	static const char *const allow[] = { "allow", "deny" };
	static const char *const onoff[] = { "off", "on" };
	static const char *const ping[] = { "groups", "any", "none" };
	static const struct {
		const char *key;
		unsigned bit;
		const char *const *words;
		size_t n;
		const char *expect;
	} knobs[] = {
		{ "input", SEEN_INPUT, verdicts, 2, "drop or accept" },
		{ "output", SEEN_OUTPUT, verdicts, 2, "accept or drop" },
		{ "insecure", SEEN_INSECURE, allow, 2, "allow or deny" },
		{ "log", SEEN_LOG, onoff, 2, "on or off" },
		{ "ping", SEEN_PING, ping, 3, "groups, any or none" },
	};
	struct fnft_policy *pol = &p->site->policy;
	size_t i;
	int v, rc;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (streq(key, knobs[i].key))
			break;
	if (i == ARRAY_SIZE(knobs))
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [policy] (expected input, output, insecure, log or ping)",
				key);
	if ((rc = once(p, knobs[i].bit, key, loc, err)))
		return rc;
	v = choose(value, knobs[i].words, knobs[i].n);
	if (v < 0)
		return fnft_err(err, -EINVAL, loc, NULL,
				"bad %s policy '%s' (expected %s)", key, value,
				knobs[i].expect);
	switch (knobs[i].bit) {
	case SEEN_INPUT:
		pol->input_accept = v == 1;
		break;
	case SEEN_OUTPUT:
		pol->output_drop = v == 0;
		break;
	case SEEN_INSECURE:
		pol->insecure_deny = v == 1;
		break;
	case SEEN_LOG:
		pol->log = v == 1;
		break;
	default:
		pol->ping = (enum fnft_ping)v;
	}
	return 0;
}

static int group_key(struct site_parse *p, const char *key, const char *value,
		     const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_group *g = p->group;
	enum fnft_family fam;
	struct fnft_iv iv;
	char why[200];

	if (!streq(key, "address"))
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [group %s] (expected address)",
				key, g->name);
	if (fnft_addr_parse(value, &fam, &iv, why, sizeof(why)) < 0)
		return fnft_err(err, -EINVAL, loc, NULL, "bad address: %s", why);
	if (fnft_ivlist_add(&g->addrs[fam], &iv) < 0)
		return oom(err);
	return 0;
}

static int port_key(struct site_parse *p, const char *key, const char *value,
		    const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_site *site = p->site;
	const struct fnft_port_move *prev = fnft_site_move(site, key);
	const struct fnft_row *row = fnft_catalog_find(p->cat, key);
	struct fnft_port_move *m;
	char why[160];

	if (!row)
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown row id '%s' in [port]", key);
	if (!(row->flags & FNFT_ROW_PORT_MOVABLE))
		return fnft_err(err, -EINVAL, loc, key,
				"the port of row '%s' is fixed; only port-movable rows can be moved",
				key);
	if (prev && streq(prev->file, loc->file))
		return fnft_err(err, -EINVAL, loc, key,
				"port of '%s' is given twice (first at line %u)",
				key, prev->line);
	if (prev) {
		/* a later drop-in moves the port again: it wins */
		m = (struct fnft_port_move *)prev;
		fnft_portlist_free(&m->ports);
		free(m->file);
		m->file = strdup(loc->file);
		m->line = loc->line;
		if (!m->file)
			return oom(err);
		if (fnft_ports_parse(value, &m->ports, why, sizeof(why)) < 0)
			return fnft_err(err, -EINVAL, loc, key, "%s: %s", key, why);
		fnft_portlist_normalize(&m->ports);
		return 0;
	}
	if (fnft_grow(&site->moves, &site->cap_moves, site->n_moves + 1,
		      sizeof(*site->moves)) < 0)
		return oom(err);
	m = &site->moves[site->n_moves];
	memset(m, 0, sizeof(*m));
	m->line = loc->line;
	m->id = strdup(key);
	m->file = strdup(loc->file);
	site->n_moves++;
	if (!m->id || !m->file)
		return oom(err);
	if (fnft_ports_parse(value, &m->ports, why, sizeof(why)) < 0)
		return fnft_err(err, -EINVAL, loc, key, "%s: %s", key, why);
	fnft_portlist_normalize(&m->ports);
	return 0;
}

static int disable_key(struct site_parse *p, const char *key, const char *value,
		       const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_site *site = p->site;
	struct fnft_disabled *d;

	if (!streq(key, "entry"))
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [disable] (expected entry)", key);
	if (fnft_site_disabled(site, value))
		return fnft_err(err, -EINVAL, loc, value,
				"row '%s' is disabled twice", value);
	if (fnft_grow(&site->disabled, &site->cap_disabled,
		      site->n_disabled + 1, sizeof(*site->disabled)) < 0)
		return oom(err);
	d = &site->disabled[site->n_disabled];
	d->line = loc->line;
	d->id = strdup(value);
	d->file = strdup(loc->file);
	site->n_disabled++;
	if (!d->id || !d->file)
		return oom(err);
	return 0;
}

static int on_key(void *user, const char *key, const char *value,
		  const struct fnft_loc *loc, struct fnft_error *err)
{
	struct site_parse *p = user;

	if (p->sec != SEC_ENTRY && !*value)
		return fnft_err(err, -EINVAL, loc, NULL, "'%s' has no value", key);
	switch (p->sec) {
	case SEC_CLUSTER:
		return cluster_key(p, key, value, loc, err);
	case SEC_POLICY:
		return policy_key(p, key, value, loc, err);
	case SEC_GROUP:
		return group_key(p, key, value, loc, err);
	case SEC_PORT:
		return port_key(p, key, value, loc, err);
	case SEC_ENTRY:
		return fnft_row_key(&p->row, key, value, loc, false, err);
	case SEC_DISABLE:
		return disable_key(p, key, value, loc, err);
	default:
		return fnft_err(err, -EINVAL, loc, NULL,
				"'%s' outside of a section", key);
	}
}

static const struct fnft_ini_ops site_ops = {
	.section = on_section,
	.key = on_key,
};

/* ---- checks that need the whole file ---- */

static bool catalog_names(const struct fnft_catalog *cat, const char *group)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (fnft_row_has_group(&cat->rows[i], group))
			return true;
	return false;
}

/* Is @group named by any row, enabled or not? */
static bool group_named(const struct site_parse *p, const char *group)
{
	return catalog_names(p->cat, group) ||
	       catalog_names(&p->site->entries, group);
}

static int check_row_groups(struct site_parse *p, const struct fnft_row *row,
			    struct fnft_error *err)
{
	struct fnft_loc loc = { row->file, row->remote_line };
	size_t i;

	for (i = 0; i < row->n_groups; i++) {
		const char *g = row->groups[i];

		if (streq(g, FNFT_GROUP_ANY) && row->n_groups > 1)
			return fnft_err(err, -EINVAL, &loc, row->id,
					"'any' already means every address; list no other group beside it");
		/* a site row may share a catalog group the site leaves undefined */
		if (streq(g, FNFT_GROUP_ANY) || streq(g, FNFT_GROUP_PEER) ||
		    fnft_site_group(p->site, g) || catalog_names(p->cat, g))
			continue;
		return fnft_err(err, -EINVAL, &loc, row->id,
				"unknown group '%s' (define it with [group %s])",
				g, g);
	}
	return 0;
}

static int check_disabled(struct site_parse *p, struct fnft_error *err)
{
	size_t i;

	for (i = 0; i < p->site->n_disabled; i++) {
		const struct fnft_disabled *d = &p->site->disabled[i];
		struct fnft_loc loc = { d->file, d->line };

		if (!find_row(p, d->id))
			return fnft_err(err, -EINVAL, &loc, d->id,
					"unknown row id '%s' in [disable]", d->id);
	}
	return 0;
}

static int check_groups(struct site_parse *p, struct fnft_error *err)
{
	struct fnft_site *site = p->site;
	size_t i;
	int rc;

	for (i = 0; i < site->entries.n; i++) {
		rc = check_row_groups(p, &site->entries.rows[i], err);
		if (rc)
			return rc;
	}
	for (i = 0; i < site->n_groups; i++) {
		struct fnft_group *g = &site->groups[i];
		struct fnft_loc loc = { g->file, g->line };

		if (!group_named(p, g->name))
			return fnft_err(err, -EINVAL, &loc, g->name,
					"group '%s' is not used by any row", g->name);
		fnft_ivlist_normalize(&g->addrs[FNFT_V4], FNFT_V4);
		fnft_ivlist_normalize(&g->addrs[FNFT_V6], FNFT_V6);
	}
	return 0;
}

/* "all of IPv4", "all of IPv6", "all of IPv4 and IPv6", or NULL */
static const char *covers_all(const struct fnft_group *g)
{
	bool v4 = fnft_ivlist_covers_all(&g->addrs[FNFT_V4], FNFT_V4);
	bool v6 = fnft_ivlist_covers_all(&g->addrs[FNFT_V6], FNFT_V6);

	return v4 && v6 ? "all of IPv4 and IPv6" : v4 ? "all of IPv4" :
	       v6 ? "all of IPv6" : NULL;
}

/*
 * Warn, per group, about enabled rows that will allow no one, and about a
 * group whose addresses are everyone's: 0.0.0.0/0 is remote = any by
 * another name, and deserves the same warning.
 */
static int warn_group(struct site_parse *p, const char *name)
{
	struct fnft_site *site = p->site;
	const struct fnft_catalog *cats[] = { p->cat, &site->entries };
	const struct fnft_group *g = fnft_site_group(site, name);
	const char *all = g ? covers_all(g) : NULL;
	struct fnft_buf rows = { 0 };
	size_t c, i;
	int rc = 0;

	if (g && (g->addrs[FNFT_V4].n || g->addrs[FNFT_V6].n) && !all)
		return 0;
	for (c = 0; c < ARRAY_SIZE(cats); c++)
		for (i = 0; i < cats[c]->n; i++) {
			const struct fnft_row *row = &cats[c]->rows[i];

			if (fnft_site_row_enabled(site, row) && fnft_row_has_group(row, name))
				fnft_buf_printf(&rows, "%s%s", rows.len ? ", " : "",
						row->id);
		}
	if (rows.oom)
		rc = -ENOMEM;
	else if (rows.len && all)
		rc = warn_at(site, g->file, g->line, "group '%s' is open to every address (%s, as remote = any): %s admit%s everyone",
			  name, all, rows.s, strchr(rows.s, ',') ? "" : "s");
	else if (rows.len && g)
		rc = warn_at(site, g->file, g->line, "group '%s' is empty: %s allow%s no one from it",
			  name, rows.s, strchr(rows.s, ',') ? "" : "s");
	else if (rows.len)
		rc = warn_at(site, NULL, 0, "group '%s' is not defined: %s allow%s no one from it",
			  name, rows.s, strchr(rows.s, ',') ? "" : "s");
	fnft_buf_free(&rows);
	return rc;
}

/* A node without an address leaves the other node's 'peer' rows empty. */
static int warn_peer(struct site_parse *p)
{
	struct fnft_site *site = p->site;
	enum fnft_role r;
	int rc;

	if (!group_named(p, FNFT_GROUP_PEER))
		return 0;
	for (r = FNFT_ROLE_PRIMARY; r <= FNFT_ROLE_SECONDARY; r++) {
		if (site->node_addrs[r - 1][FNFT_V4].n ||
		    site->node_addrs[r - 1][FNFT_V6].n)
			continue;
		rc = warn_at(site, NULL, 0, "[cluster] has no %s address: on the %s node, rows naming 'peer' allow no one",
			  fnft_role_name(r),
			  fnft_role_name(r == FNFT_ROLE_PRIMARY ? FNFT_ROLE_SECONDARY
								: FNFT_ROLE_PRIMARY));
		if (rc)
			return rc;
	}
	return 0;
}

static bool group_has_addresses(const struct fnft_site *site, const char *g)
{
	const struct fnft_group *grp;
	int r, f;

	if (streq(g, FNFT_GROUP_ANY))
		return true;
	if (streq(g, FNFT_GROUP_PEER)) {
		/* either node may be the peer: empty only with no node at all */
		for (r = 0; r < 2; r++)
			for (f = 0; f < 2; f++)
				if (site->node_addrs[r][f].n)
					return true;
		return false;
	}
	grp = fnft_site_group(site, g);
	return grp && (grp->addrs[FNFT_V4].n || grp->addrs[FNFT_V6].n);
}

/* Does any group of @row hold an address? */
static bool row_reaches_anyone(const struct fnft_site *site,
			       const struct fnft_row *row)
{
	size_t k;

	for (k = 0; k < row->n_groups; k++)
		if (group_has_addresses(site, row->groups[k]))
			return true;
	return false;
}

static bool row_listens_on(const struct fnft_site *site, const struct fnft_row *row,
			   uint16_t port)
{
	const struct fnft_portlist *l = fnft_site_row_ports(site, row, &row->listen);
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].first <= port && port <= l->v[i].last)
			return true;
	return false;
}

/*
 * Fail closed, but say so: rows that allow no one, rows open to everyone,
 * and a drop policy with nothing that admits management access.
 */
static int warn_rows(struct site_parse *p)
{
	struct fnft_site *site = p->site;
	const struct fnft_catalog *cats[] = { p->cat, &site->entries };
	bool management = site->entries.n > 0;
	size_t c, i;
	int rc;

	for (c = 0; c < ARRAY_SIZE(cats); c++)
		for (i = 0; i < cats[c]->n; i++) {
			const struct fnft_row *row = &cats[c]->rows[i];

			if (!fnft_site_row_enabled(site, row))
				continue;
			if (fnft_row_has_group(row, FNFT_GROUP_ANY))
				rc = warn_at(site, c ? row->file : NULL, c ? row->line : 0,
					  "row %s is open to every address (remote = any)",
					  row->id);
			else if (!row_reaches_anyone(site, row))
				rc = warn_at(site, c ? row->file : NULL, c ? row->line : 0,
					  "row %s allows no one: none of its groups holds an address",
					  row->id);
			else
				rc = 0;
			if (rc)
				return rc;
			if (row_reaches_anyone(site, row) &&
			    (row_listens_on(site, row, 443) || row_listens_on(site, row, 8445)))
				management = true;
		}
	if (!site->policy.input_accept && !management)
		return warn_at(site, NULL, 0, "input = drop, and nothing admits management access: no [entry] row, "
			    "and no group on 443/8445 holds an address; the node may lock you out");
	return 0;
}

static int collect_warnings(struct site_parse *p)
{
	const struct fnft_catalog *cats[] = { p->cat, &p->site->entries };
	size_t c, i, k;
	int rc;

	if ((rc = warn_peer(p)))
		return rc;

	/* Each group once, in the order rows first name it. */
	for (c = 0; c < ARRAY_SIZE(cats); c++)
		for (i = 0; i < cats[c]->n; i++) {
			const struct fnft_row *row = &cats[c]->rows[i];

			for (k = 0; k < row->n_groups; k++) {
				const char *g = row->groups[k];
				size_t c2, i2;
				bool earlier = false;

				if (streq(g, FNFT_GROUP_ANY) || streq(g, FNFT_GROUP_PEER))
					continue;
				for (c2 = 0; c2 <= c && !earlier; c2++)
					for (i2 = 0; i2 < (c2 < c ? cats[c2]->n : i); i2++)
						if (fnft_row_has_group(&cats[c2]->rows[i2], g))
							earlier = true;
				if (earlier)
					continue;
				if ((rc = warn_group(p, g)))
					return rc;
			}
		}
	return warn_rows(p);
}

static void site_free(struct fnft_site *site)
{
	size_t i, r, f;

	free(site->file);
	for (r = 0; r < 2; r++)
		for (f = 0; f < 2; f++)
			fnft_ivlist_free(&site->node_addrs[r][f]);
	for (i = 0; i < site->n_groups; i++) {
		free(site->groups[i].name);
		free(site->groups[i].file);
		fnft_ivlist_free(&site->groups[i].addrs[0]);
		fnft_ivlist_free(&site->groups[i].addrs[1]);
	}
	free(site->groups);
	for (i = 0; i < site->n_moves; i++) {
		free(site->moves[i].id);
		free(site->moves[i].file);
		fnft_portlist_free(&site->moves[i].ports);
	}
	free(site->moves);
	for (i = 0; i < site->n_disabled; i++) {
		free(site->disabled[i].id);
		free(site->disabled[i].file);
	}
	free(site->disabled);
	for (i = 0; i < site->entries.n; i++)
		fnft_row_clear(&site->entries.rows[i]);
	free(site->entries.rows);
	for (i = 0; i < site->n_warnings; i++)
		free(site->warnings[i]);
	free(site->warnings);
	free(site);
}

static int site_begin(struct site_parse *p, const char *name,
		      const struct fnft_catalog *cat, struct fnft_error *err)
{
	memset(p, 0, sizeof(*p));
	p->cat = cat;
	p->site = calloc(1, sizeof(*p->site));
	if (!p->site || !(p->site->file = strdup(name))) {
		free(p->site);
		p->site = NULL;
		return oom(err);
	}
	return 0;
}

/*
 * One file: the main one or a drop-in.  Scalars may be given once per
 * file; a later file overrides them, adds to groups and adds rows.
 */
static int site_parse_text(struct site_parse *p, const char *name,
			   const char *text, size_t len, struct fnft_error *err)
{
	int rc;

	p->file = name;
	p->file_no++;
	p->seen = 0;
	p->sec = SEC_NONE;
	p->group = NULL;
	rc = fnft_ini_parse(name, text, len, &site_ops, p, err);
	if (!rc)
		rc = finish_entry(p, err);
	return rc;
}

static int site_finish(struct site_parse *p, int rc, struct fnft_site **out,
		       struct fnft_error *err)
{
	if (!rc)
		rc = check_groups(p, err);
	if (!rc)
		rc = check_disabled(p, err);
	if (!rc && collect_warnings(p) < 0)
		rc = oom(err);
	fnft_row_clear(&p->row);
	if (rc) {
		site_free(p->site);
		return rc;
	}
	*out = p->site;
	return 0;
}

FNFT_EXPORT int fnft_site_load_buffer(const char *name, const char *text,
				      size_t len, const struct fnft_catalog *cat,
				      struct fnft_site **out,
				      struct fnft_error *err)
{
	struct site_parse p;
	int rc;

	if (!name || !text || !cat || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((rc = site_begin(&p, name, cat, err)))
		return rc;
	rc = site_parse_text(&p, p.site->file, text, len, err);
	return site_finish(&p, rc, out, err);
}

static int parse_file(struct site_parse *p, const char *path,
		      struct fnft_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int rc;

	rc = fnft_read_file(path, &text, &len, err);
	return rc ? rc : site_parse_text(p, path, text, len, err);
}

static int conf_only(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && streq(d->d_name + n - 5, ".conf");
}

/* PATH.d/ *.conf in lexical order: the drop-ins provisioning owns. */
static int parse_dropins(struct site_parse *p, const char *path,
			 struct fnft_error *err)
{
	struct dirent **list = NULL;
	char dir[PATH_MAX], file[PATH_MAX + 256];
	int n, i, rc = 0;

	snprintf(dir, sizeof(dir), "%s.d", path);
	n = scandir(dir, &list, conf_only, alphasort);
	if (n < 0)
		return 0;	/* no drop-in directory: fine */
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", dir, list[i]->d_name);
		if (!rc)
			rc = parse_file(p, file, err);
		free(list[i]);
	}
	free(list);
	return rc;
}

FNFT_EXPORT int fnft_site_load(const char *path, const struct fnft_catalog *cat,
			       struct fnft_site **out, struct fnft_error *err)
{
	struct site_parse p;
	int rc;

	if (!path || !cat || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((rc = site_begin(&p, path, cat, err)))
		return rc;
	/* file names must outlive the parse: rows and groups keep copies */
	rc = parse_file(&p, path, err);
	if (!rc)
		rc = parse_dropins(&p, path, err);
	return site_finish(&p, rc, out, err);
}

FNFT_EXPORT void fnft_site_free(struct fnft_site *site)
{
	if (site)
		site_free(site);
}

FNFT_EXPORT enum fnft_role fnft_site_role(const struct fnft_site *site)
{
	return site->role;
}

/* The @i-th address of node @role, IPv4 before IPv6; false when out of range. */
static bool node_address(const struct fnft_site *site, enum fnft_role role,
			 size_t i, enum fnft_family *fam, uint8_t addr[16])
{
	const struct fnft_ivlist *l;
	size_t n4;

	if (role != FNFT_ROLE_PRIMARY && role != FNFT_ROLE_SECONDARY)
		return false;
	l = site->node_addrs[role - 1];
	for (n4 = 0; fnft_ivlist_host(&l[FNFT_V4], FNFT_V4, n4, addr); n4++)
		if (n4 == i) {
			*fam = FNFT_V4;
			return true;
		}
	*fam = FNFT_V6;
	return fnft_ivlist_host(&l[FNFT_V6], FNFT_V6, i - n4, addr);
}

FNFT_EXPORT size_t fnft_site_cluster_address_count(const struct fnft_site *site,
						   enum fnft_role role)
{
	enum fnft_family fam;
	uint8_t addr[16];
	size_t n = 0;

	if (!site)
		return 0;
	while (node_address(site, role, n, &fam, addr))
		n++;
	return n;
}

FNFT_EXPORT int fnft_site_cluster_address(const struct fnft_site *site,
					  enum fnft_role role, size_t i,
					  char *buf, size_t len)
{
	struct fnft_iv iv;
	enum fnft_family fam;
	char text[FNFT_ADDRSTRLEN];
	int n;

	if (!site || !buf || !node_address(site, role, i, &fam, iv.lo))
		return -EINVAL;
	memcpy(iv.hi, iv.lo, sizeof(iv.hi));
	n = fnft_iv_format(&iv, fam, text, sizeof(text));
	if ((size_t)n >= len)
		return -ENOSPC;
	memcpy(buf, text, (size_t)n + 1);
	return 0;
}

FNFT_EXPORT size_t fnft_site_warning_count(const struct fnft_site *site)
{
	return site->n_warnings;
}

FNFT_EXPORT const char *fnft_site_warning(const struct fnft_site *site, size_t i)
{
	return i < site->n_warnings ? site->warnings[i] : NULL;
}

FNFT_EXPORT const char *fnft_role_name(enum fnft_role role)
{
	switch (role) {
	case FNFT_ROLE_PRIMARY:
		return "primary";
	case FNFT_ROLE_SECONDARY:
		return "secondary";
	default:
		return NULL;
	}
}

FNFT_EXPORT int fnft_role_parse(const char *name, enum fnft_role *role)
{
	if (streq(name, "primary"))
		*role = FNFT_ROLE_PRIMARY;
	else if (streq(name, "secondary"))
		*role = FNFT_ROLE_SECONDARY;
	else
		return -EINVAL;
	return 0;
}

FNFT_EXPORT int fnft_site_check_json(const struct fnft_site *site, char **out)
{
	json_t *w = json_array(), *o;
	const char *role = fnft_role_name(site->role);
	size_t i;

	for (i = 0; w && i < site->n_warnings; i++)
		json_array_append_new(w, json_string(site->warnings[i]));
	o = json_pack("{s:s, s:b, s:s?, s:o}", "file", site->file, "ok", 1,
		      "node", role, "warnings", w);
	*out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return *out ? 0 : -ENOMEM;
}
