package kustomize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	_ "github.com/kvetdev/kvet/internal/golden" // the shared -update flag
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// lineOf is the 1-based line of file holding marker.
func lineOf(t *testing.T, file, marker string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, marker)
	return 0
}

// itemNamed is the index of the list item named name in the built
// resource's list at keys.
func itemNamed(n *yaml.Node, name string, keys ...string) int {
	for _, k := range keys {
		n = child(n, k)
	}
	for i, it := range n.Content {
		if scalar(it, "name") == name {
			return i
		}
	}
	return -1
}

// TestRemapToSources: a field of a built resource is found where the
// user set it: the base file (list items by name, though a patch put
// them in another order), the patch file, an inline or JSON 6902 patch
// in the kustomization, or the kustomization line of the transformer
// (namePrefix, namespace, labels, replicas, images) or generator; a
// missing field falls back to its nearest parent in the base.
func TestRemapToSources(t *testing.T) {
	dir := "testdata/mapping"
	s := Render([]string{filepath.Join(dir, "overlay")}, Options{})
	if len(s.Problems) > 0 || len(s.Builds) != 1 {
		t.Fatalf("builds %d, problems %+v", len(s.Builds), s.Problems)
	}
	b := s.Builds[0]
	doc := func(kind string) *builtDoc {
		for _, d := range b.docs {
			if d.kind == kind {
				return d
			}
		}
		t.Fatalf("no %s built", kind)
		return nil
	}
	dep := doc("Deployment")
	b.node(dep)
	web := itemNamed(dep.node, "web", "spec", "template", "spec", "containers")
	side := itemNamed(dep.node, "sidecar", "spec", "template", "spec", "containers")
	containers := manifest.MustParsePath("spec.template.spec.containers")
	base := filepath.Join(dir, "base", "app.yaml")
	kust := filepath.Join(dir, "overlay", "kustomization.yaml")
	for _, c := range []struct {
		kind string
		path manifest.Path
		file string
		line int
	}{
		{"Deployment", manifest.MustParsePath("metadata.name"), kust, lineOf(t, kust, "# prefix")},
		{"Deployment", manifest.MustParsePath("metadata.namespace"), kust, lineOf(t, kust, "# namespace")},
		{"Deployment", manifest.MustParsePath("metadata.labels[team]"), kust, lineOf(t, kust, "# label")},
		{"Deployment", manifest.MustParsePath("spec.replicas"), kust, lineOf(t, kust, "# replicas")},
		{"Deployment", manifest.MustParsePath("spec.minReadySeconds"), kust, lineOf(t, kust, "# json6902")},
		{"Deployment", containers.Item(web).Field("image"), kust, lineOf(t, kust, "# tag")},
		{"Deployment", containers.Item(side).Field("image"), base, lineOf(t, base, "# sidecar image")},
		{"Deployment", containers.Item(web).Field("ports").Item(0).Field("containerPort"), base, lineOf(t, base, "# base port")},
		{"Deployment", containers.Item(web).Field("readinessProbe").Field("periodSeconds"), filepath.Join(dir, "overlay", "probe.yaml"), 11},
		{"Deployment", manifest.MustParsePath("spec.paused"), base, lineOf(t, base, "# base name") + 1},
		{"Service", manifest.MustParsePath("spec.type"), kust, lineOf(t, kust, "# inline")},
		{"Service", manifest.MustParsePath("spec.ports[0].port"), base, lineOf(t, base, "# service port")},
		{"ConfigMap", manifest.MustParsePath("data.a"), filepath.Join(dir, "base", "kustomization.yaml"), 4},
	} {
		d := doc(c.kind)
		got := s.Remap([]rule.Finding{{Rule: "r", File: b.Name, Line: d.first, Path: c.path, Fix: &manifest.Fix{Title: "in the output"}}})
		if len(got) != 1 {
			t.Fatalf("%s %s: %d findings", c.kind, c.path, len(got))
		}
		f := got[0]
		if f.File != c.file || f.Line != c.line {
			t.Errorf("%s %s: at %s:%d, want %s:%d", c.kind, c.path, f.File, f.Line, c.file, c.line)
		}
		if f.Rendered == nil || f.Rendered.File != b.Name || f.Rendered.Line != d.first {
			t.Errorf("%s %s: rendered %+v", c.kind, c.path, f.Rendered)
		}
		if f.Source == nil {
			t.Errorf("%s %s: no source for the snippet", c.kind, c.path)
		}
		if f.Fix != nil {
			t.Errorf("%s %s: a fix made on the build's output is kept", c.kind, c.path)
		}
	}
}

