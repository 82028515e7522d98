package rules

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/validate/apiserver"
)

// APIValidation runs the API server's own defaulting and validation code
// (Kubernetes 1.37) on every built-in object and reports each field error
// under a rule of the api-* family, by error type, in Kubernetes' words.
var APIValidation = &rule.Rule{
	ID:       "api-validation",
	Severity: rule.Error,
	Restates: true, // its findings, under the api-* ids, give way to kvet's own rules
	Check:    checkAPIValidation,
	Doc: `Runs the Kubernetes API server's own validation on built-in objects.

## What it does
For every built-in kind the API server validates on create (Pod, Deployment,
ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, Service, ConfigMap, Secret,
PersistentVolumeClaim, ServiceAccount, PodDisruptionBudget,
HorizontalPodAutoscaler, Ingress, NetworkPolicy, RBAC, ...), kvet applies the
server's defaults and runs the server's validation code, compiled into kvet
from k8s.io/kubernetes 1.37. Each error is reported under a rule of the api-*
family (api-required, api-invalid, api-not-supported, ...) at the field's line,
with Kubernetes' own wording. Disable this rule to skip the whole family.

## Why is this bad?
Every error here is one that ` + "`kubectl apply`" + ` would get back from the API server,
found before the manifest reaches a cluster. Schema validators (kubeconform)
cannot see most of them: the OpenAPI schemas carry no enums for restartPolicy
or podManagementPolicy and no cross-field rules (a DaemonSet whose selector
misses its labels).

## Example
` + "```yaml" + `
kind: DaemonSet
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agnet}}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: DaemonSet
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
` + "```",
}

func apiDoc(summary, what, example, fix string) string {
	return summary + `

## What it does
` + what + ` Found by the API server's own validation (see api-validation);
the message is Kubernetes' own.

## Why is this bad?
The API server rejects the object: ` + "`kubectl apply`" + ` fails with this error.

## Example
` + "```yaml\n" + example + "\n```" + `

## Use instead
` + "```yaml\n" + fix + "\n```"
}

// The api-* family: one rule per kind of field error, documented and
// selectable on their own; APIValidation reports them.
var (
	APIRequired = &rule.Rule{ID: "api-required", Severity: rule.Error, Doc: apiDoc(
		"A field the API server requires is missing.",
		"Reports required fields that are absent or empty after defaulting.",
		"kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: web    # no image",
		"kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27")}
	APIInvalid = &rule.Rule{ID: "api-invalid", Severity: rule.Error, Doc: apiDoc(
		"A field's value is invalid for the API server.",
		"Reports values the API server's validation rejects: malformed names and labels, out-of-range numbers, selectors that do not match the template, and more.",
		"kind: Service\nspec:\n  ports:\n  - port: 70000",
		"kind: Service\nspec:\n  ports:\n  - port: 7000")}
	APINotSupported = &rule.Rule{ID: "api-not-supported", Severity: rule.Error, Doc: apiDoc(
		"A field has a value outside the set the API server supports.",
		"Reports enum fields (restartPolicy, podManagementPolicy, concurrencyPolicy, pathType, ...) set to an unsupported value.",
		"kind: StatefulSet\nspec:\n  podManagementPolicy: Sometimes",
		"kind: StatefulSet\nspec:\n  podManagementPolicy: Parallel   # or OrderedReady")}
	APIForbidden = &rule.Rule{ID: "api-forbidden", Severity: rule.Error, Doc: apiDoc(
		"A field is set where the API server forbids it.",
		"Reports fields that may not be set in this combination (both minAvailable and maxUnavailable on a PodDisruptionBudget, ...).",
		"kind: PodDisruptionBudget\nspec:\n  minAvailable: 1\n  maxUnavailable: 1",
		"kind: PodDisruptionBudget\nspec:\n  minAvailable: 1")}
	APIDuplicate = &rule.Rule{ID: "api-duplicate", Severity: rule.Error, Doc: apiDoc(
		"A list has the same entry twice where the API server wants unique ones.",
		"Reports duplicate container names, ports, volume names, environment entries the server rejects, and the like.",
		"containers:\n- name: app\n  image: a:1\n- name: app\n  image: b:1",
		"containers:\n- name: app\n  image: a:1\n- name: sidecar\n  image: b:1")}
	APINotFound = &rule.Rule{ID: "api-not-found", Severity: rule.Error, Doc: apiDoc(
		"A field refers to something that does not exist in the object.",
		"Reports references inside the object that point nowhere, such as a volumeMount naming no volume.",
		"containers:\n- name: app\n  image: a:1\n  volumeMounts: [{name: data, mountPath: /data}]\nvolumes: []",
		"containers:\n- name: app\n  image: a:1\n  volumeMounts: [{name: data, mountPath: /data}]\nvolumes: [{name: data, emptyDir: {}}]")}
	APITooLong = &rule.Rule{ID: "api-too-long", Severity: rule.Error, Doc: apiDoc(
		"A value or a list is longer than the API server allows.",
		"Reports names, annotations and lists over their limits.",
		"metadata:\n  name: a-name-that-goes-on-and-on-...-past-253-characters",
		"metadata:\n  name: a-shorter-name")}
	APIInternal = &rule.Rule{ID: "api-internal", Severity: rule.Warning, Doc: apiDoc(
		"kvet could not run the API server's validation on this object.",
		"Reports objects on which the embedded validation code failed (a bug in kvet or in the validation code).",
		"# any object",
		"# report it to kvet with the manifest")}
)

