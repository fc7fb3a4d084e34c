/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernel (fake.h, fake-kernel.h): nf_tables in memory, at the
 * socket.  netlink.c hands over the datagrams it would send (requests and
 * whole batches) and reads back the datagrams the kernel would queue, so
 * the batch writer, the dump parser and the session above them run as
 * they do against Linux.
 *
 * It works on attributes, as the kernel does: an object is kept as the
 * attributes of the NEW* message a dump sends for it (the ones the batch
 * gave, less the batch-only ones: set and rule ids, rule positions; plus
 * the handle the fake assigns), and a dump sends those back.  A batch is
 * one transaction: it is applied to a copy of the ruleset, which replaces
 * the ruleset only when every message was taken and the commit did not
 * fail; the generation then moves on by one.
 *
 * Modelled as the kernel does it: the batch's generation guard (ERESTART
 * on its begin), create and exclusive flags (EEXIST), missing tables,
 * chains, sets, rules and elements (ENOENT), DELTABLE with everything in
 * it, table flag updates, chain policy updates, anonymous set names
 * ("__set%d" -> "__set0"...) and their lifetime (deleted with the rule
 * that binds them), set and rule references by id within the batch,
 * rule positions, handles from one counter per table, rule and set
 * flushes, a NEWSET without an id (EINVAL), NEWRULE without NLM_F_CREATE
 * (EINVAL), overlapping intervals (EEXIST, for the message), the owner
 * flag (the creating socket's alone; gone with it), acks for NLM_F_ACK.
 *
 * Not modelled: packets (counters never advance, no quota or limit
 * state), expressions beyond what libnftnl parses (any it parses is
 * taken, whatever its registers), overlaps of concatenated intervals,
 * set sizes, timeouts, element updates (an existing element is kept as
 * it was), DELCHAIN, DELSET, DELOBJ, DELFLOWTABLE and replacing a rule by
 * handle (EOPNOTSUPP with a text saying so), more than the first refusal
 * of a batch (the kernel may send one per message; the first is the one
 * that counts), dump interruption.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <finesse-nft/fake.h>

#include "fake-kernel.h"
#include "internal.h"

/* Reply datagrams are cut at this size, well under netlink.c's buffer. */
#define DGRAM_MAX 32768
/* Element messages of a dump: about this many bytes of elements each. */
#define ELEMS_MSG 8192
#define NAME_MAX_LEN 256
/* The netlink type of nf_tables message @msg. */
#define NFT_TYPE(msg) ((uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | (msg)))
#define KEY_MAX 64

struct bytes {
	uint8_t *p;
	size_t len, cap;
};

struct elem {
	uint8_t key[KEY_MAX];
	uint8_t klen;
	bool end;		/* NFT_SET_ELEM_INTERVAL_END */
	uint8_t *a;		/* the NFTA_LIST_ELEM nest's payload */
	uint16_t alen;
};

/* A set's elements, sorted by (key, end); shared between the ruleset and
 * a transaction's copy until one of them writes. */
struct elems {
	int ref;
	struct elem *v;
	size_t n, cap;
};

struct fset {
	char *name;
	uint32_t id;		/* NFTA_SET_ID of this batch, 0 when older */
	uint32_t flags;
	bool bound;		/* an anonymous set some rule uses */
	uint64_t handle;
	struct bytes b;
	struct elems *e;
};

struct frule {
	char *chain;
	char *row;		/* the comment, for faults; NULL */
	uint64_t handle;
	struct bytes b;
	char **anon;		/* the anonymous sets it binds */
	size_t n_anon;
};

/* chains, stateful objects, flowtables */
struct fobj {
	char *name;
	uint32_t type;		/* objects: NFT_OBJECT_* */
	uint64_t handle;
	struct bytes b;
};

struct ftable {
	uint8_t family;
	char *name;
	uint32_t flags;
	uint32_t owner;		/* NFT_TABLE_F_OWNER: the socket's port id */
	uint64_t handle, hgen;
	struct bytes b;
	struct fobj *chains, *objs, *flows;
	size_t n_chains, n_objs, n_flows;
	struct fset *sets;
	size_t n_sets;
	struct frule *rules;	/* each chain's in its order, chains mixed */
	size_t n_rules;
};

struct ruleset {
	struct ftable *v;
	size_t n;
};

struct dgram {
	uint8_t *p;
	size_t len;
};

/* The kernel of one fake namespace, shared by the sockets on it. */
struct fake_ns {
	int ref;
	struct ruleset rs;
	uint32_t genid;
	uint64_t table_handles;
	uint64_t cookie;
	unsigned commits;
	uint32_t portids;		/* the last one given */
	/* faults for the next batch, whoever sends it */
	int fail_commit;		/* negative errno */
	bool race;
	char *refuse_name;
	int refuse_error;
};

/* One socket on it. */
struct fnft_fake {
	struct fake_ns *ns;
	uint32_t portid;
	/* replies not yet read, and the one being written */
	struct dgram *q;
	size_t q_head, q_n, q_cap;
	struct bytes out;
	bool oom;
};

/* ---- bytes and attributes ---- */

static int bytes_put(struct bytes *b, const void *p, size_t len)
{
	if (fnft_grow(&b->p, &b->cap, b->len + len, 1) < 0)
		return -ENOMEM;
	if (len)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	return 0;
}

static int bytes_attr(struct bytes *b, uint16_t type, const void *p, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	static const uint8_t pad[NLA_ALIGNTO];

	if (NLA_HDRLEN + len > UINT16_MAX)
		return -EMSGSIZE;
	if (bytes_put(b, &a, sizeof(a)) || bytes_put(b, p, len) ||
	    bytes_put(b, pad, NLA_ALIGN(len) - len))
		return -ENOMEM;
	return 0;
}

static int bytes_attr_raw(struct bytes *b, const struct nlattr *a)
{
	return bytes_put(b, a, NLA_ALIGN(a->nla_len));
}

static int bytes_be32(struct bytes *b, uint16_t type, uint32_t v)
{
	v = htonl(v);
	return bytes_attr(b, type, &v, sizeof(v));
}

static int bytes_be64(struct bytes *b, uint16_t type, uint64_t v)
{
	v = htobe64(v);
	return bytes_attr(b, type, &v, sizeof(v));
}

static int bytes_dup(struct bytes *to, const struct bytes *from)
{
	*to = (struct bytes){ 0 };
	return bytes_put(to, from->p, from->len);
}

#define ATTR_MAX 32

/* The attributes after the nfgenmsg of @nlh by type; later ones win. */
static void attrs_of(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct nlattr *a;

	memset(tb, 0, ATTR_MAX * sizeof(*tb));
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) < ATTR_MAX)
			tb[mnl_attr_get_type(a)] = a;
}

static void nested_of(const struct nlattr *nest, const struct nlattr **tb)
{
	const struct nlattr *a;

	memset(tb, 0, ATTR_MAX * sizeof(*tb));
	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) < ATTR_MAX)
			tb[mnl_attr_get_type(a)] = a;
}

/* A string attribute, or NULL when missing or not NUL-terminated. */
static const char *str_of(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_get_payload_len(a) > NAME_MAX_LEN)
		return NULL;
	return mnl_attr_get_str(a);
}

static bool be32_of(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*v = ntohl(mnl_attr_get_u32(a));
	return true;
}

static bool be64_of(const struct nlattr *a, uint64_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return false;
	*v = be64toh(mnl_attr_get_u64(a));
	return true;
}

/* @nlh's attributes into @b, less those in @drop (a 0-ended list). */
static int copy_attrs(struct bytes *b, const struct nlmsghdr *nlh,
		      const uint16_t *drop)
{
	const struct nlattr *a;
	size_t i;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		for (i = 0; drop[i] && drop[i] != mnl_attr_get_type(a); i++)
			;
		if (!drop[i] && bytes_attr_raw(b, a))
			return -ENOMEM;
	}
	return 0;
}

/* ---- the ruleset ---- */

static void elems_unref(struct elems *e)
{
	size_t i;

	if (!e || --e->ref > 0)
		return;
	for (i = 0; i < e->n; i++)
		free(e->v[i].a);
	free(e->v);
	free(e);
}

static void fobj_free(struct fobj *o)
{
	free(o->name);
	free(o->b.p);
}

static void fset_free(struct fset *s)
{
	free(s->name);
	free(s->b.p);
	elems_unref(s->e);
}

