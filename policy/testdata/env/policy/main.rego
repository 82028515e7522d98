package main

deny contains msg if {
	opa.runtime().env.KVET_TEST_ENV == "deny"
	msg := "env says deny"
}
