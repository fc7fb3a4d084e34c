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

static int warn_at(struct fnft_site *site, enum fnft_warning_kind kind,
		   const char *object, const char *file, unsigned line,
		   const char *fmt, ...) FNFT_PRINTF(6, 7);

/*
 * A warning of @kind about @object (a group, a row id, a role; NULL: the
 * site), "FILE:LINE: text" as a string (FILE: the main file when NULL).
 */
static int warn_at(struct fnft_site *site, enum fnft_warning_kind kind,
		   const char *object, const char *file, unsigned line,
		   const char *fmt, ...)
{
	struct fnft_warning *w;
	struct fnft_buf b = { 0 };
	size_t text_at, object_at, file_at;
	va_list ap;
	char text[512];
	char *s;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!file)
		file = site->file;
	if (!object)
		object = "";
	if (line)
		fnft_buf_printf(&b, "%s:%u: ", file, line);
	else
		fnft_buf_printf(&b, "%s: ", file);
	text_at = b.len;
	fnft_buf_printf(&b, "%s%c", text, '\0');
	object_at = b.len;
	fnft_buf_printf(&b, "%s%c", object, '\0');
	file_at = b.len;
	fnft_buf_puts(&b, file);
	if (fnft_buf_steal(&b, &s) < 0)
		return -ENOMEM;
	if (fnft_grow(&site->warnings, &site->cap_warnings,
		      site->n_warnings + 1, sizeof(*site->warnings)) < 0) {
		free(s);
		return -ENOMEM;
	}
	w = &site->warnings[site->n_warnings++];
	*w = (struct fnft_warning){
		.kind = kind, .object = s + object_at, .file = s + file_at,
		.line = line, .text = s + text_at, .string = s,
	};
	return 0;
}

