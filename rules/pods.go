package rules

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// The pods of the run, for the rules whose selectors select pods
// (service-selector, service-target-port, pdb-selector,
// networkpolicy-selector): a summary of each workload made as it is read
// (its pod template's labels, its containers' ports, its replicas), not
// the workload itself, and the signs that something other than the
// linted workloads makes pods in a folder.

// podSummary is what the run keeps of a workload for those rules.
type podSummary struct {
	id       manifest.Ident
	labels   map[string]string
	ports    []podPort
	replicas int32 // -1: not in the manifest (DaemonSet, Job, CronJob, old API versions)
	// replicasSet: the manifest sets spec.replicas (hpa-target's check).
	replicasSet bool
	// templated: the workload's name or pod labels are unrendered
	// template text ({{ }}, ${ }).
	templated bool
}

// podPort is a container port.
type podPort struct {
	name   string
	number int32
}

// podSummaries summarizes the run's workloads.
var podSummaries = &rule.Summary{Kinds: podKinds, Make: makePodSummary}

func makePodSummary(o *manifest.Object) any {
	ref, ok := PodSpecOf(o)
	if !ok {
		return nil
	}
	s := &podSummary{id: o.Ident(), labels: ref.Meta.Labels, replicas: -1}
	if n, ok := replicasOf(o); ok {
		s.replicas = int32(n)
	}
	s.replicasSet = replicasSet(o)
	n := 0
	for _, cs := range [][]corev1.Container{ref.Spec.Containers, ref.Spec.InitContainers} {
		for _, c := range cs {
			n += len(c.Ports)
		}
	}
	if n > 0 {
		s.ports = make([]podPort, 0, n)
		for _, cs := range [][]corev1.Container{ref.Spec.Containers, ref.Spec.InitContainers} {
			for _, c := range cs {
				for _, p := range c.Ports {
					s.ports = append(s.ports, podPort{p.Name, p.ContainerPort})
				}
			}
		}
	}
	s.templated = templated(o.Name)
	for k, v := range s.labels {
		s.templated = s.templated || templated(k) || templated(v)
	}
	return s
}

// templated reports whether s is unrendered template text: Helm's and
// Go templates' {{ }}, or an envsubst or shell ${VAR}.
func templated(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "${")
}

// podSigns are the objects that tell that something other than the
// linted workloads makes pods where they are: a custom resource (an
// operator's: CloudNativePG's Cluster, prometheus-operator's Prometheus)
// in a namespace, or a CustomResourceDefinition (an operator installed
// with the files, which may label its own pods).
var podSigns = &rule.Summary{Make: makePodSign}

// podSign is a custom resource's or a CRD's place.
type podSign struct {
	folder, namespace string
	kind, name        string
	crd               bool
}

func makePodSign(o *manifest.Object) any {
	crd := o.Kind == "CustomResourceDefinition" && o.Group() == "apiextensions.k8s.io"
	if !crd && (o.Typed != nil || !o.Unchecked()) {
		return nil
	}
	return &podSign{folder: folderOf(o), namespace: rule.EffectiveNamespace(o), kind: o.Kind, name: o.Name, crd: crd}
}

// scalers summarizes the run's HorizontalPodAutoscalers: the replicas of
// the workload one scales are its minReplicas at least, whatever the
// workload's spec.replicas says.
var scalers = &rule.Summary{Kinds: []string{"autoscaling/*/HorizontalPodAutoscaler"}, Make: makeScaler}

// scaler is an HPA's target and least replicas.
type scaler struct {
	id         manifest.Ident
	kind, name string
	min        int32
}

func makeScaler(o *manifest.Object) any {
	kind, _ := o.Value("spec", "scaleTargetRef", "kind").(string)
	name, _ := o.Value("spec", "scaleTargetRef", "name").(string)
	if kind == "" || name == "" {
		return nil
	}
	s := &scaler{id: o.Ident(), kind: kind, name: name, min: 1}
	if n, ok := o.Value("spec", "minReplicas").(int64); ok && n > 0 && n < 1<<31 {
		s.min = int32(n)
	}
	return s
}

type scalerKey struct{ ns, kind, name string }

