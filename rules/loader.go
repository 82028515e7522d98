package rules

import (
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Checks made while loading. They have no Check function (the loader
// reports them), but they are rules: documented, selectable, ignorable.
var (
	YAMLSyntax = &rule.Rule{ID: manifest.CodeSyntax, Severity: rule.Error, Doc: `The document is not valid YAML (or JSON).

## What it does
Reports a document the YAML parser cannot read, at the line where parsing failed.
The other documents of the file are still checked.

## Why is this bad?
kubectl cannot apply a file with a syntax error at all.

## Example
` + "```yaml" + `
spec:
  containers: [ {name: app, image: nginx:1.27}
` + "```" + `

## Use instead
` + "```yaml" + `
spec:
  containers: [ {name: app, image: nginx:1.27} ]
` + "```"}

	DuplicateKey = &rule.Rule{ID: manifest.CodeDuplicateKey, Severity: rule.Error, Doc: `A mapping has the same key twice.

## What it does
Reports the second occurrence of a key in the same mapping.

## Why is this bad?
kubectl rejects the manifest; other tools silently keep only one of the values,
so what is applied is not what the file seems to say.

## Example
` + "```yaml" + `
resources:
  requests: {cpu: 100m}
  requests: {memory: 128Mi}
` + "```" + `

## Use instead
` + "```yaml" + `
resources:
  requests: {cpu: 100m, memory: 128Mi}
` + "```"}

	UnknownField = &rule.Rule{ID: manifest.CodeUnknownField, Severity: rule.Error, Doc: `A built-in object has a field its schema does not know (often a typo).

## What it does
Decodes built-in kinds strictly, as ` + "`kubectl apply --validate=strict`" + ` does, and reports
fields that do not exist, suggesting the closest valid name.

## Why is this bad?
The API server rejects it (strict field validation), or, with lax validation,
drops the field: a misspelt ` + "`completions`" + ` silently runs one pod instead of three.

## Example
` + "```yaml" + `
kind: Job
spec:
  completion: 3
` + "```" + `

## Use instead
` + "```yaml" + `
kind: Job
spec:
  completions: 3
` + "```"}

	InvalidType = &rule.Rule{ID: manifest.CodeInvalidType, Severity: rule.Error, Doc: `A field's value has the wrong type (a string where a number belongs, ...).

## What it does
Checks each field of a built-in kind against its Go type in k8s.io/api: strings,
integers, booleans, lists, mappings, quantities (500m, 1Gi) and base64 data.

## Why is this bad?
kubectl fails to decode the object (` + "`cannot unmarshal string into Go struct field`" + `).
A classic: an environment variable value written as ` + "`true`" + ` or ` + "`8080`" + ` instead of a string.

## Example
` + "```yaml" + `
spec:
  parallelism: "three"
  template:
    spec:
      containers:
      - env:
        - {name: DEBUG, value: true}
` + "```" + `

## Use instead
` + "```yaml" + `
spec:
  parallelism: 3
  template:
    spec:
      containers:
      - env:
        - {name: DEBUG, value: "true"}
` + "```"}

	InvalidObject = &rule.Rule{ID: manifest.CodeInvalidObject, Severity: rule.Error, Doc: `A document is not a Kubernetes object (no apiVersion or kind, or not a mapping).

## What it does
Reports documents that are lists or scalars, and mappings without apiVersion or kind.

## Why is this bad?
kubectl cannot apply them; often they are a template fragment or a misplaced file.

## Example
` + "```yaml" + `
metadata:
  name: web
spec: {}
` + "```" + `

## Use instead
` + "```yaml" + `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec: {}
` + "```"}

	InputLimit = &rule.Rule{ID: manifest.CodeLimit, Severity: rule.Error, Doc: `A document exceeds kvet's safety limits (alias bombs, absurd nesting).

## What it does
Stops reading a document that expands to more than --max-nodes YAML nodes (aliases
expanded) or nests deeper than --max-depth, and reports it.

## Why is this bad?
Such documents ("billion laughs") are written to exhaust the memory of the tools
that read them, the API server included.

## Example
` + "```yaml" + `
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
` + "```" + `

## Use instead
Write the data out, or raise the limits when a real manifest is that large.`}

	RenderError = &rule.Rule{ID: manifest.CodeRender, Severity: rule.Error, Doc: `A Helm chart that cannot be rendered.

## What it does
Reports, at the file and line Helm's error names, why a chart kvet renders
(a folder with Chart.yaml) gives no manifests: a template's ` + "`required`" + ` or
` + "`fail`" + `, a nil pointer, bad template syntax, values that break
values.schema.json, a dependency declared in Chart.yaml but not in charts/.
The run's other inputs are still linted.

## Why is this bad?
helm install and helm template fail the same way: nothing is deployed.

## Example
` + "```yaml" + `
# templates/deployment.yaml
image: {{ required "image.repository is required" .Values.image.repository }}
` + "```" + `

## Use instead
Give the value (in values.yaml, -f FILE or --set image.repository=nginx), fix the
template, or vendor the dependency with helm dependency build.`}
)
