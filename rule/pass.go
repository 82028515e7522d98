package rule

import (
	"fmt"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
)

// Pass is what a rule's Check gets for one object: the shared read-only
// index of all loaded objects, the run's settings and a way to report.
type Pass struct {
	Rule   *Rule
	Object *manifest.Object
	Index  *Index
	// Settings are the run's options rules may consult.
	Settings *Settings
	// File is set for a rule with InFile while the objects are read (the
	// run not Complete): the object's file so far. Nil otherwise.
	File    *FileScope
	report  func(Diagnostic)
	checked bool
}

// Settings are run-wide options that rules read.
type Settings struct {
	// KubeVersion is the target Kubernetes version: the oldest of
	// KubeVersions when there are several.
	KubeVersion kubeversion.Version
	// KubeVersions are the target versions, oldest first, when kvet
	// checks against several at once (--kube-version 1.29,1.31); empty
	// means KubeVersion alone. Rules read Targets.
	KubeVersions []kubeversion.Version
	// MissingServiceIsError makes statefulset-headless-service report a
	// serviceName that names no linted Service as an error.
	MissingServiceIsError bool
	// Complete says the run is the whole application
	// (--require-references): duplicate-object then compares objects
	// across files too, not only within one file.
	Complete bool
	// PodSecurity is the Pod Security level (LEVEL[:VERSION]) that
	// pod-security enforces in namespaces whose labels set none; "" for
	// none (--pod-security).
	PodSecurity string
	// PodSecuritySource says where PodSecurity came from, for messages
	// ("--pod-security" when empty).
	PodSecuritySource string
	// SchemaLocations are kubeconform-style templates of JSON schema
	// files for custom resources that no CRD of the run defines
	// (--schema-location), tried in order; local paths or http(s) URLs.
	SchemaLocations []string
	// SchemaCacheDir keeps the schemas fetched over http(s) between runs
	// ("" for no cache).
	SchemaCacheDir string
	// SchemaKubeVersion fills their {{.NormalizedKubernetesVersion}}:
	// "master" unless a target version was given, then "v1.31.0".
	SchemaKubeVersion string
}

// Targets returns the target Kubernetes versions, oldest first: the
// versions that depend on the target (removed APIs, new fields) are
// checked against each, and one cause is reported once, naming the
// targets it concerns.
func (s *Settings) Targets() []kubeversion.Version {
	if len(s.KubeVersions) > 0 {
		return s.KubeVersions
	}
	return []kubeversion.Version{s.KubeVersion}
}

// Diagnostic is what a rule reports: a message about a field path of the
// object being checked.
type Diagnostic struct {
	// Path is the field path the finding is about
	// (spec.template.spec.restartPolicy). When the field is absent, the
	// finding points at its nearest parent.
	Path    manifest.Path
	Message string
	Help    string
	// Severity overrides the rule's default when non-zero.
	Severity Severity
	// Rule reports under another rule id of the same family (the API
	// server validation reports api-required, api-invalid, ...); empty
	// means the reporting rule's own id.
	Rule string
	// AtKey points the finding at the last mapping key of Path rather
	// than at its value (a label whose key is invalid).
	AtKey bool
	// Fix, when set, resolves the finding (kvet fix, the editor's code
	// actions, SARIF fixes); built with manifest.Object's edit helpers.
	Fix *manifest.Fix
	// Related are other objects' places the finding concerns.
	Related []Related

	// of and at, set by ReportAt, are the object and place the finding
	// is about, instead of Pass.Object and Path.
	of *manifest.Ident
	at *manifest.Mark
}

// Marked returns the object and place ReportAt gave d, or nils.
func (d *Diagnostic) Marked() (*manifest.Ident, *manifest.Mark) { return d.of, d.at }

// NewPass is used by the engine (and tests) to build a pass.
func NewPass(r *Rule, o *manifest.Object, ix *Index, s *Settings, report func(Diagnostic)) *Pass {
	return &Pass{Rule: r, Object: o, Index: ix, Settings: s, report: report}
}

// Checked tells the engine that the rule checked the object's fields
// against a schema (a custom resource against its CRD), so the object
// is not counted among those kvet has no schema for.
func (p *Pass) Checked() { p.checked = true }

// TakeChecked reports whether Checked was called since the last
// TakeChecked, for the engine, which reuses a Pass for many objects.
func (p *Pass) TakeChecked() bool {
	c := p.checked
	p.checked = false
	return c
}

// Report reports a diagnostic.
func (p *Pass) Report(d Diagnostic) { p.report(d) }

// ReportAt reports d about the object of, at the place at, which a
// summary made while that object was read holds: for a rule with
// Rule.Deferred, which does not keep the objects it checks. d.Path and
// d.AtKey are not used (the mark has its path).
func (p *Pass) ReportAt(of manifest.Ident, at manifest.Mark, d Diagnostic) {
	d.of, d.at = &of, &at
	p.report(d)
}

// Reportf reports a message at path with the rule's default severity.
func (p *Pass) Reportf(path manifest.Path, help, format string, args ...any) {
	p.report(Diagnostic{Path: path, Message: fmt.Sprintf(format, args...), Help: help})
}
