package kvet_test.registry

# Images must come from the company registry. The result's path points kvet
# at the exact line of the offending image.
deny contains {"msg": msg, "path": ["spec", "template", "spec", "containers", i, "image"], "id": "company-registry"} if {
	some i, c in input.spec.template.spec.containers
	not startswith(c.image, "registry.example.com/")
	msg := sprintf("container %q: image %q is not from registry.example.com", [c.name, c.image])
}

warn contains msg if {
	input.kind == "Deployment"
	not input.metadata.labels.team
	msg := "Deployment has no team label"
}
