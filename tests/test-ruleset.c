/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Equality and the fingerprint see the same fields: change any one field
 * of a ruleset and both notice, or (live-only fields) neither does.  The
 * layout check makes a field added to the IR fail here until it has a case.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "ir.h"
#include "testlib.h"

static void add_set(struct fnft_ruleset *rs, const char *name,
		    enum fnft_family fam, const char *raw, unsigned n)
{
	struct fnft_ir_set *s = fnft_ruleset_add_set(rs, name, fam);
	struct fnft_iv iv = { .lo = { 10 }, .hi = { 10 } };
	unsigned i;

	ck_assert_ptr_nonnull(s);
	s->raw = raw ? strdup(raw) : NULL;
	for (i = 0; i < n; i++) {
		iv.lo[3] = (uint8_t)(2 * i);
		iv.hi[3] = (uint8_t)(2 * i);
		ck_assert_int_eq(fnft_ivlist_add(&s->elems, &iv), 0);
	}
}

/* Every field of the IR set to something other than zero somewhere. */
static struct fnft_ruleset *build(void)
{
	struct fnft_ruleset *rs = fnft_ruleset_new("t", "made by hand");
	struct fnft_ir_chain *in, *out;
	uint8_t types[] = { 0, 8, 11 };
	struct fnft_ir_rule r = {
		.ct_state = FNFT_CT_NEW, .iifname = "eth0", .oifname = "eth1",
		.addr = FNFT_MATCH_SADDR, .family = FNFT_V4, .set = "a_v4",
		.l4 = FNFT_L4_TCP, .icmp_types = types, .n_icmp_types = 3,
		.counter = true, .limit_per_minute = 60, .log_prefix = "in: ",
		.verdict = FNFT_VERDICT_ACCEPT, .comment = "row",
		.handle = 1, .packets = 2, .bytes = 3,
	};

	ck_assert_ptr_nonnull(rs);
	add_set(rs, "a_v4", FNFT_V4, NULL, 3);
	add_set(rs, "b_v6", FNFT_V6, "type ipv6_addr; flags constant", 1);
	in = fnft_ruleset_add_chain(rs, "input", FNFT_HOOK_INPUT, -10,
				    FNFT_VERDICT_DROP);
	out = fnft_ruleset_add_chain(rs, "output", FNFT_HOOK_OUTPUT, 0,
				     FNFT_VERDICT_ACCEPT);
	ck_assert(in && out);
	/* input 0: every match and statement */
	ck_assert_int_eq(fnft_portlist_add(&r.dports, 22, 22), 0);
	ck_assert_int_eq(fnft_portlist_add(&r.dports, 8000, 8010), 0);
	ck_assert_int_eq(fnft_chain_add_rule(in, &r), 0);
	fnft_portlist_free(&r.dports);
	/* input 1: someone else's rule, as text */
	r = (struct fnft_ir_rule){ .raw = "[ meta load l4proto => reg 1 ]" };
	ck_assert_int_eq(fnft_chain_add_rule(in, &r), 0);
	/* output 0: no address match, but a family and set left behind */
	r = (struct fnft_ir_rule){ .family = FNFT_V6, .set = "b_v6",
				   .verdict = FNFT_VERDICT_DROP };
	ck_assert_int_eq(fnft_chain_add_rule(out, &r), 0);
	/* live only: what no plan has */
	out->raw = strdup("type \"nat\" hook output priority 0; flags base;");
	ck_assert_ptr_nonnull(out->raw);
	ck_assert_int_eq(fnft_ruleset_add_object(rs, FNFT_IR_COUNTER, "c1",
						 "{ packets 0 bytes 0 }"), 0);
	ck_assert_int_eq(fnft_ruleset_add_object(rs, FNFT_IR_FLOWTABLE, "f1",
						 "{ hook ingress priority 0; }"), 0);
	return rs;
}


static struct fnft_ir_rule *rule(struct fnft_ruleset *rs, size_t chain,
				 size_t i)
{
	return &rs->chains[chain].rules[i];
}

static void replace(char **s, const char *v)
{
	free(*s);
	*s = v ? strdup(v) : NULL;
	ck_assert(!v || *s);
}