// podSummaryList are the summaries the pod-selecting rules read.
var podSummaryList = []*rule.Summary{podSummaries, podSigns, scalers}

// pods are the run's workloads as the pod-selecting rules see them.
type pods struct {
	li *rule.LabelIndex
	// other: by namespace key (as in li), why something else may make
	// pods there; crds: by folder ("" with --require-references).
	other     map[string]string
	crds      map[string]string
	templated map[string]string
	scalers   map[scalerKey]*scaler
}

type podsKey bool

// podsOf returns the run's pods, keyed by folder and namespace unless
// the run claims to be the whole application (--require-references):
// only workloads of the referring object's own folder count otherwise,
// as a repository keeps alternatives and other applications in other
// folders (on ../shared/corpus, matching across folders paired a Service
// of one repository with another's Deployment). It also returns o's
// namespace key.
func podsOf(pass *rule.Pass, o *manifest.Object) (*pods, string) {
	complete := pass.Settings.Complete
	key := func(folder, ns string) string {
		if complete {
			return ns
		}
		return rule.ScopedNS(folder, ns)
	}
	p := pass.Index.Memo(podsKey(complete), func() any {
		sums := pass.Index.Summaries(podSummaries)
		items := make([]rule.Labeled, 0, len(sums))
		p := &pods{other: map[string]string{}, crds: map[string]string{}, templated: map[string]string{}, scalers: map[scalerKey]*scaler{}}
		for _, v := range sums {
			s := v.(*podSummary)
			// The workloads' identities are made here, once the files
			// are read, rather than kept while they stream.
			items = append(items, rule.Labeled{Object: s.id.Object(), Labels: s.labels, Data: s})
			if s.templated {
				id := items[len(items)-1].Object
				k := key(folderOf(id), rule.EffectiveNamespace(id))
				if _, ok := p.templated[k]; !ok {
					p.templated[k] = named(id)
				}
			}
		}
		p.li = rule.NewLabelIndex(items, func(l rule.Labeled) string {
			return key(folderOf(l.Object), rule.EffectiveNamespace(l.Object))
		})
		for _, v := range pass.Index.Summaries(scalers) {
			s := v.(*scaler)
			ns := s.id.Namespace
			if ns == "" {
				ns = "default"
			}
			k := scalerKey{key(filepath.Dir(s.id.Path), ns), s.kind, s.name}
			if _, ok := p.scalers[k]; !ok {
				p.scalers[k] = s
			}
		}
		for _, v := range pass.Index.Summaries(podSigns) {
			s := v.(*podSign)
			if s.crd {
				f := s.folder
				if complete {
					f = ""
				}
				if _, ok := p.crds[f]; !ok {
					p.crds[f] = s.name
				}
				continue
			}
			k := key(s.folder, s.namespace)
			if _, ok := p.other[k]; !ok {
				p.other[k] = fmt.Sprintf("%s %q", s.kind, s.name)
			}
		}
		return p
	}).(*pods)
	return p, key(folderOf(o), rule.EffectiveNamespace(o))
}

// judged reports whether a selector of o that selects none of the pods
// of ns is a finding: when the folder (or the run, with
// --require-references) has workloads in the namespace, and no sign that
// something else makes pods there: a custom resource in the namespace
// (its operator's pods), a CRD (an operator that may label pods), or
// workloads written as unrendered templates.
func (p *pods) judged(pass *rule.Pass, o *manifest.Object, ns string) bool {
	if !pass.Settings.Complete && !p.li.Any(ns) {
		return false
	}
	if _, ok := p.other[ns]; ok {
		return false
	}
	if _, ok := p.templated[ns]; ok {
		return false
	}
	f := folderOf(o)
	if pass.Settings.Complete {
		f = ""
	}
	_, ok := p.crds[f]
	return !ok
}

// plainSelector reports whether a selector's labels can be judged: none
// is template text or otherwise not a valid label (the API validation
// reports those).
func plainSelector(eq map[string]string) bool {
	for k, v := range eq {
		if templated(k) || templated(v) || len(validation.IsQualifiedName(k)) > 0 || len(validation.IsValidLabelValue(v)) > 0 {
			return false
		}
	}
	return true
}

