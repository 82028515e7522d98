package admission

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	_ "github.com/kvetdev/kvet/internal/golden" // the shared -update flag
	"github.com/kvetdev/kvet/manifest"
)

func load(t testing.TB, docs ...string) []*manifest.Object {
	t.Helper()
	p := manifest.Parse(&manifest.Source{Path: "test.yaml", Data: []byte(strings.Join(docs, "\n---\n"))}, manifest.Limits{})
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %+v", p.Problems)
	}
	return p.Objects
}

const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas <= 5
    message: at most 5 replicas
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    messageExpression: "'no team label on ' + object.metadata.name"`

func binding(name, actions string) string {
	return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: %s}
spec:
  policyName: max-replicas
  validationActions: [%s]`, name, actions)
}

func deployment(name string, replicas int, labels string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: web, labels: {%s}}
spec:
  replicas: %d
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: a, image: "a:1"}]}`, name, labels, replicas)
}

func decisions(ds []Decision) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s/%s %s #%d %q\n", d.Policy, d.Binding, d.Action, d.Validation, d.Message)
	}
	return b.String()
}

func TestEvaluateActions(t *testing.T) {
	ctx := context.Background()
	ps := New(load(t, policy, binding("deny", "Deny"), binding("warn", "Warn, Audit")))
	if ps.Empty() {
		t.Fatal("no bound policy")
	}
	objs := load(t, deployment("big", 10, ""), deployment("ok", 2, "team: a"))
	got := decisions(ps.Evaluate(ctx, objs[0]))
	want := `max-replicas/deny Deny #0 "at most 5 replicas"
max-replicas/deny Deny #1 "no team label on big"
max-replicas/warn Warn #0 "at most 5 replicas"
max-replicas/warn Audit #0 "at most 5 replicas"
max-replicas/warn Warn #1 "no team label on big"
max-replicas/warn Audit #1 "no team label on big"
`
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	if got := ps.Evaluate(ctx, objs[1]); len(got) != 0 {
		t.Errorf("a passing Deployment got %s", decisions(got))
	}
}

func TestUnboundPolicyIsSilent(t *testing.T) {
	ps := New(load(t, policy))
	if !ps.Empty() {
		t.Fatal("a policy without binding is bound")
	}
	if got := ps.Evaluate(context.Background(), load(t, deployment("big", 10, ""))[0]); got != nil {
		t.Errorf("got %s", decisions(got))
	}
}

func TestDefaultsBeforeAdmission(t *testing.T) {
	// replicas is defaulted to 1 by the API server before admission.
	p := strings.Replace(policy, "object.spec.replicas <= 5", "object.spec.replicas == 1 && object.spec.strategy.type == 'RollingUpdate'", 1)
	ps := New(load(t, p, binding("deny", "Deny")))
	d := load(t, strings.Replace(deployment("x", 1, "team: a"), "  replicas: 1\n", "", 1))[0]
	if got := ps.Evaluate(context.Background(), d); len(got) != 0 {
		t.Errorf("got %s", decisions(got))
	}
}

func TestNamespaceSelector(t *testing.T) {
	p := strings.Replace(policy, "  matchConstraints:\n", "  matchConstraints:\n    namespaceSelector: {matchLabels: {env: prod}}\n", 1)
	ns := `apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {env: prod}}`
	d := load(t, deployment("big", 10, "team: a"))[0]
	if got := New(load(t, p, binding("deny", "Deny"), ns)).Evaluate(context.Background(), d); len(got) != 1 {
		t.Errorf("in a prod namespace: got %s", decisions(got))
	}
	if got := New(load(t, p, binding("deny", "Deny"))).Evaluate(context.Background(), d); len(got) != 0 {
		t.Errorf("in a namespace the run does not define: got %s", decisions(got))
	}
}

func TestParams(t *testing.T) {
	p := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas <= int(params.data.max)
    messageExpression: "'at most ' + params.data.max + ' replicas'"`
	b := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limits}
spec:
  policyName: max-replicas
  validationActions: [Deny]
  paramRef: {name: limits, namespace: config, parameterNotFoundAction: Deny}`
	cm := `apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: config}
data: {max: "3"}`
	d := load(t, deployment("big", 4, ""))[0]
	got := decisions(New(load(t, p, b, cm)).Evaluate(context.Background(), d))
	if want := "max-replicas/limits Deny #0 \"at most 3 replicas\"\n"; got != want {
		t.Errorf("got %swant %s", got, want)
	}
	got = decisions(New(load(t, p, b)).Evaluate(context.Background(), d))
	if !strings.Contains(got, "no params found") {
		t.Errorf("without the ConfigMap: got %s", got)
	}
}

func TestMatchConditionsAndVariables(t *testing.T) {
	p := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  matchConditions:
  - {name: not-exempt, expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)"}
  variables:
  - {name: r, expression: object.spec.replicas}
  validations:
  - expression: variables.r <= 5`
	ps := New(load(t, p, binding("deny", "Deny")))
	objs := load(t, deployment("big", 10, ""), deployment("exempt", 10, "exempt: 'y'"))
	if got := decisions(ps.Evaluate(context.Background(), objs[0])); !strings.Contains(got, `Deny #0 "failed expression: variables.r <= 5"`) {
		t.Errorf("got %s", got)
	}
	if got := ps.Evaluate(context.Background(), objs[1]); len(got) != 0 {
		t.Errorf("an exempt Deployment: got %s", decisions(got))
	}
}

