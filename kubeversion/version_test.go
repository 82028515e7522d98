package kubeversion

import (
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	good := []struct {
		in   string
		want Version
	}{
		{"1.25", Version{1, 25}},
		{"v1.25", Version{1, 25}},
		{"1.25.3", Version{1, 25}},
		{"v1.30.0", Version{1, 30}},
		{" 1.9 ", Version{1, 9}},
		{"1.29.1-gke.1589000", Version{1, 29}},
		{"1.31.2+k3s1", Version{1, 31}},
	}
	for _, tc := range good {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	bad := []string{"", "1", "v1", "1.x", "x.25", "1.", ".25", "1.25.x", "1.25.", "1.-2", "+1.25", "0.25", "1..25", "v", "1.25.3.4", "latest", "1.2a"}
	for _, in := range bad {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q): want error", in)
			continue
		}
		if !strings.Contains(err.Error(), "want MAJOR.MINOR such as 1.30") || !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("Parse(%q): unclear error %q", in, err)
		}
	}
	_, err := Parse("1.x")
	if got, want := err.Error(), `invalid Kubernetes version "1.x": want MAJOR.MINOR such as 1.30`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestVersionOrder(t *testing.T) {
	a, b := Version{1, 9}, Version{1, 25}
	if !a.Less(b) || b.Less(a) || a.Less(a) {
		t.Error("Less is wrong")
	}
	if !b.AtLeast(a) || a.AtLeast(b) || !a.AtLeast(a) {
		t.Error("AtLeast is wrong")
	}
	if !(Version{1, 40}).Less(Version{2, 0}) {
		t.Error("major must dominate")
	}
	if s := b.String(); s != "1.25" {
		t.Errorf("String = %q", s)
	}
	if s := (Version{}).String(); s != "" {
		t.Errorf("zero String = %q", s)
	}
}

// TestLatest checks Latest against the k8s.io/api module in go.mod:
// k8s.io/api v0.X.Y is Kubernetes 1.X.
func TestLatest(t *testing.T) {
	v := goModVersion(t, "k8s.io/api")
	if v == "" {
		t.Skip("k8s.io/api not in go.mod")
	}
	parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
	minor, err := strconv.Atoi(parts[1])
	if err != nil || parts[0] != "0" {
		t.Fatalf("unexpected k8s.io/api version %q", v)
	}
	if want := (Version{1, minor}); Latest() != want {
		t.Errorf("Latest() = %v, but k8s.io/api %s is Kubernetes %v", Latest(), v, want)
	}
}

// TestParseTargets: several targets, sorted and each once; every part
// checked as ParseTarget checks one.
func TestParseTargets(t *testing.T) {
	got, err := ParseTargets(" 1.33, v1.29,1.31.2,1.29")
	if err != nil || JoinVersions(got) != "1.29, 1.31 and 1.33" {
		t.Errorf("ParseTargets = %v, %v; want 1.29, 1.31 and 1.33", got, err)
	}
	if got, err := ParseTargets("1.30"); err != nil || len(got) != 1 || got[0] != (Version{1, 30}) {
		t.Errorf("one target: %v, %v", got, err)
	}
	for in, want := range map[string]string{
		"1.29,":     "several separated by commas",
		"1.29,,1.3": "several separated by commas",
		"1.29,1.99": "outside the Kubernetes versions kvet knows",
		"1.29,x":    `invalid Kubernetes version "x"`,
	} {
		if _, err := ParseTargets(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTargets(%q) = %v, want an error with %q", in, err, want)
		}
	}
}
