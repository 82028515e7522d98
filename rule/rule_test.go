package rule

import (
	"encoding/json"
	"testing"

	// Every test binary defines kvet's one -update flag (internal/golden).
	_ "github.com/kvetdev/kvet/internal/golden"
)

// TestSeverityNames holds the one table of severity names: every name,
// in any case, and each severity's own name reads back as itself.
func TestSeverityNames(t *testing.T) {
	for name, want := range map[string]Severity{
		"error": Error, "ERROR": Error, "warning": Warning, "Warn": Warning, "info": Info, "note": Info,
	} {
		for _, parse := range []func(string) (Severity, error){ParseSeverity, ParsePolicySeverity} {
			got, err := parse(name)
			if err != nil || got != want {
				t.Errorf("%q read as %v, %v; want %v", name, got, err, want)
			}
		}
	}
	for name, want := range map[string]Severity{"critical": Error, "High": Error, "medium": Warning, "low": Info} {
		got, err := ParsePolicySeverity(name)
		if err != nil || got != want {
			t.Errorf("ParsePolicySeverity(%q) = %v, %v; want %v", name, got, err, want)
		}
		if _, err := ParseSeverity(name); err == nil {
			t.Errorf("ParseSeverity(%q) accepted a policy-only name", name)
		}
	}
	for _, s := range []Severity{Info, Warning, Error} {
		if got, err := ParseSeverity(s.String()); err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s.String(), got, err)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("JSON %s read back as %v, %v", b, back, err)
		}
	}
	for _, bad := range []string{"", "fatal", "warnings", "debug"} {
		if _, err := ParsePolicySeverity(bad); err == nil {
			t.Errorf("ParsePolicySeverity(%q) accepted", bad)
		}
	}
}
