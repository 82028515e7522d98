package many

# Values each under the memory limit (about 40 MB), a thousand of them.
deny contains msg if {
	kb := concat("", ["x" | some _ in numbers.range(1, 1000)])
	mb := concat("", [kb | some _ in numbers.range(1, 1000)])
	big := [y | some i in numbers.range(1, 1000); y := concat(format_int(i, 10), [mb | some _ in numbers.range(1, 40)])]
	msg := sprintf("%d", [count(big)])
}
