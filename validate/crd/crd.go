// Package crd validates CustomResourceDefinitions and custom resources
// offline with the apiextensions API server's own code (k8s.io/
// apiextensions-apiserver v0.37): a CRD as the server validates it on
// create, and a custom resource as the server decodes, prunes, defaults
// and validates it on create (schema, metadata, list types, CEL rules
// under the server's cost limits). It writes no validator of its own.
package crd

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	genericrequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// Definition is one CRD, validated, with what checking its custom
// resources needs, compiled per version on first use. It keeps the
// verdict and the compiled versions only: not the CRD (the caller's
// typed value) nor its internal form, so that the CRDs no resource uses
// cost no memory once validated.
type Definition struct {
	// Errors are what the API server's create validation says of the CRD.
	Errors field.ErrorList

	validate func(*apiextensions.CustomResourceDefinition) field.ErrorList
	*compiled
}

// compiled are the versions of a CRD compiled so far, shared by the
// Definitions of CRDs that differ in their metadata only (Same).
type compiled struct {
	mu       sync.Mutex
	versions map[string]*Version
}

// internal defaults the CRD and converts it to the API's internal form,
// prepared as the CRD registry strategy prepares a create.
func internal(in *apiextv1.CustomResourceDefinition) (*apiextensions.CustomResourceDefinition, error) {
	// The defaults change the names, conversion and status only: those
	// are copied, the rest (the schemas, which the conversion reads into
	// new values) is not. Copying the whole CRD was a quarter of the CPU
	// of compiling a version.
	v1 := *in
	v1.Spec.Conversion = in.Spec.Conversion.DeepCopy()
	v1.Status = *in.Status.DeepCopy()
	apiextv1.SetObjectDefaults_CustomResourceDefinition(&v1)
	crd := &apiextensions.CustomResourceDefinition{}
	if err := apiextv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, crd, nil); err != nil {
		return nil, err
	}
	// PrepareForCreate of the CRD registry strategy: no status but the
	// stored version, generation 1.
	crd.Status = apiextensions.CustomResourceDefinitionStatus{}
	crd.Generation = 1
	for _, v := range crd.Spec.Versions {
		if v.Storage {
			crd.Status.StoredVersions = append(crd.Status.StoredVersions, v.Name)
			break
		}
	}
	return crd, nil
}

// V1 returns a CRD of apiextensions.k8s.io/v1 or v1beta1 (removed in
// Kubernetes 1.22) in v1, converted as the API server converted a
// v1beta1 CRD: its defaults (preserveUnknownFields true unless set), then
// through the internal form. Nil for any other object.
func V1(obj runtime.Object) (out *apiextv1.CustomResourceDefinition, err error) {
	switch in := obj.(type) {
	case *apiextv1.CustomResourceDefinition:
		return in, nil
	case *apiextv1beta1.CustomResourceDefinition:
		defer func() {
			if r := recover(); r != nil {
				out, err = nil, fmt.Errorf("kvet: panic while converting the v1beta1 CRD: %v", r)
			}
		}()
		b := in.DeepCopy()
		apiextv1beta1.SetObjectDefaults_CustomResourceDefinition(b)
		var internal apiextensions.CustomResourceDefinition
		if err := apiextv1beta1.Convert_v1beta1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(b, &internal, nil); err != nil {
			return nil, err
		}
		out = &apiextv1.CustomResourceDefinition{}
		if err := apiextv1.Convert_apiextensions_CustomResourceDefinition_To_v1_CustomResourceDefinition(&internal, out, nil); err != nil {
			return nil, err
		}
		out.APIVersion, out.Kind = "apiextensions.k8s.io/v1", "CustomResourceDefinition"
		return out, nil
	}
	return nil, nil
}

// New defaults, prepares and validates a CRD as the API server does on
// create. A panic in the Kubernetes code becomes an internal error.
func New(in *apiextv1.CustomResourceDefinition) *Definition {
	return newDefinition(in, func(crd *apiextensions.CustomResourceDefinition) field.ErrorList {
		return validation.ValidateCustomResourceDefinition(context.Background(), crd)
	})
}

