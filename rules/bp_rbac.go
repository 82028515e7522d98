package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

var roleKinds = []string{"rbac.authorization.k8s.io/*/Role", "rbac.authorization.k8s.io/*/ClusterRole"}

// policyRulesOf returns the rules of a Role or ClusterRole (v1 and the
// removed v1beta1), each as v1.
func policyRulesOf(o *manifest.Object) []rbacv1.PolicyRule {
	switch t := o.Typed.(type) {
	case *rbacv1.Role:
		return t.Rules
	case *rbacv1.ClusterRole:
		return t.Rules
	case *rbacv1beta1.Role:
		return convertRules(t.Rules)
	case *rbacv1beta1.ClusterRole:
		return convertRules(t.Rules)
	}
	return nil
}

func convertRules(in []rbacv1beta1.PolicyRule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(in))
	for i, r := range in {
		out[i] = rbacv1.PolicyRule{Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs}
	}
	return out
}

var pathRules = manifest.Path{}.Field("rules")

// grants reports whether the rule grants one of verbs in one of groups
// ("*" counts as any).
func grants(r rbacv1.PolicyRule, groups, verbs []string) bool {
	g := slices.Contains(r.APIGroups, "*")
	for _, x := range groups {
		g = g || slices.Contains(r.APIGroups, x)
	}
	if !g {
		return false
	}
	if slices.Contains(r.Verbs, "*") {
		return true
	}
	for _, v := range verbs {
		if slices.Contains(r.Verbs, v) {
			return true
		}
	}
	return false
}

// RBACWildcard reports "*" in a role's verbs, resources or apiGroups.
var RBACWildcard = &rule.Rule{
	ID: "rbac-wildcard", Severity: rule.Warning, Kinds: roleKinds, Off: true, Sets: []string{"rbac"},
	Check: checkRBACWildcard,
	Doc: bpDoc(`A Role or ClusterRole rule grants "*" (every verb, resource or API group).`,
		`Reports each "*" in the verbs, resources or apiGroups of a Role's or
ClusterRole's rules.`,
		`A wildcard grants more than its author could list: every verb includes
escalate, bind and impersonate where they apply, and every resource
includes Secrets and whatever custom resources are installed later.
(CIS Kubernetes Benchmark 5.1.3.)`,
		`rules:
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["*"]`,
		`rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch", "patch"]`),
}

func checkRBACWildcard(pass *rule.Pass, o *manifest.Object) {
	for i, r := range policyRulesOf(o) {
		for _, f := range []struct {
			name, what string
			list       []string
		}{{"apiGroups", "every API group", r.APIGroups}, {"resources", "every resource", r.Resources}, {"verbs", "every verb", r.Verbs}} {
			if j := slices.Index(f.list, "*"); j >= 0 {
				pass.Reportf(pathRules.Item(i).Field(f.name).Item(j),
					"list the "+f.name+" the subject needs instead of \"*\"",
					"rule %d of %s %q grants %s (\"*\" in %s)", i+1, o.Kind, o.Name, f.what, f.name)
			}
		}
	}
}

// RBACClusterAdmin reports a binding to the cluster-admin role.
var RBACClusterAdmin = &rule.Rule{
	ID: "rbac-cluster-admin", Severity: rule.Warning,
	Kinds: []string{"rbac.authorization.k8s.io/*/RoleBinding", "rbac.authorization.k8s.io/*/ClusterRoleBinding"},
	Off:   true, Sets: []string{"rbac"},
	Context: roleKinds, ContextTyped: true,
	Check: checkRBACClusterAdmin,
	Doc: bpDoc("A RoleBinding or ClusterRoleBinding grants the cluster-admin role.",
		`Reports a binding whose roleRef names cluster-admin (a ClusterRole, or a
Role of that name), or a role of the run that grants as much: every verb
(or get, list, watch, create, update, patch and delete) on every resource
of every API group. Kubernetes' own binding of system:masters is not
reported.`,
		`cluster-admin can do anything to every object; a ClusterRoleBinding to it
makes its subjects root on the cluster, and even a RoleBinding gives full
control of the namespace, its Secrets and RBAC included. (CIS Kubernetes
Benchmark 5.1.1.)`,
		`kind: ClusterRoleBinding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}`,
		`kind: RoleBinding            # in the namespace it deploys to
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}`),
}

