package rule_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

func TestLabelIndexSelect(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: web, tier: front}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: other, labels: {app: web}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, labels: {app: web}}
`
	p := manifest.Parse(&manifest.Source{Path: "d/a.yaml", Data: []byte(src)}, manifest.Limits{})
	ix := rule.NewIndex(p.Objects)
	of := func(o *manifest.Object) (map[string]string, bool) { return o.StringMap("metadata", "labels"), true }
	li := ix.Labels("t", []string{"v1/Pod"}, of, nil)
	names := func(ls []rule.Labeled) (out []string) {
		for _, l := range ls {
			out = append(out, l.Object.Name)
		}
		return out
	}
	sel := map[string]string{"app": "web"}
	if got := names(li.Select("", labels.SelectorFromSet(sel), sel)); len(got) != 1 || got[0] != "a" {
		t.Errorf("app=web in default: %v, want [a] (not the other namespace's, not the ConfigMap)", got)
	}
	sel = map[string]string{"app": "web", "tier": "back"}
	if got := li.Select("default", labels.SelectorFromSet(sel), sel); len(got) != 0 {
		t.Errorf("app=web,tier=back: %v, want none", names(got))
	}
	if !li.Any("other") || li.Any("third") {
		t.Error("Any: want other, not third")
	}
	scoped := ix.Labels("t-dir", []string{"v1/Pod"}, of, func(*manifest.Object) string { return "d" })
	if !scoped.Any(rule.ScopedNS("d", "")) || scoped.Any(rule.ScopedNS("e", "")) {
		t.Error("scoped Any: want folder d only")
	}
	if !ix.HasIn("", "Pod", "other") || ix.HasIn("", "Pod", "third") {
		t.Error("HasIn: want Pods in other, not in third")
	}
}
