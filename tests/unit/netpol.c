#include "netpol.h"
#include "helpers.h"

static ani_config c;
static ani_labels known;

static void setup(void)
{
	config_defaults(&c);
	netpol_namespace_labels(&c, "octopilot-system", NULL, &known);
}

static void teardown(void)
{
	labels_free(&known);
	config_free(&c);
	free_trees();
}

TestSuite(netpol, .init = setup, .fini = teardown);

Test(netpol, known_labels_are_the_configured_one_and_the_automatic_one)
{
	cr_assert_eq(known.n, 2);
	ani_labels more;
	netpol_namespace_labels(&c, "x", parse("{team: a, name: x, n: 12}"), &more);
	cr_assert_eq(more.n, 3, "numbers are not labels; duplicates are dropped");
	labels_free(&more);
}

Test(netpol, selectors)
{
	cr_assert(netpol_selector_implied(NULL, &known));
	cr_assert(netpol_selector_implied(parse("{}"), &known));
	cr_assert(
		netpol_selector_implied(parse("{matchLabels: {name: octopilot-system}}"), &known));
	cr_assert(netpol_selector_implied(
		parse("{matchLabels: {kubernetes.io/metadata.name: octopilot-system}}"), &known));
	cr_assert_not(netpol_selector_implied(parse("{matchLabels: {name: other}}"), &known));
	cr_assert_not(netpol_selector_implied(parse("{matchLabels: {team: a}}"), &known),
		      "a label we do not know may be absent");
	cr_assert(netpol_selector_implied(
		parse("{matchExpressions: [{key: name, operator: In, values: [a, "
		      "octopilot-system]}]}"),
		&known));
	cr_assert(netpol_selector_implied(
		parse("{matchExpressions: [{key: name, operator: NotIn, values: [a]}]}"), &known));
	cr_assert_not(netpol_selector_implied(
		parse("{matchExpressions: [{key: name, operator: NotIn, values: "
		      "[octopilot-system]}]}"),
		&known));
	cr_assert(netpol_selector_implied(parse("{matchExpressions: [{key: name, operator: "
						"Exists}]}"),
					  &known));
	cr_assert_not(netpol_selector_implied(parse("{matchExpressions: [{key: x, operator: "
						    "DoesNotExist}]}"),
					      &known),
		      "DoesNotExist cannot be known to hold");
	cr_assert_not(netpol_selector_implied(parse("{bogus: 1}"), &known));
	cr_assert_not(netpol_selector_implied(parse("[a]"), &known));
}

Test(netpol, ports)
{
	ani_port tcp80 = {"TCP", NULL, 80, 0}, udp80 = {"UDP", NULL, 80, 0};
	ani_port range = {"TCP", NULL, 8000, 8080}, http = {"TCP", "http", 0, 0};
	cr_assert(netpol_ports_admit(NULL, &tcp80), "absent ports admit every port");
	cr_assert(netpol_ports_admit(parse("[]"), &tcp80), "empty ports admit every port");
	cr_assert(netpol_ports_admit(parse("[{port: 80}]"), &tcp80), "protocol defaults to TCP");
	cr_assert_not(netpol_ports_admit(parse("[{port: 80}]"), &udp80));
	cr_assert(netpol_ports_admit(parse("[{protocol: UDP}]"), &udp80), "no port: all ports");
	cr_assert_not(netpol_ports_admit(parse("[{port: 81}]"), &tcp80));
	cr_assert(netpol_ports_admit(parse("[{port: 7000, endPort: 9000}]"), &range));
	cr_assert_not(netpol_ports_admit(parse("[{port: 8001, endPort: 9000}]"), &range));
	cr_assert_not(netpol_ports_admit(parse("[{port: 8000}]"), &range));
	cr_assert(netpol_ports_admit(parse("[{port: http}]"), &http));
	cr_assert_not(netpol_ports_admit(parse("[{port: 80}]"), &http),
		      "a named port cannot be known to be a number");
	cr_assert_not(netpol_ports_admit(parse("[{port: '80'}]"), &tcp80),
		      "a quoted port is a name");
}

Test(netpol, policy_types)
{
	cr_assert(netpol_isolates_ingress(NULL));
	cr_assert(netpol_isolates_ingress(parse("[Egress, Ingress]")));
	cr_assert_not(netpol_isolates_ingress(parse("[Egress]")));
	cr_assert_not(netpol_isolates_ingress(parse("[]")));
}

