package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/kvetdev/kvet/internal/golden" // go test ./... -update passes here too
	"github.com/kvetdev/kvet/internal/testfs"
	"github.com/kvetdev/kvet/manifest"
)

// tgz returns a chart archive of files, each below the folder name/.
func tgz(t *testing.T, name string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for p, text := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name + "/" + p, Mode: 0o644, Size: int64(len(text)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-%s\ndata:\n  v: {{ .Values.v | quote }}\n"

func configMap(name string) string { return strings.ReplaceAll(cm, "%s", name) }

func byPath(srcs []*manifest.Source) map[string]*manifest.Source {
	m := map[string]*manifest.Source{}
	for _, s := range srcs {
		m[s.Path] = s
	}
	return m
}

// TestRenderSubchartsCRDsAndTgz: a chart's own templates, a subchart in
// a folder, one vendored as a .tgz and the crds/ are all rendered; the
// kube version reaches .Capabilities; NOTES.txt and partials are not
// output.
func TestRenderSubchartsCRDsAndTgz(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":                      "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: folder\n    version: 0.1.0\n  - name: packed\n    version: 0.1.0\n",
		"values.yaml":                     "v: top\n",
		"templates/cm.yaml":               configMap("top") + "  kube: {{ .Capabilities.KubeVersion.Minor | quote }}\n",
		"templates/NOTES.txt":             "installed {{ .Release.Name }}\n",
		"templates/_helpers.tpl":          `{{- define "x" }}y{{ end }}`,
		"crds/crd.yaml":                   "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.com\n",
		"charts/folder/Chart.yaml":        "apiVersion: v2\nname: folder\nversion: 0.1.0\n",
		"charts/folder/values.yaml":       "v: folder\n",
		"charts/folder/templates/cm.yaml": configMap("folder"),
	})
	if err := os.WriteFile(filepath.Join(dir, "charts", "packed-0.1.0.tgz"), tgz(t, "packed", map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: packed\nversion: 0.1.0\n", "values.yaml": "v: packed\n", "templates/cm.yaml": configMap("packed"),
	}), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, probs := New(Options{KubeVersion: "1.31"}).Render(context.Background(), dir)
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	got := byPath(srcs)
	for name, want := range map[string]string{
		"app/templates/cm.yaml":                `v: "top"`,
		"app/charts/folder/templates/cm.yaml":  `v: "folder"`,
		"app/charts/packed/templates/cm.yaml":  `v: "packed"`,
		filepath.Join(dir, "crds", "crd.yaml"): "kind: CustomResourceDefinition",
	} {
		src := got[name]
		if src == nil {
			t.Errorf("no output %s; got %v", name, keys(got))
			continue
		}
		if !strings.Contains(string(src.Data), want) {
			t.Errorf("%s: want %q in\n%s", name, want, src.Data)
		}
	}
	if s := got["app/templates/cm.yaml"]; s == nil || !strings.Contains(string(s.Data), `kube: "31"`) {
		t.Errorf("--kube-version did not reach .Capabilities")
	}
	if len(srcs) != 4 {
		t.Errorf("%d outputs, want 4 (no NOTES.txt, no partial): %v", len(srcs), keys(got))
	}
	// A value in the packed subchart maps back to its values.yaml,
	// inside the archive (named below charts/).
	pl := got["app/charts/packed/templates/cm.yaml"].Origin.Place(6, 6, manifest.Path{{Key: "data", Index: -1}, {Key: "v", Index: -1}})
	if pl.Source == nil || pl.Source.Path != filepath.Join(dir, "charts", "packed", "values.yaml") || pl.Line != 1 {
		t.Errorf("packed value placed at %+v", pl)
	}
}