/* build() without what only a live table has: a plan's shape */
static void strip_live(struct fnft_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n_chains; i++)
		replace(&rs->chains[i].raw, NULL);
	for (i = 0; i < rs->n_objects; i++) {
		free(rs->objects[i].name);
		free(rs->objects[i].desc);
	}
	rs->n_objects = 0;
}

static void swap(void *a, void *b, size_t size)
{
	unsigned char t[sizeof(struct fnft_ir_chain) + sizeof(struct fnft_ir_rule)];

	ck_assert_uint_le(size, sizeof(t));
	memcpy(t, a, size);
	memcpy(a, b, size);
	memcpy(b, t, size);
}

/* Room for more sets or rules: capacity is not content. */
static void grow(void *v, size_t *cap, size_t size)
{
	ck_assert_int_eq(fnft_grow(v, cap, *cap + 16, size), 0);
}

/* A change to build()'s ruleset, written as one statement on @rs. */
#define MUTATION(fn, stmt)				\
	static void fn(struct fnft_ruleset *rs)		\
	{						\
		stmt;					\
	}

MUTATION(table_name, replace(&rs->table, "u"))
MUTATION(table_comment, replace(&rs->comment, "other"))
MUTATION(table_no_comment, replace(&rs->comment, NULL))
MUTATION(table_flags, rs->flags ^= 1)
MUTATION(sets_order, swap(&rs->sets[0], &rs->sets[1], sizeof(rs->sets[0])))
MUTATION(set_added, add_set(rs, "c_v4", FNFT_V4, NULL, 0))
MUTATION(sets_room, grow(&rs->sets, &rs->cap_sets, sizeof(rs->sets[0])))
MUTATION(chains_order, swap(&rs->chains[0], &rs->chains[1], sizeof(rs->chains[0])))
MUTATION(chain_added, fnft_ruleset_add_chain(rs, "forward", 0, 0, FNFT_VERDICT_NONE))
MUTATION(chains_room, grow(&rs->chains, &rs->cap_chains, sizeof(rs->chains[0])))
MUTATION(objects_order, swap(&rs->objects[0], &rs->objects[1], sizeof(rs->objects[0])))
MUTATION(object_added, fnft_ruleset_add_object(rs, FNFT_IR_QUOTA, "q", "{ 1 bytes }"))
MUTATION(objects_gone, strip_live(rs))
MUTATION(objects_room, grow(&rs->objects, &rs->cap_objects, sizeof(rs->objects[0])))
MUTATION(counters_read, rs->counters_read = !rs->counters_read)

MUTATION(object_kind, rs->objects[0].kind = FNFT_IR_QUOTA)
MUTATION(object_name, replace(&rs->objects[0].name, "c2"))
MUTATION(object_desc, replace(&rs->objects[1].desc, "{ hook ingress priority 1; }"))

MUTATION(set_name, replace(&rs->sets[0].name, "a_v5"))
MUTATION(set_family, rs->sets[0].family = FNFT_V6)
MUTATION(set_raw, replace(&rs->sets[1].raw, "type ipv6_addr"))
MUTATION(set_raw_added, replace(&rs->sets[0].raw, "type ipv4_addr"))
MUTATION(set_elem, rs->sets[0].elems.v[2].hi[3] ^= 1)
MUTATION(set_elem_less, rs->sets[0].elems.n--)

MUTATION(chain_name, replace(&rs->chains[0].name, "inbound"))
MUTATION(chain_hook, rs->chains[0].hook = FNFT_HOOK_OUTPUT)
MUTATION(chain_priority, rs->chains[0].priority = 10)
MUTATION(chain_policy, rs->chains[0].policy = FNFT_VERDICT_ACCEPT)
MUTATION(chain_raw, replace(&rs->chains[1].raw, "type \"filter\" hook output priority 0; flags base,offload;"))
MUTATION(chain_raw_gone, replace(&rs->chains[1].raw, NULL))
MUTATION(chain_raw_added, replace(&rs->chains[0].raw, "no type; flags 0x0;"))
MUTATION(rules_order, swap(rule(rs, 0, 0), rule(rs, 0, 1), sizeof(struct fnft_ir_rule)))
MUTATION(rule_added, fnft_chain_add_rule(&rs->chains[1], &(struct fnft_ir_rule){ 0 }))
MUTATION(rules_room, grow(&rs->chains[0].rules, &rs->chains[0].cap_rules,
			  sizeof(struct fnft_ir_rule)))

