package kvet.lib_test

import data.kvet.lib

test_pod_spec_paths if {
	lib.pod_spec_path == ["spec"] with input as {"kind": "Pod"}
	lib.pod_spec_path == ["spec", "template", "spec"] with input as {"kind": "Deployment"}
	lib.pod_spec_path == ["spec", "jobTemplate", "spec", "template", "spec"] with input as {"kind": "CronJob"}
	not lib.pod_spec_path with input as {"kind": "ConfigMap"}
}

test_containers_with_paths if {
	obj := {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {
		"initContainers": [{"name": "i"}],
		"containers": [{"name": "a"}, {"name": "b"}],
	}}}}
	cs := lib.containers with input as obj
	count(cs) == 3
	{"container": {"name": "b"}, "path": ["spec", "template", "spec", "containers", 1], "init": false} in cs
	{"container": {"name": "i"}, "path": ["spec", "template", "spec", "initContainers", 0], "init": true} in cs
}

test_subject if {
	lib.subject == "Deployment web" with input as {"kind": "Deployment", "metadata": {"name": "web"}}
	lib.subject == "Job migrate-" with input as {"kind": "Job", "metadata": {"generateName": "migrate-"}}
}
