/* SPDX-License-Identifier: Apache-2.0 */
/* Loading an item by its parts (spans noted by the first pass, or trees built as it read them)
 * reads exactly what loading it whole reads: the same nodes, at the same positions. Over every
 * case input of the repository, the Flux install and shapes written here for the paths' edge
 * cases. */
#include "model.h"
#include "text.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void same_node(const yt_node *a, const yt_node *b, const char *where)
{
	cr_assert_eq(!a, !b, "%s: one of the nodes is missing", where);
	if (!a)
		return;
	cr_assert_eq(a->kind, b->kind, "%s", where);
	cr_assert_eq(a->line, b->line, "%s: line %zu / %zu", where, a->line, b->line);
	cr_assert_eq(a->col, b->col, "%s", where);
	cr_assert_eq(a->start, b->start, "%s", where);
	cr_assert_eq(a->last, b->last, "%s", where);
	cr_assert_eq(a->depth, b->depth, "%s", where);
	cr_assert_eq(a->flow, b->flow, "%s", where);
	cr_assert_eq(a->style, b->style, "%s", where);
	cr_assert_eq(a->tagged, b->tagged, "%s", where);
	/* A block collection ends where the next token starts, which alone is the text's end. */
	if (a->kind == YT_SCALAR || a->flow)
		cr_assert_eq(a->end, b->end, "%s", where);
	cr_assert_eq(!a->value, !b->value, "%s", where);
	if (a->value)
		cr_assert_str_eq(a->value, b->value, "%s", where);
	cr_assert_eq(a->n, b->n, "%s", where);
	for (size_t i = 0; i < a->n; i++)
		same_node(a->kids[i], b->kids[i], where);
}

static void same_parts(const ani_item *whole, const ani_item *parts, const char *where)
{
	cr_assert_eq(whole->has_pod_template, parts->has_pod_template, "%s", where);
	same_node(whole->pod_labels, parts->pod_labels, where);
	same_node(whole->service_selector, parts->service_selector, where);
	same_node(whole->service_ports, parts->service_ports, where);
	same_node(whole->namespace_labels, parts->namespace_labels, where);
	cr_assert_eq(whole->n_container_ports, parts->n_container_ports, "%s", where);
	for (size_t i = 0; i < whole->n_container_ports; i++)
		same_node(whole->container_ports[i], parts->container_ports[i], where);
}

/* The identity the first pass read (from events, or from a NetworkPolicy's built metadata). */
static void same_identity(const ani_item *a, const ani_item *b, const char *where)
{
	const char *const as[] = {a->api_version, a->kind, a->name, a->namespace_, a->file_path};
	const char *const bs[] = {b->api_version, b->kind, b->name, b->namespace_, b->file_path};
	for (size_t i = 0; i < sizeof as / sizeof *as; i++) {
		cr_assert_eq(!as[i], !bs[i], "%s: identity field %zu", where, i);
		if (as[i])
			cr_assert_str_eq(as[i], bs[i], "%s: identity field %zu", where, i);
	}
	cr_assert_eq(a->file_index, b->file_index, "%s", where);
	cr_assert_eq(a->local_config, b->local_config, "%s", where);
}

/* NetworkPolicies the first pass built whole, compared with the same loaded alone. */
static size_t prebuilt_compared;

static int is_v1_network_policy(const ani_item *it)
{
	return !strcmp(it->kind, "NetworkPolicy") &&
	       !strcmp(it->api_version, "networking.k8s.io/v1");
}

static int has_parts(const ani_item *it)
{
	return index_is_workload_or_service(it->api_version, it->kind) ||
	       !strcmp(it->kind, "Namespace");
}

/* Indexes `buf` with the namespace hint `hint` and compares every item's parts with the item
 * loaded whole; returns the number of items compared. */
