/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FNFT_IR_H
#define FNFT_IR_H

/*
 * The IR: a small typed model of the one nftables table we own.  Every stage
 * after the planner (render, diff, encode, and later decode) reads only
 * this.  A rule is a fixed sequence of optional matches followed by
 * statements and a verdict; unset matches are zero.  The field order below
 * is the order in which rules are printed and encoded:
 *
 *   ct state -> iif/oifname -> ip/ip6 s/daddr @set -> l4 (ports | icmp types)
 *   -> counter -> limit -> log -> verdict -> comment
 */

#include <finesse-nft/ruleset.h>

#include "addr.h"
#include "internal.h"

#define FNFT_IFNAME_MAX 16	/* IFNAMSIZ */

/* ct state bits, as the kernel's ct state key holds them */
#define FNFT_CT_INVALID		0x1u
#define FNFT_CT_ESTABLISHED	0x2u
#define FNFT_CT_RELATED		0x4u
#define FNFT_CT_NEW		0x8u
#define FNFT_CT_UNTRACKED	0x40u	/* live only: a plan never names it */

enum fnft_l4 {
	FNFT_L4_NONE = 0,
	FNFT_L4_ICMP = 1,
	FNFT_L4_TCP = 6,
	FNFT_L4_UDP = 17,
	FNFT_L4_ICMPV6 = 58,
};

enum fnft_addr_match {
	FNFT_MATCH_NONE,
	FNFT_MATCH_SADDR,
	FNFT_MATCH_DADDR,
};

enum fnft_verdict {
	FNFT_VERDICT_NONE,	/* e.g. a log rule: fall through */
	FNFT_VERDICT_ACCEPT,
	FNFT_VERDICT_DROP,
};

enum fnft_hook {
	FNFT_HOOK_INPUT = 1,	/* NF_INET_LOCAL_IN */
	FNFT_HOOK_OUTPUT = 3,	/* NF_INET_LOCAL_OUT */
};

struct fnft_ir_set {
	char *name;			/* "<group>_v4" / "<group>_v6" */
	enum fnft_family family;
	struct fnft_ivlist elems;	/* normalized */
	/* live only: a set we did not make (other type or flags), described */
	char *raw;
};

struct fnft_ir_rule {
	uint32_t ct_state;		/* 0: no match; else bits, matched != 0 */
	char iifname[FNFT_IFNAME_MAX];	/* "": no match */
	char oifname[FNFT_IFNAME_MAX];
	enum fnft_addr_match addr;
	enum fnft_family family;	/* of the address match */
	char *set;			/* named set of the address match */
	enum fnft_l4 l4;
	struct fnft_portlist dports;	/* with TCP/UDP; may be empty */
	uint8_t *icmp_types;		/* with ICMP/ICMPv6, ascending */
	size_t n_icmp_types;
	bool counter;
	unsigned limit_per_minute;	/* 0: no limit */
	char *log_prefix;		/* NULL: no log */
	enum fnft_verdict verdict;
	char *comment;			/* the row id for row rules; NULL else */

	/* Live state only (decoded from the kernel); never compared. */
	uint64_t handle;
	uint64_t packets, bytes;	/* of the counter */
	/*
	 * A rule in our table we could not decode (someone else's), as
	 * libnftnl prints its expressions; the fields above are then zero.
	 * It is compared and rendered, so drift is never silently dropped.
	 */
	char *raw;
};

struct fnft_ir_chain {
	char *name;
	enum fnft_hook hook;		/* 0: not a base chain (live only) */
	int priority;
	enum fnft_verdict policy;
	struct fnft_ir_rule *rules;
	size_t n_rules, cap_rules;
	/*
	 * Live only: a chain we do not make (another type, hook, policy,
	 * flags, a device, userdata...), all of its attributes described;
	 * compared and rendered.  NULL for every chain of a plan.
	 */
	char *raw;
};

/* The kinds of things an inet table holds beyond sets, chains and rules. */
enum fnft_ir_kind {
	FNFT_IR_COUNTER,
	FNFT_IR_QUOTA,
	FNFT_IR_LIMIT,
	FNFT_IR_CT_HELPER,
	FNFT_IR_CT_TIMEOUT,
	FNFT_IR_CT_EXPECT,
	FNFT_IR_SYNPROXY,
	FNFT_IR_SECMARK,
	FNFT_IR_UNKNOWN,		/* a type libnftnl cannot parse */
	FNFT_IR_FLOWTABLE,
};

/*
 * A named stateful object or a flowtable found in the live table.  A plan
 * never has one: any of them makes the live table differ, shows in the
 * diff as removed, and makes apply replace the whole table.
 */
struct fnft_ir_object {
	enum fnft_ir_kind kind;
	char *name;
	/* its content in nft syntax, every attribute, on one line */
	char *desc;
};

