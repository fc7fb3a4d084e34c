/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IR -> nft syntax.  The text is canonical: the same IR always gives the
 * same bytes, in the order and spelling `nft list` uses, except that set
 * elements stand one per line (with a trailing comma, which nft accepts) so
 * that one added network is one added line in a diff.
 */
#include <errno.h>
#include <stdio.h>

#include "internal.h"
#include "ir.h"
#include "udiff.h"
#include "wire.h"

struct named {
	uint8_t value;
	const char *name;
};

static const struct named icmp_names[] = {
	{ 0, "echo-reply" }, { 3, "destination-unreachable" },
	{ 4, "source-quench" }, { 5, "redirect" }, { 8, "echo-request" },
	{ 9, "router-advertisement" }, { 10, "router-solicitation" },
	{ 11, "time-exceeded" }, { 12, "parameter-problem" },
	{ 13, "timestamp-request" }, { 14, "timestamp-reply" },
	{ 15, "info-request" }, { 16, "info-reply" },
	{ 17, "address-mask-request" }, { 18, "address-mask-reply" },
};

static const struct named icmpv6_names[] = {
	{ 1, "destination-unreachable" }, { 2, "packet-too-big" },
	{ 3, "time-exceeded" }, { 4, "parameter-problem" },
	{ 128, "echo-request" }, { 129, "echo-reply" },
	{ 130, "mld-listener-query" }, { 131, "mld-listener-report" },
	{ 132, "mld-listener-done" }, { 133, "nd-router-solicit" },
	{ 134, "nd-router-advert" }, { 135, "nd-neighbor-solicit" },
	{ 136, "nd-neighbor-advert" }, { 137, "nd-redirect" },
	{ 138, "router-renumbering" }, { 141, "ind-neighbor-solicit" },
	{ 142, "ind-neighbor-advert" }, { 143, "mld2-listener-report" },
};

const char *fnft_icmp_type_name(enum fnft_l4 l4, uint8_t type, char *buf,
				size_t len)
{
	const struct named *t = l4 == FNFT_L4_ICMP ? icmp_names : icmpv6_names;
	size_t n = l4 == FNFT_L4_ICMP ? ARRAY_SIZE(icmp_names)
				      : ARRAY_SIZE(icmpv6_names);
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == type)
			return t[i].name;
	snprintf(buf, len, "%u", type);
	return buf;
}

static void put_icmp_type(struct fnft_buf *b, enum fnft_l4 l4, uint8_t type)
{
	char num[8];

	fnft_buf_puts(b, fnft_icmp_type_name(l4, type, num, sizeof(num)));
}

/* The bits in nft's order and spelling; the decoder accepts no others. */
static void put_ct_state(struct fnft_buf *b, uint32_t bits)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ FNFT_CT_INVALID, "invalid" }, { FNFT_CT_ESTABLISHED, "established" },
		{ FNFT_CT_RELATED, "related" }, { FNFT_CT_NEW, "new" },
		{ FNFT_CT_UNTRACKED, "untracked" },
	};
	const char *sep = "";
	size_t i;

	fnft_buf_puts(b, "ct state ");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (bits & names[i].bit) {
			fnft_buf_printf(b, "%s%s", sep, names[i].name);
			sep = ",";
		}
	fnft_buf_puts(b, " ");
}

static void put_ports(struct fnft_buf *b, const struct fnft_portlist *l)
{
	char text[16];
	size_t i;

	if (l->n == 1) {
		fnft_portlist_format(l, text, sizeof(text));
		fnft_buf_printf(b, "%s ", text);
		return;
	}
	fnft_buf_puts(b, "{ ");
	for (i = 0; i < l->n; i++) {
		const struct fnft_port_range *r = &l->v[i];

		if (r->first == r->last)
			fnft_buf_printf(b, "%s%u", i ? ", " : "", r->first);
		else
			fnft_buf_printf(b, "%s%u-%u", i ? ", " : "", r->first,
					r->last);
	}
	fnft_buf_puts(b, " } ");
}

