package rules

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/cel-go/common"
	"github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/parser"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/validate/admission"
)

const admissionGroup = "admissionregistration.k8s.io"

// AdmissionPolicy evaluates the run's ValidatingAdmissionPolicies that
// have bindings (and those of --admission-policies) against every object,
// as the API server's admission plugin would on its CREATE.
var AdmissionPolicy = &rule.Rule{
	ID:       "admission-policy",
	Severity: rule.Error,
	Apart:    true, // the API server's validation errors come first, and stay
	Context: []string{
		admissionGroup + "/v1/ValidatingAdmissionPolicy",
		admissionGroup + "/v1/ValidatingAdmissionPolicyBinding",
	},
	MoreContext: admissionMoreContext,
	Check:       checkAdmissionPolicy,
	Doc: `A ValidatingAdmissionPolicy of the run denies the object (or warns, or audits).

## What it does
Every ValidatingAdmissionPolicy that has a ValidatingAdmissionPolicyBinding,
among the linted files or in ` + "`--admission-policies`" + ` folders, is evaluated
against every object of the run as the API server's admission plugin would
evaluate it when the object is created, with the plugin's own code
(Kubernetes 1.37): matchConstraints (resource rules, excludeResourceRules,
matchPolicy, namespaceSelector against the Namespaces of the run,
objectSelector), matchConditions, variables, params (paramKind and the
binding's paramRef, found among the linted objects and the policy folders),
messageExpression, failurePolicy. The binding's validationActions set the
severity: Deny is an error, Warn a warning, Audit an info. The finding
names the policy and binding and points at the field the failed
expression reads when it reads one (` + "`object.spec.replicas`" + `), else at
the object's name. A policy without a binding reports nothing, as in a
cluster; auditAnnotations are not evaluated.

## Why is this bad?
The cluster rejects the object when it is applied (Deny), or prints a
warning (Warn): finding it in the pull request is cheaper than finding it
in the deployment.

## Example
` + "```yaml" + `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas <= 5
    message: at most 5 replicas
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas}
spec: {policyName: max-replicas, validationActions: [Deny]}
---
apiVersion: apps/v1
kind: Deployment
spec:
  replicas: 10
` + "```" + `

## Use instead
` + "```yaml" + `
apiVersion: apps/v1
kind: Deployment
spec:
  replicas: 5
` + "```",
}

// admissionMoreContext: once the policies and bindings are known, what
// the policies that have a binding read besides the object: the
// Namespaces when a namespaceSelector or an expression (namespaceObject)
// needs them, and the params of their paramKinds, looked for by their
// names where every binding names its param; nothing when no policy has a
// binding.
func admissionMoreContext(ix *rule.Index) (kinds, words []string) {
	bindings := map[string][]*admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	for _, o := range ix.ByKind(admissionGroup, "ValidatingAdmissionPolicyBinding") {
		if b, ok := o.Typed.(*admissionregistrationv1.ValidatingAdmissionPolicyBinding); ok {
			bindings[b.Spec.PolicyName] = append(bindings[b.Spec.PolicyName], b)
		}
	}
	add := func(kind, word string) {
		if !slices.Contains(kinds, kind) {
			kinds = append(kinds, kind)
		}
		if !slices.Contains(words, word) {
			words = append(words, word)
		}
	}
	for _, o := range ix.ByKind(admissionGroup, "ValidatingAdmissionPolicy") {
		p, ok := o.Typed.(*admissionregistrationv1.ValidatingAdmissionPolicy)
		if !ok || len(bindings[p.Name]) == 0 {
			continue
		}
		needNamespaces := readsNamespace(p)
		if mc := p.Spec.MatchConstraints; mc != nil && mc.NamespaceSelector != nil && !emptySelector(mc.NamespaceSelector) {
			needNamespaces = true
		}
		pk := p.Spec.ParamKind
		for _, b := range bindings[p.Name] {
			if mr := b.Spec.MatchResources; mr != nil && mr.NamespaceSelector != nil && !emptySelector(mr.NamespaceSelector) {
				needNamespaces = true
			}
			if pk == nil || pk.APIVersion == "" || pk.Kind == "" || b.Spec.ParamRef == nil {
				continue
			}
			if name := b.Spec.ParamRef.Name; name != "" {
				add(pk.APIVersion+"/"+pk.Kind, name)
			} else {
				add(pk.APIVersion+"/"+pk.Kind, pk.Kind) // by selector: every object of the kind
			}
		}
		if needNamespaces {
			add("v1/Namespace", "Namespace")
		}
	}
	return kinds, words
}

