package crd

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"text/template"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The template fields are kubeconform's (pkg/registry.schemaPath,
// v0.6.7): its own test cases, with kvet's StrictSuffix ("-strict").
func TestSchemaPathMatchesKubeconform(t *testing.T) {
	const k8s = "https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
	const catalog = "catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
	for _, c := range []struct{ tpl, kind, apiVersion, kube, want string }{
		{k8s, "Deployment", "apps/v1", "v1.16.0", "https://kubernetesjsonschema.dev/v1.16.0-standalone-strict/deployment-apps-v1.json"},
		{k8s, "Service", "v1", "master", "https://kubernetesjsonschema.dev/master-standalone-strict/service-v1.json"},
		{catalog, "ServiceMonitor", "monitoring.coreos.com/v1", "master", "catalog/monitoring.coreos.com/servicemonitor_v1.json"},
		{catalog, "HTTPRoute", "gateway.networking.k8s.io/v1beta1", "master", "catalog/gateway.networking.k8s.io/httproute_v1beta1.json"},
		{"s/{{.ResourceKind}}{{.KindSuffix}}.json", "Certificate", "cert-manager.io/v1", "master", "s/certificate-cert-manager-v1.json"},
	} {
		got, err := execute(template.Must(template.New("").Parse(c.tpl)), c.kind, c.apiVersion, c.kube)
		if err != nil || got != c.want {
			t.Errorf("%s with %s %s: got %q, %v; want %q", c.tpl, c.apiVersion, c.kind, got, err, c.want)
		}
	}
}

func TestNewCatalogRefuses(t *testing.T) {
	for loc, want := range map[string]string{
		"https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json": "",
		"default":                        "the schemas of the built-in kinds",
		"catalog/{{.Group}/x.json":       "not a schema location template",
		"catalog/{{.Nope}}/x.json":       "can't evaluate field Nope",
		"catalog/{{.ResourceKind}}.json": "",
	} {
		_, err := NewCatalog([]string{loc})
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("NewCatalog(%q) = %v, want an error with %q", loc, err, want)
		}
	}
	// A folder gets kubeconform's layout appended.
	c, err := NewCatalog([]string{"schemas"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := execute(c.locations[0].tpl, "Service", "v1", "master"); got != "schemas/master-standalone-strict/service-v1.json" {
		t.Errorf("folder location: got %q", got)
	}
}

// Lookup reads an openapi2jsonschema file back into a CRD schema: the
// additionalProperties: false it adds beside properties and its oneOf
// for int-or-string are undone (the API server refuses a CRD with
// either), so the CRD validates.
func TestLookupUndoesOpenapi2jsonschema(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "example.com"), 0o755); err != nil {
		t.Fatal(err)
	}
	schema := `{"$schema": "http://json-schema.org/schema#", "type": "object", "properties": {"spec": {"type": "object", "additionalProperties": false,
	  "properties": {"port": {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "example.com", "widget_v1.json"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := NewCatalog([]string{filepath.Join(dir, "{{.Group}}", "{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")})
	if err != nil {
		t.Fatal(err)
	}
	path, typed, err := c.Lookup("Widget", "example.com/v1")
	if err != nil || typed == nil || !strings.HasSuffix(path, "widget_v1.json") {
		t.Fatalf("Lookup: %q %v %v", path, typed, err)
	}
	spec := typed.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	if spec.AdditionalProperties != nil || !spec.Properties["port"].XIntOrString || spec.Properties["labels"].AdditionalProperties == nil {
		t.Errorf("not undone: %+v", spec)
	}
	if d := New(typed); d.Invalid() {
		t.Errorf("the synthetic CRD is invalid: %v", d.Errors)
	}
	if path, typed, err := c.Lookup("Gadget", "example.com/v1"); path != "" || typed != nil || err != nil {
		t.Errorf("no file: got %q %v %v", path, typed, err)
	}
	// Names from the linted files that could lead the path out of the
	// catalog are not looked up: dir/cat/../widget_v1.json exists.
	if err := os.WriteFile(filepath.Join(dir, "widget_v1.json"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "cat", "example.com"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := NewCatalog([]string{filepath.Join(dir, "cat", "{{.Group}}", "{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")})
	if err != nil {
		t.Fatal(err)
	}
	for _, gv := range [][2]string{{"Widget", "../v1"}, {"Widget", "./v1"}, {"../../widget", "example.com/v1"}} {
		if path, typed, err := out.Lookup(gv[0], gv[1]); path != "" || typed != nil || err != nil {
			t.Errorf("Lookup(%q, %q) = %q %v %v, want nothing", gv[0], gv[1], path, typed, err)
		}
	}
}

// An http(s) location is fetched once, then served from the cache
// folder; a 404 is "no schema there"; another status is an error.
func TestLookupOverHTTP(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/example.com/widget_v1.json":
			_, _ = w.Write([]byte(`{"type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}`))
		case "/example.com/broken_v1.json":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := NewCatalog([]string{srv.URL + "/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"})
	if err != nil {
		t.Fatal(err)
	}
	c.CacheDir = t.TempDir()
	for range 2 {
		path, typed, err := c.Lookup("Widget", "example.com/v1")
		if err != nil || typed == nil || path != srv.URL+"/example.com/widget_v1.json" {
			t.Fatalf("Lookup: %q %v %v", path, typed, err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d requests for one schema, want 1 (then the cache)", n)
	}
	if path, typed, err := c.Lookup("Gadget", "example.com/v1"); path != "" || typed != nil || err != nil {
		t.Errorf("404: got %q %v %v, want nothing", path, typed, err)
	}
	if _, _, err := c.Lookup("Broken", "example.com/v1"); err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("500: got %v", err)
	}
}

// FuzzCatalogSchema: any schema file, read back as a CRD schema, then
// validated as a CRD and, when valid, compiled and used on a resource,
// never crashes (a recovered panic is an internal error, which fails
// here) and ends.
func FuzzCatalogSchema(f *testing.F) {
	for _, path := range []string{"../../rules/testdata/cr-schema/catalog/example.com/widget_v1.json", "../../rules/testdata/cr-schema/catalog/example.com/broken_v1.json"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"type": "object", "properties": {"spec": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}, "additionalProperties": false}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		props, err := jsonSchemaProps(data)
		if err != nil {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "widget_v1.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := NewCatalog([]string{filepath.Join(dir, "{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")})
		if err != nil {
			t.Fatal(err)
		}
		_, typed, err := c.Lookup("Widget", "example.com/v1")
		if err != nil || typed == nil || props == nil {
			t.Fatalf("Lookup of a schema jsonSchemaProps reads: %v", err)
		}
		d := New(typed)
		for _, e := range d.Errors {
			if e.Type == field.ErrorTypeInternal {
				t.Fatal(e)
			}
		}
		if d.Invalid() {
			return
		}
		v := d.Version(typed, "v1")
		if v.Err() != nil {
			t.Fatal(v.Err())
		}
		res := v.Validate(map[string]any{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}, "spec": map[string]any{"size": int64(3)}})
		for _, e := range append(res.Errors, res.Rules...) {
			if e.Type == field.ErrorTypeInternal {
				t.Fatal(e)
			}
		}
	})
}
