package rule

import "github.com/kvetdev/kvet/manifest"

// clusterScoped lists the cluster-scoped kinds of Kubernetes' built-in API
// groups (and of a few add-ons found everywhere), by "group/Kind". Any
// other kind is taken as namespaced: kvet does not read CRDs' scope.
var clusterScoped = map[string]bool{
	"/Namespace": true, "/Node": true, "/PersistentVolume": true, "/ComponentStatus": true,
	"rbac.authorization.k8s.io/ClusterRole":                         true,
	"rbac.authorization.k8s.io/ClusterRoleBinding":                  true,
	"storage.k8s.io/StorageClass":                                   true,
	"storage.k8s.io/CSIDriver":                                      true,
	"storage.k8s.io/CSINode":                                        true,
	"storage.k8s.io/VolumeAttachment":                               true,
	"storage.k8s.io/VolumeAttributesClass":                          true,
	"scheduling.k8s.io/PriorityClass":                               true,
	"node.k8s.io/RuntimeClass":                                      true,
	"networking.k8s.io/IngressClass":                                true,
	"networking.k8s.io/IPAddress":                                   true,
	"networking.k8s.io/ServiceCIDR":                                 true,
	"apiextensions.k8s.io/CustomResourceDefinition":                 true,
	"apiregistration.k8s.io/APIService":                             true,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration":     true,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration":   true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy":        true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicy":          true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding":   true,
	"certificates.k8s.io/CertificateSigningRequest":                 true,
	"certificates.k8s.io/ClusterTrustBundle":                        true,
	"flowcontrol.apiserver.k8s.io/FlowSchema":                       true,
	"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration":       true,
	"policy/PodSecurityPolicy":                                      true,
	"resource.k8s.io/DeviceClass":                                   true,
	"gateway.networking.k8s.io/GatewayClass":                        true,
	"cert-manager.io/ClusterIssuer":                                 true,
}

// ClusterScoped reports whether objects of this group ("" for the core
// group) and kind belong to no namespace.
func ClusterScoped(group, kind string) bool { return clusterScoped[group+"/"+kind] }

// ScopeNamespace is the namespace that, with group, kind and name,
// identifies o in a cluster: "" for a cluster-scoped kind (the server
// ignores a namespace written there), else EffectiveNamespace.
func ScopeNamespace(o *manifest.Object) string {
	if ClusterScoped(o.Group(), o.Kind) {
		return ""
	}
	return EffectiveNamespace(o)
}
