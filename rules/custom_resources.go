package rules

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/validate/crd"
)

// crdKinds is the kind pattern of the CRDs kvet validates.
var crdKinds = []string{"apiextensions.k8s.io/v1/CustomResourceDefinition"}

// crdContextKinds are the CRDs custom resources are checked against:
// v1beta1 ones too (removed in Kubernetes 1.22, which deprecated-api
// reports), converted to v1 as the API server converted them.
var crdContextKinds = []string{"apiextensions.k8s.io/v1/CustomResourceDefinition", "apiextensions.k8s.io/v1beta1/CustomResourceDefinition"}

// CRDInvalid runs the apiextensions API server's create validation on
// every CustomResourceDefinition.
var CRDInvalid = &rule.Rule{
	ID:       "crd-invalid",
	Severity: rule.Error,
	Kinds:    crdKinds,
	// Off until its cost is brought down: validating the corpus's 283
	// CRDs costs about 8 s of CPU (README, Custom resources).
	Off:   true,
	Check: checkCRD,
	Doc: `The API server would refuse this CustomResourceDefinition.

## What it does
Runs the apiextensions API server's own create validation
(` + "`ValidateCustomResourceDefinition`" + `, Kubernetes 1.37) on every
CustomResourceDefinition, after the server's defaults: the name must be
` + "`<plural>.<group>`" + `, exactly one version is the storage version, the schema
must be structural (a type everywhere, no ` + "`additionalProperties`" + ` next to
` + "`properties`" + `, defaults that validate), CEL ` + "`x-kubernetes-validations`" + ` must
compile and stay within the cost budget, and more. Each error is at its
field's line, in Kubernetes' words. The custom resources of an invalid CRD
are not validated (cr-not-validated).

## Why is this bad?
` + "`kubectl apply`" + ` fails on the CRD, and then on every custom resource of it.

## Example
` + "```yaml" + `
kind: CustomResourceDefinition
metadata:
  name: widget.example.com        # must be widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
` + "```",
}

// CRValidation checks every custom resource whose CRD is known (among the
// linted files, given with --crds, or a --schema-location schema) as the API server would on create,
// and reports under the cr-* rules.
var CRValidation = &rule.Rule{
	ID:       "cr-validation",
	Severity: rule.Error,
	Context:  crdContextKinds,
	// Off unless enabled or --crds is given, until its cost is brought
	// down (README, Custom resources).
	Off: true,
	// Reads CRDs through their typed value only.
	ContextTyped: true,
	Check:        checkCustomResource,
	Doc: `Validates custom resources against their CustomResourceDefinitions.

## What it does
For every custom resource whose CRD is in the linted files (any file, any
order) or given with ` + "`--crds`" + `, or whose JSON schema a
` + "`--schema-location`" + ` template finds (a kubeconform catalog), kvet does what the API server does on
create, with its own code (k8s.io/apiextensions-apiserver 1.37): the version
must exist and be served; unknown fields are pruned and reported; defaults
are applied; the object is validated against the version's structural schema
(types, enum, required, minimum/maximum, lengths, pattern, format,
int-or-string, nullable, list types and map keys), its metadata and embedded
resources; then the CRD's CEL ` + "`x-kubernetes-validations`" + ` run under the API
server's cost limits. Findings are reported under cr-version, cr-schema,
cr-unknown-field, cr-cel and cr-not-validated. Disable this rule to skip
them all. A CRD is compiled once per run however many resources use it.

## Why is this bad?
Every finding is an error ` + "`kubectl apply`" + ` would get back from a cluster that
has the CRD.

## Example
` + "```yaml" + `
apiVersion: example.com/v1
kind: Widget
spec:
  size: 99        # the CRD says maximum: 10
` + "```" + `

## Use instead
` + "```yaml" + `
apiVersion: example.com/v1
kind: Widget
spec:
  size: 10
` + "```",
}

func crDoc(summary, what, example, fix string) string {
	return summary + `

## What it does
` + what + ` Found by the apiextensions API server's own code (see
cr-validation); the message is Kubernetes' own.

## Why is this bad?
The API server rejects the custom resource: ` + "`kubectl apply`" + ` fails with this
error.

## Example
` + "```yaml\n" + example + "\n```" + `

## Use instead
` + "```yaml\n" + fix + "\n```"
}

