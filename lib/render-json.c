/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IR -> the libnftables JSON schema (`nft -j -f`).  The same table as the
 * nft-syntax export, command for command: add the table, delete it, add it
 * again with everything, so that only our table is replaced.
 *
 * nftables 1.0.6 reads but ignores a table's "comment" in JSON (its own
 * `nft -j list` does not print one either); later versions keep it.
 */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include <finesse-nft/ruleset.h>

#include "ir.h"
#include "wire.h"

static json_t *match(json_t *left, const char *op, json_t *right)
{
	return json_pack("{s:{s:s, s:o, s:o}}", "match", "op", op, "left", left,
			 "right", right);
}

static json_t *payload(const char *proto, const char *field)
{
	return json_pack("{s:{s:s, s:s}}", "payload", "protocol", proto, "field",
			 field);
}

static json_t *port_value(const struct fnft_port_range *r)
{
	if (r->first == r->last)
		return json_integer(r->first);
	return json_pack("{s:[i,i]}", "range", r->first, r->last);
}

static json_t *ports(const struct fnft_portlist *l)
{
	json_t *set;
	size_t i;

	if (l->n == 1)
		return port_value(&l->v[0]);
	set = json_array();
	for (i = 0; set && i < l->n; i++)
		json_array_append_new(set, port_value(&l->v[i]));
	return json_pack("{s:o}", "set", set);
}

static json_t *ct_state(uint32_t bits)
{
	static const char *const names[] = { "invalid", "established",
					     "related", "new" };
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < ARRAY_SIZE(names); i++)
		if (bits & (1u << i))
			json_array_append_new(a, json_string(names[i]));
	if (a && json_array_size(a) == 1) {
		json_t *one = json_incref(json_array_get(a, 0));

		json_decref(a);
		return one;
	}
	return a;
}

static json_t *icmp_types(const struct fnft_ir_rule *r)
{
	json_t *set;
	char buf[8];
	size_t i;

	if (r->n_icmp_types == 1)
		return json_string(fnft_icmp_type_name(r->l4, r->icmp_types[0], buf,
						       sizeof(buf)));
	set = json_array();
	for (i = 0; set && i < r->n_icmp_types; i++)
		json_array_append_new(set, json_string(fnft_icmp_type_name(
			r->l4, r->icmp_types[i], buf, sizeof(buf))));
	return json_pack("{s:o}", "set", set);
}

static int rule_exprs(const struct fnft_ir_rule *r, json_t *e)
{
	char ref[FNFT_IFNAME_MAX + 80];

	if (r->raw)
		return -EINVAL;	/* not ours: nothing to say in JSON */
	if (r->ct_state)
		json_array_append_new(e, match(json_pack("{s:{s:s}}", "ct", "key", "state"),
					       "in", ct_state(r->ct_state)));
	if (r->iifname[0])
		json_array_append_new(e, match(json_pack("{s:{s:s}}", "meta", "key", "iifname"),
					       "==", json_string(r->iifname)));
	if (r->oifname[0])
		json_array_append_new(e, match(json_pack("{s:{s:s}}", "meta", "key", "oifname"),
					       "==", json_string(r->oifname)));
	if (r->addr != FNFT_MATCH_NONE) {
		snprintf(ref, sizeof(ref), "@%s", r->set);
		json_array_append_new(e, match(payload(r->family == FNFT_V4 ? "ip" : "ip6",
						       r->addr == FNFT_MATCH_SADDR ? "saddr" : "daddr"),
					       "==", json_string(ref)));
	}
	if (r->l4 == FNFT_L4_TCP || r->l4 == FNFT_L4_UDP)
		json_array_append_new(e, match(payload(r->l4 == FNFT_L4_TCP ? "tcp" : "udp",
						       "dport"), "==", ports(&r->dports)));
	else if (r->l4 == FNFT_L4_ICMP || r->l4 == FNFT_L4_ICMPV6)
		json_array_append_new(e, match(payload(r->l4 == FNFT_L4_ICMP ? "icmp" : "icmpv6",
						       "type"), "==", icmp_types(r)));
	if (r->counter)
		json_array_append_new(e, json_pack("{s:{s:i, s:i}}", "counter",
						   "packets", 0, "bytes", 0));
	if (r->limit_per_minute)
		json_array_append_new(e, json_pack("{s:{s:i, s:i, s:s}}", "limit", "rate",
						   r->limit_per_minute, "burst",
						   FNFT_LOG_LIMIT_BURST, "per",
						   FNFT_LOG_LIMIT_UNIT_NAME));
	if (r->log_prefix)
		json_array_append_new(e, json_pack("{s:{s:s}}", "log", "prefix",
						   r->log_prefix));
	if (r->verdict == FNFT_VERDICT_ACCEPT)
		json_array_append_new(e, json_pack("{s:n}", "accept"));
	else if (r->verdict == FNFT_VERDICT_DROP)
		json_array_append_new(e, json_pack("{s:n}", "drop"));
	return 0;
}

