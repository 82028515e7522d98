// Package admission evaluates ValidatingAdmissionPolicies offline: every
// policy that has a ValidatingAdmissionPolicyBinding is evaluated against
// an object as the API server's ValidatingAdmissionPolicy plugin would on
// its CREATE, with the plugin's own code (k8s.io/apiserver v0.37):
//
//   - matching: generic.NewPolicyMatcher over matching.Matcher (resource
//     rules, excludeResourceRules, matchPolicy, namespaceSelector,
//     objectSelector), for the policy's matchConstraints and the
//     binding's matchResources;
//   - params: generic.CollectParams (paramKind, paramRef by name or
//     selector, parameterNotFoundAction) over the objects given to New;
//   - evaluation: validating.NewValidator over expressions compiled by the
//     admission CEL compiler (plugin/cel), with the API server's cost
//     budget; matchConditions, variables, message and messageExpression.
//
// The plugin's compilePolicy is unexported; compile below repeats its
// dozen lines with the same exported calls. The dispatcher's mapping of
// decisions to validationActions and failurePolicy is repeated in
// Evaluate too: the dispatcher returns only the first denial as one error,
// and kvet reports each. auditAnnotations are not evaluated (they only
// annotate the audit log).
//
// The object is the one validating admission would see on create: with
// the scheme's defaults, and for a Pod the tolerations of the
// DefaultTolerationSeconds plugin (the only mutating admission kvet runs;
// the others need cluster state).
//
// Namespaces are the Namespace objects given to New; a namespace that none
// defines is taken as existing with only the label the API server sets on
// every namespace, kubernetes.io/metadata.name.
package admission

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/cel/environment"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	admissionregistrationdefaults "k8s.io/kubernetes/pkg/apis/admissionregistration/v1"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/plugin/pkg/admission/defaulttolerationseconds"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/validate/apiserver"
)

// Action is what a binding's validationActions make of a failed
// validation.
type Action string

// The validation actions.
const (
	Deny  Action = "Deny"
	Warn  Action = "Warn"
	Audit Action = "Audit"
)

// Decision is one failed validation of one policy and binding on an object.
type Decision struct {
	Policy, Binding string
	Action          Action
	// Message is the validation's message, evaluated messageExpression, or
	// the evaluation or configuration error.
	Message string
	// Validation is the index of the failed entry of spec.validations, or
	// -1 when the decision is a configuration or evaluation error of the
	// policy or binding as a whole.
	Validation int
	// Expression is the failed validation's expression ("" when
	// Validation is -1).
	Expression string
	// Error is true when the decision comes from an error (an expression
	// that failed to evaluate, a missing param) under failurePolicy Fail,
	// not from an expression that evaluated to false.
	Error bool
	// Config is true for an error of the policy's or binding's
	// configuration (no params found, a selector that does not parse).
	Config bool
}

// Policies is the compiled set of policies that have bindings, with the
// namespaces and params they may read. Safe for concurrent use once built.
type Policies struct {
	hooks      []*hook
	matcher    generic.PolicyMatcher
	index      bindingIndex
	noIndex    bool // for tests: every binding goes to the matcher
	namespaces map[string]*corev1.Namespace
	params     map[schema.GroupVersionKind]*paramStore
	objects    admission.ObjectInterfaces
}

type hook struct {
	policy    *admissionregistrationv1.ValidatingAdmissionPolicy
	bindings  []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	validator validating.Validator
	// paramGVK and paramScope: the paramKind's, when set.
	paramGVK   schema.GroupVersionKind
	paramScope meta.RESTScope
	configErr  error
	// always: the policy may give a decision on an object that none of
	// its bindings matches (a configuration error, match constraints the
	// matcher refuses), so the binding index never skips it.
	always bool
	// resources are the resource names the policy's resourceRules name
	// (a subresource's resource, "pods" for "pods/status"); nil when a
	// rule names every resource ("*", "*/scale") or there are no rules,
	// which match every resource. A request for no resource in it, nor
	// any equivalent of it, matches none of its rules: the plugin's
	// matcher would say no match, without error.
	resources map[string]bool
}