static void warnings_clear(struct fnft_site *site)
{
	size_t i;

	for (i = 0; i < site->n_warnings; i++)
		free((char *)site->warnings[i].string);
	site->n_warnings = 0;
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

static const struct fnft_row *find_row(const struct fnft_site *site,
				       const char *id)
{
	const struct fnft_row *row = fnft_catalog_find(site->cat, id);

	return row ? row : fnft_catalog_find(&site->entries, id);
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

/* ---- the steps of building a site ----
 *
 * Shared by the INI parser and the public builder calls: @loc is where the
 * parser read it, NULL for a call (then the error's object names the
 * group or row).  Every step leaves the site to be checked again.
 */

static int group_name_check(const char *name, const struct fnft_loc *loc,
			    struct fnft_error *err)
{
	if (!fnft_group_name_valid(name))
		return fnft_err(err, -EINVAL, loc, name,
				"'%s' is not a valid group name (a lower-case letter, then lower-case letters, digits, '.', '-', '_')",
				name);
	if (streq(name, FNFT_GROUP_PEER))
		return fnft_err(err, -EINVAL, loc, name,
				"group 'peer' is implicit: it is the other node of [cluster]");
	if (streq(name, FNFT_GROUP_ANY))
		return fnft_err(err, -EINVAL, loc, name,
				"'any' is a reserved word for every address, not a group");
	return 0;
}

static struct fnft_group *group_new(struct fnft_site *site, const char *name,
				    const struct fnft_loc *loc,
				    struct fnft_error *err)
{
	struct fnft_group *g;

	if (fnft_grow(&site->groups, &site->cap_groups, site->n_groups + 1,
		      sizeof(*site->groups)) < 0) {
		oom(err);
		return NULL;
	}
	g = &site->groups[site->n_groups];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	g->file = loc ? strdup(loc->file) : NULL;
	site->n_groups++;
	site->checked = false;
	if (!g->name || (loc && !g->file)) {
		oom(err);
		return NULL;
	}
	g->line = g->file_line = loc ? loc->line : 0;
	return g;
}

/* One network of @g; @merge keeps g->addrs normalized at once (a call),
 * else the whole site is normalized when checked (the parser). */
static int group_address(struct fnft_site *site, struct fnft_group *g,
			 const char *value, unsigned file_no,
			 const struct fnft_loc *loc, bool merge,
			 struct fnft_error *err)
{
	struct fnft_written *w;
	enum fnft_family fam;
	struct fnft_iv iv;
	char why[200];

	if (fnft_addr_parse(value, &fam, &iv, why, sizeof(why)) < 0)
		return fnft_err(err, -EINVAL, loc, g->name, "bad address: %s", why);
	if (fnft_grow(&g->written, &g->cap_written, g->n_written + 1,
		      sizeof(*g->written)) < 0)
		return oom(err);
	if (merge && g->merged[fam]) {
		/* one network into 100,000 merged ones: no sort, no rescan */
		if (fnft_ivlist_insert(&g->addrs[fam], &iv, fam) < 0)
			return oom(err);
	} else {
		if (fnft_ivlist_add(&g->addrs[fam], &iv) < 0)
			return oom(err);
		if (merge)
			fnft_ivlist_normalize(&g->addrs[fam], fam);
		g->merged[fam] = merge;
	}
	w = &g->written[g->n_written++];
	w->iv = iv;
	w->fam = fam;
	w->file_no = file_no;
	w->line = loc ? loc->line : 0;
	site->checked = false;
	return 0;
}

static int node_address_add(struct fnft_site *site, enum fnft_role role,
			    const char *value, const struct fnft_loc *loc,
			    struct fnft_error *err)
{
	const char *key = fnft_role_name(role);
	enum fnft_family fam;
	struct fnft_iv iv;
	char why[160];

	if (!key)
		return fnft_err(err, -EINVAL, loc, NULL,
				"a cluster node is primary or secondary");
	if (fnft_addr_parse_host(value, &fam, iv.lo, why, sizeof(why)) < 0)
		return fnft_err(err, -EINVAL, loc, key,
				"%s: '%s' is not an address (a cluster node is one IPv4 or IPv6 host)",
				key, value);
	memcpy(iv.hi, iv.lo, sizeof(iv.hi));
	if (fnft_ivlist_add(&site->node_addrs[role - 1][fam], &iv) < 0)
		return oom(err);
	fnft_ivlist_normalize(&site->node_addrs[role - 1][fam], fam);
	site->checked = false;
	return 0;
}

static const char *const verdict_words[] = { "drop", "accept" };
static const char *const allow_words[] = { "allow", "deny" };
static const char *const onoff_words[] = { "off", "on" };
static const char *const ping_words[] = { "groups", "any", "none" };

static const struct {
	const char *key;
	const char *const *words;
	size_t n;
	const char *expect;
} knobs[] = {
	[FNFT_POLICY_INPUT] = { "input", verdict_words, 2, "drop or accept" },
	[FNFT_POLICY_OUTPUT] = { "output", verdict_words, 2, "accept or drop" },
	[FNFT_POLICY_INSECURE] = { "insecure", allow_words, 2, "allow or deny" },
	[FNFT_POLICY_LOG] = { "log", onoff_words, 2, "on or off" },
	[FNFT_POLICY_PING] = { "ping", ping_words, 3, "groups, any or none" },
};

static int choose(const char *value, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (streq(value, words[i]))
			return (int)i;
	return -1;
}

static int policy_set(struct fnft_site *site, enum fnft_policy_knob knob,
		      const char *value, const struct fnft_loc *loc,
		      struct fnft_error *err)
{
	struct fnft_policy *pol = &site->policy;
	int v;

	if ((unsigned)knob >= ARRAY_SIZE(knobs))
		return fnft_err(err, -EINVAL, loc, NULL, "unknown policy knob %d",
				(int)knob);
	v = value ? choose(value, knobs[knob].words, knobs[knob].n) : -1;
	if (v < 0)
		return fnft_err(err, -EINVAL, loc, knobs[knob].key,
				"bad %s policy '%s' (expected %s)", knobs[knob].key,
				value ? value : "", knobs[knob].expect);
	switch (knob) {
	case FNFT_POLICY_INPUT:
		pol->input_accept = v == 1;
		break;
	case FNFT_POLICY_OUTPUT:
		pol->output_drop = v == 0;
		break;
	case FNFT_POLICY_INSECURE:
		pol->insecure_deny = v == 1;
		break;
	case FNFT_POLICY_LOG:
		pol->log = v == 1;
		break;
	default:
		pol->ping = (enum fnft_ping)v;
	}
	site->checked = false;
	return 0;
}

/* The [port] move of row @id (a later one replaces an earlier). */
static int port_move(struct fnft_site *site, const char *id, const char *value,
		     const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_port_move *m = (struct fnft_port_move *)fnft_site_move(site, id);
	const struct fnft_row *row = fnft_catalog_find(site->cat, id);
	struct fnft_portlist ports = { 0 };
	char why[160];

	if (!row)
		return fnft_err(err, -EINVAL, loc, id,
				"unknown row id '%s' in [port]", id);
	if (!(row->flags & FNFT_ROW_PORT_MOVABLE))
		return fnft_err(err, -EINVAL, loc, id,
				"the port of row '%s' is fixed; only port-movable rows can be moved",
				id);
	if (fnft_ports_parse(value, &ports, why, sizeof(why)) < 0) {
		fnft_portlist_free(&ports);
		return fnft_err(err, -EINVAL, loc, id, "%s: %s", id, why);
	}
	fnft_portlist_normalize(&ports);
	if (!m) {
		if (fnft_grow(&site->moves, &site->cap_moves, site->n_moves + 1,
			      sizeof(*site->moves)) < 0) {
			fnft_portlist_free(&ports);
			return oom(err);
		}
		m = &site->moves[site->n_moves++];
		memset(m, 0, sizeof(*m));
		if (!(m->id = strdup(id))) {
			fnft_portlist_free(&ports);
			return oom(err);
		}
	}
	fnft_portlist_free(&m->ports);
	m->ports = ports;
	free(m->file);
	m->file = loc ? strdup(loc->file) : NULL;
	m->line = loc ? loc->line : 0;
	site->checked = false;
	return loc && !m->file ? oom(err) : 0;
}

static int row_disable(struct fnft_site *site, const char *id,
		       const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_disabled *d;

	if (fnft_site_disabled(site, id))
		return fnft_err(err, -EINVAL, loc, id,
				"row '%s' is disabled twice", id);
	if (fnft_grow(&site->disabled, &site->cap_disabled,
		      site->n_disabled + 1, sizeof(*site->disabled)) < 0)
		return oom(err);
	d = &site->disabled[site->n_disabled];
	d->line = loc ? loc->line : 0;
	d->id = strdup(id);
	d->file = loc ? strdup(loc->file) : NULL;
	site->n_disabled++;
	site->checked = false;
	if (!d->id || (loc && !d->file))
		return oom(err);
	return 0;
}

/* ---- the INI parser: a client of the steps above ---- */

static int begin_group(struct site_parse *p, const char *name,
		       const struct fnft_loc *loc, struct fnft_error *err)
{
	struct fnft_site *site = p->site;
	const struct fnft_group *prev = fnft_site_group(site, name);
	struct fnft_group *g;
	int rc;

	if ((rc = group_name_check(name, loc, err)))
		return rc;
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
	if (!(g = group_new(site, name, loc, err)))
		return -ENOMEM;
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
	prev = find_row(p->site, id);
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
	enum fnft_role role;
	int rc;

	if (streq(key, "node")) {
		if ((rc = once(p, SEEN_NODE, key, loc, err)))
			return rc;
		if (fnft_role_parse(value, &p->site->role) < 0)
			return fnft_err(err, -EINVAL, loc, NULL,
					"bad node '%s' (expected primary or secondary)",
					value);
		p->site->checked = false;
		return 0;
	}
	if (fnft_role_parse(key, &role) < 0)
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [cluster] (expected primary, secondary or node)",
				key);
	return node_address_add(p->site, role, value, loc, err);
}

static int policy_key(struct site_parse *p, const char *key, const char *value,
		      const struct fnft_loc *loc, struct fnft_error *err)
{
	static const unsigned seen[] = {
		[FNFT_POLICY_INPUT] = SEEN_INPUT,
		[FNFT_POLICY_OUTPUT] = SEEN_OUTPUT,
		[FNFT_POLICY_INSECURE] = SEEN_INSECURE,
		[FNFT_POLICY_LOG] = SEEN_LOG,
		[FNFT_POLICY_PING] = SEEN_PING,
	};
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (streq(key, knobs[i].key))
			break;
	if (i == ARRAY_SIZE(knobs))
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [policy] (expected input, output, insecure, log or ping)",
				key);
	if ((rc = once(p, seen[i], key, loc, err)))
		return rc;
	return policy_set(p->site, (enum fnft_policy_knob)i, value, loc, err);
}

