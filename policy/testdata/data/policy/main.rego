package main

import data.allowed

deny contains msg if {
	some c in input.spec.template.spec.containers
	not startswith(c.image, allowed.registry)
	msg := sprintf("image %s is not from %s", [c.image, allowed.registry])
}