// resourceNames returns hook.resources for constraints.
func resourceNames(mc *admissionregistrationv1.MatchResources) map[string]bool {
	if mc == nil || len(mc.ResourceRules) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, r := range mc.ResourceRules {
		for _, res := range r.Resources {
			name, _, _ := strings.Cut(res, "/")
			if name == "*" {
				return nil
			}
			out[name] = true
		}
	}
	return out
}

// New compiles the policies among objs that some binding among objs names,
// with objs' Namespaces and objs as the params they may read. A policy or
// binding the API server would refuse to create (apiserver.Validate finds
// errors in it) is left out: it would not exist in a cluster.
func New(objs []*manifest.Object) *Policies {
	ps := &Policies{namespaces: map[string]*corev1.Namespace{}, params: map[schema.GroupVersionKind]*paramStore{}}
	policies := map[string]*admissionregistrationv1.ValidatingAdmissionPolicy{}
	bindings := map[string][]*admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	for _, o := range objs {
		switch typed := o.Typed.(type) {
		case *admissionregistrationv1.ValidatingAdmissionPolicy:
			if valid(o) {
				p := typed.DeepCopy()
				admissionregistrationdefaults.SetObjectDefaults_ValidatingAdmissionPolicy(p)
				if _, dup := policies[p.Name]; !dup {
					policies[p.Name] = p
				}
			}
		case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
			if valid(o) {
				b := typed.DeepCopy()
				admissionregistrationdefaults.SetObjectDefaults_ValidatingAdmissionPolicyBinding(b)
				bindings[b.Spec.PolicyName] = append(bindings[b.Spec.PolicyName], b)
			}
		case *corev1.Namespace:
			ns := typed.DeepCopy()
			if ns.Labels == nil {
				ns.Labels = map[string]string{}
			}
			ns.Labels[corev1.LabelMetadataName] = ns.Name // the API server sets it
			ps.namespaces[ns.Name] = ns
		}
	}
	names := make([]string, 0, len(policies))
	for name := range policies {
		if len(bindings[name]) > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		p := policies[name]
		bs := bindings[name]
		sort.SliceStable(bs, func(i, j int) bool { return bs[i].Name < bs[j].Name })
		h := &hook{policy: p, bindings: bs, validator: compile(p), resources: resourceNames(p.Spec.MatchConstraints)}
		if err := h.validator.CompileError(); err != nil {
			h.configErr = err
		}
		if pk := p.Spec.ParamKind; pk != nil {
			gv, err := schema.ParseGroupVersion(pk.APIVersion)
			if err != nil {
				h.configErr = fmt.Errorf("paramKind %v: %w", pk, err)
			} else {
				h.paramGVK = gv.WithKind(pk.Kind)
				ps.params[h.paramGVK] = nil // filled below
			}
		}
		h.always = h.configErr != nil || !selectorsParse(p.Spec.MatchConstraints)
		ps.hooks = append(ps.hooks, h)
	}
	if len(ps.hooks) == 0 {
		return ps
	}
	ps.index = newBindingIndex(ps.hooks)
	for gvk := range ps.params {
		ps.params[gvk] = newParamStore(gvk, objs)
	}
	for _, h := range ps.hooks {
		if st := ps.params[h.paramGVK]; st != nil {
			h.paramScope = st.scope
		}
	}
	ps.matcher = generic.NewPolicyMatcher(matching.NewMatcher(namespaceLister{ps.namespaces}, nil))
	ps.objects = objectInterfaces()
	return ps
}

// Empty reports whether no policy has a binding: Evaluate reports nothing.
func (ps *Policies) Empty() bool { return ps == nil || len(ps.hooks) == 0 }