func checkRBACClusterAdmin(pass *rule.Pass, o *manifest.Object) {
	var ref rbacv1.RoleRef
	var subjects []rbacv1.Subject
	switch t := o.Typed.(type) {
	case *rbacv1.RoleBinding:
		ref, subjects = t.RoleRef, t.Subjects
	case *rbacv1.ClusterRoleBinding:
		ref, subjects = t.RoleRef, t.Subjects
	default:
		return
	}
	what := "cluster-admin"
	if ref.Name != "cluster-admin" {
		ns := ""
		if ref.Kind == "Role" {
			ns = rule.EffectiveNamespace(o)
		}
		if !allPowerful(pass.Index)[ref.Kind+"/"+ns+"/"+ref.Name] {
			return
		}
		what = fmt.Sprintf("%s %q, which grants every verb on every resource as cluster-admin does, and so", ref.Kind, ref.Name)
	}
	masters := len(subjects) > 0
	for _, s := range subjects {
		masters = masters && s.Kind == rbacv1.GroupKind && s.Name == "system:masters"
	}
	if masters {
		return
	}
	pass.Reportf(manifest.Path{}.Field("roleRef").Field("name"),
		"bind a Role or ClusterRole that grants only what the subjects need",
		"%s %q grants %s, full control of %s", o.Kind, o.Name, what, scopeOf(o.Kind))
}

type allPowerfulKey struct{}

var allVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete"}

// allPowerful is the set of "Kind/namespace/name" (no namespace for a
// ClusterRole) of the run's roles with a rule granting every verb on every
// resource of every API group, built once per run.
func allPowerful(ix *rule.Index) map[string]bool {
	return ix.Memo(allPowerfulKey{}, func() any {
		m := map[string]bool{}
		for _, kind := range []string{"Role", "ClusterRole"} {
			for _, o := range ix.ByKind("rbac.authorization.k8s.io", kind) {
				ns := ""
				if kind == "Role" {
					ns = rule.EffectiveNamespace(o)
				}
				for _, r := range policyRulesOf(o) {
					if !slices.Contains(r.APIGroups, "*") || !slices.Contains(r.Resources, "*") {
						continue
					}
					all := true
					for _, v := range allVerbs {
						if !slices.Contains(r.Verbs, v) {
							all = false
							break
						}
					}
					if all || slices.Contains(r.Verbs, "*") {
						m[kind+"/"+ns+"/"+o.Name] = true
					}
				}
			}
		}
		return m
	}).(map[string]bool)
}

func scopeOf(kind string) string {
	if kind == "ClusterRoleBinding" {
		return "the whole cluster"
	}
	return "the namespace"
}

// RBACSecretsAccess reports roles that can read Secrets.
var RBACSecretsAccess = &rule.Rule{
	ID: "rbac-secrets-access", Severity: rule.Warning, Kinds: roleKinds, Off: true, Sets: []string{"rbac"},
	Check: checkRBACSecretsAccess,
	Doc: bpDoc("A Role or ClusterRole can read Secrets.",
		`Reports a rule that names the resource secrets in the core API group with
get, list or watch (or "*"). Rules restricted by resourceNames are not
reported; a "*" resource is rbac-wildcard's. kube-linter's access-to-secrets
also reports create and delete, which do not disclose a Secret.`,
		`Reading Secrets discloses every credential in their scope, ServiceAccount
tokens of older clusters included, and list and watch disclose their
contents as well as get. (CIS Kubernetes Benchmark 5.1.2.)`,
		`rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "watch"]`,
		`rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["app-tls"]   # only the Secret it needs
    verbs: ["get"]`),
}

func checkRBACSecretsAccess(pass *rule.Pass, o *manifest.Object) {
	for i, r := range policyRulesOf(o) {
		j := slices.Index(r.Resources, "secrets")
		if j < 0 || len(r.ResourceNames) > 0 || !grants(r, []string{""}, []string{"get", "list", "watch"}) {
			continue
		}
		pass.Reportf(pathRules.Item(i).Field("resources").Item(j),
			"grant access to the Secrets the subject needs by resourceNames, or mount them into its pods instead",
			"rule %d of %s %q can read every Secret in its scope (%s)", i+1, o.Kind, o.Name, strings.Join(r.Verbs, ", "))
	}
}

