package main

deny contains msg if {
	msg := sprintf("kind %s", [input.kind])
}
