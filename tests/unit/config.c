#include "helpers.h"
#include "model.h"

static ani_config c;
static ani_failure f;

static void setup(void)
{
	config_defaults(&c);
	memset(&f, 0, sizeof f);
}

static void teardown(void)
{
	config_free(&c);
	free_trees();
}

TestSuite(config, .init = setup, .fini = teardown);

Test(config, defaults_do_the_flux_job)
{
	cr_assert_str_eq(c.policy_namespace, "flux-system");
	cr_assert_str_eq(c.policy_name, "allow-egress");
	cr_assert_eq(c.n_from, 1);
	cr_assert_str_eq(c.from[0].namespace_, "octopilot-system");
	cr_assert_not(c.from[0].has_pods);
	cr_assert_str_eq(c.namespace_label, "name");
	cr_assert_eq(c.n_ports, 2);
	cr_assert_eq(c.ports[0].port, 80);
	cr_assert_str_eq(c.ports[0].protocol, "TCP");
	cr_assert_eq(c.ports[1].port, 9090);
	cr_assert(c.label_namespace);
	cr_assert_not(c.on_missing_error);
	cr_assert_eq(config_validate(&c, &f), 0);
}

Test(config, no_config_in_three_shapes_keeps_defaults)
{
	const char *shapes[] = {
		"{}", "~", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: function-input}\n"};
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(config_from_node(&c, parse(shapes[i]), &f), 0, "%s", shapes[i]);
		cr_assert_str_eq(c.from[0].namespace_, "octopilot-system");
		cr_assert_eq(c.n_ports, 2);
	}
	cr_assert_eq(config_from_node(&c, NULL, &f), 0);
}

Test(config, typed_form_every_field)
{
	const char *yaml = "apiVersion: fn.octopilot.io/v1alpha1\n"
			   "kind: AllowNamespaceIngress\n"
			   "metadata: {name: x}\n"
			   "spec:\n"
			   "  policy: {name: allow-all, namespace: ops}\n"
			   "  from:\n"
			   "  - namespace: a\n"
			   "    podSelector: {matchLabels: {app: x, tier: web}}\n"
			   "  - namespace: b\n"
			   "  namespaceLabel: example.com/ns\n"
			   "  ports: [{port: 80}, {port: http, protocol: UDP}, "
			   "{port: 8000, endPort: 8080, protocol: SCTP}]\n"
			   "  labelNamespace: false\n"
			   "  onMissingPolicy: error\n"
			   "  mode: check\n";
	cr_assert_eq(config_from_node(&c, parse(yaml), &f), 0, "%s", f.message);
	cr_assert_str_eq(c.policy_name, "allow-all");
	cr_assert_str_eq(c.policy_namespace, "ops");
	cr_assert_eq(c.n_from, 2);
	cr_assert(c.from[0].has_pods);
	cr_assert_eq(c.from[0].pods.n, 2);
	cr_assert_str_eq(c.from[0].pods.v[0].key, "app");
	cr_assert_str_eq(c.from[0].pods.v[1].value, "web");
	cr_assert_not(c.from[1].has_pods);
	cr_assert_str_eq(c.namespace_label, "example.com/ns");
	cr_assert_eq(c.n_ports, 3);
	cr_assert_eq(c.ports[0].port, 80);
	cr_assert_str_eq(c.ports[0].protocol, "TCP");
	cr_assert_str_eq(c.ports[1].name, "http");
	cr_assert_str_eq(c.ports[1].protocol, "UDP");
	cr_assert_eq(c.ports[2].end_port, 8080);
	cr_assert_not(c.label_namespace);
	cr_assert(c.on_missing_error);
	cr_assert_eq(c.mode, ANI_MODE_CHECK);
}

Test(config, configmap_form_flat_strings)
{
	const char *yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: function-input}\n"
			   "data:\n"
			   "  podSelector: app=x,tier=y\n"
			   "  fromNamespaces: a, b\n"
			   "  ports: 80,9090/TCP,8000-8080/UDP,http\n"
			   "  policyName: p\n"
			   "  policyNamespace: ns\n"
			   "  labelNamespace: \"false\"\n";
	cr_assert_eq(config_from_node(&c, parse(yaml), &f), 0, "%s", f.message);
	cr_assert_eq(c.n_from, 2);
	cr_assert_str_eq(c.from[1].namespace_, "b");
	cr_assert(c.from[1].has_pods, "podSelector applies to every listed namespace");
	cr_assert_eq(c.from[1].pods.n, 2);
	cr_assert_eq(c.n_ports, 4);
	cr_assert_eq(c.ports[2].port, 8000);
	cr_assert_eq(c.ports[2].end_port, 8080);
	cr_assert_str_eq(c.ports[2].protocol, "UDP");
	cr_assert_str_eq(c.ports[3].name, "http");
	cr_assert_str_eq(c.policy_name, "p");
	cr_assert_not(c.label_namespace);
}

