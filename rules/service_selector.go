package rules

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// ServiceSelector reports a Service whose selector selects no pods of the
// run's workloads.
var ServiceSelector = &rule.Rule{
	ID:        "service-selector",
	Severity:  rule.Warning,
	Kinds:     []string{"v1/Service"},
	Summaries: podSummaryList,
	TypedOnly: true,
	Check:     checkServiceSelector,
	Doc: `A Service's selector selects no pods of the linted workloads.

## What it does
Matches ` + "`spec.selector`" + ` against the pod template labels of every Deployment,
StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and Pod
of the Service's namespace in the Service's folder (every folder with
` + "`--require-references`" + `). Only when that folder has workloads in that
namespace (or ` + "`--require-references`" + ` says they are the whole application) is
"none" a finding: a repository that keeps Services in another folder than
their Deployments is not told about it. Nor is one where something else
may make the pods: the folder (the run, with ` + "`--require-references`" + `) has a
custom resource in the namespace (an operator's: CloudNativePG, Zalando,
Prometheus, Rook), a CustomResourceDefinition (an operator installed with
the files, which may label its own pods), or workloads written as
unrendered templates (` + "`{{ }}`" + `, ` + "`${ }`" + `). Labels that controllers add to the
pods they make match the pods of the workloads that get them: a Job's
` + "`job-name`" + `, a StatefulSet's ` + "`statefulset.kubernetes.io/pod-name`" + ` (` + "`web-0`" + ` up to its
replicas), ` + "`pod-template-hash`" + `. Services without a selector (ExternalName,
manually managed Endpoints), and selectors with template text, are skipped.

## Why is this bad?
A Service that selects no pods has no endpoints: connections to it are
refused or time out, and nothing reports it until traffic fails.

## Example
` + "```yaml" + `
kind: Service
metadata: {name: web}
spec:
  selector: {app: web-frontend}   # the pods are labelled app: web
---
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
` + "```",
}

// ServiceTargetPort reports a Service targetPort no selected container
// declares.
var ServiceTargetPort = &rule.Rule{
	ID:        "service-target-port",
	Severity:  rule.Warning,
	Kinds:     []string{"v1/Service"},
	Summaries: podSummaryList,
	TypedOnly: true,
	Check:     checkServiceTargetPort,
	Doc: `A Service's targetPort is not a port of the containers it selects.

## What it does
For a Service whose selector selects pods of the linted workloads, checks
each ` + "`spec.ports[].targetPort`" + ` that is a name: it must be the name of a container
port of the selected pods. A name that is not a valid port name
(` + "`PORT`" + `, a placeholder) is left to the API validation. Numbers are not judged: a process may listen on a
port its container does not declare (on ../shared/corpus every sampled
numeric mismatch was one).

## Why is this bad?
A named targetPort that no container names gives the Service no endpoint
port: the pods are selected but receive no traffic.

## Example
` + "```yaml" + `
kind: Service
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: metrics}]
---
kind: Deployment
spec:
  template:
    spec:
      containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]
` + "```" + `

## Use instead
` + "```yaml" + `
kind: Service
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
` + "```",
}

// selected returns the pods a Service selects, and whether its selector
// is judged at all (a selector that selects none of them is a finding).
func selected(pass *rule.Pass, svc *corev1.Service, o *manifest.Object) (got []rule.Labeled, p *pods, ns string, judged bool) {
	if len(svc.Spec.Selector) == 0 || svc.Spec.Type == corev1.ServiceTypeExternalName || !plainSelector(svc.Spec.Selector) {
		return nil, nil, "", false
	}
	p, ns = podsOf(pass, o)
	got = p.selectPods(ns, labels.SelectorFromSet(svc.Spec.Selector), svc.Spec.Selector)
	return got, p, ns, len(got) > 0 || p.judged(pass, o, ns)
}

func checkServiceSelector(pass *rule.Pass, o *manifest.Object) {
	svc, ok := o.Typed.(*corev1.Service)
	if !ok {
		return
	}
	got, p, ns, judged := selected(pass, svc, o)
	if !judged || len(got) > 0 {
		return
	}
	help := "make spec.selector a subset of the pod template labels of the workload this Service fronts"
	near, c := p.closest(ns, svc.Spec.Selector)
	if c != "" {
		help += " (" + c + ")"
	}
	pass.Report(rule.Diagnostic{Path: manifest.Path{}.Field("spec").Field("selector"), Help: help, Related: relatedTo(near),
		Message: fmt.Sprintf("Service %q selects no pods: no %s in namespace %q among the linted files has labels %s",
			o.Name, podKindNames, nsOf(o), selectorText(svc.Spec.Selector))})
}

func checkServiceTargetPort(pass *rule.Pass, o *manifest.Object) {
	svc, ok := o.Typed.(*corev1.Service)
	if !ok {
		return
	}
	got, _, _, _ := selected(pass, svc, o)
	if len(got) == 0 {
		return
	}
	for i, p := range svc.Spec.Ports {
		tp := p.TargetPort
		// A number is not judged: on ../shared/corpus every sampled
		// numeric targetPort missing from the container ports was a
		// port the process listens on without declaring it. A name that
		// is not a valid port name is the API validation's finding (or a
		// placeholder: PORT).
		if tp.Type != intstr.String || tp.StrVal == "" || len(validation.IsValidPortName(tp.StrVal)) > 0 {
			continue
		}
		var names []string
		found := false
		for _, g := range got {
			for _, cp := range g.Data.(*podSummary).ports {
				if cp.name == tp.StrVal {
					found = true
				}
				if cp.name != "" && !slices.Contains(names, cp.name) {
					names = append(names, cp.name)
				}
			}
		}
		if found {
			continue
		}
		path := manifest.Path{}.Field("spec").Field("ports").Item(i).Field("targetPort")
		first := named(got[0].Object)
		help := fmt.Sprintf("name a container port %q in %s's pod template", tp.StrVal, first)
		if len(names) > 0 {
			help += ", or set targetPort to one of: " + list(names)
		}
		pass.Report(rule.Diagnostic{Path: path, Help: help, Related: relatedTo(got[0].Object),
			Message: fmt.Sprintf("targetPort %q names no container port of the pods this Service selects (%s)", tp.StrVal, first)})
	}
}
