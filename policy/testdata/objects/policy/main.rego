package main

# A Service must select at least one Deployment among the loaded objects.
deny contains msg if {
	input.kind == "Service"
	not selected
	msg := sprintf("service %s selects no deployment", [input.metadata.name])
}

selected if {
	some obj in data.kvet.objects
	obj.kind == "Deployment"
	obj.metadata.labels.app == input.spec.selector.app
}