static void frule_free(struct frule *r)
{
	size_t i;

	free(r->chain);
	free(r->row);
	free(r->b.p);
	for (i = 0; i < r->n_anon; i++)
		free(r->anon[i]);
	free(r->anon);
}

static void ftable_free(struct ftable *t)
{
	size_t i;

	free(t->name);
	free(t->b.p);
	for (i = 0; i < t->n_chains; i++)
		fobj_free(&t->chains[i]);
	for (i = 0; i < t->n_objs; i++)
		fobj_free(&t->objs[i]);
	for (i = 0; i < t->n_flows; i++)
		fobj_free(&t->flows[i]);
	for (i = 0; i < t->n_sets; i++)
		fset_free(&t->sets[i]);
	for (i = 0; i < t->n_rules; i++)
		frule_free(&t->rules[i]);
	free(t->chains);
	free(t->objs);
	free(t->flows);
	free(t->sets);
	free(t->rules);
}

static void ruleset_clear(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		ftable_free(&rs->v[i]);
	free(rs->v);
	*rs = (struct ruleset){ 0 };
}

static int fobjs_dup(struct fobj **to, const struct fobj *from, size_t n)
{
	size_t i;

	*to = calloc(n ? n : 1, sizeof(**to));
	if (!*to)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		(*to)[i] = from[i];
		(*to)[i].name = NULL;
		(*to)[i].b = (struct bytes){ 0 };
		if (!((*to)[i].name = fnft_strdup(from[i].name)) ||
		    bytes_dup(&(*to)[i].b, &from[i].b))
			return -ENOMEM;
	}
	return 0;
}

static int ftable_dup(struct ftable *to, const struct ftable *from)
{
	size_t i, j;

	*to = *from;
	to->name = NULL;
	to->b = (struct bytes){ 0 };
	to->chains = to->objs = to->flows = NULL;
	to->sets = NULL;
	to->rules = NULL;
	if (!(to->name = fnft_strdup(from->name)) || bytes_dup(&to->b, &from->b) ||
	    fobjs_dup(&to->chains, from->chains, from->n_chains) ||
	    fobjs_dup(&to->objs, from->objs, from->n_objs) ||
	    fobjs_dup(&to->flows, from->flows, from->n_flows) ||
	    !(to->sets = calloc(from->n_sets + 1, sizeof(*to->sets))) ||
	    !(to->rules = calloc(from->n_rules + 1, sizeof(*to->rules))))
		return -ENOMEM;
	for (i = 0; i < from->n_sets; i++) {
		struct fset *s = &to->sets[i];

		*s = from->sets[i];
		s->name = NULL;
		s->b = (struct bytes){ 0 };
		s->e->ref++;
		s->id = 0;	/* ids live for one batch */
		if (!(s->name = fnft_strdup(from->sets[i].name)) ||
		    bytes_dup(&s->b, &from->sets[i].b))
			return -ENOMEM;
	}
	for (i = 0; i < from->n_rules; i++) {
		const struct frule *f = &from->rules[i];
		struct frule *r = &to->rules[i];

		*r = (struct frule){ .handle = f->handle, .n_anon = f->n_anon };
		if (!(r->chain = fnft_strdup(f->chain)) ||
		    (f->row && !(r->row = fnft_strdup(f->row))) ||
		    bytes_dup(&r->b, &f->b) ||
		    !(r->anon = calloc(f->n_anon + 1, sizeof(*r->anon))))
			return -ENOMEM;
		for (j = 0; j < f->n_anon; j++)
			if (!(r->anon[j] = fnft_strdup(f->anon[j])))
				return -ENOMEM;
	}
	return 0;
}

/* @to becomes a copy of @from (elements shared until written). */
static int ruleset_dup(struct ruleset *to, const struct ruleset *from)
{
	size_t i;

	*to = (struct ruleset){ 0 };
	if (!(to->v = calloc(from->n + 1, sizeof(*to->v))))
		return -ENOMEM;
	for (i = 0; i < from->n; i++) {
		to->n++;
		if (ftable_dup(&to->v[i], &from->v[i])) {
			ruleset_clear(to);
			return -ENOMEM;
		}
	}
	return 0;
}

static struct ftable *table_find(struct ruleset *rs, uint8_t family,
				 const char *name)
{
	size_t i;

	for (i = 0; name && i < rs->n; i++)
		if (rs->v[i].family == family && streq(rs->v[i].name, name))
			return &rs->v[i];
	return NULL;
}

static struct fobj *fobj_find(struct fobj *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (streq(v[i].name, name))
			return &v[i];
	return NULL;
}

static struct fset *set_find(struct ftable *t, const char *name)
{
	size_t i;

	for (i = 0; name && i < t->n_sets; i++)
		if (streq(t->sets[i].name, name))
			return &t->sets[i];
	return NULL;
}

static struct fset *set_find_id(struct ftable *t, uint32_t id)
{
	size_t i;

	for (i = 0; id && i < t->n_sets; i++)
		if (t->sets[i].id == id)
			return &t->sets[i];
	return NULL;
}

/* A set a message refers to: by name, else by an id of this batch, as the
 * kernel looks (an anonymous set's "__set%d" finds none by name). */
static struct fset *set_ref(struct ftable *t, const struct nlattr *name,
			    const struct nlattr *id)
{
	struct fset *s = set_find(t, str_of(name));
	uint32_t v;

	if (!s && be32_of(id, &v))
		s = set_find_id(t, v);
	return s;
}

static void set_delete(struct ftable *t, const char *name)
{
	struct fset *s = set_find(t, name);

	if (!s)
		return;
	fset_free(s);
	memmove(s, s + 1, (size_t)(t->sets + t->n_sets - (s + 1)) * sizeof(*s));
	t->n_sets--;
}

static void rule_delete(struct ftable *t, size_t i)
{
	struct frule *r = &t->rules[i];
	size_t j;

	/* an anonymous set lives as long as the rule bound to it */
	for (j = 0; j < r->n_anon; j++)
		set_delete(t, r->anon[j]);
	frule_free(r);
	memmove(r, r + 1, (t->n_rules - i - 1) * sizeof(*r));
	t->n_rules--;
}

/* ---- the messages of a batch ---- */

/* What one refused message says: the errno and an optional text. */
struct refusal {
	int error;
	const char *text;
};

static int refuse(struct refusal *why, int error, const char *text)
{
	why->error = error;
	why->text = text;
	return error;
}

static int table_blob(struct ftable *t, const struct nlmsghdr *nlh)
{
	static const uint16_t drop[] = { NFTA_TABLE_HANDLE, NFTA_TABLE_USE,
		NFTA_TABLE_FLAGS, NFTA_TABLE_OWNER, 0 };
	struct bytes b = { 0 };
	int rc;

	rc = copy_attrs(&b, nlh, drop);
	if (!rc)
		rc = bytes_be32(&b, NFTA_TABLE_FLAGS, t->flags);
	if (!rc)
		rc = bytes_be64(&b, NFTA_TABLE_HANDLE, t->handle);
	if (!rc && (t->flags & NFT_TABLE_F_OWNER))
		rc = bytes_be32(&b, NFTA_TABLE_OWNER, t->owner);
	if (rc) {
		free(b.p);
		return rc;
	}
	free(t->b.p);
	t->b = b;
	return 0;
}

/* A stored blob back in a message header, for rebuilding it. */
static struct nlmsghdr *as_msg(struct bytes *scratch, const struct bytes *b)
{
	struct nlmsghdr *nlh;

	scratch->len = 0;
	if (fnft_grow(&scratch->p, &scratch->cap,
		      NLMSG_HDRLEN + sizeof(struct nfgenmsg) + b->len, 1) < 0)
		return NULL;
	memset(scratch->p, 0, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	memcpy(scratch->p + NLMSG_HDRLEN + sizeof(struct nfgenmsg), b->p, b->len);
	nlh = (struct nlmsghdr *)scratch->p;
	nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + sizeof(struct nfgenmsg) + b->len);
	return nlh;
}

struct txn {
	struct fnft_fake *f;
	struct ruleset rs;
	struct bytes scratch;
};

/* A table with the owner flag is its socket's alone to change. */
static bool foreign(const struct txn *x, const struct ftable *t)
{
	return t && (t->flags & NFT_TABLE_F_OWNER) &&
	       t->owner != fnft_fake_portid(x->f);
}