// RBACPodExec reports roles that can exec into or attach to pods.
var RBACPodExec = &rule.Rule{
	ID: "rbac-pod-exec", Severity: rule.Warning, Kinds: roleKinds, Off: true, Sets: []string{"rbac"},
	Check: checkRBACPodExec,
	Doc: bpDoc("A Role or ClusterRole can exec into or attach to pods.",
		`Reports a rule granting create or get (or "*") on pods/exec, pods/attach,
pods/* or "*" in the core API group. Each role is reported once, at its
rule, not again at the bindings that use it (polaris also reports the
bindings). Kubernetes' own roles (admin, edit, cluster-admin,
system:controller:*, those labelled kubernetes.io/bootstrapping:
rbac-defaults) are not reported.`,
		`Exec runs any command in any container in scope, with that container's
ServiceAccount token, mounted Secrets and network access: it is as good as
owning the workloads. GET was enough for exec over WebSockets before
Kubernetes 1.31.`,
		`rules:
  - apiGroups: [""]
    resources: ["pods/exec"]
    verbs: ["create"]`,
		`rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list"]`),
}

// defaultRole reports whether a role is one Kubernetes itself defines
// (admin, edit, cluster-admin, the controllers' system:controller:*, or
// any labelled kubernetes.io/bootstrapping: rbac-defaults).
func defaultRole(o *manifest.Object) bool {
	switch {
	case o.Kind != "ClusterRole":
		return false
	case o.Name == "admin" || o.Name == "edit" || o.Name == "cluster-admin" || strings.HasPrefix(o.Name, "system:controller:"):
		return true
	}
	meta, ok := o.Typed.(interface{ GetLabels() map[string]string })
	return ok && meta.GetLabels()["kubernetes.io/bootstrapping"] == "rbac-defaults"
}

func checkRBACPodExec(pass *rule.Pass, o *manifest.Object) {
	if defaultRole(o) {
		return
	}
	for i, r := range policyRulesOf(o) {
		if !grants(r, []string{""}, []string{"create", "get"}) {
			continue
		}
		for j, res := range r.Resources {
			what := res
			switch res {
			case "pods/exec", "pods/attach":
			case "*", "pods/*":
				what = strconv.Quote(res) + ", which includes pods/exec"
			default:
				continue
			}
			pass.Reportf(pathRules.Item(i).Field("resources").Item(j),
				"grant exec and attach to people through a separate, audited role, not to this one",
				"rule %d of %s %q can run commands in pods (%s)", i+1, o.Kind, o.Name, what)
		}
	}
}

// RBACCreatePods reports roles that can create pods or workloads.
var RBACCreatePods = &rule.Rule{
	ID: "rbac-create-pods", Severity: rule.Info, Kinds: roleKinds, Off: true, Sets: []string{"rbac"},
	Check: checkRBACCreatePods,
	Doc: bpDoc("A Role or ClusterRole can create pods or workloads.",
		`Reports a rule granting create (or "*") on pods or on a workload resource
(deployments, statefulsets, daemonsets, replicasets, jobs, cronjobs,
replicationcontrollers) in the core, apps or batch API group. Info: deploy
tools and controllers need it.`,
		`Whoever can create a pod can run it with any ServiceAccount of the
namespace and mount any Secret or ConfigMap in it, so creating pods
reaches everything the namespace can. (CIS Kubernetes Benchmark 5.1.4.)`,
		`rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["create"]`,
		`rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list", "watch"]`),
}

var workloadResources = map[string]string{
	"pods": "", "replicationcontrollers": "", "deployments": "apps", "statefulsets": "apps", "daemonsets": "apps",
	"replicasets": "apps", "jobs": "batch", "cronjobs": "batch",
}

func checkRBACCreatePods(pass *rule.Pass, o *manifest.Object) {
	for i, r := range policyRulesOf(o) {
		for j, res := range r.Resources {
			g, ok := workloadResources[res]
			if !ok || !grants(r, []string{g}, []string{"create"}) {
				continue
			}
			pass.Reportf(pathRules.Item(i).Field("resources").Item(j),
				"grant create on "+res+" only to deploy tools and controllers that need it",
				"rule %d of %s %q can create %s, and so run any ServiceAccount and mount any Secret of its scope", i+1, o.Kind, o.Name, res)
		}
	}
}
