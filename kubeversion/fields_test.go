package kubeversion

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func paths(fs []Field) map[string]Field {
	m := map[string]Field{}
	for _, f := range fs {
		m[f.Path] = f
	}
	return m
}

func TestFieldsForPodTemplateKinds(t *testing.T) {
	tests := []struct{ apiVersion, kind, want string }{
		{"v1", "Pod", "spec.containers[*].resizePolicy"},
		{"v1", "PodTemplate", "template.spec.containers[*].resizePolicy"},
		{"v1", "ReplicationController", "spec.template.spec.containers[*].resizePolicy"},
		{"apps/v1", "Deployment", "spec.template.spec.containers[*].resizePolicy"},
		{"apps/v1", "ReplicaSet", "spec.template.spec.containers[*].resizePolicy"},
		{"apps/v1", "StatefulSet", "spec.template.spec.containers[*].resizePolicy"},
		{"apps/v1", "DaemonSet", "spec.template.spec.containers[*].resizePolicy"},
		{"batch/v1", "Job", "spec.template.spec.containers[*].resizePolicy"},
		{"batch/v1", "CronJob", "spec.jobTemplate.spec.template.spec.containers[*].resizePolicy"},
		{"batch/v1", "CronJob", "spec.jobTemplate.spec.template.spec.initContainers[*].restartPolicy"},
		{"batch/v1", "Job", "spec.podFailurePolicy"},
		{"batch/v1", "CronJob", "spec.jobTemplate.spec.podFailurePolicy"},
		{"batch/v1", "CronJob", "spec.jobTemplate.spec.ttlSecondsAfterFinished"},
		{"batch/v1", "CronJob", "spec.timeZone"},
		{"apps/v1", "StatefulSet", "spec.persistentVolumeClaimRetentionPolicy"},
		{"apps/v1", "DaemonSet", "spec.updateStrategy.rollingUpdate.maxSurge"},
		{"v1", "Service", "spec.trafficDistribution"},
		{"v1", "PersistentVolumeClaim", "spec.volumeAttributesClassName"},
		{"autoscaling/v2", "HorizontalPodAutoscaler", "spec.behavior"},
	}
	for _, tc := range tests {
		f, ok := paths(FieldsFor(tc.apiVersion, tc.kind))[tc.want]
		if !ok {
			t.Errorf("FieldsFor(%q, %q) lacks %s", tc.apiVersion, tc.kind, tc.want)
			continue
		}
		if f.Kind != tc.kind || f.MinVersion.IsZero() {
			t.Errorf("%s %s: bad field %+v", tc.kind, tc.want, f)
		}
	}

	cj := paths(FieldsFor("batch/v1", "CronJob"))
	if f := cj["spec.timeZone"]; f.MinVersion != (Version{1, 25}) || f.FeatureGate != "CronJobTimeZone" {
		t.Errorf("CronJob spec.timeZone = %+v", f)
	}
	if f := cj["spec.jobTemplate.spec.template.spec.containers[*].resizePolicy"]; f.MinVersion != (Version{1, 33}) {
		t.Errorf("resizePolicy = %+v", f)
	}
	if _, ok := cj["spec.template.spec.containers[*].resizePolicy"]; ok {
		t.Error("CronJob got a Deployment-style pod template path")
	}
	if _, ok := paths(FieldsFor("apps/v1", "Deployment"))["spec.timeZone"]; ok {
		t.Error("Deployment got a CronJob field")
	}
	if _, ok := paths(FieldsFor("apps/v1", "Deployment"))["spec.minReadySeconds"]; ok {
		t.Error("Deployment minReadySeconds is old; only StatefulSet's is new")
	}
}

func TestFieldsForOtherKinds(t *testing.T) {
	for _, k := range [][2]string{
		{"v1", "ConfigMap"},
		{"example.com/v1", "Deployment"}, // a CRD that reuses a built-in kind name
		{"apps/v1", "Pod"},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler"}, // behavior is older there
		{"", ""},
	} {
		if fs := FieldsFor(k[0], k[1]); len(fs) != 0 {
			t.Errorf("FieldsFor(%q, %q) = %d fields, want none: %+v", k[0], k[1], len(fs), fs)
		}
	}
}

