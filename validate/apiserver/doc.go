// Package apiserver runs the Kubernetes API server's own create-time
// defaulting and validation on built-in objects, so kvet can report every
// error that `kubectl apply` would get back from the server before the object
// ever reaches a cluster.
//
// It does not re-implement any check. For a supported kind it mirrors what the
// API server does on create:
//
//  1. deep-copy the caller's external (k8s.io/api) object,
//  2. apply the scheme defaults (the defaulting the server's decoder applies),
//  3. convert it to the internal type,
//  4. default the namespace to "default" for namespaced kinds (as kubectl
//     does) and clear it for cluster-scoped ones (as the server does), fill in
//     a name from generateName and the system fields (uid, creationTimestamp),
//  5. run the kind's create preparation from the registry strategy
//     (k8s.io/kubernetes/pkg/registry/...: PrepareForCreate), e.g. a Job's
//     generated selector and job-name / controller-uid template labels,
//  6. run the strategy's handwritten create validation from
//     k8s.io/kubernetes/pkg/apis/*/validation with the same option helpers,
//     then (if that found nothing) the generic ObjectMeta checks, then
//  7. the declarative validation generated into the scheme, merged with the
//     handwritten errors exactly as k8s.io/apiserver/pkg/registry/rest does.
//
// Feature gates have their default values for the Kubernetes version
// reported by KubernetesVersion.
//
// Not covered: admission plugins (LimitRanger, ServiceAccount, PodSecurity,
// ResourceQuota, webhooks...), checks against existing cluster state
// (immutability on update, name conflicts, missing namespaces) and
// unknown/duplicate-field errors from the server's strict decoding.
package apiserver