// The cr-* family, reported by CRValidation.
var (
	CRVersion = &rule.Rule{ID: "cr-version", Severity: rule.Error, Doc: crDoc(
		"A custom resource's apiVersion is not a served version of its CRD.",
		"Reports a custom resource whose version is not in its CRD's spec.versions, or is there with served: false (the server answers \"no matches for kind\").",
		"apiVersion: example.com/v2    # the CRD has v1 only\nkind: Widget",
		"apiVersion: example.com/v1\nkind: Widget")}
	CRSchema = &rule.Rule{ID: "cr-schema", Severity: rule.Error, Doc: crDoc(
		"A custom resource does not match its CRD's schema.",
		"Reports values of the wrong type, outside an enum, above a maximum or below a minimum, too long or too short, not matching a pattern or a format, missing required fields, duplicate entries of set and map lists, and invalid metadata (name, labels) or embedded resources, after the CRD's defaults are applied.",
		"apiVersion: example.com/v1\nkind: Widget\nspec:\n  color: purple    # enum: [red, green]",
		"apiVersion: example.com/v1\nkind: Widget\nspec:\n  color: red")}
	CRUnknownField = &rule.Rule{ID: "cr-unknown-field", Severity: rule.Error, Doc: crDoc(
		"A custom resource has a field its CRD's schema does not know.",
		"Reports fields the API server would prune, with the closest known name: with strict field validation, which kubectl apply uses by default, the server rejects them. Fields under x-kubernetes-preserve-unknown-fields are kept and not reported.",
		"apiVersion: example.com/v1\nkind: Widget\nspec:\n  sise: 3",
		"apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: 3")}
	CRCEL = &rule.Rule{ID: "cr-cel", Severity: rule.Error, Doc: crDoc(
		"A custom resource fails one of its CRD's CEL validation rules.",
		"Runs the CRD's x-kubernetes-validations rules with the API server's CEL validator and cost limits. The finding carries the rule's message or evaluated messageExpression and is at the rule's fieldPath, else at the field that carries the rule; a rule that exceeds the cost budget is an error naming it. When the object has errors that stop the server from running the rules, an info says so.",
		"apiVersion: example.com/v1\nkind: Widget\nspec:   # rule: self.min <= self.max\n  min: 5\n  max: 3",
		"apiVersion: example.com/v1\nkind: Widget\nspec:\n  min: 3\n  max: 5")}
	CRNotValidated = &rule.Rule{ID: "cr-not-validated", Severity: rule.Warning, Doc: `A custom resource was not validated because its CRD is invalid.

## What it does
Reports, at its kind, a custom resource whose CustomResourceDefinition is
known but invalid (see crd-invalid): the API server would refuse the CRD, so
kvet cannot tell what it would say of the resource.

## Why is this bad?
Nothing checked the resource, and it cannot be created until the CRD is
fixed.

## Example
` + "```yaml" + `
apiVersion: example.com/v1
kind: Widget      # its CRD has crd-invalid errors
` + "```" + `

## Use instead
Fix the CRD's crd-invalid errors; the resource is then validated.`}
)

// hashSeed makes the keys of CRD texts within a run.
var hashSeed = maphash.MakeSeed()

// defKey identifies a CRD by its text (and, for objects that share their
// lines, its column and list item), so that the same CRD in several files
// is validated and compiled once.
type defKey struct {
	hash       uint64
	name       string
	col, item  int
	sameAsText uint64 // the text's hash alone, to tell definitions apart
	spec       specKey
}

// specKey identifies a CRD by its text without its metadata: CRDs that
// differ in their metadata only (the same CRD in several folders, each
// annotated with its bundle) share their spec's validation and compiled
// versions (crd.Definition.Same).
type specKey struct {
	hash      uint64
	col, item int
	stored    bool
}

