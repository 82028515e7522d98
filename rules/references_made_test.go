package rules_test

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/internal/testfs"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// lintTree writes files under a temporary folder and lints it with rs,
// returning "path:line: rule" for each finding, sorted.
func lintTree(t *testing.T, files map[string]string, complete bool, rs ...*rule.Rule) []string {
	t.Helper()
	dir := t.TempDir()
	testfs.Write(t, dir, files)
	out := validate.Lint(context.Background(), []string{dir}, manifest.Options{},
		validate.Options{Rules: rs, Settings: rule.Settings{Complete: complete}})
	var got []string
	for _, f := range out.Findings {
		rel, _ := filepath.Rel(dir, f.File)
		got = append(got, filepath.ToSlash(rel)+":"+strconv.Itoa(f.Line)+": "+f.Rule)
	}
	sort.Strings(got)
	return got
}

// TestReferencesInTestFolders: a folder of test data (tests, e2e,
// conformance) names backends its harness creates; the same route
// elsewhere is a finding, and so it is there with --require-references.
func TestReferencesInTestFolders(t *testing.T) {
	const route = `apiVersion: v1
kind: Service
metadata: {name: infra, namespace: gw}
spec:
  ports: [{port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: gw}
spec:
  rules:
  - backendRefs: [{name: infra-backend-v1, port: 8080}]
`
	files := map[string]string{
		"conformance/tests/route.yaml": route,
		"app/e2e/route.yaml":           route,
		"app/route.yaml":               route,
		"app/testing/route.yaml":       route,
	}
	got := strings.Join(lintTree(t, files, false, rules.RouteBackend), "\n")
	want := "app/route.yaml:12: route-backend\napp/testing/route.yaml:12: route-backend"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	got = strings.Join(lintTree(t, files, true, rules.RouteBackend), "\n")
	if n := strings.Count(got, "route-backend"); n != 4 {
		t.Errorf("--require-references: %d findings, want 4:\n%s", n, got)
	}
}

// TestTestFoldersBelowTheWorkingFolder: only the folders below the one
// kvet runs in can make a file test data; a repository cloned into a
// folder named e2e, linted by absolute path, is judged.
func TestTestFoldersBelowTheWorkingFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "e2e", "repo")
	testfs.Write(t, root, map[string]string{"app/route.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: infra, namespace: gw}\nspec:\n  ports: [{port: 80}]\n---\n" +
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: gw}\nspec:\n  rules:\n  - backendRefs: [{name: missing, port: 8080}]\n"})
	t.Chdir(root)
	out := validate.Lint(context.Background(), []string{root}, manifest.Options{}, validate.Options{Rules: []*rule.Rule{rules.RouteBackend}})
	if len(out.Findings) != 1 || out.Findings[0].Rule != "route-backend" {
		t.Errorf("got %v, want one route-backend finding: only folders below the working folder are test data", out.Findings)
	}
}

// webDeploy is a Deployment "web" that sets replicas, the target of the
// HPAs of the tests below.
const webDeploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
`

// TestHPAReplicasOtherFolder: an HPA's target of the same name in another
// folder exists, but is not the workload it scales: its replicas are not
// judged, unless the run is the whole application.
func TestHPAReplicasOtherFolder(t *testing.T) {
	const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
`
	files := map[string]string{"a/deploy.yaml": webDeploy, "b/hpa.yaml": hpa, "c/deploy.yaml": webDeploy, "c/hpa.yaml": hpa}
	got := strings.Join(lintTree(t, files, false, rules.HPATarget), "\n")
	if got != "c/hpa.yaml:5: hpa-target" {
		t.Errorf("got %q, want only c's HPA", got)
	}
	got = strings.Join(lintTree(t, files, true, rules.HPATarget), "\n")
	if got != "b/hpa.yaml:5: hpa-target\nc/hpa.yaml:5: hpa-target" {
		t.Errorf("--require-references: got %q", got)
	}
}

// TestStorageClassFromConfigMapElsewhere: a StorageClass that an
// installer makes from a manifest in a ConfigMap exists for the claims of
// every folder (Longhorn: the ConfigMap in deploy/, the claims in
// examples/ beside another class); another name there is still judged.
func TestStorageClassFromConfigMapElsewhere(t *testing.T) {
	files := map[string]string{
		"deploy/install.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: storageclass, namespace: storage-system}\n" +
			"data:\n  storageclass.yaml: |\n    kind: StorageClass\n    apiVersion: storage.k8s.io/v1\n    metadata: {name: replicated}\n    provisioner: driver.example.com\n",
		"examples/class.yaml": "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: replicated-test}\nprovisioner: driver.example.com\n",
		"examples/pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\nspec:\n  storageClassName: replicated\n" +
			"---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: b}\nspec:\n  storageClassName: replicate\n",
	}
	got := strings.Join(lintTree(t, files, false, rules.PVCStorageClass), "\n")
	if got != "examples/pvc.yaml:11: pvc-storage-class" {
		t.Errorf("got %q, want only the claim of class replicate", got)
	}
}

// TestHPATargetParentFolder: an HPA in a subfolder of its Deployment's
// folder (the application's hpa/) scales that Deployment: its replicas
// are judged, and a Deployment missing from it is a finding since the
// application has Deployments; a Deployment of a sibling or a child
// folder is neither.
func TestHPATargetParentFolder(t *testing.T) {
	hpa := func(target string) string {
		return "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: " + target + "}\nspec:\n" +
			"  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: " + target + "}\n  minReplicas: 2\n  maxReplicas: 5\n"
	}
	files := map[string]string{
		"app/deploy.yaml": webDeploy, "app/hpa/hpa.yaml": hpa("web"), "app/hpa/missing.yaml": hpa("api"),
		"other/hpa/hpa.yaml": hpa("web"), "other/sub/deploy.yaml": webDeploy, "other/deploy/hpa.yaml": hpa("gone"),
	}
	got := strings.Join(lintTree(t, files, false, rules.HPATarget), "\n")
	want := "app/hpa/hpa.yaml:5: hpa-target\napp/hpa/missing.yaml:5: hpa-target"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestReferencesParentFolder: a route in a subfolder of its application
// is judged against the Services of the folders above it, and so are the
// signs there (a Role that lets the application create Services).
func TestReferencesParentFolder(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  ports: [{port: 80}]\n"
	const role = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: maker, namespace: shop}\n" +
		"rules: [{apiGroups: [\"\"], resources: [services], verbs: [create]}]\n"
	const route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec:\n" +
		"  rules:\n  - backendRefs: [{name: api, port: 80}]\n"
	files := map[string]string{
		"a/svc.yaml": svc, "a/routes/route.yaml": route, // judged: a/ has Services
		"b/svc.yaml": svc + role, "b/routes/route.yaml": route, // b/ may create Services
		"c/routes/svc.yaml": svc, "c/route.yaml": route, // a child folder's Services do not count
	}
	got := strings.Join(lintTree(t, files, false, rules.RouteBackend), "\n")
	if got != "a/routes/route.yaml:6: route-backend" {
		t.Errorf("got %q, want a's route only", got)
	}
}