// NewStored is New for a CRD converted from v1beta1 (V1): the API server
// no longer creates those, but one created before Kubernetes 1.22 lives
// on, and is validated as an update of itself, which allows what it
// already had (preserveUnknownFields: true, a schema that is not
// structural).
func NewStored(in *apiextv1.CustomResourceDefinition) *Definition {
	return newDefinition(in, func(crd *apiextensions.CustomResourceDefinition) field.ErrorList {
		crd.ResourceVersion = "1" // an update names the version it changes
		return validation.ValidateCustomResourceDefinitionUpdate(context.Background(), crd, crd)
	})
}

// newDefinition converts in to the internal version and validates it
// with validate.
func newDefinition(in *apiextv1.CustomResourceDefinition, validate func(*apiextensions.CustomResourceDefinition) field.ErrorList) (d *Definition) {
	d = &Definition{validate: validate, compiled: &compiled{versions: map[string]*Version{}}}
	defer func() {
		if r := recover(); r != nil {
			d.Errors = field.ErrorList{field.InternalError(nil, fmt.Errorf("kvet: panic while validating the CRD: %v\n%s", r, debug.Stack()))}
		}
	}()
	crd, err := internal(in)
	if err != nil {
		d.Errors = field.ErrorList{field.InternalError(nil, err)}
		return d
	}
	d.Errors = validate(crd)
	return d
}

// Same returns the Definition of in, a CRD with the same spec as the one
// d was made of and other metadata (the same CRD in several folders,
// annotated for each): the API server's verdict on in's metadata, d's
// on the spec, and d's compiled versions. Only metadata.* errors depend
// on the metadata (the object meta, and the API approval annotation of
// a *.k8s.io group), and they depend on nothing of the spec but its
// group and names: they are what the same validation says of in's
// metadata with that much of the spec (TestSameMatchesTheLibrary holds
// it to the library on every CRD of the tests and the corpus).
func (d *Definition) Same(in *apiextv1.CustomResourceDefinition) *Definition {
	if internalError(d.Errors) {
		return newDefinition(in, d.validate)
	}
	meta := &apiextv1.CustomResourceDefinition{TypeMeta: in.TypeMeta, ObjectMeta: in.ObjectMeta,
		Spec: apiextv1.CustomResourceDefinitionSpec{Group: in.Spec.Group, Names: in.Spec.Names}}
	m := newDefinition(meta, d.validate)
	if internalError(m.Errors) {
		return newDefinition(in, d.validate)
	}
	// In the library's order: the object meta's errors, the spec's (of
	// which the stripped spec always has some), the API approval's.
	var head, tail field.ErrorList
	seenSpec := false
	for _, e := range m.Errors {
		switch {
		case isMeta(e) && !seenSpec:
			head = append(head, e)
		case isMeta(e):
			tail = append(tail, e)
		default:
			seenSpec = true
		}
	}
	out := &Definition{validate: d.validate, compiled: d.compiled, Errors: head}
	for _, e := range d.Errors {
		if !isMeta(e) {
			out.Errors = append(out.Errors, e)
		}
	}
	out.Errors = append(out.Errors, tail...)
	return out
}

// internalError reports whether errs has a panic or a conversion error:
// their CRD is not shared.
func internalError(errs field.ErrorList) bool {
	for _, e := range errs {
		if e.Type == field.ErrorTypeInternal {
			return true
		}
	}
	return false
}

func isMeta(e *field.Error) bool {
	return e.Field == "metadata" || strings.HasPrefix(e.Field, "metadata.")
}

// Invalid reports whether the API server would refuse the CRD.
func (d *Definition) Invalid() bool { return len(d.Errors) > 0 }

// Version is one version of a CRD, ready to check custom resources.
type Version struct {
	Name     string
	Served   bool
	Exists   bool
	kind     schema.GroupVersionKind
	scope    bool // namespaced
	preserve bool // spec.preserveUnknownFields
	schema   *structuralschema.Structural
	strategy rest.RESTCreateStrategy
	cel      *cel.Validator
	err      error
}

// Version returns the compiled version name of in, the CRD d was made of
// (Exists false when it has no such version). Compiled once; safe for
// concurrent use. Call only on a valid Definition.
func (d *Definition) Version(in *apiextv1.CustomResourceDefinition, name string) *Version {
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.versions[name]; ok {
		return v
	}
	v := compile(in, name)
	d.versions[name] = v
	return v
}