func TestFailurePolicyOnEvaluationError(t *testing.T) {
	p := strings.Replace(policy, "object.spec.replicas <= 5", "object.spec.nosuchfield == 1", 1)
	d := load(t, deployment("big", 1, "team: a"))[0]
	got := New(load(t, p, binding("deny", "Deny"))).Evaluate(context.Background(), d)
	if len(got) != 1 || !got[0].Error || !strings.Contains(got[0].Message, "no such key") {
		t.Errorf("failurePolicy Fail: got %s", decisions(got))
	}
	p = strings.Replace(p, "spec:\n", "spec:\n  failurePolicy: Ignore\n", 1)
	if got := New(load(t, p, binding("deny", "Deny"))).Evaluate(context.Background(), d); len(got) != 0 {
		t.Errorf("failurePolicy Ignore: got %s", decisions(got))
	}
}

func TestExcludeAndObjectSelector(t *testing.T) {
	p := strings.Replace(policy, "  matchConstraints:\n", "  matchConstraints:\n    objectSelector: {matchExpressions: [{key: skip, operator: DoesNotExist}]}\n    excludeResourceRules:\n    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments], resourceNames: [excluded]}\n", 1)
	ps := New(load(t, p, binding("deny", "Deny")))
	objs := load(t, deployment("excluded", 10, "team: a"), deployment("skipped", 10, "team: a, skip: x"), deployment("big", 10, "team: a"))
	for i, want := range []int{0, 0, 1} {
		if got := ps.Evaluate(context.Background(), objs[i]); len(got) != want {
			t.Errorf("%s: got %s", objs[i].Name, decisions(got))
		}
	}
}

// matchPolicy Equivalent (the default) matches a rule written for another
// version of the resource, and the object is converted to that version
// before evaluation; Exact does not match it.
func TestMatchPolicyEquivalent(t *testing.T) {
	p := strings.Replace(policy, "apiVersions: [v1]", "apiVersions: [v1beta2]", 1)
	p = strings.Replace(p, "object.spec.replicas <= 5", "object.apiVersion == 'apps/v1beta2' && object.spec.replicas <= 5", 1)
	d := load(t, deployment("big", 10, "team: a"))[0]
	got := decisions(New(load(t, p, binding("deny", "Deny"))).Evaluate(context.Background(), d))
	if want := "max-replicas/deny Deny #0 \"at most 5 replicas\"\n"; got != want {
		t.Errorf("Equivalent: got %swant %s", got, want)
	}
	exact := strings.Replace(p, "  matchConstraints:\n", "  matchConstraints:\n    matchPolicy: Exact\n", 1)
	if got := New(load(t, exact, binding("deny", "Deny"))).Evaluate(context.Background(), d); len(got) != 0 {
		t.Errorf("Exact: got %s", decisions(got))
	}
}

// A pod reaches validating admission with the tolerations the
// DefaultTolerationSeconds plugin adds in every cluster.
func TestPodDefaultTolerations(t *testing.T) {
	p := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: tolerations}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: object.spec.tolerations.size() == 0
    messageExpression: "string(object.spec.tolerations.size()) + ' tolerations, ' + string(object.spec.tolerations[0].tolerationSeconds)"`
	b := strings.Replace(binding("deny", "Deny"), "max-replicas", "tolerations", 1)
	pod := load(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: \"a:1\"}]}")[0]
	got := decisions(New(load(t, p, b)).Evaluate(context.Background(), pod))
	if want := "tolerations/deny Deny #0 \"2 tolerations, 300\"\n"; got != want {
		t.Errorf("got %swant %s", got, want)
	}
}

// TestResourceNames: the resource names that let a policy be skipped for
// a request naming none of them; nil (never skipped) when a rule names
// every resource or there are no rules. A policy for other resources is
// skipped and says nothing; one for "*" still denies.
func TestResourceNames(t *testing.T) {
	rules := func(res ...[]string) *admissionregistrationv1.MatchResources {
		mr := &admissionregistrationv1.MatchResources{}
		for _, r := range res {
			mr.ResourceRules = append(mr.ResourceRules, admissionregistrationv1.NamedRuleWithOperations{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{Rule: admissionregistrationv1.Rule{Resources: r}}})
		}
		return mr
	}
	for _, c := range []struct {
		mr   *admissionregistrationv1.MatchResources
		want map[string]bool
	}{
		{nil, nil},
		{rules(), nil},
		{rules([]string{"deployments", "pods/status"}, []string{"configmaps"}), map[string]bool{"deployments": true, "pods": true, "configmaps": true}},
		{rules([]string{"deployments"}, []string{"*"}), nil},
		{rules([]string{"*/scale"}), nil},
	} {
		if got := resourceNames(c.mr); !reflect.DeepEqual(got, c.want) {
			t.Errorf("resourceNames(%+v) = %v, want %v", c.mr, got, c.want)
		}
	}
	d := load(t, deployment("big", 10, "team: a"))[0]
	other := strings.Replace(policy, "resources: [deployments]", "resources: [configmaps]", 1)
	if other == policy {
		t.Fatal("the policy has no resources: [deployments]")
	}
	if got := New(load(t, other, binding("deny", "Deny"))).Evaluate(context.Background(), d); len(got) != 0 {
		t.Errorf("a policy for configmaps: %s", decisions(got))
	}
	every := strings.Replace(policy, "resources: [deployments]", `resources: ["*"]`, 1)
	if got := decisions(New(load(t, every, binding("deny", "Deny"))).Evaluate(context.Background(), d)); got == "" {
		t.Error("a policy for every resource said nothing")
	}
}