MUTATION(rule_ct_state, rule(rs, 0, 0)->ct_state |= FNFT_CT_RELATED)
MUTATION(rule_iifname, rule(rs, 0, 0)->iifname[3] = '1')
MUTATION(rule_oifname, rule(rs, 0, 0)->oifname[0] = '\0')
MUTATION(rule_addr, rule(rs, 0, 0)->addr = FNFT_MATCH_DADDR)
MUTATION(rule_family, rule(rs, 0, 0)->family = FNFT_V6)
MUTATION(rule_set, replace(&rule(rs, 0, 0)->set, "b_v6"))
MUTATION(rule_family_unused, rule(rs, 1, 0)->family = FNFT_V4)
MUTATION(rule_set_unused, replace(&rule(rs, 1, 0)->set, NULL))
MUTATION(rule_l4, rule(rs, 0, 0)->l4 = FNFT_L4_UDP)
MUTATION(rule_dport, rule(rs, 0, 0)->dports.v[1].last++)
MUTATION(rule_dports_less, rule(rs, 0, 0)->dports.n--)
MUTATION(rule_icmp_type, rule(rs, 0, 0)->icmp_types[2]++)
MUTATION(rule_icmp_types_less, rule(rs, 0, 0)->n_icmp_types--)
MUTATION(rule_counter, rule(rs, 0, 0)->counter = false)
MUTATION(rule_limit, rule(rs, 0, 0)->limit_per_minute++)
MUTATION(rule_log, replace(&rule(rs, 0, 0)->log_prefix, "in:"))
MUTATION(rule_log_empty, replace(&rule(rs, 1, 0)->log_prefix, ""))
MUTATION(rule_verdict, rule(rs, 0, 0)->verdict = FNFT_VERDICT_NONE)
MUTATION(rule_comment, replace(&rule(rs, 0, 0)->comment, "row2"))
MUTATION(rule_comment_empty, replace(&rule(rs, 1, 0)->comment, ""))
MUTATION(rule_raw, replace(&rule(rs, 0, 1)->raw, "[ immediate reg 0 accept ]"))
MUTATION(rule_raw_added, replace(&rule(rs, 0, 0)->raw, "[ counter ]"))
MUTATION(rule_handle, rule(rs, 0, 0)->handle = 99)
MUTATION(rule_packets, rule(rs, 0, 0)->packets = 99)
MUTATION(rule_bytes, rule(rs, 0, 0)->bytes = 99)

struct mutation {
	const char *field;	/* as the layouts below name it */
	void (*apply)(struct fnft_ruleset *rs);
	bool counts;		/* false: equality and fingerprint ignore it */
};

