package memory

# Allocates without bound, one element at a time: an array of a hundred
# million distinct 1 kB strings (100 GB), for every Deployment.
deny contains msg if {
	input.kind == "Deployment"
	kb := concat("", ["x" | some _ in numbers.range(1, 1000)])
	big := [sprintf("%s%d", [kb, i * j]) | some i in numbers.range(1, 10000); some j in numbers.range(1, 10000)]
	msg := sprintf("%d strings", [count(big)])
}