static void put_l4(struct fnft_buf *b, const struct fnft_ir_rule *r)
{
	size_t i;

	switch (r->l4) {
	case FNFT_L4_TCP:
	case FNFT_L4_UDP:
		fnft_buf_puts(b, r->l4 == FNFT_L4_TCP ? "tcp dport " : "udp dport ");
		put_ports(b, &r->dports);
		return;
	case FNFT_L4_ICMP:
	case FNFT_L4_ICMPV6:
		fnft_buf_puts(b, r->l4 == FNFT_L4_ICMP ? "icmp type " : "icmpv6 type ");
		if (r->n_icmp_types > 1)
			fnft_buf_puts(b, "{ ");
		for (i = 0; i < r->n_icmp_types; i++) {
			if (i)
				fnft_buf_puts(b, ", ");
			put_icmp_type(b, r->l4, r->icmp_types[i]);
		}
		fnft_buf_puts(b, r->n_icmp_types > 1 ? " } " : " ");
		return;
	default:
		return;
	}
}

void fnft_render_rule(const struct fnft_ir_rule *r, struct fnft_buf *b)
{
	size_t start = b->len;

	if (r->raw) {
		/* not ours, not understood: shown as the kernel holds it */
		fnft_buf_printf(b, "# not understood: %s", r->raw);
		return;
	}

	if (r->ct_state)
		put_ct_state(b, r->ct_state);
	if (r->iifname[0])
		fnft_buf_printf(b, "iifname \"%s\" ", r->iifname);
	if (r->oifname[0])
		fnft_buf_printf(b, "oifname \"%s\" ", r->oifname);
	if (r->addr != FNFT_MATCH_NONE)
		fnft_buf_printf(b, "%s %s @%s ", r->family == FNFT_V4 ? "ip" : "ip6",
				r->addr == FNFT_MATCH_SADDR ? "saddr" : "daddr",
				r->set);
	put_l4(b, r);
	if (r->counter)
		fnft_buf_puts(b, "counter ");
	if (r->limit_per_minute)
		fnft_buf_printf(b, "limit rate %u/" FNFT_LOG_LIMIT_UNIT_NAME " ",
				r->limit_per_minute);
	if (r->log_prefix)
		fnft_buf_printf(b, "log prefix \"%s\" ", r->log_prefix);
	if (r->verdict != FNFT_VERDICT_NONE)
		fnft_buf_puts(b, r->verdict == FNFT_VERDICT_ACCEPT ? "accept " : "drop ");
	if (r->comment)
		fnft_buf_printf(b, "comment \"%s\" ", r->comment);
	/* every piece ends in a blank; drop the last one */
	if (!b->oom && b->len > start)
		b->s[--b->len] = '\0';
}

static void render_set(const struct fnft_ir_set *set, struct fnft_buf *b)
{
	char text[128];
	size_t i;

	if (set->raw) {
		fnft_buf_printf(b, "\t# not understood: set %s { %s }\n", set->name,
				set->raw);
		return;
	}
	fnft_buf_printf(b, "\tset %s {\n\t\ttype %s\n\t\tflags interval\n",
			set->name, fnft_family_type_name(set->family));
	if (set->elems.n) {
		fnft_buf_puts(b, "\t\telements = {\n");
		/* "\t\t\t<element>,\n" without printf: sets are big */
		memcpy(text, "\t\t\t", 3);
		for (i = 0; i < set->elems.n; i++) {
			int n = fnft_iv_format(&set->elems.v[i], set->family,
					       text + 3, sizeof(text) - 5);

			memcpy(text + 3 + n, ",\n", 3);
			fnft_buf_puts(b, text);
		}
		fnft_buf_puts(b, "\t\t}\n");
	}
	fnft_buf_puts(b, "\t}\n");
}

static void put_hook(const struct fnft_ir_chain *c, struct fnft_buf *b)
{
	fnft_buf_printf(b, "\t\ttype filter hook %s priority ",
			c->hook == FNFT_HOOK_INPUT ? "input" :
			c->hook == FNFT_HOOK_OUTPUT ? "output" : "other");
	if (c->priority)
		fnft_buf_printf(b, "filter %c %d", c->priority > 0 ? '+' : '-',
				c->priority > 0 ? c->priority : -c->priority);
	else
		fnft_buf_puts(b, "filter");
	fnft_buf_printf(b, "; policy %s;\n",
			c->policy == FNFT_VERDICT_DROP ? "drop" : "accept");
}

static void render_chain(const struct fnft_ir_chain *c, struct fnft_buf *b)
{
	size_t i;

	fnft_buf_printf(b, "\tchain %s {\n", c->name);
	/* a chain we do not make: all of its attributes, as found */
	if (c->raw)
		fnft_buf_printf(b, "\t\t# not understood: %s\n", c->raw);
	else if (c->hook)
		put_hook(c, b);
	for (i = 0; i < c->n_rules; i++) {
		fnft_buf_puts(b, "\t\t");
		fnft_render_rule(&c->rules[i], b);
		fnft_buf_puts(b, "\n");
	}
	fnft_buf_puts(b, "\t}\n");
}

