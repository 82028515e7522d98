package validate

import (
	"context"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/policy"
	"github.com/kvetdev/kvet/policy/input"
	"github.com/kvetdev/kvet/rule"
)

// Policies are the user's Rego policies, run by the engine next to the Go
// rules. Each result becomes a finding, positioned at the field its
// `path` names.
type Policies struct {
	engines     []*policy.Engine
	crossObject bool
	timeout     time.Duration
	// help is each package's METADATA custom.help, the help of its
	// results that carry none.
	help map[string]string
}

// PolicyOptions select the policies.
type PolicyOptions struct {
	// Dirs are folders of the user's own policies (every package runs).
	Dirs        []string
	RegoVersion string
	Timeout     time.Duration
	MaxMemory   int64 // bytes the heap may grow by in one evaluation (0: policy.DefaultMaxMemory)
	AllowNet    bool
	AllowEnv    bool
}

// LoadPolicies compiles the policies once for the run.
func LoadPolicies(ctx context.Context, opts PolicyOptions) (*Policies, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	p := &Policies{timeout: opts.Timeout}
	base := policy.Options{RegoVersion: opts.RegoVersion, Timeout: opts.Timeout, MaxMemory: opts.MaxMemory, AllowNet: opts.AllowNet, AllowEnv: opts.AllowEnv}
	if len(opts.Dirs) > 0 {
		o := base
		o.Paths, o.AllNamespaces = opts.Dirs, true
		eng, err := policy.Load(ctx, o)
		if err != nil {
			return nil, err
		}
		p.engines = append(p.engines, eng)
	}
	for _, e := range p.engines {
		p.crossObject = p.crossObject || readsObjects(e)
		for _, m := range e.Modules() {
			for _, a := range m.Annotations {
				if h, ok := a.Custom["help"].(string); ok && h != "" && a.Scope == "package" {
					if p.help == nil {
						p.help = map[string]string{}
					}
					p.help[strings.TrimPrefix(m.Package.Path.String(), "data.")] = h
				}
			}
		}
	}
	return p, nil
}

// objectsRef is where policies find every loaded object.
var objectsRef = ast.MustParseRef("data.kvet.objects")

// readsObjects reports whether a policy reads data.kvet.objects: then
// every object must be loaded before any is evaluated.
func readsObjects(e *policy.Engine) bool {
	found := false
	for _, m := range e.Modules() {
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if r.HasPrefix(objectsRef) || objectsRef.HasPrefix(r) && len(r) > 1 {
				found = true
			}
			return found
		})
	}
	return found
}

// UserIDs returns the rule ids the user's own policies can report, for the
// configuration to name: <package>/<rule> for every deny/violation/warn
// rule, and each constant "id" (or "rule") of a result object (one with a
// "msg"). open is true when a result object's id is computed: then any id
// may be one of theirs.
func (p *Policies) UserIDs() (ids []string, open bool) {
	if p == nil {
		return nil, false
	}
	for _, e := range p.engines {
		for _, m := range e.Modules() {
			pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
			for _, r := range m.Rules {
				name := r.Head.Name.String()
				if !policy.IsRuleName(name) {
					continue
				}
				ids = append(ids, pkg+"/"+name)
				ast.WalkTerms(r, func(t *ast.Term) bool {
					obj, ok := t.Value.(ast.Object)
					if !ok || obj.Get(ast.InternedTerm("msg")) == nil {
						return false
					}
					for _, key := range []string{"id", "rule"} {
						v := obj.Get(ast.InternedTerm(key))
						if v == nil {
							continue
						}
						if s, ok := v.Value.(ast.String); ok {
							ids = append(ids, string(s))
						} else {
							open = true
						}
					}
					return false
				})
			}
		}
	}
	return ids, open
}

// CrossObject reports whether the policies read data.kvet.objects.
func (p *Policies) CrossObject() bool { return p != nil && p.crossObject }

// check evaluates every policy on one object.
func (p *Policies) check(ctx context.Context, o *manifest.Object, extra map[string]any, out []rule.Finding) []rule.Finding {
	for _, e := range p.engines {
		res, err := e.Eval(ctx, input.Object(o), extra)
		if err != nil && res == nil {
			out = append(out, policyError(o, err))
			continue
		}
		for _, ns := range res {
			if ns.Err != nil {
				// This policy is lost on this object, the others are kept.
				out = append(out, policyError(o, ns.Err))
				continue
			}
			for _, r := range ns.Failures {
				out = append(out, p.finding(o, r, rule.Error))
			}
			for _, r := range ns.Warnings {
				out = append(out, p.finding(o, r, rule.Warning))
			}
		}
	}
	return out
}

// policyError is the internal-error finding of a policy that could not be
// evaluated on o.
func policyError(o *manifest.Object, err error) rule.Finding {
	return objectFinding(o, rule.InternalError, rule.Error, "policy evaluation failed: "+err.Error(),
		"fix or disable the policy; the other policies, rules and objects were still checked")
}

func (p *Policies) finding(o *manifest.Object, r policy.Result, sev rule.Severity) rule.Finding {
	id := r.Namespace + "/" + r.Rule
	for _, key := range []string{"id", "rule"} {
		if s, ok := r.Metadata[key].(string); ok && s != "" {
			id = s
			break
		}
	}
	if s, ok := r.Metadata["severity"].(string); ok {
		if v, ok := policySeverity(s); ok {
			sev = v
		}
	}
	help, _ := r.Metadata["help"].(string)
	if help == "" {
		help = p.help[r.Namespace]
	}
	path := r.Path
	f := Locate(o, id, sev, path, r.Msg, help)
	if r.Location != nil && r.Location.Line > 0 && len(path) == 0 {
		f.Line, f.Column = r.Location.Line, 1
	}
	f.Secondary, f.Policy = true, true
	return f
}

// policySeverity maps a policy's metadata.severity to kvet's (through
// rule's one table of severity names).
func policySeverity(s string) (rule.Severity, bool) {
	v, err := rule.ParsePolicySeverity(s)
	return v, err == nil
}
