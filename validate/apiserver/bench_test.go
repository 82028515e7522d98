package apiserver

import (
	"strings"
	"testing"
)

// Steady-state cost per object: the scheme is built and all package init
// has run before the timer starts (see README/report for start-up cost).
func benchDoc(b *testing.B, name string) {
	var doc string
	for _, tc := range cases {
		if tc.name == name {
			doc = tc.doc
		}
	}
	if doc == "" {
		b.Fatalf("no case %q", name)
	}
	gvk, obj := decode(b, doc)
	if errs, ok := Validate(gvk, obj); !ok || len(errs) != 0 {
		b.Fatalf("%s: %v", name, errs)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Validate(gvk, obj)
	}
}

func BenchmarkValidateJob(b *testing.B)         { benchDoc(b, "valid job") }
func BenchmarkValidateCronJob(b *testing.B)     { benchDoc(b, "valid cronjob") }
func BenchmarkValidateDeployment(b *testing.B)  { benchDoc(b, "valid deployment") }
func BenchmarkValidateStatefulSet(b *testing.B) { benchDoc(b, "valid statefulset") }
func BenchmarkValidateDaemonSet(b *testing.B)   { benchDoc(b, "valid daemonset") }
func BenchmarkValidatePod(b *testing.B)         { benchDoc(b, "valid pod") }
func BenchmarkValidateService(b *testing.B)     { benchDoc(b, "valid service") }
func BenchmarkValidateConfigMap(b *testing.B)   { benchDoc(b, "valid configmap") }
func BenchmarkValidateIngress(b *testing.B)     { benchDoc(b, "valid ingress") }
func BenchmarkValidateHPA(b *testing.B)         { benchDoc(b, "valid hpa v2") }

// An invalid object, to show that reporting errors costs about the same.
func BenchmarkValidateInvalidDeployment(b *testing.B) {
	gvk, obj := decode(b, cases[6].doc)
	if !strings.Contains(cases[6].name, "deployment") {
		b.Fatal("case order changed")
	}
	b.ReportAllocs()
	for b.Loop() {
		Validate(gvk, obj)
	}
}
