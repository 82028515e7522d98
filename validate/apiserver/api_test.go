package apiserver

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

var jobGVK = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}

const validJob = `
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: app
        image: perl`

func TestUnsupported(t *testing.T) {
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "batch", Version: "v1beta1", Kind: "CronJob"},   // no longer served
		{Group: "apps", Version: "v1beta2", Kind: "Deployment"}, // no longer served
		{Group: "policy", Version: "v1beta1", Kind: "PodDisruptionBudget"},
		{Group: "example.com", Version: "v1", Kind: "Widget"}, // CRD
		{Group: "", Version: "v1", Kind: "Node"},              // not covered
	} {
		errs, ok := Validate(gvk, &unstructured.Unstructured{})
		if ok || errs != nil {
			t.Errorf("%s: supported=%v errs=%v, want unsupported", gvk, ok, errs)
		}
	}
}

func TestKinds(t *testing.T) {
	ks := Kinds()
	for i := 1; i < len(ks); i++ {
		a, b := ks[i-1], ks[i]
		if a.Group > b.Group || a.Group == b.Group && (a.Version > b.Version || a.Version == b.Version && a.Kind >= b.Kind) {
			t.Errorf("not sorted: %s before %s", a, b)
		}
	}
	have := map[schema.GroupVersionKind]bool{}
	for _, k := range ks {
		have[k] = true
		if _, ok := Validate(k, nil); !ok {
			t.Errorf("Kinds lists %s but Validate does not support it", k)
		}
		if _, err := scheme().New(k); err != nil {
			t.Errorf("%s not in scheme: %v", k, err)
		}
	}
	for _, want := range []string{
		"/v1, Kind=Pod", "/v1, Kind=Service", "/v1, Kind=ConfigMap", "/v1, Kind=Secret",
		"/v1, Kind=PersistentVolumeClaim", "/v1, Kind=ServiceAccount",
		"apps/v1, Kind=Deployment", "apps/v1, Kind=ReplicaSet", "apps/v1, Kind=StatefulSet", "apps/v1, Kind=DaemonSet",
		"batch/v1, Kind=Job", "batch/v1, Kind=CronJob", "policy/v1, Kind=PodDisruptionBudget",
		"autoscaling/v1, Kind=HorizontalPodAutoscaler", "autoscaling/v2, Kind=HorizontalPodAutoscaler",
		"networking.k8s.io/v1, Kind=Ingress", "networking.k8s.io/v1, Kind=NetworkPolicy",
	} {
		found := false
		for k := range have {
			if k.String() == want {
				found = true
			}
		}
		if !found {
			t.Errorf("Kinds() lacks %s", want)
		}
	}
	if KubernetesVersion() != "1.37" {
		t.Errorf("KubernetesVersion() = %q", KubernetesVersion())
	}
}

func internalOnly(t *testing.T, errs field.ErrorList, substr string) {
	t.Helper()
	if len(errs) != 1 || errs[0].Type != field.ErrorTypeInternal || !strings.Contains(errs[0].Detail, substr) {
		t.Fatalf("want one internal error containing %q, got %v", substr, errs)
	}
}

func TestBadInput(t *testing.T) {
	errs, ok := Validate(jobGVK, nil)
	if !ok {
		t.Fatal("unsupported")
	}
	internalOnly(t, errs, "nil object")

	errs, _ = Validate(jobGVK, (*batchv1.Job)(nil))
	internalOnly(t, errs, "nil object")

	errs, _ = Validate(jobGVK, &appsv1.Deployment{})
	internalOnly(t, errs, "must be a *v1.Job")

	// An empty Job is invalid but must not crash.
	errs, _ = Validate(jobGVK, &batchv1.Job{})
	if len(errs) == 0 {
		t.Fatal("empty job: no errors")
	}
	for _, e := range errs {
		if e.Type == field.ErrorTypeInternal {
			t.Errorf("empty job: internal error %v", e)
		}
	}
}

func TestPanicIsRecovered(t *testing.T) {
	k := *index()[jobGVK]
	k.validate = func(runtime.Object) field.ErrorList { panic(errors.New("boom")) }
	_, obj := decode(t, validJob)
	errs := validateSafely(jobGVK, &k, obj)
	internalOnly(t, errs, "boom")
}

func TestUnstructuredInput(t *testing.T) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(strings.Replace(validJob, "Never", "Always", 1)), &m); err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: m}
	before := u.DeepCopy()
	errs, _ := Validate(jobGVK, u)
	if len(errs) != 1 || errs[0].Field != "spec.template.spec.restartPolicy" {
		t.Fatalf("got %v", errs)
	}
	if !equality.Semantic.DeepEqual(before, u) {
		t.Error("unstructured input modified")
	}
}

// The job strategy adds a selector and template labels; none of that may
// leak into the caller's object, nor the defaults.
func TestCallerObjectUnchanged(t *testing.T) {
	_, obj := decode(t, validJob)
	job := obj.(*batchv1.Job)
	before := job.DeepCopy()
	if errs, _ := Validate(jobGVK, job); len(errs) != 0 {
		t.Fatalf("unexpected errors %v", errs)
	}
	if !equality.Semantic.DeepEqual(before, job) {
		t.Fatalf("job modified:\nbefore %+v\nafter  %+v", before, job)
	}
	if job.Spec.Selector != nil || job.Spec.Template.Labels != nil || job.Namespace != "" || job.Spec.BackoffLimit != nil {
		t.Fatal("defaults or generated selector leaked into the caller's job")
	}
}

