/* SPDX-License-Identifier: Apache-2.0 */
/* --emit-patches: the changes a merge would make, as a kustomize Component of JSON 6902 patches,
 * for kustomize runs that execute no functions (kubectl apply -k, Flux's kustomize-controller). */
#include "patches.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const edit_style patch_style = {NULL, 0, "\n", 2, 0};

/* A JSON Pointer token: `~` and `/` escaped (RFC 6901). */
static void put_pointer_token(tbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '~')
			tb_puts(b, "~0");
		else if (*s == '/')
			tb_puts(b, "~1");
		else
			tb_putc(b, *s);
	}
}

static gen_value *op(const char *name, const char *path, gen_value *value)
{
	gen_value *o =
		gen_add(gen_add(gen_map(), "op", gen_string(name)), "path", gen_string(path));
	return gen_add(o, "value", value);
}

/* One `patches:` entry: the target object and its operations, as a literal block. */
static void put_patch(tbuf *out, const ani_item *it, gen_value *ops)
{
	const char *slash = strchr(it->api_version, '/');
	tb_puts(out, "- target:\n");
	if (slash)
		tb_printf(out, "    group: %.*s\n", (int)(slash - it->api_version),
			  it->api_version);
	tb_printf(out, "    version: %s\n", slash ? slash + 1 : it->api_version);
	tb_printf(out, "    kind: %s\n", it->kind);
	if (it->namespace_) {
		tb_puts(out, "    namespace: ");
		tb_put_yaml_string(out, it->namespace_);
		tb_puts(out, "\n");
	}
	tb_puts(out, "    name: ");
	tb_put_yaml_string(out, it->name);
	tb_puts(out, "\n  patch: |-\n");
	tbuf body = {0};
	gen_render_block(&body, ops, 0, &patch_style);
	for (char *line = body.p, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		tb_printf(out, "    %.*s\n", (int)(nl - line), line);
	}
	tb_free(&body);
	gen_free(ops);
}

/* The operations for the changes to policy `pol`, changes [*i, ...) while they are about it. */
static gen_value *policy_ops(const ani_config *c, const ani_changes *cs, size_t *i, ani_results *rs)
{
	const ani_item *pol = cs->v[*i].item;
	const yt_node *ingress = yt_get(pol->spec, "ingress");
	gen_value *ops = gen_seq(), *created = NULL;
	for (; *i < cs->n && cs->v[*i].item == pol; (*i)++) {
		const ani_change *ch = &cs->v[*i];
		const ani_source *s = &c->from[ch->source];
		char *ports = config_ports_text(c, ch->ports, ", ");
		if (ch->kind == CHANGE_ADD_RULE && yt_is_null(ingress)) {
			/* A patch cannot append to a list that is not there: it creates it. */
			if (!created) {
				created = gen_seq();
				gen_add(ops, NULL, op("add", "/spec/ingress", created));
				results_add(
					rs, ANI_SEVERITY_WARNING, pol, "spec.ingress", pol->spec,
					"has no spec.ingress: the patch creates it, and would "
					"replace the rules a later version of this policy brings; "
					"emit the patches again after every upgrade");
			}
			gen_add(created, NULL, gen_rule(c, s));
			results_add(rs, ANI_SEVERITY_INFO, pol, "spec.ingress", pol->spec,
				    "patch adds an ingress rule admitting namespace %s on %s",
				    s->namespace_, ports);
		} else if (ch->kind == CHANGE_ADD_RULE) {
			gen_add(ops, NULL, op("add", "/spec/ingress/-", gen_rule(c, s)));
			results_add(rs, ANI_SEVERITY_INFO, pol, "spec.ingress", ingress,
				    "patch adds an ingress rule admitting namespace %s on %s",
				    s->namespace_, ports);
		} else {
			/* The test fails the build when the rule at that index is no longer the
			 * one the ports were planned for. */
			const yt_node *rule = ingress->kids[ch->rule];
			char *from = xasprintf("/spec/ingress/%zu/from", ch->rule);
			char *to = xasprintf("/spec/ingress/%zu/ports/-", ch->rule);
			gen_add(ops, NULL, op("test", from, gen_from_node(yt_get(rule, "from"))));
			for (size_t p = 0; p < c->n_ports; p++)
				if (ch->ports[p])
					gen_add(ops, NULL, op("add", to, gen_port(&c->ports[p])));
			char field[64];
			text_format(field, sizeof field, "spec.ingress[%zu].ports", ch->rule);
			results_add(
				rs, ANI_SEVERITY_INFO, pol, field, yt_get(rule, "ports"),
				"patch adds %s to the rule that admits namespace %s, after testing "
				"that rule's from",
				ports, s->namespace_);
			xfree(from);
			xfree(to);
		}
		xfree(ports);
	}
	(*i)--;
	return ops;
}