func emptySelector(s *metav1.LabelSelector) bool {
	return len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0
}

// readsNamespace reports whether an expression of the policy may read
// the namespaceObject variable.
func readsNamespace(p *admissionregistrationv1.ValidatingAdmissionPolicy) bool {
	var exprs []string
	for _, v := range p.Spec.Validations {
		exprs = append(exprs, v.Expression, v.MessageExpression)
	}
	for _, v := range p.Spec.Variables {
		exprs = append(exprs, v.Expression)
	}
	for _, m := range p.Spec.MatchConditions {
		exprs = append(exprs, m.Expression)
	}
	for _, e := range exprs {
		if strings.Contains(e, "namespaceObject") {
			return true
		}
	}
	return false
}

type admissionKey struct{}

// compiledPolicies is the run's compiled policies, built once per run.
func compiledPolicies(ix *rule.Index) *admission.Policies {
	return ix.Memo(admissionKey{}, func() any { return admission.New(ix.All()) }).(*admission.Policies)
}

func checkAdmissionPolicy(pass *rule.Pass, o *manifest.Object) {
	if pass.Index.Len() == 0 {
		return
	}
	ps := compiledPolicies(pass.Index)
	if ps.Empty() || o.Group() == admissionGroup && isAdmissionConfig(o.Kind) {
		return // the plugin does not run API-defined policies on its own kinds
	}
	for _, d := range ps.Evaluate(context.Background(), o) {
		sev, verb := rule.Error, "denied request"
		switch d.Action {
		case admission.Warn:
			sev, verb = rule.Warning, "warns"
		case admission.Audit:
			sev, verb = rule.Info, "audits"
		}
		if d.Error {
			// An evaluation error quotes the expression, often a
			// multi-line block scalar: one line, as a finding's message is.
			d.Message = strings.Join(strings.Fields(d.Message), " ")
		}
		msg := fmt.Sprintf("ValidatingAdmissionPolicy '%s' with binding '%s' %s: %s", d.Policy, d.Binding, verb, d.Message)
		if d.Binding == "" {
			msg = fmt.Sprintf("ValidatingAdmissionPolicy '%s' %s: %s", d.Policy, verb, d.Message)
		}
		path := manifest.Path{}.Field("metadata").Field("name")
		if d.Validation >= 0 && !d.Error {
			if p, ok := readsOneField(d.Expression); ok && o.Locate(p).Exact {
				path = p
			}
		}
		if !o.Locate(path).Exact {
			path = nil
		}
		pass.Report(rule.Diagnostic{Path: path, Message: msg, Help: admissionHelp(pass.Index, d), Severity: sev})
	}
}

func isAdmissionConfig(kind string) bool {
	switch kind {
	case "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding":
		return true
	}
	return false
}

// admissionHelp says what to change, and where the policy's failed
// validation is written.
func admissionHelp(ix *rule.Index, d admission.Decision) string {
	where := ""
	if bs := ix.Get(admissionGroup, "ValidatingAdmissionPolicyBinding", "", d.Binding); d.Config && len(bs) > 0 {
		where = fmt.Sprintf(" (%s:%d)", bs[0].Source.Path, bs[0].Pos().Line)
	} else if ps := ix.Get(admissionGroup, "ValidatingAdmissionPolicy", "", d.Policy); len(ps) > 0 {
		p, path := ps[0], manifest.Path{}
		if d.Validation >= 0 {
			path = path.Field("spec").Field("validations").Item(d.Validation).Field("expression")
		}
		line := p.Pos().Line
		if loc := p.Locate(path); loc.Exact {
			line = loc.Value.Line
		}
		where = fmt.Sprintf(" (%s:%d)", p.Source.Path, line)
	}
	switch {
	case d.Config:
		return "fix the binding's params or selectors, or its policy" + where + "; until then its failurePolicy (Fail) fails every object it matches"
	case d.Error:
		return "the expression could not be evaluated on this object" + where + ", which failurePolicy Fail counts as failing: guard it (has(...)), or set failurePolicy: Ignore"
	case d.Validation >= 0:
		return "change the object so that the policy's validation holds" + where + ", or exclude it in the policy's or binding's matchResources"
	}
	return "fix the policy or binding" + where
}

