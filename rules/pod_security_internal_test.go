package rules

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Every upstream check has a place in the table, and the table names no
// check upstream does not have: a new check fails here (and meanwhile is
// reported at the pod spec, see TestPodSecurityUnknownCheckFallsBack).
func TestPodSecurityPlacesCoverEveryCheck(t *testing.T) {
	upstream := map[string]bool{}
	for _, c := range policy.DefaultChecks() {
		upstream[string(c.ID)] = true
		if _, ok := pssPlaces[string(c.ID)]; !ok {
			t.Errorf("check %s (level %s) has no entry in pssPlaces: add where it fails (pod, container or volume field) and its fix", c.ID, c.Level)
		}
	}
	for id, p := range pssPlaces {
		if !upstream[id] {
			t.Errorf("pssPlaces has %s, which k8s.io/pod-security-admission does not", id)
		}
		if p.help == "" {
			t.Errorf("pssPlaces[%s] has no help", id)
		}
	}
}

func evalAt(t *testing.T, level psaapi.Level, spec *corev1.PodSpec) map[string]bool {
	t.Helper()
	ev, err := newPSSEvaluator(kubeversion.Latest())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, r := range ev.EvaluatePod(psaapi.LevelVersion{Level: level, Version: psaapi.LatestVersion()}, &metav1.ObjectMeta{}, spec) {
		if !r.Allowed {
			id, _, _ := strings.Cut(r.ForbiddenReason, "\x00")
			failed[id] = true
		}
	}
	return failed
}

// The tables that pick a capability and a volume type agree with the
// upstream checks on every value.
func TestPodSecurityTablesAgreeWithUpstream(t *testing.T) {
	for _, c := range []string{"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
		"SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", "SYS_ADMIN", "NET_ADMIN", "NET_RAW", "SYS_PTRACE", "BPF"} {
		spec := &corev1.PodSpec{Containers: []corev1.Container{{Name: "c", SecurityContext: &corev1.SecurityContext{
			Capabilities: &corev1.Capabilities{Add: []corev1.Capability{corev1.Capability(c)}}}}}}
		if got := evalAt(t, psaapi.LevelBaseline, spec)["capabilities_baseline"]; got == baselineCapabilities[c] {
			t.Errorf("capability %s: upstream forbids it = %v, baselineCapabilities allows it = %v", c, got, baselineCapabilities[c])
		}
	}
	src := reflect.TypeOf(corev1.VolumeSource{})
	for i := 0; i < src.NumField(); i++ {
		f := src.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		v := corev1.Volume{Name: "v"}
		reflect.ValueOf(&v.VolumeSource).Elem().Field(i).Set(reflect.New(f.Type.Elem()))
		got := evalAt(t, psaapi.LevelRestricted, &corev1.PodSpec{Volumes: []corev1.Volume{v}})["restrictedVolumes"]
		if got == restrictedVolumeTypes[name] {
			t.Errorf("volume type %s: upstream forbids it = %v, restrictedVolumeTypes allows it = %v", name, got, restrictedVolumeTypes[name])
		}
		if got {
			if p := pssPlaces["restrictedVolumes"].volume(&v); p.String() != name {
				t.Errorf("volume type %s: place %s", name, p)
			}
		}
	}
}

