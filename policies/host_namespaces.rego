# METADATA
# title: No host namespaces or hostPath volumes
# description: Pods do not use hostPath volumes, hostNetwork or hostPID.
# custom:
#   id: host-namespaces
#   severity: high
#   group: security
#   help: "use a PersistentVolumeClaim, configMap, secret or emptyDir volume instead of hostPath, and drop hostNetwork / hostPID"
#   doc:
#     what: A pod mounts a hostPath volume, or shares the node's network or process namespace.
#     why: >-
#       hostPath gives the pod the node's files (the kubelet's credentials, the
#       container runtime socket); hostNetwork and hostPID let it see and reach
#       everything the node does.
#     example: |
#       spec:
#         hostNetwork: true
#         volumes:
#           - name: docker
#             hostPath: {path: /var/run/docker.sock}
#     fix: >-
#       Use a PersistentVolumeClaim, configMap, secret or emptyDir volume, and
#       drop hostNetwork / hostPID.
package kvet.host_namespaces

import data.kvet.lib

deny contains {
	"msg": sprintf("%s: volume %q mounts a hostPath (%s)", [lib.subject, v.name, object.get(v.hostPath, "path", "")]),
	"path": array.concat(lib.pod_spec_path, ["volumes", i, "hostPath"]),
	"id": "host-namespaces",
	"severity": "high",
} if {
	some i, v in lib.pod_spec.volumes
	v.hostPath
}

deny contains {
	"msg": sprintf("%s: uses the node's %s (%s: true)", [lib.subject, what, field]),
	"path": array.concat(lib.pod_spec_path, [field]),
	"id": "host-namespaces",
	"severity": "high",
} if {
	some field, what in {"hostNetwork": "network namespace", "hostPID": "process namespace"}
	lib.pod_spec[field] == true
}