static size_t compare_input(const char *buf, size_t len, const char *hint, const char *name)
{
	ani_limits limits = ani_limits_default((ani_limits){0});
	text_scan scan = text_scan_input(buf, len);
	ani_index whole, parts;
	ani_failure f;
	if (scan.odd_break < len ||
	    index_input(buf, len, scan.ascii, ANI_INPUT_AUTO, &limits, NULL, &whole, &f)) {
		index_free(&whole);
		return 0;
	}
	int indexed = !whole.root_flow &&
		      !index_input(buf, len, scan.ascii, ANI_INPUT_AUTO, &limits, hint, &parts, &f);
	cr_assert(indexed || whole.root_flow, "%s: indexed once, not twice", name);
	size_t compared = 0;
	if (indexed)
		cr_assert_eq(whole.n_items, parts.n_items, "%s", name);
	for (size_t i = 0; indexed && i < whole.n_items; i++) {
		ani_item *w = &whole.items[i], *p = &parts.items[i];
		char where[600];
		snprintf(where, sizeof where, "%s (namespace hint %s), item at line %zu", name,
			 hint ? hint : "none", w->line);
		same_identity(w, p, where);
		if (is_v1_network_policy(w) && p->loaded == ITEM_LOADED_WHOLE) {
			cr_assert(hint && !strcmp(p->namespace_, hint), "%s: built whole", where);
			cr_assert(!index_load_item(w, buf, &limits, 0, &f), "%s: %s", where,
				  f.message);
			same_node(w->metadata, p->metadata, where);
			same_node(w->spec, p->spec, where);
			prebuilt_compared++;
			compared++;
			continue;
		}
		if (!has_parts(w))
			continue;
		int whole_failed = index_load_item(w, buf, &limits, 0, &f);
		int parts_failed = index_load_item(p, buf, &limits, 1, &f);
		/* The parts are less than the item: they may read where the whole does not. */
		if (whole_failed)
			continue;
		cr_assert(!parts_failed, "%s: the parts do not load: %s", where, f.message);
		same_parts(w, p, where);
		compared++;
	}
	if (indexed)
		index_free(&parts);
	index_free(&whole);
	return compared;
}

static size_t compare_with_every_hint(const char *buf, size_t len, const char *name)
{
	size_t compared = compare_input(buf, len, NULL, name);
	compared += compare_input(buf, len, "flux-system", name);
	compared += compare_input(buf, len, "default", name);
	compared += compare_input(buf, len, "apps", name);
	return compared;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	cr_assert(fp, "%s", path);
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
		size_t n = fread(buf + *len, 1, cap - *len, fp);
		if (!n)
			break;
		*len += n;
	}
	fclose(fp);
	return buf;
}

Test(index_parts, every_input_of_the_repository)
{
	static const char *const patterns[] = {
		ANI_SOURCE_DIR "/tests/cases/*/input",
		ANI_SOURCE_DIR "/tests/hostile/cases/*/input",
		ANI_SOURCE_DIR "/tests/fixtures/*/*.yaml",
		ANI_SOURCE_DIR "/bench/data/*.yaml",
		ANI_SOURCE_DIR "/examples/*/*.yaml",
	};
	size_t files = 0, compared = 0;
	for (size_t k = 0; k < sizeof patterns / sizeof *patterns; k++) {
		glob_t g;
		if (glob(patterns[k], 0, NULL, &g))
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			size_t len;
			char *buf = slurp(g.gl_pathv[i], &len);
			compared += compare_with_every_hint(buf, len, g.gl_pathv[i]);
			free(buf);
			files++;
		}
		globfree(&g);
	}
	cr_assert_gt(files, 100, "the inputs were found");
	cr_assert_gt(compared, 200, "items were compared: %zu", compared);
	cr_assert_gt(prebuilt_compared, 20, "NetworkPolicies built whole were compared: %zu",
		     prebuilt_compared);
}

/* What the paths meet: flow and block styles, quoted keys, comments, tags, several containers,
 * a CronJob's deeper template, a template that is null, duplicate and merge keys on a path and
 * in a part, parts that are scalars, anchors and aliases, a Namespace without labels. */