func apiRuleFor(t field.ErrorType) *rule.Rule {
	switch t {
	case field.ErrorTypeRequired:
		return APIRequired
	case field.ErrorTypeNotSupported:
		return APINotSupported
	case field.ErrorTypeForbidden:
		return APIForbidden
	case field.ErrorTypeDuplicate:
		return APIDuplicate
	case field.ErrorTypeNotFound:
		return APINotFound
	case field.ErrorTypeTooLong, field.ErrorTypeTooMany:
		return APITooLong
	case field.ErrorTypeInternal:
		return APIInternal
	}
	return APIInvalid
}

func apiHelp(e *field.Error) string {
	switch e.Type {
	case field.ErrorTypeRequired:
		return "set " + e.Field
	case field.ErrorTypeNotSupported:
		return "use one of the supported values"
	case field.ErrorTypeForbidden:
		return "remove " + e.Field + ", or change what forbids it"
	case field.ErrorTypeDuplicate:
		return "make the entry unique"
	case field.ErrorTypeNotFound:
		return "make " + e.Field + " refer to something defined in this object"
	case field.ErrorTypeTooLong, field.ErrorTypeTooMany:
		return "shorten it"
	case field.ErrorTypeInternal:
		return "kvet could not validate this object; please report it with the manifest"
	}
	return "fix the value; the API server rejects it"
}

func checkAPIValidation(pass *rule.Pass, o *manifest.Object) {
	if o.Typed == nil {
		return
	}
	errs, ok := apiserver.Validate(o.GVK(), o.Typed)
	if !ok {
		return
	}
	paths := make([]manifest.Path, len(errs))
	for i, e := range errs {
		paths[i], _ = manifest.ParsePath(e.Field) // nil when it does not parse: the object's line
	}
	errs, paths = rootCauses(o, errs, paths)
	for i, e := range errs {
		path, atKey := entryOf(o, paths[i], e.BadValue)
		r := apiRuleFor(e.Type)
		help := apiHelp(e)
		if atKey {
			help = "rename the key; the API server rejects it"
		}
		pass.Report(rule.Diagnostic{Path: path, AtKey: atKey, Message: celEcho(e.Error()), Help: help, Rule: r.ID, Severity: r.Severity})
	}
}

// celEcho drops from a CEL compilation error (a ValidatingAdmissionPolicy's
// expression) the lines that echo the expression with a caret under the
// error (" | object.spec.x <= 5 &&" and " | ....^"): the finding's snippet
// shows the expression already, and the error keeps its line:column in it.
// The remaining lines (one per CEL error) are joined with "; ".
func celEcho(msg string) string {
	if !strings.Contains(msg, "\n | ") {
		return msg
	}
	lines := strings.Split(msg, "\n")
	keep := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, " | ") {
			keep = append(keep, strings.TrimSpace(l))
		}
	}
	return strings.Join(keep, "; ")
}

