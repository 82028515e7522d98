package rules

import (
	"reflect"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kvetdev/kvet/manifest"
)

// pssPlace says where a Pod Security check's problem is, for each part of
// a pod the check can fail on: the field relative to the pod spec, to a
// container or to a volume (nil: the part itself), and the fix. The
// checks' fields are read from k8s.io/pod-security-admission/policy's
// check_*.go; TestPodSecurityPlacesCoverEveryCheck fails when upstream
// adds a check this table does not know (which is then reported at the
// pod spec, not lost).
type pssPlace struct {
	// meta, when it returns a path, places a pod-level failure in the pod
	// template's metadata instead (a deprecated annotation).
	meta      func(*metav1.ObjectMeta, *corev1.PodSpec) manifest.Path
	pod       func(*corev1.PodSpec) manifest.Path
	container func(*corev1.Container) manifest.Path
	volume    func(*corev1.Volume) manifest.Path
	help      string
}

// securityContext returns the function giving securityContext.<fields>
// of a pod or a container.
func securityContext[T any](fields ...string) func(T) manifest.Path {
	p := manifest.Path{}.Field("securityContext")
	for _, f := range fields {
		p = p.Field(f)
	}
	return func(T) manifest.Path { return p }
}

var pssPlaces = map[string]pssPlace{
	"allowPrivilegeEscalation": {
		container: securityContext[*corev1.Container]("allowPrivilegeEscalation"),
		help:      "set securityContext.allowPrivilegeEscalation: false on the container",
	},
	"appArmorProfile": {
		meta:      appArmorAnnotation,
		pod:       securityContext[*corev1.PodSpec]("appArmorProfile", "type"),
		container: securityContext[*corev1.Container]("appArmorProfile", "type"),
		help:      "use an AppArmor profile of type RuntimeDefault or Localhost, not Unconfined",
	},
	"capabilities_baseline": {
		container: func(c *corev1.Container) manifest.Path {
			add := manifest.Path{}.Field("securityContext").Field("capabilities").Field("add")
			if sc := c.SecurityContext; sc != nil && sc.Capabilities != nil {
				for i, a := range sc.Capabilities.Add {
					if !baselineCapabilities[string(a)] {
						return add.Item(i)
					}
				}
			}
			return add
		},
		help: "add only default capabilities (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT)",
	},
	"capabilities_restricted": {
		container: func(c *corev1.Container) manifest.Path {
			caps := manifest.Path{}.Field("securityContext").Field("capabilities")
			if sc := c.SecurityContext; sc != nil && sc.Capabilities != nil {
				for i, a := range sc.Capabilities.Add {
					if a != "NET_BIND_SERVICE" {
						return caps.Field("add").Item(i)
					}
				}
			}
			return caps.Field("drop")
		},
		help: "set securityContext.capabilities.drop: [ALL] on the container, and add at most NET_BIND_SERVICE",
	},
	"hostNamespaces": {
		pod: func(s *corev1.PodSpec) manifest.Path {
			switch {
			case s.HostNetwork:
				return manifest.Path{}.Field("hostNetwork")
			case s.HostPID:
				return manifest.Path{}.Field("hostPID")
			}
			return manifest.Path{}.Field("hostIPC")
		},
		help: "remove hostNetwork, hostPID and hostIPC: the pod must not share the node's namespaces",
	},
	"hostPathVolumes": {
		volume: func(*corev1.Volume) manifest.Path { return manifest.Path{}.Field("hostPath") },
		help:   "use a persistentVolumeClaim, configMap, secret or emptyDir volume instead of hostPath",
	},
	"hostPorts": {
		container: func(c *corev1.Container) manifest.Path {
			for i, p := range c.Ports {
				if p.HostPort != 0 {
					return manifest.Path{}.Field("ports").Item(i).Field("hostPort")
				}
			}
			return manifest.Path{}.Field("ports")
		},
		help: "remove hostPort; reach the pod through a Service",
	},
	"hostProbesAndHostLifecycle": {
		container: hostProbePath,
		help:      "remove host from the probe or lifecycle handler: it must reach the pod itself",
	},
	"privileged": {
		container: securityContext[*corev1.Container]("privileged"),
		help:      "remove privileged: true; add only the capabilities the process needs (securityContext.capabilities.add)",
	},
	"procMount": {
		container: securityContext[*corev1.Container]("procMount"),
		help:      "remove procMount (the default masks /proc)",
	},
	"procMount_restricted": {
		container: securityContext[*corev1.Container]("procMount"),
		help:      "remove procMount (the default masks /proc)",
	},
	"restrictedVolumes": {
		volume: func(v *corev1.Volume) manifest.Path {
			// The volume's type is its one set field besides name.
			src := reflect.ValueOf(&v.VolumeSource).Elem()
			for i := 0; i < src.NumField(); i++ {
				name, _, _ := strings.Cut(src.Type().Field(i).Tag.Get("json"), ",")
				if !src.Field(i).IsNil() && !restrictedVolumeTypes[name] {
					return manifest.Path{}.Field(name)
				}
			}
			return nil
		},
		help: "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes",
	},
	"runAsNonRoot": {
		pod:       securityContext[*corev1.PodSpec]("runAsNonRoot"),
		container: securityContext[*corev1.Container]("runAsNonRoot"),
		help:      "set securityContext.runAsNonRoot: true on the pod (or on each container), and run the image as a non-root user",
	},
	"runAsUser": {
		pod:       securityContext[*corev1.PodSpec]("runAsUser"),
		container: securityContext[*corev1.Container]("runAsUser"),
		help:      "run as a non-zero user id (securityContext.runAsUser)",
	},
	"seLinuxOptions": {
		pod:       securityContext[*corev1.PodSpec]("seLinuxOptions"),
		container: securityContext[*corev1.Container]("seLinuxOptions"),
		help:      "remove seLinuxOptions.user and .role, and use type container_t, container_init_t, container_kvm_t or container_engine_t",
	},
	"seccompProfile_baseline": {
		pod:       securityContext[*corev1.PodSpec]("seccompProfile", "type"),
		container: securityContext[*corev1.Container]("seccompProfile", "type"),
		help:      "use seccompProfile type RuntimeDefault or Localhost, not Unconfined",
	},
	"seccompProfile_restricted": {
		pod:       securityContext[*corev1.PodSpec]("seccompProfile", "type"),
		container: securityContext[*corev1.Container]("seccompProfile", "type"),
		help:      "set securityContext.seccompProfile.type: RuntimeDefault (or Localhost) on the pod, or on each container",
	},
	"sysctls": {
		pod:  securityContext[*corev1.PodSpec]("sysctls"),
		help: "set only the safe sysctls the Pod Security Standards allow (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, ...)",
	},
	"windowsHostProcess": {
		pod:       securityContext[*corev1.PodSpec]("windowsOptions", "hostProcess"),
		container: securityContext[*corev1.Container]("windowsOptions", "hostProcess"),
		help:      "remove windowsOptions.hostProcess: true",
	},
}

