package main

deny contains msg if {
	input.kind == "Deployment"
	not startswith(input.metadata.name, "prod-")
	msg := sprintf("Deployment %s is not prefixed", [input.metadata.name])
}

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.selector
	msg := "no selector"
}