// selectPods returns the pods of namespace key ns that sel selects; eq
// are the equalities sel requires (its matchLabels). Labels that
// controllers add to the pods they make (a Job's job-name, a
// StatefulSet's statefulset.kubernetes.io/pod-name, pod-template-hash)
// match the pods of the workloads that would carry them.
func (p *pods) selectPods(ns string, sel labels.Selector, eq map[string]string) []rule.Labeled {
	plain := eq
	for k := range eq {
		if controllerLabel(k) {
			plain = make(map[string]string, len(eq))
			for k, v := range eq {
				if !controllerLabel(k) {
					plain[k] = v
				}
			}
			break
		}
	}
	return p.li.SelectFunc(ns, plain, func(c rule.Labeled) bool {
		return sel.Matches(podLabelSet{c.Data.(*podSummary), eq})
	})
}

// controllerLabel reports whether a controller adds label k to the pods
// it makes.
func controllerLabel(k string) bool {
	switch k {
	case "job-name", "batch.kubernetes.io/job-name", "controller-uid", "batch.kubernetes.io/controller-uid",
		"batch.kubernetes.io/job-completion-index", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
		"pod-template-hash", "controller-revision-hash", "pod-template-generation":
		return true
	}
	return false
}

// podLabelSet is a workload's pod labels with those its controller adds:
// want are the values a selector asks for, which a label whose value is
// not known from the manifest (a hash, a uid) is taken to have.
type podLabelSet struct {
	s    *podSummary
	want map[string]string
}

func (l podLabelSet) Has(k string) bool { _, ok := l.Lookup(k); return ok }

func (l podLabelSet) Get(k string) string { v, _ := l.Lookup(k); return v }

func (l podLabelSet) Lookup(k string) (string, bool) {
	if v, ok := l.s.labels[k]; ok {
		return v, true
	}
	if !controllerLabel(k) {
		return "", false
	}
	kind, name, want := l.s.id.Kind, l.s.id.Name, l.want[k]
	switch k {
	case "job-name", "batch.kubernetes.io/job-name":
		switch kind {
		case "Job":
			return name, true
		case "CronJob":
			return want, true // the Job's name has a timestamp suffix
		}
	case "controller-uid", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index":
		if kind == "Job" || kind == "CronJob" {
			return want, true
		}
	case "statefulset.kubernetes.io/pod-name":
		if kind == "StatefulSet" {
			if i, ok := strings.CutPrefix(want, name+"-"); ok && l.ordinal(i) {
				return want, true
			}
			return name + "-0", true
		}
	case "apps.kubernetes.io/pod-index":
		if kind == "StatefulSet" && l.ordinal(want) {
			return want, true
		}
		if kind == "StatefulSet" {
			return "0", true
		}
	case "pod-template-hash":
		if kind == "Deployment" {
			return want, true
		}
	case "controller-revision-hash", "pod-template-generation":
		if kind == "StatefulSet" || kind == "DaemonSet" {
			return want, true
		}
	}
	return "", false
}

// ordinal reports whether s is the index of one of a StatefulSet's pods.
func (l podLabelSet) ordinal(s string) bool {
	i, err := strconv.Atoi(s)
	return err == nil && i >= 0 && (l.s.replicas < 0 || i < int(l.s.replicas))
}

// closest is, for a selector that selects nothing, a workload of the
// namespace with one of its keys (with another value), and how the help
// names it; nil and "" when there is none.
func (p *pods) closest(ns string, sel map[string]string) (*manifest.Object, string) {
	keys := make([]string, 0, len(sel))
	for k := range sel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, c := range p.li.In(ns) {
			if _, ok := c.Labels[k]; ok {
				return c.Object, fmt.Sprintf("%s has pod labels %s", named(c.Object), selectorText(c.Labels))
			}
		}
	}
	return nil, ""
}

// scalerOf is the HPA that scales a workload of namespace key ns, or nil.
func (p *pods) scalerOf(ns string, w *manifest.Object) *scaler {
	return p.scalers[scalerKey{ns, w.Kind, w.Name}]
}
