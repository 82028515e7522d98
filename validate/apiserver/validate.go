package apiserver

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/operation"
	"k8s.io/apimachinery/pkg/api/validate/content"
	genericvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"
	api "k8s.io/kubernetes/pkg/apis/core"
)

const (
	// fakeUID stands in for the UID the server assigns on create; the Job
	// strategy copies it into the generated selector and template labels.
	fakeUID = types.UID("00000000-0000-4000-8000-000000000000")
	// generatedNameSuffix stands in for the 5 random characters the server
	// appends to metadata.generateName (from the same alphabet).
	generatedNameSuffix = "bcdfg"
	// maxGeneratedNameLength mirrors k8s.io/apiserver/pkg/storage/names.
	maxGeneratedNameLength = 63 - len(generatedNameSuffix)
)

// creationTime is a fixed timestamp standing in for the server's clock.
var creationTime = metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))

// index maps a served GroupVersionKind to its kind entry.
var index = sync.OnceValue(func() map[schema.GroupVersionKind]*kind {
	m := make(map[schema.GroupVersionKind]*kind)
	for i := range kinds {
		k := &kinds[i]
		for _, v := range k.versions {
			m[schema.GroupVersionKind{Group: k.group, Version: v, Kind: k.name}] = k
		}
	}
	return m
})

// Kinds lists the supported GroupVersionKinds (sorted by group, version,
// kind), for docs.
func Kinds() []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(index()))
	for gvk := range index() {
		out = append(out, gvk)
	}
	slices.SortFunc(out, func(a, b schema.GroupVersionKind) int {
		if c := strings.Compare(a.Group, b.Group); c != 0 {
			return c
		}
		if c := strings.Compare(a.Version, b.Version); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return out
}

// KubernetesVersion returns the Kubernetes minor version ("1.37") whose
// API server validation code, defaults and default feature gates are used.
func KubernetesVersion() string {
	return version.DefaultKubeBinaryVersion
}

// Validate runs the API server's create-time defaulting and validation on obj.
// supported is false when kvet has no validator for gvk.
//
// obj is an external (k8s.io/api) typed object of kind gvk, e.g. a
// *batchv1.Job for batch/v1 Job; an *unstructured.Unstructured is accepted
// too. obj is never modified. The returned errors carry the field paths the
// API server reports (e.g. "spec.template.spec.restartPolicy"). A problem
// in kvet itself (wrong Go type for gvk, a panic inside the validation code)
// is reported as a single field.ErrorTypeInternal error.
func Validate(gvk schema.GroupVersionKind, obj runtime.Object) (errs field.ErrorList, supported bool) {
	k, ok := index()[gvk]
	if !ok {
		return nil, false
	}
	return validateSafely(gvk, k, obj), true
}

// validateSafely runs validate and turns a panic anywhere in the
// Kubernetes code into an internal error instead of crashing kvet.
func validateSafely(gvk schema.GroupVersionKind, k *kind, obj runtime.Object) (errs field.ErrorList) {
	defer func() {
		if r := recover(); r != nil {
			errs = field.ErrorList{field.InternalError(nil,
				fmt.Errorf("kvet: panic while validating %s: %v\n%s", gvk, r, debug.Stack()))}
		}
	}()
	return validate(gvk, k, obj)
}

func validate(gvk schema.GroupVersionKind, k *kind, obj runtime.Object) field.ErrorList {
	s := scheme()
	if obj == nil || (reflect.ValueOf(obj).Kind() == reflect.Pointer && reflect.ValueOf(obj).IsNil()) {
		return internal(fmt.Errorf("kvet: nil object for %s", gvk))
	}

	// 1. A private copy of the external object, of the right Go type.
	external, err := s.New(gvk)
	if err != nil {
		return internal(err)
	}
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.UnstructuredContent(), external); err != nil {
			return internal(fmt.Errorf("kvet: converting unstructured %s: %w", gvk, err))
		}
	default:
		if reflect.TypeOf(obj) != reflect.TypeOf(external) {
			return internal(fmt.Errorf("kvet: %s must be a %T, got %T", gvk, external, obj))
		}
		external = obj.DeepCopyObject()
	}
	// The decoder sets these from the request; validation looks at neither.
	external.GetObjectKind().SetGroupVersionKind(gvk)

	// 2. Defaulting, as the server's decoder does.
	s.Default(external)

	// 3. Conversion to the internal type.
	in, err := s.New(gvk.GroupKind().WithVersion(runtime.APIVersionInternal))
	if err != nil {
		return internal(err)
	}
	if err := s.Convert(external, in, nil); err != nil {
		return internal(fmt.Errorf("kvet: converting %s to internal: %w", gvk, err))
	}

	// 4. Request namespace, generated name, system fields.
	om, err := meta.Accessor(in)
	if err != nil {
		return internal(err)
	}
	if k.namespaced {
		if om.GetNamespace() == "" {
			om.SetNamespace(metav1.NamespaceDefault) // kubectl's default
		}
	} else {
		om.SetNamespace(metav1.NamespaceNone) // cluster-scoped: cleared by the server
	}
	if om.GetName() == "" && om.GetGenerateName() != "" {
		base := om.GetGenerateName()
		if len(base) > maxGeneratedNameLength {
			base = base[:maxGeneratedNameLength]
		}
		om.SetName(base + generatedNameSuffix)
	}
	om.SetUID(fakeUID)
	om.SetCreationTimestamp(creationTime)

	// 5. The strategy's PrepareForCreate.
	k.prepare(in)

	// 6. Handwritten validation, then generic ObjectMeta validation when it
	// found nothing (rest.ValidateCreate).
	errs := k.validate(in)
	if len(errs) == 0 {
		errs = append(errs, genericvalidation.ValidateObjectMetaAccessor(om, k.namespaced, validatePathSegment, field.NewPath("metadata"))...)
	}

	// 7. Declarative validation merged with the handwritten errors.
	var cfg rest.DeclarativeValidationConfig
	if k.dvConfig != nil {
		cfg = k.dvConfig(in)
	}
	ctx := genericapirequest.WithRequestInfo(quietContext, &genericapirequest.RequestInfo{
		IsResourceRequest: true,
		Verb:              "create",
		APIPrefix:         apiPrefix(gvk.Group),
		APIGroup:          gvk.Group,
		APIVersion:        gvk.Version,
		Namespace:         om.GetNamespace(),
		Resource:          k.resource,
		Name:              om.GetName(),
	})
	if k.namespaced {
		ctx = genericapirequest.WithNamespace(ctx, om.GetNamespace())
	}
	return totalSize(in, rest.ValidateDeclarativelyWithMigrationChecks(ctx, s, in, nil, errs, operation.Create, cfg))
}