// ParamKinds lists the paramKinds of the bound policies, for a caller
// that gathers their objects.
func (ps *Policies) ParamKinds() []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(ps.params))
	for gvk := range ps.params {
		out = append(out, gvk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func valid(o *manifest.Object) bool {
	errs, _ := apiserver.Validate(o.GVK(), o.Typed)
	return len(errs) == 0
}

// compile is the plugin's compilePolicy (validating/plugin.go), less the
// audit annotations, which kvet does not evaluate.
func compile(p *admissionregistrationv1.ValidatingAdmissionPolicy) validating.Validator {
	hasParam := p.Spec.ParamKind != nil
	optionalVars := plugincel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: true}
	expressionOptionalVars := plugincel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: false}
	failurePolicy := p.Spec.FailurePolicy
	compiler, err := plugincel.NewCompositedCompiler(envSet())
	if err != nil {
		return validating.NewValidator(nil, nil, nil, nil, failurePolicy, err)
	}
	vars := make([]plugincel.NamedExpressionAccessor, len(p.Spec.Variables))
	for i, v := range p.Spec.Variables {
		vars[i] = &validating.Variable{Name: v.Name, Expression: v.Expression}
	}
	compiler.CompileAndStoreVariables(vars, optionalVars, environment.StoredExpressions)
	var matcher matchconditions.Matcher
	if mcs := p.Spec.MatchConditions; len(mcs) > 0 {
		acc := make([]plugincel.ExpressionAccessor, len(mcs))
		for i := range mcs {
			acc[i] = (*matchconditions.MatchCondition)(&mcs[i])
		}
		matcher = matchconditions.NewMatcher(compiler.CompileCondition(acc, optionalVars, environment.StoredExpressions), failurePolicy, "policy", "validate", p.Name)
	}
	validations := make([]plugincel.ExpressionAccessor, len(p.Spec.Validations))
	messages := make([]plugincel.ExpressionAccessor, len(p.Spec.Validations))
	for i, v := range p.Spec.Validations {
		validations[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		if v.MessageExpression != "" {
			messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		}
	}
	return validating.NewValidator(
		compiler.CompileCondition(validations, optionalVars, environment.StoredExpressions),
		matcher,
		compiler.CompileCondition(nil, optionalVars, environment.StoredExpressions),
		compiler.CompileCondition(messages, expressionOptionalVars, environment.StoredExpressions),
		failurePolicy,
		nil,
	)
}

// envSet is the plugin's composition environment (strict cost).
var envSet = sync.OnceValue(func() *environment.EnvSet {
	return environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
})

// Evaluate runs every bound policy that matches o on o's CREATE and
// returns the failed validations, in policy, binding, validation order.
func (ps *Policies) Evaluate(ctx context.Context, o *manifest.Object) []Decision {
	if ps.Empty() {
		return nil
	}
	req := ps.newRequest(o)
	var out []Decision
	versioned := map[schema.GroupVersionKind]*admission.VersionedAttributes{}
	var names []string // the request's resource and its equivalents', once needed
	var cands []bindingRef
	if ps.index.keyed && !ps.noIndex {
		cands = ps.index.candidates(req.match, ps.namespaceLabels)
	}
	var bs []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	for hi, h := range ps.hooks {
		bs = h.bindings
		if ps.index.keyed && !ps.noIndex {
			// Only the bindings that may match o: the others' selectors
			// require a label o (or its namespace) does not have.
			bs = bs[:0:0]
			for len(cands) > 0 && int(cands[0].hook) <= hi {
				if int(cands[0].hook) == hi {
					bs = append(bs, h.bindings[cands[0].binding])
				}
				cands = cands[1:]
			}
			if len(bs) == 0 && !h.always {
				continue
			}
		}
		if h.resources != nil {
			if names == nil {
				names = append(names, req.resource.Resource)
				for _, eq := range ps.objects.GetEquivalentResourceMapper().EquivalentResourcesFor(req.resource, "") {
					names = append(names, eq.Resource)
				}
			}
			if !slices.ContainsFunc(names, func(n string) bool { return h.resources[n] }) {
				continue // no rule of the policy names the resource
			}
		}
		out = ps.evaluate(ctx, h, bs, req, versioned, out)
	}
	return out
}

// configError is the dispatcher's addConfigError: an error of the
// policy's or binding's configuration denies the request unless the
// policy's failurePolicy is Ignore.
func configError(h *hook, b *admissionregistrationv1.ValidatingAdmissionPolicyBinding, err error, out []Decision) []Decision {
	if fp := h.policy.Spec.FailurePolicy; fp != nil && *fp == admissionregistrationv1.Ignore {
		return out
	}
	d := Decision{Policy: h.policy.Name, Action: Deny, Validation: -1, Error: true, Config: true}
	if b == nil {
		d.Message = fmt.Errorf("failed to configure policy: %w", err).Error()
	} else {
		d.Binding = b.Name
		d.Message = fmt.Errorf("failed to configure binding: %w", err).Error()
	}
	return append(out, d)
}

// evaluate runs policy h on r for its bindings bs (all of h's that may
// match r), in order.
func (ps *Policies) evaluate(ctx context.Context, h *hook, bs []*admissionregistrationv1.ValidatingAdmissionPolicyBinding, r *request, versioned map[schema.GroupVersionKind]*admission.VersionedAttributes, out []Decision) []Decision {
	req := r.match
	matches, matchResource, matchKind, err := ps.matcher.DefinitionMatches(req, ps.objects, validating.NewValidatingAdmissionPolicyAccessor(h.policy))
	switch {
	case err != nil:
		return configError(h, nil, err, out)
	case !matches:
		return out
	case h.configErr != nil:
		return configError(h, nil, h.configErr, out)
	}
	var unparamed *validating.ValidateResult
	for _, b := range bs {
		matches, err := ps.matcher.BindingMatches(req, ps.objects, validating.NewValidatingAdmissionPolicyBindingAccessor(b))
		if err != nil {
			out = configError(h, b, err, out)
			continue
		}
		if !matches {
			continue
		}
		var inf informers.GenericInformer
		if st := ps.params[h.paramGVK]; st != nil {
			inf = st
		}
		params, err := generic.CollectParams(h.policy.Spec.ParamKind, inf, h.paramScope, b.Spec.ParamRef, req.GetNamespace(), nil, nil)
		if err != nil {
			out = configError(h, b, err, out)
			continue
		}
		va := versioned[matchKind]
		if va == nil && len(params) > 0 {
			va, err = admission.NewVersionedAttributes(r.full(), matchKind, ps.objects)
			if err != nil {
				out = configError(h, b, fmt.Errorf("failed to convert object version: %w", err), out)
				continue
			}
			versioned[matchKind] = va
		}
		var ns *corev1.Namespace
		if name := req.GetNamespace(); name != "" && req.GetKind() != corev1.SchemeGroupVersion.WithKind("Namespace") {
			ns, _ = ps.matcher.GetNamespace(ctx, name)
		}
		for _, param := range params {
			// Without a paramKind every binding gets the same verdict
			// (the object, the policy and its match are the same, the
			// param nil): evaluated once, used for each binding that
			// matches. A repository that binds one policy many times
			// (per team, per environment) pays for one evaluation.
			var res validating.ValidateResult
			if h.policy.Spec.ParamKind == nil && unparamed != nil {
				res = *unparamed
			} else {
				res = h.validator.Validate(ctx, matchResource, va, param, ns, celconfig.RuntimeCELCostBudget, allowAll{})
				if h.policy.Spec.ParamKind == nil {
					unparamed = &res
				}
			}
			for i, d := range res.Decisions {
				if d.Action != validating.ActionDeny {
					continue
				}
				dec := Decision{Policy: h.policy.Name, Binding: b.Name, Message: d.Message, Validation: -1, Error: d.Evaluation == validating.EvalError}
				// One decision per validation, in order; or a single one
				// for an error of the whole policy (a matchCondition,
				// the variables), which one validation cannot tell apart.
				if n := len(h.policy.Spec.Validations); len(res.Decisions) == n && (n > 1 || !dec.Error) {
					dec.Validation = i
					dec.Expression = h.policy.Spec.Validations[i].Expression
				}
				for _, a := range b.Spec.ValidationActions {
					dec.Action = Action(a)
					out = append(out, dec)
				}
			}
		}
	}
	return out
}

// request is o's CREATE as the API server's admission sees it. match
// holds o as decoded, for the matchers, which only read its labels and
// name; full, built when a policy matches, holds a copy with the scheme's
// defaults (a built-in kind) or as written (others), in the namespace
// kubectl sends it to, for the expressions.
type request struct {
	o          *manifest.Object
	match      admission.Attributes
	fullAttrs  admission.Attributes
	gvk        schema.GroupVersionKind
	resource   schema.GroupVersionResource
	namespaced bool
	namespace  string
}

func (ps *Policies) newRequest(o *manifest.Object) *request {
	r := &request{o: o, gvk: o.GVK()}
	r.resource, r.namespaced = resourceOf(r.gvk)
	if r.namespaced {
		r.namespace = o.Namespace
		if r.namespace == "" {
			r.namespace = corev1.NamespaceDefault
		}
	}
	obj := o.Typed
	if obj == nil {
		// The matchers read only the kind, name, namespace and labels:
		// not the whole object (a CustomResourceDefinition's schema).
		meta := map[string]any{"name": o.Name}
		if o.Namespace != "" {
			meta["namespace"] = o.Namespace
		}
		if labels := o.StringMap("metadata", "labels"); len(labels) > 0 {
			l := make(map[string]any, len(labels))
			for k, v := range labels {
				l[k] = v
			}
			meta["labels"] = l
		}
		obj = &unstructured.Unstructured{Object: map[string]any{"apiVersion": o.APIVersion, "kind": o.Kind, "metadata": meta}}
	}
	r.match = r.attributes(obj)
	return r
}

func (r *request) attributes(obj runtime.Object) admission.Attributes {
	return admission.NewAttributesRecord(obj, nil, r.gvk, r.namespace, r.o.Name, r.resource, "", admission.Create, nil, false, &user.DefaultInfo{Name: "kvet"})
}

func (r *request) full() admission.Attributes {
	if r.fullAttrs != nil {
		return r.fullAttrs
	}
	var obj runtime.Object
	if r.o.Typed != nil {
		obj, _ = apiserver.Defaulted(r.gvk, r.o.Typed)
	}
	if pod, ok := obj.(*corev1.Pod); ok {
		obj = mutatePod(pod, r)
	}
	if obj == nil {
		// Validating admission only reads the object; Raw's map must not
		// be modified, so the namespace is set on a copy of the top level
		// and of metadata only.
		raw := r.o.Raw()
		top := make(map[string]any, len(raw))
		for k, v := range raw {
			top[k] = v
		}
		if m, ok := raw["metadata"].(map[string]any); ok && r.namespaced {
			mc := make(map[string]any, len(m)+1)
			for k, v := range m {
				mc[k] = v
			}
			mc["namespace"] = r.namespace
			top["metadata"] = mc
		}
		obj = &unstructured.Unstructured{Object: top}
	} else if acc, err := meta.Accessor(obj); err == nil && r.namespaced {
		acc.SetNamespace(r.namespace)
	}
	r.fullAttrs = r.attributes(obj)
	return r.fullAttrs
}

// deepCopy copies a Raw map, which must not be modified, for an
// Unstructured object that admission code may modify.
func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return runtime.DeepCopyJSON(m)
}