static int group_key(struct site_parse *p, const char *key, const char *value,
		     const struct fnft_loc *loc, struct fnft_error *err)
{
	if (!streq(key, "address"))
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [group %s] (expected address)",
				key, p->group->name);
	return group_address(p->site, p->group, value, p->file_no, loc, false, err);
}

static int port_key(struct site_parse *p, const char *key, const char *value,
		    const struct fnft_loc *loc, struct fnft_error *err)
{
	const struct fnft_port_move *prev = fnft_site_move(p->site, key);

	/* a later drop-in moves the port again: it wins */
	if (prev && prev->file && streq(prev->file, loc->file) &&
	    fnft_catalog_find(p->cat, key))
		return fnft_err(err, -EINVAL, loc, key,
				"port of '%s' is given twice (first at line %u)",
				key, prev->line);
	return port_move(p->site, key, value, loc, err);
}

/* Whether [disable] names a known row is checked once the whole site is
 * read: an [entry] may come after it. */
static int disable_key(struct site_parse *p, const char *key, const char *value,
		       const struct fnft_loc *loc, struct fnft_error *err)
{
	if (!streq(key, "entry"))
		return fnft_err(err, -EINVAL, loc, NULL,
				"unknown key '%s' in [disable] (expected entry)", key);
	return row_disable(p->site, value, loc, err);
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
static bool group_named(const struct fnft_site *site, const char *group)
{
	return catalog_names(site->cat, group) ||
	       catalog_names(&site->entries, group);
}

static int check_row_groups(struct fnft_site *site, const struct fnft_row *row,
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
		    fnft_site_group(site, g) || catalog_names(site->cat, g))
			continue;
		return fnft_err(err, -EINVAL, &loc, row->id,
				"unknown group '%s' (define it with [group %s])",
				g, g);
	}
	return 0;
}

