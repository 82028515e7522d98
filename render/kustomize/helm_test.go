package kustomize

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/internal/testfs"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// TestHelmChartsValues: a chart of helmCharts is inflated with its values
// as kustomize passes them to helm (valuesFile and valuesInline by
// valuesMerge, then additionalValuesFiles), the namespace of the
// including overlay, the entry's releaseName and a chartHome; a field
// printed from a value points at the line that set it (the kustomization's
// valuesInline, or a values file), and kustomize's helm-generated
// annotation is not in the output.
func TestHelmChartsValues(t *testing.T) {
	chart := map[string]string{
		"base/helm/web/Chart.yaml":  "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"base/helm/web/values.yaml": "image: nginx:chart\npolicy: Always\n",
		"base/helm/web/templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
  namespace: {{ .Release.Namespace }}
data:
  image: {{ .Values.image }}
  policy: {{ .Values.policy }}
`,
		"base/prod.yaml":             "image: nginx:file\n",
		"base/extra.yaml":            "policy: Never\n",
		"overlay/kustomization.yaml": "namespace: team\nresources:\n- ../base\n",
	}
	for _, tc := range []struct {
		name, entry          string
		image, policy        string
		imageFile, imageLine string
	}{
		{"chart defaults", "", "nginx:chart", "Always", "base/helm/web/values.yaml", "1"},
		{"override", "  valuesFile: prod.yaml\n  valuesInline:\n    image: nginx:inline\n", "nginx:inline", "Always", "base/kustomization.yaml", "8"},
		{"merge", "  valuesFile: prod.yaml\n  valuesMerge: merge\n  valuesInline:\n    image: nginx:inline\n", "nginx:file", "Always", "base/prod.yaml", "1"},
		{"replace", "  valuesFile: prod.yaml\n  valuesMerge: replace\n  valuesInline:\n    policy: IfNotPresent\n", "nginx:chart", "IfNotPresent", "base/helm/web/values.yaml", "1"},
		{"additional", "  valuesInline:\n    image: nginx:inline\n  additionalValuesFiles: [extra.yaml]\n", "nginx:inline", "Never", "base/kustomization.yaml", "7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"base/kustomization.yaml": "helmGlobals:\n  chartHome: helm\nhelmCharts:\n- name: web\n  releaseName: shop\n" + tc.entry}
			for k, v := range chart {
				files[k] = v
			}
			testfs.Write(t, dir, files)
			wd, _ := os.Getwd()
			if err := os.Chdir(dir); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = os.Chdir(wd) }()
			s := Render([]string{"overlay"}, Options{})
			if len(s.Problems) > 0 || len(s.Builds) != 1 {
				t.Fatalf("builds %d, problems %+v", len(s.Builds), s.Problems)
			}
			out := string(s.Builds[0].Output.Data)
			for _, want := range []string{"name: shop-cm", "namespace: team", "image: " + tc.image, "policy: " + tc.policy} {
				if !strings.Contains(out, want) {
					t.Errorf("the build has no %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, helmGenerated) {
				t.Errorf("the build's output has %s:\n%s", helmGenerated, out)
			}
			got := s.Remap([]rule.Finding{{Rule: "r", File: s.Builds[0].Name, Line: lineIn(out, "image:"), Path: manifest.MustParsePath("data.image")}})
			if at := got[0].File + ":" + itoa(got[0].Line); at != tc.imageFile+":"+tc.imageLine {
				t.Errorf("data.image at %s, want %s:%s", at, tc.imageFile, tc.imageLine)
			}
			if !s.Consumed("base/helm/web/templates/cm.yaml") || !s.Consumed("base/helm/web") {
				t.Error("the chart's files are not consumed: the folder walk would render the chart again")
			}
		})
	}
}

func lineIn(text, marker string) int {
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestHelmChartsConfined: a chart outside the kustomization's repository
// (here no .git: its folder) is refused at the entry, as is a values file
// outside the kustomization's folder (kustomize's loader refuses it too);
// nothing is built, and nothing is read there.
func TestHelmChartsConfined(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, map[string]string{
		"elsewhere/web/Chart.yaml":          "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"elsewhere/web/templates/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
		"elsewhere/values.yaml":             "a: 1\n",
		"app/kustomization.yaml":            "helmGlobals:\n  chartHome: ../elsewhere\nhelmCharts:\n- name: web\n",
		"vals/kustomization.yaml":           "helmCharts:\n- name: web\n  valuesFile: ../elsewhere/values.yaml\n",
		"vals/charts/web/Chart.yaml":        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"vals/charts/web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	s := Render([]string{filepath.Join(dir, "app"), filepath.Join(dir, "vals")}, Options{})
	if len(s.Builds) != 0 {
		t.Errorf("built %d", len(s.Builds))
	}
	var msgs []string
	for _, p := range s.Problems {
		msgs = append(msgs, strconv.Itoa(p.Line)+":"+strconv.Itoa(p.Column)+" "+p.Message)
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{"4:9 helm chart \"web\": " + filepath.Join(dir, "elsewhere", "web") + " is outside " + filepath.Join(dir, "app"),
		"3:15 values file \"../elsewhere/values.yaml\" is outside the kustomization's folder"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant %q", got, want)
		}
	}
}

// TestHelmChartsUnderTransformers: through an overlay, a chart's resource
// field set by the overlay's namePrefix points at that line, one its
// patch sets at the patch's line, and one the chart sets at the template
// line; the overlay's namespace is not applied to the chart's resources
// (kustomize leaves them to the chart).
func TestHelmChartsUnderTransformers(t *testing.T) {
	s := Render([]string{"../../testdata/kustomize/helm/overlays/prod"}, Options{})
	if len(s.Problems) > 0 || len(s.Builds) != 1 {
		t.Fatalf("builds %d, problems %+v", len(s.Builds), s.Problems)
	}
	b := s.Builds[0]
	out := string(b.Output.Data)
	line := lineIn(out, "kind: Deployment")
	if line == 0 || strings.Contains(out, "annotations: {}") || strings.Contains(out, "helm-generated") {
		t.Fatalf("build (kustomize's annotation must leave no trace):\n%s", out)
	}
	for path, want := range map[string]string{
		"metadata.name": "../../testdata/kustomize/helm/overlays/prod/kustomization.yaml:4",
		"spec.template.spec.containers[0].imagePullPolicy":   "../../testdata/kustomize/helm/overlays/prod/pull.yaml:10",
		"spec.template.spec.containers[0].ports[0].protocol": "../../testdata/kustomize/helm/base/charts/web/templates/deployment.yaml:21",
		"spec.replicas": "../../testdata/kustomize/helm/base/charts/web/templates/deployment.yaml:6",
	} {
		got := s.Remap([]rule.Finding{{Rule: "r", File: b.Name, Line: line, Path: manifest.MustParsePath(path)}})
		if at := got[0].File + ":" + strconv.Itoa(got[0].Line); at != want {
			t.Errorf("%s at %s, want %s", path, at, want)
		}
	}
	for _, d := range b.docs {
		if d.kind == "Deployment" && strings.Contains(string(b.Output.Data[d.start:d.end]), "namespace:") {
			t.Errorf("the overlay's namespace was applied to the chart's Deployment:\n%s", b.Output.Data[d.start:d.end])
		}
	}
}

// TestConsumes: what a kustomization names (a resource, a patch, its own
// file, a helmCharts chart's file) is consumed; a manifest in its folder
// it does not name, and a file with no kustomization above, are not.
func TestConsumes(t *testing.T) {
	h := "../../testdata/kustomize/helm/"
	for path, want := range map[string]bool{
		h + "base/job.yaml":                             true,
		h + "base/kustomization.yaml":                   true,
		h + "base/charts/web/templates/deployment.yaml": true,
		h + "overlays/prod/pull.yaml":                   true,
		"testdata/mapping/base/app.yaml":                true,
		"helm.go":                                       false,
	} {
		if got := Consumes(path, Options{Root: "../.."}); got != want {
			t.Errorf("Consumes(%s) = %v, want %v", path, got, want)
		}
	}
	dir := t.TempDir()
	testfs.Write(t, dir, map[string]string{"kustomization.yaml": "resources:\n- a.yaml\n", "a.yaml": "kind: ConfigMap\n", "stray.yaml": "kind: ConfigMap\n"})
	if Consumes(filepath.Join(dir, "stray.yaml"), Options{Root: dir}) || !Consumes(filepath.Join(dir, "a.yaml"), Options{Root: dir}) {
		t.Error("a file in the kustomization's folder it does not name is consumed, or one it names is not")
	}
}
