package rules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// The signs that something other than the linted files makes an object a
// reference names (issue 18's precision): on ../shared/corpus every false
// missing-target finding of the reference rules named an object that a
// controller, an operator, a test harness or the cluster makes. A
// reference whose target one of these signs accounts for is not judged.
//
//   - a folder of test data (a path element tests, e2e or conformance):
//     its harness creates what the fixtures name (Gateway API's
//     conformance backends, kuttl and chainsaw steps), unless the run
//     claims to be complete;
//   - an object that makes a Secret of that name: a cert-manager
//     Certificate's spec.secretName, an ExternalSecret's target, a
//     SealedSecret (in any folder of the run);
//   - a Role in the namespace, or a ClusterRole, in the folder or a
//     parent folder (the run, with --require-references) that lets
//     someone create objects of the kind: the application makes them as
//     it runs (Argo CD's redis Secret made by a Job, istiod's CA
//     ConfigMap, Rook's mon endpoints);
//   - for Services, ServiceAccounts and pods, a custom resource in the
//     namespace in the folder or a parent folder (the run): an operator
//     makes them for it
//     (Rook's dashboard and mgr Services, an OpenTelemetryCollector's
//     ServiceAccount); resources that only configure routing, monitoring,
//     certificates or scaling do not count;
//   - for Services, a namespace of the cluster's own (kube-system,
//     kube-public): its Services are the cluster's add-ons (DNS, the
//     dashboard, metrics-server), unless the run claims to be complete.

// refSigns summarizes the objects that are such signs.
var refSigns = &rule.Summary{Make: makeRefSigns}

// refSign is one: objects of kind in namespace ns ("*": any) named name
// ("": any) are made by something, which is in folder (a named maker:
// "", it counts wherever it is).
type refSign struct {
	folder, ns, kind, name string
}

// crSign is refSign's kind for "a custom resource is here".
const crSign = "*custom resource*"

// madeKinds are the kinds a create permission on a core resource makes.
var madeKinds = map[string]string{
	"secrets": "Secret", "configmaps": "ConfigMap", "serviceaccounts": "ServiceAccount",
	"services": "Service", "persistentvolumeclaims": "PersistentVolumeClaim",
}

func makeRefSigns(o *manifest.Object) any {
	switch o.Group() {
	case "rbac.authorization.k8s.io":
		return roleSigns(o)
	case "cert-manager.io":
		if o.Kind == "Certificate" {
			name, _ := o.Value("spec", "secretName").(string)
			return secretSign(o, name)
		}
		return nil
	case "external-secrets.io":
		if o.Kind == "ExternalSecret" {
			name, _ := o.Value("spec", "target", "name").(string)
			if name == "" {
				name = o.Name
			}
			return secretSign(o, name)
		}
		return nil
	case "bitnami.com":
		if o.Kind == "SealedSecret" {
			return secretSign(o, o.Name)
		}
		return nil
	}
	if o.Typed != nil || !o.Unchecked() || o.Kind == "CustomResourceDefinition" || passiveResource(o.Group(), o.Kind) {
		return nil
	}
	return []refSign{{folder: folderOf(o), ns: rule.EffectiveNamespace(o), kind: crSign}}
}

func secretSign(o *manifest.Object, name string) any {
	if name == "" {
		return nil
	}
	return []refSign{{ns: rule.EffectiveNamespace(o), kind: "Secret", name: name}}
}

// roleSigns are the kinds a Role or ClusterRole lets its subjects create.
func roleSigns(o *manifest.Object) any {
	var rules []rbacv1.PolicyRule
	ns := "*"
	switch t := o.Typed.(type) {
	case *rbacv1.Role:
		rules, ns = t.Rules, rule.EffectiveNamespace(o)
	case *rbacv1.ClusterRole:
		rules = t.Rules
	default:
		return nil
	}
	var out []refSign
	for _, r := range rules {
		if !slices.Contains(r.APIGroups, "") && !slices.Contains(r.APIGroups, "*") ||
			!slices.Contains(r.Verbs, "create") && !slices.Contains(r.Verbs, "*") {
			continue
		}
		for _, res := range r.Resources {
			if res == "*" {
				for _, k := range madeKinds {
					out = append(out, refSign{folder: folderOf(o), ns: ns, kind: k})
				}
			} else if k, ok := madeKinds[res]; ok {
				out = append(out, refSign{folder: folderOf(o), ns: ns, kind: k})
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// passiveResource reports whether a custom resource only configures
// others (routes, monitors, certificates, autoscalers, policies) rather
// than asking an operator to run something.
func passiveResource(group, kind string) bool {
	switch group {
	case "gateway.networking.k8s.io", "networking.istio.io", "security.istio.io", "telemetry.istio.io",
		"cert-manager.io", "autoscaling.k8s.io", "policy.networking.k8s.io", "external-secrets.io", "bitnami.com":
		return true
	case "monitoring.coreos.com":
		switch kind {
		case "ServiceMonitor", "PodMonitor", "Probe", "PrometheusRule", "ScrapeConfig", "AlertmanagerConfig":
			return true
		}
	}
	return false
}

// testFolder reports whether a folder holds test data: a path element
// tests, e2e or conformance.
func testFolder(dir string) bool {
	// Only the folders below the one kvet runs in count: a repository
	// cloned into ~/e2e/ is not test data (the editor and "kvet lint $PWD"
	// give absolute paths).
	if filepath.IsAbs(dir) {
		if wd, err := os.Getwd(); err == nil { // asked only for a missing target
			if rel, err := filepath.Rel(wd, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				dir = rel
			}
		}
	}
	for _, e := range strings.Split(filepath.ToSlash(dir), "/") {
		switch e {
		case "tests", "e2e", "conformance":
			return true
		}
	}
	return false
}

type refSignsKey bool

// madeElsewhere reports whether a sign says that something other than the
// linted files makes the object of kind named name in namespace ns ("" a
// cluster-scoped kind; name "" any object, for a selector) that o refers
// to.
func madeElsewhere(pass *rule.Pass, o *manifest.Object, kind, ns, name string) bool {
	complete := pass.Settings.Complete
	dir := folderOf(o)
	if !complete && testFolder(dir) {
		return true
	}
	if kind == "Service" && !complete && (ns == "kube-system" || ns == "kube-public") {
		return true
	}
	signs := pass.Index.Memo(refSignsKey(complete), func() any {
		m := map[refSign]bool{}
		for _, v := range pass.Index.Summaries(refSigns) {
			for _, s := range v.([]refSign) {
				if complete {
					s.folder = ""
				}
				m[s] = true
			}
		}
		return m
	}).(map[refSign]bool)
	if len(signs) == 0 {
		return false
	}
	if complete {
		dir = ""
	}
	if name != "" && signs[refSign{ns: ns, kind: kind, name: name}] {
		return true
	}
	// The signs of o's folder and of its parent folders count, as their
	// objects do for mustExist: the application o is part of.
	for dir := range foldersUp(dir) {
		if signs[refSign{folder: dir, ns: ns, kind: kind}] || signs[refSign{folder: dir, ns: "*", kind: kind}] {
			return true
		}
		switch kind {
		case "Service", "ServiceAccount", "Pod":
			if signs[refSign{folder: dir, ns: ns, kind: crSign}] {
				return true
			}
		}
		if complete {
			break
		}
	}
	return false
}
