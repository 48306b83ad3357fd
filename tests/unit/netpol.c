/* SPDX-License-Identifier: Apache-2.0 */
#include "access.h"
#include "helpers.h"
#include "text.h"

static ani_config c;
static ani_labels known; /* what namespace octopilot-system is known to carry */

static void setup(void)
{
	config_defaults(&c);
	labels_add(&known, "name", "octopilot-system");
	labels_add(&known, METADATA_NAME_LABEL, "octopilot-system");
}

static void teardown(void)
{
	labels_free(&known);
	config_free(&c);
	free_trees();
}

TestSuite(netpol, .init = setup, .fini = teardown);

static ani_item item(const char *api_version, const char *kind, const char *name, const char *yaml)
{
	ani_item it = {0};
	it.api_version = (char *)api_version;
	it.kind = (char *)kind;
	it.name = (char *)name;
	it.namespace_ = (char *)"flux-system";
	const yt_node *root = parse(yaml);
	/* What loading allocates goes to the test's arena, freed after the suite. */
	it.arena = test_arena;
	index_set_item_tree(&it, root);
	test_arena = it.arena;
	memset(&it.arena, 0, sizeof it.arena);
	return it;
}

static ani_item policy(const char *name, const char *spec)
{
	char yaml[2048];
	snprintf(yaml, sizeof yaml, "{spec: %s}", spec);
	return item(NETPOL_API, "NetworkPolicy", name, yaml);
}

static np_port first_port(const char *spec)
{
	ani_item it = policy("p", spec);
	np_policy p;
	ani_failure f;
	cr_assert_eq(netpol_read(&it, &p, &f), 0, "%s: %s", spec, f.message);
	cr_assert(p.n_in && p.in[0].n_ports, "%s", spec);
	np_port port = p.in[0].ports[0];
	netpol_policy_free(&p);
	return port;
}

Test(netpol, integers_as_go_yaml_reads_them)
{
	cr_assert_eq(first_port("{ingress: [{ports: [{port: 0443}]}]}").port, 291, "octal");
	cr_assert_eq(first_port("{ingress: [{ports: [{port: 0x50}]}]}").port, 80);
	cr_assert_eq(first_port("{ingress: [{ports: [{port: 0b1010000}]}]}").port, 80);
	cr_assert_eq(first_port("{ingress: [{ports: [{port: 0o120}]}]}").port, 80);
	cr_assert_eq(first_port("{ingress: [{ports: [{port: 8_0}]}]}").port, 80);
	np_port named = first_port("{ingress: [{ports: [{port: http}]}]}");
	cr_assert_str_eq(named.name, "http");
	cr_assert_str_eq(first_port("{ingress: [{ports: [{port: 80}]}]}").protocol, "TCP",
			 "protocol defaults to TCP");
}

Test(netpol, aliases_are_resolved)
{
	ani_item it = policy("p", "{ingress: [{ports: [{port: 53, protocol: &u UDP}, {port: 54, "
				  "protocol: *u}]}]}");
	np_policy p;
	ani_failure f;
	cr_assert_eq(netpol_read(&it, &p, &f), 0, "%s", f.message);
	cr_assert_str_eq(p.in[0].ports[1].protocol, "UDP");
	netpol_policy_free(&p);
	netpol_policy_free(&p);
}