func compile(in *apiextv1.CustomResourceDefinition, name string) (v *Version) {
	v = &Version{Name: name}
	defer func() {
		if r := recover(); r != nil {
			v.err = fmt.Errorf("kvet: panic while compiling the CRD's schema: %v\n%s", r, debug.Stack())
		}
	}()
	// Only the version compiled is converted: converting every version
	// (and comparing their schemas, which the conversion does to move a
	// shared one to spec.validation) was a third of the compile's CPU on
	// the corpus's many-version CRDs.
	one := *in
	one.Spec.Versions = nil
	for _, ver := range in.Spec.Versions {
		if ver.Name == name {
			one.Spec.Versions = []apiextv1.CustomResourceDefinitionVersion{ver}
		}
	}
	if one.Spec.Versions == nil {
		return v
	}
	crd, err := internal(&one)
	if err != nil {
		v.err = err
		return v
	}
	ver := &crd.Spec.Versions[0]
	v.Exists, v.Served = true, ver.Served
	if !ver.Served {
		return v
	}
	v.kind = schema.GroupVersionKind{Group: crd.Spec.Group, Version: name, Kind: crd.Spec.Names.Kind}
	v.scope = crd.Spec.Scope == apiextensions.NamespaceScoped
	v.preserve = crd.Spec.PreserveUnknownFields != nil && *crd.Spec.PreserveUnknownFields
	validationSchema := ver.Schema
	if validationSchema == nil {
		validationSchema = crd.Spec.Validation
	}
	var props *apiextensions.JSONSchemaProps
	if validationSchema != nil {
		props = validationSchema.OpenAPIV3Schema
	}
	if props != nil {
		s, err := structuralschema.NewStructural(props)
		if err != nil && !v.preserve {
			v.err = err
			return v
		}
		if s != nil && !v.preserve {
			// s is this compile's own (internal converted a copy of
			// the CRD): pruned in place.
			if err := structuraldefaulting.PruneDefaults(s); err != nil {
				v.err = err
				return v
			}
		}
		v.schema = s
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(props)
	if err != nil {
		v.err = err
		return v
	}
	subresources := ver.Subresources
	if subresources == nil {
		subresources = crd.Spec.Subresources
	}
	var status *apiextensions.CustomResourceSubresourceStatus
	var scale *apiextensions.CustomResourceSubresourceScale
	if subresources != nil {
		status, scale = subresources.Status, subresources.Scale
	}
	// The v1 version's own selectable fields: the conversion moves them
	// to spec.selectableFields.
	selectable := one.Spec.Versions[0].SelectableFields
	// The strategy validates without the CEL rules, which Validate runs
	// itself (as the strategy does, after the other checks) so that their
	// errors can be told apart.
	v.strategy = customresource.NewStrategy(typer{}, v.scope, v.kind, validator, nil, withoutRules(v.schema), status, scale, selectable)
	if v.schema != nil {
		v.cel = cel.NewValidator(v.schema, true, celconfig.PerCallLimit)
	}
	return v
}

// Err is why the version could not be compiled (nil when it was).
func (v *Version) Err() error { return v.err }

// withoutRules returns a copy of s without x-kubernetes-validations.
func withoutRules(s *structuralschema.Structural) *structuralschema.Structural {
	if s == nil {
		return nil
	}
	c := *s
	c.XValidations = nil
	if s.Items != nil {
		c.Items = withoutRules(s.Items)
	}
	if s.Properties != nil {
		c.Properties = make(map[string]structuralschema.Structural, len(s.Properties))
		for k, p := range s.Properties {
			c.Properties[k] = *withoutRules(&p)
		}
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Structural != nil {
		c.AdditionalProperties = &structuralschema.StructuralOrBool{Bool: s.AdditionalProperties.Bool, Structural: withoutRules(s.AdditionalProperties.Structural)}
	}
	return &c
}

// FieldNames lists the properties the schema knows at path (field names;
// list items are written as "[]"), for a did-you-mean; nil when the
// schema has none there.
func (v *Version) FieldNames(path []string) []string {
	s := v.schema
	for _, seg := range path {
		if s == nil {
			return nil
		}
		switch {
		case seg == "[]":
			s = s.Items
		case s.Properties != nil:
			p, ok := s.Properties[seg]
			if !ok {
				return nil
			}
			s = &p
		case s.AdditionalProperties != nil:
			s = s.AdditionalProperties.Structural
		default:
			return nil
		}
	}
	if s == nil {
		return nil
	}
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Result is what checking one custom resource found.
type Result struct {
	// Errors are the validation's errors, in the API server's words:
	// schema (types, enums, required, bounds, patterns, formats), list
	// types and map keys, metadata and embedded resources.
	Errors field.ErrorList
	// Rules are the errors of the CRD's x-kubernetes-validations (CEL)
	// rules, with their message or messageExpression, at their
	// fieldPath; a rule over its cost budget is an error naming it.
	Rules field.ErrorList
	// RulesSkipped is set when the rules were not run because of Errors,
	// as the API server does.
	RulesSkipped bool
	// Unknown are the paths of fields the schema does not know (pruned
	// by the server; strict field validation rejects them), as the
	// server writes them (spec.foo, spec.items[0].bar).
	Unknown []string
}

// Validate checks the custom resource obj (its plain Go value, which is
// not modified) as the API server does on create: pruning unknown
// fields, defaulting, then the strategy's validation. Call only on a
// served, compiled version. Safe for concurrent use.
func (v *Version) Validate(obj map[string]any) (res Result) {
	defer func() {
		if r := recover(); r != nil {
			res.Errors = append(res.Errors, field.InternalError(nil, fmt.Errorf("kvet: panic while validating the custom resource: %v\n%s", r, debug.Stack())))
		}
	}()
	if v.err != nil || v.strategy == nil {
		return Result{Errors: field.ErrorList{field.InternalError(nil, fmt.Errorf("the CRD's version %s could not be compiled: %w", v.Name, v.err))}}
	}
	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(obj)}
	// Decoding: what unstructuredSchemaCoercer does.
	objectMeta, foundMeta, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return Result{Errors: field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}}
	}
	res.Unknown = append(res.Unknown, metaUnknown...)
	kind, apiVersion := u.GetKind(), u.GetAPIVersion()
	if v.schema != nil && !v.preserve {
		res.Unknown = append(res.Unknown, structuralpruning.PruneWithOptions(u.Object, v.schema, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.schema)
	}
	if v.schema != nil {
		ferr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, v.schema, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
		if ferr != nil {
			res.Errors = append(res.Errors, ferr)
			return res
		}
		res.Unknown = append(res.Unknown, paths...)
	}
	u.SetKind(kind)
	u.SetAPIVersion(apiVersion)
	if foundMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, objectMeta); err != nil {
			res.Errors = append(res.Errors, field.Invalid(field.NewPath("metadata"), nil, err.Error()))
			return res
		}
	}
	// Defaulting, after decoding, as the server's defaulter does.
	if v.schema != nil {
		structuraldefaulting.Default(u.Object, v.schema)
	}
	// Create: the request's namespace, a generated name, then the
	// strategy's preparation and validation.
	if v.scope {
		if u.GetNamespace() == "" {
			u.SetNamespace("default") // kubectl's namespace when none is given
		}
	} else {
		u.SetNamespace("") // kubectl sends a cluster-scoped object without it
	}
	if u.GetName() == "" && u.GetGenerateName() != "" {
		u.SetName(u.GetGenerateName() + "xxxxx")
	}
	ctx := genericrequest.WithNamespace(context.Background(), u.GetNamespace())
	v.strategy.PrepareForCreate(ctx, u)
	res.Errors = append(res.Errors, rest.ValidateCreate(ctx, u, v.strategy)...)
	if v.cel != nil {
		if blocking(res.Errors) {
			res.RulesSkipped = true
		} else {
			res.Rules, _ = v.cel.Validate(ctx, nil, v.schema, u.Object, nil, celconfig.RuntimeCELCostBudget)
		}
	}
	return res
}

// blocking reports whether errs keep the API server from running the
// CEL rules (the custom resource strategy's hasBlockingErr).
func blocking(errs field.ErrorList) bool {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

// typer tells the strategy the kind of an Unstructured object.
type typer struct{}

func (typer) ObjectKinds(obj runtime.Object) ([]schema.GroupVersionKind, bool, error) {
	return []schema.GroupVersionKind{obj.GetObjectKind().GroupVersionKind()}, false, nil
}

func (typer) Recognizes(schema.GroupVersionKind) bool { return true }