// rootCauses folds the API server's errors that only follow from another
// error into it, so that one cause gives one finding:
//
//   - a workload without a valid spec.selector is also told that its
//     selector "does not match template labels": only the selector's error
//     is kept;
//   - a volume with an error is left out of the pod's volumes, so every
//     volumeMount and volumeDevice of it is "Not found": those are dropped
//     and the volume's first error says how many mounts fail with it.
//
// errs and paths (each error's parsed field path) are filtered together.
func rootCauses(o *manifest.Object, errs field.ErrorList, paths []manifest.Path) (field.ErrorList, []manifest.Path) {
	if len(errs) < 2 {
		return errs, paths
	}
	selectorPath := manifest.Path{}.Field("spec").Field("selector")
	templateLabels := manifest.Path{}.Field("spec").Field("template").Field("metadata").Field("labels")
	badSelector := false
	for _, p := range paths {
		if p.HasPrefix(selectorPath) {
			badSelector = true
		}
	}
	// Volumes with an error, by name, and the index of their first error.
	var volumes manifest.Path
	brokenVolume := map[string]int{}
	if ps, ok := PodSpecOf(o); ok {
		volumes = ps.Path.Field("volumes")
		for i, p := range paths {
			if len(p) > len(volumes) && p.HasPrefix(volumes) {
				if v := p[len(volumes)].Index; v >= 0 && v < len(ps.Spec.Volumes) {
					if _, seen := brokenVolume[ps.Spec.Volumes[v].Name]; !seen {
						brokenVolume[ps.Spec.Volumes[v].Name] = i
					}
				}
			}
		}
	}
	mounts := map[int]int{} // error index of a broken volume -> mounts dropped
	volumeOf := map[int]string{}
	keep := make([]bool, len(errs))
	for i, e := range errs {
		keep[i] = true
		switch {
		case badSelector && paths[i].Equal(templateLabels) && strings.Contains(e.Detail, "`selector` does not match template `labels`"):
			keep[i] = false
		case e.Type == field.ErrorTypeNotFound && len(brokenVolume) > 0 && isMountName(paths[i], volumes):
			name, _ := e.BadValue.(string)
			if root, ok := brokenVolume[name]; ok {
				keep[i] = false
				mounts[root]++
				volumeOf[root] = name
			}
		}
	}
	outErrs, outPaths := errs[:0:0], paths[:0:0]
	for i, e := range errs {
		if !keep[i] {
			continue
		}
		if n := mounts[i]; n > 0 {
			c := *e
			c.Detail = strings.TrimSpace(c.Detail + fmt.Sprintf(" (the API server then also reports %s of volume %q as not found)", mountsText(n), volumeOf[i]))
			e = &c
		}
		outErrs, outPaths = append(outErrs, e), append(outPaths, paths[i])
	}
	return outErrs, outPaths
}

// isMountName reports whether p is containers[i].volumeMounts[j].name (or
// an init or ephemeral container's, or a volumeDevice's) in the pod spec
// whose volumes list is at volumes.
func isMountName(p, volumes manifest.Path) bool {
	spec := volumes[:len(volumes)-1]
	if len(p) != len(spec)+5 || !p.HasPrefix(spec) {
		return false
	}
	rest := p[len(spec):]
	switch rest[0].Key {
	case "containers", "initContainers", "ephemeralContainers":
	default:
		return false
	}
	return (rest[2].Key == "volumeMounts" || rest[2].Key == "volumeDevices") && rest[4].Key == "name"
}

func mountsText(n int) string {
	if n == 1 {
		return "the mount"
	}
	return fmt.Sprintf("the %d mounts", n)
}

// entryOf narrows an error about a whole mapping of strings (labels,
// annotations, a selector's matchLabels, a ConfigMap's data) to the entry
// it is about: the API server reports an invalid label key or value at
// metadata.labels with the key or value as the bad value. When exactly one
// key, or else exactly one value, equals the bad value, the finding points
// at that key (atKey) or value; otherwise at the mapping.
func entryOf(o *manifest.Object, path manifest.Path, bad any) (manifest.Path, bool) {
	s, ok := bad.(string)
	if !ok || s == "" {
		return path, false
	}
	loc := o.Locate(path)
	if !loc.Exact || loc.Node == nil || loc.Node.Kind != yaml.MappingNode {
		return path, false
	}
	var byKey, byValue string
	keys, values := 0, 0
	for i := 0; i+1 < len(loc.Node.Content); i += 2 {
		k, v := loc.Node.Content[i], loc.Node.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if k.Value == s {
			byKey, keys = k.Value, keys+1
		}
		if v.Kind == yaml.ScalarNode && v.Value == s {
			byValue, values = k.Value, values+1
		}
	}
	switch {
	case keys == 1:
		return path.Field(byKey), true
	case keys == 0 && values == 1:
		return path.Field(byValue), false
	}
	return path, false
}
