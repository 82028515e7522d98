package crd

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"text/template"
	"time"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// A Catalog finds JSON schemas of custom resources through
// kubeconform-compatible --schema-location templates
// ('catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json',
// the layout of the CRDs-catalog and of kubeconform's openapi2jsonschema
// output), and turns each into a CRD of one version, so that a resource
// is checked by the same code as against a CRD. kvet touches the network
// only for a location that is an http(s) URL.
type Catalog struct {
	locations []location
	// KubeVersion fills {{.NormalizedKubernetesVersion}}: "master", or
	// "v1.31.0" for a target given as 1.31.
	KubeVersion string
	// CacheDir, when set, keeps the schemas fetched over http(s), one
	// file per URL, and serves them from there on later runs.
	CacheDir string
	// Client fetches http(s) schemas (a 30 s timeout when nil).
	Client *http.Client
}

type location struct {
	text string
	tpl  *template.Template
}

// kindName is what a kind may be (a CRD's spec.names.kind is a DNS-1035
// label in lower case).
var kindName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,62}$`)

// kubeconformSuffix is what kubeconform appends to a location that does
// not end in "json" (the layout of its kubernetes-json-schema fork).
const kubeconformSuffix = "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"

// maxSchemaSize bounds a schema file read (the largest CRD of
// ../shared/corpus is 3.6 MB).
const maxSchemaSize = 64 << 20

// NewCatalog parses the templates, in the order they are tried. As
// kubeconform does, a location that does not end in "json" gets
// kubeconform's file layout appended. kubeconform's "default" (the
// built-in kinds' schemas, which kvet checks with the API server's own
// code) is an error.
func NewCatalog(locations []string) (*Catalog, error) {
	c := &Catalog{KubeVersion: "master"}
	for _, loc := range locations {
		text := loc
		if text == "default" {
			return nil, fmt.Errorf("%s: kubeconform's default location holds the schemas of the built-in kinds, which kvet checks with the API server's own code; give the locations of your custom resources' schemas only", loc)
		}
		if !strings.HasSuffix(text, "json") {
			text += kubeconformSuffix
		}
		tpl, err := template.New("schema-location").Option("missingkey=error").Parse(text)
		if err == nil {
			_, err = execute(tpl, "Deployment", "apps/v1", "master")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: not a schema location template: %w (the fields are {{.Group}}, {{.ResourceKind}}, {{.ResourceAPIVersion}}, {{.KindSuffix}}, {{.NormalizedKubernetesVersion}} and {{.StrictSuffix}})", loc, err)
		}
		c.locations = append(c.locations, location{text: loc, tpl: tpl})
	}
	return c, nil
}

// Empty reports whether the catalog has no location.
func (c *Catalog) Empty() bool { return c == nil || len(c.locations) == 0 }

// execute fills a template with kubeconform's fields (its
// pkg/registry.schemaPath, v0.6.7): ResourceKind is the lower-case kind,
// Group and ResourceAPIVersion the parts of apiVersion (both "v1" for
// "v1"), KindSuffix "-<first label of the group>-<version>", lower case.
// StrictSuffix is always "-strict": kvet rejects unknown fields.
func execute(tpl *template.Template, kind, apiVersion, kubeVersion string) (string, error) {
	groupParts := strings.Split(apiVersion, "/")
	versionParts := strings.Split(groupParts[0], ".")
	kindSuffix := "-" + strings.ToLower(versionParts[0])
	if len(groupParts) > 1 {
		kindSuffix += "-" + strings.ToLower(groupParts[1])
	}
	data := struct {
		NormalizedKubernetesVersion string
		StrictSuffix                string
		ResourceKind                string
		ResourceAPIVersion          string
		Group                       string
		KindSuffix                  string
	}{kubeVersion, "-strict", strings.ToLower(kind), groupParts[len(groupParts)-1], groupParts[0], kindSuffix}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// Lookup finds the schema of kind in apiVersion (group/version): the
// first location whose file exists. It returns the file's path and the
// schema as a CRD of that one version (served, stored, namespaced),
// or path "" when no location has the file. A file that cannot be read
// or is not a JSON schema is an error naming it.
func (c *Catalog) Lookup(kind, apiVersion string) (string, *apiextv1.CustomResourceDefinition, error) {
	group, version, ok := strings.Cut(apiVersion, "/")
	if c.Empty() || !ok || group == "" {
		return "", nil, nil
	}
	// The names come from the linted files: only what a CRD may define
	// goes into a path (no "..", no "/"), so a template cannot be led out
	// of the catalog.
	if len(validation.IsDNS1123Subdomain(group)) > 0 || len(validation.IsDNS1035Label(version)) > 0 || !kindName.MatchString(kind) {
		return "", nil, nil
	}
	for _, loc := range c.locations {
		path, err := execute(loc.tpl, kind, apiVersion, c.KubeVersion)
		if err != nil {
			return "", nil, fmt.Errorf("schema location %s: %w", loc.text, err)
		}
		var data []byte
		if isURL(path) {
			data, err = c.fetch(path)
		} else {
			data, err = readLocal(path)
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return path, nil, err
		}
		props, err := jsonSchemaProps(data)
		if err != nil {
			return path, nil, fmt.Errorf("%s: not a JSON schema of a custom resource: %w", path, err)
		}
		plural := strings.ToLower(kind) + "s"
		return path, &apiextv1.CustomResourceDefinition{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"},
			ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group},
			Spec: apiextv1.CustomResourceDefinitionSpec{
				Group: group,
				Names: apiextv1.CustomResourceDefinitionNames{Kind: kind, ListKind: kind + "List", Plural: plural, Singular: strings.ToLower(kind)},
				Scope: apiextv1.NamespaceScoped,
				Versions: []apiextv1.CustomResourceDefinitionVersion{{
					Name: version, Served: true, Storage: true,
					Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: props},
				}},
			},
		}, nil
	}
	return "", nil, nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// readLocal reads a schema file; fs.ErrNotExist when there is none.
func readLocal(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if info.Size() > maxSchemaSize {
		return nil, fmt.Errorf("%s: %d bytes, over the %d MiB a schema file may have", path, info.Size(), maxSchemaSize>>20)
	}
	return os.ReadFile(path)
}

// fetch gets a schema over http(s), from CacheDir when it has it (and
// into it when it did not); fs.ErrNotExist on 404.
func (c *Catalog) fetch(url string) ([]byte, error) {
	var cached string
	if c.CacheDir != "" {
		sum := sha256.Sum256([]byte(url))
		cached = filepath.Join(c.CacheDir, hex.EncodeToString(sum[:])+".json")
		if data, err := readLocal(cached); err == nil {
			return data, nil
		}
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("fetching the schema: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fs.ErrNotExist
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the schema %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSchemaSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the schema %s: %w", url, err)
	}
	if len(data) > maxSchemaSize {
		return nil, fmt.Errorf("%s: over the %d MiB a schema file may have", url, maxSchemaSize>>20)
	}
	if cached != "" {
		// Written whole, then renamed: a concurrent run reads all or none.
		if err := os.MkdirAll(c.CacheDir, 0o755); err == nil {
			if f, err := os.CreateTemp(c.CacheDir, "fetch-*"); err == nil {
				_, werr := f.Write(data)
				cerr := f.Close()
				if werr != nil || cerr != nil || os.Rename(f.Name(), cached) != nil {
					_ = os.Remove(f.Name())
				}
			}
		}
	}
	return data, nil
}

// jsonSchemaProps reads an openapi2jsonschema file back into the CRD's
// openAPIV3Schema: it undoes what that script adds (additionalProperties:
// false beside properties; oneOf string/integer for int-or-string) and
// drops JSON Schema keys a CRD schema does not have ($schema, $id).
func jsonSchemaProps(data []byte) (*apiextv1.JSONSchemaProps, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	delete(m, "$schema")
	delete(m, "$id")
	clean, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	props := &apiextv1.JSONSchemaProps{}
	if err := json.Unmarshal(clean, props); err != nil {
		return nil, err
	}
	undo(props)
	return props, nil
}

// undo reverses openapi2jsonschema's changes in s and below.
func undo(s *apiextv1.JSONSchemaProps) {
	if s == nil {
		return
	}
	if len(s.Properties) > 0 && s.AdditionalProperties != nil && !s.AdditionalProperties.Allows && s.AdditionalProperties.Schema == nil {
		s.AdditionalProperties = nil
	}
	if len(s.OneOf) == 2 && s.Type == "" && isType(s.OneOf[0], "string") && isType(s.OneOf[1], "integer") {
		s.OneOf = nil
		s.XIntOrString = true
		s.AnyOf = []apiextv1.JSONSchemaProps{{Type: "integer"}, {Type: "string"}}
	}
	for k, p := range s.Properties {
		undo(&p)
		s.Properties[k] = p
	}
	if s.Items != nil {
		undo(s.Items.Schema)
		for i := range s.Items.JSONSchemas {
			undo(&s.Items.JSONSchemas[i])
		}
	}
	if s.AdditionalProperties != nil {
		undo(s.AdditionalProperties.Schema)
	}
	for _, list := range [][]apiextv1.JSONSchemaProps{s.AllOf, s.AnyOf, s.OneOf} {
		for i := range list {
			undo(&list[i])
		}
	}
	if s.Not != nil {
		undo(s.Not)
	}
}

func isType(s apiextv1.JSONSchemaProps, t string) bool {
	return reflect.DeepEqual(s, apiextv1.JSONSchemaProps{Type: t})
}
