package wanttest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/rule"
)

func TestParseWants(t *testing.T) {
	src := "a: 1\n" +
		"b: 2 # want: job-ttl, image-pinned@7:warning \"tag \\\"latest\\\"\" kvet.images/deny:error\n" +
		"c: 3 #want:unused-ignore@3\n"
	ws, err := ParseWants([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(ws))
	for i, w := range ws {
		re := ""
		if w.Message != nil {
			re = w.Message.String()
		}
		got[i] = fmt.Sprintf("%d %s %d %s %q", w.Line, w.Rule, w.Column, w.Severity, re)
	}
	want := []string{
		`2 job-ttl 0 unknown ""`,
		`2 image-pinned 7 warning "tag \"latest\""`,
		`2 kvet.images/deny 0 error ""`,
		`3 unused-ignore 3 unknown ""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseWantsErrors(t *testing.T) {
	for src, msg := range map[string]string{
		"x: 1 # want: job-ttl:fatal":  `line 1: invalid severity "fatal"`,
		"x: 1 # want: job-ttl@x":      `line 1: "job-ttl@x" is not rule-id[@column][:severity]`,
		"x: 1 # want: \"re\"":         "line 1: a quoted message regexp must follow a rule id",
		"x: 1 # want: job-ttl \"(\"":  "line 1: bad message regexp",
		"x: 1 # want: job-ttl \"abc":  "line 1: unterminated quote",
		"x: 1 # want: a \"b\" \"c\"":  "line 1: a quoted message regexp must follow a rule id",
		"x: 1 # want: Job-TTL":        `"Job-TTL" is not`,
		"x: 1 # want: job-ttl@3:warn": "",
	} {
		_, err := ParseWants([]byte(src))
		if msg == "" {
			if err != nil {
				t.Errorf("%q: %v", src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want one containing %q", src, err, msg)
		}
	}
}

func TestParseSettings(t *testing.T) {
	s, err := ParseSettings([]byte("# kvet: --kube-version 1.25 --enable security\n# kvet: --disable job-ttl,image-pinned --require-statefulset-service\n# kvet:ignore job-ttl\nkind: Job\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %v %v %v %d %d", s.KubeVersion, s.Enable, s.Disable, s.RequireService, s.MaxNodes, s.MaxDepth)
	if want := "1.25 [security] [job-ttl image-pinned] true 1000000 200"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := ParseSettings([]byte("# kvet: --no-such-flag\n")); err == nil || !strings.Contains(err.Error(), "no-such-flag") {
		t.Errorf("an unknown flag: %v", err)
	}
	if _, err := ParseSettings([]byte("# kvet: --enable security extra\n")); err == nil || !strings.Contains(err.Error(), `"extra"`) {
		t.Errorf("an argument: %v", err)
	}
}

// recorder is a testing.TB that records failures.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}

func TestCheck(t *testing.T) {
	got := []rule.Finding{{Rule: "job-ttl", Line: 5, Column: 3, Severity: rule.Info, Message: "no ttl"}}
	for _, c := range []struct {
		want string
		errs []string
	}{
		{"job-ttl", nil},
		{"job-ttl@3:info \"ttl$\"", nil},
		{"job-ttl@4", []string{"f.yaml:5:3: unexpected finding job-ttl@3:info \"no ttl\"", "f.yaml:5: expected a finding job-ttl@4, got none (on that line: job-ttl@3:info \"no ttl\")"}},
		{"job-ttl:warning", []string{"unexpected finding", "expected a finding job-ttl:warning"}},
		{"job-ttl \"^ttl\"", []string{"unexpected finding", "expected a finding job-ttl \"^ttl\""}},
		{"job-ttl job-ttl", []string{"f.yaml:5: expected a finding job-ttl, got none"}},
		{"image-pinned", []string{"unexpected finding", "expected a finding image-pinned"}},
	} {
		ws, err := ParseWants([]byte("\n\n\n\nx: 1 # want: " + c.want))
		if err != nil {
			t.Fatal(err)
		}
		r := &recorder{TB: t}
		Check(r, "f.yaml", got, ws)
		if len(r.errs) != len(c.errs) {
			t.Errorf("want %s: errors %q, want %d", c.want, r.errs, len(c.errs))
			continue
		}
		for i, e := range c.errs {
			if !strings.Contains(r.errs[i], e) {
				t.Errorf("want %s: error %q, want one containing %q", c.want, r.errs[i], e)
			}
		}
	}
}
