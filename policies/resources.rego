# METADATA
# title: Resources are requested
# description: Every container requests CPU and memory and sets a memory limit.
# custom:
#   id: container-resources
#   severity: medium
#   group: reliability
#   help: "set resources.requests.cpu, resources.requests.memory and resources.limits.memory on the container"
#   doc:
#     what: A container has no CPU request, no memory request, or no memory limit.
#     why: >-
#       Without requests the scheduler packs pods blindly and they are the first
#       evicted under pressure; without a memory limit one leaking container can
#       take the whole node's memory.
#     example: |
#       containers:
#         - name: web
#           image: nginx:1.27.2
#     fix: |
#       resources:
#         requests: {cpu: 100m, memory: 128Mi}
#         limits: {memory: 256Mi}
package kvet.resources

import data.kvet.lib

# Each check's field is written out whole (resources.<group>.<name>), so
# that a finding costs no concat and no array.concat: measured, this policy
# spends most of its time building findings.
checks := [
	{"group": "requests", "name": "cpu", "field": "requests.cpu", "what": "CPU request"},
	{"group": "requests", "name": "memory", "field": "requests.memory", "what": "memory request"},
	{"group": "limits", "name": "memory", "field": "limits.memory", "what": "memory limit"},
]

deny contains {
	"msg": sprintf("%s: container %q has no %s (resources.%s)", [lib.subject, c.container.name, check.what, check.field]),
	"path": path,
	"id": "container-resources",
	"severity": "medium",
} if {
	some c in lib.containers
	not c.init
	some check in checks
	object.get(c.container, ["resources", check.group, check.name], null) == null
	path := nearest(c)
}

# Point at resources when the block exists, else at the container.
nearest(c) := array.concat(c.path, ["resources"]) if {
	c.container.resources
} else := c.path
