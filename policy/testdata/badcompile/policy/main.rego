package main

deny contains msg if {
	msg := sprintf("%s", [undefined_var])
}
