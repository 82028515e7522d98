package baseline

import (
	"bytes"
	"strings"
	"testing"

	// Every test binary defines kvet's one -update flag (internal/golden).
	_ "github.com/kvetdev/kvet/internal/golden"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/report"
	"github.com/kvetdev/kvet/rule"
)

var job = rule.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "prod", Name: "report"}

func findings(shift int) []rule.Finding {
	return []rule.Finding{
		{Rule: "job-ttl", File: "deploy/job.yaml", Line: 5 + shift, Path: manifest.MustParsePath("spec"), Object: job, Message: "no ttl"},
		{Rule: "image-pinned", File: "deploy/job.yaml", Line: 12 + shift, Path: manifest.MustParsePath("spec.template.spec.containers[0].image"), Object: job, Message: "no tag"},
		{Rule: "image-pinned", File: "deploy/job.yaml", Line: 12 + shift, Path: manifest.MustParsePath("spec.template.spec.containers[0].image"), Object: job, Message: "second"},
		{Rule: "yaml-syntax", File: "deploy/broken.yaml", Line: 3 + shift, Message: "did not find"},
	}
}

// TestWriteIsStableWhenLinesMove: lines move (an edit above the
// findings), the baseline's bytes do not; entries are sorted by file,
// object, rule and path, not by line.
func TestWriteIsStableWhenLinesMove(t *testing.T) {
	var a, b bytes.Buffer
	fa, fb := findings(0), findings(7)
	if err := Of(fa, Keys(fa)).Write(&a); err != nil {
		t.Fatal(err)
	}
	if err := Of(fb, Keys(fb)).Write(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("the baseline changed when lines moved:\n%s\n%s", a.String(), b.String())
	}
	got, err := Parse("kvet-baseline.json", a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 4 || got.Findings[0].File != "deploy/broken.yaml" || got.Findings[1].Rule != "image-pinned" ||
		got.Findings[1].Object != "batch/v1/Job/prod/report" || got.Findings[3].Rule != "job-ttl" {
		t.Errorf("unexpected order or entries: %+v", got.Findings)
	}
	if !strings.Contains(a.String(), `"fingerprint": "kvet/v2"`) || !strings.Contains(a.String(), `"version": 1`) {
		t.Errorf("header missing:\n%s", a.String())
	}
}

// TestApply: findings in the baseline are left out whatever their line;
// a new one is kept; an entry nothing matches is stale when its file was
// checked, and not otherwise.
func TestApply(t *testing.T) {
	old := findings(0)
	b := Of(old[:3], Keys(old[:3]))
	now := findings(4)                  // every line moved
	now = append(now[1:], rule.Finding{ // the job-ttl finding fixed, a new one
		Rule: "job-restart-policy", File: "deploy/job.yaml", Line: 9, Object: job, Path: manifest.MustParsePath("spec.template.spec.restartPolicy"),
	})
	checked := func(f string) bool { return f == "deploy/job.yaml" }
	res := b.Apply(Keys(now), checked)
	if res.Matched != 2 || len(res.Kept) != 2 || now[res.Kept[0]].Rule != "yaml-syntax" || now[res.Kept[1]].Rule != "job-restart-policy" {
		t.Errorf("kept %v (matched %d), want the syntax error and the new finding", res.Kept, res.Matched)
	}
	if len(res.Stale) != 1 || res.Stale[0].Rule != "job-ttl" {
		t.Errorf("stale %+v, want the fixed job-ttl", res.Stale)
	}
	if res := b.Apply(Keys(now), func(string) bool { return false }); len(res.Stale) != 0 {
		t.Errorf("entries of files not checked are stale: %+v", res.Stale)
	}
}

// TestKeysAreTheSARIFFingerprints for clean paths, and the same for
// ./deploy/x.yaml as for deploy/x.yaml.
func TestKeysAreTheSARIFFingerprints(t *testing.T) {
	fs := findings(0)
	keys, prints := Keys(fs), report.Fingerprints(fs)
	for i := range keys {
		if keys[i] != prints[i] {
			t.Errorf("finding %d: key %s, SARIF fingerprint %s", i, keys[i], prints[i])
		}
	}
	dotted := findings(0)
	for i := range dotted {
		dotted[i].File = "./" + dotted[i].File
	}
	for i, k := range Keys(dotted) {
		if k != keys[i] {
			t.Errorf("finding %d: ./ changes the key", i)
		}
	}
}

// TestParseErrors: every error names the file, a line and column when
// the JSON is wrong, and says how to write a good one.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "b.json: empty file; write a baseline with kvet baseline"},
		{"{\n  \"version\": 1,\n  \"fingerprint\": \"kvet/v2\",\n  \"findings\": [\n    {\"fingerprint\": 3}\n  ]\n}\n", "b.json:5:21: findings.fingerprint is a JSON number, want a string"},
		{"{\n  \"version\": 1,\n  oops\n}", "b.json:3:3: not valid JSON"},
		{`{"version": 2, "fingerprint": "kvet/v2", "findings": []}`, "b.json:1:1: baseline version 2, but this kvet reads version 1; write it again with kvet baseline PATH... > b.json"},
		{`{"version": 1, "fingerprint": "kvet/v1", "findings": []}`, `fingerprints of kind "kvet/v1"`},
		{`{"version": 1, "fingerprint": "kvet/v2", "findings": [{"rule": "x"}]}`, "finding 1 has no fingerprint"},
		{`{"version": 1, "fingerprint": "kvet/v2", "findings": [], "extra": 1}`, `unknown field "extra"`},
		{`{"version": 1, "fingerprint": "kvet/v2", "findings": []} {}`, "more than one JSON value"},
	} {
		_, err := Parse("b.json", []byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}
