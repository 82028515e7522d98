# METADATA
# title: No privileged containers
# description: No container sets securityContext.privileged to true.
# custom:
#   id: privileged-container
#   severity: critical
#   group: security
#   help: "remove privileged: true and add only the capabilities the process needs (securityContext.capabilities.add)"
#   doc:
#     what: A container runs privileged.
#     why: >-
#       A privileged container has every capability and sees every device of
#       the host: it is root on the node.
#     example: |
#       securityContext:
#         privileged: true
#     fix: >-
#       Remove privileged: true; add only the capabilities the process needs
#       (securityContext.capabilities.add).
package kvet.privileged

import data.kvet.lib

deny contains {
	"msg": sprintf("%s: container %q is privileged", [lib.subject, c.container.name]),
	"path": array.concat(c.path, ["securityContext", "privileged"]),
	"id": "privileged-container",
	"severity": "critical",
} if {
	some c in lib.containers
	c.container.securityContext.privileged == true
}