static int msg_table(struct txn *x, const struct nlmsghdr *nlh, uint8_t family,
		     bool del, struct refusal *why)
{
	const struct nlattr *tb[ATTR_MAX];
	const char *name;
	struct ftable *t;
	uint32_t flags;
	size_t i;

	attrs_of(nlh, tb);
	name = str_of(tb[NFTA_TABLE_NAME]);
	t = table_find(&x->rs, family, name);
	if (foreign(x, t))
		return refuse(why, -EPERM, NULL);
	if (del) {
		if (!t)
			return refuse(why, -ENOENT, NULL);
		i = (size_t)(t - x->rs.v);
		ftable_free(t);
		memmove(t, t + 1, (x->rs.n - i - 1) * sizeof(*t));
		x->rs.n--;
		return 0;
	}
	if (!name)
		return refuse(why, -EINVAL, NULL);
	if (t) {
		if (nlh->nlmsg_flags & NLM_F_EXCL)
			return refuse(why, -EEXIST, NULL);
		if (nlh->nlmsg_flags & NLM_F_REPLACE)
			return refuse(why, -EOPNOTSUPP, NULL);
		if (!be32_of(tb[NFTA_TABLE_FLAGS], &flags) || flags == t->flags)
			return 0;
		if (flags & ~(uint32_t)(NFT_TABLE_F_DORMANT | NFT_TABLE_F_OWNER))
			return refuse(why, -EOPNOTSUPP, NULL);
		/* the owner flag cannot be taken or given later */
		if ((flags ^ t->flags) & NFT_TABLE_F_OWNER)
			return refuse(why, -EOPNOTSUPP, NULL);
		t->flags = flags;
		if (!as_msg(&x->scratch, &t->b))
			return refuse(why, -ENOMEM, NULL);
		return table_blob(t, (const struct nlmsghdr *)x->scratch.p) ?
			refuse(why, -ENOMEM, NULL) : 0;
	}
	if (fnft_grow(&x->rs.v, &(size_t){ x->rs.n }, x->rs.n + 1, sizeof(*t)) < 0)
		return refuse(why, -ENOMEM, NULL);
	t = &x->rs.v[x->rs.n];
	*t = (struct ftable){ .family = family, .handle = ++x->f->ns->table_handles };
	if (be32_of(tb[NFTA_TABLE_FLAGS], &flags))
		t->flags = flags;
	if (t->flags & ~(uint32_t)(NFT_TABLE_F_DORMANT | NFT_TABLE_F_OWNER))
		return refuse(why, -EOPNOTSUPP, NULL);
	t->owner = fnft_fake_portid(x->f);
	if (!(t->name = fnft_strdup(name)) || table_blob(t, nlh)) {
		ftable_free(t);
		return refuse(why, -ENOMEM, NULL);
	}
	x->rs.n++;
	return 0;
}

/* The table a message names by attribute @attr, or a refusal. */
static struct ftable *table_of(struct txn *x, const struct nlattr *a,
			       uint8_t family, struct refusal *why)
{
	struct ftable *t = table_find(&x->rs, family, str_of(a));

	if (!t) {
		refuse(why, a ? -ENOENT : -EINVAL, NULL);
		return NULL;
	}
	if (foreign(x, t)) {
		refuse(why, -EPERM, NULL);
		return NULL;
	}
	return t;
}

static int push_fobj(struct fobj **v, size_t *n, struct fobj *o)
{
	size_t cap = *n;

	if (fnft_grow(v, &cap, *n + 1, sizeof(**v)) < 0)
		return -ENOMEM;
	(*v)[(*n)++] = *o;
	return 0;
}

/* A new object's blob: the message's attributes less @drop, its handle. */
static int new_blob(struct bytes *b, const struct nlmsghdr *nlh,
		    const uint16_t *drop, uint16_t handle_attr, uint64_t handle)
{
	*b = (struct bytes){ 0 };
	if (copy_attrs(b, nlh, drop) || bytes_be64(b, handle_attr, handle)) {
		free(b->p);
		return -ENOMEM;
	}
	return 0;
}

static bool same_attr(const struct nlattr *a, const struct nlattr *b)
{
	return a && b && a->nla_len == b->nla_len &&
	       memcmp(a, b, a->nla_len) == 0;
}

/* Whether a message's attribute @type, if it has one, differs from the
 * object's. */
static bool changes(const struct nlattr **tb, const struct nlattr **old,
		    uint16_t type)
{
	return tb[type] && !same_attr(tb[type], old[type]);
}

static int msg_chain(struct txn *x, const struct nlmsghdr *nlh, uint8_t family,
		     struct refusal *why)
{
	static const uint16_t drop[] = { NFTA_CHAIN_HANDLE, NFTA_CHAIN_ID,
		NFTA_CHAIN_USE, NFTA_CHAIN_FLAGS, 0 };
	const struct nlattr *tb[ATTR_MAX], *old[ATTR_MAX];
	uint32_t flags = 0;
	struct ftable *t;
	const char *name;
	struct fobj *c, o = { 0 };
	struct bytes b = { 0 };
	int rc;

	attrs_of(nlh, tb);
	if (!(t = table_of(x, tb[NFTA_CHAIN_TABLE], family, why)))
		return why->error;
	if (!(name = str_of(tb[NFTA_CHAIN_NAME])))
		return refuse(why, -EINVAL, NULL);
	if ((c = fobj_find(t->chains, t->n_chains, name))) {
		const struct nlmsghdr *m;

		if (nlh->nlmsg_flags & NLM_F_EXCL)
			return refuse(why, -EEXIST, NULL);
		if (nlh->nlmsg_flags & NLM_F_REPLACE)
			return refuse(why, -EOPNOTSUPP, NULL);
		if (!(m = as_msg(&x->scratch, &c->b)))
			return refuse(why, -ENOMEM, NULL);
		attrs_of(m, old);
		/* an update: the policy; the hook and type stay */
		if (changes(tb, old, NFTA_CHAIN_HOOK) ||
		    changes(tb, old, NFTA_CHAIN_TYPE))
			return refuse(why, -EEXIST, NULL);
		if (!tb[NFTA_CHAIN_POLICY])
			return 0;
		if (!old[NFTA_CHAIN_HOOK])
			return refuse(why, -EOPNOTSUPP, NULL);
		rc = copy_attrs(&b, m, (const uint16_t[]){ NFTA_CHAIN_POLICY, 0 });
		if (!rc)
			rc = bytes_attr_raw(&b, tb[NFTA_CHAIN_POLICY]);
		if (rc) {
			free(b.p);
			return refuse(why, -ENOMEM, NULL);
		}
		free(c->b.p);
		c->b = b;
		return 0;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CREATE))
		return refuse(why, -ENOENT, NULL);
	if (tb[NFTA_CHAIN_FLAGS] && !be32_of(tb[NFTA_CHAIN_FLAGS], &flags))
		return refuse(why, -EINVAL, NULL);
	if (flags & ~(uint32_t)(NFT_CHAIN_BASE | NFT_CHAIN_HW_OFFLOAD | NFT_CHAIN_BINDING))
		return refuse(why, -EOPNOTSUPP, NULL);
	/* the kernel says which chains are base chains */
	if (tb[NFTA_CHAIN_HOOK])
		flags |= NFT_CHAIN_BASE;
	o.handle = ++t->hgen;
	if (!(o.name = fnft_strdup(name)) ||
	    new_blob(&o.b, nlh, drop, NFTA_CHAIN_HANDLE, o.handle) ||
	    (flags && bytes_be32(&o.b, NFTA_CHAIN_FLAGS, flags)) ||
	    push_fobj(&t->chains, &t->n_chains, &o)) {
		fobj_free(&o);
		return refuse(why, -ENOMEM, NULL);
	}
	return 0;
}

/* "__set%d" -> the lowest "__setN" the table does not have; NULL for a
 * pattern with another '%' in it. */
static char *anon_name(struct ftable *t, const char *pattern)
{
	const char *pc = strstr(pattern, "%d");
	char buf[NAME_MAX_LEN + 16];
	unsigned n;

	if (!pc || strchr(pc + 2, '%') || strchr(pattern, '%') != pc)
		return NULL;
	for (n = 0; n < 1u << 20; n++) {
		snprintf(buf, sizeof(buf), "%.*s%u%s", (int)(pc - pattern),
			 pattern, n, pc + 2);
		if (!set_find(t, buf))
			return fnft_strdup(buf);
	}
	return NULL;
}

static int msg_set(struct txn *x, const struct nlmsghdr *nlh, uint8_t family,
		   struct refusal *why)
{
	static const uint16_t drop[] = { NFTA_SET_HANDLE, NFTA_SET_ID,
		NFTA_SET_NAME, 0 };
	const struct nlattr *tb[ATTR_MAX], *old[ATTR_MAX];
	struct fset s = { 0 }, *e;
	struct ftable *t;
	const char *name;
	uint32_t id;
	size_t cap;

