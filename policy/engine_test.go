package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/manifest"
)

func load(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

var deployment = map[string]any{
	"kind":     "Deployment",
	"metadata": map[string]any{"name": "web"},
	"spec": map[string]any{
		"replicas": 1,
		"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "app", "image": "nginx:latest"},
		}}},
	},
}

func TestEvalResults(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		opts                  Options
		input                 any
		failures, warnings    []string
		exceptions, successes int
	}{
		{
			name:     "v1 strings and objects",
			opts:     Options{Paths: []string{"testdata/v1/policy"}},
			input:    deployment,
			failures: []string{"Deployment web must run as non-root", "container app uses a latest image", "replicas must be at least 2"},
			warnings: []string{"Deployment web has no team label"},
		},
		{
			name:       "v1 exception",
			opts:       Options{Paths: []string{"testdata/v1/policy"}},
			input:      map[string]any{"kind": "Pod", "metadata": map[string]any{"name": "legacy", "labels": map[string]any{"team": "x"}}},
			exceptions: 1,
			successes:  3,
		},
		{
			name:      "v1 all pass",
			opts:      Options{Paths: []string{"testdata/v1/policy"}},
			input:     map[string]any{"kind": "Pod", "metadata": map[string]any{"name": "p", "labels": map[string]any{"team": "x"}}},
			successes: 4,
		},
		{
			name:     "v0 syntax",
			opts:     Options{Paths: []string{"testdata/v0/policy"}, RegoVersion: "v0"},
			input:    deployment,
			failures: []string{"Deployment web must run as non-root"},
			warnings: []string{"Deployment web has no team label"},
		},
		{
			name:     "data",
			opts:     Options{Paths: []string{"testdata/data/policy"}, DataPaths: []string{"testdata/data/data"}},
			input:    deployment,
			failures: []string{"image nginx:latest is not from registry.example.com/"},
		},
		{
			name:     "namespace",
			opts:     Options{Paths: []string{"testdata/ns/policy"}, Namespaces: []string{"other.sub"}},
			input:    map[string]any{"kind": "Service"},
			failures: []string{"no services"},
			warnings: []string{"other warns"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := load(t, tc.opts)
			res, err := e.Eval(context.Background(), tc.input, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 {
				t.Fatalf("got %d namespace results", len(res))
			}
			r := res[0]
			if got := msgs(r.Failures); !reflect.DeepEqual(got, tc.failures) {
				t.Errorf("failures = %q, want %q", got, tc.failures)
			}
			if got := msgs(r.Warnings); !reflect.DeepEqual(got, tc.warnings) {
				t.Errorf("warnings = %q, want %q", got, tc.warnings)
			}
			if len(r.Exceptions) != tc.exceptions || r.Successes != tc.successes {
				t.Errorf("exceptions=%d successes=%d, want %d %d", len(r.Exceptions), r.Successes, tc.exceptions, tc.successes)
			}
		})
	}
}

func msgs(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Msg)
	}
	return out
}

func TestResultMetadataPathLoc(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/v1/policy"}})
	res, err := e.Eval(context.Background(), deployment, nil)
	if err != nil {
		t.Fatal(err)
	}
	var image, replicas Result
	for _, r := range res[0].Failures {
		switch r.Rule {
		case "deny_image":
			image = r
		case "violation":
			replicas = r
		}
	}
	if image.Kind != KindFailure || image.Metadata["severity"] != "high" || image.Metadata["query"] != "data.main.deny_image" {
		t.Errorf("image result = %+v", image)
	}
	if want := (manifest.Path{}).Field("spec").Field("template").Field("spec").Field("containers").Item(0).Field("image"); !image.Path.Equal(want) {
		t.Errorf("path = %#v, want %#v", image.Path, want)
	}
	if want := (manifest.Path{}).Field("spec").Field("replicas"); !replicas.Path.Equal(want) {
		t.Errorf("dotted path = %#v, want %#v", replicas.Path, want)
	}
	if replicas.Location == nil || *replicas.Location != (Location{File: "elsewhere.yaml", Line: 7}) {
		t.Errorf("_loc = %+v", replicas.Location)
	}
	if _, ok := replicas.Metadata["_loc"]; ok {
		t.Error("_loc kept in metadata")
	}
}