// A check the table does not know is reported at the part that fails it
// alone, or at the pod spec when none does: never lost.
func TestPodSecurityUnknownCheckFallsBack(t *testing.T) {
	check := func(id string, fails func(*corev1.PodSpec) bool) policy.Check {
		return policy.Check{ID: policy.CheckID(id), Level: psaapi.LevelBaseline, Versions: []policy.VersionedCheck{{
			MinimumVersion: psaapi.MajorMinorVersion(1, 0),
			CheckPod: func(_ *metav1.ObjectMeta, s *corev1.PodSpec) policy.CheckResult {
				if fails(s) {
					return policy.CheckResult{ForbiddenReason: id + "\x00new", ForbiddenDetail: "detail"}
				}
				return policy.CheckResult{Allowed: true}
			}}}}
	}
	ev, err := policy.NewEvaluator([]policy.Check{
		// fails for a container named "bad"
		check("newContainerCheck", func(s *corev1.PodSpec) bool {
			for _, c := range s.Containers {
				if c.Name == "bad" {
					return true
				}
			}
			return false
		}),
		// fails only for two containers together
		check("newPairCheck", func(s *corev1.PodSpec) bool { return len(s.Containers) == 2 }),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: good\n    image: a:1\n  - name: bad\n    image: a:1\n"
	res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(text), StdinName: "p.yaml"})
	if len(res.Errors) > 0 || len(res.Objects) != 1 {
		t.Fatalf("load: %v", res.Errors)
	}
	o := res.Objects[0]
	ref, _ := PodSpecOf(o)
	var got []string
	pass := rule.NewPass(PodSecurity, o, rule.NewIndex(nil), &rule.Settings{}, func(d rule.Diagnostic) {
		got = append(got, d.Path.String()+" "+d.Message[:strings.IndexByte(d.Message, ':')])
	})
	e := pssEval{pass: pass, o: o, ref: ref, eval: ev}
	lv := psaapi.LevelVersion{Level: psaapi.LevelBaseline, Version: psaapi.LatestVersion()}
	e.mode(&pssModes[0], lv, &pssPolicy{namespace: "x", policy: psaapi.Policy{Enforce: lv}}, true)
	want := "spec.containers[1] newContainerCheck; spec newPairCheck"
	if g := strings.Join(got, "; "); g != want {
		t.Errorf("findings at\n%s\nwant\n%s", g, want)
	}
}

func TestParsePodSecurity(t *testing.T) {
	for in, want := range map[string]string{
		"restricted": "restricted:latest", "baseline:v1.30": "baseline:v1.30", "privileged:latest": "privileged:latest",
		"strict":          `level "strict": must be one of privileged, baseline, restricted (optionally followed by :v1.NN or :latest)`,
		"restricted:1.30": `version "1.30": must be "latest" or "v1.x"`,
	} {
		lv, err := ParsePodSecurity(in)
		got := lv.String()
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ParsePodSecurity(%q) = %s, want %s", in, got, want)
		}
	}
	for _, c := range []struct {
		value string
		group bool
		want  string
	}{{"", true, "restricted --enable security"}, {"baseline", true, "baseline --pod-security"}, {"", false, " --pod-security"}} {
		if l, from := DefaultPodSecurity(c.value, "--pod-security", c.group); l+" "+from != c.want {
			t.Errorf("DefaultPodSecurity(%q, %v) = %s %s, want %s", c.value, c.group, l, from, c.want)
		}
	}
}

// BenchmarkPodSecurity is the rule's cost per object: a Deployment that
// meets restricted, one that fails four restricted checks (each then
// placed by evaluating its pod, container and volume alone), and one in a
// namespace no level covers.
func BenchmarkPodSecurity(b *testing.B) {
	const ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n"
	const deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: %s}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n%s      volumes: [{name: tmp, emptyDir: {}}]\n      containers:\n      - name: web\n        image: web:1.0.0\n%s      - name: sidecar\n        image: sidecar:1.0.0\n%s"
	const podSC = "      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
	const cSC = "        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n"
	for _, c := range []struct{ name, text string }{
		{"compliant", fmt.Sprintf(deploy, "shop", podSC, cSC, cSC)},
		{"violating", fmt.Sprintf(deploy, "shop", "", "", "")},
		{"no-level", fmt.Sprintf(deploy, "other", "", "", "")},
	} {
		b.Run(c.name, func(b *testing.B) {
			res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(ns + "---\n" + c.text), StdinName: "b.yaml"})
			if len(res.Errors) > 0 || len(res.Objects) != 2 {
				b.Fatal(res.Errors)
			}
			ix := rule.NewIndex(res.Objects[:1])
			o := res.Objects[1]
			n := 0
			pass := rule.NewPass(PodSecurity, o, ix, &rule.Settings{KubeVersion: kubeversion.Latest()}, func(rule.Diagnostic) { n++ })
			b.ReportAllocs()
			for b.Loop() {
				checkPodSecurity(pass, o)
			}
			b.ReportMetric(float64(n)/float64(b.N), "findings/op")
		})
	}
}