	attrs_of(nlh, tb);
	if (!(t = table_of(x, tb[NFTA_SET_TABLE], family, why)))
		return why->error;
	if (!(name = str_of(tb[NFTA_SET_NAME])) || !be32_of(tb[NFTA_SET_ID], &id))
		return refuse(why, -EINVAL, NULL);
	be32_of(tb[NFTA_SET_FLAGS], &s.flags);
	if ((e = set_find(t, name))) {
		const struct nlmsghdr *m;
		static const int same[] = { NFTA_SET_FLAGS, NFTA_SET_KEY_TYPE,
			NFTA_SET_KEY_LEN, NFTA_SET_DATA_TYPE, NFTA_SET_DATA_LEN };
		size_t i;

		if (nlh->nlmsg_flags & NLM_F_EXCL)
			return refuse(why, -EEXIST, NULL);
		if (!(m = as_msg(&x->scratch, &e->b)))
			return refuse(why, -ENOMEM, NULL);
		attrs_of(m, old);
		for (i = 0; i < ARRAY_SIZE(same); i++)
			if ((tb[same[i]] || old[same[i]]) &&
			    !same_attr(tb[same[i]], old[same[i]]))
				return refuse(why, -EEXIST, "a set of this name and other properties exists");
		return 0;	/* left be, its id not taken */
	}
	if (!(nlh->nlmsg_flags & NLM_F_CREATE))
		return refuse(why, -ENOENT, NULL);
	s.id = id;
	s.handle = ++t->hgen;
	/* any set's name may be a pattern ("__set%d"); the kernel fills in
	 * the lowest free number */
	s.name = strchr(name, '%') ? anon_name(t, name) : fnft_strdup(name);
	if (!s.name)
		return refuse(why, strchr(name, '%') ? -EINVAL : -ENOMEM, NULL);
	if ((s.e = calloc(1, sizeof(*s.e))))
		s.e->ref = 1;
	if (!s.e || bytes_attr(&s.b, NFTA_SET_NAME, s.name, strlen(s.name) + 1) ||
	    copy_attrs(&s.b, nlh, drop) ||
	    bytes_be64(&s.b, NFTA_SET_HANDLE, s.handle)) {
		fset_free(&s);
		return refuse(why, -ENOMEM, NULL);
	}
	cap = t->n_sets;
	if (fnft_grow(&t->sets, &cap, t->n_sets + 1, sizeof(s)) < 0) {
		fset_free(&s);
		return refuse(why, -ENOMEM, NULL);
	}
	t->sets[t->n_sets++] = s;
	return 0;
}

/* The set's elements, its own to write. */
static struct elems *elems_own(struct fset *s)
{
	struct elems *e;
	size_t i;

	if (s->e->ref == 1)
		return s->e;
	if (!(e = calloc(1, sizeof(*e))) ||
	    !(e->v = calloc(s->e->n + 1, sizeof(*e->v)))) {
		free(e);
		return NULL;
	}
	e->ref = 1;
	e->cap = s->e->n + 1;
	for (i = 0; i < s->e->n; i++) {
		e->v[i] = s->e->v[i];
		if (!(e->v[i].a = malloc(s->e->v[i].alen ? s->e->v[i].alen : 1))) {
			e->n = i;
			elems_unref(e);
			return NULL;
		}
		memcpy(e->v[i].a, s->e->v[i].a, s->e->v[i].alen);
	}
	e->n = s->e->n;
	s->e->ref--;
	s->e = e;
	return e;
}

static int elem_cmp(const struct elem *a, const struct elem *b)
{
	int c;

	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	if ((c = memcmp(a->key, b->key, a->klen)))
		return c;
	return (int)a->end - (int)b->end;
}

