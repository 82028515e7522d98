package apiserver

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Scheme returns the scheme kvet validates with: internal and external
// types, defaults and conversions of every group kvet validates. It must
// only be read.
func Scheme() *runtime.Scheme { return scheme() }

// Resource returns the plural resource name of a kind kvet validates, and
// whether it is namespaced; ok is false for other kinds.
func Resource(gvk schema.GroupVersionKind) (resource string, namespaced, ok bool) {
	if k, found := index()[gvk]; found {
		return k.resource, k.namespaced, true
	}
	return "", false, false
}

// Defaulted returns a copy of obj, an external (k8s.io/api) object of a
// kind the scheme knows, with the scheme's defaults applied as the API
// server's decoder applies them before admission; obj is not modified.
// ok is false for kinds the scheme does not know.
func Defaulted(gvk schema.GroupVersionKind, obj runtime.Object) (out runtime.Object, ok bool) {
	s := scheme()
	if obj == nil || !s.Recognizes(gvk) {
		return nil, false
	}
	out = obj.DeepCopyObject()
	out.GetObjectKind().SetGroupVersionKind(gvk)
	s.Default(out)
	return out, true
}