static const struct mutation mutations[] = {
	{ "ruleset.table", table_name, true },
	{ "ruleset.comment", table_comment, true },
	{ "ruleset.comment", table_no_comment, true },
	{ "ruleset.flags", table_flags, true },
	{ "ruleset.sets", sets_order, true },
	{ "ruleset.n_sets", set_added, true },
	{ "ruleset.cap_sets", sets_room, false },
	{ "ruleset.chains", chains_order, true },
	{ "ruleset.n_chains", chain_added, true },
	{ "ruleset.cap_chains", chains_room, false },
	{ "ruleset.objects", objects_order, true },
	{ "ruleset.n_objects", object_added, true },
	{ "ruleset.n_objects", objects_gone, true },
	{ "ruleset.cap_objects", objects_room, false },
	{ "ruleset.counters_read", counters_read, false },

	{ "object.kind", object_kind, true },
	{ "object.name", object_name, true },
	{ "object.desc", object_desc, true },

	{ "set.name", set_name, true },
	{ "set.family", set_family, true },
	{ "set.raw", set_raw, true },
	{ "set.raw", set_raw_added, true },
	{ "set.elems", set_elem, true },
	{ "set.elems", set_elem_less, true },

	{ "chain.name", chain_name, true },
	{ "chain.hook", chain_hook, true },
	{ "chain.priority", chain_priority, true },
	{ "chain.policy", chain_policy, true },
	{ "chain.raw", chain_raw, true },
	{ "chain.raw", chain_raw_gone, true },
	{ "chain.raw", chain_raw_added, true },
	{ "chain.rules", rules_order, true },
	{ "chain.n_rules", rule_added, true },
	{ "chain.cap_rules", rules_room, false },

	{ "rule.ct_state", rule_ct_state, true },
	{ "rule.iifname", rule_iifname, true },
	{ "rule.oifname", rule_oifname, true },
	{ "rule.addr", rule_addr, true },
	{ "rule.family", rule_family, true },
	{ "rule.set", rule_set, true },
	{ "rule.family", rule_family_unused, false },
	{ "rule.set", rule_set_unused, false },
	{ "rule.l4", rule_l4, true },
	{ "rule.dports", rule_dport, true },
	{ "rule.dports", rule_dports_less, true },
	{ "rule.icmp_types", rule_icmp_type, true },
	{ "rule.n_icmp_types", rule_icmp_types_less, true },
	{ "rule.counter", rule_counter, true },
	{ "rule.limit_per_minute", rule_limit, true },
	{ "rule.log_prefix", rule_log, true },
	{ "rule.log_prefix", rule_log_empty, true },
	{ "rule.verdict", rule_verdict, true },
	{ "rule.comment", rule_comment, true },
	{ "rule.comment", rule_comment_empty, true },
	{ "rule.raw", rule_raw, true },
	{ "rule.raw", rule_raw_added, true },
	{ "rule.handle", rule_handle, false },
	{ "rule.packets", rule_packets, false },
	{ "rule.bytes", rule_bytes, false },
};

/* fnft_rule_equal() for every pair of rules in the same place */
static bool rules_equal(struct fnft_ruleset *a, struct fnft_ruleset *b)
{
	size_t c, i;

	for (c = 0; c < a->n_chains && c < b->n_chains; c++)
		for (i = 0; i < a->chains[c].n_rules && i < b->chains[c].n_rules; i++)
			if (!fnft_rule_equal(rule(a, c, i), rule(b, c, i)))
				return false;
	return true;
}

START_TEST(mutation_seen_by_both)
{
	const struct mutation *m = &mutations[_i];
	struct fnft_ruleset *a = build(), *b = build();

	ck_assert(fnft_ruleset_equal(a, b));
	ck_assert_uint_eq(fnft_ruleset_fingerprint(a), fnft_ruleset_fingerprint(b));
	m->apply(b);
	ck_assert_msg(fnft_ruleset_equal(a, b) == !m->counts,
		      "case %d (%s): fnft_ruleset_equal() says %s", _i, m->field,
		      m->counts ? "equal" : "different");
	ck_assert(fnft_ruleset_equal(b, a) == fnft_ruleset_equal(a, b));
	ck_assert_msg((fnft_ruleset_fingerprint(a) == fnft_ruleset_fingerprint(b)) == !m->counts,
		      "case %d (%s): the fingerprint %s", _i, m->field,
		      m->counts ? "stays" : "changes");
	if (!strncmp(m->field, "rule.", 5))
		ck_assert_msg(rules_equal(a, b) == !m->counts,
			      "case %d (%s): fnft_rule_equal() disagrees", _i,
			      m->field);
	fnft_ruleset_free(a);
	fnft_ruleset_free(b);
}
END_TEST

/* ---- every field of the IR has a case ---- */

struct field {
	const char *name;
	size_t off, size, align;
};

#define FIELD(T, prefix, f)						\
	{ prefix "." #f, offsetof(T, f), sizeof(((T *)0)->f),		\
	  __alignof__(((T *)0)->f) }

