/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dumps (dump.h): the kernel's replies about our table, parsed.  Every
 * parser keeps only what belongs to table inet d->name: chain dumps, for
 * one, are not filtered by table in the kernel.
 */
#include <arpa/inet.h>
#include <errno.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "dump.h"

static bool ours(const char *table, const char *of)
{
	return of && streq(table, of);
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_dump *d = data;
	struct nftnl_chain *ch = nftnl_chain_alloc();

	/* a chain without a name: no kernel sends it, libnftnl would crash */
	if (!ch || nftnl_chain_nlmsg_parse(nlh, ch) < 0 ||
	    !nftnl_chain_is_set(ch, NFTNL_CHAIN_NAME)) {
		if (ch)
			nftnl_chain_free(ch);
		return MNL_CB_ERROR;
	}
	/* chain dumps are not filtered by table in the kernel */
	if (ours(d->name, nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE)))
		nftnl_chain_list_add_tail(ch, d->chains);
	else
		nftnl_chain_free(ch);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_dump *d = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		if (r)
			nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	if (ours(d->name, nftnl_rule_get_str(r, NFTNL_RULE_TABLE)))
		nftnl_rule_list_add_tail(r, d->rules);
	else
		nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_dump *d = data;
	struct nftnl_set *s = nftnl_set_alloc();

	/* a set without a name: no kernel sends it, libnftnl would crash */
	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0 ||
	    !nftnl_set_is_set(s, NFTNL_SET_NAME)) {
		if (s)
			nftnl_set_free(s);
		return MNL_CB_ERROR;
	}
	if (ours(d->name, nftnl_set_get_str(s, NFTNL_SET_TABLE)))
		nftnl_set_list_add_tail(s, d->sets);
	else
		nftnl_set_free(s);
	return MNL_CB_OK;
}

/* An object of a type libnftnl does not know parses without its type and
 * data: kept, so that the snapshot can refuse it by name. */
static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_dump *d = data;
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o || nftnl_obj_nlmsg_parse(nlh, o) < 0 ||
	    !nftnl_obj_is_set(o, NFTNL_OBJ_NAME)) {
		if (o)
			nftnl_obj_free(o);
		return MNL_CB_ERROR;
	}
	if (ours(d->name, nftnl_obj_get_str(o, NFTNL_OBJ_TABLE)))
		nftnl_obj_list_add_tail(o, d->objs);
	else
		nftnl_obj_free(o);
	return MNL_CB_OK;
}

static int flowtable_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_dump *d = data;
	struct nftnl_flowtable *f = nftnl_flowtable_alloc();

	if (!f || nftnl_flowtable_nlmsg_parse(nlh, f) < 0 ||
	    !nftnl_flowtable_is_set(f, NFTNL_FLOWTABLE_NAME)) {
		if (f)
			nftnl_flowtable_free(f);
		return MNL_CB_ERROR;
	}
	if (ours(d->name, nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_TABLE)))
		nftnl_flowtable_list_add_tail(f, d->flowtables);
	else
		nftnl_flowtable_free(f);
	return MNL_CB_OK;
}

const struct fnft_dump_keys *fnft_dump_keys(const struct fnft_dump *d,
					    const struct nftnl_set *s)
{
	size_t i;

	for (i = 0; i < d->n_keys; i++)
		if (d->keys[i].set == s)
			return &d->keys[i];
	return NULL;
}

static struct fnft_dump_keys *keys_of(struct fnft_dump *d,
				      const struct nftnl_set *s)
{
	struct fnft_dump_keys *k = (struct fnft_dump_keys *)fnft_dump_keys(d, s);

	if (k)
		return k;
	if (fnft_grow(&d->keys, &d->cap_keys, d->n_keys + 1, sizeof(*d->keys)) < 0)
		return NULL;
	k = &d->keys[d->n_keys++];
	*k = (struct fnft_dump_keys){ .set = s };
	return k;
}

/* The key and interval-end flag of one NFTA_LIST_ELEM nest. */
static int key_parse(const struct nlattr *elem, struct fnft_dump_key *out)
{
	const struct nlattr *a, *v;

	memset(out, 0, sizeof(*out));
	if (mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	mnl_attr_for_each_nested(a, elem) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_SET_ELEM_FLAGS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EINVAL;
			out->end = ntohl(mnl_attr_get_u32(a)) &
				   NFT_SET_ELEM_INTERVAL_END;
			break;
		case NFTA_SET_ELEM_KEY:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EINVAL;
			mnl_attr_for_each_nested(v, a) {
				uint16_t len = mnl_attr_get_payload_len(v);

				if (mnl_attr_get_type(v) != NFTA_DATA_VALUE ||
				    !len || len > sizeof(out->key))
					continue;	/* len 0: unreadable */
				memcpy(out->key, mnl_attr_get_payload(v), len);
				out->len = (uint8_t)len;
			}
			break;
		default:
			break;	/* userdata, expressions...: not ours to read */
		}
	}
	return 0;
}

/* A NEWSETELEM message's elements, as keys of set @set. */
static int keys_parse(const struct nlmsghdr *nlh, struct fnft_dump *d,
		      const struct nftnl_set *set)
{
	struct fnft_dump_keys *k = keys_of(d, set);
	const struct nlattr *a, *e;

	if (!k)
		return -ENOMEM;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return -EINVAL;
		mnl_attr_for_each_nested(e, a) {
			if (fnft_grow(&k->v, &k->cap, k->n + 1, sizeof(*k->v)) < 0)
				return -ENOMEM;
			if (key_parse(e, &k->v[k->n]) < 0)
				return -EINVAL;
			k->n++;
		}
	}
	return 0;
}

