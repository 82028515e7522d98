package rules

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// RoleBindingReference reports a RoleBinding or ClusterRoleBinding whose
// roleRef names a Role or ClusterRole, or whose subjects name a
// ServiceAccount, that the run does not have.
var RoleBindingReference = &rule.Rule{
	ID:        "role-binding-reference",
	Severity:  rule.Warning,
	Kinds:     []string{"rbac.authorization.k8s.io/v1/RoleBinding", "rbac.authorization.k8s.io/v1/ClusterRoleBinding"},
	Summaries: []*rule.Summary{refSigns, refIdents},
	TypedOnly: true,
	Check:     checkRoleBindingReference,
	Doc: `A RoleBinding or ClusterRoleBinding names a Role, ClusterRole or ServiceAccount that does not exist.

## What it does
Looks up the binding's ` + "`roleRef`" + `: a Role in the RoleBinding's namespace, or a
ClusterRole (which a RoleBinding may name too). The ClusterRoles every
cluster has (cluster-admin, admin, edit, view and the system: ones) always
exist, and so do kube-system's built-in Roles
(extension-apiserver-authentication-reader, the system: ones). Then each subject of kind ServiceAccount, in its ` + "`namespace`" + ` (a
RoleBinding's own when unset); the ` + "`default`" + ` ServiceAccount always exists. A
missing object is a finding only when the binding's folder, or a folder
above it, has objects of that kind in that namespace (any ClusterRole, which has none), or with
` + "`--require-references`" + `; and not when something else makes it: a folder
of test data (a path element ` + "`tests`" + `, ` + "`e2e`" + ` or ` + "`conformance`" + `), a
Role or ClusterRole of the folder (or one above) that may create it, or, for a
ServiceAccount, a custom resource in its namespace in the folder (an
operator's account). On ../shared/corpus its 2 findings are true (Calico's
canal-etcd.yaml binds flannel's role to a ServiceAccount "canal" while its
pods run as canal-node); the custom-resource sign took away a third, a
binding Rook's monitoring example leaves for the user to adapt.

## Why is this bad?
The binding grants nothing: a missing role has no rules, and a
ServiceAccount's name that matches no account of the pods (often a typo, or
the wrong namespace) leaves those pods without the permissions they need,
failing at run time with "forbidden".

## Example
` + "```yaml" + `
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects: [{kind: ServiceAccount, name: web}]
---
kind: Role
metadata: {name: pods-reader, namespace: shop}
` + "```" + `

## Use instead
` + "```yaml" + `
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods-reader}
` + "```",
}

// builtinClusterRole reports whether every cluster has the ClusterRole.
func builtinClusterRole(name string) bool {
	switch name {
	case "cluster-admin", "admin", "edit", "view":
		return true
	}
	return strings.HasPrefix(name, "system:")
}

// builtinRole reports whether every cluster has the Role: the API server
// makes a few in kube-system and kube-public.
func builtinRole(ns, name string) bool {
	switch ns {
	case "kube-system":
		return name == "extension-apiserver-authentication-reader" || strings.HasPrefix(name, "system:")
	case "kube-public":
		return name == "system:controller:bootstrap-signer"
	}
	return false
}

func checkRoleBindingReference(pass *rule.Pass, o *manifest.Object) {
	var roleRef rbacv1.RoleRef
	var subjects []rbacv1.Subject
	cluster := false
	switch t := o.Typed.(type) {
	case *rbacv1.RoleBinding:
		roleRef, subjects = t.RoleRef, t.Subjects
	case *rbacv1.ClusterRoleBinding:
		roleRef, subjects, cluster = t.RoleRef, t.Subjects, true
	default:
		return
	}
	const group = "rbac.authorization.k8s.io"
	want := func(at manifest.Path, g, kind, ns, name string) {
		if len(lookupIn(pass, o, g, kind, ns, name)) > 0 || !mustExistIn(pass, o, g, kind, ns, name) {
			return
		}
		where := ""
		if !rule.ClusterScoped(g, kind) {
			where = fmt.Sprintf(" in namespace %q", ns)
		}
		pass.Reportf(at, fmt.Sprintf("create %s %s%s, or name one that exists", kind, name, where),
			"%s %q does not exist%s among the linted files: this binding grants nothing to it", kind, name, where)
	}
	if roleRef.APIGroup == group && roleRef.Name != "" {
		switch {
		case roleRef.Kind == "Role" && !cluster && !builtinRole(rule.EffectiveNamespace(o), roleRef.Name):
			want(manifest.Path{}.Field("roleRef").Field("name"), group, "Role", rule.EffectiveNamespace(o), roleRef.Name)
		case roleRef.Kind == "ClusterRole" && !builtinClusterRole(roleRef.Name):
			want(manifest.Path{}.Field("roleRef").Field("name"), group, "ClusterRole", "", roleRef.Name)
		}
	}
	for i, s := range subjects {
		if s.Kind != "ServiceAccount" || s.Name == "" || s.Name == "default" {
			continue
		}
		ns := s.Namespace
		if ns == "" {
			if cluster {
				continue // the API server requires it; its validation says so
			}
			ns = rule.EffectiveNamespace(o)
		}
		want(manifest.Path{}.Field("subjects").Item(i).Field("name"), "", "ServiceAccount", ns, s.Name)
	}
}