func keys(m map[string]*manifest.Source) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestValuesPrecedence: -f files override the chart's values.yaml (the
// last -f wins, and is where a value points), --set overrides both and
// points at the template line.
func TestValuesPrecedence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"values.yaml":       "v: default\nw: default\n",
		"a.yaml":            "v: a\n",
		"b.yaml":            "\nv: b\n",
		"templates/cm.yaml": configMap("x") + "  w: {{ .Values.w }}\n",
	})
	path := manifest.Path{{Key: "data", Index: -1}, {Key: "v", Index: -1}}
	for _, tc := range []struct {
		set      ValueSet
		value    string
		file     string
		line     int
		wLine    int
		wFileEnd string
	}{
		{ValueSet{}, `v: "default"`, "values.yaml", 1, 2, "values.yaml"},
		{ValueSet{Files: []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}}, `v: "b"`, "b.yaml", 2, 2, "values.yaml"},
		{ValueSet{Files: []string{filepath.Join(dir, "b.yaml")}, Set: []string{"v=flag"}, SetString: []string{"w=7"}}, `v: "flag"`, "cm.yaml", 6, 7, "cm.yaml"},
	} {
		srcs, probs := New(Options{Values: tc.set}).Render(context.Background(), dir)
		if len(probs) > 0 || len(srcs) != 1 {
			t.Fatalf("%+v: %d outputs, problems %+v", tc.set, len(srcs), probs)
		}
		if !strings.Contains(string(srcs[0].Data), tc.value) {
			t.Errorf("%+v: want %s in\n%s", tc.set, tc.value, srcs[0].Data)
		}
		pl := srcs[0].Origin.Place(6, 6, path)
		if pl.Source == nil || filepath.Base(pl.Source.Path) != tc.file || pl.Line != tc.line {
			t.Errorf("%+v: v placed at %+v, want %s:%d", tc.set, pl, tc.file, tc.line)
		}
		pl = srcs[0].Origin.Place(7, 6, manifest.Path{{Key: "data", Index: -1}, {Key: "w", Index: -1}})
		if pl.Source == nil || filepath.Base(pl.Source.Path) != tc.wFileEnd || pl.Line != tc.wLine {
			t.Errorf("%+v: w placed at %+v, want %s:%d", tc.set, pl, tc.wFileEnd, tc.wLine)
		}
		// A literal line is itself.
		pl = srcs[0].Origin.Place(2, 1, nil)
		if pl.Source == nil || filepath.Base(pl.Source.Path) != "cm.yaml" || pl.Line != 2 {
			t.Errorf("kind placed at %+v", pl)
		}
	}
}

// TestRenderLimits: a template that runs too long, or renders more than
// the size limit, is a render-error, not a hung or exhausted run.
func TestRenderLimits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"values.yaml":       "count: 2000\n", // not n: YAML 1.1 reads n as false
		"templates/cm.yaml": "{{- range until (int .Values.count) }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x{{ . }}\n{{- end }}\n",
	})
	_, probs := New(Options{MaxBytes: 10_000}).Render(context.Background(), dir)
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "more than the limit") {
		t.Errorf("size: %+v", probs)
	}
	slow := New(Options{Timeout: time.Millisecond, Values: ValueSet{Set: []string{"count=300000"}}})
	start := time.Now()
	_, probs = slow.Render(context.Background(), dir)
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "rendering took more than") {
		t.Errorf("time: %+v", probs)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the time limit took %s", d)
	}
}

// TestRenderWritesNothing: rendering leaves the chart's folder as it was.
func TestRenderWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n    repository: file://../sub\n",
		"templates/cm.yaml": configMap("x"),
	})
	before := listTree(t, dir)
	_, probs := New(Options{}).Render(context.Background(), dir)
	if len(probs) != 1 || !strings.Contains(probs[0].Message, `dependency "sub"`) || probs[0].Pos.Line != 5 {
		t.Errorf("missing dependency: %+v", probs)
	}
	if after := listTree(t, dir); after != before {
		t.Errorf("the chart's folder changed:\n%s\n->\n%s", before, after)
	}
}

func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + " " + info.ModTime().String() + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSchemaRefusesURLs: a values.schema.json $ref to a URL is an error,
// not a download.
func TestSchemaRefusesURLs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":         "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"values.yaml":        "v: 1\n",
		"values.schema.json": `{"$ref": "https://example.invalid/schema.json"}`,
		"templates/cm.yaml":  configMap("x"),
	})
	_, probs := New(Options{}).Render(context.Background(), dir)
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "does not fetch") {
		t.Errorf("%+v", probs)
	}
}