// totalSize points the "too long" error of a ConfigMap or Secret whose
// data is over the 1 MiB the server stores at data (the ConfigMap's
// points at the whole object, field ""), and says the size.
func totalSize(in runtime.Object, errs field.ErrorList) field.ErrorList {
	size, kind := 0, ""
	switch o := in.(type) {
	case *api.ConfigMap:
		kind = "ConfigMap"
		for _, v := range o.Data {
			size += len(v)
		}
		for _, v := range o.BinaryData {
			size += len(v)
		}
	case *api.Secret:
		kind = "Secret"
		for _, v := range o.Data {
			size += len(v)
		}
	default:
		return errs
	}
	for _, e := range errs {
		if e.Type == field.ErrorTypeTooLong && (e.Field == "" || e.Field == "[]" || e.Field == "data") && size > api.MaxSecretSize {
			e.Field = "data"
			e.Detail = fmt.Sprintf("the data of a %s is %d bytes (%.1f MiB), more than the %d bytes (1 MiB) the API server stores", kind, size, float64(size)/(1<<20), api.MaxSecretSize)
		}
	}
	return errs
}

// quietContext carries a discarding logger: the declarative validation
// migration checks log mismatches between handwritten and declarative errors,
// which is server-operator noise, not a finding about the manifest.
var quietContext = klog.NewContext(context.Background(), logr.Discard())

func apiPrefix(group string) string {
	if group == "" {
		return "api"
	}
	return "apis"
}

// validatePathSegment is rest's unexported name check used by
// ValidateObjectMetaAccessor on create.
func validatePathSegment(name string, prefix bool) []string {
	if prefix {
		return content.IsPathSegmentPrefix(name)
	}
	return content.IsPathSegmentName(name)
}

func internal(err error) field.ErrorList {
	return field.ErrorList{field.InternalError(nil, err)}
}

// BadValueString renders e.BadValue readably: pointers are dereferenced,
// a nil (omitted) value renders as "", strings render unquoted and other
// values with %v.
func BadValueString(e *field.Error) string {
	if e == nil {
		return ""
	}
	v := reflect.ValueOf(e.BadValue)
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return ""
	}
	if v.CanAddr() && v.Addr().CanInterface() {
		if x, ok := v.Addr().Interface().(fmt.Stringer); ok {
			return x.String()
		}
	}
	if v.CanInterface() {
		switch x := v.Interface().(type) {
		case fmt.Stringer:
			return x.String()
		case string:
			return x
		}
	}
	if v.Kind() == reflect.String {
		return v.String()
	}
	return fmt.Sprintf("%v", v.Interface())
}