Test(index_parts, shapes_at_the_edges_of_the_paths)
{
	static const char *const inputs[] = {
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: apps}\n"
		"spec:\n  template:\n    metadata:\n      labels: {app: a, \"tier\": web}\n"
		"    spec:\n      containers:\n      - name: a # first\n        ports:\n"
		"        - {containerPort: 80, name: http}\n        - containerPort: 0x50\n"
		"      - name: b\n        ports: [{containerPort: 9090, protocol: UDP}]\n"
		"      - name: c\n",
		"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\n  namespace: apps\n"
		"spec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n"
		"          labels:\n            app: c\n        spec:\n          containers:\n"
		"            - ports:\n                - containerPort: 8080\n",
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, namespace: apps}\n"
		"spec: {template: null}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: apps}\n"
		"spec:\n  template: {metadata: {labels: {app: one}}}\n"
		"  template: {metadata: {labels: {app: two}}}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: m, namespace: apps}\n"
		"spec:\n  template:\n    <<: {metadata: {labels: {app: merged}}}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: k, namespace: apps}\n"
		"spec:\n  template:\n    metadata:\n      labels:\n        <<: {app: merged}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: l, namespace: apps}\n"
		"spec:\n  template:\n    metadata:\n      labels: |\n        app: text\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: apps}\n"
		"spec:\n  template:\n    metadata:\n      labels: &l {app: x}\n"
		"    spec: {containers: [{ports: *l}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: apps}\n"
		"spec:\n  selector: !!map\n    app: a\n  ports:\n  - port: 80\n    targetPort: "
		"http\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: t, namespace: apps}\nspec: {}\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: apps\n  labels: "
		"{app: p}\n"
		"spec:\n  containers:\n  - ports: [{containerPort: 1}]\n",
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels:\n    team: "
		"a\n",
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels: {a: b}\n"
		"  labels: {c: d}\n",
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n",
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: apps, labels: ~}\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
		"- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: apps/v1\n"
		"    kind: Deployment\n    metadata: {name: n, namespace: apps}\n"
		"    spec: {template: {metadata: {labels: {app: n}}}}\n",
		"apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata: {name: r, namespace: "
		"apps}\r\n"
		"spec:\r\n  template:\r\n    metadata:\r\n      labels:\r\n        app: r\r\n",
		/* NetworkPolicies: built whole in the hint's namespace, or left to loading. */
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a\n"
		"  namespace: apps\n  annotations:\n    config.kubernetes.io/path: a.yaml\n"
		"    config.kubernetes.io/index: '2'\n    config.kubernetes.io/index: '3'\n"
		"spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n"
		"    ports: [{port: 80}]\nstatus: {}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, "
		"namespace: apps}\nspec:\n  ingress:\n  - ports:\n    - port: 80\n"
		"    from: [{podSelector: {}}] # flow\n",
		"kind: NetworkPolicy\nmetadata: {name: c, namespace: apps}\napiVersion: "
		"networking.k8s.io/v1\nspec: {podSelector: {}}\n",
		"apiVersion: networking.k8s.io/v1\nspec: {podSelector: {}}\nkind: NetworkPolicy\n"
		"metadata: {name: d, namespace: apps}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: e, "
		"namespace: apps}\nspec:\n  podSelector: &all {}\n  ingress: [{from: "
		"[{podSelector: *all}]}]\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: f, "
		"namespace: apps}\nspec:\n  podSelector: {}\nstatus:\n  <<: {a: b}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: g, "
		"namespace: apps, namespace: other}\nspec: ~\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: h\n"
		"  namespace: apps\n  labels: {a: b}\n  labels: {c: d}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: i, "
		"namespace: apps}\nspec:\n  ingress:\n  - from:\n    - namespaceSelector:\n"
		"        matchLabels: {kubernetes.io/metadata.name: \"caf\u00e9\"} # non-ASCII\n",
		"apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: j, "
		"namespace: apps}\nspec: {}\n",
	};
	size_t compared = 0;
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		char name[32];
		snprintf(name, sizeof name, "shape %zu", i);
		compared += compare_with_every_hint(inputs[i], strlen(inputs[i]), name);
	}
	cr_assert_gt(compared, 40, "items were compared: %zu", compared);
}