func keyOf(o *manifest.Object) defKey {
	var text []byte
	if o.Node != nil && len(o.Node.Content) > 2 {
		text = o.Source.Excerpt(o.Pos().Line, o.LastLine()).Data
	} else {
		// A context object without its tree (validate keeps only the typed
		// value of those) keeps exactly its own lines.
		text = o.Source.Data
	}
	h := maphash.Bytes(hashSeed, text)
	col := o.Pos().Column
	spec := specKey{hash: h, col: col, item: o.Item, stored: o.APIVersion != "apiextensions.k8s.io/v1"}
	if from, to := metadataLines(text, col); from < to {
		var sh maphash.Hash
		sh.SetSeed(hashSeed)
		_, _ = sh.Write(text[:from])
		_, _ = sh.WriteString("metadata:\n") // not the text of a CRD without its metadata
		_, _ = sh.Write(text[to:])
		spec.hash = sh.Sum64()
	}
	return defKey{hash: h, name: o.Name, col: col, item: o.Item, sameAsText: h, spec: spec}
}

// metadataLines returns the byte range of the lines of the metadata block
// of the CRD text whose keys are at column col: a "metadata:" line at that
// column, alone on its line, and the lines below it indented further (or
// blank). Anything else gives an empty range, and the CRD is keyed by its
// whole text: metadata written on its line or in flow style, a block
// with a comma (a sibling key of a flow mapping could hide there) or an
// anchor (the spec could name it).
func metadataLines(text []byte, col int) (from, to int) {
	if col < 1 {
		return 0, 0
	}
	for i := 0; i < len(text); {
		end := len(text)
		if nl := bytes.IndexByte(text[i:], '\n'); nl >= 0 {
			end = i + nl + 1
		}
		line := text[i:end]
		if from == 0 && len(line) > col && isIndent(line[:col-1]) && bytes.HasPrefix(line[col-1:], []byte("metadata:")) {
			if rest := bytes.TrimSpace(line[col-1+len("metadata:"):]); len(rest) > 0 && rest[0] != '#' {
				return 0, 0
			}
			from = end
		} else if from > 0 {
			content := bytes.TrimLeft(line, " ")
			indent := len(line) - len(content)
			if len(bytes.TrimSpace(content)) > 0 && indent < col {
				break
			}
			if bytes.ContainsAny(line, ",&") {
				return 0, 0
			}
		}
		i = end
		if from > 0 {
			to = end
		}
	}
	if from == 0 {
		return 0, 0
	}
	// From the "metadata:" line itself.
	return bytes.LastIndexByte(text[:from-1], '\n') + 1, to
}

func isIndent(b []byte) bool {
	for _, c := range b {
		if c != ' ' {
			return false
		}
	}
	return true
}

// definition returns the validated CRD of o, built once per run per text;
// stored says it was converted from v1beta1 (crd.NewStored). CRDs whose
// texts differ in their metadata only share the validation of their spec.
func definition(ix *rule.Index, key defKey, typed *apiextv1.CustomResourceDefinition, stored bool) *crd.Definition {
	return ix.Memo(key, func() any {
		first := false
		shared := ix.Memo(key.spec, func() any {
			first = true
			if stored {
				return crd.NewStored(typed)
			}
			return crd.New(typed)
		}).(*crd.Definition)
		if first {
			return shared
		}
		return shared.Same(typed)
	}).(*crd.Definition)
}

func checkCRD(pass *rule.Pass, o *manifest.Object) {
	typed, ok := o.Typed.(*apiextv1.CustomResourceDefinition)
	if !ok {
		return
	}
	def := definition(pass.Index, keyOf(o), typed, false)
	for _, e := range def.Errors {
		if strings.HasPrefix(e.Field, "status.") && len(def.Errors) > 1 {
			continue // follows from the spec's errors (a second storage version); status is the server's
		}
		e = shortValue(e)
		path, _ := manifest.ParsePath(e.Field)
		if path = crdSourcePath(path); len(path) > 0 {
			c := *e
			c.Field = path.String() // where it is written, in the message too
			e = &c
		}
		p, atKey := entryOf(o, path, e.BadValue)
		help := apiHelp(e)
		if atKey {
			help = "rename the key; the API server rejects it"
		}
		pass.Report(rule.Diagnostic{Path: p, AtKey: atKey, Message: e.Error(), Help: help})
	}
}

