package kvet.host_namespaces_test

import data.kvet.host_namespaces as host

ds(spec) := {"kind": "DaemonSet", "metadata": {"name": "agent"}, "spec": {"template": {"spec": object.union({"containers": [{"name": "a", "image": "x:1"}]}, spec)}}}

test_host_path_denied if {
	some r in host.deny with input as ds({"volumes": [{"name": "e", "emptyDir": {}}, {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]})
	r.path == ["spec", "template", "spec", "volumes", 1, "hostPath"]
}

test_host_network_denied if {
	some r in host.deny with input as ds({"hostNetwork": true})
	r.path == ["spec", "template", "spec", "hostNetwork"]
}

test_host_pid_denied if {
	count(host.deny) == 1 with input as ds({"hostPID": true})
}

test_clean_allowed if {
	count(host.deny) == 0 with input as ds({"hostNetwork": false, "volumes": [{"name": "e", "emptyDir": {}}]})
}
