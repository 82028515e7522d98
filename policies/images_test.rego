package kvet.images_test

import data.kvet.images

deployment(image) := {
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}},
}

test_latest_denied if {
	some r in images.deny with input as deployment("nginx:latest")
	r.path == ["spec", "template", "spec", "containers", 0, "image"]
}

test_untagged_denied if {
	count(images.deny) == 1 with input as deployment("nginx")
}

test_registry_port_untagged_denied if {
	count(images.deny) == 1 with input as deployment("registry.local:5000/team/app")
}

test_tag_allowed if {
	count(images.deny) == 0 with input as deployment("nginx:1.27.2")
}

test_registry_port_tag_allowed if {
	count(images.deny) == 0 with input as deployment("registry.local:5000/team/app:v3")
}

test_digest_allowed if {
	count(images.deny) == 0 with input as deployment("nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31")
}

test_init_container_checked if {
	obj := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"containers": [{"name": "a", "image": "nginx:1.2"}],
		"initContainers": [{"name": "init", "image": "busybox"}],
	}}
	some r in images.deny with input as obj
	r.path == ["spec", "initContainers", 0, "image"]
}

test_cronjob_checked if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "busybox:latest"}]}}}}}}
	some r in images.deny with input as obj
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image"]
}

test_non_workload_ignored if {
	count(images.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "s"}}
}
