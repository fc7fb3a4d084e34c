/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * counters: the live table's counter values, row by row, as data.  What a
 * row rule counts (its group, family and direction) is decided here for
 * the status too, so the typed counters and the status's columns cannot
 * disagree.
 */
#include <errno.h>

#include <finesse-nft/kernel.h>
#include <finesse-nft/status.h>

#include "ir.h"
#include "site-impl.h"

size_t fnft_set_group_len(const char *set)
{
	size_t n = strlen(set);

	if (n > 3 && (!strcmp(set + n - 3, "_v4") || !strcmp(set + n - 3, "_v6")))
		return n - 3;
	return n;
}

const char *fnft_rule_group(const struct fnft_ir_rule *r, size_t *len)
{
	if (r->raw)
		return NULL;
	if (r->addr == FNFT_MATCH_NONE) {
		*len = strlen(FNFT_GROUP_ANY);
		return FNFT_GROUP_ANY;
	}
	if (!r->set)
		return NULL;
	*len = fnft_set_group_len(r->set);
	return r->set;
}

enum fnft_direction fnft_chain_direction(const struct fnft_ir_chain *c)
{
	return c->hook == FNFT_HOOK_OUTPUT ? FNFT_DIR_OUTBOUND : FNFT_DIR_INBOUND;
}

FNFT_EXPORT bool fnft_ruleset_has_counters(const struct fnft_ruleset *rs)
{
	return rs && rs->counters_read;
}

/* One entry while counting: the strings still point into the table. */
struct tally {
	struct fnft_counter c;
	size_t group_len;
};

static bool same_key(const struct tally *t, const struct fnft_counter *c,
		     size_t glen)
{
	return t->c.family == c->family && t->c.direction == c->direction &&
	       t->group_len == glen && streq(t->c.row, c->row) &&
	       !strncmp(t->c.group, c->group, glen);
}

/* @r's key, or false when it is no counted row rule. */
static bool rule_key(const struct fnft_ir_chain *ch, const struct fnft_ir_rule *r,
		     struct fnft_counter *c, size_t *glen)
{
	if (!r->comment || !r->counter || !(c->group = fnft_rule_group(r, glen)))
		return false;
	c->row = r->comment;
	c->direction = fnft_chain_direction(ch);
	c->packets = r->packets;
	c->bytes = r->bytes;
	c->family = r->addr == FNFT_MATCH_NONE ? FNFT_FAMILY_ANY :
		    r->family == FNFT_V6 ? FNFT_FAMILY_IPV6 : FNFT_FAMILY_IPV4;
	return true;
}

static int tally_rules(const struct fnft_ruleset *rs, struct tally **v,
		       size_t *n)
{
	size_t c, i, k, cap = 0;

	*v = NULL;
	*n = 0;
	for (c = 0; c < rs->n_chains; c++)
		for (i = 0; i < rs->chains[c].n_rules; i++) {
			struct fnft_counter key;
			size_t glen;

			if (!rule_key(&rs->chains[c], &rs->chains[c].rules[i],
				      &key, &glen))
				continue;
			for (k = 0; k < *n && !same_key(&(*v)[k], &key, glen); k++)
				;
			if (k < *n) {
				(*v)[k].c.packets += key.packets;
				(*v)[k].c.bytes += key.bytes;
				continue;
			}
			if (fnft_grow(v, &cap, *n + 1, sizeof(**v)))
				return -ENOMEM;
			(*v)[(*n)++] = (struct tally){ key, glen };
		}
	return 0;
}

/* The tallies as one block: the array, then its strings. */
static struct fnft_counter *pack(const struct tally *v, size_t n)
{
	size_t k, size = n * sizeof(struct fnft_counter);
	struct fnft_counter *out;
	char *p;

	for (k = 0; k < n; k++)
		size += strlen(v[k].c.row) + 1 + v[k].group_len + 1;
	if (!(out = malloc(size)))
		return NULL;
	p = (char *)(out + n);
	for (k = 0; k < n; k++) {
		size_t rlen = strlen(v[k].c.row) + 1;

		out[k] = v[k].c;
		out[k].row = memcpy(p, v[k].c.row, rlen);
		p += rlen;
		out[k].group = memcpy(p, v[k].c.group, v[k].group_len);
		p += v[k].group_len;
		*p++ = '\0';
	}
	return out;
}

FNFT_EXPORT int fnft_ruleset_counters(const struct fnft_ruleset *live,
				      struct fnft_counter **out, size_t *n,
				      struct fnft_error *err)
{
	struct tally *v;
	size_t count;
	int rc;

	if (!live || !out || !n)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (!live->counters_read)
		return fnft_err(err, -ENODATA, NULL, live->table,
				"the counters of table inet %s were not read: a plan, or a read the state file stood in for; read with FNFT_READ_NO_ELEMENTS or use fnft_kernel_counters()",
				live->table);
	rc = tally_rules(live, &v, &count);
	*out = NULL;
	*n = 0;
	if (!rc && count && !(*out = pack(v, count)))
		rc = -ENOMEM;
	free(v);
	if (rc)
		return fnft_err(err, rc, NULL, live->table, "out of memory");
	*n = count;
	return 0;
}

FNFT_EXPORT int fnft_kernel_counters(struct fnft_kernel *k,
				     struct fnft_counter **out, size_t *n,
				     struct fnft_error *err)
{
	struct fnft_ruleset *live = NULL;
	int rc;

	if (!k || !out || !n)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if ((rc = fnft_kernel_read(k, FNFT_READ_NO_ELEMENTS, &live, err)))
		return rc;
	if (!live) {
		const char *id = fnft_kernel_id(k), *table = strchr(id, '.');

		table = table ? table + 1 : id;
		return fnft_err(err, -ENOENT, NULL, table,
				"table inet %s does not exist: it has no counters",
				table);
	}
	rc = fnft_ruleset_counters(live, out, n, err);
	fnft_ruleset_free(live);
	return rc;
}
