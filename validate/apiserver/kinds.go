package apiserver

// The per-kind create preparation and validation below mirrors the registry
// strategies of Kubernetes (k8s.io/kubernetes/pkg/registry/<group>/<kind>/
// strategy.go: PrepareForCreate, Validate, DeclarativeValidationConfig) of the
// version in go.mod. The strategies themselves are not imported because they
// pull in the API server's storage stack (etcd client, grpc...), roughly
// doubling the dependency graph; where a strategy calls an unexported helper
// it is copied here with a note.

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericfeatures "k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/registry/rest"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/component-base/featuregate"
	jobutil "k8s.io/kubernetes/pkg/api/job"
	pvcutil "k8s.io/kubernetes/pkg/api/persistentvolumeclaim"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	apiservice "k8s.io/kubernetes/pkg/api/service"
	"k8s.io/kubernetes/pkg/apis/admissionregistration"
	admissionregistrationvalidation "k8s.io/kubernetes/pkg/apis/admissionregistration/validation"
	"k8s.io/kubernetes/pkg/apis/apps"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	autoscalingvalidation "k8s.io/kubernetes/pkg/apis/autoscaling/validation"
	"k8s.io/kubernetes/pkg/apis/batch"
	batchvalidation "k8s.io/kubernetes/pkg/apis/batch/validation"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/apis/core/helper/qos"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/networking"
	networkingvalidation "k8s.io/kubernetes/pkg/apis/networking/validation"
	"k8s.io/kubernetes/pkg/apis/policy"
	policyvalidation "k8s.io/kubernetes/pkg/apis/policy/validation"
	"k8s.io/kubernetes/pkg/apis/rbac"
	rbacvalidation "k8s.io/kubernetes/pkg/apis/rbac/validation"
	"k8s.io/kubernetes/pkg/apis/scheduling"
	schedulingvalidation "k8s.io/kubernetes/pkg/apis/scheduling/validation"
	"k8s.io/kubernetes/pkg/apis/storage"
	storagevalidation "k8s.io/kubernetes/pkg/apis/storage/validation"
	"k8s.io/kubernetes/pkg/features"
)

// kind describes how the API server creates one kind (all served versions).
type kind struct {
	group      string
	name       string
	resource   string   // plural resource name, for the request info
	versions   []string // versions the API server serves for this kind
	namespaced bool
	// prepare mirrors the strategy's PrepareForCreate on the internal object.
	prepare func(obj runtime.Object)
	// validate mirrors the strategy's Validate on the internal object.
	validate func(obj runtime.Object) field.ErrorList
	// dvConfig mirrors the strategy's DeclarativeValidationConfig; nil means
	// the zero config (rest.DeclarativeValidation's default).
	dvConfig func(obj runtime.Object) rest.DeclarativeValidationConfig
}

func gate(f featuregate.Feature) bool {
	return utilfeature.DefaultFeatureGate.Enabled(f)
}