// TestBuildOutputHasNoOriginAnnotations: the annotations kvet turns on to
// know each resource's file are not in what the rules see.
func TestBuildOutputHasNoOriginAnnotations(t *testing.T) {
	s := Render([]string{"testdata/mapping/overlay"}, Options{})
	if len(s.Builds) != 1 {
		t.Fatalf("problems: %+v", s.Problems)
	}
	out := string(s.Builds[0].Output.Data)
	for _, a := range originAnnotations {
		if strings.Contains(out, a) {
			t.Errorf("the build's output has %s:\n%s", a, out)
		}
	}
	if !strings.Contains(out, "name: prod-web") {
		t.Errorf("not the overlay's build:\n%s", out)
	}
	for _, d := range s.Builds[0].docs {
		s.resolve(s.Builds[0], d)
		if d.origin == "" && d.configured == "" {
			t.Errorf("%s %s has no origin", d.kind, d.name)
		}
	}
	if s.Builds[0].originsDone {
		t.Error("every resource has one candidate file, yet kustomize was asked for origins")
	}
}

// TestAmbiguousOriginAsksKustomize: two bases with a Deployment "web",
// prefixed a- and b- by their kustomizations, both fit b-web by name;
// kustomize's origin annotations (a second build, made only then) say it
// is base-b's.
func TestAmbiguousOriginAsksKustomize(t *testing.T) {
	s := Render([]string{"testdata/ambiguous/overlay"}, Options{})
	if len(s.Builds) != 1 {
		t.Fatalf("problems: %+v", s.Problems)
	}
	b := s.Builds[0]
	for _, d := range b.docs {
		if d.name != "b-web" {
			continue
		}
		got := s.Remap([]rule.Finding{{Rule: "r", File: b.Name, Line: d.first, Path: manifest.MustParsePath("spec.replicas")}})
		want := filepath.Join("testdata", "ambiguous", "base-b", "deploy.yaml")
		if got[0].File != want || got[0].Line != 6 {
			t.Errorf("at %s:%d, want %s:6", got[0].File, got[0].Line, want)
		}
		if !b.originsDone {
			t.Error("kustomize was not asked")
		}
		return
	}
	t.Fatal("no b-web built")
}

func TestIsRemote(t *testing.T) {
	for v, want := range map[string]bool{
		"github.com/kubernetes-sigs/kustomize/examples/helloWorld?ref=v3.3.1": true,
		"https://raw.githubusercontent.com/x/y/main/deploy.yaml":              true,
		"git@github.com:org/repo.git//base":                                   true,
		"ssh://git@example.com/org/repo//base?ref=main":                       true,
		"../../base":            false,
		"deployment.yaml":       false,
		"github-actions.yaml":   false,
		"overlays/github.com-x": false,
	} {
		if got := isRemote(v); got != want {
			t.Errorf("isRemote(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestReadOnlyFS: a build cannot write to the user's tree, and the root
// kustomization is read with originAnnotations added to what it has.
func TestReadOnlyFS(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kustomization.yaml")
	if err := os.WriteFile(file, []byte("buildMetadata: [managedByLabel]\nresources: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := newReadOnlyFS(file, 1<<20)
	fs.origins = true
	if err := fs.WriteFile(filepath.Join(dir, "x"), nil); err == nil {
		t.Error("WriteFile succeeded")
	}
	if err := fs.MkdirAll(filepath.Join(dir, "d")); err == nil {
		t.Error("MkdirAll succeeded")
	}
	if err := fs.RemoveAll(dir); err == nil {
		t.Error("RemoveAll succeeded")
	}
	data, err := fs.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "managedByLabel") || !strings.Contains(string(data), "originAnnotations") {
		t.Errorf("root kustomization read as:\n%s", data)
	}
	if !fs.read[filepath.Clean(file)] {
		t.Error("the read was not recorded")
	}
	if onDisk, _ := os.ReadFile(file); strings.Contains(string(onDisk), "originAnnotations") {
		t.Error("the file on disk was changed")
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ReadFile(big); err == nil || !strings.Contains(err.Error(), "--max-file-size") {
		t.Errorf("a file over the limit: %v", err)
	}
}

// TestSharedBaseIncludedOnce: with a base and an overlay in the run, only
// the overlay is built; the base's files and both kustomizations are
// consumed.
func TestSharedBaseIncludedOnce(t *testing.T) {
	s := Render([]string{"testdata/mapping"}, Options{})
	if len(s.Builds) != 1 || s.Builds[0].Dir != filepath.Join("testdata/mapping", "overlay") {
		t.Fatalf("builds: %+v", s.Builds)
	}
	for _, f := range []string{"base/app.yaml", "base/kustomization.yaml", "overlay/kustomization.yaml", "overlay/probe.yaml"} {
		if !s.Consumed(filepath.Join("testdata/mapping", f)) {
			t.Errorf("%s is not consumed", f)
		}
	}
}

// TestNoReadsOutsideTheKustomization: a patch named outside the
// kustomization's folder (which kustomize refuses too) is not read by kvet
// either, so it cannot end up in a snippet.
func TestNoReadsOutsideTheKustomization(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte("kind: Deployment\nmetadata: {name: web}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k := filepath.Join(dir, "app")
	if err := os.MkdirAll(k, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(k, "kustomization.yaml"), []byte("patches:\n- path: ../secret.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newModel(&Options{MaxFileSize: 1 << 20})
	got, _ := m.load(k, map[string]bool{})
	if got == nil || len(got.patches) != 0 {
		t.Errorf("the patch outside the folder was read: %+v", got)
	}
}