func TestAllNamespaces(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/ns/policy"}, AllNamespaces: true})
	if got, want := e.Namespaces(), []string{"main", "other.sub"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("namespaces = %v, want %v", got, want)
	}
	res, err := e.Eval(context.Background(), map[string]any{"kind": "Pod"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Failures) != 1 || len(res[1].Warnings) != 1 || res[1].Successes != 1 {
		t.Errorf("results = %+v", res)
	}
}

func TestExtraData(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/data/policy"}})
	ctx := context.Background()
	for _, reg := range []string{"nginx", "registry.example.com/"} {
		extra := map[string]any{"allowed": map[string]any{"registry": reg}}
		res, err := e.Eval(ctx, deployment, extra)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if reg == "nginx" {
			want = 0
		}
		if len(res[0].Failures) != want {
			t.Errorf("registry %s: failures = %v", reg, msgs(res[0].Failures))
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want []string
	}{
		{"compile error", Options{Paths: []string{"testdata/badcompile/policy"}}, []string{"testdata/badcompile/policy/main.rego:4:", "undefined_var"}},
		{"v1 policy parsed as v1 from v0 file", Options{Paths: []string{"testdata/v0/policy"}}, []string{"testdata/v0/policy/main.rego:3:", "rego_parse_error"}},
		{"deny[msg] if without contains", Options{Paths: []string{"testdata/refhead/policy"}}, []string{"testdata/refhead/policy/main.rego:5", "'if' keyword without 'contains'"}},
		{"http.send refused", Options{Paths: []string{"testdata/net/policy"}}, []string{"testdata/net/policy/main.rego:4:10: http.send is disabled; pass --allow-net"}},
		{"opa.runtime refused", Options{Paths: []string{"testdata/env/policy"}}, []string{"testdata/env/policy/main.rego:4:2: opa.runtime is disabled; pass --allow-env"}},
		{"missing folder", Options{Paths: []string{"testdata/nope"}}, []string{"testdata/nope"}},
		{"bad rego version", Options{Paths: []string{"testdata/v1/policy"}, RegoVersion: "v2"}, []string{"invalid Rego version"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(context.Background(), tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestAllowNetAndEnv(t *testing.T) {
	if _, err := Load(context.Background(), Options{Paths: []string{"testdata/net/policy"}, AllowNet: true}); err != nil {
		t.Errorf("AllowNet: %v", err)
	}
	t.Setenv("KVET_TEST_ENV", "deny")
	e := load(t, Options{Paths: []string{"testdata/env/policy"}, AllowEnv: true})
	res, err := e.Eval(context.Background(), map[string]any{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := msgs(res[0].Failures); len(got) != 1 {
		t.Errorf("failures = %q", got)
	}
}

// TestCancel: cancelling the caller's context (Ctrl-C) stops an
// evaluation under way, with no timeout set.
func TestCancel(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/timeout/policy"}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.Eval(ctx, map[string]any{}, nil)
	if err == nil || !strings.Contains(err.Error(), "cancel") {
		t.Fatalf("err = %v, want a cancellation", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestTimeout(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/timeout/policy"}, Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, err := e.Eval(context.Background(), map[string]any{}, nil)
	if err == nil {
		t.Fatal("no timeout")
	}
	if !strings.Contains(err.Error(), "timed out after 50ms in namespace main (testdata/timeout/policy/main.rego)") {
		t.Errorf("error = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

// TestResultPath: a policy's path, as an array or as a string written as
// Kubernetes writes field paths; a key with dots and a slash, in brackets
// or quoted, stays one key (the old dotted split made it four).
func TestResultPath(t *testing.T) {
	spec := manifest.Path{}.Field("spec")
	ignore := manifest.Path{}.Field("metadata").Field("annotations").Field("kvet.dev/ignore")
	for _, c := range []struct {
		in   any
		want manifest.Path
	}{
		{"spec.containers[0].image", spec.Field("containers").Item(0).Field("image")},
		{"spec.containers.1", spec.Field("containers").Item(1)},
		{"metadata.annotations[kvet.dev/ignore]", ignore},
		{`metadata.annotations["kvet.dev/ignore"]`, ignore},
		{[]any{"metadata", "annotations", "kvet.dev/ignore"}, ignore},
		{[]any{"spec", "containers", json.Number("2"), 3.0, int64(4)}, spec.Field("containers").Item(2).Item(3).Item(4)},
		{"", nil},
		{"spec..x", nil},
		{"spec[", nil},
		{[]any{"spec", -1}, nil},
		{[]any{"spec", true}, nil},
		{42, nil},
	} {
		if got := resultPath(c.in); !got.Equal(c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("resultPath(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestRunTests(t *testing.T) {
	rep, err := RunTests(context.Background(), Options{Paths: []string{"testdata/failing/policy"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	var passed, failed []string
	for _, r := range rep.Results {
		if r.Passed() {
			passed = append(passed, r.Name)
		} else {
			failed = append(failed, r.Name)
		}
	}
	if !reflect.DeepEqual(passed, []string{"test_pod_denied"}) || !reflect.DeepEqual(failed, []string{"test_service_denied"}) {
		t.Errorf("passed %v failed %v", passed, failed)
	}
	if rep.Coverage == nil || rep.Coverage.Files["testdata/failing/policy/main.rego"] == nil {
		t.Errorf("no coverage for main.rego: %+v", rep.Coverage)
	}
}

func TestStrictAndCapabilities(t *testing.T) {
	if _, err := Load(context.Background(), Options{Paths: []string{"testdata/strict/policy"}}); err != nil {
		t.Errorf("non-strict: %v", err)
	}
	_, err := Load(context.Background(), Options{Paths: []string{"testdata/strict/policy"}, Strict: true})
	if err == nil || !strings.Contains(err.Error(), "testdata/strict/policy/main.rego:4:2: rego_compile_error: assigned var unused unused") {
		t.Errorf("strict: %v", err)
	}
	_, err = Load(context.Background(), Options{Paths: []string{"testdata/caps/policy.rego"}, Capabilities: "testdata/caps/caps.json"})
	if err == nil || !strings.Contains(err.Error(), "testdata/caps/policy.rego:4:") || !strings.Contains(err.Error(), "sprintf") {
		t.Errorf("capabilities: %v", err)
	}
	if _, err := Load(context.Background(), Options{Paths: []string{"testdata/caps/policy.rego"}}); err != nil {
		t.Errorf("default capabilities: %v", err)
	}
}

func TestConcurrentEvalWithExtraData(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/data/policy"}})
	maps := []map[string]any{
		{"allowed": map[string]any{"registry": "nginx"}},
		{"allowed": map[string]any{"registry": "other/"}},
	}
	done := make(chan error, 8)
	for w := range 8 {
		go func() {
			for i := range 20 {
				m := maps[(w+i)%2]
				res, err := e.Eval(context.Background(), deployment, m)
				if err != nil {
					done <- err
					return
				}
				want := 0
				if m["allowed"].(map[string]any)["registry"] == "other/" {
					want = 1
				}
				if len(res[0].Failures) != want {
					done <- fmt.Errorf("registry %v: %d failures", m, len(res[0].Failures))
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestObjectsOverlay(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/objects/policy"}})
	svc := map[string]any{"kind": "Service", "metadata": map[string]any{"name": "s"}, "spec": map[string]any{"selector": map[string]any{"app": "web"}}}
	dep := map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "d", "labels": map[string]any{"app": "web"}}, "spec": map[string]any{"replicas": int64(2), "paused": false}}
	for _, tc := range []struct {
		objects []any
		want    int
	}{{[]any{svc, dep}, 0}, {[]any{svc}, 1}} {
		res, err := e.Eval(context.Background(), svc, map[string]any{"kvet": map[string]any{"objects": tc.objects}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res[0].Failures) != tc.want {
			t.Errorf("%d objects: failures %v", len(tc.objects), msgs(res[0].Failures))
		}
	}
}

// TestExceptionQueryOnlyWhereDefined: conftest's exception counts are in
// the query only for namespaces where data.<ns>.exception can exist (a
// rule, a package below, data), and they still work there; extra data
// cannot add exceptions to a namespace prepared without them.
func TestExceptionQueryOnlyWhereDefined(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("plain.rego", "package plain\n\ndeny contains \"no\" if input.x\n")
	write("rule.rego", "package rule\n\ndeny contains \"no\" if input.x\n\nexception contains [\"\"] if input.y\n")
	write("sub.rego", "package sub\n\ndeny contains \"no\" if input.x\n")
	write("subexc.rego", "package sub.exception\n\nfoo := [\"\"] if input.y\n")
	write("fromdata.rego", "package fromdata\n\ndeny contains \"no\" if input.x\n")
	write("dotted.rego", "package dotted[\"a.b\"]\n\ndeny contains \"no\" if input.x\n")
	data := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(data, []byte(`{"fromdata": {"exception": {"all": [""]}}, "dotted": {"a.b": {"exception": {"all": [""]}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	e := load(t, Options{Paths: []string{dir}, DataPaths: []string{data}, AllNamespaces: true})
	want := map[string]bool{"plain": false, "rule": true, "sub": true, "sub.exception": false, "fromdata": true, `dotted["a.b"]`: true}
	for _, q := range e.queries {
		if q.exceptions != want[q.ns] {
			t.Errorf("%s: exceptions = %v, want %v", q.ns, q.exceptions, want[q.ns])
		}
	}
	res, err := e.Eval(context.Background(), map[string]any{"x": true, "y": true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		excepted := len(r.Exceptions) > 0
		if r.Namespace == "sub.exception" {
			continue
		}
		if excepted != want[r.Namespace] || excepted == (len(r.Failures) > 0) {
			t.Errorf("%s: %d failures, %d exceptions", r.Namespace, len(r.Failures), len(r.Exceptions))
		}
	}
	_, err = e.Eval(context.Background(), map[string]any{"x": true}, map[string]any{"plain": map[string]any{"exception": map[string]any{"a": []any{""}}}})
	if err == nil || !strings.Contains(err.Error(), "data.plain.exception") {
		t.Errorf("extra data defining an exception: error = %v", err)
	}
}

// TestEvalTracePrintBuiltinErrors: the evaluation options users reach
// through kvet test (--trace, print(), --show-builtin-errors) reach OPA's
// evaluator.
func TestEvalTracePrintBuiltinErrors(t *testing.T) {
	dir := t.TempDir()
	src := "package main\n\n" +
		"deny contains msg if {\n\tprint(\"kind is\", input.kind)\n\tinput.kind == \"Pod\"\n\tmsg := \"no pods\"\n}\n\n" +
		"warn contains msg if {\n\tto_number(input.replicas) > 1\n\tmsg := \"many\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	input := map[string]any{"kind": "Pod", "replicas": "lots"}

	var printed strings.Builder
	e := load(t, Options{Paths: []string{dir}, PrintOutput: &printed})
	res, err := e.Eval(context.Background(), input, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || len(res[0].Failures) != 1 || res[0].Failures[0].Msg != "no pods" || len(res[0].Warnings) != 0 {
		t.Fatalf("results = %+v", res)
	}
	if want := "main.rego:4: kind is Pod\n"; !strings.HasSuffix(printed.String(), want) {
		t.Errorf("print output = %q, want suffix %q", printed.String(), want)
	}

	// Without a print writer, print() is silent and the result the same.
	res, err = load(t, Options{Paths: []string{dir}}).Eval(context.Background(), input, nil)
	if err != nil || len(res[0].Failures) != 1 {
		t.Fatalf("no print writer: %+v, %v", res, err)
	}

	// A built-in error makes the rule undefined, unless asked to show it.
	_, err = load(t, Options{Paths: []string{dir}, ShowBuiltinErrors: true}).Eval(context.Background(), input, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "built-in error: ") || !strings.Contains(err.Error(), "to_number") {
		t.Errorf("ShowBuiltinErrors: err = %v", err)
	}

	tr, err := load(t, Options{Paths: []string{dir}, Trace: true}).EvalTraced(context.Background(), input, nil)
	if err != nil {
		t.Fatal(err)
	}
	trace := strings.Join(tr[0].Traces, "\n")
	for _, want := range []string{"Enter data.main.deny", "Exit data.main.deny", `Eval input.kind = "Pod"`, "Fail to_number("} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
	if len(tr[0].Failures) != 1 || tr[0].Query != "data.main.deny, data.main.warn" {
		t.Errorf("traced result = %+v", tr[0].NamespaceResult)
	}
}

// TestTimeoutPerNamespace: the timeout applies to each namespace; the one
// that exceeds it is lost alone, the namespaces before and after it keep
// their results, and the whole evaluation takes about one timeout.
func TestTimeoutPerNamespace(t *testing.T) {
	const timeout = 200 * time.Millisecond
	e := load(t, Options{Paths: []string{"testdata/limits"}, AllNamespaces: true, Timeout: timeout})
	start := time.Now()
	res, err := e.Eval(context.Background(), map[string]any{"kind": "Pod"}, nil)
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "timed out after 200ms in namespace b (testdata/limits/b.rego)") {
		t.Errorf("err = %v, want namespace b timed out", err)
	}
	if len(res) != 3 {
		t.Fatalf("results = %+v", res)
	}
	for i, want := range []string{"a", "", "c"} {
		if want == "" {
			if res[i].Err == nil || len(res[i].Failures) > 0 {
				t.Errorf("namespace b: %+v, want only an error", res[i])
			}
			continue
		}
		if got := msgs(res[i].Failures); res[i].Err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("namespace %s: %+v (err %v)", want, got, res[i].Err)
		}
	}
	if took > 5*timeout {
		t.Errorf("took %s, want about one timeout (%s)", took, timeout)
	}
}

// TestMemoryLimit: a policy that allocates without bound, in one builtin
// call (concat of concats) or one element at a time (a comprehension), is
// stopped at the memory limit; it is lost alone.
func TestMemoryLimit(t *testing.T) {
	e := load(t, Options{Paths: []string{"testdata/memory"}, AllNamespaces: true, Timeout: time.Minute, MaxMemory: 64 << 20})
	start := time.Now()
	res, err := e.Eval(context.Background(), map[string]any{"kind": "Pod"}, nil)
	if err == nil {
		t.Fatal("no error")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %s", d)
	}
	byNS := map[string]NamespaceResult{}
	for _, r := range res {
		byNS[r.Namespace] = r
	}
	if got := msgs(byNS["a"].Failures); len(got) != 1 || byNS["a"].Err != nil {
		t.Errorf("namespace a: %+v", byNS["a"])
	}
	if got := msgs(byNS["z"].Warnings); len(got) != 1 || byNS["z"].Err != nil {
		t.Errorf("namespace z: %+v", byNS["z"])
	}
	if err := byNS["concat"].Err; err == nil || !strings.Contains(err.Error(), "concat would build a value of about 1907 MiB") ||
		!strings.Contains(err.Error(), "namespace concat (testdata/memory/concat.rego)") || !strings.Contains(err.Error(), "concat.rego:8:") {
		t.Errorf("namespace concat: err = %v", err)
	}
	if err := byNS["many"].Err; err == nil || !strings.Contains(err.Error(), "namespace many (testdata/memory/many.rego)") ||
		!strings.Contains(err.Error(), "memory limit") {
		t.Errorf("namespace many: err = %v", err)
	}
	if err := byNS["grow"].Err; err == nil || !strings.Contains(err.Error(), "went over the memory limit of 64 MiB") ||
		!strings.Contains(err.Error(), "namespace grow (testdata/memory/grow.rego)") {
		t.Errorf("namespace grow: err = %v", err)
	}
}

// TestSizeChecks: the estimates of the guarded builtins.
func TestSizeChecks(t *testing.T) {
	s := func(n int) *ast.Term { return ast.StringTerm(strings.Repeat("x", n)) }
	for _, c := range []struct {
		name string
		ops  []*ast.Term
		want int64
	}{
		{"concat", []*ast.Term{s(1), ast.ArrayTerm(s(10), s(10))}, 22},
		{"sprintf", []*ast.Term{ast.StringTerm("%s %1000d"), ast.ArrayTerm(s(10), ast.IntNumberTerm(1))}, 9 + 1000 + 10 + 32},
		{"replace", []*ast.Term{s(100), ast.StringTerm("x"), s(10)}, 100 + 100*10},
		{"replace", []*ast.Term{s(100), ast.StringTerm(""), s(10)}, 100 + 101*10},
		{"regex.replace", []*ast.Term{s(100), ast.StringTerm("x*"), s(10)}, 100 + 101*10},
		{"numbers.range", []*ast.Term{ast.IntNumberTerm(1), ast.IntNumberTerm(100)}, 100 * 48},
		{"numbers.range_step", []*ast.Term{ast.IntNumberTerm(100), ast.IntNumberTerm(1), ast.IntNumberTerm(10)}, 10 * 48},
		{"numbers.range", []*ast.Term{ast.IntNumberTerm(0), ast.NewTerm(ast.MustParseTerm("1e30").Value)}, maxSize},
	} {
		if got := sizeChecks[c.name](c.ops); got != c.want {
			t.Errorf("%s%v: %d, want %d", c.name, c.ops, got, c.want)
		}
	}
}

// TestLoadStaysInThePolicyFolder: symbolic links out of a policy folder
// (to /, to /proc/self/environ) and FIFOs are not read: OPA's loader
// follows links, so these walked the filesystem or blocked for ever. A
// link to a file inside the folder still counts.
func TestLoadStaysInThePolicyFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("p.rego", "package p\n\ndeny contains \"p\" if input.kind\n")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"root": "/", "env.rego": "/proc/self/environ", "sub/q.rego": filepath.Join(dir, "p.rego")} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.rego"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var e *Engine
	var err error
	go func() {
		e, err = Load(context.Background(), Options{Paths: []string{dir}, AllNamespaces: true})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Load did not return: it follows a link out of the folder or reads the FIFO")
	}
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for f := range e.Modules() {
		files = append(files, filepath.Base(f))
	}
	sort.Strings(files)
	if strings.Join(files, " ") != "p.rego q.rego" {
		t.Errorf("modules = %v", files)
	}
}

// TestAbsolutePolicyPathsKeepTheirSlash: a policy given by an absolute path
// is named by it in errors (OPA's loader keys modules without the leading /).
func TestAbsolutePolicyPathsKeepTheirSlash(t *testing.T) {
	abs, err := filepath.Abs("testdata/timeout/policy")
	if err != nil {
		t.Fatal(err)
	}
	e := load(t, Options{Paths: []string{abs}, Timeout: 50 * time.Millisecond})
	_, err = e.Eval(context.Background(), map[string]any{}, nil)
	if want := "in namespace main (" + filepath.ToSlash(abs) + "/main.rego)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to contain %q", err, want)
	}
}

// TestLoadDataStaysInTheDataFolder: the same for data folders (-d).
func TestLoadDataStaysInTheDataFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(dir, "root")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var docs map[string]any
	var err error
	go func() {
		docs, err = LoadData([]string{dir})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("LoadData did not return")
	}
	if err != nil || len(docs) != 1 || docs["a"] == nil {
		t.Errorf("docs = %v, err = %v", docs, err)
	}
}

// TestRunawayPolicyIsDroppedAfterThreeInputs: a namespace that exceeds its
// limits on three inputs is not evaluated again in the run, so a policy
// that runs away on every object costs three timeouts, not one per object;
// the other namespaces keep running.
func TestRunawayPolicyIsDroppedAfterThreeInputs(t *testing.T) {
	const timeout = 100 * time.Millisecond
	e := load(t, Options{Paths: []string{"testdata/limits"}, AllNamespaces: true, Timeout: timeout})
	for i := range 6 {
		start := time.Now()
		res, err := e.Eval(context.Background(), map[string]any{"kind": "Pod"}, nil)
		took := time.Since(start)
		if err == nil || len(res) != 3 || res[1].Err == nil || len(msgs(res[0].Failures)) != 1 || len(msgs(res[2].Failures)) != 1 {
			t.Fatalf("input %d: %+v, %v", i, res, err)
		}
		skipped := strings.Contains(res[1].Err.Error(), "after 3 such inputs, it is no longer evaluated")
		if skipped != (i >= 3) {
			t.Errorf("input %d: %v", i, res[1].Err)
		}
		if i >= 3 && took > timeout/2 {
			t.Errorf("input %d took %s: the dropped namespace still runs", i, took)
		}
	}
}
