package kvet.privileged_test

import data.kvet.privileged

pod(sc) := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "x:1", "securityContext": sc}]}}

test_privileged_denied if {
	some r in privileged.deny with input as pod({"privileged": true})
	r.path == ["spec", "containers", 0, "securityContext", "privileged"]
}

test_unprivileged_allowed if {
	count(privileged.deny) == 0 with input as pod({"privileged": false})
}

test_unset_allowed if {
	count(privileged.deny) == 0 with input as pod({})
}
