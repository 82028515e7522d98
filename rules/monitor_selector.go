package rules

import (
	"fmt"
	"slices"

	yaml "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// MonitorSelector reports a prometheus-operator ServiceMonitor or
// PodMonitor that selects no Service or pod of the run, or scrapes a port
// name they do not have.
var MonitorSelector = &rule.Rule{
	ID:        "monitor-selector",
	Severity:  rule.Warning,
	Kinds:     monitorKinds,
	Summaries: append([]*rule.Summary{refSigns, serviceSummaries, monitorSpecs}, podSummaryList...),
	TypedOnly: true,
	Check:     checkMonitorSelector,
	Doc: `A ServiceMonitor or PodMonitor selects nothing, or scrapes a port that is not there.

## What it does
For a prometheus-operator ServiceMonitor, matches ` + "`spec.selector`" + ` against the
labels of the Services of the namespaces it watches (` + "`spec.namespaceSelector.matchNames`" + `,
or its own namespace), and checks that each ` + "`spec.endpoints[].port`" + ` is the name
of a port of a selected Service. For a PodMonitor, the same with the pod
template labels of the workloads and ` + "`spec.podMetricsEndpoints[].port`" + ` against
their containers' port names. Only namespaces where the monitor's folder
has Services (or workloads) are judged, unless ` + "`--require-references`" + `;
` + "`namespaceSelector.any`" + ` and selectors on other labels are not. Nor are
namespaces where something else makes the Services or pods: the folder
has a custom resource there that runs something (an operator's; not
another monitor or a PrometheusRule), it is a folder of test data (a path
element ` + "`tests`" + `, ` + "`e2e`" + ` or ` + "`conformance`" + `), or a Role or ClusterRole of
the folder may create Services. On ../shared/corpus that took its
findings from 5, all false, to none. The Services and workloads are read
from summaries made as they stream (labels and port names), not kept;
the monitors themselves are kept shelved (their lines, not their trees).

## Why is this bad?
Prometheus scrapes nothing for the monitor: no target appears, the
dashboards and alerts built on its metrics stay empty, and nothing says why.

## Example
` + "```yaml" + `
kind: ServiceMonitor
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: metrics}]
---
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  ports: [{name: http-metrics, port: 9090}]
` + "```" + `

## Use instead
` + "```yaml" + `
  endpoints: [{port: http-metrics}]
` + "```",
}

// serviceSummaries keeps of each Service what monitor-selector reads: its
// own labels (which ServiceMonitors select) and its ports' names.
var serviceSummaries = &rule.Summary{Kinds: []string{"v1/Service"}, Make: makeServiceSummary}

// serviceSummary is what the run keeps of a Service for monitor-selector.
type serviceSummary struct {
	id     manifest.Ident
	labels map[string]string
	ports  []string // names, in order; unnamed ports left out
}

func makeServiceSummary(o *manifest.Object) any {
	svc, ok := o.Typed.(*corev1.Service)
	if !ok {
		return nil
	}
	s := &serviceSummary{id: o.Ident(), labels: svc.Labels}
	for _, p := range svc.Spec.Ports {
		if p.Name != "" {
			s.ports = append(s.ports, p.Name)
		}
	}
	return s
}

type servicesKey bool

// servicesOf is the label index of the run's Services (by their own
// labels), keyed as podsOf keys workloads: by folder and namespace unless
// the run claims to be complete.
func servicesOf(pass *rule.Pass) *rule.LabelIndex {
	complete := pass.Settings.Complete
	return pass.Index.Memo(servicesKey(complete), func() any {
		sums := pass.Index.Summaries(serviceSummaries)
		items := make([]rule.Labeled, 0, len(sums))
		for _, v := range sums {
			s := v.(*serviceSummary)
			items = append(items, rule.Labeled{Object: s.id.Object(), Labels: s.labels, Data: s})
		}
		return rule.NewLabelIndex(items, func(l rule.Labeled) string {
			if complete {
				return rule.EffectiveNamespace(l.Object)
			}
			return rule.ScopedNS(folderOf(l.Object), l.Object.Namespace)
		})
	}).(*rule.LabelIndex)
}

// monitorSpecs summarizes what monitor-selector reads of a monitor's spec
// as it streams (its selector, namespaceSelector and endpoints' ports), so
// that the monitor is kept shelved (TypedOnly: its lines, not its node
// tree) until the end of the run, as route-backend's routes are: 853
// monitors of the 100,000-document bench set.
var monitorSpecs = &rule.Summary{Kinds: monitorKinds, Make: makeMonitorSpec}

// monitorKinds are prometheus-operator's ServiceMonitor and PodMonitor.
var monitorKinds = []string{"monitoring.coreos.com/*/ServiceMonitor", "monitoring.coreos.com/*/PodMonitor"}

// monitorSpec is a monitor's place and the part of its spec the rule reads.
type monitorSpec struct {
	at   routePlace
	spec map[string]any
}

func makeMonitorSpec(o *manifest.Object) any {
	spec := monitorSpecOf(o)
	if spec == nil {
		return nil
	}
	return &monitorSpec{at: placeOf(o), spec: spec}
}

// monitorSpecOf reads spec.selector, spec.namespaceSelector and the port
// of each of spec.endpoints or spec.podMetricsEndpoints from the
// monitor's tree (RawOf, not Raw: the object would keep Raw's whole view
// until the end of the run); nil when spec is not a mapping.
func monitorSpecOf(o *manifest.Object) map[string]any {
	n := o.Lookup("spec")
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	spec := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "selector", "namespaceSelector":
			spec[k] = o.RawOf(v)
		case "endpoints", "podMetricsEndpoints":
			eps, ok := o.RawOf(v).([]any)
			if !ok {
				spec[k] = nil
				continue
			}
			ports := make([]any, len(eps))
			for j, e := range eps {
				em, _ := e.(map[string]any)
				if p, ok := em["port"].(string); ok {
					ports[j] = map[string]any{"port": p}
				}
			}
			spec[k] = ports
		}
	}
	return spec
}