// readsOneField returns the field path of the object that a CEL
// expression reads, when it reads exactly one (object.spec.replicas <= 5,
// has(object.metadata.labels.team), object.spec.containers[0].image):
// every use of object is the start of the same chain of field selections
// and constant indexes, or of chains that are prefixes of one of them.
func readsOneField(expr string) (manifest.Path, bool) {
	if v, ok := oneFieldCache.Load(expr); ok {
		r := v.(oneField)
		return r.path, r.ok
	}
	path, ok := parseOneField(expr)
	oneFieldCache.Store(expr, oneField{path, ok})
	return path, ok
}

// oneFieldCache holds readsOneField's answers by expression: a policy
// that denies many objects asks about the same few expressions each time
// (parsing them was 11% of the admission rule's CPU on the 100k bench set).
var oneFieldCache sync.Map // string -> oneField

type oneField struct {
	path manifest.Path
	ok   bool
}

func parseOneField(expr string) (manifest.Path, bool) {
	p, err := celParser()
	if err != nil {
		return nil, false
	}
	tree, errs := p.Parse(common.NewTextSource(expr))
	if len(errs.GetErrors()) > 0 {
		return nil, false
	}
	var chains []manifest.Path
	uses, rooted := 0, 0
	ast.PreOrderVisit(tree.Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.IdentKind:
			if e.AsIdent() == "object" {
				uses++
			}
		case ast.SelectKind, ast.CallKind:
			if path, ok := chainOf(e); ok {
				chains = append(chains, path)
				if op := operandOf(e); op != nil && op.Kind() == ast.IdentKind {
					rooted++
				}
			}
		}
	}))
	if uses == 0 || uses != rooted {
		return nil, false // object used whole somewhere (or not at all)
	}
	var longest manifest.Path
	for _, c := range chains {
		if len(c) > len(longest) {
			longest = c
		}
	}
	for _, c := range chains {
		if !longest.HasPrefix(c) {
			return nil, false // two different fields
		}
	}
	return longest, len(longest) > 0
}

// operandOf is the operand of a field selection or of an index.
func operandOf(e ast.Expr) ast.Expr {
	switch e.Kind() {
	case ast.SelectKind:
		return e.AsSelect().Operand()
	case ast.CallKind:
		if c := e.AsCall(); c.FunctionName() == "_[_]" && len(c.Args()) == 2 {
			return c.Args()[0]
		}
	}
	return nil
}

// chainOf turns object.a.b[0]["k"] into the path a.b[0].k; ok is false
// for anything else.
func chainOf(e ast.Expr) (manifest.Path, bool) {
	switch e.Kind() {
	case ast.IdentKind:
		return manifest.Path{}, e.AsIdent() == "object"
	case ast.SelectKind:
		s := e.AsSelect()
		p, ok := chainOf(s.Operand())
		if !ok {
			return nil, false
		}
		return p.Field(s.FieldName()), true
	case ast.CallKind:
		c := e.AsCall()
		if c.FunctionName() != "_[_]" || len(c.Args()) != 2 || c.Args()[1].Kind() != ast.LiteralKind {
			return nil, false
		}
		p, ok := chainOf(c.Args()[0])
		if !ok {
			return nil, false
		}
		switch v := c.Args()[1].AsLiteral().(type) {
		case types.Int:
			return p.Item(int(v)), true
		case types.String:
			return p.Field(string(v)), true
		}
	}
	return nil, false
}

var celParser = sync.OnceValues(func() (*parser.Parser, error) {
	return parser.NewParser(parser.Macros(parser.AllMacros...))
})