/* A workload of another namespace than the hint costs what a skipped item costs: its spec is
 * skipped, nothing of it is kept but its identity; in the hint's namespace its parts are built. */
Test(index_parts, other_namespaces_spec_is_skipped)
{
	static const char input[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: other}\n"
		"spec: {template: {metadata: {labels: {app: a}}}}\n---\n"
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: apps}\n"
		"spec: {template: {metadata: {labels: {app: b}}}}\n";
	ani_limits limits = ani_limits_default((ani_limits){0});
	ani_index ix;
	ani_failure f;
	size_t len = sizeof input - 1;
	cr_assert(!index_input(input, len, text_scan_input(input, len).ascii, ANI_INPUT_AUTO,
			       &limits, "apps", &ix, &f),
		  "%s", f.message);
	cr_assert_eq(ix.n_items, 2);
	cr_assert(!ix.items[0].parts_found && !ix.items[0].n_parts && !ix.items[0].arena.head,
		  "the other namespace's Deployment kept parts");
	cr_assert(ix.items[1].parts_found && ix.items[1].n_parts == 2,
		  "the hint's Deployment: %zu parts", ix.items[1].n_parts);
	cr_assert(ix.items[1].parts[1].node, "its labels were built as they were read");
	cr_assert(!index_load_item(&ix.items[0], input, &limits, 1, &f), "%s", f.message);
	cr_assert_eq(ix.items[0].loaded, ITEM_LOADED_WHOLE, "without parts it is loaded whole");
	cr_assert_str_eq(yt_get(ix.items[0].pod_labels, "app")->value, "a");
	index_free(&ix);
}

/* A v1 NetworkPolicy of the hint's namespace is built whole by the first pass, unless what it
 * read could differ from loading it alone: then it is left to loading. */
Test(index_parts, network_policies_built_whole_only_when_loading_builds_the_same)
{
#define NP "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
	static const struct {
		const char *text;
		int built;
	} cases[] = {
		{NP "metadata: {name: a, namespace: apps}\nspec: {}\nstatus: {}\n", 1},
		{NP "metadata: {name: b, namespace: apps}\n", 1},
		/* another namespace, another API version */
		{NP "metadata: {name: c, namespace: other}\nspec: {}\n", 0},
		{"apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\n"
		 "metadata: {name: d, namespace: apps}\nspec: {}\n",
		 0},
		/* the kind after the metadata, a value skipped before the namespace is known */
		{"apiVersion: networking.k8s.io/v1\nmetadata: {name: e, namespace: apps}\n"
		 "kind: NetworkPolicy\nspec: {}\n",
		 0},
		{"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nstatus: {}\n"
		 "metadata: {name: f, namespace: apps}\n",
		 0},
		/* a key loading refuses, anywhere in the item; an anchor; an alias to another item
		 */
		{NP "metadata: {name: g, namespace: apps}\nstatus: {<<: {}}\n", 0},
		{NP "metadata: {name: h, namespace: apps, <<: {}}\n", 0},
		{NP "metadata: {name: i, namespace: apps}\nspec: &s {}\n", 0},
		{"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
		 "- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: &x {}}\n"
		 "- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n"
		 "  metadata: {name: j, namespace: apps}\n  spec: {podSelector: *x}\n",
		 0},
	};
#undef NP
	ani_limits limits = ani_limits_default((ani_limits){0});
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *input = cases[i].text;
		size_t len = strlen(input);
		ani_index ix;
		ani_failure f;
		cr_assert(!index_input(input, len, 1, ANI_INPUT_AUTO, &limits, "apps", &ix, &f),
			  "case %zu: %s", i, f.message);
		const ani_item *np = &ix.items[ix.n_items - 1];
		cr_assert_str_eq(np->kind, "NetworkPolicy", "case %zu", i);
		cr_assert_eq(np->loaded == ITEM_LOADED_WHOLE, cases[i].built, "case %zu", i);
		if (cases[i].built)
			cr_assert(np->metadata && yt_get(np->metadata, "name"), "case %zu", i);
		index_free(&ix);
	}
}