static json_t *set_json(const struct fnft_ruleset *rs, const struct fnft_ir_set *s)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:[s]}", "family", "inet",
			      "table", rs->table, "name", s->name, "type",
			      fnft_family_type_name(s->family),
			      "flags", "interval");
	json_t *elems = json_array();
	char lo[64], hi[64];
	size_t i;

	for (i = 0; o && elems && i < s->elems.n; i++) {
		const struct fnft_iv *iv = &s->elems.v[i];
		int plen = fnft_iv_prefix_len(iv, s->family);
		struct fnft_iv one = *iv;

		memcpy(one.hi, iv->lo, sizeof(one.hi));
		fnft_iv_format(&one, s->family, lo, sizeof(lo));
		if (plen == (int)fnft_family_key_len(s->family) * 8) {
			json_array_append_new(elems, json_string(lo));
		} else if (plen >= 0) {
			json_array_append_new(elems, json_pack("{s:{s:s, s:i}}", "prefix",
							       "addr", lo, "len", plen));
		} else {
			memcpy(one.lo, iv->hi, sizeof(one.lo));
			memcpy(one.hi, iv->hi, sizeof(one.hi));
			fnft_iv_format(&one, s->family, hi, sizeof(hi));
			json_array_append_new(elems, json_pack("{s:[s,s]}", "range", lo, hi));
		}
	}
	if (o && json_array_size(elems))
		json_object_set(o, "elem", elems);
	json_decref(elems);
	return json_pack("{s:{s:o}}", "add", "set", o);
}

static json_t *chain_json(const struct fnft_ruleset *rs, const struct fnft_ir_chain *c)
{
	return json_pack("{s:{s:{s:s, s:s, s:s, s:s, s:s, s:i, s:s}}}", "add", "chain",
			 "family", "inet", "table", rs->table, "name", c->name,
			 "type", "filter",
			 "hook", c->hook == FNFT_HOOK_INPUT ? "input" : "output",
			 "prio", c->priority,
			 "policy", c->policy == FNFT_VERDICT_DROP ? "drop" : "accept");
}

static json_t *rule_json(const struct fnft_ruleset *rs, const struct fnft_ir_chain *c,
			 const struct fnft_ir_rule *r)
{
	json_t *e = json_array(), *o;

	if (!e || rule_exprs(r, e) < 0) {
		json_decref(e);
		return NULL;
	}
	o = json_pack("{s:s, s:s, s:s, s:o}", "family", "inet", "table", rs->table,
		      "chain", c->name, "expr", e);
	if (o && r->comment)
		json_object_set_new(o, "comment", json_string(r->comment));
	return json_pack("{s:{s:o}}", "add", "rule", o);
}

static json_t *table_cmd(const char *cmd, const struct fnft_ruleset *rs, bool comment)
{
	json_t *t = json_pack("{s:s, s:s}", "family", "inet", "name", rs->table);

	if (t && comment && rs->comment)
		json_object_set_new(t, "comment", json_string(rs->comment));
	return json_pack("{s:{s:o}}", cmd, "table", t);
}

FNFT_EXPORT int fnft_ruleset_render_json(const struct fnft_ruleset *rs, char **out)
{
	json_t *cmds = json_array(), *doc, *x;
	size_t i, k;
	char *s;

	if (!rs || !out || !cmds) {
		json_decref(cmds);
		return -EINVAL;
	}
	if (fnft_ruleset_has_foreign(rs))
		goto bad;	/* not ours: nothing to say in JSON */
	/* add-delete-add: replaces our table whether it exists or not */
	json_array_append_new(cmds, table_cmd("add", rs, false));
	json_array_append_new(cmds, table_cmd("delete", rs, false));
	json_array_append_new(cmds, table_cmd("add", rs, true));
	for (i = 0; i < rs->n_sets; i++) {
		if (rs->sets[i].raw)
			goto bad;
		json_array_append_new(cmds, set_json(rs, &rs->sets[i]));
	}
	for (i = 0; i < rs->n_chains; i++)
		json_array_append_new(cmds, chain_json(rs, &rs->chains[i]));
	for (i = 0; i < rs->n_chains; i++)
		for (k = 0; k < rs->chains[i].n_rules; k++) {
			x = rule_json(rs, &rs->chains[i], &rs->chains[i].rules[k]);
			if (!x)
				goto bad;
			json_array_append_new(cmds, x);
		}
	doc = json_pack("{s:o}", "nftables", cmds);
	s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
bad:
	json_decref(cmds);
	return -EINVAL;
}