static int check_disabled(struct fnft_site *site, struct fnft_error *err)
{
	size_t i;

	for (i = 0; i < site->n_disabled; i++) {
		const struct fnft_disabled *d = &site->disabled[i];
		struct fnft_loc loc = { d->file, d->line };

		if (!find_row(site, d->id))
			return fnft_err(err, -EINVAL, &loc, d->id,
					"unknown row id '%s' in [disable]", d->id);
	}
	return 0;
}

static int check_groups(struct fnft_site *site, struct fnft_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < site->entries.n; i++) {
		rc = check_row_groups(site, &site->entries.rows[i], err);
		if (rc)
			return rc;
	}
	for (i = 0; i < site->n_groups; i++) {
		struct fnft_group *g = &site->groups[i];
		struct fnft_loc loc = { g->file, g->line };

		if (!group_named(site, g->name))
			return fnft_err(err, -EINVAL, &loc, g->name,
					"group '%s' is not used by any row", g->name);
		for (enum fnft_family f = FNFT_V4; f <= FNFT_V6; f++)
			if (!g->merged[f]) {
				fnft_ivlist_normalize(&g->addrs[f], f);
				g->merged[f] = true;
			}
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
static int warn_group(struct fnft_site *site, const char *name)
{
	const struct fnft_catalog *cats[] = { site->cat, &site->entries };
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
		rc = warn_at(site, FNFT_WARN_GROUP_OPEN, name, g->file, g->line,
			     "group '%s' is open to every address (%s, as remote = any): %s admit%s everyone",
			  name, all, rows.s, strchr(rows.s, ',') ? "" : "s");
	else if (rows.len && g)
		rc = warn_at(site, FNFT_WARN_GROUP_EMPTY, name, g->file, g->line,
			     "group '%s' is empty: %s allow%s no one from it",
			  name, rows.s, strchr(rows.s, ',') ? "" : "s");
	else if (rows.len)
		rc = warn_at(site, FNFT_WARN_GROUP_UNDEFINED, name, NULL, 0,
			     "group '%s' is not defined: %s allow%s no one from it",
			  name, rows.s, strchr(rows.s, ',') ? "" : "s");
	fnft_buf_free(&rows);
	return rc;
}

/* A node without an address leaves the other node's 'peer' rows empty. */
static int warn_peer(struct fnft_site *site)
{
	enum fnft_role r;
	int rc;

	if (!group_named(site, FNFT_GROUP_PEER))
		return 0;
	for (r = FNFT_ROLE_PRIMARY; r <= FNFT_ROLE_SECONDARY; r++) {
		if (site->node_addrs[r - 1][FNFT_V4].n ||
		    site->node_addrs[r - 1][FNFT_V6].n)
			continue;
		rc = warn_at(site, FNFT_WARN_NODE_NO_ADDRESS, fnft_role_name(r),
			     NULL, 0, "[cluster] has no %s address: on the %s node, rows naming 'peer' allow no one",
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
static int warn_rows(struct fnft_site *site)
{
	const struct fnft_catalog *cats[] = { site->cat, &site->entries };
	bool management = site->entries.n > 0;
	size_t c, i;
	int rc;

	for (c = 0; c < ARRAY_SIZE(cats); c++)
		for (i = 0; i < cats[c]->n; i++) {
			const struct fnft_row *row = &cats[c]->rows[i];

			if (!fnft_site_row_enabled(site, row))
				continue;
			if (fnft_row_has_group(row, FNFT_GROUP_ANY))
				rc = warn_at(site, FNFT_WARN_ROW_OPEN, row->id,
					  c ? row->file : NULL, c ? row->line : 0,
					  "row %s is open to every address (remote = any)",
					  row->id);
			else if (!row_reaches_anyone(site, row))
				rc = warn_at(site, FNFT_WARN_ROW_NO_ONE, row->id,
					  c ? row->file : NULL, c ? row->line : 0,
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
		return warn_at(site, FNFT_WARN_NO_MANAGEMENT, NULL, NULL, 0,
			       "input = drop, and nothing admits management access: no [entry] row, "
			    "and no group on 443/8445 holds an address; the node may lock you out");
	return 0;
}

static int collect_warnings(struct fnft_site *site)
{
	const struct fnft_catalog *cats[] = { site->cat, &site->entries };
	size_t c, i, k;
	int rc;

	if ((rc = warn_peer(site)))
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
				if ((rc = warn_group(site, g)))
					return rc;
			}
		}
	return warn_rows(site);
}

static void site_free(struct fnft_site *site)
{
	size_t i, r, f;

	free(site->file);
	for (r = 0; r < 2; r++)
		for (f = 0; f < 2; f++)
			fnft_ivlist_free(&site->node_addrs[r][f]);
	for (i = 0; i < site->n_files; i++)
		free(site->files[i]);
	free(site->files);
	for (i = 0; i < site->n_groups; i++) {
		free(site->groups[i].name);
		free(site->groups[i].file);
		free(site->groups[i].written);
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
	warnings_clear(site);
	free(site->warnings);
	free(site);
}

static struct fnft_site *site_alloc(const struct fnft_catalog *cat,
				    const char *name)
{
	struct fnft_site *site = calloc(1, sizeof(*site));

	if (!site || !(site->file = strdup(name))) {
		free(site);
		return NULL;
	}
	site->cat = cat;
	return site;
}

static int site_begin(struct site_parse *p, const char *name,
		      const struct fnft_catalog *cat, struct fnft_error *err)
{
	memset(p, 0, sizeof(*p));
	p->cat = cat;
	p->site = site_alloc(cat, name);
	return p->site ? 0 : oom(err);
}

/*
 * One file: the main one or a drop-in.  Scalars may be given once per
 * file; a later file overrides them, adds to groups and adds rows.
 */
static int site_parse_text(struct site_parse *p, const char *name,
			   const char *text, size_t len, struct fnft_error *err)
{
	struct fnft_site *site = p->site;
	char *copy = strdup(name);
	int rc;

	if (!copy || fnft_grow(&site->files, &site->cap_files, site->n_files + 1,
			       sizeof(*site->files)) < 0) {
		free(copy);
		return oom(err);
	}
	site->files[site->n_files++] = copy;
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

/* The checks that need the whole site, and its warnings afresh. */
static int site_check(struct fnft_site *site, struct fnft_error *err)
{
	int rc = check_groups(site, err);

	if (!rc)
		rc = check_disabled(site, err);
	warnings_clear(site);
	if (!rc && collect_warnings(site) < 0)
		rc = oom(err);
	site->checked = rc == 0;
	return rc;
}

static int site_finish(struct site_parse *p, int rc, struct fnft_site **out,
		       struct fnft_error *err)
{
	if (!rc)
		rc = site_check(p->site, err);
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

/* DIR/ *.conf in lexical order: the drop-ins provisioning owns. */
static int parse_dropins(struct site_parse *p, const char *dir,
			 struct fnft_error *err)
{
	struct dirent **list = NULL;
	char file[PATH_MAX + 256];
	int n, i, rc = 0;

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

FNFT_EXPORT int fnft_site_load_dropins(const char *path, const char *dropins,
				       const struct fnft_catalog *cat,
				       struct fnft_site **out,
				       struct fnft_error *err)
{
	struct site_parse p;
	int rc;

	if (!path || !cat || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((rc = site_begin(&p, path, cat, err)))
		return rc;
	/* file names must outlive the parse: rows and groups keep copies */
	rc = parse_file(&p, path, err);
	if (!rc && dropins)
		rc = parse_dropins(&p, dropins, err);
	return site_finish(&p, rc, out, err);
}

FNFT_EXPORT int fnft_site_load(const char *path, const struct fnft_catalog *cat,
			       struct fnft_site **out, struct fnft_error *err)
{
	char dir[PATH_MAX];

	if (!path)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((size_t)snprintf(dir, sizeof(dir), "%s.d", path) >= sizeof(dir))
		return fnft_err(err, -ENAMETOOLONG, NULL, NULL, "%s: name too long", path);
	return fnft_site_load_dropins(path, dir, cat, out, err);
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
	return i < site->n_warnings ? site->warnings[i].string : NULL;
}

FNFT_EXPORT const struct fnft_warning *
fnft_site_warning_item(const struct fnft_site *site, size_t i)
{
	return site && i < site->n_warnings ? &site->warnings[i] : NULL;
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
		json_array_append_new(w, json_string(site->warnings[i].string));
	o = json_pack("{s:s, s:b, s:s?, s:o}", "file", site->file, "ok", 1,
		      "node", role, "warnings", w);
	*out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return *out ? 0 : -ENOMEM;
}

/* ---- building a site from data ---- */

FNFT_EXPORT int fnft_site_new(const struct fnft_catalog *cat, const char *name,
			      struct fnft_site **out, struct fnft_error *err)
{
	struct fnft_site *site;

	if (!cat || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	site = site_alloc(cat, name ? name : "site");
	if (!site)
		return oom(err);
	if (site_check(site, err)) {
		site_free(site);
		return -ENOMEM;
	}
	*out = site;
	return 0;
}

FNFT_EXPORT int fnft_site_set_role(struct fnft_site *site, enum fnft_role role,
				   struct fnft_error *err)
{
	if (!site || (role != FNFT_ROLE_SITE && !fnft_role_name(role)))
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	site->role = role;
	site->checked = false;
	return 0;
}

FNFT_EXPORT int fnft_site_add_node_address(struct fnft_site *site,
					   enum fnft_role role,
					   const char *address,
					   struct fnft_error *err)
{
	if (!site || !address)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	return node_address_add(site, role, address, NULL, err);
}

FNFT_EXPORT int fnft_site_set_policy(struct fnft_site *site,
				     enum fnft_policy_knob knob,
				     const char *value, struct fnft_error *err)
{
	if (!site)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	return policy_set(site, knob, value, NULL, err);
}

FNFT_EXPORT const char *fnft_site_policy(const struct fnft_site *site,
					 enum fnft_policy_knob knob)
{
	const struct fnft_policy *pol = &site->policy;
	int v;

	switch (knob) {
	case FNFT_POLICY_INPUT:
		v = pol->input_accept;
		break;
	case FNFT_POLICY_OUTPUT:
		v = !pol->output_drop;
		break;
	case FNFT_POLICY_INSECURE:
		v = pol->insecure_deny;
		break;
	case FNFT_POLICY_LOG:
		v = pol->log;
		break;
	case FNFT_POLICY_PING:
		v = (int)pol->ping;
		break;
	default:
		return NULL;
	}
	return knobs[knob].words[v];
}

FNFT_EXPORT int fnft_site_add_group(struct fnft_site *site, const char *name,
				    struct fnft_error *err)
{
	int rc;

	if (!site || !name)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((rc = group_name_check(name, NULL, err)))
		return rc;
	if (fnft_site_group(site, name))
		return fnft_err(err, -EEXIST, NULL, name,
				"group '%s' is defined twice", name);
	return group_new(site, name, NULL, err) ? 0 : -ENOMEM;
}

static struct fnft_group *group_or_fail(struct fnft_site *site, const char *name,
					struct fnft_error *err)
{
	struct fnft_group *g = site && name ?
			       (struct fnft_group *)fnft_site_group(site, name) : NULL;

	if (!g)
		fnft_err(err, -ENOENT, NULL, name, "unknown group '%s'",
			 name ? name : "");
	return g;
}

FNFT_EXPORT int fnft_site_add_group_address(struct fnft_site *site,
					    const char *group,
					    const char *address,
					    struct fnft_error *err)
{
	struct fnft_group *g = group_or_fail(site, group, err);

	if (!g)
		return -ENOENT;
	if (!address)
		return fnft_err(err, -EINVAL, NULL, group, "invalid argument");
	return group_address(site, g, address, 0, NULL, true, err);
}

FNFT_EXPORT int fnft_site_remove_group_address(struct fnft_site *site,
					       const char *group,
					       const char *address,
					       struct fnft_error *err)
{
	struct fnft_group *g = group_or_fail(site, group, err);
	enum fnft_family fam;
	struct fnft_iv iv;
	char why[200];
	size_t i, k;

	if (!g)
		return -ENOENT;
	if (!address || fnft_addr_parse(address, &fam, &iv, why, sizeof(why)) < 0)
		return fnft_err(err, -EINVAL, NULL, group, "bad address: %s",
				address ? why : "none");
	for (i = 0; i < g->n_written; i++)
		if (g->written[i].fam == fam &&
		    !memcmp(&g->written[i].iv, &iv, sizeof(iv)))
			break;
	if (i == g->n_written)
		return fnft_err(err, -ENOENT, NULL, group,
				"group '%s' has no network %s", group, address);
	memmove(&g->written[i], &g->written[i + 1],
		(g->n_written - i - 1) * sizeof(*g->written));
	g->n_written--;
	/* the merged intervals again, from the networks left */
	g->addrs[fam].n = 0;
	for (k = 0; k < g->n_written; k++)
		if (g->written[k].fam == fam)
			fnft_ivlist_add(&g->addrs[fam], &g->written[k].iv);	/* fits: it held more */
	fnft_ivlist_normalize(&g->addrs[fam], fam);
	g->merged[fam] = true;
	site->checked = false;
	return 0;
}

/* "a, b, c" from a NULL-terminated list, for the row's `remote =`. */
static int join_groups(const char *const *v, struct fnft_buf *b)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		fnft_buf_printf(b, "%s%s", i ? ", " : "", v[i]);
	return b->oom ? -ENOMEM : 0;
}

FNFT_EXPORT int fnft_site_add_row(struct fnft_site *site,
				  const struct fnft_row_spec *spec,
				  struct fnft_error *err)
{
	struct fnft_loc loc = { "", 0 };
	struct fnft_buf remote = { 0 };
	const struct fnft_row *prev;
	const char *proto, *dir;
	struct fnft_row row;
	int rc;

	if (!site || !spec || !spec->id)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!fnft_id_valid(spec->id))
		return fnft_err(err, -EINVAL, NULL, spec->id,
				"'%s' is not a valid row id (lower-case letters, digits, '.', '-', '_')",
				spec->id);
	if ((prev = find_row(site, spec->id)))
		return fnft_err(err, -EINVAL, NULL, spec->id,
				"duplicate entry id '%s'%s", spec->id,
				*prev->file ? " (already defined in a file)" : "");
	proto = spec->protocol == FNFT_PROTO_TCP || spec->protocol == FNFT_PROTO_UDP ?
		fnft_protocol_name(spec->protocol) : NULL;
	dir = fnft_direction_name(spec->direction);
	if (!proto || !dir)
		return fnft_err(err, -EINVAL, NULL, spec->id,
				"[entry %s]: unknown protocol or direction", spec->id);
	if (fnft_row_init(&row, spec->id, &loc) < 0)
		return oom(err);
	if (join_groups(spec->remote, &remote)) {
		fnft_row_clear(&row);
		fnft_buf_free(&remote);
		return oom(err);
	}
	/* the same keys as [entry], in its order: the same checks */
	rc = fnft_row_key(&row, "protocol", proto, &loc, false, err);
	if (!rc && spec->listener)
		rc = fnft_row_key(&row, "listener", spec->listener, &loc, false, err);
	if (!rc && spec->listen_ports)
		rc = fnft_row_key(&row, "listen-port", spec->listen_ports, &loc, false, err);
	if (!rc && spec->remote_ports)
		rc = fnft_row_key(&row, "remote-port", spec->remote_ports, &loc, false, err);
	if (!rc)
		rc = fnft_row_key(&row, "remote", remote.len ? remote.s : "", &loc, false, err);
	if (!rc)
		rc = fnft_row_key(&row, "direction", dir, &loc, false, err);
	if (!rc && spec->note)
		rc = fnft_row_key(&row, "note", spec->note, &loc, false, err);
	fnft_buf_free(&remote);
	if (!rc)
		rc = fnft_catalog_take_row(&site->entries, &row, err);
	fnft_row_clear(&row);
	if (!rc)
		site->checked = false;
	return rc;
}

FNFT_EXPORT int fnft_site_disable_row(struct fnft_site *site, const char *id,
				      struct fnft_error *err)
{
	if (!site || !id)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!find_row(site, id))
		return fnft_err(err, -EINVAL, NULL, id, "unknown row id '%s'", id);
	return row_disable(site, id, NULL, err);
}

FNFT_EXPORT int fnft_site_move_port(struct fnft_site *site, const char *id,
				    const char *ports, struct fnft_error *err)
{
	if (!site || !id || !ports)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	return port_move(site, id, ports, NULL, err);
}

FNFT_EXPORT int fnft_site_check(struct fnft_site *site, struct fnft_error *err)
{
	if (!site)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	return site_check(site, err);
}

bool fnft_site_checked(const struct fnft_site *site)
{
	return site->checked;
}

/* ---- reading a site back ---- */

FNFT_EXPORT size_t fnft_site_group_count(const struct fnft_site *site)
{
	return site ? site->n_groups : 0;
}

FNFT_EXPORT const char *fnft_site_group_name(const struct fnft_site *site,
					     size_t i)
{
	return site && i < site->n_groups ? site->groups[i].name : NULL;
}

FNFT_EXPORT size_t fnft_site_group_address_count(const struct fnft_site *site,
						 const char *group)
{
	const struct fnft_group *g = site && group ? fnft_site_group(site, group) : NULL;

	return g ? g->n_written : 0;
}

FNFT_EXPORT int fnft_site_group_address(const struct fnft_site *site,
					const char *group, size_t i, char *buf,
					size_t len)
{
	const struct fnft_group *g = site && group ? fnft_site_group(site, group) : NULL;
	char text[FNFT_NETSTRLEN];
	int n;

	if (!g || !buf || i >= g->n_written)
		return -EINVAL;
	n = fnft_iv_format(&g->written[i].iv, g->written[i].fam, text, sizeof(text));
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	memcpy(buf, text, (size_t)n + 1);
	return 0;
}

FNFT_EXPORT const struct fnft_catalog *fnft_site_rows(const struct fnft_site *site)
{
	return &site->entries;
}

FNFT_EXPORT size_t fnft_site_disabled_count(const struct fnft_site *site)
{
	return site ? site->n_disabled : 0;
}

FNFT_EXPORT const char *fnft_site_disabled_row(const struct fnft_site *site,
					       size_t i)
{
	return site && i < site->n_disabled ? site->disabled[i].id : NULL;
}

FNFT_EXPORT const struct fnft_port_range *
fnft_site_moved_ports(const struct fnft_site *site, const char *id, size_t *n)
{
	const struct fnft_port_move *m = site && id ? fnft_site_move(site, id) : NULL;

	if (n)
		*n = m ? m->ports.n : 0;
	return m ? m->ports.v : NULL;
}
