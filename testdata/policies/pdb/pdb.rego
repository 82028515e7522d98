package kvet_test.pdb

# Cross-object: every Deployment needs a PodDisruptionBudget selecting it.
deny contains {"msg": msg, "path": "spec.replicas"} if {
	input.kind == "Deployment"
	not has_pdb(input)
	msg := sprintf("Deployment %s has no PodDisruptionBudget", [input.metadata.name])
}

has_pdb(d) if {
	some o in data.kvet.objects
	o.kind == "PodDisruptionBudget"
	every k, v in o.spec.selector.matchLabels {
		d.spec.template.metadata.labels[k] == v
	}
}
