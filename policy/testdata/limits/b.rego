package b

# Slow, without allocating: 400 million comparisons that never match.
deny contains "b" if {
	input.kind
	count([1 | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000); i == j + 1000000]) > 0
}
