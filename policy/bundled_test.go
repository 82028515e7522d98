package policy

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kvetdev/kvet/policies"
)

func bundledEngine(tb testing.TB) *Engine {
	tb.Helper()
	e, err := Load(context.Background(), Options{FS: policies.FS, AllNamespaces: true})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestBundledPolicies(t *testing.T) {
	e := bundledEngine(t)
	res, err := e.Eval(context.Background(), sampleObject(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ns := range res {
		for _, f := range ns.Failures {
			got = append(got, fmt.Sprintf("%s %v %s", ns.Namespace, f.Path, f.Metadata["id"]))
		}
	}
	sort.Strings(got)
	want := []string{
		"kvet.probes spec.template.spec.containers[0] workload-probes",
		"kvet.probes spec.template.spec.containers[0] workload-probes",
		"kvet.resources spec.template.spec.containers[0].resources container-resources",
		"kvet.resources spec.template.spec.containers[0].resources container-resources",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("failures:\n%v\nwant:\n%v", got, want)
	}
	groups, err := policies.Groups()
	if err != nil {
		t.Fatal(err)
	}
	if len(groups["security"]) > 0 {
		t.Errorf("group security has Rego policies again: its checks are the pod-security rule's (k8s.io/pod-security-admission)")
	}
	for _, g := range []string{"reliability"} {
		if len(groups[g]) == 0 {
			t.Errorf("no policies in group %s", g)
		}
		for _, p := range groups[g] {
			for _, part := range []string{"what", "why", "example", "fix"} {
				if p.Doc[part] == nil {
					t.Errorf("%s: custom.doc.%s missing", p.File, part)
				}
			}
			if p.Severity == "" || p.Title == "" || p.Description == "" || p.Help == "" {
				t.Errorf("%s: incomplete metadata %+v", p.File, p)
			}
		}
	}
}

// sampleObject returns varied Kubernetes objects.
func sampleObject(i int) map[string]any {
	container := map[string]any{
		"name":      "app",
		"image":     []string{"nginx:latest", "nginx:1.27", "nginx", "reg.io/x@sha256:abc"}[i%4],
		"resources": map[string]any{"requests": map[string]any{"cpu": "100m"}},
	}
	tmpl := map[string]any{"spec": map[string]any{"containers": []any{container}}}
	name := map[string]any{"name": fmt.Sprintf("obj-%d", i)}
	switch i % 6 {
	case 1:
		return map[string]any{"kind": "Pod", "metadata": name, "spec": tmpl["spec"]}
	case 2:
		return map[string]any{"kind": "Job", "metadata": name, "spec": map[string]any{"template": tmpl}}
	case 3:
		return map[string]any{"kind": "CronJob", "metadata": name, "spec": map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": tmpl}}}}
	case 4:
		return map[string]any{"kind": "Service", "metadata": name, "spec": map[string]any{"ports": []any{map[string]any{"port": 80}}}}
	case 5:
		return map[string]any{"kind": "StatefulSet", "metadata": name, "spec": map[string]any{"template": tmpl}}
	}
	return map[string]any{"kind": "Deployment", "metadata": name, "spec": map[string]any{"replicas": 2, "template": tmpl}}
}

// BenchmarkBundled10k evaluates 10,000 objects against every bundled policy,
// on GOMAXPROCS goroutines, and reports objects/s.
func BenchmarkBundled10k(b *testing.B) {
	e := bundledEngine(b)
	const n = 10000
	objs := make([]any, n)
	for i := range objs {
		objs[i] = sampleObject(i)
	}
	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		var wg sync.WaitGroup
		next := make(chan int, n)
		for i := range n {
			next <- i
		}
		close(next)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if _, err := e.Eval(ctx, objs[i], nil); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "objects/s")
}

func TestBundledWithObjectsOverlay(t *testing.T) {
	e := bundledEngine(t)
	extra := map[string]any{"kvet": map[string]any{"objects": []any{sampleObject(0), sampleObject(4)}}}
	plain, err := e.Eval(context.Background(), sampleObject(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	with, err := e.Eval(context.Background(), sampleObject(0), extra)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(plain) != fmt.Sprint(with) {
		t.Errorf("data.kvet.objects changed the bundled results:\n%v\n%v", plain, with)
	}
}