/* Where @k is in @e, or would go: *found says which. */
static size_t elem_pos(const struct elems *e, const struct elem *k, bool *found)
{
	size_t lo = 0, hi = e->n;

	/* the batch brings them sorted: the end is the likely place */
	*found = false;
	if (e->n && elem_cmp(&e->v[e->n - 1], k) < 0)
		return e->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = elem_cmp(&e->v[mid], k);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The key and flags of one NFTA_LIST_ELEM nest. */
static int elem_parse(const struct nlattr *nest, struct elem *out)
{
	const struct nlattr *tb[ATTR_MAX], *v;
	uint32_t flags = 0;

	memset(out, 0, sizeof(*out));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	nested_of(nest, tb);
	if (tb[NFTA_SET_ELEM_FLAGS] && !be32_of(tb[NFTA_SET_ELEM_FLAGS], &flags))
		return -EINVAL;
	out->end = flags & NFT_SET_ELEM_INTERVAL_END;
	if (!tb[NFTA_SET_ELEM_KEY] ||
	    mnl_attr_validate(tb[NFTA_SET_ELEM_KEY], MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	nested_of(tb[NFTA_SET_ELEM_KEY], tb);
	v = tb[NFTA_DATA_VALUE];
	if (!v || !mnl_attr_get_payload_len(v) ||
	    mnl_attr_get_payload_len(v) > KEY_MAX)
		return -EINVAL;
	out->klen = (uint8_t)mnl_attr_get_payload_len(v);
	memcpy(out->key, mnl_attr_get_payload(v), out->klen);
	return 0;
}

/*
 * Whether the intervals of @e overlap: ascending, a start must follow an
 * end (or come first) and an end a start, where an end and a start of
 * one key are two adjacent intervals.  An end with nothing open is
 * nft's leading end at 0 only; a start left open runs to the top.  The
 * kernel refuses the element that makes an overlap (EEXIST); the fake
 * refuses the message, looking once it is in.
 */
static bool overlaps(const struct elems *e)
{
	static const uint8_t zero[KEY_MAX];
	bool open = false;
	size_t i = 0;

	while (i < e->n) {
		const struct elem *k = &e->v[i];
		bool start = false, end = false;

		/* sorted by key, then start before end */
		for (; i < e->n && e->v[i].klen == k->klen &&
		       !memcmp(e->v[i].key, k->key, k->klen); i++)
			*(e->v[i].end ? &end : &start) = true;
		if (end) {
			if (!open && memcmp(k->key, zero, k->klen))
				return true;
			open = false;
		}
		if (start) {
			if (open)
				return true;
			open = true;
		}
	}
	return false;
}

static int msg_elems(struct txn *x, const struct nlmsghdr *nlh, uint8_t family,
		     bool del, struct refusal *why)
{
	const struct nlattr *tb[ATTR_MAX], *a;
	struct ftable *t;
	struct fset *s;
	struct elems *e;

	attrs_of(nlh, tb);
	if (!(t = table_of(x, tb[NFTA_SET_ELEM_LIST_TABLE], family, why)))
		return why->error;
	s = set_ref(t, tb[NFTA_SET_ELEM_LIST_SET], tb[NFTA_SET_ELEM_LIST_SET_ID]);
	if (!s)
		return refuse(why, -ENOENT, NULL);
	if (!(e = elems_own(s)))
		return refuse(why, -ENOMEM, NULL);
	if (!tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
		size_t i;

		if (!del)
			return 0;
		for (i = 0; i < e->n; i++)	/* a flush */
			free(e->v[i].a);
		e->n = 0;
		return 0;
	}
	if (mnl_attr_validate(tb[NFTA_SET_ELEM_LIST_ELEMENTS], MNL_TYPE_NESTED) < 0)
		return refuse(why, -EINVAL, NULL);
	mnl_attr_for_each_nested(a, tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
		struct elem k;
		bool found;
		size_t at;

		if (elem_parse(a, &k) < 0)
			return refuse(why, -EINVAL, NULL);
		at = elem_pos(e, &k, &found);
		if (del) {
			if (!found)
				return refuse(why, -ENOENT, NULL);
			free(e->v[at].a);
			memmove(&e->v[at], &e->v[at + 1], (e->n - at - 1) * sizeof(k));
			e->n--;
			continue;
		}
		if (found) {
			if (nlh->nlmsg_flags & NLM_F_EXCL)
				return refuse(why, -EEXIST, NULL);
			continue;
		}
		k.alen = (uint16_t)mnl_attr_get_payload_len(a);
		if (!(k.a = malloc(k.alen ? k.alen : 1)) ||
		    fnft_grow(&e->v, &e->cap, e->n + 1, sizeof(k)) < 0) {
			free(k.a);
			return refuse(why, -ENOMEM, NULL);
		}
		memcpy(k.a, mnl_attr_get_payload(a), k.alen);
		memmove(&e->v[at + 1], &e->v[at], (e->n - at) * sizeof(k));
		e->v[at] = k;
		e->n++;
	}
	if (!del && (s->flags & NFT_SET_INTERVAL) && !(s->flags & NFT_SET_CONCAT) &&
	    overlaps(e))
		return refuse(why, -EEXIST, NULL);
	return 0;
}

/* The rule's comment (userdata TLV type 0), for naming it in faults. */
static char *rule_row(const struct nlattr *ud)
{
	const uint8_t *p, *end;

	if (!ud)
		return NULL;
	p = mnl_attr_get_payload(ud);
	end = p + mnl_attr_get_payload_len(ud);
	while (p + 2 <= end && p + 2 + p[1] <= end) {
		if (p[0] == 0 && p[1] && memchr(p + 2, '\0', p[1]))
			return fnft_strdup((const char *)p + 2);
		p += 2 + p[1];
	}
	return NULL;
}

/*
 * One expression into @b, its set reference (lookup, dynset, objref) by
 * name, not id, as the kernel dumps it; anonymous sets it uses are bound
 * to @r.
 */
static int expr_put(struct ftable *t, struct frule *r, struct bytes *b,
		    const struct nlattr *elem, struct refusal *why)
{
	const struct nlattr *tb[ATTR_MAX], *a, *edata;
	const char *name;
	uint16_t set_attr, id_attr;
	struct bytes data = { 0 }, out = { 0 };
	struct fset *s = NULL;
	char **anon;
	int rc = 0;

	nested_of(elem, tb);
	name = str_of(tb[NFTA_EXPR_NAME]);
	if (!name || !tb[NFTA_EXPR_DATA])
		return bytes_attr_raw(b, elem) ? refuse(why, -ENOMEM, NULL) : 0;
	if (streq(name, "lookup"))
		set_attr = NFTA_LOOKUP_SET, id_attr = NFTA_LOOKUP_SET_ID;
	else if (streq(name, "dynset"))
		set_attr = NFTA_DYNSET_SET_NAME, id_attr = NFTA_DYNSET_SET_ID;
	else if (streq(name, "objref"))
		set_attr = NFTA_OBJREF_SET_NAME, id_attr = NFTA_OBJREF_SET_ID;
	else
		return bytes_attr_raw(b, elem) ? refuse(why, -ENOMEM, NULL) : 0;
	edata = tb[NFTA_EXPR_DATA];
	nested_of(edata, tb);
	s = set_ref(t, tb[set_attr], tb[id_attr]);
	if (!s && (tb[set_attr] || tb[id_attr]))
		return refuse(why, -ENOENT, NULL);
	if (!s)		/* an objref by name: nothing to resolve */
		return bytes_attr_raw(b, elem) ? refuse(why, -ENOMEM, NULL) : 0;
	mnl_attr_for_each_nested(a, edata) {
		uint16_t type = mnl_attr_get_type(a);

		if (type == set_attr)
			rc = bytes_attr(&data, type, s->name, strlen(s->name) + 1);
		else if (type != id_attr)
			rc = bytes_attr_raw(&data, a);
		if (rc)
			break;
	}
	if (!rc && !(rc = bytes_attr(&out, NFTA_EXPR_NAME, name, strlen(name) + 1)))
		rc = bytes_attr(&out, NFTA_EXPR_DATA | NLA_F_NESTED, data.p, data.len);
	if (!rc)
		rc = bytes_attr(b, mnl_attr_get_type(elem) | NLA_F_NESTED, out.p, out.len);
	free(data.p);
	free(out.p);
	if (rc)
		return refuse(why, rc, NULL);
	if (s->flags & NFT_SET_ANONYMOUS) {
		if (s->bound)
			return refuse(why, -EBUSY, NULL);
		if (!(anon = realloc(r->anon, (r->n_anon + 1) * sizeof(*anon))))
			return refuse(why, -ENOMEM, NULL);
		r->anon = anon;
		if (!(r->anon[r->n_anon] = fnft_strdup(s->name)))
			return refuse(why, -ENOMEM, NULL);
		r->n_anon++;
		s->bound = true;
	}
	return 0;
}

/* The rule's blob: its attributes, expressions resolved, its handle. */
static int rule_blob(struct ftable *t, struct frule *r, const struct nlmsghdr *nlh,
		     struct refusal *why)
{
	const struct nlattr *a, *e;
	struct bytes ex = { 0 };
	int rc = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_RULE_HANDLE:
		case NFTA_RULE_POSITION:
		case NFTA_RULE_ID:
		case NFTA_RULE_POSITION_ID:
			continue;
		case NFTA_RULE_EXPRESSIONS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return refuse(why, -EINVAL, NULL);
			ex.len = 0;
			mnl_attr_for_each_nested(e, a)
				if ((rc = expr_put(t, r, &ex, e, why)))
					break;
			if (!rc && bytes_attr(&r->b, NFTA_RULE_EXPRESSIONS | NLA_F_NESTED,
					      ex.p, ex.len))
				rc = refuse(why, -ENOMEM, NULL);
			break;
		default:
			if (bytes_attr_raw(&r->b, a))
				rc = refuse(why, -ENOMEM, NULL);
		}
		if (rc)
			break;
	}
	free(ex.p);
	if (!rc && bytes_be64(&r->b, NFTA_RULE_HANDLE, r->handle))
		rc = refuse(why, -ENOMEM, NULL);
	return rc;
}

/* Index of the rule with @handle in chain @chain, or of none (-1). */
static ssize_t rule_find(const struct ftable *t, const char *chain, uint64_t handle)
{
	size_t i;

	for (i = 0; i < t->n_rules; i++)
		if (t->rules[i].handle == handle &&
		    (!chain || streq(t->rules[i].chain, chain)))
			return (ssize_t)i;
	return -1;
}

static int msg_rule(struct txn *x, const struct nlmsghdr *nlh, uint8_t family,
		    struct refusal *why)
{
	const struct nlattr *tb[ATTR_MAX];
	struct nftnl_rule *check;
	struct frule r = { 0 };
	struct ftable *t;
	const char *chain;
	uint64_t pos;
	size_t at, i, cap;
	bool has_pos;
	int rc;

	attrs_of(nlh, tb);
	if (!(t = table_of(x, tb[NFTA_RULE_TABLE], family, why)))
		return why->error;
	if (!(chain = str_of(tb[NFTA_RULE_CHAIN])))
		return refuse(why, -EINVAL, NULL);
	if (!fobj_find(t->chains, t->n_chains, chain))
		return refuse(why, -ENOENT, NULL);
	if (tb[NFTA_RULE_HANDLE])
		return refuse(why, -EOPNOTSUPP, "the fake kernel does not replace rules by handle");
	if (tb[NFTA_RULE_POSITION_ID])
		return refuse(why, -EOPNOTSUPP, "the fake kernel does not take rule position ids");
	if (!(nlh->nlmsg_flags & NLM_F_CREATE) || (nlh->nlmsg_flags & NLM_F_REPLACE))
		return refuse(why, -EINVAL, NULL);
	/* what libnftnl cannot parse, the kernel would not take either */
	if (!(check = nftnl_rule_alloc()))
		return refuse(why, -ENOMEM, NULL);
	rc = nftnl_rule_nlmsg_parse(nlh, check);
	nftnl_rule_free(check);
	if (rc < 0)
		return refuse(why, -EINVAL, NULL);
	/* where: after (append) or before the rule @pos, else at the end
	 * (append) or the start of the chain */
	has_pos = be64_of(tb[NFTA_RULE_POSITION], &pos);
	if (has_pos) {
		ssize_t p = rule_find(t, chain, pos);

		if (p < 0)
			return refuse(why, -ENOENT, NULL);
		at = (size_t)p + ((nlh->nlmsg_flags & NLM_F_APPEND) ? 1 : 0);
	} else if (nlh->nlmsg_flags & NLM_F_APPEND) {
		at = t->n_rules;
	} else {
		for (at = 0; at < t->n_rules && !streq(t->rules[at].chain, chain); at++)
			;
	}
	r.handle = ++t->hgen;
	r.row = rule_row(tb[NFTA_RULE_USERDATA]);
	if (!(r.chain = fnft_strdup(chain))) {
		frule_free(&r);
		return refuse(why, -ENOMEM, NULL);
	}
	if ((rc = rule_blob(t, &r, nlh, why))) {
		/* the sets it would have bound stay unbound */
		for (i = 0; i < r.n_anon; i++) {
			struct fset *s = set_find(t, r.anon[i]);

			if (s)
				s->bound = false;
		}
		frule_free(&r);
		return rc;
	}
	cap = t->n_rules;
	if (fnft_grow(&t->rules, &cap, t->n_rules + 1, sizeof(r)) < 0) {
		frule_free(&r);
		return refuse(why, -ENOMEM, NULL);
	}
	memmove(&t->rules[at + 1], &t->rules[at], (t->n_rules - at) * sizeof(r));
	t->rules[at] = r;
	t->n_rules++;
	return 0;
}

static int msg_delrule(struct txn *x, const struct nlmsghdr *nlh, uint8_t family,
		       struct refusal *why)
{
	const struct nlattr *tb[ATTR_MAX];
	const char *chain;
	struct ftable *t;
	uint64_t handle;
	size_t i;

	attrs_of(nlh, tb);
	if (!(t = table_of(x, tb[NFTA_RULE_TABLE], family, why)))
		return why->error;
	chain = str_of(tb[NFTA_RULE_CHAIN]);
	if (tb[NFTA_RULE_CHAIN] && (!chain || !fobj_find(t->chains, t->n_chains, chain)))
		return refuse(why, -ENOENT, NULL);
	if (be64_of(tb[NFTA_RULE_HANDLE], &handle)) {
		ssize_t at = rule_find(t, chain, handle);

		if (at < 0)
			return refuse(why, -ENOENT, NULL);
		rule_delete(t, (size_t)at);
		return 0;
	}
	/* a flush: of the chain, or of every chain */
	for (i = t->n_rules; i-- > 0;)
		if (!chain || streq(t->rules[i].chain, chain))
			rule_delete(t, i);
	return 0;
}

/* Objects of two types may share a name: by both. */
static struct fobj *obj_find(struct ftable *t, const char *name, uint32_t type)
{
	size_t i;

	for (i = 0; i < t->n_objs; i++)
		if (t->objs[i].type == type && streq(t->objs[i].name, name))
			return &t->objs[i];
	return NULL;
}

static int msg_obj(struct txn *x, const struct nlmsghdr *nlh, uint8_t family,
		   bool flowtable, struct refusal *why)
{
	static const uint16_t drop_obj[] = { NFTA_OBJ_HANDLE, NFTA_OBJ_USE, 0 };
	static const uint16_t drop_flow[] = { NFTA_FLOWTABLE_HANDLE,
		NFTA_FLOWTABLE_USE, 0 };
	const struct nlattr *tb[ATTR_MAX];
	struct fobj o = { 0 }, *e;
	struct ftable *t;
	const char *name;
	uint32_t type = 0;

	attrs_of(nlh, tb);
	if (!(t = table_of(x, tb[flowtable ? NFTA_FLOWTABLE_TABLE : NFTA_OBJ_TABLE],
			   family, why)))
		return why->error;
	name = str_of(tb[flowtable ? NFTA_FLOWTABLE_NAME : NFTA_OBJ_NAME]);
	if (!name || (!flowtable && !be32_of(tb[NFTA_OBJ_TYPE], &type)))
		return refuse(why, -EINVAL, NULL);
	e = flowtable ? fobj_find(t->flows, t->n_flows, name)
		      : obj_find(t, name, type);
	if (e) {
		if (nlh->nlmsg_flags & NLM_F_EXCL)
			return refuse(why, -EEXIST, NULL);
		if (nlh->nlmsg_flags & NLM_F_REPLACE)
			return refuse(why, -EOPNOTSUPP, NULL);
		if (flowtable)
			return 0;
		/* an update: its new data, its handle */
		if (new_blob(&o.b, nlh, drop_obj, NFTA_OBJ_HANDLE, e->handle))
			return refuse(why, -ENOMEM, NULL);
		free(e->b.p);
		e->b = o.b;
		return 0;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CREATE))
		return refuse(why, -ENOENT, NULL);
	o.type = type;
	o.handle = ++t->hgen;
	if (!(o.name = fnft_strdup(name)) ||
	    new_blob(&o.b, nlh, flowtable ? drop_flow : drop_obj,
		     flowtable ? NFTA_FLOWTABLE_HANDLE : NFTA_OBJ_HANDLE, o.handle) ||
	    (flowtable ? push_fobj(&t->flows, &t->n_flows, &o)
		       : push_fobj(&t->objs, &t->n_objs, &o))) {
		fobj_free(&o);
		return refuse(why, -ENOMEM, NULL);
	}
	return 0;
}

