package main

deny contains "x" if {
	unused := input.kind
}