Test(netpol, policy_types_default)
{
	np_policy p;
	ani_failure f;
	const char *cases[][3] = {
		{"{}", "1", "0"},
		{"{policyTypes: []}", "1", "0"},
		{"{policyTypes: [], egress: [{}]}", "1", "1"},
		{"{egress: [{}]}", "1", "1"},
		{"{policyTypes: [Egress]}", "0", "1"},
		{"{policyTypes: [Egress, Ingress]}", "1", "1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ani_item it = policy("p", cases[i][0]);
		cr_assert_eq(netpol_read(&it, &p, &f), 0, "%s", f.message);
		cr_assert_eq(p.ingress, cases[i][1][0] - '0', "%s", cases[i][0]);
		cr_assert_eq(p.egress, cases[i][2][0] - '0', "%s", cases[i][0]);
		netpol_policy_free(&p);
	}
}

Test(netpol, api_invalid_values_are_errors_naming_the_field)
{
	const char *bad[][2] = {
		{"{ingress: yes}", "spec.ingress is not a list"},
		{"{ingress: [a]}", "spec.ingress[0] is not a mapping"},
		{"{ingress: [{from: x}]}", "spec.ingress[0].from is not a list"},
		{"{ingress: [{from: [x]}]}", "spec.ingress[0].from[0] is not a mapping"},
		{"{ingress: [{from: [{}]}]}", "spec.ingress[0].from[0] names no peer"},
		{"{ingress: [{ports: [{port: \"9090\"}]}]}",
		 "spec.ingress[0].ports[0].port is the "
		 "string \"9090\", not a valid port name"},
		{"{ingress: [{ports: [{port: 80, protocol: tcp}]}]}",
		 "spec.ingress[0].ports[0].protocol is \"tcp\", not exactly TCP, UDP or SCTP"},
		{"{ingress: [{ports: [{port: 90, endPort: 80}]}]}",
		 "spec.ingress[0].ports[0].endPort (80) is below port (90)"},
		{"{ingress: [{ports: [{port: http, endPort: 80}]}]}",
		 "spec.ingress[0].ports[0].endPort needs a numeric port"},
		{"{ingress: [{ports: [{port: 70000}]}]}", "is 70000, not a port number"},
		{"{policyTypes: [ingress]}", "spec.policyTypes[0] is not Ingress or Egress"},
		{"{podSelector: {matchExpressions: [{key: a, operator: In}]}}",
		 "spec.podSelector.matchExpressions[0].values must be non-empty"},
		{"{ingress: [{ports: [{port: 80, port: 81}]}]}", "has the key \"port\" twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ani_item it = policy("p", bad[i][0]);
		np_policy p;
		ani_failure f;
		cr_assert_neq(netpol_read(&it, &p, &f), 0, "%s", bad[i][0]);
		cr_assert(strstr(f.message, bad[i][1]), "%s: %s", bad[i][0], f.message);
		cr_assert_eq(f.line, 1);
		netpol_policy_free(&p);
	}
}

static np_selector selector(const char *yaml, np_policy *holder)
{
	char spec[512];
	snprintf(spec, sizeof spec, "{podSelector: %s}", yaml);
	ani_item it = policy("p", spec);
	ani_failure f;
	cr_assert_eq(netpol_read(&it, holder, &f), 0, "%s", f.message);
	return holder->pods;
}

Test(netpol, selectors)
{
	np_policy h;
	struct {
		const char *sel;
		int implied;
	} cases[] = {
		{"{}", 1},
		{"{matchLabels: {name: octopilot-system}}", 1},
		{"{matchLabels: {kubernetes.io/metadata.name: octopilot-system}}", 1},
		{"{matchLabels: {name: other}}", 0},
		{"{matchLabels: {team: a}}", 0},
		{"{matchExpressions: [{key: name, operator: In, values: [a, octopilot-system]}]}",
		 1},
		{"{matchExpressions: [{key: name, operator: NotIn, values: [a]}]}", 1},
		{"{matchExpressions: [{key: name, operator: NotIn, values: [octopilot-system]}]}",
		 0},
		{"{matchExpressions: [{key: name, operator: Exists}]}", 1},
		{"{matchExpressions: [{key: x, operator: DoesNotExist}]}", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		np_selector s = selector(cases[i].sel, &h);
		cr_assert_eq(netpol_selector_implied(&s, &known), cases[i].implied, "%s",
			     cases[i].sel);
		netpol_policy_free(&h);
	}
	np_selector s = selector("{matchLabels: {team: a}}", &h);
	cr_assert(netpol_selector_may_match(&s, &known), "an unknown label may be there");
	cr_assert_not(netpol_selector_matches(&s, &known), "on a complete label set it is not");
	netpol_policy_free(&h);
}

/* The verdict for octopilot-system against the policies of flux-system in `items`. */
static acc_verdict judge(ani_item *items, size_t n, size_t defining)
{
	ani_index ix = {0};
	ix.items = items;
	ix.n_items = n;
	np_policy target;
	ani_failure f;
	cr_assert_eq(netpol_read(&items[defining], &target, &f), 0, "%s", f.message);
	acc_model m;
	const ani_item *bad;
	cr_assert_eq(access_build(&m, &ix, "flux-system", &target.pods, &target, &f, &bad), 0, "%s",
		     f.message);
	ani_labels pods = {0};
	acc_verdict v;
	access_judge(&m, "octopilot-system", &known, &pods, &c, &v);
	access_free(&m);
	netpol_policy_free(&target);
	return v;
}

Test(netpol, the_union_of_every_selecting_policy_decides)
{
	ani_item items[] = {
		policy("target", "{podSelector: {}, ingress: [{ports: [{port: 9090}]}]}"),
		policy("other", "{podSelector: {}, ingress: [{from: [{namespaceSelector: {}}], "
				"ports: [{port: 80}]}]}"),
	};
	acc_verdict v = judge(items, 2, 0);
	cr_assert(v.admitted, "two policies together admit both ports");
	access_verdict_free(&v);
}

Test(netpol, ranges_are_covered_together)
{
	c.ports[0].port = 8000;
	c.ports[0].end_port = 8100;
	ani_item items[] = {policy("t", "{ingress: [{ports: [{port: 7000, endPort: 8049}, {port: "
					"8050, endPort: 9090}]}]}")};
	acc_verdict v = judge(items, 1, 0);
	cr_assert(v.admitted, "8000-8100 and 9090 by two entries");
	access_verdict_free(&v);
	items[0] = policy("t", "{ingress: [{ports: [{port: 7000, endPort: 8049}, {port: 8051, "
			       "endPort: 9090}]}]}");
	v = judge(items, 1, 0);
	cr_assert(v.missing[0] && !v.missing[1], "8050 is not covered");
	access_verdict_free(&v);
}

Test(netpol, a_full_range_covers_a_named_port)
{
	xfree(c.ports[0].name);
	c.ports[0].name = xstrdup("http");
	ani_item items[] = {policy("t", "{ingress: [{ports: [{port: 1, endPort: 65535}]}]}")};
	acc_verdict v = judge(items, 1, 0);
	cr_assert(v.admitted);
	access_verdict_free(&v);
	items[0] = policy("t", "{ingress: [{ports: [{port: 80, protocol: UDP}, {port: 9090}]}]}");
	v = judge(items, 1, 0);
	cr_assert(v.missing[0], "a named port cannot be known to be a number without the pods");
	access_verdict_free(&v);
}

Test(netpol, workloads_resolve_named_ports)
{
	ani_item items[] = {
		policy("t", "{podSelector: {matchLabels: {app: sc}}, ingress: [{ports: [{port: "
			    "http}, {port: 80}]}]}"),
		item("apps/v1", "Deployment", "sc",
		     "{spec: {template: {metadata: {labels: {app: sc}}, spec: {containers: "
		     "[{ports: [{name: http, containerPort: 9090}]}]}}}}"),
	};
	acc_verdict v = judge(items, 2, 0);
	cr_assert(v.admitted, "9090 is the pods' port named http");
	access_verdict_free(&v);
}

Test(netpol, pods_that_no_policy_isolates_admit_everything)
{
	ani_item items[] = {policy("t", "{policyTypes: [Egress]}")};
	acc_verdict v = judge(items, 1, 0);
	cr_assert(v.admitted);
	cr_assert_eq(v.isolation, ACC_NOT_ISOLATED);
	access_verdict_free(&v);
}