/* The name a fault matches a message by: its table, chain, set, row id
 * (the rule's comment) or object. */
static bool names(const struct nlmsghdr *nlh, const char *want)
{
	const struct nlattr *tb[ATTR_MAX];
	const char *name;
	uint16_t attr;
	char *row;
	bool hit;

	attrs_of(nlh, tb);
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		attr = NFTA_TABLE_NAME;
		break;
	case NFT_MSG_NEWCHAIN:
		attr = NFTA_CHAIN_NAME;
		break;
	case NFT_MSG_NEWSET:
		attr = NFTA_SET_NAME;
		break;
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		attr = NFTA_SET_ELEM_LIST_SET;
		break;
	case NFT_MSG_NEWOBJ:
		attr = NFTA_OBJ_NAME;
		break;
	case NFT_MSG_NEWFLOWTABLE:
		attr = NFTA_FLOWTABLE_NAME;
		break;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		row = rule_row(tb[NFTA_RULE_USERDATA]);
		hit = row && streq(row, want);
		free(row);
		return hit;
	default:
		return false;
	}
	name = str_of(tb[attr]);
	return name && streq(name, want);
}

static int batch_msg(struct txn *x, const struct nlmsghdr *nlh,
		     struct refusal *why)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	struct fnft_fake *f = x->f;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return refuse(why, -EINVAL, NULL);
	if (f->ns->refuse_name && names(nlh, f->ns->refuse_name)) {
		int e = f->ns->refuse_error;

		free(f->ns->refuse_name);
		f->ns->refuse_name = NULL;
		return refuse(why, e, NULL);
	}
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
		return msg_table(x, nlh, g->nfgen_family, false, why);
	case NFT_MSG_DELTABLE:
		return msg_table(x, nlh, g->nfgen_family, true, why);
	case NFT_MSG_NEWCHAIN:
		return msg_chain(x, nlh, g->nfgen_family, why);
	case NFT_MSG_NEWSET:
		return msg_set(x, nlh, g->nfgen_family, why);
	case NFT_MSG_NEWSETELEM:
		return msg_elems(x, nlh, g->nfgen_family, false, why);
	case NFT_MSG_DELSETELEM:
		return msg_elems(x, nlh, g->nfgen_family, true, why);
	case NFT_MSG_NEWRULE:
		return msg_rule(x, nlh, g->nfgen_family, why);
	case NFT_MSG_DELRULE:
		return msg_delrule(x, nlh, g->nfgen_family, why);
	case NFT_MSG_NEWOBJ:
		return msg_obj(x, nlh, g->nfgen_family, false, why);
	case NFT_MSG_NEWFLOWTABLE:
		return msg_obj(x, nlh, g->nfgen_family, true, why);
	default:
		return refuse(why, -EOPNOTSUPP, "the fake kernel does not model this message");
	}
}

/* ---- replies ---- */

/* Close the datagram being written and queue it. */
static void flush_out(struct fnft_fake *f)
{
	size_t cap = f->q_cap;

	if (!f->out.len)
		return;
	if (f->oom) {
		/* a reply that could not be written whole is not sent */
		free(f->out.p);
		f->out = (struct bytes){ 0 };
		return;
	}
	if (f->q_head == f->q_n)
		f->q_head = f->q_n = 0;	/* all read: start over */
	if (fnft_grow(&f->q, &cap, f->q_n + 1, sizeof(*f->q)) < 0) {
		f->oom = true;
		free(f->out.p);
	} else {
		f->q_cap = cap;
		f->q[f->q_n++] = (struct dgram){ f->out.p, f->out.len };
	}
	f->out = (struct bytes){ 0 };
}

