package main

deny contains msg if {
	names := sort([name | some d in input; name := d.contents.metadata.name])
	msg := sprintf("%d documents: %s", [count(input), concat(", ", names)])
}