// resourceOf maps a kind to its resource: kvet's table of the kinds it
// validates, else Kubernetes' lowercase-plural guess
// (meta.UnsafeGuessKindToResource: Deployment -> deployments, Ingress ->
// ingresses, NetworkPolicy -> networkpolicies), right for built-in kinds
// and for most custom resources. A kind not in the table is namespaced
// unless it is one of the built-in cluster-scoped kinds.
func resourceOf(gvk schema.GroupVersionKind) (schema.GroupVersionResource, bool) {
	if v, ok := resources.Load(gvk); ok {
		r := v.(resourceScope)
		return r.gvr, r.namespaced
	}
	gvr, namespaced := guessResource(gvk)
	resources.Store(gvk, resourceScope{gvr, namespaced})
	return gvr, namespaced
}

// resources caches resourceOf by kind.
var resources sync.Map

type resourceScope struct {
	gvr        schema.GroupVersionResource
	namespaced bool
}

func guessResource(gvk schema.GroupVersionKind) (schema.GroupVersionResource, bool) {
	if r, namespaced, ok := apiserver.Resource(gvk); ok {
		return gvk.GroupVersion().WithResource(r), namespaced
	}
	plural, _ := meta.UnsafeGuessKindToResource(gvk)
	return plural, !clusterScoped[gvk.GroupKind()]
}

