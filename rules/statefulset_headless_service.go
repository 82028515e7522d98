package rules

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// StatefulSetHeadlessService checks that serviceName names a headless
// Service that selects the StatefulSet's pods.
var StatefulSetHeadlessService = &rule.Rule{
	ID:        "statefulset-headless-service",
	Severity:  rule.Error,
	Kinds:     []string{"apps/v1/StatefulSet"},
	Uses:      []string{"v1/Service"},
	TypedOnly: true,
	Check:     checkStatefulSetHeadlessService,
	Doc: `A StatefulSet's serviceName must name a headless Service (clusterIP: None) that selects its pods.

## What it does
Looks up the Service named by ` + "`spec.serviceName`" + ` among the linted objects in the
same namespace. It must be headless (` + "`clusterIP: None`" + `, error if not) and its
selector must match the pod template's labels (error). A Service that is not
among the linted files is a warning (it may live in another chart or repository;
` + "`--require-statefulset-service`" + ` makes it an error). A missing ` + "`serviceName`" + ` is a warning.

## Why is this bad?
The headless Service gives each pod its stable DNS name
(` + "`web-0.web.default.svc`" + `): that identity is why one uses a StatefulSet. With a
normal Service, requests are spread over random pods; with a selector that
misses the pods, the names resolve to nothing.

## Example
` + "```yaml" + `
kind: StatefulSet
spec:
  serviceName: db
  template:
    metadata:
      labels: {app: db}
---
kind: Service
metadata: {name: db}
spec:
  selector: {app: database}   # does not select the pods
  ports: [{port: 5432}]       # and not headless
` + "```" + `

## Use instead
` + "```yaml" + `
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
` + "```",
}

func checkStatefulSetHeadlessService(pass *rule.Pass, o *manifest.Object) {
	ss, ok := o.Typed.(*appsv1.StatefulSet)
	if !ok {
		return
	}
	path := manifest.Path{}.Field("spec").Field("serviceName")
	name := ss.Spec.ServiceName
	if name == "" {
		pass.Report(rule.Diagnostic{Path: path, Severity: rule.Warning,
			Message: "StatefulSet has no spec.serviceName: its pods get no stable network identity",
			Help:    "create a headless Service (clusterIP: None) selecting the pods and name it in spec.serviceName"})
		return
	}
	found := pass.Index.Get("", "Service", o.Namespace, name)
	if len(found) == 0 {
		sev := rule.Warning
		if pass.Settings.MissingServiceIsError {
			sev = rule.Error
		}
		pass.Report(rule.Diagnostic{Path: path, Severity: sev,
			Message: fmt.Sprintf("serviceName %q names no Service among the linted files (namespace %s)", name, rule.EffectiveNamespace(o)),
			Help:    "add a headless Service (clusterIP: None) named " + name + " that selects the pods, or lint it together with this StatefulSet"})
		return
	}
	svcObj := found[0]
	svc, ok := svcObj.Typed.(*corev1.Service)
	if !ok {
		return
	}
	where := fmt.Sprintf("%s:%d", svcObj.Source.Path, svcObj.Pos().Line)
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		ip := svc.Spec.ClusterIP
		if ip == "" {
			ip = "unset, so the Service gets a virtual IP"
		}
		pass.Report(rule.Diagnostic{Path: path, Help: "set spec.clusterIP: None in Service " + name + " (" + where + ")",
			Message: fmt.Sprintf("Service %q (%s) is not headless (clusterIP: %s): the StatefulSet's pods get no individual DNS names", name, where, ip),
			Related: []rule.Related{rule.RelatedTo(svcObj, "Service "+name)}})
	}
	podLabels := ss.Spec.Template.Labels
	if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(podLabels)) {
		pass.Report(rule.Diagnostic{Path: path, Help: "make the Service's spec.selector a subset of spec.template.metadata.labels (" + labels.Set(podLabels).String() + ")",
			Message: fmt.Sprintf("Service %q (%s) selector {%s} does not select this StatefulSet's pods (labels {%s})",
				name, where, labels.Set(svc.Spec.Selector).String(), labels.Set(podLabels).String()),
			Related: []rule.Related{rule.RelatedTo(svcObj, "Service "+name)}})
	}
}