var kinds = []kind{
	// ---- core/v1 ----
	{
		group: "", name: "Pod", resource: "pods", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			pod := obj.(*api.Pod)
			pod.Generation = 1
			pod.Status = api.PodStatus{Phase: api.PodPending}
			podutil.DropDisabledPodFields(pod, nil)
			applySchedulingGatedCondition(pod)
			mutatePodAffinity(pod)
			mutateTopologySpreadConstraints(pod)
			applyAppArmorVersionSkew(pod)
			podutil.DefaultPodLevelResources(pod)
			pod.Status.QOSClass = qos.GetPodQOS(pod)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			pod := obj.(*api.Pod)
			opts := podutil.GetValidationOptionsFromPodSpecAndMeta(&pod.Spec, nil, &pod.ObjectMeta, nil)
			opts.ResourceIsPod = true
			return corevalidation.ValidatePodCreate(pod, opts)
		},
	},
	{
		group: "", name: "Service", resource: "services", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			svc := obj.(*api.Service)
			svc.Status = api.ServiceStatus{}
			// The service REST storage's normalizeClusterIPs, run on create
			// before validation: a client that sets only the singular
			// clusterIP (clusterIP: None for a headless Service) gets the
			// plural initialised from it.
			if len(svc.Spec.ClusterIP) > 0 && len(svc.Spec.ClusterIPs) == 0 {
				svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
			}
			// The allocator, also before validation, gives a LoadBalancer
			// with externalTrafficPolicy: Local a health-check node port;
			// a placeholder in the node port range stands in for it.
			if apiservice.NeedsHealthCheck(svc) && svc.Spec.HealthCheckNodePort == 0 {
				svc.Spec.HealthCheckNodePort = 30000
			}
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateServiceCreate(obj.(*api.Service))
		},
	},
	{
		group: "", name: "ConfigMap", resource: "configmaps", versions: []string{"v1"}, namespaced: true,
		prepare: func(runtime.Object) {},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateConfigMap(obj.(*api.ConfigMap))
		},
	},
	{
		group: "", name: "Secret", resource: "secrets", versions: []string{"v1"}, namespaced: true,
		prepare: func(runtime.Object) {},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateSecret(obj.(*api.Secret))
		},
	},
	{
		group: "", name: "PersistentVolumeClaim", resource: "persistentvolumeclaims", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			pvc := obj.(*api.PersistentVolumeClaim)
			pvc.Status = api.PersistentVolumeClaimStatus{}
			pvcutil.DropDisabledFields(&pvc.Spec, nil)
			pvcutil.EnforceDataSourceBackwardsCompatibility(&pvc.Spec, nil)
			pvcutil.NormalizeDataSources(&pvc.Spec)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			pvc := obj.(*api.PersistentVolumeClaim)
			opts := corevalidation.ValidationOptionsForPersistentVolumeClaim(pvc, nil)
			return corevalidation.ValidatePersistentVolumeClaim(pvc, opts)
		},
	},
	{
		group: "", name: "ServiceAccount", resource: "serviceaccounts", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			// cleanSecretReferences
			sa := obj.(*api.ServiceAccount)
			for i, secret := range sa.Secrets {
				sa.Secrets[i] = api.ObjectReference{Name: secret.Name}
			}
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateServiceAccount(obj.(*api.ServiceAccount))
		},
	},
	{
		group: "", name: "Namespace", resource: "namespaces", versions: []string{"v1"}, namespaced: false,
		prepare: func(obj runtime.Object) {
			ns := obj.(*api.Namespace)
			ns.Status = api.NamespaceStatus{Phase: api.NamespaceActive}
			for _, f := range ns.Spec.Finalizers {
				if f == api.FinalizerKubernetes {
					return
				}
			}
			ns.Spec.Finalizers = append(ns.Spec.Finalizers, api.FinalizerKubernetes)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateNamespace(obj.(*api.Namespace))
		},
	},
	{
		group: "", name: "ReplicationController", resource: "replicationcontrollers", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			rc := obj.(*api.ReplicationController)
			rc.Status = api.ReplicationControllerStatus{}
			rc.Generation = 1
			podutil.DropDisabledTemplateFields(rc.Spec.Template, nil)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			rc := obj.(*api.ReplicationController)
			opts := podutil.GetValidationOptionsFromPodTemplate(rc.Spec.Template, nil)
			return corevalidation.ValidateReplicationController(rc, opts)
		},
	},
	{
		group: "", name: "LimitRange", resource: "limitranges", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			lr := obj.(*api.LimitRange)
			if lr.Name == "" {
				lr.Name = string(fakeUID) // the server uses a random UUID
			}
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateLimitRange(obj.(*api.LimitRange))
		},
	},
	{
		group: "", name: "ResourceQuota", resource: "resourcequotas", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			obj.(*api.ResourceQuota).Status = api.ResourceQuotaStatus{}
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateResourceQuota(obj.(*api.ResourceQuota))
		},
	},

	// ---- apps/v1 ----
	{
		group: "apps", name: "Deployment", resource: "deployments", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			d := obj.(*apps.Deployment)
			d.Status = apps.DeploymentStatus{}
			d.Generation = 1
			podutil.DropDisabledTemplateFields(&d.Spec.Template, nil)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			d := obj.(*apps.Deployment)
			opts := podutil.GetValidationOptionsFromPodTemplate(&d.Spec.Template, nil)
			return appsvalidation.ValidateDeployment(d, opts)
		},
	},
	{
		group: "apps", name: "ReplicaSet", resource: "replicasets", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			rs := obj.(*apps.ReplicaSet)
			rs.Status = apps.ReplicaSetStatus{}
			rs.Generation = 1
			podutil.DropDisabledTemplateFields(&rs.Spec.Template, nil)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			rs := obj.(*apps.ReplicaSet)
			opts := podutil.GetValidationOptionsFromPodTemplate(&rs.Spec.Template, nil)
			return appsvalidation.ValidateReplicaSet(rs, opts)
		},
	},
	{
		group: "apps", name: "StatefulSet", resource: "statefulsets", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			ss := obj.(*apps.StatefulSet)
			ss.Status = apps.StatefulSetStatus{}
			ss.Generation = 1
			// dropStatefulSetDisabledFields(ss, nil)
			if !gate(features.MaxUnavailableStatefulSet) && ss.Spec.UpdateStrategy.RollingUpdate != nil {
				ss.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = nil
			}
			podutil.DropDisabledTemplateFields(&ss.Spec.Template, nil)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			ss := obj.(*apps.StatefulSet)
			opts := podutil.GetValidationOptionsFromPodTemplate(&ss.Spec.Template, nil)
			setOpts := appsvalidation.StatefulSetValidationOptions{
				AllowInvalidServiceName:          false, // require valid serviceNames in new StatefulSets
				AllowStatefulSetRecreateStrategy: gate(features.StatefulSetRecreateStrategy),
			}
			return appsvalidation.ValidateStatefulSet(ss, setOpts, opts)
		},
	},
	{
		group: "apps", name: "DaemonSet", resource: "daemonsets", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			ds := obj.(*apps.DaemonSet)
			ds.Status = apps.DaemonSetStatus{}
			ds.Generation = 1
			if ds.Spec.TemplateGeneration < 1 {
				ds.Spec.TemplateGeneration = 1
			}
			podutil.DropDisabledTemplateFields(&ds.Spec.Template, nil)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			ds := obj.(*apps.DaemonSet)
			opts := podutil.GetValidationOptionsFromPodTemplate(&ds.Spec.Template, nil)
			return appsvalidation.ValidateDaemonSet(ds, opts)
		},
	},

	// ---- batch/v1 (batch/v1beta1 is no longer served) ----
	{
		group: "batch", name: "Job", resource: "jobs", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			job := obj.(*batch.Job)
			if job.Spec.ManualSelector == nil || !*job.Spec.ManualSelector {
				generateJobSelector(job)
			}
			job.Status = batch.JobStatus{}
			job.Generation = 1
			if !gate(features.JobManagedBy) {
				job.Spec.ManagedBy = nil
			}
			jobutil.DropDisabledFields(&job.Spec, nil)
			podutil.DropDisabledTemplateFields(&job.Spec.Template, nil)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			job := obj.(*batch.Job)
			opts := batchvalidation.JobValidationOptions{
				PodValidationOptions:  podutil.GetValidationOptionsFromPodTemplate(&job.Spec.Template, nil),
				RequirePrefixedLabels: true,
			}
			return batchvalidation.ValidateJobCreate(job, opts)
		},
		dvConfig: workloadWithJobConfig,
	},
	{
		group: "batch", name: "CronJob", resource: "cronjobs", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			cj := obj.(*batch.CronJob)
			cj.Status = batch.CronJobStatus{}
			cj.Generation = 1
			jobutil.DropDisabledFields(&cj.Spec.JobTemplate.Spec, nil)
			podutil.DropDisabledTemplateFields(&cj.Spec.JobTemplate.Spec.Template, nil)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			cj := obj.(*batch.CronJob)
			opts := podutil.GetValidationOptionsFromPodTemplate(&cj.Spec.JobTemplate.Spec.Template, nil)
			return batchvalidation.ValidateCronJobCreate(cj, opts)
		},
		dvConfig: workloadWithJobConfig,
	},

	// ---- policy/v1 ----
	{
		group: "policy", name: "PodDisruptionBudget", resource: "poddisruptionbudgets", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			pdb := obj.(*policy.PodDisruptionBudget)
			pdb.Status = policy.PodDisruptionBudgetStatus{}
			pdb.Generation = 1
			// dropDisabledFields(pdb, nil)
			switch {
			case equalSelector(pdb.Spec.Selector, policy.NonV1beta1MatchNoneSelector):
			case equalSelector(pdb.Spec.Selector, policy.NonV1beta1MatchAllSelector):
			default:
				policy.StripPDBV1beta1Label(pdb.Spec.Selector)
			}
		},
		validate: func(obj runtime.Object) field.ErrorList {
			pdb := obj.(*policy.PodDisruptionBudget)
			opts := policyvalidation.PodDisruptionBudgetValidationOptions{AllowInvalidLabelValueInSelector: false}
			return policyvalidation.ValidatePodDisruptionBudget(pdb, opts)
		},
	},

	// ---- autoscaling/v1, autoscaling/v2 ----
	{
		group: "autoscaling", name: "HorizontalPodAutoscaler", resource: "horizontalpodautoscalers", versions: []string{"v1", "v2"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			hpa := obj.(*autoscaling.HorizontalPodAutoscaler)
			hpa.Status = autoscaling.HorizontalPodAutoscalerStatus{}
			if gate(features.HPAGeneration) {
				hpa.Generation = 1
			}
			// dropDisabledFields(hpa, nil)
			if !gate(features.HPAConfigurableTolerance) && hpa.Spec.Behavior != nil {
				for _, sr := range []*autoscaling.HPAScalingRules{hpa.Spec.Behavior.ScaleDown, hpa.Spec.Behavior.ScaleUp} {
					if sr != nil {
						sr.Tolerance = nil
					}
				}
			}
		},
		validate: func(obj runtime.Object) field.ErrorList {
			hpa := obj.(*autoscaling.HorizontalPodAutoscaler)
			return autoscalingvalidation.ValidateHorizontalPodAutoscaler(hpa, hpaCreateOptions(hpa))
		},
		dvConfig: func(runtime.Object) rest.DeclarativeValidationConfig {
			return rest.DeclarativeValidationConfig{Options: map[string]bool{
				string(features.HPAScaleToZero): gate(features.HPAScaleToZero),
			}}
		},
	},

	// ---- networking.k8s.io/v1 ----
	{
		group: "networking.k8s.io", name: "Ingress", resource: "ingresses", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			ing := obj.(*networking.Ingress)
			ing.Status = networking.IngressStatus{}
			ing.Generation = 1
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return networkingvalidation.ValidateIngressCreate(obj.(*networking.Ingress))
		},
	},
	{
		group: "networking.k8s.io", name: "NetworkPolicy", resource: "networkpolicies", versions: []string{"v1"}, namespaced: true,
		prepare: func(obj runtime.Object) {
			obj.(*networking.NetworkPolicy).Generation = 1
		},
		validate: func(obj runtime.Object) field.ErrorList {
			np := obj.(*networking.NetworkPolicy)
			return networkingvalidation.ValidateNetworkPolicy(np, networkingvalidation.ValidationOptionsForNetworking(np, nil))
		},
	},

	// ---- rbac.authorization.k8s.io/v1 ----
	{
		group: "rbac.authorization.k8s.io", name: "Role", resource: "roles", versions: []string{"v1"}, namespaced: true,
		prepare: func(runtime.Object) {},
		validate: func(obj runtime.Object) field.ErrorList {
			return rbacvalidation.ValidateRole(obj.(*rbac.Role))
		},
	},
	{
		group: "rbac.authorization.k8s.io", name: "ClusterRole", resource: "clusterroles", versions: []string{"v1"}, namespaced: false,
		prepare: func(runtime.Object) {},
		validate: func(obj runtime.Object) field.ErrorList {
			opts := rbacvalidation.ClusterRoleValidationOptions{AllowInvalidLabelValueInSelector: false}
			return rbacvalidation.ValidateClusterRole(obj.(*rbac.ClusterRole), opts)
		},
	},
	{
		group: "rbac.authorization.k8s.io", name: "RoleBinding", resource: "rolebindings", versions: []string{"v1"}, namespaced: true,
		prepare: func(runtime.Object) {},
		validate: func(obj runtime.Object) field.ErrorList {
			return rbacvalidation.ValidateRoleBinding(obj.(*rbac.RoleBinding))
		},
		dvConfig: shortCircuitConfig,
	},
	{
		group: "rbac.authorization.k8s.io", name: "ClusterRoleBinding", resource: "clusterrolebindings", versions: []string{"v1"}, namespaced: false,
		prepare: func(runtime.Object) {},
		validate: func(obj runtime.Object) field.ErrorList {
			return rbacvalidation.ValidateClusterRoleBinding(obj.(*rbac.ClusterRoleBinding))
		},
		dvConfig: shortCircuitConfig,
	},

	// ---- admissionregistration.k8s.io/v1 ----
	// The strategies' authorization of paramKind and paramRef needs a
	// cluster's authorizer and is left out; static-suffix naming only
	// applies with the ManifestBasedAdmissionControlConfig gate, off by
	// default.
	{
		group: "admissionregistration.k8s.io", name: "ValidatingAdmissionPolicy", resource: "validatingadmissionpolicies", versions: []string{"v1"}, namespaced: false,
		prepare: func(obj runtime.Object) {
			p := obj.(*admissionregistration.ValidatingAdmissionPolicy)
			p.Status = admissionregistration.ValidatingAdmissionPolicyStatus{}
			p.Generation = 1
		},
		validate: func(obj runtime.Object) field.ErrorList {
			p := obj.(*admissionregistration.ValidatingAdmissionPolicy)
			errs := admissionregistrationvalidation.ValidateValidatingAdmissionPolicy(p)
			if gate(genericfeatures.ManifestBasedAdmissionControlConfig) {
				errs = append(errs, admissionregistrationvalidation.ValidateStaticSuffix(p.Name, field.NewPath("metadata", "name"))...)
			}
			return errs
		},
	},
	{
		group: "admissionregistration.k8s.io", name: "ValidatingAdmissionPolicyBinding", resource: "validatingadmissionpolicybindings", versions: []string{"v1"}, namespaced: false,
		prepare: func(obj runtime.Object) {
			obj.(*admissionregistration.ValidatingAdmissionPolicyBinding).Generation = 1
		},
		validate: func(obj runtime.Object) field.ErrorList {
			b := obj.(*admissionregistration.ValidatingAdmissionPolicyBinding)
			errs := admissionregistrationvalidation.ValidateValidatingAdmissionPolicyBinding(b)
			if gate(genericfeatures.ManifestBasedAdmissionControlConfig) {
				errs = append(errs, admissionregistrationvalidation.ValidateStaticSuffix(b.Name, field.NewPath("metadata", "name"))...)
			}
			return errs
		},
	},

	// ---- scheduling.k8s.io/v1 ----
	{
		group: "scheduling.k8s.io", name: "PriorityClass", resource: "priorityclasses", versions: []string{"v1"}, namespaced: false,
		prepare: func(obj runtime.Object) {
			obj.(*scheduling.PriorityClass).Generation = 1
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return schedulingvalidation.ValidatePriorityClass(obj.(*scheduling.PriorityClass))
		},
	},

	// ---- storage.k8s.io/v1 ----
	{
		group: "storage.k8s.io", name: "StorageClass", resource: "storageclasses", versions: []string{"v1"}, namespaced: false,
		prepare: func(runtime.Object) {},
		validate: func(obj runtime.Object) field.ErrorList {
			return storagevalidation.ValidateStorageClass(obj.(*storage.StorageClass))
		},
	},
}

