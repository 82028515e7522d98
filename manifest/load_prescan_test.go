package manifest

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// TestPrescanReusesOnlyUnusedBuffers: the prescan's passes lend the
// buffers of files they had no use for to their next reads; what they
// parsed, and what the streaming pass reads, are still each file's own
// bytes. Files of many sizes, not kept between passes.
func TestPrescanReusesOnlyUnusedBuffers(t *testing.T) {
	old := keepBudget
	keepBudget = 0
	defer func() { keepBudget = old }()
	dir := t.TempDir()
	want := map[string]string{} // object name -> kind
	for i := range 60 {
		var b strings.Builder
		kind := []string{"Namespace", "ConfigMap", "Service"}[i%3]
		for d := range 1 + (i*7)%13 {
			name := fmt.Sprintf("o%d-%d", i, d)
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: %s\nmetadata:\n  name: %s\n  labels: {pad: %q}\n", kind, name, strings.Repeat("x", (i*131+d*17)%900))
			want[name] = kind
		}
		p := filepath.Join(dir, fmt.Sprintf("f%02d.yaml", i))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	found := map[string]string{}
	var objs []*Object // checked after the run, when buffers were reused
	pass := func(kind string, next func() *Prescan) *Prescan {
		return &Prescan{
			Match: func(data []byte) bool { return ContainsKind(data, []string{kind}) },
			Found: func(os []*Object) {
				mu.Lock()
				defer mu.Unlock()
				for _, o := range os {
					found[o.Name] = o.Kind
				}
				objs = append(objs, os...)
			},
			Next: next,
		}
	}
	opts := Options{Workers: 2, MaxFileSize: 1 << 20,
		Prescan: pass("Namespace", func() *Prescan { return pass("ConfigMap", nil) })}
	streamed := map[string]string{}
	_, errs := Stream([]string{dir}, opts, func(_ int, _ *Source, p Parsed, _ bool) {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range p.Objects {
			streamed[o.Name] = o.Kind
		}
		for _, pr := range p.Problems {
			t.Errorf("problem: %v", pr)
		}
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !maps.Equal(streamed, want) {
		t.Errorf("streamed %d objects, want %d; or kinds differ", len(streamed), len(want))
	}
	for name, kind := range want {
		if kind == "Service" {
			continue
		}
		if found[name] != kind {
			t.Errorf("prescan found %s as %q, want %s", name, found[name], kind)
		}
	}
	for _, o := range objs {
		if !strings.Contains(string(o.Source.Data), "name: "+o.Name+"\n") {
			t.Errorf("%s %s: its source lines were overwritten: %.80q", o.Kind, o.Name, o.Source.Data)
		}
	}
	for name, kind := range found {
		if want[name] != kind || kind == "Service" {
			t.Errorf("prescan found %s %s, which no file defines so", kind, name)
		}
	}
}