// generateName is turned into a name, and the namespace is defaulted, as on
// the server; an invalid generateName is reported at metadata.generateName.
func TestMetadataHandling(t *testing.T) {
	doc := strings.Replace(validJob, "metadata: {name: pi}", "metadata: {generateName: pi-}", 1)
	gvk, obj := decode(t, doc)
	if errs, _ := Validate(gvk, obj); len(errs) != 0 {
		t.Fatalf("generateName job: %v", errs)
	}
	doc = strings.Replace(validJob, "metadata: {name: pi}", "metadata: {generateName: Pi_}", 1)
	gvk, obj = decode(t, doc)
	errs, _ := Validate(gvk, obj)
	if len(errs) == 0 || errs[0].Field != "metadata.generateName" {
		t.Fatalf("bad generateName: %v", errs)
	}
	// No name at all.
	doc = strings.Replace(validJob, "metadata: {name: pi}", "metadata: {}", 1)
	gvk, obj = decode(t, doc)
	errs, _ = Validate(gvk, obj)
	if len(errs) == 0 || errs[0].Type != field.ErrorTypeRequired || errs[0].Field != "metadata.name" {
		t.Fatalf("no name: %v", errs)
	}
	// A cluster-scoped object with a namespace: the server drops it.
	gvk, obj = decode(t, `
apiVersion: v1
kind: Namespace
metadata: {name: team-a, namespace: somewhere}`)
	if errs, _ := Validate(gvk, obj); len(errs) != 0 {
		t.Fatalf("namespace with namespace: %v", errs)
	}
}

// Some checks exist only as declarative validation in this Kubernetes
// version (the handwritten counterpart is filtered out); they must be
// reported, with the server's path.
func TestDeclarativeValidation(t *testing.T) {
	gvk, obj := decode(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ""}
subjects:
- kind: ServiceAccount
  name: builder`)
	errs, _ := Validate(gvk, obj)
	if len(errs) != 1 || errs[0].Type != field.ErrorTypeRequired || errs[0].Field != "roleRef.name" {
		t.Fatalf("got %v", errs)
	}
	if errs[0].FromImperative {
		t.Errorf("expected the declarative error, got the handwritten one")
	}
}

func TestBadValueString(t *testing.T) {
	q := ptr.To(int32(5))
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, ""},
		{(*int32)(nil), ""},
		{q, "5"},
		{ptr.To("x"), "x"},
		{"plain", "plain"},
		{corev1.RestartPolicyAlways, "Always"},
		{ptr.To(corev1.RestartPolicyNever), "Never"},
		{42, "42"},
		{[]string{"a", "b"}, "[a b]"},
	} {
		e := field.Invalid(field.NewPath("x"), tc.v, "")
		if got := BadValueString(e); got != tc.want {
			t.Errorf("BadValueString(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	if BadValueString(nil) != "" {
		t.Error("nil error")
	}
	// A real pointer-valued BadValue from the validation code.
	gvk, obj := decode(t, `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 5
  maxReplicas: 2`)
	errs, _ := Validate(gvk, obj)
	if len(errs) != 1 || BadValueString(errs[0]) != "2" {
		t.Fatalf("hpa: %v / %q", errs, BadValueString(errs[0]))
	}
}

func TestConcurrent(t *testing.T) {
	type item struct {
		gvk  schema.GroupVersionKind
		obj  runtime.Object
		want int
	}
	var items []item
	for _, tc := range cases {
		gvk, obj := decode(t, tc.doc)
		items = append(items, item{gvk, obj, len(tc.want)})
	}
	var wg sync.WaitGroup
	errc := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 3*len(items); i++ {
				it := items[(g+i)%len(items)] // shared objects: Validate must only read them
				errs, ok := Validate(it.gvk, it.obj)
				if !ok || len(errs) != it.want {
					select {
					case errc <- fmt.Sprintf("%s: supported=%v %v", it.gvk, ok, errs):
					default:
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errc)
	for e := range errc {
		t.Error(e)
	}
}

// Every supported kind must validate an empty object without an internal
// error (which would mean a missing declarative-validation option, a
// conversion failure or a panic).
func TestEmptyObjectsNoInternalErrors(t *testing.T) {
	for _, gvk := range Kinds() {
		obj, err := scheme().New(gvk)
		if err != nil {
			t.Fatal(err)
		}
		errs, ok := Validate(gvk, obj)
		if !ok {
			t.Fatalf("%s unsupported", gvk)
		}
		// The server names a nameless LimitRange itself (a UUID), so an
		// empty one is valid; every other empty object lacks a name.
		if wantValid := gvk.Kind == "LimitRange"; wantValid != (len(errs) == 0) {
			t.Errorf("%s: empty object: %v", gvk, errs)
		}
		for _, e := range errs {
			if e.Type == field.ErrorTypeInternal {
				t.Errorf("%s: %v", gvk, e)
			}
		}
	}
}