func TestParseRenderError(t *testing.T) {
	for _, tc := range []struct {
		err, name string
		line, col int
		msg       string
	}{
		{"execution error at (app/templates/x.yaml:5:12): image is required", "app/templates/x.yaml", 5, 12, "image is required"},
		{"parse error at (app/templates/x.yaml:3): unexpected \"}\" in operand", "app/templates/x.yaml", 3, 0, "template syntax: unexpected \"}\" in operand"},
		{"template: app/templates/x.yaml:7:9: executing \"app/templates/x.yaml\" at <.Values.a.b>: nil pointer evaluating interface {}.b", "app/templates/x.yaml", 7, 9, "rendering failed: executing"},
	} {
		name, line, col, msg := parseRenderError(errorString(tc.err))
		if name != tc.name || line != tc.line || col != tc.col || !strings.HasPrefix(msg, tc.msg) {
			t.Errorf("%s: got %s:%d:%d %q", tc.err, name, line, col, msg)
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// BenchmarkRender renders a chart named by KVET_BENCH_CHART (a folder):
// what helm template's own rendering costs, without its process.
func BenchmarkRender(b *testing.B) {
	dir := os.Getenv("KVET_BENCH_CHART")
	if dir == "" {
		b.Skip("KVET_BENCH_CHART not set")
	}
	r := New(Options{})
	for b.Loop() {
		if _, probs := r.Render(context.Background(), dir); len(probs) > 0 {
			b.Fatal(probs)
		}
	}
}

// TestSeveralValuesOnALine: a scalar printed from two values points at
// the template line, which names both.
func TestSeveralValuesOnALine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"values.yaml":       "repo: nginx\ntag: latest\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image: {{ .Values.repo }}:{{ .Values.tag }}\n",
	})
	srcs, probs := New(Options{}).Render(context.Background(), dir)
	if len(probs) > 0 || len(srcs) != 1 {
		t.Fatalf("%d outputs, %+v", len(srcs), probs)
	}
	pl := srcs[0].Origin.Place(6, 10, manifest.Path{{Key: "data", Index: -1}, {Key: "image", Index: -1}})
	if pl.Source == nil || filepath.Base(pl.Source.Path) != "cm.yaml" || pl.Line != 6 || pl.Column != 10 {
		t.Errorf("placed at %+v, want cm.yaml:6:10", pl)
	}
}

// TestWithScope: inside {{ with .Values.x }}, a value printed from the
// dot points at x in the values file.
func TestWithScope(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"values.yaml": "res:\n  limits:\n    memory: lots\nname: web\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n" +
			"  {{- with .Values.res }}\n  limits:\n    {{- toYaml .limits | nindent 4 }}\n  {{- end }}\n" +
			"  {{- with .Values }}\n  name: {{ .name }}\n  {{- end }}\n",
	})
	srcs, probs := New(Options{}).Render(context.Background(), dir)
	if len(probs) > 0 || len(srcs) != 1 {
		t.Fatalf("%d outputs, %+v", len(srcs), probs)
	}
	// Rendered: 6 limits:, 7 memory: lots, 8 name: web.
	pl := srcs[0].Origin.Place(7, 13, manifest.Path{{Key: "data", Index: -1}, {Key: "limits", Index: -1}, {Key: "memory", Index: -1}})
	if pl.Source == nil || filepath.Base(pl.Source.Path) != "values.yaml" || pl.Line != 3 {
		t.Errorf("memory placed at %+v, want values.yaml:3\n%s", pl, srcs[0].Data)
	}
	pl = srcs[0].Origin.Place(8, 9, manifest.Path{{Key: "data", Index: -1}, {Key: "name", Index: -1}})
	if pl.Source == nil || filepath.Base(pl.Source.Path) != "values.yaml" || pl.Line != 4 {
		t.Errorf("name placed at %+v, want values.yaml:4\n%s", pl, srcs[0].Data)
	}
}
