package main

deny contains msg if {
	n := count([x | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000); x := i * j])
	msg := sprintf("%d", [n])
}