#define RULE(f) FIELD(struct fnft_ir_rule, "rule", f)
static const struct field rule_fields[] = {
	RULE(ct_state), RULE(iifname), RULE(oifname), RULE(addr),
	RULE(family), RULE(set), RULE(l4), RULE(dports), RULE(icmp_types),
	RULE(n_icmp_types), RULE(counter), RULE(limit_per_minute),
	RULE(log_prefix), RULE(verdict), RULE(comment), RULE(handle),
	RULE(packets), RULE(bytes), RULE(raw),
};

#define SET(f) FIELD(struct fnft_ir_set, "set", f)
static const struct field set_fields[] = {
	SET(name), SET(family), SET(elems), SET(raw),
};

#define CHAIN(f) FIELD(struct fnft_ir_chain, "chain", f)
static const struct field chain_fields[] = {
	CHAIN(name), CHAIN(hook), CHAIN(priority), CHAIN(policy),
	CHAIN(rules), CHAIN(n_rules), CHAIN(cap_rules), CHAIN(raw),
};

#define OBJECT(f) FIELD(struct fnft_ir_object, "object", f)
static const struct field object_fields[] = {
	OBJECT(kind), OBJECT(name), OBJECT(desc),
};

#define RULESET(f) FIELD(struct fnft_ruleset, "ruleset", f)
static const struct field ruleset_fields[] = {
	RULESET(table), RULESET(comment), RULESET(flags), RULESET(sets),
	RULESET(n_sets), RULESET(cap_sets), RULESET(chains),
	RULESET(n_chains), RULESET(cap_chains), RULESET(objects), RULESET(n_objects),
	RULESET(cap_objects), RULESET(counters_read),
};

static size_t round_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/*
 * The fields listed, in order, fill the struct but for the padding the ABI
 * puts before each: a field the list lacks leaves a hole that does not fit.
 */
static void check_layout(const struct field *f, size_t n, size_t size,
			 size_t align)
{
	size_t i, end = 0;

	for (i = 0; i < n; i++) {
		ck_assert_msg(f[i].off == round_up(end, f[i].align),
			      "a field before %s is not listed here", f[i].name);
		end = f[i].off + f[i].size;
	}
	ck_assert_msg(round_up(end, align) == size,
		      "a field after %s is not listed here", f[n - 1].name);
}

static void check_cases(const struct field *f, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < ARRAY_SIZE(mutations); k++)
			if (!strcmp(mutations[k].field, f[i].name))
				break;
		ck_assert_msg(k < ARRAY_SIZE(mutations),
			      "%s has no mutation case", f[i].name);
	}
}

#define CHECK_FIELDS(T, list)						\
	do {								\
		check_layout(list, ARRAY_SIZE(list), sizeof(T),		\
			     __alignof__(T));				\
		check_cases(list, ARRAY_SIZE(list));			\
	} while (0)

START_TEST(every_field_has_a_case)
{
	CHECK_FIELDS(struct fnft_ir_rule, rule_fields);
	CHECK_FIELDS(struct fnft_ir_set, set_fields);
	CHECK_FIELDS(struct fnft_ir_chain, chain_fields);
	CHECK_FIELDS(struct fnft_ir_object, object_fields);
	CHECK_FIELDS(struct fnft_ruleset, ruleset_fields);
}
END_TEST

/*
 * State files hold the fingerprint: hashing the same ruleset differently
 * would cost every host a full dump once.  (The hash reads words in host
 * byte order; this value is the little-endian one.)  What only a live
 * table has (objects, odd chains) is hashed only when there: a plan's
 * fingerprint is what it was before those fields existed.
 */
START_TEST(fingerprint_is_stable)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	struct fnft_ruleset *rs = build();

	ck_assert_uint_ne(fnft_ruleset_fingerprint(rs), 0xd7c59785c6d3075fULL);
	strip_live(rs);
	ck_assert_uint_eq(fnft_ruleset_fingerprint(rs), 0xd7c59785c6d3075fULL);
	fnft_ruleset_free(rs);
#endif
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("ruleset");

	tcase_add_loop_test(tc, mutation_seen_by_both, 0, ARRAY_SIZE(mutations));
	tcase_add_test(tc, every_field_has_a_case);
	tcase_add_test(tc, fingerprint_is_stable);
	return tl_run("ruleset", tc, false);
}
