package kvet.probes_test

import data.kvet.probes

workload(kind, container) := {"kind": kind, "metadata": {"name": "w"}, "spec": {"template": {"spec": {"containers": [container]}}}}

probe := {"httpGet": {"path": "/healthz", "port": 8080}}

test_missing_probes_denied if {
	rs := probes.deny with input as workload("Deployment", {"name": "a", "image": "x:1"})
	count(rs) == 2
	every r in rs { r.path == ["spec", "template", "spec", "containers", 0] }
}

test_statefulset_and_daemonset_checked if {
	count(probes.deny) == 1 with input as workload("StatefulSet", {"name": "a", "image": "x:1", "livenessProbe": probe})
	count(probes.deny) == 1 with input as workload("DaemonSet", {"name": "a", "image": "x:1", "readinessProbe": probe})
}

test_probes_allowed if {
	count(probes.deny) == 0 with input as workload("Deployment", {"name": "a", "image": "x:1", "livenessProbe": probe, "readinessProbe": probe})
}

test_job_never_checked if {
	count(probes.deny) == 0 with input as workload("Job", {"name": "a", "image": "x:1"})
}

test_cronjob_never_checked if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}}}}}}
	count(probes.deny) == 0 with input as obj
}