// clusterScoped lists the built-in cluster-scoped kinds that kvet's
// validation table does not have.
var clusterScoped = map[schema.GroupKind]bool{}

func init() {
	for _, gk := range []string{
		"Node", "PersistentVolume", "ComponentStatus",
		"ValidatingWebhookConfiguration.admissionregistration.k8s.io", "MutatingWebhookConfiguration.admissionregistration.k8s.io",
		"ValidatingAdmissionPolicy.admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io",
		"MutatingAdmissionPolicy.admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding.admissionregistration.k8s.io",
		"CustomResourceDefinition.apiextensions.k8s.io", "APIService.apiregistration.k8s.io",
		"TokenReview.authentication.k8s.io", "SelfSubjectReview.authentication.k8s.io",
		"SelfSubjectAccessReview.authorization.k8s.io", "SelfSubjectRulesReview.authorization.k8s.io", "SubjectAccessReview.authorization.k8s.io",
		"CertificateSigningRequest.certificates.k8s.io", "ClusterTrustBundle.certificates.k8s.io",
		"FlowSchema.flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
		"IngressClass.networking.k8s.io", "IPAddress.networking.k8s.io", "ServiceCIDR.networking.k8s.io",
		"RuntimeClass.node.k8s.io", "ClusterRole.rbac.authorization.k8s.io", "ClusterRoleBinding.rbac.authorization.k8s.io",
		"PriorityClass.scheduling.k8s.io", "StorageClass.storage.k8s.io", "CSIDriver.storage.k8s.io", "CSINode.storage.k8s.io",
		"VolumeAttachment.storage.k8s.io", "VolumeAttributesClass.storage.k8s.io",
		"DeviceClass.resource.k8s.io", "ResourceSlice.resource.k8s.io", "Namespace",
	} {
		clusterScoped[schema.ParseGroupKind(gk)] = true
	}
}

