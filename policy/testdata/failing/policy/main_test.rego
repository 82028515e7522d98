package main_test

import data.main

test_pod_denied if {
	main.deny["always"] with input as {"kind": "Pod"}
}

test_service_denied if {
	main.deny["always"] with input as {"kind": "Service"}
}