Test(config, settings_apply_like_configmap_keys)
{
	cr_assert_eq(config_apply_setting(&c, "ports", "443", &f), 0);
	cr_assert_eq(c.n_ports, 1);
	cr_assert_eq(c.ports[0].port, 443);
	cr_assert_neq(config_apply_setting(&c, "port", "443", &f), 0);
	cr_assert(strstr(f.message, "unknown setting \"port\""), "%s", f.message);
}

static void expect_error(const char *spec, const char *message, size_t line)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "apiVersion: fn.octopilot.io/v1alpha1\nkind: AllowNamespaceIngress\nspec:\n%s",
		 spec);
	cr_assert_neq(config_from_node(&c, parse(yaml), &f), 0, "accepted: %s", spec);
	cr_assert(strstr(f.message, message), "got \"%s\", want \"%s\"", f.message, message);
	if (line)
		cr_assert_eq(f.line, line, "line %zu, want %zu for %s", f.line, line, message);
}

Test(config, errors_name_the_field_and_place)
{
	expect_error("  bogus: 1\n", "spec: unknown field \"bogus\"", 4);
	expect_error("  ports:\n  - port: 0\n", "spec.ports[0].port: 0 is not a port number", 5);
	expect_error("  ports:\n  - port: 65536\n", "spec.ports[0].port: 65536", 5);
	expect_error("  ports:\n  - port: 80\n    protocol: ICMP\n", "spec.ports[0].protocol", 6);
	expect_error("  ports:\n  - port: 90\n    endPort: 80\n", "spec.ports[0].endPort", 6);
	expect_error("  ports:\n  - port: http\n    endPort: 90\n", "needs a numeric port", 6);
	expect_error("  ports:\n  - port: Not_A_Name\n", "is not a valid port name", 5);
	expect_error("  ports: []\n", "spec.ports: expected a non-empty list", 4);
	expect_error("  ports:\n  - port: 80\n  - port: 80\n    protocol: TCP\n", "listed twice",
		     0);
	expect_error("  from: []\n", "spec.from: expected a non-empty list", 4);
	expect_error("  from:\n  - podSelector: {matchLabels: {a: b}}\n", "namespace: required", 5);
	expect_error("  from:\n  - namespace: Upper\n", "is not a valid namespace name", 5);
	expect_error("  from:\n  - namespace: a\n  - namespace: a\n", "listed twice", 6);
	expect_error("  from:\n  - namespace: a\n    podSelector: {matchLabels: {a: 'b c'}}\n",
		     "is not a valid label value", 0);
	expect_error("  namespaceLabel: -bad\n", "is not a valid label key", 4);
	expect_error("  namespaceLabel: 12\n", "spec.namespaceLabel: expected a string", 4);
	expect_error("  from:\n  - namespace: a\n    podSelector: {matchLabels: {on: y}}\n",
		     "expected a string, got on (quote it if it is one)", 6);
	expect_error("  policy: {name: Bad_Name}\n", "spec.policy.name", 4);
	expect_error("  policy: {namespace: a.b}\n", "spec.policy.namespace", 4);
	expect_error("  onMissingPolicy: ignore\n", "is not warn or error", 4);
	expect_error("  labelNamespace: 'true'\n", "expected true or false", 4);
	expect_error("  from: &a [{namespace: x}]\n  ports: *a\n", "aliases are not supported", 5);
}

Test(config, configmap_errors)
{
	const char *bad[][2] = {
		{"ports: 80/icmp", "protocol \"icmp\""},
		{"ports: 9-8", "is not a port range"},
		{"ports: 80,", "has an empty entry"},
		{"fromNamespaces: ''", "has an empty entry"},
		{"podSelector: app", "is not key=value"},
		{"labelNamespace: maybe", "is not true or false"},
		{"extra: x", "unknown setting \"extra\""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char yaml[256];
		snprintf(yaml, sizeof yaml, "apiVersion: v1\nkind: ConfigMap\ndata:\n  %s\n",
			 bad[i][0]);
		cr_assert_neq(config_from_node(&c, parse(yaml), &f), 0, "accepted %s", bad[i][0]);
		cr_assert(strstr(f.message, bad[i][1]), "%s: got %s", bad[i][0], f.message);
		cr_assert_eq(f.line, 4);
	}
}

Test(config, other_kinds_are_refused)
{
	cr_assert_neq(config_from_node(&c, parse("apiVersion: v1\nkind: Secret\n"), &f), 0);
	cr_assert(strstr(f.message, "got v1 Secret"), "%s", f.message);
}
