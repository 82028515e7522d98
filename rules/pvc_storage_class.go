package rules

import (
	"errors"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// PVCStorageClass reports a PersistentVolumeClaim, or a StatefulSet's
// volumeClaimTemplate, naming a StorageClass that the run does not have.
var PVCStorageClass = &rule.Rule{
	ID:        "pvc-storage-class",
	Severity:  rule.Warning,
	Kinds:     []string{"v1/PersistentVolumeClaim", "apps/v1/StatefulSet"},
	Summaries: []*rule.Summary{refSigns, refIdents, embeddedClasses, pvClasses},
	TypedOnly: true,
	Check:     checkPVCStorageClass,
	Doc: `A PersistentVolumeClaim names a StorageClass that does not exist.

## What it does
Looks up the StorageClass (cluster-scoped) named by a PVC's
` + "`spec.storageClassName`" + ` and by each of a StatefulSet's
` + "`spec.volumeClaimTemplates[].spec.storageClassName`" + `. An empty name asks for
no class and an absent one for the default class: neither is judged, nor a
claim bound by ` + "`volumeName`" + `, nor a class that a PersistentVolume of the
same folder carries (static provisioning needs no StorageClass object), nor
a class that something in the run makes from a manifest it holds: a
ConfigMap's data or a Secret's stringData whose value is a StorageClass
manifest of that name, in any folder (Longhorn's installer keeps its
default class so, for its manager to create). Nor, unless
` + "`--require-references`" + `, a class that managed clusters and local distributions
make themselves: GKE's ` + "`standard`" + `, ` + "`standard-rwo`" + `, ` + "`premium-rwo`" + ` and Filestore
classes, EKS's ` + "`gp2`" + `, AKS's ` + "`default`" + `, ` + "`managed-*`" + ` and ` + "`azurefile*`" + `,
DigitalOcean's ` + "`do-block-storage`" + `, kind's, k3s's, Docker Desktop's and
MicroK8s's. A missing class is a finding only when the claim's folder, or
a folder above it, has StorageClasses, or with ` + "`--require-references`" + `. The StorageClasses and
PersistentVolumes are read from summaries, not kept. On ../shared/corpus
its 5 findings were all Longhorn's class made from its ConfigMap; with
that sign it has none.

## Why is this bad?
No provisioner serves the claim: it stays Pending, and so do the pods that
mount it, while the manifest applies without error.

## Example
` + "```yaml" + `
kind: PersistentVolumeClaim
spec:
  storageClassName: fast-ssd
---
kind: StorageClass
metadata: {name: ssd}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: PersistentVolumeClaim
spec:
  storageClassName: ssd
` + "```",
}

// embeddedClasses summarizes the StorageClasses that something in the
// run makes from a manifest it holds as text: a ConfigMap's data or a
// Secret's stringData whose value is itself a StorageClass manifest (an
// installer's or operator's: Longhorn's manager creates its default class
// from such a ConfigMap). Only values that contain "StorageClass" are
// parsed, and only the class names are kept.
var embeddedClasses = &rule.Summary{Kinds: []string{"v1/ConfigMap", "v1/Secret"}, Make: makeEmbeddedClasses}

func makeEmbeddedClasses(o *manifest.Object) any {
	var values map[string]string
	switch t := o.Typed.(type) {
	case *corev1.ConfigMap:
		values = t.Data
	case *corev1.Secret:
		values = t.StringData
	}
	var names []string
	for _, v := range values {
		if strings.Contains(v, "StorageClass") {
			names = append(names, storageClassNames(v)...)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return names
}

// maxEmbeddedDocs bounds the documents read of one embedded value.
const maxEmbeddedDocs = 64

// storageClassNames are the names of the StorageClass manifests in text
// (YAML or JSON, one or several documents); text that is not a manifest
// gives none.
func storageClassNames(text string) []string {
	var out []string
	dec := yaml.NewDecoder(strings.NewReader(text))
	for range maxEmbeddedDocs {
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Metadata   struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		}
		var typeErr *yaml.TypeError
		if err := dec.Decode(&doc); err != nil && !errors.As(err, &typeErr) {
			break // the end, or not YAML
		}
		if doc.Kind == "StorageClass" && strings.HasPrefix(doc.APIVersion, "storage.k8s.io/") && doc.Metadata.Name != "" {
			out = append(out, doc.Metadata.Name)
		}
	}
	return out
}

type embeddedClassesKey struct{}

// madeFromText reports whether something in the run makes the
// StorageClass name from a manifest it holds (embeddedClasses), in any
// folder: the manifest names the class, as a Certificate names its Secret.
func madeFromText(pass *rule.Pass, name string) bool {
	m := pass.Index.Memo(embeddedClassesKey{}, func() any {
		m := map[string]bool{}
		for _, v := range pass.Index.Summaries(embeddedClasses) {
			for _, n := range v.([]string) {
				m[n] = true
			}
		}
		return m
	}).(map[string]bool)
	return m[name]
}

// pvClasses summarizes the classes the run's PersistentVolumes carry
// (static provisioning needs no StorageClass object).
var pvClasses = &rule.Summary{Kinds: []string{"v1/PersistentVolume"}, Make: makePVClass}

// pvClass is a PersistentVolume's class and folder.
type pvClass struct{ folder, class string }

func makePVClass(o *manifest.Object) any {
	if t, ok := o.Typed.(*corev1.PersistentVolume); ok && t.Spec.StorageClassName != "" {
		return pvClass{folderOf(o), t.Spec.StorageClassName}
	}
	return nil
}

type pvClassesKey struct{}

// platformClasses are the StorageClasses that a managed cluster or a
// local distribution makes itself, as documented by each: seldom in the
// claims' repository (on bench/gen's sets, whose folders mix
// repositories, they were every claim of a folder with other classes).
var platformClasses = map[string]bool{
	// GKE (Persistent Disk CSI and Filestore CSI); kind and minikube.
	"standard": true, "standard-rwo": true, "premium-rwo": true,
	"standard-rwx": true, "premium-rwx": true, "enterprise-rwx": true, "enterprise-multishare-rwx": true, "zonal-rwx": true,
	// EKS.
	"gp2": true,
	// AKS.
	"default": true, "managed": true, "managed-premium": true, "managed-csi": true, "managed-csi-premium": true,
	"azurefile": true, "azurefile-premium": true, "azurefile-csi": true, "azurefile-csi-premium": true,
	// DigitalOcean, k3s, Docker Desktop, MicroK8s.
	"do-block-storage": true, "local-path": true, "hostpath": true, "microk8s-hostpath": true,
}

func checkPVCStorageClass(pass *rule.Pass, o *manifest.Object) {
	check := func(at manifest.Path, spec *corev1.PersistentVolumeClaimSpec) {
		sc := spec.StorageClassName
		if sc == nil || *sc == "" || spec.VolumeName != "" {
			return
		}
		if len(lookup(pass, o, "storage.k8s.io", "StorageClass", *sc)) > 0 || !mustExist(pass, o, "storage.k8s.io", "StorageClass", *sc) ||
			madeFromText(pass, *sc) || !pass.Settings.Complete && platformClasses[*sc] {
			return
		}
		pvs := pass.Index.Memo(pvClassesKey{}, func() any {
			m := map[string]bool{}
			for _, v := range pass.Index.Summaries(pvClasses) {
				pv := v.(pvClass)
				m[pv.class] = true
				m[pv.folder+"\x00"+pv.class] = true
			}
			return m
		}).(map[string]bool)
		if pass.Settings.Complete && pvs[*sc] || pvs[folderOf(o)+"\x00"+*sc] {
			return
		}
		pass.Reportf(at.Field("storageClassName"), fmt.Sprintf("name one of the StorageClasses of the files, or create StorageClass %s", *sc),
			"StorageClass %q does not exist among the linted files: no provisioner serves this claim, so it stays Pending", *sc)
	}
	switch t := o.Typed.(type) {
	case *corev1.PersistentVolumeClaim:
		check(manifest.Path{}.Field("spec"), &t.Spec)
	case *appsv1.StatefulSet:
		for i := range t.Spec.VolumeClaimTemplates {
			check(manifest.Path{}.Field("spec").Field("volumeClaimTemplates").Item(i).Field("spec"), &t.Spec.VolumeClaimTemplates[i].Spec)
		}
	}
}