// objectInterfaces gives the matcher and conversions kvet's scheme, and
// an equivalent-resource registry in which every version of a resource
// the scheme knows is equivalent (matchPolicy: Equivalent).
var objectInterfaces = sync.OnceValue(func() admission.ObjectInterfaces {
	s := apiserver.Scheme()
	reg := runtime.NewEquivalentResourceRegistry()
	for gvk := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") || strings.HasSuffix(gvk.Kind, "Options") {
			continue
		}
		gvr, _ := resourceOf(gvk)
		reg.RegisterKindFor(gvr, "", gvk)
	}
	return &admission.RuntimeObjectInterfaces{ObjectCreater: s, ObjectTyper: s, ObjectDefaulter: s, ObjectConvertor: hubConvertor{s}, EquivalentResourceMapper: reg}
})

// hubConvertor converts between two external versions through the
// internal one, as the API server does (its admission attributes hold
// the internal object; kvet's hold the external one it decoded).
type hubConvertor struct{ *runtime.Scheme }

func (c hubConvertor) Convert(in, out, ctx any) error {
	err := c.Scheme.Convert(in, out, ctx)
	obj, ok := in.(runtime.Object)
	if err == nil || !ok {
		return err
	}
	internal, ierr := c.New(obj.GetObjectKind().GroupVersionKind().GroupKind().WithVersion(runtime.APIVersionInternal))
	if ierr != nil {
		return err
	}
	if ierr := c.Scheme.Convert(in, internal, ctx); ierr != nil {
		return err
	}
	return c.Scheme.Convert(internal, out, ctx)
}

