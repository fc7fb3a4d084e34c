/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The apply report: what the committed batch did, taken from its messages
 * and their refs, never from a second read of the kernel.  One item per
 * table change, named set or chain created, run of elements added to or
 * removed from one set (which may span messages), and rule added or
 * removed.  A rule's anonymous set is part of the rule and not listed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "encode.h"
#include "report.h"

static void item_clear(struct fnft_report_item *it)
{
	free(it->name);
	free(it->row);
	fnft_ivlist_free(&it->ivs);
}

void fnft_report_clear(struct fnft_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		item_clear(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static struct fnft_report_item *item_new(struct fnft_report *r,
					 enum fnft_change_kind kind,
					 const char *name, const char *row)
{
	struct fnft_report_item *it;

	if (fnft_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v)) < 0)
		return NULL;
	it = &r->v[r->n];
	memset(it, 0, sizeof(*it));
	it->c.kind = kind;
	if ((name && !(it->name = strdup(name))) || (row && !(it->row = strdup(row)))) {
		item_clear(it);
		return NULL;
	}
	r->n++;
	return it;
}

/* ---- set elements, as our writer puts them ---- */

struct elem {
	const uint8_t *key;
	uint16_t len;
	bool end;
};

static int elem_attr(const struct nlattr *a, void *data)
{
	struct elem *e = data;

	if (mnl_attr_get_type(a) == NFTA_SET_ELEM_FLAGS &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		e->end = ntohl(mnl_attr_get_u32(a)) & NFT_SET_ELEM_INTERVAL_END;
	if (mnl_attr_get_type(a) == NFTA_SET_ELEM_KEY) {
		const struct nlattr *v = mnl_attr_get_payload(a);

		if (mnl_attr_get_payload_len(a) >= sizeof(*v) &&
		    mnl_attr_get_type(v) == NFTA_DATA_VALUE) {
			e->key = mnl_attr_get_payload(v);
			e->len = mnl_attr_get_payload_len(v);
		}
	}
	return MNL_CB_OK;
}

/* One element into the run: a start opens an interval, its end closes it
 * at end - 1; a start followed by another start ran to the top. */
static int take_elem(struct fnft_report_item *it, const struct elem *e)
{
	struct fnft_iv iv;
	size_t w = e->len;

	if (!e->key || (w != 4 && w != 16))
		return 0;	/* not an address set: counted by messages only */
	it->fam = w == 4 ? FNFT_V4 : FNFT_V6;
	if (e->end) {
		if (!it->open_start)
			return 0;	/* the leading end at 0 */
		memset(&iv, 0, sizeof(iv));
		memcpy(iv.lo, it->pending.lo, w);
		fnft_key_dec(e->key, iv.hi, w);
		it->open_start = false;
		return fnft_ivlist_add(&it->ivs, &iv);
	}
	if (it->open_start) {
		iv = it->pending;
		memset(iv.hi, 0xff, w);
		if (fnft_ivlist_add(&it->ivs, &iv) < 0)
			return -ENOMEM;
	}
	memset(&it->pending, 0, sizeof(it->pending));
	memcpy(it->pending.lo, e->key, w);
	it->open_start = true;
	return 0;
}

/* A start left open at the end of the run reached the top. */
static int close_run(struct fnft_report_item *it)
{
	struct fnft_iv iv;

	if (!it->open_start)
		return 0;
	iv = it->pending;
	memset(iv.hi, 0xff, it->fam == FNFT_V4 ? 4 : 16);
	it->open_start = false;
	return fnft_ivlist_add(&it->ivs, &iv);
}

static int elems_of(struct fnft_report_item *it, const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *list = NULL, *e;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_ELEMENTS)
			list = a;
	if (!list)
		return 0;
	mnl_attr_for_each_nested(e, list) {
		struct elem el = { 0 };

		/* each element's nest is typed by its index, as libnftnl's */
		mnl_attr_parse_nested(e, elem_attr, &el);
		if (take_elem(it, &el) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- the messages ---- */

struct build {
	struct fnft_report *r;
	bool has_del;		/* the batch deletes the table somewhere */
	bool table_deleted;	/* ... and that message has been read */
};

static int find_del(const struct nlmsghdr *nlh, const struct fnft_msg_ref *ref,
		    void *ctx)
{
	(void)ref;
	if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_DELTABLE)
		*(bool *)ctx = true;
	return 0;
}

static struct fnft_report_item *last(struct fnft_report *r)
{
	return r->n ? &r->v[r->n - 1] : NULL;
}

static int one_msg(const struct nlmsghdr *nlh, const struct fnft_msg_ref *ref,
		   void *ctx)
{
	struct build *bd = ctx;
	struct fnft_report *r = bd->r;
	uint16_t t = NFNL_MSG_TYPE(nlh->nlmsg_type);
	struct fnft_report_item *it = last(r);
	enum fnft_change_kind kind;

	if (!ref || ref->kind == FNFT_OBJ_BATCH || ref->anonymous)
		return 0;
	switch (t) {
	case NFT_MSG_DELTABLE:
		bd->table_deleted = true;
		return item_new(r, FNFT_CHANGE_TABLE_REMOVED, ref->name, NULL) ? 0 : -ENOMEM;
	case NFT_MSG_NEWTABLE:
		/* a batch that deletes the table replaces or removes it: "add,
		 * delete" makes the delete safe on a missing table, and an add
		 * after the delete makes it a replace; a patch's only table
		 * message sets its flags */
		if (!bd->has_del)
			return item_new(r, FNFT_CHANGE_TABLE_FLAGS, ref->name, NULL) ? 0 : -ENOMEM;
		if (bd->table_deleted && it && it->c.kind == FNFT_CHANGE_TABLE_REMOVED)
			it->c.kind = FNFT_CHANGE_TABLE_REPLACED;
		return 0;
	case NFT_MSG_NEWSET:
		return item_new(r, FNFT_CHANGE_SET_ADDED, ref->name, NULL) ? 0 : -ENOMEM;
	case NFT_MSG_NEWCHAIN:
		return item_new(r, FNFT_CHANGE_CHAIN_ADDED, ref->name, NULL) ? 0 : -ENOMEM;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		it = item_new(r, t == NFT_MSG_NEWRULE ? FNFT_CHANGE_RULE_ADDED
						      : FNFT_CHANGE_RULE_REMOVED,
			      ref->chain, ref->name);
		return it ? 0 : -ENOMEM;
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		kind = t == NFT_MSG_NEWSETELEM ? FNFT_CHANGE_ELEMENTS_ADDED
					       : FNFT_CHANGE_ELEMENTS_REMOVED;
		if (!it || it->c.kind != kind || !ref->name || !it->name ||
		    strcmp(it->name, ref->name)) {
			if (it && close_run(it) < 0)
				return -ENOMEM;
			if (!(it = item_new(r, kind, ref->name, NULL)))
				return -ENOMEM;
		}
		return elems_of(it, nlh);
	default:
		return 0;
	}
}

int fnft_report_from_batch(struct fnft_report *r, const struct fnft_batch *b)
{
	struct build bd = { .r = r };
	size_t i;
	int rc;

	fnft_report_clear(r);
	fnft_batch_each_msg(b, find_del, &bd.has_del);
	rc = fnft_batch_each_msg(b, one_msg, &bd);
	if (!rc && r->n)
		rc = close_run(&r->v[r->n - 1]);
	if (rc) {
		fnft_report_clear(r);
		return rc;
	}
	for (i = 0; i < r->n; i++) {
		struct fnft_report_item *it = &r->v[i];

		it->c.name = it->name;
		it->c.row = it->row;
		it->c.count = it->ivs.n;
	}
	return 0;
}