// baselineCapabilities are the capabilities the baseline level lets a
// container add (check_capabilities_baseline.go).
var baselineCapabilities = map[string]bool{
	"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true, "FSETID": true, "KILL": true, "MKNOD": true,
	"NET_BIND_SERVICE": true, "SETFCAP": true, "SETGID": true, "SETPCAP": true, "SETUID": true, "SYS_CHROOT": true,
}

// restrictedVolumeTypes are the volume types the restricted level allows
// (check_restrictedVolumes.go).
var restrictedVolumeTypes = map[string]bool{
	"configMap": true, "csi": true, "downwardAPI": true, "emptyDir": true, "ephemeral": true, "image": true,
	"persistentVolumeClaim": true, "projected": true, "secret": true,
}

// pssPlaceOf returns the table's entry for a check id; an id it does not
// know has none, and is reported at the pod spec (or at the container or
// volume that fails it).
func pssPlaceOf(id string) pssPlace { return pssPlaces[id] }

// appArmorAnnotation is the first deprecated AppArmor annotation with a
// profile the check forbids, when the pod's own profile is not the
// problem.
func appArmorAnnotation(m *metav1.ObjectMeta, s *corev1.PodSpec) manifest.Path {
	if sc := s.SecurityContext; sc != nil && sc.AppArmorProfile != nil &&
		sc.AppArmorProfile.Type != corev1.AppArmorProfileTypeRuntimeDefault && sc.AppArmorProfile.Type != corev1.AppArmorProfileTypeLocalhost {
		return nil
	}
	keys := make([]string, 0, len(m.Annotations))
	for k := range m.Annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m.Annotations[k]
		if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) && v != "" &&
			v != corev1.DeprecatedAppArmorBetaProfileRuntimeDefault && !strings.HasPrefix(v, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
			return manifest.Path{}.Field("annotations").Field(k)
		}
	}
	return nil
}

// hostProbePath is the first probe or lifecycle handler of a container
// that names a host.
func hostProbePath(c *corev1.Container) manifest.Path {
	probe := func(name string, p *corev1.Probe) manifest.Path {
		if p == nil {
			return nil
		}
		return handlerHost(manifest.Path{}.Field(name), p.HTTPGet, p.TCPSocket)
	}
	for _, pr := range []struct {
		name string
		p    *corev1.Probe
	}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
		if path := probe(pr.name, pr.p); path != nil {
			return path
		}
	}
	if l := c.Lifecycle; l != nil {
		for _, h := range []struct {
			name string
			h    *corev1.LifecycleHandler
		}{{"postStart", l.PostStart}, {"preStop", l.PreStop}} {
			if h.h == nil {
				continue
			}
			if path := handlerHost(manifest.Path{}.Field("lifecycle").Field(h.name), h.h.HTTPGet, h.h.TCPSocket); path != nil {
				return path
			}
		}
	}
	return nil
}

func handlerHost(base manifest.Path, http *corev1.HTTPGetAction, tcp *corev1.TCPSocketAction) manifest.Path {
	switch {
	case http != nil && http.Host != "":
		return base.Field("httpGet").Field("host")
	case tcp != nil && tcp.Host != "":
		return base.Field("tcpSocket").Field("host")
	}
	return nil
}
