package manifest

import "testing"

func TestContainsWord(t *testing.T) {
	words := []string{"Namespace", "CustomResourceDefinition"}
	for text, want := range map[string]bool{
		"kind: Namespace\n":                   true,
		`{"kind":"Namespace"}`:                true,
		"Namespace":                           true,
		"kind: CustomResourceDefinition":      true,
		"namespaceSelector: {}":               false,
		"allowedNamespaces: [a]":              false,
		"kind: NamespaceConfig\n":             false,
		"kind: ClusterNamespace\n":            false,
		"x: my_Namespace":                     false,
		"x: NamespaceX\nkind: Namespace # ok": true,
	} {
		if got := ContainsWord([]byte(text), words); got != want {
			t.Errorf("ContainsWord(%q) = %v, want %v", text, got, want)
		}
	}
}
