package validate

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// TestSettleLog: settleLog, on findings left in the log, keeps and
// orders what settle keeps and orders on them as rule.Finding values:
// exact repeats dropped, API findings a rule restates (same path, or on
// the same line saying the same when defaulted) dropped, an apart rule's
// findings kept, the configuration's severities and rules off, ties in
// the order found.
func TestSettleLog(t *testing.T) {
	var in []rule.Finding
	obj := func(i int) rule.ObjectRef {
		return rule.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "ns", Name: fmt.Sprint("svc-", i%4)}
	}
	spec := manifest.Path{}.Field("spec")
	for i := range 400 {
		f := rule.Finding{Rule: fmt.Sprint("rule-", i%3), Severity: rule.Warning, File: fmt.Sprintf("f%d.yaml", i%5),
			Line: i % 17, Column: i % 2, Message: fmt.Sprintf("spec.ports[%d]: bad %d", i%3, i%6), Object: obj(i),
			Path: spec.Field("ports").Item(i % 3)}
		switch i % 7 {
		case 0:
			f.Secondary, f.Rule = true, "api"
		case 1:
			f.Secondary, f.Fallback, f.Rule, f.Path = true, true, "api", spec.Field("other")
		case 2:
			f.Rule = "apart"
		case 3:
			f.Rule = "off"
		}
		in = append(in, f)
		if i%11 == 0 {
			in = append(in, f) // an exact repeat
		}
	}
	opts := Options{
		Enabled: func(id string) bool { return id != "off" },
		Adjust: func(f *rule.Finding) bool {
			if f.Rule == "rule-1" && f.File == "f2.yaml" {
				f.Severity = rule.Error
			}
			return f.Rule != "rule-2" || f.Line != 3
		},
	}
	e := newEngine(context.Background(), &opts)
	e.apart = map[string]bool{"apart": true}
	want, wantIgnored := e.settle(append([]rule.Finding(nil), in...))
	e = newEngine(context.Background(), &opts)
	e.apart = map[string]bool{"apart": true}
	e.log.add(in)
	list, ignored := e.settleLog()
	got := list.All()
	if len(want) < 100 || len(want) > len(in)-100 {
		t.Fatalf("settle kept %d of %d: the case tests nothing", len(want), len(in))
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(ignored, wantIgnored) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("finding %d:\n got  %+v\n want %+v", i, got[i], want[i])
				break
			}
		}
		t.Fatalf("settleLog kept %d (%d ignored), settle %d (%d)", len(got), len(ignored), len(want), len(wantIgnored))
	}
}
