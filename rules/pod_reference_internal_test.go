package rules

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/kvetdev/kvet/internal/sharedtest"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/validate"
)

// rawRef is a reference of a pod template as rawPodRefs reads it.
type rawRef struct {
	path, keyPath manifest.Path
	kind          refKind
	name, key     string
}

func (r rawRef) String() string {
	return fmt.Sprintf("%s %s %q key %q at %s", r.path, refKinds[r.kind].kind, r.name, r.key, r.keyPath)
}

// rawPodRefs reads the references pod-reference's doc lists from the
// object's tree (Raw), apart from the typed value that podRefsOf reads:
// the oracle the summary is held to.
func rawPodRefs(o *manifest.Object) []rawRef {
	var at manifest.Path
	switch o.Kind {
	case "Pod":
		at = manifest.MustParsePath("spec")
	case "PodTemplate":
		at = manifest.MustParsePath("template.spec")
	case "CronJob":
		at = manifest.MustParsePath("spec.jobTemplate.spec.template.spec")
	default:
		at = manifest.MustParsePath("spec.template.spec")
	}
	if _, ok := PodSpecOf(o); !ok {
		return nil // not a workload kvet has a type for
	}
	get := func(v any, path ...string) any {
		for _, k := range path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		return v
	}
	str := func(v any, path ...string) string { s, _ := get(v, path...).(string); return s }
	items := func(v any, path ...string) []any { l, _ := get(v, path...).([]any); return l }
	optional := func(v any) bool { b, _ := get(v, "optional").(bool); return b }
	var spec any = o.Raw()
	for _, s := range at {
		spec = get(spec, s.Key)
	}
	var out []rawRef
	add := func(path manifest.Path, kind refKind, name string, keyPath manifest.Path, key string) {
		if name == "" || kind == refConfigMap && name == "kube-root-ca.crt" {
			return
		}
		out = append(out, rawRef{path: path, kind: kind, name: name, keyPath: keyPath, key: key})
	}
	if sa := str(spec, "serviceAccountName"); sa != "" {
		if sa != "default" {
			add(at.Field("serviceAccountName"), refServiceAccount, sa, nil, "")
		}
	} else if sa := str(spec, "serviceAccount"); sa != "default" {
		add(at.Field("serviceAccount"), refServiceAccount, sa, nil, "")
	}
	if pc := str(spec, "priorityClassName"); pc != "system-cluster-critical" && pc != "system-node-critical" {
		add(at.Field("priorityClassName"), refPriorityClass, pc, nil, "")
	}
	for i, s := range items(spec, "imagePullSecrets") {
		add(at.Field("imagePullSecrets").Item(i).Field("name"), refSecret, str(s, "name"), nil, "")
	}
	claims := map[string]bool{}
	if o.Kind == "StatefulSet" {
		for _, t := range items(o.Raw(), "spec", "volumeClaimTemplates") {
			claims[str(t, "metadata", "name")] = true
		}
	}
	for i, v := range items(spec, "volumes") {
		vp := at.Field("volumes").Item(i)
		if cm := get(v, "configMap"); cm != nil && !optional(cm) {
			add(vp.Field("configMap").Field("name"), refConfigMap, str(cm, "name"), nil, "")
		}
		if s := get(v, "secret"); s != nil && !optional(s) {
			add(vp.Field("secret").Field("secretName"), refSecret, str(s, "secretName"), nil, "")
		}
		if c := str(v, "persistentVolumeClaim", "claimName"); !claims[c] {
			add(vp.Field("persistentVolumeClaim").Field("claimName"), refClaim, c, nil, "")
		}
		for j, s := range items(v, "projected", "sources") {
			sp := vp.Field("projected").Field("sources").Item(j)
			if cm := get(s, "configMap"); cm != nil && !optional(cm) {
				add(sp.Field("configMap").Field("name"), refConfigMap, str(cm, "name"), nil, "")
			}
			if sec := get(s, "secret"); sec != nil && !optional(sec) {
				add(sp.Field("secret").Field("name"), refSecret, str(sec, "name"), nil, "")
			}
		}
	}
	for _, list := range []string{"initContainers", "containers"} {
		for i, c := range items(spec, list) {
			cp := at.Field(list).Item(i)
			for j, e := range items(c, "env") {
				ep := cp.Field("env").Item(j).Field("valueFrom")
				for _, ref := range []struct {
					field string
					kind  refKind
				}{{"configMapKeyRef", refConfigMap}, {"secretKeyRef", refSecret}} {
					if r := get(e, "valueFrom", ref.field); r != nil && !optional(r) {
						add(ep.Field(ref.field).Field("name"), ref.kind, str(r, "name"), ep.Field(ref.field).Field("key"), str(r, "key"))
					}
				}
			}
			for j, e := range items(c, "envFrom") {
				ep := cp.Field("envFrom").Item(j)
				if r := get(e, "configMapRef"); r != nil && !optional(r) {
					add(ep.Field("configMapRef").Field("name"), refConfigMap, str(r, "name"), nil, "")
				}
				if r := get(e, "secretRef"); r != nil && !optional(r) {
					add(ep.Field("secretRef").Field("name"), refSecret, str(r, "name"), nil, "")
				}
			}
		}
	}
	return out
}

