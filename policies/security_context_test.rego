package kvet.security_context_test

import data.kvet.security_context as sc

pod(podsc, csc) := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": podsc, "containers": [{"name": "a", "image": "x:1", "securityContext": csc}]}}

test_hardened_allowed if {
	count(sc.deny) == 0 with input as pod({}, {"runAsNonRoot": true, "allowPrivilegeEscalation": false})
}

test_pod_level_non_root_allowed if {
	count(sc.deny) == 0 with input as pod({"runAsNonRoot": true}, {"allowPrivilegeEscalation": false})
}

test_container_overrides_pod if {
	count(sc.deny) == 1 with input as pod({"runAsNonRoot": true}, {"runAsNonRoot": false, "allowPrivilegeEscalation": false})
}

test_nothing_set_denied_twice if {
	rs := sc.deny with input as pod({}, {})
	count(rs) == 2
	every r in rs { r.path == ["spec", "containers", 0, "securityContext"] }
}

test_escalation_denied if {
	rs := sc.deny with input as pod({}, {"runAsNonRoot": true})
	count(rs) == 1
	some r in rs
	contains(r.msg, "privilege escalation")
}
