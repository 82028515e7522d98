package concat

# A 1 MB string (a concat of concats), then a concat of 2,000 of them:
# 2 GB in one call.
deny contains msg if {
	kb := concat("", ["x" | some _ in numbers.range(1, 1000)])
	mb := concat("", [kb | some _ in numbers.range(1, 1000)])
	big := concat("", [mb | some _ in numbers.range(1, 2000)])
	msg := sprintf("%d", [count(big)])
}