struct fnft_ruleset {
	char *table;			/* family is always inet */
	char *comment;			/* names the tool and the node role */
	/* NFT_TABLE_F_* as the kernel holds them; a plan's are 0 (awake, no
	 * owner): a dormant table is an open firewall, never "in sync" */
	uint32_t flags;
	struct fnft_ir_set *sets;	/* ascending by name */
	size_t n_sets, cap_sets;
	/* input, output; a live table may hold any number.  The first 8
	 * never move: a planner may keep pointers to its two */
	struct fnft_ir_chain *chains;
	size_t n_chains, cap_chains;
	/* live only: ascending by kind, then name; none in a plan */
	struct fnft_ir_object *objects;
	size_t n_objects, cap_objects;
	/* decoded from a dump: the rules' packets and bytes are the kernel's.
	 * A plan, a state file standing in for the table: false, zeros */
	bool counters_read;
};

/* ---- construction helpers for the planner (and the decoder) ---- */

/* A letter, then letters, digits, '_' or '-'; at most 64. */
bool fnft_table_name_valid(const char *name);
/*
 * The same, as 0 or -EINVAL with the error that says so in @err.  Enough to
 * open a table that exists: one an older version made as "counter" can
 * still be shown, rolled back and removed.
 */
int fnft_table_name_check(const char *name, struct fnft_error *err);
/*
 * A name to plan a table under: valid and no nft keyword either, so that
 * the export, `nft list ruleset | nft -f -` and `nft delete table inet NAME`
 * all parse (see lib/keyword.c).
 */
int fnft_table_name_check_loadable(const char *name, struct fnft_error *err);

struct fnft_ruleset *fnft_ruleset_new(const char *table, const char *comment);
struct fnft_ir_chain *fnft_ruleset_add_chain(struct fnft_ruleset *rs,
					     const char *name, enum fnft_hook hook,
					     int priority, enum fnft_verdict policy);
/* The set is created empty; the caller fills ->elems. */
struct fnft_ir_set *fnft_ruleset_add_set(struct fnft_ruleset *rs,
					 const char *name, enum fnft_family fam);
const struct fnft_ir_set *fnft_ruleset_find_set(const struct fnft_ruleset *rs,
						const char *name);
void fnft_ruleset_sort_sets(struct fnft_ruleset *rs);
/* Append an object (copies of @name and @desc); 0 or -ENOMEM. */
int fnft_ruleset_add_object(struct fnft_ruleset *rs, enum fnft_ir_kind kind,
			    const char *name, const char *desc);
void fnft_ruleset_sort_objects(struct fnft_ruleset *rs);
/* nft's keyword for @kind: "counter", "ct helper", "flowtable", ... */
const char *fnft_ir_kind_name(enum fnft_ir_kind kind);
/* Whether @rs holds what no plan has: objects, flowtables, odd chains. */
bool fnft_ruleset_has_foreign(const struct fnft_ruleset *rs);
/* Append a copy of @tmpl (deep copy of its pointers). */
int fnft_chain_add_rule(struct fnft_ir_chain *chain,
			const struct fnft_ir_rule *tmpl);
void fnft_rule_clear(struct fnft_ir_rule *rule);

/* ---- comparing: fnft_ruleset_equal() is public ---- */

/*
 * Whether two rules are the same: every field but the live-only ones
 * (handle, counters), as fnft_ruleset_equal() compares them.
 */
bool fnft_rule_equal(const struct fnft_ir_rule *a, const struct fnft_ir_rule *b);
/*
 * A hash of what fnft_ruleset_equal() compares, and nothing else: equal
 * rulesets have the same fingerprint.  State files hold it: a new way of
 * hashing would send every host back to a full dump once.
 */
uint64_t fnft_ruleset_fingerprint(const struct fnft_ruleset *rs);

/* ---- a row rule's counter: lib/counters.c, shared with status ---- */

/* The group of a set "<group>_v4" / "_v6": its length in @set; another
 * name stands whole. */
size_t fnft_set_group_len(const char *set);
/*
 * The group a rule admits: its set's group (*len bytes of the set's
 * name), "any" for a decoded rule with no address match, or NULL (a raw
 * rule, an address match without a set).
 */
const char *fnft_rule_group(const struct fnft_ir_rule *r, size_t *len);
/* INBOUND for a rule of the input hook (or no hook), else OUTBOUND. */
enum fnft_direction fnft_chain_direction(const struct fnft_ir_chain *c);

/* ---- rendering pieces shared by render and diff ---- */

/* The table block "table inet NAME { ... }" in canonical nft syntax. */
int fnft_render_table(const struct fnft_ruleset *rs, struct fnft_buf *b);
/* nft's name of an ICMP or ICMPv6 type, or its number written into @buf. */
const char *fnft_icmp_type_name(enum fnft_l4 l4, uint8_t type, char *buf,
				size_t len);
/* One rule as nft prints it (no indentation, no newline). */
void fnft_render_rule(const struct fnft_ir_rule *rule, struct fnft_buf *b);

#endif