/* "\tflags dormant,owner" as nft lists them; bits nft has no name for
 * as a number, so that no flag is ever hidden */
static void render_table_flags(uint32_t flags, struct fnft_buf *b)
{
	static const char *const names[] = { "dormant", "owner", "persist" };
	const char *sep = "\tflags ";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & (1u << i)) {
			fnft_buf_printf(b, "%s%s", sep, names[i]);
			flags &= ~(1u << i);
			sep = ",";
		}
	if (flags)
		fnft_buf_printf(b, "%s0x%x", sep, flags);
	fnft_buf_puts(b, "\n");
}

int fnft_render_table(const struct fnft_ruleset *rs, struct fnft_buf *b)
{
	const char *sep = "";
	size_t i;

	fnft_buf_printf(b, "table inet %s {\n", rs->table);
	if (rs->flags)
		render_table_flags(rs->flags, b);
	if (rs->comment)
		fnft_buf_printf(b, "\tcomment \"%s\"\n", rs->comment);
	for (i = 0; i < rs->n_sets; i++, sep = "\n") {
		fnft_buf_puts(b, sep);
		render_set(&rs->sets[i], b);
	}
	/* objects and flowtables (never in a plan), one line each */
	for (i = 0; i < rs->n_objects; i++, sep = "\n") {
		const struct fnft_ir_object *o = &rs->objects[i];

		fnft_buf_printf(b, "%s\t%s %s %s\n", i ? "" : sep,
				fnft_ir_kind_name(o->kind), o->name, o->desc);
	}
	for (i = 0; i < rs->n_chains; i++, sep = "\n") {
		fnft_buf_puts(b, sep);
		render_chain(&rs->chains[i], b);
	}
	fnft_buf_puts(b, "}\n");
	return b->oom ? -ENOMEM : 0;
}

FNFT_EXPORT int fnft_ruleset_render(const struct fnft_ruleset *rs, char **out)
{
	struct fnft_buf b = { 0 };

	if (!rs || !out)
		return -EINVAL;
	/*
	 * "table" first so that "delete" never meets a missing table; nft -f
	 * runs the three as one transaction, and touches no other table.
	 */
	fnft_buf_printf(&b, "#!/usr/sbin/nft -f\n"
			"# generated by finesse-nft; replaces only table inet %s\n"
			"table inet %s\ndelete table inet %s\n",
			rs->table, rs->table, rs->table);
	fnft_render_table(rs, &b);
	return fnft_buf_steal(&b, out);
}

/*
 * The hunk headings of a table's diff: a line that opens a table, set,
 * map, chain or flowtable ("\tset browser_v4 {"), so that each hunk says
 * which block it is in.  Element lists ("elements = {") and rules with
 * anonymous sets do not end a line in a keyword's block.
 */
static bool nft_heading(const char *line, size_t len)
{
	static const char *const kw[] = { "table ", "set ", "map ", "chain ",
					  "flowtable " };
	size_t i, k;

	for (k = 0; k < len && line[k] == '\t'; k++)
		;
	if (len - k < 3 || line[len - 1] != '{' || line[len - 2] != ' ')
		return false;
	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (len - k > strlen(kw[i]) &&
		    !strncmp(line + k, kw[i], strlen(kw[i])))
			return true;
	return false;
}

FNFT_EXPORT int fnft_ruleset_diff(const struct fnft_ruleset *a,
				  const struct fnft_ruleset *b,
				  const char *label_a, const char *label_b,
				  char **out)
{
	struct fnft_buf ta = { 0 }, tb = { 0 };
	int rc;

	if (!b || !label_a || !label_b || !out)
		return -EINVAL;
	if (a)
		fnft_render_table(a, &ta);
	else
		fnft_buf_puts(&ta, "");	/* no table yet: all of it is new */
	fnft_render_table(b, &tb);
	if (ta.oom || tb.oom)
		rc = -ENOMEM;
	else
		rc = fnft_udiff_headed(ta.s, tb.s, label_a, label_b, 3,
				       nft_heading, out);
	fnft_buf_free(&ta);
	fnft_buf_free(&tb);
	return rc;
}
