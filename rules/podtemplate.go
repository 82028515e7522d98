package rules

import (
	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kvetdev/kvet/manifest"
)

// PodSpecRef is a pod spec found in an object, with the path of the spec
// (so findings point into the object that carries it: a CronJob's
// spec.jobTemplate.spec.template.spec).
type PodSpecRef struct {
	Path manifest.Path
	Spec *corev1.PodSpec
	// Meta is the pod template's metadata (the Pod's own for a Pod).
	Meta *metav1.ObjectMeta
	// InJob is true for the pod of a Job or a CronJob's job template.
	InJob bool
}

var (
	pathSpec            = manifest.Path{}.Field("spec")
	pathTemplateSpec    = pathSpec.Field("template").Field("spec")
	pathJobTemplateSpec = pathSpec.Field("jobTemplate").Field("spec").Field("template").Field("spec")
	pathPodTemplateSpec = manifest.Path{}.Field("template").Field("spec")
)

// PodSpecOf returns the pod spec an object runs, if it has one: that of a
// Pod, a PodTemplate, or the pod template of a workload of any served or
// removed API version.
func PodSpecOf(o *manifest.Object) (PodSpecRef, bool) {
	if tmpl := podTemplateOf(o.Typed); tmpl != nil {
		return PodSpecRef{Path: pathTemplateSpec, Spec: &tmpl.Spec, Meta: &tmpl.ObjectMeta}, true
	}
	switch t := o.Typed.(type) {
	case *corev1.Pod:
		return PodSpecRef{Path: pathSpec, Spec: &t.Spec, Meta: &t.ObjectMeta}, true
	case *appsv1.Deployment:
		return PodSpecRef{Path: pathTemplateSpec, Spec: &t.Spec.Template.Spec, Meta: &t.Spec.Template.ObjectMeta}, true
	case *appsv1.StatefulSet:
		return PodSpecRef{Path: pathTemplateSpec, Spec: &t.Spec.Template.Spec, Meta: &t.Spec.Template.ObjectMeta}, true
	case *appsv1.DaemonSet:
		return PodSpecRef{Path: pathTemplateSpec, Spec: &t.Spec.Template.Spec, Meta: &t.Spec.Template.ObjectMeta}, true
	case *appsv1.ReplicaSet:
		return PodSpecRef{Path: pathTemplateSpec, Spec: &t.Spec.Template.Spec, Meta: &t.Spec.Template.ObjectMeta}, true
	case *corev1.ReplicationController:
		if t.Spec.Template != nil {
			return PodSpecRef{Path: pathTemplateSpec, Spec: &t.Spec.Template.Spec, Meta: &t.Spec.Template.ObjectMeta}, true
		}
	case *batchv1.Job:
		return PodSpecRef{Path: pathTemplateSpec, Spec: &t.Spec.Template.Spec, Meta: &t.Spec.Template.ObjectMeta, InJob: true}, true
	case *batchv1.CronJob:
		tmpl := &t.Spec.JobTemplate.Spec.Template
		return PodSpecRef{Path: pathJobTemplateSpec, Spec: &tmpl.Spec, Meta: &tmpl.ObjectMeta, InJob: true}, true
	case *batchv1beta1.CronJob:
		tmpl := &t.Spec.JobTemplate.Spec.Template
		return PodSpecRef{Path: pathJobTemplateSpec, Spec: &tmpl.Spec, Meta: &tmpl.ObjectMeta, InJob: true}, true
	case *corev1.PodTemplate:
		return PodSpecRef{Path: pathPodTemplateSpec, Spec: &t.Template.Spec, Meta: &t.Template.ObjectMeta}, true
	}
	return PodSpecRef{}, false
}

// podTemplateOf returns spec.template of the workload kinds of the beta
// API versions (removed from clusters, still found in old charts).
func podTemplateOf(obj any) *corev1.PodTemplateSpec {
	switch t := obj.(type) {
	case *appsv1beta1.Deployment:
		return &t.Spec.Template
	case *appsv1beta1.StatefulSet:
		return &t.Spec.Template
	case *appsv1beta2.Deployment:
		return &t.Spec.Template
	case *appsv1beta2.StatefulSet:
		return &t.Spec.Template
	case *appsv1beta2.DaemonSet:
		return &t.Spec.Template
	case *appsv1beta2.ReplicaSet:
		return &t.Spec.Template
	case *extensionsv1beta1.Deployment:
		return &t.Spec.Template
	case *extensionsv1beta1.DaemonSet:
		return &t.Spec.Template
	case *extensionsv1beta1.ReplicaSet:
		return &t.Spec.Template
	}
	return nil
}

// JobSpecRef is a Job spec found in a Job or a CronJob's job template.
type JobSpecRef struct {
	Path manifest.Path
	Spec *batchv1.JobSpec
}

// JobSpecOf returns the Job spec of a Job or a batch/v1 CronJob.
func JobSpecOf(o *manifest.Object) (JobSpecRef, bool) {
	switch t := o.Typed.(type) {
	case *batchv1.Job:
		return JobSpecRef{Path: pathSpec, Spec: &t.Spec}, true
	case *batchv1.CronJob:
		return JobSpecRef{Path: pathSpec.Field("jobTemplate").Field("spec"), Spec: &t.Spec.JobTemplate.Spec}, true
	}
	return JobSpecRef{}, false
}