// crdSourcePath maps a path of the CRD's internal form to where it is
// written: the conversion moves a schema, subresources, printer columns or
// selectable fields that every version shares to spec.validation (and so
// on), from spec.versions[0].
func crdSourcePath(p manifest.Path) manifest.Path {
	if len(p) < 2 || p[0].Key != "spec" {
		return p
	}
	v0 := manifest.Path{}.Field("spec").Field("versions").Item(0)
	switch p[1].Key {
	case "validation":
		return append(v0.Field("schema"), p[2:]...)
	case "subresources", "additionalPrinterColumns", "selectableFields":
		return append(v0.Field(p[1].Key), p[2:]...)
	case "version":
		return append(v0.Field("name"), p[2:]...)
	}
	return p
}

// crdEntry is one CRD of the run's context.
type crdEntry struct {
	obj   *manifest.Object
	typed *apiextv1.CustomResourceDefinition
	key   defKey
}

type groupKind struct{ group, kind string }

type registryKey struct{}

// crdRegistry indexes the run's CRDs by the group and kind they define.
func crdRegistry(ix *rule.Index) map[groupKind][]*crdEntry {
	return ix.Memo(registryKey{}, func() any {
		m := map[groupKind][]*crdEntry{}
		for _, o := range ix.ByKind("apiextensions.k8s.io", "CustomResourceDefinition") {
			typed, err := crd.V1(o.Typed)
			if typed == nil || err != nil {
				continue
			}
			gk := groupKind{typed.Spec.Group, typed.Spec.Names.Kind}
			m[gk] = append(m[gk], &crdEntry{obj: o, typed: typed, key: keyOf(o)})
		}
		return m
	}).(map[groupKind][]*crdEntry)
}

// pick chooses, among the definitions of one CRD, one that serves
// version if any does, in the folder nearest to file (the first in path
// order on a tie), and says how many different definitions there are.
func pick(cands []*crdEntry, file, version string) (*crdEntry, int) {
	best, bestScore := cands[0], -1
	var texts []uint64
	for _, c := range cands {
		if !slices.Contains(texts, c.key.sameAsText) {
			texts = append(texts, c.key.sameAsText)
		}
		s := commonDirs(file, c.obj.Source.Path)
		if serves(c.typed, version) {
			s += 1 << 20 // a definition that serves the version comes first
		}
		if s > bestScore {
			best, bestScore = c, s
		}
	}
	return best, len(texts)
}

func serves(c *apiextv1.CustomResourceDefinition, version string) bool {
	for _, v := range c.Spec.Versions {
		if v.Name == version && v.Served {
			return true
		}
	}
	return false
}

// commonDirs counts the leading folders two files share.
func commonDirs(a, b string) int {
	da := strings.Split(filepath.ToSlash(filepath.Dir(filepath.Clean(a))), "/")
	db := strings.Split(filepath.ToSlash(filepath.Dir(filepath.Clean(b))), "/")
	n := 0
	for n < len(da) && n < len(db) && da[n] == db[n] {
		n++
	}
	return n
}

