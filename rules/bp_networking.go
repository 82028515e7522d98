package rules

import (
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// IngressTLS asks Ingresses for TLS.
var IngressTLS = &rule.Rule{
	ID: "ingress-tls", Severity: rule.Warning,
	Kinds: []string{"networking.k8s.io/*/Ingress", "extensions/v1beta1/Ingress"}, Off: true, Sets: []string{"networking"},
	Check: checkIngressTLS,
	Doc: bpDoc("An Ingress serves plain HTTP: it has no spec.tls.",
		`Reports an Ingress with rules or a default backend and no spec.tls.`,
		`Without TLS the traffic, cookies and credentials included, crosses the
network in clear text, and browsers mark the site as not secure.`,
		`kind: Ingress
spec:
  rules:
    - host: shop.example.com`,
		`kind: Ingress
spec:
  tls:
    - hosts: [shop.example.com]
      secretName: shop-tls      # e.g. issued by cert-manager
  rules:
    - host: shop.example.com`),
}

func checkIngressTLS(pass *rule.Pass, o *manifest.Object) {
	var tls, used bool
	switch t := o.Typed.(type) {
	case *networkingv1.Ingress:
		tls, used = len(t.Spec.TLS) > 0, len(t.Spec.Rules) > 0 || t.Spec.DefaultBackend != nil
	case *networkingv1beta1.Ingress:
		tls, used = len(t.Spec.TLS) > 0, len(t.Spec.Rules) > 0 || t.Spec.Backend != nil
	case *extensionsv1beta1.Ingress:
		tls, used = len(t.Spec.TLS) > 0, len(t.Spec.Rules) > 0 || t.Spec.Backend != nil
	default:
		return
	}
	if tls || !used {
		return
	}
	pass.Reportf(pathSpec.Field("tls"),
		"add spec.tls with the hosts and the Secret of their certificate (cert-manager can issue it)",
		"Ingress %q serves plain HTTP: it has no spec.tls", o.Name)
}

// ServiceNodePort reports Services of type NodePort.
var ServiceNodePort = &rule.Rule{
	ID: "service-node-port", Severity: rule.Warning, Kinds: []string{"v1/Service"}, Off: true, Sets: []string{"networking"},
	Check: checkServiceNodePort,
	Doc: bpDoc("A Service is of type NodePort.",
		`Reports a Service whose spec.type is NodePort. (A LoadBalancer also opens
node ports, but it is the intended way to expose a service; kube-linter's
exposed-services reports both.)`,
		`A NodePort opens the port on every node of the cluster, to whatever can
reach the nodes, bypassing the Ingress or load balancer where TLS,
authentication and rate limits live; the port range (30000-32767) is
shared by the whole cluster, so ports clash.`,
		`kind: Service
spec:
  type: NodePort
  ports: [{port: 80, targetPort: 8080}]`,
		`kind: Service
spec:
  type: ClusterIP          # reached through an Ingress or a Gateway
  ports: [{port: 80, targetPort: 8080}]`),
}

func checkServiceNodePort(pass *rule.Pass, o *manifest.Object) {
	s, ok := o.Typed.(*corev1.Service)
	if !ok || s.Spec.Type != corev1.ServiceTypeNodePort {
		return
	}
	pass.Reportf(pathSpec.Field("type"),
		"use type ClusterIP behind an Ingress or Gateway (or LoadBalancer); keep NodePort for clusters with no load balancer",
		"Service %q is of type NodePort: it opens a port on every node", o.Name)
}
