package manifest

import (
	"fmt"
	"testing"
)

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

func TestContainsKind(t *testing.T) {
	kinds := []string{"Namespace", "CustomResourceDefinition"}
	for text, want := range map[string]bool{
		"kind: Namespace\n":                        true,
		`{"kind":"Namespace"}`:                     true,
		`{"kind" : "Namespace"}`:                   true,
		"{kind: 'Namespace', metadata: {name: a}}": true,
		"kind: CustomResourceDefinition":           true,
		"description: the Namespace of the object": false,
		"Namespace":                                    false,
		"kind: NamespaceConfig\n":                      false,
		"subkind: Namespace\n":                         false,
		"x: NamespaceX\nkind: Namespace # ok":          true,
		"kind: Pod\n# a Namespace\nkind:\n  Namespace": true,
	} {
		if got := ContainsKind([]byte(text), kinds); got != want {
			t.Errorf("ContainsKind(%q) = %v, want %v", text, got, want)
		}
	}
}

// The prescan parses only the documents that name the kind, each with its
// lines in the file.
func TestPrescanParseKeepsLines(t *testing.T) {
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: Namespace}\n---\n# c\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n--- # two\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\n{apiVersion: v1, kind: Namespace, metadata: {name: flow}}\n"
	objs := prescanParse(&Source{Path: "f.yaml", Data: []byte(text)}, Limits{}, func(b []byte) bool { return ContainsKind(b, []string{"Namespace"}) })
	var got []string
	for _, o := range objs {
		got = append(got, fmt.Sprintf("%s %s %d", o.Kind, o.Name, o.Pos().Line))
	}
	if want := "[Namespace ns 7 Namespace flow 16]"; fmt.Sprint(got) != want {
		t.Errorf("objects %v, want %s", got, want)
	}
}
