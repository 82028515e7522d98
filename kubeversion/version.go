// Package kubeversion knows which Kubernetes release removed or deprecated an
// apiVersion, and which manifest fields need a newer Kubernetes than a target
// cluster. It holds only data and lookups: no I/O and no mutable state.
package kubeversion

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Version is a Kubernetes minor release such as 1.30. The zero Version means
// "unset".
type Version struct {
	Major, Minor int
}

// Latest returns the newest Kubernetes minor release this package knows
// about: the release matching the k8s.io/api module (v0.37) kvet is built
// against. It is a function so that callers cannot change it.
func Latest() Version { return Version{Major: 1, Minor: 37} }

// Parse reads a Kubernetes version. It accepts "1.25", "v1.25" and "1.25.3"
// (a patch number is ignored, as is a pre-release or build suffix after it,
// such as "1.29.1-gke.100").
func Parse(s string) (Version, error) {
	bad := func() (Version, error) {
		return Version{}, fmt.Errorf("invalid Kubernetes version %q: want MAJOR.MINOR such as 1.30", s)
	}
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.SplitN(t, ".", 3)
	if len(parts) < 2 {
		return bad()
	}
	if len(parts) == 3 {
		patch := parts[2]
		if i := strings.IndexAny(patch, "-+"); i >= 0 {
			patch = patch[:i]
		}
		if !isDigits(patch) {
			return bad()
		}
	}
	if !isDigits(parts[0]) || !isDigits(parts[1]) {
		return bad()
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major < 1 {
		return bad()
	}
	return Version{Major: major, Minor: minor}, nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String returns "MAJOR.MINOR", or "" for the zero Version.
func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// IsZero reports whether v is unset.
func (v Version) IsZero() bool { return v == Version{} }

// Less reports whether v is an older release than w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	return v.Minor < w.Minor
}

// AtLeast reports whether v is w or a newer release.
func (v Version) AtLeast(w Version) bool { return !v.Less(w) }

// ver is shorthand for the data tables.
func ver(major, minor int) Version { return Version{Major: major, Minor: minor} }

// Oldest returns the oldest Kubernetes minor release kvet has data for: its
// table of removed APIs starts with the removals of 1.16.
func Oldest() Version { return Version{Major: 1, Minor: 16} }

// ParseTarget reads a target cluster version as Parse does and refuses one
// outside the releases kvet has data for (Oldest through Latest).
func ParseTarget(s string) (Version, error) {
	v, err := Parse(s)
	if err != nil {
		return v, err
	}
	if v.Less(Oldest()) || Latest().Less(v) {
		return Version{}, fmt.Errorf("version %s is outside the Kubernetes versions kvet knows: %s to %s", v, Oldest(), Latest())
	}
	return v, nil
}

// ParseTargets reads one or more target versions separated by commas
// ("1.29,1.31,1.33"), each as ParseTarget does, and returns them oldest
// first, each once.
func ParseTargets(s string) ([]Version, error) {
	var out []Version
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			return nil, fmt.Errorf("invalid Kubernetes versions %q: want MAJOR.MINOR, or several separated by commas such as 1.29,1.31", s)
		}
		v, err := ParseTarget(part)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Version) int {
		switch {
		case a.Less(b):
			return -1
		case b.Less(a):
			return 1
		}
		return 0
	})
	return slices.Compact(out), nil
}

// JoinVersions writes versions as "1.29, 1.31 and 1.33".
func JoinVersions(vs []Version) string {
	var b strings.Builder
	for i, v := range vs {
		switch {
		case i == 0:
		case i == len(vs)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}