func workloadWithJobConfig(runtime.Object) rest.DeclarativeValidationConfig {
	return rest.DeclarativeValidationConfig{Options: map[string]bool{
		string(features.WorkloadWithJob): gate(features.WorkloadWithJob),
	}}
}

func shortCircuitConfig(runtime.Object) rest.DeclarativeValidationConfig {
	// RoleRef is immutable: match declarative short-circuit errors with
	// handwritten child-field errors (as the rbac binding strategies do).
	return rest.DeclarativeValidationConfig{ShortCircuitMismatch: true}
}

// generateJobSelector is the job strategy's generateSelector: it adds the
// job-name and controller-uid labels to the pod template and selects the
// controller-uid label, unless the user set them.
func generateJobSelector(job *batch.Job) {
	if job.Spec.Template.Labels == nil {
		job.Spec.Template.Labels = make(map[string]string)
	}
	for _, l := range []string{batch.LegacyJobNameLabel, batch.JobNameLabel} {
		if _, found := job.Spec.Template.Labels[l]; !found {
			job.Spec.Template.Labels[l] = job.Name
		}
	}
	for _, l := range []string{batch.LegacyControllerUidLabel, batch.ControllerUidLabel} {
		if _, found := job.Spec.Template.Labels[l]; !found {
			job.Spec.Template.Labels[l] = string(job.UID)
		}
	}
	if job.Spec.Selector == nil {
		job.Spec.Selector = &metav1.LabelSelector{}
	}
	if job.Spec.Selector.MatchLabels == nil {
		job.Spec.Selector.MatchLabels = make(map[string]string)
	}
	if _, found := job.Spec.Selector.MatchLabels[batch.ControllerUidLabel]; !found {
		job.Spec.Selector.MatchLabels[batch.ControllerUidLabel] = string(job.UID)
	}
}