type monitorSpecsKey struct{}

func checkMonitorSelector(pass *rule.Pass, o *manifest.Object) {
	spec, ok := summaryAt(pass, monitorSpecsKey{}, monitorSpecs, o, func(v any) (routePlace, map[string]any) {
		s := v.(*monitorSpec)
		return s.at, s.spec
	})
	if !ok || spec == nil {
		spec, _ = o.Raw()["spec"].(map[string]any) // not summarized: a run's context object, or none
	}
	selRaw, ok := spec["selector"].(map[string]any)
	if !ok {
		return
	}
	var ls metav1.LabelSelector
	if runtime.DefaultUnstructuredConverter.FromUnstructured(selRaw, &ls) != nil {
		return
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil || sel.Empty() {
		return
	}
	namespaces := []string{rule.EffectiveNamespace(o)}
	if nsSel, ok := spec["namespaceSelector"].(map[string]any); ok {
		if anyNS, _ := nsSel["any"].(bool); anyNS {
			return
		}
		if names, ok := nsSel["matchNames"].([]any); ok && len(names) > 0 {
			namespaces = namespaces[:0]
			for _, n := range names {
				if s, ok := n.(string); ok {
					namespaces = append(namespaces, s)
				}
			}
		}
	}
	pods := o.Kind == "PodMonitor"
	var li *rule.LabelIndex
	if pods {
		p, _ := podsOf(pass, o)
		li = p.li
	} else {
		li = servicesOf(pass)
	}
	var got []rule.Labeled
	var near *manifest.Object // one with a key of the selector, for the finding
	judged := false
	for _, ns := range namespaces {
		key := ns
		if !pass.Settings.Complete {
			key = rule.ScopedNS(folderOf(o), ns)
		}
		target := "Service"
		if pods {
			target = "Pod"
		}
		judged = judged || (pass.Settings.Complete || li.Any(key)) && !madeElsewhere(pass, o, target, ns, "")
		got = append(got, li.Select(key, sel, ls.MatchLabels)...)
		if near == nil {
			near = closestObject(li, key, ls.MatchLabels)
		}
	}
	what, kinds := "Service", "Service"
	if pods {
		what, kinds = "pod", podKindNames
	}
	specPath := manifest.Path{}.Field("spec")
	if len(got) == 0 {
		if judged {
			reportRef(pass, specPath.Field("selector"), near, fmt.Sprintf("make spec.selector match the labels of the %ss to scrape", what),
				"%s %q selects no %ss: no %s in namespace %s among the linted files has labels %s: Prometheus scrapes nothing for it",
				o.Kind, o.Name, what, kinds, list(quoteAll(namespaces)), sel.String())
		}
		return
	}
	endpoints, field := "endpoints", "endpoints"
	if pods {
		endpoints, field = "podMetricsEndpoints", "podMetricsEndpoints"
	}
	eps, _ := spec[endpoints].([]any)
	var names []string
	for _, g := range got {
		for _, n := range portNames(g) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	for i, e := range eps {
		em, _ := e.(map[string]any)
		port, _ := em["port"].(string)
		if port == "" || slices.Contains(names, port) {
			continue
		}
		help := fmt.Sprintf("name a port %q in %s", port, named(got[0].Object))
		if len(names) > 0 {
			help = "use one of the port names " + list(names) + ", or " + help
		}
		reportRef(pass, specPath.Field(field).Item(i).Field("port"), got[0].Object, help,
			"port %q is not a port name of the %ss this %s selects (%s): Prometheus scrapes nothing there", port, what, o.Kind, named(got[0].Object))
	}
}

// portNames are the port names of a selected Service, or of a workload's
// containers (init containers too).
func portNames(l rule.Labeled) []string {
	switch d := l.Data.(type) {
	case *serviceSummary:
		return d.ports
	case *podSummary:
		var out []string
		for _, p := range d.ports {
			if p.name != "" {
				out = append(out, p.name)
			}
		}
		return out
	}
	return nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}
