package kubeversion

import (
	"strings"
	"testing"
)

func TestStatus(t *testing.T) {
	tests := []struct {
		apiVersion, kind string
		target           Version
		want             Status
	}{
		{"batch/v1beta1", "CronJob", Version{1, 25}, Removed},
		{"batch/v1beta1", "CronJob", Version{1, 30}, Removed},
		{"batch/v1beta1", "CronJob", Version{1, 24}, Deprecated},
		{"batch/v1beta1", "CronJob", Version{1, 21}, Deprecated},
		{"batch/v1beta1", "CronJob", Version{1, 20}, OK},
		{"extensions/v1beta1", "Deployment", Version{1, 16}, Removed},
		{"extensions/v1beta1", "Deployment", Version{1, 15}, Deprecated},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler", Version{1, 26}, Removed},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler", Version{1, 25}, Deprecated},
		{"policy/v1beta1", "PodDisruptionBudget", Version{1, 25}, Removed},
		{"policy/v1beta1", "PodDisruptionBudget", Version{1, 24}, Deprecated},
		{"flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", Version{1, 32}, Removed},
		{"storage.k8s.io/v1beta1", "CSIStorageCapacity", Version{1, 27}, Removed},
		{"extensions/v1beta1", "PodSecurityPolicy", Version{1, 15}, OK}, // DeprecatedIn unknown
		{"extensions/v1beta1", "PodSecurityPolicy", Version{1, 16}, Removed},
	}
	for _, tc := range tests {
		a, ok := LookupAPI(tc.apiVersion, tc.kind)
		if !ok {
			t.Errorf("LookupAPI(%q, %q): not found", tc.apiVersion, tc.kind)
			continue
		}
		if got := a.Status(tc.target); got != tc.want {
			t.Errorf("%s %s at %v: %v, want %v", tc.apiVersion, tc.kind, tc.target, got, tc.want)
		}
	}
}

func TestLookupAPINotDeprecated(t *testing.T) {
	for _, k := range [][2]string{
		{"apps/v1", "Deployment"},
		{"batch/v1", "CronJob"},
		{"v1", "Pod"},
		{"networking.k8s.io/v1", "Ingress"},
		{"extensions/v1beta1", "deployment"}, // kind is case-sensitive
		{"", ""},
	} {
		if a, ok := LookupAPI(k[0], k[1]); ok {
			t.Errorf("LookupAPI(%q, %q) = %+v, want none", k[0], k[1], a)
		}
	}
}

func TestAPITableWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range APIs() {
		key := a.APIVersion + " " + a.Kind
		if seen[key] {
			t.Errorf("duplicate entry %s", key)
		}
		seen[key] = true
		if a.APIVersion == "" || a.Kind == "" {
			t.Errorf("%s: empty apiVersion or kind", key)
		}
		// PodSecurityPolicy has no replacement API (Pod Security Admission
		// is not a resource); every other entry must name one.
		if a.Replacement == "" && key != "policy/v1beta1 PodSecurityPolicy" {
			t.Errorf("%s: no Replacement", key)
		}
		if a.Replacement == a.APIVersion {
			t.Errorf("%s: replaced by itself", key)
		}
		if a.Replacement == "" && a.Notes == "" {
			t.Errorf("%s: no Replacement and no Notes", key)
		}
		if a.RemovedIn.IsZero() {
			t.Errorf("%s: no RemovedIn", key)
		}
		if !a.DeprecatedIn.IsZero() && !a.DeprecatedIn.Less(a.RemovedIn) {
			t.Errorf("%s: DeprecatedIn %v not before RemovedIn %v", key, a.DeprecatedIn, a.RemovedIn)
		}
		if Latest().Less(a.RemovedIn) {
			t.Errorf("%s: RemovedIn %v is after Latest %v", key, a.RemovedIn, Latest())
		}
		if r, ok := LookupAPI(a.Replacement, a.Kind); ok && r.APIVersion != "policy/v1beta1" {
			t.Errorf("%s: Replacement %s is itself removed in %v", key, a.Replacement, r.RemovedIn)
		}
	}
	if len(seen) < 50 {
		t.Errorf("only %d entries; the deprecation guide has more", len(seen))
	}
}

// TestAgainstK8sAPILifecycle compares the table with the prerelease-lifecycle
// tags (APILifecycleDeprecated/APILifecycleRemoved) generated into the
// k8s.io/api and k8s.io/apiextensions-apiserver modules kvet builds with. It
// reads their source from the module cache so that the test adds no
// dependencies; it skips when the modules are not downloaded.
func TestAgainstK8sAPILifecycle(t *testing.T) {
	checked := 0
	for _, a := range APIs() {
		key := a.APIVersion + " " + a.Kind
		tags, ok := lifecycleTags(t, a.APIVersion)
		if !ok {
			continue
		}
		got, ok := tags[a.Kind]
		if !ok {
			continue // type dropped from the module (e.g. PodSecurityPolicy)
		}
		checked++
		if got.removed != a.RemovedIn {
			t.Errorf("%s: RemovedIn %v, lifecycle tag says %v", key, a.RemovedIn, got.removed)
		}
		if got.deprecated != a.DeprecatedIn {
			t.Errorf("%s: DeprecatedIn %v, lifecycle tag says %v", key, a.DeprecatedIn, got.deprecated)
		}
	}
	if checked == 0 {
		t.Skip("k8s.io/api source not in the module cache")
	}
	if checked < 40 {
		t.Errorf("checked only %d entries against lifecycle tags", checked)
	}
}

func TestParseTarget(t *testing.T) {
	for _, s := range []string{"1.16", "1.29", "v1.37.2", Latest().String()} {
		if _, err := ParseTarget(s); err != nil {
			t.Errorf("ParseTarget(%q): %v", s, err)
		}
	}
	for _, s := range []string{"1.15", "1.5", "1.38", "2.0", "1.99"} {
		_, err := ParseTarget(s)
		if err == nil || !strings.Contains(err.Error(), "1.16 to "+Latest().String()) {
			t.Errorf("ParseTarget(%q) = %v, want an error naming the range", s, err)
		}
	}
}
