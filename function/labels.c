/* SPDX-License-Identifier: Apache-2.0 */
/* Label sets: sorted by key, keys unique. */
#include "model.h"
#include "text.h"

#include <string.h>

/* Where `key` is, or would go: *found says which. */
static size_t label_slot(const ani_labels *l, const char *key, int *found)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->v[mid].key, key);
		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

const char *labels_get(const ani_labels *l, const char *key)
{
	int found;
	size_t at = label_slot(l, key, &found);
	return found ? l->v[at].value : NULL;
}

int labels_add(ani_labels *l, const char *key, const char *value)
{
	int found;
	size_t at = label_slot(l, key, &found);
	if (found)
		return -1;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	memmove(l->v + at + 1, l->v + at, (l->n - at) * sizeof *l->v);
	l->v[at].key = xstrdup(key);
	l->v[at].value = xstrdup(value);
	l->n++;
	return 0;
}

void labels_copy(ani_labels *to, const ani_labels *from)
{
	labels_free(to);
	for (size_t i = 0; i < from->n; i++)
		labels_add(to, from->v[i].key, from->v[i].value);
}

void labels_free(ani_labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		xfree(l->v[i].key);
		xfree(l->v[i].value);
	}
	xfree(l->v);
	l->v = NULL;
	l->n = 0;
}
