package main

deny[msg] {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s %s must run as non-root", [input.kind, input.metadata.name])
}

warn[msg] {
	not input.metadata.labels.team
	msg = sprintf("%s %s has no team label", [input.kind, input.metadata.name])
}