// hpaCreateOptions is the HPA strategy's
// validationOptionsForHorizontalPodAutoscaler(newHPA, nil).
func hpaCreateOptions(hpa *autoscaling.HorizontalPodAutoscaler) autoscalingvalidation.HorizontalPodAutoscalerSpecValidationOptions {
	opts := autoscalingvalidation.HorizontalPodAutoscalerSpecValidationOptions{
		MinReplicasLowerBound: 1,
		ScaleTargetRefValidationOptions: autoscalingvalidation.CrossVersionObjectReferenceValidationOptions{
			AllowInvalidAPIVersion: false, AllowEmptyAPIGroup: false, RequiredCoveredByDeclarative: true,
		},
		ObjectMetricsValidationOptions: autoscalingvalidation.CrossVersionObjectReferenceValidationOptions{
			AllowInvalidAPIVersion: false, AllowEmptyAPIGroup: true,
		},
	}
	if gate(features.HPAScaleToZero) {
		opts.MinReplicasLowerBound = 0
	}
	if hpa.Spec.ScaleTargetRef.Kind == "ReplicationController" {
		// allow empty apiVersion for the only scalable type in the core v1 API.
		opts.ScaleTargetRefValidationOptions.AllowEmptyAPIGroup = true
	}
	return opts
}
