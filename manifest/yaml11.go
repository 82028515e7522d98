package manifest

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// kubectl reads manifests with sigs.k8s.io/yaml, which resolves plain
// scalars by YAML 1.1's rules (through go.yaml.in/yaml/v2), not YAML 1.2's
// as yaml.v3 does. The two disagree in two places that matter to
// manifests, and kvet reads both as kubectl does:
//
//   - the words yes, no, on, off, y and n (in their three cases) are
//     booleans, so `value: on` sends true to a string field, which the API
//     server rejects, and `automountServiceAccountToken: yes` is true;
//   - integers are read as Go's base-0 syntax with underscores dropped:
//     0644 is octal 420 (a volume's defaultMode), 0x1F is 31, 1_000 is
//     1000 — yaml.v3 tags them as integers too, but 0644 as 644.
//
// Everything else (null, floats, .inf, timestamps as strings, big numbers
// as floats) already agrees; TestYAML11MatchesKubectl holds every form to
// sigs.k8s.io/yaml's reading.

// yaml11Bool reports whether a plain scalar is one of YAML 1.1's boolean
// words that YAML 1.2 reads as a string, and its value. It is on the hot
// path of every string field, so it rejects most strings by their first
// byte and length before comparing.
func yaml11Bool(n *yaml.Node) (value, ok bool) {
	s := n.Value
	if len(s) == 0 || len(s) > 3 || n.Style != 0 || n.Kind != yaml.ScalarNode {
		return false, false
	}
	switch s[0] {
	case 'y', 'Y', 'n', 'N', 'o', 'O':
	default:
		return false, false
	}
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
		return true, n.Tag == "!!str"
	case "n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return false, n.Tag == "!!str"
	}
	return false, false
}

// scalarTag is the tag kubectl's reading gives a scalar: yaml.v3's, but
// !!bool for YAML 1.1's boolean words.
func scalarTag(n *yaml.Node) string {
	if _, ok := yaml11Bool(n); ok {
		return "!!bool"
	}
	return n.ShortTag()
}

// yaml11Int parses an integer as go.yaml.in/yaml/v2 does: underscores
// dropped, then Go's base-0 syntax (0644 octal, 0x hex, 0b binary, 0o
// octal). A value beyond int64 comes back as a float64, as JSON carries it.
func yaml11Int(s string) (any, bool) {
	plain := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return i, true
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		if u <= math.MaxInt64 {
			return int64(u), true
		}
		return float64(u), true
	}
	if f, err := strconv.ParseFloat(plain, 64); err == nil {
		return f, true
	}
	return nil, false
}