/* Start a reply message into the datagram being written. */
static int reply_start(struct fnft_fake *f, uint16_t type, uint16_t flags,
		       uint32_t seq, uint8_t family, size_t *at)
{
	struct nlmsghdr h = {
		.nlmsg_len = NLMSG_HDRLEN + sizeof(struct nfgenmsg),
		.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq,
		.nlmsg_pid = fnft_fake_portid(f),
	};
	struct nfgenmsg g = { .nfgen_family = family, .version = NFNETLINK_V0,
			      .res_id = htons((uint16_t)(f->ns->genid & 0xffff)) };

	if (f->out.len >= DGRAM_MAX)
		flush_out(f);
	*at = f->out.len;
	if (bytes_put(&f->out, &h, sizeof(h)) || bytes_put(&f->out, &g, sizeof(g)))
		return -ENOMEM;
	return 0;
}

static void reply_end(struct fnft_fake *f, size_t at)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(f->out.p + at);

	h->nlmsg_len = (uint32_t)(f->out.len - at);
}

/* One NEW* message of a dump: @blob under the header. */
static int reply_obj(struct fnft_fake *f, uint16_t msg, uint16_t flags,
		     uint32_t seq, uint8_t family, const struct bytes *blob)
{
	size_t at;

	if (reply_start(f, NFT_TYPE(msg), flags, seq, family, &at) ||
	    bytes_put(&f->out, blob->p, blob->len))
		return -ENOMEM;
	reply_end(f, at);
	return 0;
}

/* NLMSG_ERROR about @req (error 0: an ack), capped, with a text. */
static int reply_error(struct fnft_fake *f, const struct nlmsghdr *req,
		       int error, const char *text)
{
	struct nlmsghdr h = {
		.nlmsg_type = NLMSG_ERROR,
		.nlmsg_flags = NLM_F_CAPPED | (text ? NLM_F_ACK_TLVS : 0),
		.nlmsg_seq = req->nlmsg_seq, .nlmsg_pid = fnft_fake_portid(f),
	};
	struct nlmsgerr e = { .error = error, .msg = *req };
	size_t at;

	if (f->out.len >= DGRAM_MAX)
		flush_out(f);
	at = f->out.len;
	e.msg.nlmsg_len = sizeof(e.msg);
	if (bytes_put(&f->out, &h, sizeof(h)) || bytes_put(&f->out, &e, sizeof(e)) ||
	    (text && bytes_attr(&f->out, NLMSGERR_ATTR_MSG, text, strlen(text) + 1)))
		return -ENOMEM;
	reply_end(f, at);
	return 0;
}

static int reply_done(struct fnft_fake *f, const struct nlmsghdr *req)
{
	struct nlmsghdr h = {
		.nlmsg_len = NLMSG_HDRLEN + sizeof(int), .nlmsg_type = NLMSG_DONE,
		.nlmsg_flags = NLM_F_MULTI, .nlmsg_seq = req->nlmsg_seq,
		.nlmsg_pid = fnft_fake_portid(f),
	};
	int zero = 0;

	if (bytes_put(&f->out, &h, sizeof(h)) || bytes_put(&f->out, &zero, sizeof(zero)))
		return -ENOMEM;
	return 0;
}

/* ---- batches ---- */

static void fault_clear(struct fnft_fake *f)
{
	f->ns->fail_commit = 0;
	f->ns->race = false;
	free(f->ns->refuse_name);
	f->ns->refuse_name = NULL;
}

static int batch(struct fnft_fake *f, const struct nlmsghdr *begin, int len)
{
	const struct nlmsghdr *nlh;
	const struct nlattr *a;
	struct txn x = { .f = f };
	struct refusal why = { 0 };
	uint32_t genid = 0;
	int n = len, rc = 0;
	bool ended = false;

	/* without its end, the kernel drops a batch without a word */
	for (nlh = begin; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n))
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			ended = true;
	if (!ended)
		return 0;
	mnl_attr_for_each(a, begin, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFNL_BATCH_GENID &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			genid = ntohl(mnl_attr_get_u32(a));
	if (f->ns->race) {
		f->ns->race = false;
		f->ns->genid++;	/* someone else committed just before us */
	}
	if (genid && genid != f->ns->genid) {
		fault_clear(f);
		return reply_error(f, begin, -ERESTART, NULL);
	}
	if (ruleset_dup(&x.rs, &f->ns->rs))
		return reply_error(f, begin, -ENOMEM, NULL);
	n = len;
	for (nlh = mnl_nlmsg_next(begin, &n); mnl_nlmsg_ok(nlh, n);
	     nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			break;
		if ((rc = batch_msg(&x, nlh, &why)))
			break;
		if ((nlh->nlmsg_flags & NLM_F_ACK) && reply_error(f, nlh, 0, NULL))
			f->oom = true;
	}
	if (!rc && f->ns->fail_commit) {
		rc = f->ns->fail_commit;
		nlh = begin;	/* a commit's failure is the batch's */
		why.text = NULL;
	}
	if (rc) {
		if (reply_error(f, nlh, rc, why.text))
			f->oom = true;
		ruleset_clear(&x.rs);
	} else {
		ruleset_clear(&f->ns->rs);
		f->ns->rs = x.rs;
		f->ns->genid++;
		f->ns->commits++;
	}
	free(x.scratch.p);
	fault_clear(f);
	return 0;
}

/* ---- requests ---- */

static int dump_table(struct fnft_fake *f, const struct nlmsghdr *req,
		      const struct ftable *t, uint16_t flags)
{
	return reply_obj(f, NFT_MSG_NEWTABLE, flags, req->nlmsg_seq, t->family, &t->b);
}

static int dump_elems(struct fnft_fake *f, const struct nlmsghdr *req,
		      const struct ftable *t, const struct fset *s)
{
	size_t i = 0, at;

	while (i < s->e->n) {
		struct bytes list = { 0 };
		int rc = 0;

		for (; !rc && i < s->e->n && list.len < ELEMS_MSG; i++)
			rc = bytes_attr(&list, NFTA_LIST_ELEM | NLA_F_NESTED,
					s->e->v[i].a, s->e->v[i].alen);
		if (!rc)
			rc = reply_start(f, NFT_TYPE(NFT_MSG_NEWSETELEM), NLM_F_MULTI,
					 req->nlmsg_seq, t->family, &at);
		if (!rc)
			rc = bytes_attr(&f->out, NFTA_SET_ELEM_LIST_TABLE, t->name,
					strlen(t->name) + 1);
		if (!rc)
			rc = bytes_attr(&f->out, NFTA_SET_ELEM_LIST_SET, s->name,
					strlen(s->name) + 1);
		if (!rc)
			rc = bytes_attr(&f->out, NFTA_SET_ELEM_LIST_ELEMENTS | NLA_F_NESTED,
					list.p, list.len);
		free(list.p);
		if (rc)
			return rc;
		reply_end(f, at);
	}
	return 0;
}

/* A dump of @type of table @t, the messages the kernel would send. */
static int dump_of(struct fnft_fake *f, const struct nlmsghdr *req,
		   const struct ftable *t, uint16_t type)
{
	uint32_t seq = req->nlmsg_seq;
	size_t i, c;
	int rc = 0;

	switch (type) {
	case NFT_MSG_GETCHAIN:
		for (i = 0; !rc && i < t->n_chains; i++)
			rc = reply_obj(f, NFT_MSG_NEWCHAIN, NLM_F_MULTI, seq, t->family,
				       &t->chains[i].b);
		break;
	case NFT_MSG_GETSET:
		for (i = 0; !rc && i < t->n_sets; i++)
			rc = reply_obj(f, NFT_MSG_NEWSET, NLM_F_MULTI, seq, t->family,
				       &t->sets[i].b);
		break;
	case NFT_MSG_GETRULE:
		/* chain by chain, as the kernel walks them */
		for (c = 0; c < t->n_chains; c++)
			for (i = 0; !rc && i < t->n_rules; i++)
				if (streq(t->rules[i].chain, t->chains[c].name))
					rc = reply_obj(f, NFT_MSG_NEWRULE, NLM_F_MULTI,
						       seq, t->family, &t->rules[i].b);
		break;
	case NFT_MSG_GETOBJ:
		for (i = 0; !rc && i < t->n_objs; i++)
			rc = reply_obj(f, NFT_MSG_NEWOBJ, NLM_F_MULTI, seq, t->family,
				       &t->objs[i].b);
		break;
	case NFT_MSG_GETFLOWTABLE:
		for (i = 0; !rc && i < t->n_flows; i++)
			rc = reply_obj(f, NFT_MSG_NEWFLOWTABLE, NLM_F_MULTI, seq,
				       t->family, &t->flows[i].b);
		break;
	case NFT_MSG_GETTABLE:
		rc = dump_table(f, req, t, NLM_F_MULTI);
		break;
	}
	return rc;
}

