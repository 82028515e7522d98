package rules

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// ServiceSelector reports a Service whose selector selects no pods of the
// run's workloads.
var ServiceSelector = &rule.Rule{
	ID:       "service-selector",
	Severity: rule.Warning,
	Off:      true,
	Kinds:    []string{"v1/Service"},
	Uses:     podKinds,
	Slim:     slimPods,
	Check:    checkServiceSelector,
	Doc: `A Service's selector selects no pods of the linted workloads.

## What it does
Matches ` + "`spec.selector`" + ` against the pod template labels of every Deployment,
StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and Pod
of the Service's namespace in the Service's folder (every folder with
` + "`--require-references`" + `). Only when that folder has workloads in that
namespace (or ` + "`--require-references`" + ` says they are the whole application) is
"none" a finding: a repository that keeps Services in another folder than
their Deployments is not told about it. Services without a selector
(ExternalName, manually managed Endpoints) are skipped. Off unless enabled: on ../shared/corpus most selectors that selected
nothing selected pods an operator creates from a custom resource (CloudNativePG,
Zalando, ECK, Longhorn, Rook) or by labels a controller adds.

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
	ID:       "service-target-port",
	Severity: rule.Warning,
	Off:      true,
	Kinds:    []string{"v1/Service"},
	Uses:     podKinds,
	Slim:     slimPods,
	Check:    checkServiceTargetPort,
	Doc: `A Service's targetPort is not a port of the containers it selects.

## What it does
For a Service whose selector selects pods of the linted workloads, checks
each ` + "`spec.ports[].targetPort`" + ` that is a name: it must be the name of a container
port of the selected pods. Off unless enabled for now: it keeps every workload of the run until
the end, which took the 100,000-document default run from 250 to 516 MB and
its CPU threefold (the heap limit's collector); a compact per-workload summary
would bring it back. Numbers are not judged: a process may listen on a
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
// is judged at all.
func selected(pass *rule.Pass, svc *corev1.Service, o *manifest.Object) ([]rule.Labeled, bool) {
	if len(svc.Spec.Selector) == 0 || svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil, false
	}
	li, ns := podIndex(pass, o)
	return li.Select(ns, labels.SelectorFromSet(svc.Spec.Selector), svc.Spec.Selector), true
}

func checkServiceSelector(pass *rule.Pass, o *manifest.Object) {
	svc, ok := o.Typed.(*corev1.Service)
	if !ok {
		return
	}
	got, judged := selected(pass, svc, o)
	if !judged || len(got) > 0 {
		return
	}
	li, ns := podIndex(pass, o)
	if !pass.Settings.Complete && !li.Any(ns) {
		return
	}
	help := "make spec.selector a subset of the pod template labels of the workload this Service fronts"
	if c := closest(li, ns, svc.Spec.Selector); c != "" {
		help += " (" + c + ")"
	}
	reportRef(pass, manifest.Path{}.Field("spec").Field("selector"), closestObject(li, ns, svc.Spec.Selector), help,
		"Service %q selects no pods: no %s in namespace %q among the linted files has labels %s",
		o.Name, podKindNames, nsOf(o), selectorText(svc.Spec.Selector))
}

func checkServiceTargetPort(pass *rule.Pass, o *manifest.Object) {
	svc, ok := o.Typed.(*corev1.Service)
	if !ok {
		return
	}
	got, _ := selected(pass, svc, o)
	if len(got) == 0 {
		return
	}
	for i, p := range svc.Spec.Ports {
		tp := p.TargetPort
		if tp.Type == intstr.String && tp.StrVal == "" || tp.Type == intstr.Int && tp.IntVal == 0 {
			continue // unset: the port itself
		}
		var names []string
		var nums []string
		found, declared := false, true
		for _, g := range got {
			cs := containersOf(g.Object)
			has := false
			for _, c := range cs {
				for _, cp := range c.Ports {
					has = true
					if tp.Type == intstr.String && cp.Name == tp.StrVal || tp.Type == intstr.Int && cp.ContainerPort == tp.IntVal {
						found = true
					}
					if cp.Name != "" && !slices.Contains(names, cp.Name) {
						names = append(names, cp.Name)
					}
					nums = append(nums, fmt.Sprint(cp.ContainerPort))
				}
			}
			if !has {
				declared = false
			}
		}
		if found {
			continue
		}
		path := manifest.Path{}.Field("spec").Field("ports").Item(i).Field("targetPort")
		first := named(got[0].Object)
		if tp.Type == intstr.String {
			help := fmt.Sprintf("name a container port %q in %s's pod template", tp.StrVal, first)
			if len(names) > 0 {
				help += ", or set targetPort to one of: " + list(names)
			}
			reportRef(pass, path, got[0].Object, help,
				"targetPort %q names no container port of the pods this Service selects (%s)", tp.StrVal, first)
			continue
		}
		// A number is not judged: on ../shared/corpus every sampled
		// numeric targetPort missing from the container ports was a
		// port the process listens on without declaring it.
		_, _ = declared, nums
	}
}
