package slow

# Deliberately slow: sums a huge range for every object.
deny contains msg if {
	input.kind == "Deployment"
	n := sum([x | some x in numbers.range(1, 100000000)])
	n > 0
	msg := "never reached in time"
}
