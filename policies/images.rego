# METADATA
# title: Images are pinned
# description: Every container image names a tag or a digest, and the tag is not "latest".
# custom:
#   id: image-pinned
#   severity: medium
#   group: default
#   doc:
#     what: A container image has no tag, or uses the "latest" tag.
#     why: >-
#       Untagged and "latest" images change under your feet: two pods of the
#       same Deployment can run different code, and a rollback does not bring
#       the old code back.
#     example: |
#       containers:
#         - name: web
#           image: nginx:latest
#     fix: |
#       Pin a version tag, or better a digest:
#         image: nginx:1.27.2
#         image: nginx@sha256:...
package kvet.images

import data.kvet.lib

# The tag of an image reference ("" when there is none).
tag(image) := t if {
	not contains(image, "@")
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
} else := ""

pinned(image) if contains(image, "@")

pinned(image) if {
	t := tag(image)
	t != ""
	t != "latest"
}

deny contains {
	"msg": sprintf("%s: container %q uses image %q, which is not pinned to a tag or digest", [lib.subject, c.container.name, image]),
	"path": array.concat(c.path, ["image"]),
	"id": "image-pinned",
	"severity": "medium",
} if {
	some c in lib.containers
	image := c.container.image
	not pinned(image)
}

deny contains {
	"msg": sprintf("%s: container %q has no image", [lib.subject, c.container.name]),
	"path": c.path,
	"id": "image-pinned",
	"severity": "medium",
} if {
	some c in lib.containers
	not c.container.image
}