static gen_value *label_ops(const ani_config *c, const ani_change *ch, ani_results *rs)
{
	const ani_item *ns = ch->item;
	const char *value = c->from[ch->source].namespace_;
	const yt_node *labels = yt_get(ns->metadata, "labels");
	gen_value *ops = gen_seq();
	if (yt_is_null(labels)) {
		gen_add(ops, NULL,
			op("add", "/metadata/labels",
			   gen_add(gen_map(), c->namespace_label, gen_string(value))));
	} else {
		tbuf path = {0};
		tb_puts(&path, "/metadata/labels/");
		put_pointer_token(&path, c->namespace_label);
		gen_add(ops, NULL, op("add", path.p, gen_string(value)));
		tb_free(&path);
	}
	results_add(rs, ANI_SEVERITY_INFO, ns, "metadata.labels", labels ? labels : ns->metadata,
		    "patch adds the label %s=%s", c->namespace_label, value);
	return ops;
}

/* A yt_node in a patch's test must be plain data: kustomize would expand an alias. */
static int check_plain(const yt_node *n, const ani_item *it, ani_results *rs)
{
	if (n->kind == YT_ALIAS || n->anchored || n->tagged) {
		results_add(rs, ANI_SEVERITY_ERROR, it, "spec.ingress", n,
			    "the rule's from holds an alias, anchor or tag: it cannot be copied "
			    "into the patch's test");
		return -1;
	}
	for (size_t i = 0; n->kind != YT_SCALAR && i < n->n; i++)
		if (check_plain(n->kids[i], it, rs))
			return -1;
	return 0;
}

static void put_header(tbuf *out, const ani_config *c, const ani_changes *cs)
{
	tb_puts(out, "# Generated by allow-namespace-ingress --emit-patches from:\n");
	long n = config_sources_share_pods(c) ? 1 : (long)c->n_from;
	for (long s = 0; s < n; s++) {
		char *cmd = config_command(c, n == 1 ? -1 : s);
		tb_printf(out, "#   %s --emit-patches\n", cmd);
		xfree(cmd);
	}
	tb_puts(out, "# It makes the changes merge mode would make to the manifests it was\n"
		     "# generated from. Emit it again after they change (a Flux upgrade):\n"
		     "# docs/gitops.md says how CI notices that it is due.\n");
	if (!cs->n)
		tb_puts(out, "# The input already admits every source: nothing to patch.\n");
	tb_puts(out, "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
}

int patches_render(const ani_config *c, const ani_changes *cs, ani_results *rs, char **component,
		   ani_files *files)
{
	for (size_t i = 0; i < cs->n; i++) {
		const ani_change *ch = &cs->v[i];
		if (ch->kind == CHANGE_ADD_PORTS) {
			const yt_node *rule = yt_get(ch->item->spec, "ingress")->kids[ch->rule];
			if (check_plain(yt_get(rule, "from"), ch->item, rs))
				return -1;
		}
	}
	tbuf out = {0};
	put_header(&out, c, cs);
	int resources = 0;
	for (size_t i = 0; i < cs->n; i++) {
		const ani_change *ch = &cs->v[i];
		if (ch->kind != CHANGE_CREATE_POLICY)
			continue;
		if (!resources++)
			tb_puts(&out, "resources:\n");
		char *name = xasprintf("%s.yaml", ch->policy_name);
		tb_printf(&out, "- %s\n", name);
		tbuf text = {0};
		gen_value *pol =
			gen_dedicated_policy(c, &c->from[ch->source], ch->policy_name, NULL);
		gen_render_block(&text, pol, 0, &patch_style);
		gen_free(pol);
		files->v = xrealloc(files->v, (files->n + 1) * sizeof *files->v);
		files->v[files->n].name = name;
		files->v[files->n].len = text.len;
		files->v[files->n++].text = tb_take(&text);
		const ani_item created = {.api_version = "networking.k8s.io/v1",
					  .kind = "NetworkPolicy",
					  .name = ch->policy_name,
					  .namespace_ = c->policy_namespace,
					  .file_path = name,
					  .file_index = -1};
		results_add(rs, ANI_SEVERITY_INFO, &created, NULL, NULL,
			    "a resource of the Component, admitting namespace %s",
			    c->from[ch->source].namespace_);
	}
	size_t patches = 0;
	for (size_t i = 0; i < cs->n; i++) {
		const ani_change *ch = &cs->v[i];
		if (ch->kind == CHANGE_CREATE_POLICY)
			continue;
		if (!patches++)
			tb_puts(&out, "patches:\n");
		const ani_item *it = ch->item;
		gen_value *ops = ch->kind == CHANGE_LABEL_NAMESPACE ? label_ops(c, ch, rs)
								    : policy_ops(c, cs, &i, rs);
		put_patch(&out, it, ops);
	}
	if (!patches)
		tb_puts(&out, "patches: []\n");
	if (!cs->n)
		results_add(rs, ANI_SEVERITY_INFO, NULL, NULL, NULL,
			    "nothing to patch: the input already admits every source");
	*component = tb_take(&out);
	return 0;
}

void files_free(ani_files *files)
{
	for (size_t i = 0; i < files->n; i++) {
		xfree(files->v[i].name);
		xfree(files->v[i].text);
	}
	xfree(files->v);
	memset(files, 0, sizeof *files);
}
