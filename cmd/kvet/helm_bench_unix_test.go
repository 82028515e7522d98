//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kvetdev/kvet/render/helm"
)

// benchChart writes a chart of n templates (a Deployment each, with
// values from values.yaml and one finding: an unpinned image).
func benchChart(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "bench")
	var values strings.Builder
	files := map[string]string{"Chart.yaml": "apiVersion: v2\nname: bench\nversion: 0.1.0\n"}
	for i := range n {
		fmt.Fprintf(&values, "app%d:\n  image: nginx:latest\n  replicas: 2\n  port: 8080\n  resources:\n    limits:\n      memory: 128Mi\n      cpu: 100m\n", i)
		files[fmt.Sprintf("templates/app%d.yaml", i)] = strings.ReplaceAll(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-appN
  labels:
    {{- include "bench.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.appN.replicas }}
  selector:
    matchLabels:
      app: appN
  template:
    metadata:
      labels:
        app: appN
    spec:
      containers:
        - name: web
          image: {{ .Values.appN.image | quote }}
          ports:
            - containerPort: {{ .Values.appN.port }}
          resources:
            {{- toYaml .Values.appN.resources | nindent 12 }}
          readinessProbe:
            httpGet:
              path: /healthz
              port: {{ .Values.appN.port }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-appN
spec:
  selector:
    app: appN
  ports:
    - port: 80
      targetPort: {{ .Values.appN.port }}
`, "appN", fmt.Sprintf("app%d", i))
	}
	files["values.yaml"] = values.String()
	files["templates/_helpers.tpl"] = "{{- define \"bench.labels\" -}}\napp.kubernetes.io/name: bench\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end }}\n"
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkChartLint is kvet lint CHART: render, lint, map back.
func BenchmarkChartLint(b *testing.B) {
	dir := benchChart(b, 50)
	defer cpuPerOp(b)()
	for b.Loop() {
		if code := runLint(context.Background(), []string{"-o", "json", dir}, nil, io.Discard, io.Discard, false); code == exitUsage {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkChartPipe is what helm template CHART | kvet lint - costs
// without the helm process: the same rendering with the library, its
// output as one stream (with helm's "# Source:" lines), linted from stdin.
func BenchmarkChartPipe(b *testing.B) {
	dir := benchChart(b, 50)
	defer cpuPerOp(b)()
	for b.Loop() {
		srcs, probs := helm.New(helm.Options{}).Render(context.Background(), dir)
		if len(probs) > 0 {
			b.Fatal(probs)
		}
		sort.Slice(srcs, func(i, j int) bool { return srcs[i].Path < srcs[j].Path })
		var stream bytes.Buffer
		for _, s := range srcs {
			fmt.Fprintf(&stream, "---\n# Source: %s\n%s", s.Path, s.Data)
		}
		if code := runLint(context.Background(), []string{"-o", "json", "-"}, &stream, io.Discard, io.Discard, false); code == exitUsage {
			b.Fatalf("exit %d", code)
		}
	}
}

// cpuPerOp reports the process's CPU time (user and system) per
// operation, kvet's measure: wall time on a shared machine is noise.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
