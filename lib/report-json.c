/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The apply report as JSON: fnft_kernel_change() and its intervals, item
 * by item, in the order the batch sent them.  Only the public accessors
 * are used, so the JSON cannot say more or less than the typed report.
 */
#include <errno.h>

#include <jansson.h>

#include <finesse-nft/kernel.h>

#include "internal.h"

static const struct {
	const char *change, *key;	/* "change" and what "name" is */
} kinds[] = {
	[FNFT_CHANGE_TABLE_REPLACED] = { "table_replaced", "table" },
	[FNFT_CHANGE_TABLE_REMOVED] = { "table_removed", "table" },
	[FNFT_CHANGE_TABLE_FLAGS] = { "table_flags", "table" },
	[FNFT_CHANGE_SET_ADDED] = { "set_added", "set" },
	[FNFT_CHANGE_CHAIN_ADDED] = { "chain_added", "chain" },
	[FNFT_CHANGE_ELEMENTS_ADDED] = { "elements_added", "set" },
	[FNFT_CHANGE_ELEMENTS_REMOVED] = { "elements_removed", "set" },
	[FNFT_CHANGE_RULE_ADDED] = { "rule_added", "chain" },
	[FNFT_CHANGE_RULE_REMOVED] = { "rule_removed", "chain" },
};

static json_t *item_json(const struct fnft_kernel *k, size_t i)
{
	const struct fnft_change *c = fnft_kernel_change(k, i);
	char net[FNFT_NETSTRLEN];
	json_t *o, *elems;
	size_t j;

	if (!c || (size_t)c->kind >= ARRAY_SIZE(kinds) || !kinds[c->kind].change)
		return NULL;
	o = json_pack("{s:s, s:o}", "change", kinds[c->kind].change,
		      kinds[c->kind].key, fnft_json_text(c->name ? c->name : ""));
	if (!o)
		return NULL;
	if (c->kind == FNFT_CHANGE_RULE_ADDED || c->kind == FNFT_CHANGE_RULE_REMOVED) {
		if (json_object_set_new(o, "row", c->row ? fnft_json_text(c->row)
							 : json_null()))
			goto fail;
	} else if (c->kind == FNFT_CHANGE_ELEMENTS_ADDED ||
		   c->kind == FNFT_CHANGE_ELEMENTS_REMOVED) {
		if (!(elems = json_array()) || json_object_set_new(o, "elements", elems))
			goto fail;
		for (j = 0; j < c->count; j++)
			if (fnft_kernel_change_interval(k, i, j, net, sizeof(net)) ||
			    json_array_append_new(elems, json_string(net)))
				goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

FNFT_EXPORT int fnft_kernel_changes_json(const struct fnft_kernel *k, char **out)
{
	size_t i, n;
	json_t *a;
	char *s;

	if (!k || !out)
		return -EINVAL;
	if (!(a = json_array()))
		return -ENOMEM;
	n = fnft_kernel_change_count(k);
	for (i = 0; i < n; i++) {
		json_t *o = item_json(k, i);

		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return -ENOMEM;
		}
	}
	s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(a);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}
