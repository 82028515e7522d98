package main

deny contains msg if {
	print("checking", input.kind)
	input.kind == "Service"
	msg := "no services"
}