static int request(struct fnft_fake *f, const struct nlmsghdr *req)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *tb[ATTR_MAX];
	uint16_t type = NFNL_MSG_TYPE(req->nlmsg_type);
	struct ftable *t;
	size_t i, at;
	int rc = 0;

	if (req->nlmsg_len < NLMSG_HDRLEN + sizeof(*g) ||
	    NFNL_SUBSYS_ID(req->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return reply_error(f, req, -EINVAL, NULL);
	attrs_of(req, tb);
	if (type == NFT_MSG_GETGEN) {
		if (reply_start(f, NFT_TYPE(NFT_MSG_NEWGEN), 0,
				req->nlmsg_seq, AF_UNSPEC, &at) ||
		    bytes_be32(&f->out, NFTA_GEN_ID, f->ns->genid))
			return -ENOMEM;
		reply_end(f, at);
		return req->nlmsg_flags & NLM_F_ACK ? reply_error(f, req, 0, NULL) : 0;
	}
	if (!(req->nlmsg_flags & NLM_F_DUMP)) {
		/* one object by name: only a table is asked for that way */
		if (type != NFT_MSG_GETTABLE)
			return reply_error(f, req, -EOPNOTSUPP, "the fake kernel answers this request only as a dump");
		t = table_find(&f->ns->rs, g->nfgen_family, str_of(tb[NFTA_TABLE_NAME]));
		if (!t)
			return reply_error(f, req, -ENOENT, NULL);
		if (dump_table(f, req, t, 0))
			return -ENOMEM;
		return req->nlmsg_flags & NLM_F_ACK ? reply_error(f, req, 0, NULL) : 0;
	}
	if (type == NFT_MSG_GETSETELEM) {
		struct fset *s;

		t = table_find(&f->ns->rs, g->nfgen_family,
			       str_of(tb[NFTA_SET_ELEM_LIST_TABLE]));
		s = t ? set_find(t, str_of(tb[NFTA_SET_ELEM_LIST_SET])) : NULL;
		if (!s)
			return reply_error(f, req, -ENOENT, NULL);
		rc = dump_elems(f, req, t, s);
	} else {
		/* attribute 1 is the table of every other request */
		const char *table = tb[1] ? str_of(tb[1]) : NULL;

		for (i = 0; !rc && i < f->ns->rs.n; i++) {
			t = &f->ns->rs.v[i];
			if ((g->nfgen_family == NFPROTO_UNSPEC ||
			     g->nfgen_family == t->family) &&
			    (!table || streq(table, t->name)))
				rc = dump_of(f, req, t, type);
		}
	}
	return rc ? rc : reply_done(f, req);
}

/* ---- the socket end (fake-kernel.h) ---- */

/* A socket on @ns, taking a reference. */
static int fake_socket(struct fake_ns *ns, struct fnft_fake **out)
{
	struct fnft_fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->ns = ns;
	ns->ref++;
	/* as the kernel's autobind: negative, unique per socket */
	f->portid = 0x80000000u | ++ns->portids;
	*out = f;
	return 0;
}

int fnft_fake_new(struct fnft_fake **out)
{
	struct fake_ns *ns = calloc(1, sizeof(*ns));
	struct timespec ts;
	int rc;

	if (!ns)
		return -ENOMEM;
	ns->genid = 1;
	/* real cookies count up from 1: the top bit keeps a fake's apart;
	 * the clock and the address, two fakes of one process */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns->cookie = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	ns->cookie = (1ull << 63) | (ns->cookie ^ ((uint64_t)(uintptr_t)ns << 20));
	if ((rc = fake_socket(ns, out)))
		free(ns);
	return rc;
}

int fnft_fake_new_peer(struct fnft_fake *of, struct fnft_fake **out)
{
	return fake_socket(of->ns, out);
}

/* The socket @portid closes: the tables it owns go with it, in a commit
 * of their own, as the kernel does. */
static void owner_gone(struct fake_ns *ns, uint32_t portid)
{
	size_t i, n = ns->rs.n;

	for (i = ns->rs.n; i-- > 0;) {
		struct ftable *t = &ns->rs.v[i];

		if (!(t->flags & NFT_TABLE_F_OWNER) || t->owner != portid)
			continue;
		ftable_free(t);
		memmove(t, t + 1, (ns->rs.n - i - 1) * sizeof(*t));
		ns->rs.n--;
	}
	if (ns->rs.n != n)
		ns->genid++;
}

void fnft_fake_free(struct fnft_fake *f)
{
	size_t i;

	if (!f)
		return;
	for (i = f->q_head; i < f->q_n; i++)
		free(f->q[i].p);
	free(f->q);
	free(f->out.p);
	if (--f->ns->ref == 0) {
		ruleset_clear(&f->ns->rs);
		free(f->ns->refuse_name);
		free(f->ns);
	} else {
		owner_gone(f->ns, f->portid);
	}
	free(f);
}

uint32_t fnft_fake_portid(const struct fnft_fake *f)
{
	return f->portid;
}

uint64_t fnft_fake_netns_cookie(const struct fnft_fake *f)
{
	return f->ns->cookie;
}

int fnft_fake_sendmsg(struct fnft_fake *f, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rc;

	if (len > INT32_MAX)
		return -EMSGSIZE;
	if (!mnl_nlmsg_ok(nlh, (int)len))
		return -EINVAL;
	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN)
		rc = batch(f, nlh, (int)len);
	else
		rc = request(f, nlh);
	if (rc < 0)
		f->oom = true;	/* the replies are not whole */
	flush_out(f);
	if (f->oom) {
		f->oom = false;
		return -ENOBUFS;
	}
	return rc;
}

ssize_t fnft_fake_recv(struct fnft_fake *f, void *buf, size_t len)
{
	struct dgram *d;
	size_t n;

	if (f->q_head == f->q_n)
		return -EAGAIN;
	d = &f->q[f->q_head++];
	n = d->len < len ? d->len : len;
	memcpy(buf, d->p, n);
	free(d->p);
	return (ssize_t)n;
}

/* ---- the test controls (fake.h) ---- */

static struct fnft_fake *fake_of(const struct fnft_kernel *k)
{
	return k ? fnft_kernel_fake(k) : NULL;
}

static int errno_of(int error)
{
	return error < 0 ? error : -error;
}

FNFT_EXPORT int fnft_fake_fail_commit(struct fnft_kernel *k, int error)
{
	struct fnft_fake *f = fake_of(k);

	if (!f || !error)
		return -EINVAL;
	f->ns->fail_commit = errno_of(error);
	return 0;
}

FNFT_EXPORT int fnft_fake_refuse(struct fnft_kernel *k, const char *object,
				 int error)
{
	struct fnft_fake *f = fake_of(k);
	char *copy;

	if (!f || !object || !error)
		return -EINVAL;
	if (!(copy = strdup(object)))
		return -ENOMEM;
	free(f->ns->refuse_name);
	f->ns->refuse_name = copy;
	f->ns->refuse_error = errno_of(error);
	return 0;
}

FNFT_EXPORT int fnft_fake_bump_generation(struct fnft_kernel *k)
{
	struct fnft_fake *f = fake_of(k);

	if (!f)
		return -EINVAL;
	f->ns->genid++;
	return 0;
}

FNFT_EXPORT int fnft_fake_race_next_batch(struct fnft_kernel *k)
{
	struct fnft_fake *f = fake_of(k);

	if (!f)
		return -EINVAL;
	f->ns->race = true;
	return 0;
}

FNFT_EXPORT int fnft_fake_commit_count(const struct fnft_kernel *k,
				       unsigned *commits)
{
	struct fnft_fake *f = fake_of(k);

	if (!f || !commits)
		return -EINVAL;
	*commits = f->ns->commits;
	return 0;
}

FNFT_EXPORT int fnft_fake_set_element_count(const struct fnft_kernel *k,
					    const char *table, const char *set,
					    size_t *count)
{
	struct fnft_fake *f = fake_of(k);
	struct ftable *t;
	struct fset *s;

	if (!f || !set || !count)
		return -EINVAL;
	if (!(t = table_find(&f->ns->rs, NFPROTO_INET, table ? table : FNFT_DEFAULT_TABLE)))
		return -ENOENT;
	if (!(s = set_find(t, set)))
		return -ENOENT;
	*count = s->e->n;
	return 0;
}
