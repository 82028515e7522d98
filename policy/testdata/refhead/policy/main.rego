package main

# Rego v1 reads this as an object {msg: true}, not a set of messages:
# conftest refuses it, and so does kvet.
deny[msg] if {
	msg := "foo"
}
