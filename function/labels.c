/* Label sets: sorted by key, keys unique. */
#include "model.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

const char *labels_get(const ani_labels *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key))
			return l->v[i].value;
	return NULL;
}

static int compare_labels(const void *a, const void *b)
{
	return strcmp(((const ani_label *)a)->key, ((const ani_label *)b)->key);
}

int labels_add(ani_labels *l, const char *key, const char *value)
{
	if (labels_get(l, key))
		return -1;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n].key = xstrdup(key);
	l->v[l->n].value = xstrdup(value);
	l->n++;
	qsort(l->v, l->n, sizeof *l->v, compare_labels);
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
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
