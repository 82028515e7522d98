package admission

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkEvaluate: one Deployment against one bound policy of two
// validations that both fail (a message and a messageExpression), with
// the scheme's defaults applied first.
func BenchmarkEvaluate(b *testing.B) {
	ps := New(load(b, policy, binding("deny", "Deny")))
	d := load(b, deployment("big", 10, ""))[0]
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if len(ps.Evaluate(ctx, d)) != 2 {
			b.Fatal("want 2 decisions")
		}
	}
}

// BenchmarkEvaluateNotMatched: a ConfigMap, which the policy does not
// match: the matcher's cost only.
func BenchmarkEvaluateNotMatched(b *testing.B) {
	ps := New(load(b, policy, binding("deny", "Deny")))
	cm := load(b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: web}\ndata: {a: b}")[0]
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if len(ps.Evaluate(ctx, cm)) != 0 {
			b.Fatal("want none")
		}
	}
}

// BenchmarkCompile: New with one policy and its binding (done once per run).
func BenchmarkCompile(b *testing.B) {
	objs := load(b, policy, binding("deny", "Deny"))
	b.ReportAllocs()
	for b.Loop() {
		New(objs)
	}
}

// BenchmarkEvaluateManyBindings: one Deployment against one policy bound
// ten times (per team, per environment): without a paramKind the policy
// is evaluated once and its verdict applied to each binding.
func BenchmarkEvaluateManyBindings(b *testing.B) {
	docs := []string{policy}
	for i := range 10 {
		docs = append(docs, binding(fmt.Sprintf("deny-%d", i), "Deny"))
	}
	ps := New(load(b, docs...))
	d := load(b, deployment("big", 10, ""))[0]
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if len(ps.Evaluate(ctx, d)) != 20 {
			b.Fatal("want 20 decisions")
		}
	}
}
