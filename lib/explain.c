/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * explain: run the first packet of a new connection through the IR as the
 * kernel would run it through our table, and say which rule decided.  Pure.
 *
 * The packet is a TCP SYN or the first UDP datagram: ct state new, not on
 * the loopback interface.  Rules are tried in order; the first accept or
 * drop decides, else the chain's policy.  A rule we could not decode
 * (someone else's) cannot be judged; the answer then says so.
 */
#include <errno.h>
#include <stdio.h>

#include <finesse-nft/ruleset.h>

#include "ir.h"
#include "wire.h"

static bool in_set(const struct fnft_ir_set *set, const uint8_t addr[16])
{
	size_t w = fnft_family_key_len(set->family), i;

	for (i = 0; i < set->elems.n; i++)
		if (memcmp(set->elems.v[i].lo, addr, w) <= 0 &&
		    memcmp(addr, set->elems.v[i].hi, w) <= 0)
			return true;
	return false;
}

static bool in_ports(const struct fnft_portlist *l, uint16_t port)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].first <= port && port <= l->v[i].last)
			return true;
	return false;
}

struct packet {
	bool outbound;		/* through the output chain */
	enum fnft_family family;
	uint8_t addr[16];	/* the remote end */
	enum fnft_l4 l4;
	uint16_t port;		/* destination port */
};

/*
 * An interface match on the packet: in the input hook it has no output
 * interface, in the output hook no input one, so such a match never
 * holds; the interface it came in on or leaves by is not "lo", and not
 * known otherwise.  0: no match; -1: cannot tell.
 */
static int ifname_matches(const struct fnft_ir_rule *r, bool outbound)
{
	const char *own = outbound ? r->oifname : r->iifname;
	const char *other = outbound ? r->iifname : r->oifname;

	if (other[0] || streq(own, "lo"))
		return 0;
	return -1;
}

/* Does @r match @pkt?  -1: cannot tell (a raw rule, a set we cannot
 * read, an interface, our own address, a rate limit). */
static int matches(const struct fnft_ruleset *rs, const struct fnft_ir_rule *r,
		   const struct packet *pkt)
{
	const struct fnft_ir_set *set;
	int m = 1;

	if (r->raw)
		return -1;
	if (r->ct_state && !(r->ct_state & FNFT_CT_NEW))
		return 0;
	if ((r->iifname[0] || r->oifname[0]) &&
	    (m = ifname_matches(r, pkt->outbound)) == 0)
		return 0;
	if (r->addr != FNFT_MATCH_NONE) {
		if (r->family != pkt->family)
			return 0;
		set = fnft_ruleset_find_set(rs, r->set);
		/* our own end's address is not known */
		if ((r->addr == FNFT_MATCH_SADDR) == pkt->outbound ||
		    !set || set->raw)
			m = -1;
		else if (!in_set(set, pkt->addr))
			return 0;
	}
	if (r->l4 != FNFT_L4_NONE) {
		if (r->l4 != pkt->l4)
			return 0;
		if (r->dports.n && !in_ports(&r->dports, pkt->port))
			return 0;
	}
	/* a limit passes some packets and not others */
	return r->limit_per_minute ? -1 : m;
}

static void verdict(struct fnft_explanation *ex, const struct fnft_ir_chain *c,
		    size_t i)
{
	const struct fnft_ir_rule *r = &c->rules[i];

	ex->accepted = r->verdict == FNFT_VERDICT_ACCEPT;
	ex->by_policy = false;
	ex->rule = i + 1;
	snprintf(ex->row, sizeof(ex->row), "%s", r->comment ? r->comment : "");
}

