package rules

import (
	"fmt"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// DeprecatedAPI reports apiVersions the target Kubernetes no longer serves
// (error) or has deprecated (warning).
var DeprecatedAPI = &rule.Rule{
	ID:       "deprecated-api",
	Severity: rule.Error,
	Check:    checkDeprecatedAPI,
	Doc: `The apiVersion is removed (error) or deprecated (warning) in the target Kubernetes version.

## What it does
Looks up every object's apiVersion and kind in the Kubernetes deprecation guide's
table (package kubeversion, checked against Kubernetes 1.37) and compares it with
` + "`--kube-version`" + `. The message names the replacement apiVersion and what else
changes when migrating.

## Why is this bad?
A removed apiVersion is not served at all: ` + "`kubectl apply`" + ` fails with
"no matches for kind". Manifests copied from older books and blog posts are
full of them (batch/v1beta1 CronJob, extensions/v1beta1 Deployment and Ingress).

## Example
` + "```yaml" + `
apiVersion: batch/v1beta1   # removed in Kubernetes 1.25
kind: CronJob
` + "```" + `

## Use instead
` + "```yaml" + `
apiVersion: batch/v1
kind: CronJob
` + "```",
}

var apiVersionPath = manifest.Path{}.Field("apiVersion")

func checkDeprecatedAPI(pass *rule.Pass, o *manifest.Object) {
	api, ok := kubeversion.LookupAPI(o.APIVersion, o.Kind)
	if !ok {
		return
	}
	targets := pass.Settings.Targets()
	var removed, deprecated []kubeversion.Version
	for _, t := range targets {
		switch api.Status(t) {
		case kubeversion.Removed:
			removed = append(removed, t)
		case kubeversion.Deprecated:
			deprecated = append(deprecated, t)
		}
	}
	help := "use " + api.Replacement
	if api.Replacement == "" {
		help = "there is no replacement API"
	}
	if api.Notes != "" {
		help += "; " + api.Notes
	}
	// One finding whatever the number of targets: the most severe, naming
	// the targets each status concerns.
	switch {
	case len(removed) > 0:
		also := ""
		if len(deprecated) > 0 {
			also = fmt.Sprintf("; deprecated, still served, in %s", targetsText(deprecated))
		}
		pass.Report(rule.Diagnostic{Path: apiVersionPath, Help: help, Fix: migrationFix(o, api),
			Message: fmt.Sprintf("%s %s is no longer served since Kubernetes %s (%s%s)%s",
				o.APIVersion, o.Kind, api.RemovedIn, targetsText(removed), also, replacement(api))})
	case len(deprecated) > 0:
		which := ""
		if len(targets) > 1 {
			which = " (" + targetsText(deprecated) + ")"
		}
		pass.Report(rule.Diagnostic{Path: apiVersionPath, Severity: rule.Warning, Help: help, Fix: migrationFix(o, api),
			Message: fmt.Sprintf("%s %s is deprecated since Kubernetes %s and removed in %s%s%s",
				o.APIVersion, o.Kind, api.DeprecatedIn, api.RemovedIn, which, replacement(api))})
	}
}

// targetsText names target versions: "target 1.29", "targets 1.31 and 1.33".
func targetsText(vs []kubeversion.Version) string {
	if len(vs) == 1 {
		return "target " + vs[0].String()
	}
	return "targets " + kubeversion.JoinVersions(vs)
}

func replacement(api kubeversion.API) string {
	if api.Replacement == "" {
		return ""
	}
	return "; use " + api.Replacement
}
