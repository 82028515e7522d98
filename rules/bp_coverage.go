package rules

import (
	"sort"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// selectorsByNamespace compiles the pod selectors of the run's objects of
// one kind, by namespace.
type selectorsByNamespace map[string][]labels.Selector

func (m selectorsByNamespace) match(ns string, lbls map[string]string) bool {
	for _, s := range m[ns] {
		if s.Matches(labels.Set(lbls)) {
			return true
		}
	}
	return false
}

type pdbSelectorsKey struct{}

func pdbSelectors(ix *rule.Index) selectorsByNamespace {
	return ix.Memo(pdbSelectorsKey{}, func() any {
		m := selectorsByNamespace{}
		for _, o := range ix.ByKind("policy", "PodDisruptionBudget") {
			var sel *metav1.LabelSelector
			switch t := o.Typed.(type) {
			case *policyv1.PodDisruptionBudget:
				sel = t.Spec.Selector
			case *policyv1beta1.PodDisruptionBudget:
				sel = t.Spec.Selector
			}
			if sel == nil {
				continue
			}
			if s, err := metav1.LabelSelectorAsSelector(sel); err == nil && !s.Empty() {
				ns := rule.EffectiveNamespace(o)
				m[ns] = append(m[ns], s)
			}
		}
		return m
	}).(selectorsByNamespace)
}

type netpolSelectorsKey struct{}

// netpol is a NetworkPolicy's pod selector and the directions it limits.
type netpol struct {
	sel             labels.Selector
	ingress, egress bool
}

// netpolsByNamespace are the run's NetworkPolicies by namespace, built once.
func netpolsByNamespace(ix *rule.Index) map[string][]netpol {
	return ix.Memo(netpolSelectorsKey{}, func() any {
		m := map[string][]netpol{}
		for _, o := range ix.ByKind("networking.k8s.io", "NetworkPolicy") {
			np, ok := o.Typed.(*networkingv1.NetworkPolicy)
			if !ok {
				continue
			}
			// An empty podSelector selects every pod of the namespace.
			s, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			if err != nil {
				continue
			}
			p := netpol{sel: s}
			// Without policyTypes a policy limits ingress, and egress when it
			// has egress rules (the API server's default).
			if len(np.Spec.PolicyTypes) == 0 {
				p.ingress, p.egress = true, len(np.Spec.Egress) > 0
			}
			for _, t := range np.Spec.PolicyTypes {
				p.ingress = p.ingress || t == networkingv1.PolicyTypeIngress
				p.egress = p.egress || t == networkingv1.PolicyTypeEgress
			}
			ns := rule.EffectiveNamespace(o)
			m[ns] = append(m[ns], p)
		}
		return m
	}).(map[string][]netpol)
}

// labelsText writes labels as k=v,k=v, sorted.
func labelsText(m map[string]string) string {
	if len(m) == 0 {
		return "no labels"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + m[k]
	}
	return strings.Join(keys, ",")
}

// templateLabelsPath is where the labels of the pod template of ref are.
func templateLabelsPath(ref PodSpecRef) manifest.Path {
	return ref.Path[: len(ref.Path)-1 : len(ref.Path)-1].Field("metadata").Field("labels")
}

// PDBMissing asks replicated workloads for a PodDisruptionBudget.
var PDBMissing = &rule.Rule{
	ID: "pdb-missing", Severity: rule.Warning, Kinds: []string{"apps/v1/Deployment", "apps/v1/StatefulSet"}, Off: true, Sets: []string{"reliability"},
	Context: []string{"policy/*/PodDisruptionBudget", "autoscaling/*/HorizontalPodAutoscaler"}, ContextTyped: true,
	Check: checkPDBMissing,
	Doc: bpDoc("A replicated Deployment or StatefulSet has no PodDisruptionBudget.",
		`Reports a Deployment or StatefulSet with 2 replicas or more (or scaled by a
HorizontalPodAutoscaler of the run) whose pods no PodDisruptionBudget of
its namespace selects. The budgets are looked for in every file of the
run: one kept in another folder that is not linted is not seen. kube-score
also asks a Deployment of one replica (or with replicas unset) for a
budget; kvet does not: a budget on a single pod either blocks every drain
or allows the one pod to go, and protects nothing.`,
		`Without a budget a node drain (a cluster upgrade, the autoscaler removing
a node) may evict every replica at once; the replicas then protect
nothing.`,
		`kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}`,
		`kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}`),
}

func checkPDBMissing(pass *rule.Pass, o *manifest.Object) {
	replicas, tmpl, ok := workloadOf(o)
	if !ok || replicas != nil && *replicas < 2 || replicas == nil && !scaledByHPA(pass, o) {
		return
	}
	ns := rule.EffectiveNamespace(o)
	if pdbSelectors(pass.Index).match(ns, tmpl.Labels) {
		return
	}
	ref, _ := PodSpecOf(o)
	pass.Reportf(templateLabelsPath(ref),
		"add a PodDisruptionBudget (maxUnavailable: 1) whose selector matches these labels",
		"%s %q has no PodDisruptionBudget: none in namespace %q in these files selects its pods (%s)", o.Kind, o.Name, ns, labelsText(tmpl.Labels))
}

// NetworkPolicyMissing asks pods to be selected by a NetworkPolicy.
var NetworkPolicyMissing = &rule.Rule{
	ID: "network-policy-missing", Severity: rule.Warning, Off: true, Sets: []string{"networking"},
	Kinds:   []string{"v1/Pod", "v1/ReplicationController", "*/Deployment", "*/StatefulSet", "*/DaemonSet", "*/ReplicaSet", "batch/*/Job", "batch/*/CronJob"},
	Context: []string{"networking.k8s.io/*/NetworkPolicy"}, ContextTyped: true,
	Check: checkNetworkPolicyMissing,
	Doc: bpDoc("No NetworkPolicy selects a workload's pods.",
		`Reports a workload whose pod labels no NetworkPolicy of its namespace
selects (a policy with an empty podSelector selects every pod), and one
whose selecting policies limit only ingress or only egress (as kube-score
does; a policy without policyTypes limits ingress, and egress when it has
egress rules). Policies are looked for in every file of the run: one kept
in another folder that is not linted is not seen.`,
		`Pods that no NetworkPolicy selects accept traffic from, and send it to,
anything in the cluster: one compromised pod anywhere can reach them, and
a compromised pod without an egress policy can reach every other service
and the internet.`,
		`kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}`,
		`kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: gateway}}}]
  egress:
    - to: [{podSelector: {matchLabels: {app: db}}}]`),
}

func checkNetworkPolicyMissing(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok || ref.Spec.HostNetwork {
		return // NetworkPolicies do not apply to host-network pods
	}
	ns := rule.EffectiveNamespace(o)
	var selected, ingress, egress bool
	set := labels.Set(ref.Meta.Labels)
	for _, p := range netpolsByNamespace(pass.Index)[ns] {
		if p.sel.Matches(set) {
			selected, ingress, egress = true, ingress || p.ingress, egress || p.egress
		}
	}
	switch {
	case !selected:
		pass.Reportf(templateLabelsPath(ref),
			"add a NetworkPolicy whose podSelector matches these labels and allows only the traffic the pods need",
			"no NetworkPolicy in namespace %q in these files selects the pods of %s %q (%s)", ns, o.Kind, o.Name, labelsText(ref.Meta.Labels))
	case !ingress || !egress:
		dir := "egress"
		if !ingress {
			dir = "ingress"
		}
		pass.Reportf(templateLabelsPath(ref),
			"add "+dir+" to the policyTypes of a NetworkPolicy that selects these pods, with the "+dir+" rules they need",
			"the NetworkPolicies in namespace %q that select the pods of %s %q (%s) do not limit their %s", ns, o.Kind, o.Name, labelsText(ref.Meta.Labels), dir)
	}
}