/* A NEWSETELEM message's elements, into set @set of @d. */
static int elems_add(struct fnft_dump *d, const struct nlmsghdr *nlh,
		     struct nftnl_set *set)
{
	if (d->objects)
		return nftnl_set_elems_nlmsg_parse(nlh, set) < 0 ? MNL_CB_ERROR
								 : MNL_CB_OK;
	return keys_parse(nlh, d, set) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

void fnft_dump_free(struct fnft_dump *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_keys; i++)
		free(d->keys[i].v);
	free(d->keys);
	/* libnftnl's destructors do not take NULL */
	if (d->table)
		nftnl_table_free(d->table);
	if (d->chains)
		nftnl_chain_list_free(d->chains);
	if (d->rules)
		nftnl_rule_list_free(d->rules);
	if (d->sets)
		nftnl_set_list_free(d->sets);
	if (d->objs)
		nftnl_obj_list_free(d->objs);
	if (d->flowtables)
		nftnl_flowtable_list_free(d->flowtables);
	free(d);
}

static int table_cb(const struct nlmsghdr *nlh, struct fnft_dump *d)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		if (t)
			nftnl_table_free(t);
		return MNL_CB_ERROR;
	}
	if (!d->table && ours(d->name, nftnl_table_get_str(t, NFTNL_TABLE_NAME)))
		d->table = t;
	else
		nftnl_table_free(t);
	return MNL_CB_OK;
}

/* The set a NEWSETELEM message is about, by name; NULL when unknown. */
static int elems_cb(const struct nlmsghdr *nlh, struct fnft_dump *d)
{
	const struct nlattr *a;
	const char *name = NULL;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_SET)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		name = mnl_attr_get_str(a);
	}
	if (!name)
		return MNL_CB_ERROR;
	/* a dump reads set after set: the last one is the likely one */
	if (!d->last_set ||
	    !streq(nftnl_set_get_str(d->last_set, NFTNL_SET_NAME), name))
		d->last_set = nftnl_set_list_lookup_byname(d->sets, name);
	return d->last_set ? elems_add(d, nlh, d->last_set) : MNL_CB_OK;
}

int fnft_dump_add(struct fnft_dump *d, const struct nlmsghdr *nlh)
{
	int rc;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -EINVAL;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
		rc = table_cb(nlh, d);
		break;
	case NFT_MSG_NEWCHAIN:
		rc = chain_cb(nlh, d);
		break;
	case NFT_MSG_NEWSET:
		rc = set_cb(nlh, d);
		break;
	case NFT_MSG_NEWRULE:
		rc = rule_cb(nlh, d);
		break;
	case NFT_MSG_NEWOBJ:
		rc = obj_cb(nlh, d);
		break;
	case NFT_MSG_NEWFLOWTABLE:
		rc = flowtable_cb(nlh, d);
		break;
	case NFT_MSG_NEWSETELEM:
		rc = elems_cb(nlh, d);
		break;
	default:
		rc = MNL_CB_OK;
	}
	return rc == MNL_CB_OK ? 0 : -EINVAL;
}

int fnft_dump_new(const char *table, bool elements, bool objects,
		  struct fnft_dump **out)
{
	struct fnft_dump *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->name = table;
	d->elements = elements;
	d->objects = objects;
	d->chains = nftnl_chain_list_alloc();
	d->rules = nftnl_rule_list_alloc();
	d->sets = nftnl_set_list_alloc();
	d->objs = nftnl_obj_list_alloc();
	d->flowtables = nftnl_flowtable_list_alloc();
	if (!d->chains || !d->rules || !d->sets || !d->objs || !d->flowtables) {
		fnft_dump_free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

struct each_set {
	bool named;
	int (*fn)(const char *name, void *ctx);
	void *ctx;
};

static int each_set_cb(struct nftnl_set *s, void *data)
{
	struct each_set *e = data;

	/* anonymous sets are small and hold a rule's ports: always */
	if (!e->named && !(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS))
		return 0;
	return e->fn(nftnl_set_get_str(s, NFTNL_SET_NAME), e->ctx);
}

int fnft_dump_each_set(const struct fnft_dump *d, bool named,
		       int (*fn)(const char *name, void *ctx), void *ctx)
{
	struct each_set e = { named, fn, ctx };

	return nftnl_set_list_foreach(d->sets, each_set_cb, &e);
}

int fnft_dump_parse(const void *buf, size_t len, const char *table,
		    struct fnft_dump **out)
{
	const struct nlmsghdr *nlh = buf;
	struct fnft_dump *d;
	int n = (int)len, rc;

	if ((rc = fnft_dump_new(table, true, false, &d)))
		return rc;
	/* mnl_nlmsg_ok() compares as int: a length past 2 GiB would pass */
	for (; !rc && mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n))
		rc = nlh->nlmsg_len > (uint32_t)n ? -EINVAL : fnft_dump_add(d, nlh);
	if (rc) {
		fnft_dump_free(d);
		return rc;
	}
	*out = d;
	return 0;
}