func checkCustomResource(pass *rule.Pass, o *manifest.Object) {
	if !o.Unchecked() {
		return
	}
	gvk := o.GVK()
	var (
		typed       *apiextv1.CustomResourceDefinition
		def         *crd.Definition
		name, where string // the CRD's name, and where it is
		note        string // appended to every finding
		stored      bool   // a v1beta1 CRD (crd.NewStored)
	)
	if cands := crdRegistry(pass.Index)[groupKind{gvk.Group, gvk.Kind}]; len(cands) > 0 {
		c, defs := pick(cands, o.Source.Path, gvk.Version)
		typed, name, where = c.typed, c.obj.Name, fmt.Sprintf("%s:%d", c.obj.Source.Path, c.obj.Pos().Line)
		if defs > 1 {
			note = fmt.Sprintf(" (checked against the CRD at %s, the nearest of %d different definitions of %s that serve %s)", where, defs, c.obj.Name, gvk.Version)
		}
		stored = c.obj.APIVersion != "apiextensions.k8s.io/v1"
		def = definition(pass.Index, c.key, c.typed, stored)
	} else {
		e := catalogSchema(pass, o.APIVersion, gvk.Kind)
		if e == nil {
			return
		}
		if e.err != nil {
			pass.Report(rule.Diagnostic{Rule: CRNotValidated.ID, Severity: CRNotValidated.Severity, Path: kindPath,
				Message: fmt.Sprintf("not validated: its schema could not be read: %v", e.err),
				Help:    "fix the schema file, or give the CRD with --crds"})
			return
		}
		typed, def, name, where = e.typed, e.def, "in "+e.path, e.path
		note = " (checked against the schema " + e.path + ")"
		if def.Invalid() {
			pass.Report(rule.Diagnostic{Rule: CRNotValidated.ID, Severity: CRNotValidated.Severity, Path: kindPath,
				Message: fmt.Sprintf("not validated: its schema %s is not one the API server accepts in a CRD: %v", e.path, shortValue(def.Errors[0])),
				Help:    "regenerate the schema file from the CRD (kubeconform's openapi2jsonschema), or give the CRD with --crds"})
			return
		}
	}
	if def.Invalid() {
		msg := fmt.Sprintf("not validated: its CRD %s (%s) is invalid%s", name, where, note)
		if stored {
			// crd-invalid does not judge v1beta1 CRDs: say why here.
			msg = fmt.Sprintf("not validated: its apiextensions.k8s.io/v1beta1 CRD %s (%s) is invalid even as a CRD stored before Kubernetes 1.22: %v%s", name, where, shortValue(def.Errors[0]), note)
		}
		help := "fix the CRD's crd-invalid errors"
		if stored {
			help = "fix the CRD, and move it to apiextensions.k8s.io/v1 (see deprecated-api)"
		}
		pass.Report(rule.Diagnostic{Rule: CRNotValidated.ID, Severity: CRNotValidated.Severity, Path: kindPath, Message: msg, Help: help})
		return
	}
	pass.Checked()
	v := def.Version(typed, gvk.Version)
	if !v.Exists || !v.Served {
		var served []string
		for _, ver := range typed.Spec.Versions {
			if ver.Served {
				served = append(served, ver.Name)
			}
		}
		msg := fmt.Sprintf("version %s of %s is not in its CRD %s", gvk.Version, gvk.Kind, name)
		if v.Exists {
			msg = fmt.Sprintf("version %s of %s is not served by its CRD %s (served: false): the API server answers \"no matches for kind\"", gvk.Version, gvk.Kind, name)
		}
		help := "the CRD serves no version; serve one in the CRD"
		if len(served) > 0 {
			help = "use a served version: apiVersion: " + gvk.Group + "/" + strings.Join(served, " or "+gvk.Group+"/")
		}
		pass.Report(rule.Diagnostic{Rule: CRVersion.ID, Severity: CRVersion.Severity, Path: apiVersionPath, Message: msg + note, Help: help})
		return
	}
	if v.Err() != nil {
		pass.Report(rule.Diagnostic{Rule: CRSchema.ID, Severity: CRSchema.Severity, Path: kindPath,
			Message: fmt.Sprintf("kvet could not compile the schema of %s %s in %s: %v", gvk.Kind, gvk.Version, where, v.Err()),
			Help:    "please report it to kvet with the CRD"})
		return
	}
	res := v.Validate(o.Raw())
	for _, u := range res.Unknown {
		path, err := manifest.ParsePath(u)
		if err != nil || len(path) == 0 {
			continue
		}
		name := path[len(path)-1].Key
		msg := fmt.Sprintf("unknown field %q", u)
		help := "remove it; the CRD's schema has no such field"
		if s := manifest.Suggest(name, v.FieldNames(schemaSegments(path[:len(path)-1]))); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
			help = "rename " + name + " to " + s
		}
		pass.Report(rule.Diagnostic{Rule: CRUnknownField.ID, Severity: CRUnknownField.Severity, Path: path, AtKey: true, Message: msg + note, Help: help})
	}
	reportErrors(pass, o, res.Errors, CRSchema, note)
	reportErrors(pass, o, res.Rules, CRCEL, note)
	if res.RulesSkipped {
		pass.Report(rule.Diagnostic{Rule: CRCEL.ID, Severity: rule.Info, Path: kindPath,
			Message: "the CRD's x-kubernetes-validations rules were not run because of the object's other errors, as the API server does" + note,
			Help:    "fix the other errors; the rules then run"})
	}
}

