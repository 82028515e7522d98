// Command probe measures the start-up and steady-state cost of
// validate/apiserver: it validates one Job N times (-n) and prints the
// duration of the first call (builds the scheme) and the mean of the rest.
// Package init cost shows as the gap between `time probe -n 0` and an empty
// Go program. Not part of kvet; kept to reproduce the numbers in the report.
package main

import (
	"flag"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kvetdev/kvet/validate/apiserver"
)

func main() {
	n := flag.Int("n", 1, "objects to validate")
	flag.Parse()
	if *n == 0 {
		return
	}
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "pi"},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "pi", Image: "perl"}},
		}}},
	}
	gvk := schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}
	t0 := time.Now()
	errs, _ := apiserver.Validate(gvk, job)
	first := time.Since(t0)
	t1 := time.Now()
	for i := 1; i < *n; i++ {
		apiserver.Validate(gvk, job)
	}
	rest := time.Since(t1)
	fmt.Printf("errors=%d first=%v", len(errs), first)
	if *n > 1 {
		fmt.Printf(" steady=%v/object over %d", rest/time.Duration(*n-1), *n-1)
	}
	fmt.Println()
}
