package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// InvalidKind reports a kind that its built-in apiVersion does not have,
// often a typo, with the closest kind of that apiVersion.
var InvalidKind = &rule.Rule{
	ID:       "invalid-kind",
	Severity: rule.Error,
	Check:    checkInvalidKind,
	Doc: `The kind is not a kind of its built-in apiVersion (often a typo: Deploymnet).

## What it does
For an object whose apiVersion is a built-in group/version (v1, apps/v1,
batch/v1, networking.k8s.io/v1, ...) but whose kind is not one of its kinds,
reports the kind, with the closest kind of that apiVersion. Kinds that a
Kubernetes release removed (PodSecurityPolicy) are left to deprecated-api;
custom resources (any other apiVersion) are not concerned.

## Why is this bad?
The API server answers "no matches for kind" and ` + "`kubectl apply`" + ` fails; and
no other check of kvet can run on an object whose kind it does not know.

## Example
` + "```yaml" + `
apiVersion: apps/v1
kind: Deploymnet
` + "```" + `

## Use instead
` + "```yaml" + `
apiVersion: apps/v1
kind: Deployment
` + "```",
}

var kindPath = manifest.Path{}.Field("kind")

func checkInvalidKind(pass *rule.Pass, o *manifest.Object) {
	gvk := o.GVK()
	if o.Typed != nil || manifest.Scheme.Recognizes(gvk) || !manifest.Scheme.IsVersionRegistered(gvk.GroupVersion()) {
		return
	}
	if _, removed := kubeversion.LookupAPI(o.APIVersion, o.Kind); removed {
		return // deprecated-api says it is no longer served
	}
	msg := fmt.Sprintf("kind %q is not a kind of %s", o.Kind, o.APIVersion)
	help := "correct the kind; kubectl api-resources lists the kinds of each apiVersion"
	if s := manifest.Suggest(o.Kind, builtinKinds()[gvk.GroupVersion()]); s != "" {
		msg += "; did you mean " + s + "?"
		help = "write kind: " + s
	}
	pass.Reportf(kindPath, help, "%s", msg)
}

// builtinKinds lists, per built-in group/version, the kinds of objects a
// manifest can hold: the Scheme's kinds without lists and the request
// types every group registers (ListOptions, WatchEvent, ...).
var builtinKinds = sync.OnceValue(func() map[schema.GroupVersion][]string {
	m := make(map[schema.GroupVersion][]string)
	for gvk := range manifest.Scheme.AllKnownTypes() {
		k := gvk.Kind
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(k, "List") ||
			strings.HasSuffix(k, "Options") || k == "WatchEvent" || k == "Status" {
			continue
		}
		m[gvk.GroupVersion()] = append(m[gvk.GroupVersion()], k)
	}
	for _, ks := range m {
		slices.Sort(ks) // Suggest keeps the first of equally close kinds
	}
	return m
})