func TestFieldTableWellFormed(t *testing.T) {
	for i, s := range fieldTable {
		if s.path == "" || s.note == "" || s.min.IsZero() || (s.stage != beta && s.stage != ga) {
			t.Errorf("row %d (%s): incomplete", i, s.path)
		}
		if Latest().Less(s.min) {
			t.Errorf("row %d (%s): min %v after Latest", i, s.path, s.min)
		}
		if strings.HasPrefix(s.path, "spec.") != (s.in == inObject) {
			t.Errorf("row %d (%s): object rows start at spec., pod/job spec rows are relative", i, s.path)
		}
		if (s.in == inObject) != (len(s.kinds) > 0) {
			t.Errorf("row %d (%s): kinds only for object rows", i, s.path)
		}
	}
	kinds := [][2]string{
		{"v1", "Pod"}, {"v1", "PodTemplate"}, {"v1", "ReplicationController"}, {"v1", "Service"}, {"v1", "PersistentVolumeClaim"},
		{"apps/v1", "Deployment"}, {"apps/v1", "ReplicaSet"}, {"apps/v1", "StatefulSet"}, {"apps/v1", "DaemonSet"},
		{"batch/v1", "Job"}, {"batch/v1", "CronJob"}, {"autoscaling/v2", "HorizontalPodAutoscaler"},
	}
	total := 0
	for _, k := range kinds {
		seen := map[string]bool{}
		for _, f := range FieldsFor(k[0], k[1]) {
			if seen[f.Path] {
				t.Errorf("%s %s: duplicate path %s", k[0], k[1], f.Path)
			}
			seen[f.Path] = true
			total++
		}
	}
	if total == 0 {
		t.Fatal("no fields at all")
	}
}

func TestPresentFieldsCronJob(t *testing.T) {
	obj := map[string]any{
		"apiVersion": "batch/v1",
		"kind":       "CronJob",
		"spec": map[string]any{
			"schedule": "* * * * *",
			"timeZone": "Europe/Paris",
			"jobTemplate": map[string]any{
				"spec": map[string]any{
					"template": map[string]any{
						"spec": map[string]any{
							"containers": []any{
								map[string]any{"name": "a", "image": "a"},
								map[string]any{"name": "b", "image": "b", "resizePolicy": []any{
									map[string]any{"resourceName": "cpu", "restartPolicy": "NotRequired"},
								}},
								map[string]any{"name": "c", "resizePolicy": nil}, // null is not set
							},
						},
					},
				},
			},
		},
	}
	got := PresentFields("batch/v1", "CronJob", MapTree(obj), Version{})
	var ps []string
	for _, u := range got {
		ps = append(ps, u.Path.String())
	}
	want := []string{
		"spec.jobTemplate.spec.template.spec.containers[1].resizePolicy",
		"spec.timeZone",
	}
	if !reflect.DeepEqual(ps, want) {
		t.Fatalf("PresentFields paths = %q, want %q", ps, want)
	}
	if f := got[0].Field; f.Path != "spec.jobTemplate.spec.template.spec.containers[*].resizePolicy" || f.MinVersion != (Version{1, 33}) || f.Kind != "CronJob" {
		t.Errorf("resizePolicy field = %+v", f)
	}
	if f := got[1].Field; f.MinVersion != (Version{1, 25}) || f.Stage != beta {
		t.Errorf("timeZone field = %+v", f)
	}
	// Only fields newer than the version given are looked for.
	newer := PresentFields("batch/v1", "CronJob", MapTree(obj), Version{1, 30})
	if len(newer) != 1 || newer[0].Path.String() != want[0] {
		t.Errorf("fields newer than 1.30 = %+v, want only %s", newer, want[0])
	}
	if n := PresentFields("batch/v1", "CronJob", MapTree(obj), Version{1, 33}); len(n) != 0 {
		t.Errorf("fields newer than 1.33 = %+v, want none", n)
	}
}

