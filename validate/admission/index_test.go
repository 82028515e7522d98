package admission

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/kvetdev/kvet/internal/sharedtest"
	"github.com/kvetdev/kvet/manifest"
)

// sameWithoutIndex evaluates every object of objs against the policies
// and bindings among them with the binding index and without it (every
// binding of every policy through the plugin's matcher), and fails on any
// difference; it returns how many decisions there were.
func sameWithoutIndex(t *testing.T, name string, objs []*manifest.Object) int {
	t.Helper()
	ps := New(objs)
	all := New(objs)
	all.noIndex = true
	ctx := context.Background()
	n := 0
	for _, o := range objs {
		got, want := ps.Evaluate(ctx, o), all.Evaluate(ctx, o)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s %s/%s (%s:%d): with the binding index\n%s\nwithout\n%s", name, o.Kind, o.Namespace, o.Name, o.Source.Path, o.Pos().Line, decisions(got), decisions(want))
		}
		n += len(want)
	}
	return n
}

// Bindings per team and environment: by an object label, by a namespace
// label (of a Namespace of the run, of one the run does not define, of a
// Namespace's own request), by both, by matchExpressions only, and none;
// policies that match everything (cluster-scoped objects too) and one
// with a paramKind.
func indexCase() []string {
	docs := []string{
		`apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod, team: a}}`,
		`apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev, team: b}}`,
		`apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: prod}
data: {max: "3"}`,
	}
	policy := func(name, resources, expr, paramKind string) string {
		return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: %s}
spec:
  %s
  matchConstraints:
    resourceRules:
    - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE], resources: [%s]}
  validations:
  - expression: %q
    message: %s fails`, name, paramKind, resources, expr, name)
	}
	docs = append(docs,
		policy("named", `"*"`, "object.metadata.name.size() < 4", ""),
		policy("replicas", "deployments", "object.spec.replicas <= 2", ""),
		policy("by-param", "deployments", "object.spec.replicas <= int(params.data.max)", "paramKind: {apiVersion: v1, kind: ConfigMap}"),
	)
	binding := func(name, policy, match string) string {
		return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: %s}
spec:
  policyName: %s
  validationActions: [Deny]
  %s`, name, policy, match)
	}
	for _, p := range []string{"named", "replicas"} {
		docs = append(docs,
			binding(p+"-team-a", p, "matchResources: {objectSelector: {matchLabels: {team: a}}}"),
			binding(p+"-team-b-web", p, "matchResources: {objectSelector: {matchLabels: {team: b, app: web}}}"),
			binding(p+"-prod", p, "matchResources: {namespaceSelector: {matchLabels: {env: prod}}}"),
			binding(p+"-qa", p, "matchResources: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: qa}}}"),
			binding(p+"-both", p, "matchResources: {namespaceSelector: {matchLabels: {env: dev}}, objectSelector: {matchLabels: {team: b}}}"),
			binding(p+"-expr", p, "matchResources: {objectSelector: {matchExpressions: [{key: team, operator: In, values: [c]}]}}"),
			binding(p+"-all", p, ""),
		)
	}
	docs = append(docs, binding("by-param-a", "by-param", "paramRef: {name: limits, namespace: prod, parameterNotFoundAction: Deny}\n  matchResources: {objectSelector: {matchLabels: {team: a}}}"))
	deploy := func(name, ns, labels string, replicas int) string {
		return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s, labels: {%s}}
spec:
  replicas: %d
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: x, image: "x:1"}]}`, name, ns, labels, replicas)
	}
	docs = append(docs,
		deploy("a-web", "prod", "team: a", 5),
		deploy("b-web", "dev", "team: b, app: web", 5),
		deploy("b-api", "dev", "team: b, app: api", 1),
		deploy("c-web", "qa", "team: c", 4),
		deploy("none", "other", "", 4),
		`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-wide, labels: {team: a}}`,
		`apiVersion: v1
kind: Namespace
metadata: {name: staging, labels: {env: prod}}`,
	)
	return docs
}

func TestBindingIndexSameVerdicts(t *testing.T) {
	objs := load(t, indexCase()...)
	ps := New(objs)
	if !ps.index.keyed {
		t.Fatal("no binding filed under a label")
	}
	n := sameWithoutIndex(t, "index case", objs)
	if n < 20 {
		t.Errorf("only %d decisions: the case no longer exercises the bindings", n)
	}
	// The index lets through fewer bindings than there are: it skips.
	total := 0
	for _, h := range ps.hooks {
		total += len(h.bindings)
	}
	for _, o := range objs {
		if o.Kind != "Deployment" || o.Name != "none" {
			continue
		}
		req := ps.newRequest(o)
		if got := len(ps.index.candidates(req.match, ps.namespaceLabels)); got >= total || got != 4 {
			t.Errorf("Deployment none: %d of %d bindings are candidates, want the 4 without matchLabels (two -all, two -expr)", got, total)
		}
	}
}

// The rule's test data and the shared corpus, each file's policies
// against the file's objects, and the corpus's against all of its.
func TestBindingIndexSameVerdictsOnFiles(t *testing.T) {
	files, _ := filepath.Glob("../../rules/testdata/admission-policy/*.yaml")
	more, _ := filepath.Glob("../../rules/testdata/admission-policy/*/*.yaml")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no test data")
	}
	n := 0
	for _, f := range files {
		res := manifest.Load([]string{f}, manifest.Options{})
		n += sameWithoutIndex(t, f, res.Objects)
	}
	if n == 0 {
		t.Error("no decision on the rule's test data")
	}
	dir, ok := sharedtest.Corpus(t)
	if !ok {
		t.Skip("the shared corpus is not read")
	}
	res := manifest.Load([]string{dir}, manifest.Options{})
	// Each copy of the corpus's bound policies with a binding that selects
	// one label of the objects, as a repository binding per team does.
	var objs []*manifest.Object
	for _, o := range res.Objects {
		objs = append(objs, o)
		if b, ok := o.Typed.(*admissionregistrationv1.ValidatingAdmissionPolicyBinding); ok {
			objs = append(objs, load(t, fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: %s-by-label}
spec:
  policyName: %s
  validationActions: [Warn]
  matchResources: {objectSelector: {matchLabels: {app.kubernetes.io/name: grafana}}}`, b.Name, b.Spec.PolicyName))...)
		}
	}
	if n := sameWithoutIndex(t, "corpus", objs); n == 0 {
		t.Error("no decision on the corpus")
	}
}
