package main

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s %s must run as non-root", [input.kind, input.metadata.name])
}

deny_image contains {"msg": msg, "severity": "high", "path": ["spec", "template", "spec", "containers", i, "image"]} if {
	some i, c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("container %s uses a latest image", [c.name])
}

violation contains {"msg": "replicas must be at least 2", "path": "spec.replicas", "_loc": {"file": "elsewhere.yaml", "line": 7}} if {
	input.kind == "Deployment"
	input.spec.replicas < 2
}

warn contains msg if {
	not input.metadata.labels.team
	msg := sprintf("%s %s has no team label", [input.kind, input.metadata.name])
}

exception contains rules if {
	input.metadata.name == "legacy"
	rules := ["image"]
}
