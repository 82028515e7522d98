# METADATA
# title: Containers run as non-root without privilege escalation
# description: Every container runs with runAsNonRoot true and allowPrivilegeEscalation false.
# custom:
#   id: security-context
#   severity: high
#   group: security
#   help: "set securityContext.runAsNonRoot: true and securityContext.allowPrivilegeEscalation: false on the container (or runAsNonRoot on the pod)"
#   doc:
#     what: >-
#       A container may run as root (runAsNonRoot is not true for the container
#       or its pod), or may gain more privileges than its parent process
#       (allowPrivilegeEscalation is not false).
#     why: >-
#       A process running as root, or able to escalate through setuid binaries,
#       turns any container escape or kernel bug into root on the node.
#     example: |
#       containers:
#         - name: web
#           image: nginx:1.27.2
#     fix: |
#       securityContext:
#         runAsNonRoot: true
#         allowPrivilegeEscalation: false
package kvet.security_context

import data.kvet.lib

non_root(c) if c.container.securityContext.runAsNonRoot == true

non_root(c) if {
	lib.pod_spec.securityContext.runAsNonRoot == true
	not c.container.securityContext.runAsNonRoot == false
}

sc_path(c) := array.concat(c.path, ["securityContext"]) if {
	c.container.securityContext
} else := c.path

deny contains {
	"msg": sprintf("%s: container %q may run as root (set securityContext.runAsNonRoot: true)", [lib.subject, c.container.name]),
	"path": sc_path(c),
	"id": "security-context",
	"severity": "high",
} if {
	some c in lib.containers
	not non_root(c)
}

deny contains {
	"msg": sprintf("%s: container %q allows privilege escalation (set securityContext.allowPrivilegeEscalation: false)", [lib.subject, c.container.name]),
	"path": sc_path(c),
	"id": "security-context",
	"severity": "high",
} if {
	some c in lib.containers
	not c.container.securityContext.allowPrivilegeEscalation == false
}