static np_decision decide(const char *spec)
{
	np_decision d;
	ani_failure f;
	cr_assert_eq(netpol_decide(parse(spec), "flux-system", &c, 0, &known, &d, &f), 0, "%s",
		     f.message);
	return d;
}

Test(netpol, decisions)
{
	np_decision d = decide("{ingress: [{from: [{podSelector: {}}]}]}");
	cr_assert_eq(d.action, NP_NEW_RULE);
	cr_assert(d.missing[0] && d.missing[1]);
	netpol_decision_free(&d);

	d = decide("{ingress: [{from: [{namespaceSelector: {matchLabels: {name: "
		   "octopilot-system}}}], ports: [{port: 80}]}]}");
	cr_assert_eq(d.action, NP_ADD_PORTS);
	cr_assert_eq(d.rule, 0);
	cr_assert(!d.missing[0] && d.missing[1]);
	netpol_decision_free(&d);

	d = decide("{ingress: [{ports: [{port: 9090}]}, {from: [{namespaceSelector: {}}], ports: "
		   "[{port: 80}]}]}");
	cr_assert_eq(d.action, NP_ADMITTED, "two rules together admit both ports");
	netpol_decision_free(&d);

	d = decide("{ingress: [{from: [{namespaceSelector: {matchLabels: {name: "
		   "octopilot-system}}}, {ipBlock: {cidr: 1.2.3.4/32}}], ports: [{port: 80}]}]}");
	cr_assert_eq(d.action, NP_NEW_RULE, "a rule with another peer too is not ours to widen");
	netpol_decision_free(&d);

	d = decide("{ingress: [{from: [{namespaceSelector: {matchLabels: {name: "
		   "octopilot-system}}}], ports: []}]}");
	cr_assert_eq(d.action, NP_ADMITTED, "an empty ports list admits every port");
	netpol_decision_free(&d);

	d = decide("{ingress: [{from: [{podSelector: {matchLabels: {a: b}}}]}]}");
	cr_assert_eq(d.action, NP_NEW_RULE, "a podSelector alone means the policy's namespace");
	netpol_decision_free(&d);
}

Test(netpol, pod_selector_sources)
{
	c.from[0].has_pods = 1;
	c.from[0].pods.v = calloc(1, sizeof(ani_label));
	c.from[0].pods.v[0].key = strdup("app");
	c.from[0].pods.v[0].value = strdup("smc");
	c.from[0].pods.n = 1;
	np_decision d = decide("{ingress: [{from: [{namespaceSelector: {matchLabels: {name: "
			       "octopilot-system}}}]}]}");
	cr_assert_eq(d.action, NP_ADMITTED, "every pod of the namespace includes ours");
	netpol_decision_free(&d);
	d = decide("{ingress: [{from: [{namespaceSelector: {matchLabels: {name: "
		   "octopilot-system}}, podSelector: {matchLabels: {app: smc}}}], ports: [{port: "
		   "80}]}]}");
	cr_assert_eq(d.action, NP_ADD_PORTS);
	netpol_decision_free(&d);
	d = decide("{ingress: [{from: [{namespaceSelector: {matchLabels: {name: "
		   "octopilot-system}}, podSelector: {matchLabels: {app: other}}}]}]}");
	cr_assert_eq(d.action, NP_NEW_RULE);
	netpol_decision_free(&d);
}

Test(netpol, malformed_policies_are_errors_with_a_place)
{
	const char *bad[][2] = {
		{"{ingress: yes}", "spec.ingress is not a list"},
		{"{ingress: [a]}", "spec.ingress[0] is not a mapping"},
		{"{ingress: [{from: x}]}", "spec.ingress[0].from is not a list"},
		{"{ingress: [{ports: {port: 80}}]}", "spec.ingress[0].ports is not a list"},
		{"{ingress: [{from: [x]}]}", "spec.ingress[0].from[0] is not a mapping"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		np_decision d;
		ani_failure f;
		cr_assert_neq(netpol_decide(parse(bad[i][0]), "flux-system", &c, 0, &known, &d, &f),
			      0, "%s", bad[i][0]);
		cr_assert(strstr(f.message, bad[i][1]), "%s: %s", bad[i][0], f.message);
		cr_assert_eq(f.line, 1);
		netpol_decision_free(&d);
	}
}