func TestPresentFieldsNestedListsAndDecoders(t *testing.T) {
	// map[any]any and []map[string]any as produced by some YAML decoders.
	obj := map[string]any{
		"spec": map[any]any{
			"template": map[string]any{
				"spec": map[string]any{
					"containers": []map[string]any{
						{"name": "a", "env": []any{
							map[string]any{"name": "X", "value": "1"},
							map[string]any{"name": "Y", "valueFrom": map[string]any{"fileKeyRef": map[string]any{"key": "k"}}},
						}},
					},
					"topologySpreadConstraints": []any{
						map[string]any{"maxSkew": 1},
						nil,
						map[string]any{"minDomains": 2, "matchLabelKeys": []any{"pod-template-hash"}},
					},
					"hostUsers": false,
				},
			},
		},
	}
	var ps []string
	for _, u := range PresentFields("apps/v1", "Deployment", MapTree(obj), Version{}) {
		ps = append(ps, u.Path.String())
	}
	want := []string{
		"spec.template.spec.hostUsers",
		"spec.template.spec.topologySpreadConstraints[2].minDomains",
		"spec.template.spec.topologySpreadConstraints[2].matchLabelKeys",
		"spec.template.spec.containers[0].env[1].valueFrom.fileKeyRef",
	}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("paths = %q\nwant    %q", ps, want)
	}
}

func TestPresentFieldsPlainObjects(t *testing.T) {
	deploy := map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"name": "web"},
		"spec": map[string]any{
			"replicas":        3,
			"minReadySeconds": 5,
			"template": map[string]any{
				"spec": map[string]any{
					"containers":     []any{map[string]any{"name": "web", "image": "nginx"}},
					"initContainers": []any{map[string]any{"name": "init", "image": "busybox"}},
				},
			},
		},
	}
	if got := PresentFields("apps/v1", "Deployment", MapTree(deploy), Version{}); len(got) != 0 {
		t.Errorf("plain Deployment: %+v", got)
	}
	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"spec": "x"}}
	if got := PresentFields("v1", "ConfigMap", MapTree(cm), Version{}); len(got) != 0 {
		t.Errorf("ConfigMap: %+v", got)
	}
	// Wrong shapes are ignored, not panicked on.
	odd := map[string]any{"spec": map[string]any{"template": "x", "timeZone": nil, "jobTemplate": []any{1}}}
	if got := PresentFields("batch/v1", "CronJob", MapTree(odd), Version{}); len(got) != 0 {
		t.Errorf("odd CronJob: %+v", got)
	}
	if got := PresentFields("batch/v1", "CronJob", MapTree(nil), Version{}); len(got) != 0 {
		t.Errorf("nil object: %+v", got)
	}
}

// TestFieldGatesAgainstKubeFeatures checks MinVersion and Stage of every row
// whose feature gate is still listed in k8s.io/kubernetes pkg/features (the
// versioned specs there record each stage and default). Gates removed after
// GA are checked only by hand against the feature-gate documentation.
func TestFieldGatesAgainstKubeFeatures(t *testing.T) {
	dir := moduleDir(t, "k8s.io/kubernetes")
	if dir == "" {
		t.Skip("k8s.io/kubernetes not in the module cache")
	}
	src, err := os.ReadFile(filepath.Join(dir, "pkg", "features", "kube_features.go"))
	if err != nil {
		t.Skip(err)
	}
	stageRE := regexp.MustCompile(`\{Version: version\.MustParse\("([0-9.]+)"\), Default: (true|false), PreRelease: featuregate\.(\w+)`)
	checked := 0
	for _, s := range fieldTable {
		if s.gate == "" {
			continue
		}
		// The versioned spec block: "\tGate: {\n\t\t{Version: ...},\n...\t},"
		start := strings.Index(string(src), "\n\t"+s.gate+": {\n")
		if start < 0 {
			continue
		}
		block := string(src[start:])
		end := strings.Index(block, "\n\t},")
		if end < 0 {
			t.Fatalf("feature gate %s: end of its block not found", s.gate)
		}
		block = block[:end]
		var first Version
		var stage string
		for _, m := range stageRE.FindAllStringSubmatch(block, -1) {
			if m[2] != "true" {
				continue
			}
			v, err := Parse(m[1])
			if err != nil {
				t.Fatal(err)
			}
			first, stage = v, map[string]string{"Beta": beta, "GA": ga}[m[3]]
			break
		}
		checked++
		if first != s.min || stage != s.stage {
			t.Errorf("%s (%s): table says %v %s, kube_features.go says on by default from %v %s", s.path, s.gate, s.min, s.stage, first, stage)
		}
	}
	t.Logf("checked %d rows against kube_features.go", checked)
	if checked < 10 {
		t.Errorf("checked only %d gates", checked)
	}
}