// catalogEntry is the schema of one apiVersion and kind found through
// --schema-location, as a CRD, validated.
type catalogEntry struct {
	path  string
	typed *apiextv1.CustomResourceDefinition
	def   *crd.Definition
	err   error
}

type catalogKey struct{ apiVersion, kind string }

type catalogOfKey struct{}

// catalogSchema looks the schema of kind up in the run's schema
// locations, once per run per apiVersion and kind; nil when none has it.
func catalogSchema(pass *rule.Pass, apiVersion, kind string) *catalogEntry {
	if pass.Settings == nil || len(pass.Settings.SchemaLocations) == 0 {
		return nil
	}
	e, _ := pass.Index.Memo(catalogKey{apiVersion, kind}, func() any {
		cat := pass.Index.Memo(catalogOfKey{}, func() any {
			c, err := crd.NewCatalog(pass.Settings.SchemaLocations) // checked by the command line
			if err != nil {
				return (*crd.Catalog)(nil)
			}
			if pass.Settings.SchemaKubeVersion != "" {
				c.KubeVersion = pass.Settings.SchemaKubeVersion
			}
			c.CacheDir = pass.Settings.SchemaCacheDir
			return c
		}).(*crd.Catalog)
		path, typed, err := cat.Lookup(kind, apiVersion)
		if path == "" && err == nil {
			return (*catalogEntry)(nil)
		}
		e := &catalogEntry{path: path, typed: typed, err: err}
		if typed != nil {
			e.def = crd.New(typed)
		}
		return e
	}).(*catalogEntry)
	return e
}

// schemaSegments turns a field path into FieldNames' segments.
func schemaSegments(p manifest.Path) []string {
	out := make([]string, 0, len(p))
	for _, s := range p {
		if s.Key == "" && s.Index >= 0 {
			out = append(out, "[]")
		} else {
			out = append(out, s.Key)
		}
	}
	return out
}

// shortValue leaves out of the message a bad value too long to read (a
// whole list of versions, printed as Go structs).
func shortValue(e *field.Error) *field.Error {
	switch e.BadValue.(type) {
	case nil, string, bool, int, int32, int64, float64:
		return e
	}
	v := reflect.ValueOf(e.BadValue)
	isStruct := v.Kind() == reflect.Struct || v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct
	if !isStruct && len(fmt.Sprint(e.BadValue)) <= 80 {
		return e
	}
	c := *e
	c.BadValue = field.OmitValueType{}
	return &c
}

func reportErrors(pass *rule.Pass, o *manifest.Object, errs field.ErrorList, r *rule.Rule, note string) {
	for _, e := range errs {
		e = shortValue(e)
		path, _ := manifest.ParsePath(e.Field) // nil when it does not parse: the object's line
		if e.Field == "<nil>" || e.Field == "" {
			// kube-openapi's oneOf/anyOf errors name their field only in
			// the detail: "spec.source" must validate one and only one ...
			if q, err := strconv.QuotedPrefix(e.Detail); err == nil {
				if f, _ := strconv.Unquote(q); f != "" {
					if p, err := manifest.ParsePath(f); err == nil {
						path = p
						c := *e
						c.Field, c.BadValue, c.Detail = f, field.OmitValueType{}, strings.TrimSpace(strings.TrimPrefix(e.Detail, q))
						e = &c
					}
				}
			}
		}
		p, atKey := entryOf(o, path, e.BadValue)
		help := schemaHelp(e)
		if atKey {
			help = "rename the key; the API server rejects it"
		}
		if r == CRCEL {
			help = "change the value so that the CRD's rule holds"
			if strings.Contains(e.Detail, "cost limit exceeded") || strings.Contains(e.Detail, "out of cost budget") {
				help = "the rule ran over the API server's CEL cost limits on this object's data (1,000,000 per call, 10,000,000 per object); make the lists or strings it loops over shorter, or simplify the rule in the CRD"
			}
		}
		pass.Report(rule.Diagnostic{Rule: r.ID, Severity: r.Severity, Path: p, AtKey: atKey, Message: e.Error() + note, Help: help})
	}
}
