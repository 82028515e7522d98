package slow

# Deliberately slow, without allocating: 400 million comparisons for every
# Deployment, none of which matches.
deny contains msg if {
	input.kind == "Deployment"
	count([1 | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000); i == j + 1000000]) > 0
	msg := "never reached in time"
}
