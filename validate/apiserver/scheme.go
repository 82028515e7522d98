package apiserver

import (
	"k8s.io/kubernetes/pkg/capabilities"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	admissionregistrationinstall "k8s.io/kubernetes/pkg/apis/admissionregistration/install"
	appsinstall "k8s.io/kubernetes/pkg/apis/apps/install"
	autoscalinginstall "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	batchinstall "k8s.io/kubernetes/pkg/apis/batch/install"
	coreinstall "k8s.io/kubernetes/pkg/apis/core/install"
	networkinginstall "k8s.io/kubernetes/pkg/apis/networking/install"
	policyinstall "k8s.io/kubernetes/pkg/apis/policy/install"
	rbacinstall "k8s.io/kubernetes/pkg/apis/rbac/install"
	schedulinginstall "k8s.io/kubernetes/pkg/apis/scheduling/install"
	storageinstall "k8s.io/kubernetes/pkg/apis/storage/install"
)

// scheme returns kvet's private scheme holding the internal and external
// types, defaulting funcs, conversions and declarative validations of every
// group kvet validates. It is built once, on first use, and only read
// afterwards (runtime.Scheme is safe for concurrent reads).
var scheme = sync.OnceValue(newScheme)

func newScheme() *runtime.Scheme {
	// The API server's --allow-privileged: on in kubeadm, GKE, EKS, AKS
	// and kind clusters (its default of false would reject every
	// privileged container as "disallowed by cluster policy"). Pod
	// Security admission, not validation, is where clusters restrict it.
	capabilities.Setup(true, 0)
	s := runtime.NewScheme()
	coreinstall.Install(s)
	admissionregistrationinstall.Install(s)
	appsinstall.Install(s)
	batchinstall.Install(s)
	policyinstall.Install(s)
	autoscalinginstall.Install(s)
	networkinginstall.Install(s)
	rbacinstall.Install(s)
	schedulinginstall.Install(s)
	storageinstall.Install(s)
	return s
}
