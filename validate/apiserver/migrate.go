package apiserver

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	extensionsinstall "k8s.io/kubernetes/pkg/apis/extensions/install"
)

// migrationScheme is the validation scheme plus the extensions/v1beta1
// group (Ingress, Deployment, DaemonSet, ... of old releases), whose
// conversions into today's groups kvet fix needs; validation does not.
var migrationScheme = sync.OnceValue(func() *runtime.Scheme {
	s := newScheme()
	extensionsinstall.Install(s)
	return s
})

// SameAfterMigration reports whether migrated, an object written for a
// newer apiVersion, means what old meant: the API server's defaulting of
// old, converted to migrated's version by the API server's own
// conversion functions, equals migrated with its defaults. When they
// differ (defaults that changed between the versions, a field the text
// edits got wrong) a migration is not safe. Both are versioned typed
// objects; they are not modified.
func SameAfterMigration(old, migrated runtime.Object) (same bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			same, err = false, fmt.Errorf("conversion failed: %v", v)
		}
	}()
	s := migrationScheme()
	gvks, _, err := s.ObjectKinds(migrated)
	if err != nil {
		return false, err
	}
	if len(gvks) == 0 {
		return false, fmt.Errorf("unknown kind %T", migrated)
	}
	target := gvks[0].GroupVersion()
	o := old.DeepCopyObject()
	s.Default(o)
	internal, err := s.ConvertToVersion(o, runtime.InternalGroupVersioner)
	if err != nil {
		return false, err
	}
	converted, err := s.ConvertToVersion(internal, target)
	if err != nil {
		return false, err
	}
	m := migrated.DeepCopyObject()
	s.Default(m)
	clearTypeMeta(converted)
	clearTypeMeta(m)
	return equality.Semantic.DeepEqual(converted, m), nil
}

func clearTypeMeta(o runtime.Object) {
	o.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
}