// allowAll is the authorizer CEL's authorizer variable sees: kvet has no
// cluster to ask, and a policy that checks the requester's permissions
// sees them granted.
type allowAll struct{}

func (allowAll) Authorize(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
	return authorizer.DecisionAllow, "", nil
}

// namespaceLister is the matcher's view of the run's Namespaces; a name
// none defines is a namespace with only the kubernetes.io/metadata.name
// label, so the matcher never asks a client.
type namespaceLister struct{ m map[string]*corev1.Namespace }

func (l namespaceLister) List(sel labels.Selector) ([]*corev1.Namespace, error) {
	var out []*corev1.Namespace
	for _, ns := range l.m {
		if sel.Matches(labels.Set(ns.Labels)) {
			out = append(out, ns)
		}
	}
	return out, nil
}

func (l namespaceLister) Get(name string) (*corev1.Namespace, error) {
	if ns, ok := l.m[name]; ok {
		return ns, nil
	}
	if name == "" {
		return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
	}
	ns := &corev1.Namespace{}
	ns.Name = name
	ns.Labels = map[string]string{corev1.LabelMetadataName: name}
	return ns, nil
}

var _ corelisters.NamespaceLister = namespaceLister{}

// paramStore is the params of one paramKind among the objects given to
// New, as the informer CollectParams reads them from.
type paramStore struct {
	cache.SharedIndexInformer // only HasSynced is called
	lister                    cache.GenericLister
	scope                     meta.RESTScope
}

func (*paramStore) HasSynced() bool                       { return true }
func (s *paramStore) Informer() cache.SharedIndexInformer { return s }
func (s *paramStore) Lister() cache.GenericLister         { return s.lister }

func newParamStore(gvk schema.GroupVersionKind, objs []*manifest.Object) *paramStore {
	gvr, namespaced := resourceOf(gvk)
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, o := range objs {
		if o.GVK() != gvk {
			continue
		}
		u := &unstructured.Unstructured{Object: deepCopy(o.Raw())}
		if namespaced && u.GetNamespace() == "" {
			u.SetNamespace(corev1.NamespaceDefault)
		}
		_ = idx.Add(u) // a key error only for objects without metadata
	}
	st := &paramStore{lister: cache.NewGenericLister(idx, gvr.GroupResource()), scope: meta.RESTScopeRoot}
	if namespaced {
		st.scope = meta.RESTScopeNamespace
	}
	return st
}

// tolerationSeconds is the API server's DefaultTolerationSeconds admission
// plugin, on by default in every cluster: it adds the not-ready and
// unreachable tolerations to every pod before validating admission, so a
// policy that reads spec.tolerations finds them.
var tolerationSeconds = sync.OnceValue(func() *defaulttolerationseconds.Plugin {
	p := defaulttolerationseconds.NewDefaultTolerationSeconds()
	p.InspectFeatureGates(utilfeature.DefaultFeatureGate)
	return p
})

// mutatePod runs the default mutating admission kvet knows on a pod
// (DefaultTolerationSeconds), on its internal form as the plugin expects;
// pod is returned unchanged when a conversion fails.
func mutatePod(pod *corev1.Pod, r *request) runtime.Object {
	s := apiserver.Scheme()
	internal := &api.Pod{}
	if err := s.Convert(pod, internal, nil); err != nil {
		return pod
	}
	attrs := admission.NewAttributesRecord(internal, nil, r.gvk, r.namespace, r.o.Name, r.resource, "", admission.Create, nil, false, &user.DefaultInfo{Name: "kvet"})
	if err := tolerationSeconds().Admit(context.Background(), attrs, objectInterfaces()); err != nil {
		return pod
	}
	out := &corev1.Pod{}
	if err := s.Convert(internal, out, nil); err != nil {
		return pod
	}
	out.SetGroupVersionKind(r.gvk)
	return out
}