FNFT_EXPORT int fnft_explain(const struct fnft_ruleset *rs, bool outbound,
			     const char *addr, enum fnft_protocol proto,
			     unsigned port, struct fnft_explanation *ex)
{
	const char *want = outbound ? "output" : "input";
	const struct fnft_ir_chain *c = NULL;
	struct packet pkt = { .outbound = outbound, .l4 = (enum fnft_l4)proto };
	char why[128];
	size_t i;

	if (!rs || !addr || !ex || port < 1 || port > 65535 ||
	    (proto != FNFT_PROTO_TCP && proto != FNFT_PROTO_UDP))
		return -EINVAL;
	if (fnft_addr_parse_host(addr, &pkt.family, pkt.addr, why, sizeof(why)) < 0)
		return -EINVAL;
	pkt.port = (uint16_t)port;
	memset(ex, 0, sizeof(*ex));
	for (i = 0; i < rs->n_chains; i++)
		if (streq(rs->chains[i].name, want))
			c = &rs->chains[i];
	snprintf(ex->chain, sizeof(ex->chain), "%s", want);
	if (!c) {
		/* no such chain in our table: nothing of ours stops it */
		ex->accepted = ex->by_policy = true;
		return 0;
	}
	for (i = 0; i < c->n_rules; i++) {
		int m = matches(rs, &c->rules[i], &pkt);

		/* what we cannot tell of a rule that decides nothing (a log
		 * rule) does not matter; a raw rule may decide */
		if (m < 0 && (c->rules[i].raw ||
			      c->rules[i].verdict != FNFT_VERDICT_NONE))
			ex->uncertain = true;
		if (m <= 0 || c->rules[i].verdict == FNFT_VERDICT_NONE)
			continue;
		verdict(ex, c, i);
		return 0;
	}
	ex->accepted = c->policy != FNFT_VERDICT_DROP;
	ex->by_policy = true;
	return 0;
}

FNFT_EXPORT int fnft_explanation_group(const struct fnft_ruleset *rs,
				       const struct fnft_explanation *ex,
				       char *buf, size_t len)
{
	const struct fnft_ir_chain *c = NULL;
	const char *group = "";
	size_t i, glen = 0;

	if (!rs || !ex || !buf || !len)
		return -EINVAL;
	if (!ex->by_policy && ex->rule) {
		for (i = 0; i < rs->n_chains; i++)
			if (streq(rs->chains[i].name, ex->chain))
				c = &rs->chains[i];
		if (!c || ex->rule > c->n_rules ||
		    !streq(c->rules[ex->rule - 1].comment ?
			   c->rules[ex->rule - 1].comment : "", ex->row))
			return -EINVAL;
		if (!(group = fnft_rule_group(&c->rules[ex->rule - 1], &glen)))
			group = "";
	}
	if (glen >= len)
		return -ENOSPC;
	snprintf(buf, len, "%.*s", (int)glen, group);
	return 0;
}

/* "ssh (admin), tomcat.https (browser)": rows with an accept rule for the port. */
FNFT_EXPORT int fnft_ruleset_rows_for_port(const struct fnft_ruleset *rs,
					   bool outbound,
					   enum fnft_protocol proto,
					   unsigned port, char **out)
{
	const char *want = outbound ? "output" : "input";
	struct fnft_buf b = { 0 };
	const char *last = NULL;
	size_t c, i;

	if (!rs || !out || port < 1 || port > 65535)
		return -EINVAL;
	for (c = 0; c < rs->n_chains; c++) {
		const struct fnft_ir_chain *ch = &rs->chains[c];

		if (!streq(ch->name, want))
			continue;
		for (i = 0; i < ch->n_rules; i++) {
			const struct fnft_ir_rule *r = &ch->rules[i];
			const char *group;
			size_t glen;

			if (!r->comment || r->verdict != FNFT_VERDICT_ACCEPT ||
			    r->l4 != (enum fnft_l4)proto ||
			    !in_ports(&r->dports, (uint16_t)port))
				continue;
			if (!last || !streq(last, r->comment))
				fnft_buf_printf(&b, "%s%s (", b.len ? "), " : "", r->comment);
			else if (r->addr && r->family == FNFT_V6)
				continue;	/* the group was named with its _v4 set */
			else
				fnft_buf_puts(&b, ", ");
			/* "browser_v4" -> "browser"; no set means everyone */
			if ((group = fnft_rule_group(r, &glen)))
				fnft_buf_printf(&b, "%.*s", (int)glen, group);
			else
				fnft_buf_puts(&b, "any");
			last = r->comment;
		}
	}
	if (b.len)
		fnft_buf_puts(&b, ")");
	return fnft_buf_steal(&b, out);
}
