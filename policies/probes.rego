# METADATA
# title: Long-running workloads have probes
# description: Containers of Deployments, StatefulSets and DaemonSets define liveness and readiness probes.
# custom:
#   id: workload-probes
#   severity: medium
#   group: reliability
#   help: "add a readinessProbe and a livenessProbe (httpGet, tcpSocket, grpc or exec) to the container"
#   doc:
#     what: >-
#       A container of a Deployment, StatefulSet or DaemonSet has no
#       livenessProbe or no readinessProbe. Jobs and CronJobs are never
#       checked: their pods are meant to finish.
#     why: >-
#       Without a readiness probe traffic reaches pods before they can serve it
#       and rollouts cannot tell a broken version; without a liveness probe a
#       hung process is never restarted.
#     example: |
#       containers:
#         - name: web
#           image: nginx:1.27.2
#     fix: |
#       readinessProbe:
#         httpGet: {path: /healthz, port: 8080}
#       livenessProbe:
#         httpGet: {path: /healthz, port: 8080}
package kvet.probes

import data.kvet.lib

deny contains {
	"msg": sprintf("%s: container %q has no %s", [lib.subject, c.container.name, probe]),
	"path": c.path,
	"id": "workload-probes",
	"severity": "medium",
} if {
	lib.kind in lib.long_running
	some c in lib.containers
	not c.init
	some probe in ["livenessProbe", "readinessProbe"]
	not c.container[probe]
}
