package kvet.resources_test

import data.kvet.resources

pod(res) := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [object.union({"name": "a", "image": "x:1"}, res)]}}

test_complete_allowed if {
	count(resources.deny) == 0 with input as pod({"resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}})
}

test_missing_all_denied if {
	rs := resources.deny with input as pod({})
	count(rs) == 3
	every r in rs { r.path == ["spec", "containers", 0] }
}

test_missing_limit_denied if {
	rs := resources.deny with input as pod({"resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}})
	count(rs) == 1
	some r in rs
	r.path == ["spec", "containers", 0, "resources"]
	contains(r.msg, "memory limit")
}

test_deployment_checked if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}}}}
	count(resources.deny) == 3 with input as obj
}
