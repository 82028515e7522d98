package manifest

import (
	"encoding/json"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
	kubectlyaml "sigs.k8s.io/yaml"
)

// kvet reads every scalar form as kubectl does: sigs.k8s.io/yaml's
// YAMLToJSON, the conversion kubectl apply sends to the API server, is the
// reference. A form kubectl cannot convert (.inf, .nan: JSON has no such
// numbers) must not convert for kvet either.
func TestYAML11MatchesKubectl(t *testing.T) {
	forms := []string{
		// booleans, YAML 1.1 and 1.2
		"true", "True", "TRUE", "false", "False", "FALSE",
		"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
		"y", "Y", "n", "N", "yEs", "oN", "nO", "ye", "of",
		// nulls
		"null", "Null", "NULL", "~", "",
		// integers
		"0", "-0", "+12", "8080", "0644", "-0644", "0o644", "0x1F", "0X1F", "0x_1F", "0b101", "-0b101",
		"1_000", "0_644", "00", "08", "09", "9223372036854775807", "9223372036854775808",
		"18446744073709551615", "99999999999999999999", "-9223372036854775808",
		// floats
		"1.0", "1.5e3", "1e3", "0.", ".5", "+.5", "-1.25", "6.02E23", ".inf", "-.Inf", "+.INF", ".nan", ".NaN",
		// strings that look like something else
		"190:20:30", "1e", "_1", "0x", "1_", "2024-01-02", "2024-01-02T15:04:05Z", "12:30", "0.0.1", "v1.2", "1,000",
		`"yes"`, `'on'`, `"0644"`, "!!str yes", "!!str 0644", "|\n  yes", ">\n  0644",
	}
	for _, form := range forms {
		doc := "v: " + form + "\n"
		want, wantErr := kubectlyaml.YAMLToJSON([]byte(doc))
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
			t.Fatalf("%q: %v", form, err)
		}
		v := scalarValue(root.Content[0].Content[1])
		got, gotErr := json.Marshal(map[string]any{"v": v})
		if (wantErr != nil) != (gotErr != nil) {
			t.Errorf("%-12q kubectl: %s (error %v); kvet: %s (error %v)", form, want, wantErr, got, gotErr)
			continue
		}
		// Compared as the API server reads the JSON: a number beyond int64
		// is a float64 there, whichever digits carried it.
		var wantV, gotV any
		if wantErr == nil && (json.Unmarshal(want, &wantV) != nil || json.Unmarshal(got, &gotV) != nil || !reflect.DeepEqual(wantV, gotV)) {
			t.Errorf("%-12q kubectl reads %s, kvet %s", form, want, got)
		}
	}
}