// podRefSets are the sets the summary is checked on: the rules'
// testdata and ../shared/corpus.
func podRefSets(t *testing.T) map[string][]string {
	sets := map[string][]string{"testdata": {"testdata"}}
	if dir, ok := sharedtest.Corpus(t); ok {
		sets["corpus"] = []string{dir}
	}
	return sets
}

// TestPodRefsSummary holds the summary pod-reference checks (podRefs) to
// the references read from each workload's tree: every reference of a
// kind the doc lists, at its path, with its name and key, and each mark
// where a finding on the object would be (position, span, snippet).
func TestPodRefsSummary(t *testing.T) {
	for name, paths := range podRefSets(t) {
		t.Run(name, func(t *testing.T) {
			res := manifest.Load(paths, manifest.Options{})
			kinds := map[refKind]int{}
			for _, o := range res.Objects {
				want := rawPodRefs(o)
				var got []rawRef
				if v := makePodRefs(o); v != nil {
					l := v.(*podRefList)
					if l.id != o.Ident() {
						t.Errorf("%s: ident %+v", o.Source.Path, l.id)
					}
					for _, r := range l.refs {
						g := rawRef{path: r.at.Path(), kind: r.kind, name: r.name, key: r.key}
						if r.key != "" {
							g.keyPath = r.keyAt.Path()
						}
						got = append(got, g)
						for _, m := range []manifest.Mark{r.at, r.keyAt} {
							if m.IsZero() {
								continue
							}
							p := m.Path()
							text, shift := m.Snippet()
							wantText, wantShift := o.Source.Snippet(o.Spot(p).Line, o.Spot(p).Column)
							if m.Spot() != o.Spot(p) || text != wantText || shift != wantShift || m.Invalid() != o.IsInvalid(p) {
								t.Errorf("%s: mark of %s: %+v %q, want %+v %q", o.Source.Path, p, m.Spot(), text, o.Spot(p), wantText)
							}
						}
					}
				}
				sortRefs(got)
				sortRefs(want)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s:%d: %s %s: the summary has\n%v\nthe tree\n%v", o.Source.Path, o.Pos().Line, o.Kind, o.Name, got, want)
				}
				for _, r := range want {
					kinds[r.kind]++
				}
			}
			t.Logf("references by kind: %v", kinds)
			if name == "testdata" {
				for k := range refKinds {
					if kinds[refKind(k)] == 0 {
						t.Errorf("no reference to a %s in the testdata: nothing holds the summary to them", refKinds[k].kind)
					}
				}
			}
		})
	}
}

func sortRefs(rs []rawRef) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].String() < rs[j].String() })
}

// podReferenceDirect is pod-reference as it was before its summary: it
// checks each workload, kept to the end of the run with the objects it
// looks up, from the workload's tree (rawPodRefs), and reports on it.
var podReferenceDirect = &rule.Rule{
	ID:       "pod-reference",
	Severity: rule.Warning,
	Kinds:    podKinds,
	Uses: []string{"v1/ServiceAccount", "v1/ConfigMap", "v1/Secret", "v1/PersistentVolumeClaim",
		"scheduling.k8s.io/*/PriorityClass"},
	Summaries: []*rule.Summary{refSigns},
	Check: func(pass *rule.Pass, o *manifest.Object) {
		for _, r := range rawPodRefs(o) {
			if d, onKey, ok := judgePodRef(pass, o, r.kind, r.name, r.key); ok {
				d.Path = r.path
				if onKey {
					d.Path = r.keyPath
				}
				pass.Report(d)
			}
		}
	},
}

// TestPodReferenceAsDirect: pod-reference's findings from its summary
// are those of the rule checking the workloads themselves, on the
// testdata and the corpus, and with --require-references on the testdata
// (on the corpus, whose Roles may create every Secret and ConfigMap, it
// reports nothing).
func TestPodReferenceAsDirect(t *testing.T) {
	for name, paths := range podRefSets(t) {
		for _, complete := range []bool{false, true} {
			if complete && name == "corpus" {
				continue
			}
			t.Run(fmt.Sprintf("%s/complete=%v", name, complete), func(t *testing.T) {
				lint := func(r *rule.Rule) []rule.Finding {
					out := validate.Lint(context.Background(), paths, manifest.Options{},
						validate.Options{Rules: []*rule.Rule{r}, Workers: 2, Settings: rule.Settings{Complete: complete}})
					var fs []rule.Finding
					for _, f := range out.Findings {
						if f.Rule == r.ID {
							fs = append(fs, f)
						}
					}
					return fs
				}
				want, got := lint(podReferenceDirect), lint(PodReference)
				if len(want) == 0 && !complete {
					t.Fatal("no finding: nothing was compared")
				}
				if !reflect.DeepEqual(got, want) {
					for i := range min(len(got), len(want)) {
						if !reflect.DeepEqual(got[i], want[i]) {
							t.Fatalf("finding %d\n got %+v\nwant %+v", i, got[i], want[i])
						}
					}
					t.Fatalf("%d findings, want %d", len(got), len(want))
				}
				t.Logf("%d findings", len(got))
			})
		}
	}
}
